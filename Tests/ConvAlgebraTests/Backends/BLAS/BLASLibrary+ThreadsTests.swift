import ConvAlgebra
import Testing

/// Stopping OpenBLAS's idle workers loses nothing: the GEMM that follows (large enough for OpenBLAS to thread it)
/// still computes the product, and a second stop finds the library again.
@Suite struct BLASLibraryThreadsTests {
    @Test func stoppingIdleWorkersKeepsBLASWorking() {
        #expect(BLASLibrary.stopIdleThreads() >= 1)  // libopenblas.so.0 is linked (Linux)
        let n = 256
        let a = (0..<n * n).map { Float(($0 * 7) % 13) - 6 }, b = (0..<n * n).map { Float(($0 * 5) % 11) - 5 }
        for round in 0..<2 {
            var c = [Float](repeating: .nan, count: n * n)
            Float.gemm(transposeA: false, transposeB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b, ldb: n,
                       beta: 0, c: &c, ldc: n)
            // Small integers: every product and sum is exact in FP32, so the check is exact too.
            for (i, j) in [(0, 0), (17, 200), (255, 255), (128, 3)] {
                let exact = (0..<n).reduce(Float(0)) { $0 + a[i * n + $1] * b[$1 * n + j] }
                #expect(c[i * n + j] == exact, "round \(round), c[\(i), \(j)]")
            }
            #expect(BLASLibrary.stopIdleThreads() >= 1)
        }
    }
}
