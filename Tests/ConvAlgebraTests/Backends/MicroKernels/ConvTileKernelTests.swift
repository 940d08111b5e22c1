import CMicroKernels
@testable import ConvAlgebra
import Testing

/// The indirect-convolution tile `ca_conv_tile_6x16` called directly, against sums in `Double`. The convolution
/// routes reach it only on the AVX2 + FMA path, so this is what checks the portable C tile: `make test-portable`
/// (CONVALGEBRA_ISA=portable) runs this file on it, `make test` on the AVX2 one.
@Suite struct ConvTileKernelTests {
    @Test(arguments: [0, 1, 7, 37, 300])
    func tileAgreesWithDoubleReference(depth k: Int) {
        var rng = ConvolutionKernelsTests.Generator(seed: UInt64(0xC0FFEE + k))
        let input = (0..<4096).map { _ in Float.random(in: -1...1, using: &rng) }
        let w = (0..<max(k * 16, 1)).map { _ in Float.random(in: -1...1, using: &rng) }
        // Six pixels' bases anywhere in the first half, offsets anywhere in the second: every tap in bounds.
        let baseOffsets = (0..<6).map { _ in Int.random(in: 0..<2048, using: &rng) }
        let offsets = (0..<max(k, 1)).map { _ in Int.random(in: 0..<2048, using: &rng) }
        var tile = [Float](repeating: .nan, count: 96)
        input.withUnsafeBufferPointer { x in
            let bases: [UnsafePointer<Float>?] = baseOffsets.map { x.baseAddress! + $0 }
            bases.withUnsafeBufferPointer { b in
                tile.withUnsafeMutableBufferPointer { t in
                    ca_conv_tile_6x16(k, b.baseAddress!, offsets, w, t.baseAddress!)
                }
            }
        }
        var worst = 0.0
        for i in 0..<6 {
            for j in 0..<16 {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<k {
                    let term = Double(input[baseOffsets[i] + offsets[p]]) * Double(w[p * 16 + j])
                    exact += term; magnitude += abs(term)
                }
                let error = abs(Double(tile[i * 16 + j]) - exact) / max(magnitude, 1e-30)
                worst = max(worst, error.isNaN ? .infinity : error)
            }
        }
        #expect(worst <= 8 * Double(Float.ulpOfOne) * Double(max(k, 1)).squareRoot(),
                "depth \(k), kernel path \(MachineProfile.current.kernelISA.rawValue)")
    }
}
