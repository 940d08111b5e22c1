import ConvAlgebra
import Testing
import _TestSupport

/// `↓k` and `↑k` per axis of an N-D sample: the samples kept are `(i_d·k_d + p_d)…`, forms agree, the transpose is
/// literal.
@Suite struct DownsampleNDTests {
    @Test func keepsTheSamplesAtThePhasesOfEveryAxis() throws {
        let d = try Downsample<Double>(factors: [1, 2, 3], phases: [0, 1, 2], inputSize: [2, 5, 8])
        #expect(d.outputSize == [2, 2, 2])
        var rng = SplitMix64(seed: 5)
        let x: Tensor<Double> = try randomBatch(1, of: d.domain, using: &rng)
        let y = try d.apply(x)
        var expected: [Double] = []
        for c in 0..<2 { for i in [1, 3] { for j in [2, 5] { expected.append(x.scalars[(c * 5 + i) * 8 + j]) } } }
        #expect(y.scalars == expected)
        try expectFormsAgree(d)
        try expectFormsAgree(d.transposed)
        _ = try expectDotTest(d)
        let u = try Upsample<Double>(factors: [1, 2, 2], inputSize: [2, 3, 4])
        #expect(u.codomain.dims == [2, 6, 8] && u.transposed.outputSize == [2, 3, 4])
        expectThrows(.invalidArgument, "a phase per axis") { try Downsample<Double>(factors: [2, 2], phases: [0], inputSize: [4, 4]) }
        expectThrows(.invalidArgument, "the phase past the factor") { try Downsample<Double>(factors: [1, 2], phases: [0, 2], inputSize: [4, 4]) }
    }
}
