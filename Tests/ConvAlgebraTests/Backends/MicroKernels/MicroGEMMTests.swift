@testable import ConvAlgebra
import CMicroKernels
import Foundation
import Testing

/// The FP32 micro-kernel GEMM against the product summed in `Double` (an independent reference):
/// shapes straddling every blocking edge (`m` around the 6-row tile, `n` around the 16-column tile and the
/// 192-column block and the two-core split, `k` around the 256-deep block), both `op(A)`, leading dimensions
/// wider than the matrices, and a `C` pre-filled with NaN so an unwritten element fails.
@Suite struct MicroGEMMTests {
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (5, 17, 3), (6, 16, 256), (7, 15, 257), (13, 193, 1), (64, 400, 576),
        (3, 1000, 513), (12, 32, 0), (67, 255, 77),
    ]

    @Test(arguments: shapes, [false, true])
    func agreesWithDoubleReference(shape: (m: Int, n: Int, k: Int), transposeA: Bool) {
        let (m, n, k) = shape
        var rng = ConvolutionKernelsTests.Generator(seed: UInt64(m * 1_000_003 + n * 1009 + k))
        let lda = (transposeA ? m : k) + 3, ldb = n + 5, ldc = n + 2
        let aRows = transposeA ? k : m
        let a = (0..<max(aRows * lda, 1)).map { _ in Float.random(in: -1...1, using: &rng) }
        let b = (0..<max(k * ldb, 1)).map { _ in Float.random(in: -1...1, using: &rng) }
        var c = [Float](repeating: .nan, count: max(m * ldc, 1))
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    MicroGEMM.multiply(transposeA: transposeA, m: m, n: n, k: k, a: ap.baseAddress!, lda: lda,
                                       b: bp.baseAddress!, ldb: ldb, c: cp.baseAddress!, ldc: ldc)
                }
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let x = Double(transposeA ? a[p * lda + i] : a[i * lda + p]) * Double(b[p * ldb + j])
                    exact += x; magnitude += abs(x)
                }
                let error = abs(Double(c[i * ldc + j]) - exact) / max(magnitude, 1e-30)
                worst = max(worst, error.isNaN ? .infinity : error)
            }
        }
        // FP32 accumulation: relative to Σ|a·b| the error stays within a few ulps times √k.
        #expect(worst <= 8 * Double(Float.ulpOfOne) * Double(max(k, 1)).squareRoot(), "\(m)×\(n)×\(k) transposeA \(transposeA)")
        // Padding columns of C (between n and ldc) are never written.
        if m > 0 { #expect(c[ldc - 1].isNaN || n == ldc) }
    }

    /// The probe's FLOP count is linear in its rounds: nothing for none, and twice the rounds twice the FLOPs
    /// (a count that folded in a per-call constant or the elapsed time would fail).
    @Test func probeFLOPsAreLinearInTheRounds() {
        #expect(MicroGEMM.fmaProbe(rounds: 0) == 0)
        let one = MicroGEMM.fmaProbe(rounds: 1000), two = MicroGEMM.fmaProbe(rounds: 2000), ten = MicroGEMM.fmaProbe(rounds: 10_000)
        #expect(one > 0)
        #expect(two == 2 * one)
        #expect(ten == 10 * one)
    }

    /// The probe really iterates: its checksum depends on the rounds and follows the recurrence it runs,
    /// `x ← m·x + c` (`m = 0.999999`, `c = 1e-7` in `Float`), whose closed form after `r` rounds is
    /// `x* + (x₀ − x*)·mʳ` with the fixed point `x* = c/(1 − m)`. The AVX2 path (chosen by the hardware, not by
    /// `CONVALGEBRA_ISA`: the peak is the machine's) returns two lanes of the sum of ten chains all started at
    /// 1.0; the portable one the first plus the last of 80 chains started at 1.00, 1.01, …, 1.79.
    @Test(arguments: [1, 1000, 20_000])
    func probeChecksumFollowsItsRecurrence(rounds: Int) {
        let m = Double(Float(0.999999)), c = Double(Float(1e-7))
        let fixed = c / (1 - m), decay = pow(m, Double(rounds))
        func after(_ x0: Float) -> Double { fixed + (Double(x0) - fixed) * decay }
        let avx2FMA = Int32(CA_ISA_AVX2 | CA_ISA_FMA)
        let expected = ca_cpu_features() & avx2FMA == avx2FMA
            ? 2 * 10 * after(1.0)
            : after(1.0) + after(1.0 + 0.01 * 79)
        let checksum = Double(ca_fma_probe(rounds))
        #expect(abs(checksum - expected) <= 1e-3 * expected, "rounds \(rounds): \(checksum) vs \(expected)")
        #expect(ca_fma_probe(rounds) != ca_fma_probe(rounds + 10_000))
    }

    /// `op(A)` packed once (as a plan keeps a weight matrix) gives the very same product as packing per call,
    /// applied again and again; the pooled B-panel scratch is reused, not reallocated.
    @Test(arguments: [false, true])
    func packedOnceAgreesBitForBit(transposeA: Bool) {
        let (m, n, k) = (37, 700, 150)
        var rng = ConvolutionKernelsTests.Generator(seed: 99)
        let lda = transposeA ? m : k
        let a = (0..<(k * m)).map { _ in Float.random(in: -1...1, using: &rng) }
        let b = (0..<(k * n)).map { _ in Float.random(in: -1...1, using: &rng) }
        var perCall = [Float](repeating: .nan, count: m * n), packed = perCall
        MicroGEMM.multiply(transposeA: transposeA, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: n, c: &perCall, ldc: n)
        let once = MicroGEMM.PackedA(transposeA: transposeA, m: m, k: k, a: a, lda: lda)
        for _ in 0..<3 {
            packed = [Float](repeating: .nan, count: m * n)
            MicroGEMM.multiply(once, n: n, b: b, ldb: n, c: &packed, ldc: n)
            #expect(packed == perCall)
        }
    }
}
