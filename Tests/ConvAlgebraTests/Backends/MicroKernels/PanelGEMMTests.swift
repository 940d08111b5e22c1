@testable import ConvAlgebra
import CMicroKernels
import Testing

/// The dense form's panel GEMM `Y = X · Aᵀ` against the product summed in `Double` (an independent reference), on
/// every kernel path this CPU runs: batches around the sample tile (14 on AVX-512F, 6 on AVX2, 8 portable) and the
/// two-core split (by samples, and by panels where the matrix outweighs the batch), outputs around the panel width (32 / 16) with masked tails, depths of none, one, and past the
/// depth block (`k_c`, so the accumulating stores run), into a `Y` pre-filled with NaN so an unwritten element fails.
@Suite struct PanelGEMMTests {
    static let shapes: [(batch: Int, outputs: Int, depth: Int)] = [
        (1, 1, 1), (5, 17, 3), (14, 32, 288), (15, 33, 7), (16, 256, 256), (29, 31, 1100), (3, 70, 0),
        (256, 32, 288), (41, 100, 513), (20, 700, 100),
    ]

    @Test(arguments: shapes, MachineProfile.KernelISA.supported)
    func agreesWithDoubleReference(shape: (batch: Int, outputs: Int, depth: Int), isa: MachineProfile.KernelISA) {
        let (batch, m, k) = shape
        var rng = ConvolutionKernelsTests.Generator(seed: UInt64(batch * 1_000_003 + m * 1009 + k))
        let at = (0..<max(k * m, 1)).map { _ in Float.random(in: -1...1, using: &rng) }
        let x = (0..<max(batch * k, 1)).map { _ in Float.random(in: -1...1, using: &rng) }
        let gemm = at.withUnsafeBufferPointer { PanelGEMM(transposed: $0.baseAddress!, depth: k, outputs: m, isa: isa) }
        #expect(gemm.kc <= Int(CA_PANELS_KC_MAX) && gemm.kc >= 1 && gemm.panelsPerBlock >= 1)
        // The panels start on a cache line (whole-vector loads that straddle none), and the packing is lossless:
        // unpacked, it is the `Aᵀ` it was given.
        #expect(Int(bitPattern: gemm.packed.base) % 64 == 0 && gemm.packedCount == (m + gemm.nr - 1) / gemm.nr * gemm.nr * k)
        #expect(gemm.transposedEntries == Array(at.prefix(k * m)))
        var y = [Float](repeating: .nan, count: batch * m)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { gemm.apply(xp.baseAddress!, $0.baseAddress!, batch: batch) } }
        var worst = 0.0
        for b in 0..<batch {
            for j in 0..<m {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let term = Double(x[b * k + p]) * Double(at[p * m + j])
                    exact += term; magnitude += abs(term)
                }
                let error = abs(Double(y[b * m + j]) - exact) / max(magnitude, 1e-30)
                worst = max(worst, error.isNaN ? .infinity : error)
            }
        }
        // FP32 accumulation: relative to Σ|x·a| the error stays within a few ulps times √k.
        #expect(worst <= 8 * Double(Float.ulpOfOne) * Double(max(k, 1)).squareRoot(), "\(batch)×\(m)×\(k) on \(isa)")
    }

    /// The blocking follows the caches it is given: a larger L1 never gives a shallower depth block, and a
    /// depth that fits one block is not split.
    @Test func blockingFollowsTheCaches() {
        let at = [Float](repeating: 1, count: 600 * 64)
        func gemm(l1: Int, depth: Int) -> PanelGEMM {
            let caches = MachineProfile.Caches(l1d: .init(bytes: l1, source: .assumed), l2: .init(bytes: 1 << 20, source: .assumed),
                                               l3: nil, lineBytes: 64, lineSource: .assumed)
            return at.withUnsafeBufferPointer { PanelGEMM(transposed: $0.baseAddress!, depth: depth, outputs: 64, caches: caches) }
        }
        #expect(gemm(l1: 16 << 10, depth: 600).kc <= gemm(l1: 64 << 10, depth: 600).kc)
        #expect(gemm(l1: 64 << 10, depth: 100).kc == 100)
    }
}
