@testable import ConvAlgebraKernels
import Testing

/// The kernels' scalar protocol: `convolutionGEMM` against a product summed in `Double` (both precisions, both
/// `op(A)`, leading dimensions wider than the matrices), and the lane loads and stores against plain indexing.
@Suite struct KernelScalarTests {
    static let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (3, 40, 9), (8, 17, 27), (16, 300, 64)]

    @Test(arguments: shapes, [false, true])
    func convolutionGEMMIsTheMatrixProduct(shape: (m: Int, n: Int, k: Int), transposeA: Bool) {
        func check<T: KernelScalar>(_: T.Type, tolerance: Double) {
            let (m, n, k) = shape
            let lda = (transposeA ? m : k) + 2, ldb = n + 3, ldc = n + 1
            let a: [T] = (0..<((transposeA ? k : m) * lda)).map { T(Double(($0 * 37) % 19) / 9 - 1) }
            let b: [T] = (0..<(k * ldb)).map { T(Double(($0 * 53) % 23) / 11 - 1) }
            var c = [T](repeating: .nan, count: m * ldc)
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    c.withUnsafeMutableBufferPointer { cp in
                        T.convolutionGEMM(transposeA: transposeA, m: m, n: n, k: k, a: ap.baseAddress!, lda: lda,
                                          b: bp.baseAddress!, ldb: ldb, c: cp.baseAddress!, ldc: ldc)
                    }
                }
            }
            for i in 0..<m {
                for j in 0..<n {
                    var exact = 0.0, size = 0.0
                    for p in 0..<k {
                        let x = Double(transposeA ? a[p * lda + i] : a[i * lda + p]) * Double(b[p * ldb + j])
                        exact += x; size += abs(x)
                    }
                    #expect(abs(Double(c[i * ldc + j]) - exact) <= tolerance * max(size, 1), "\(T.self) \(i),\(j)")
                }
            }
        }
        check(Float.self, tolerance: 1e-5)
        check(Double.self, tolerance: 1e-13)
    }

    @Test func lanesLoadAndStoreWhatIndexingReadsAndWrites() {
        var x: [Double] = (0..<40).map { Double($0) * 0.5 }
        x.withUnsafeMutableBufferPointer { m in
            let p = UnsafePointer(m.baseAddress!)
            #expect(p.lanes(3) == SIMD8((3..<11).map { m[$0] }))
            #expect(p.lanes(1, stride: 4) == SIMD8((0..<8).map { m[1 + 4 * $0] }))
            #expect(m.baseAddress!.lanes(5) == p.lanes(5))
            m.baseAddress!.store(SIMD8(repeating: -1), at: 0)
            m.baseAddress!.store(SIMD8(repeating: -2), at: 9, stride: 3)
        }
        #expect(x[0..<8].allSatisfy { $0 == -1 } && x[8] == 4)
        #expect((0..<8).allSatisfy { x[9 + 3 * $0] == -2 } && x[10] == 5)
    }

    @Test func dispatchCastKeepsTheAddress() {
        var x: [Float] = [1, 2, 3]
        x.withUnsafeMutableBufferPointer { m in
            let c = KernelDispatch.cast(m.baseAddress!, to: Float.self)
            #expect(c == m.baseAddress!)
            #expect(KernelDispatch.cast(UnsafePointer(m.baseAddress!), to: Float.self)[2] == 3)
        }
    }
}
