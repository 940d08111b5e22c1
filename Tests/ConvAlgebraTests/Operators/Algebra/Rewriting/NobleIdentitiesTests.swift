import ConvAlgebra
import Testing
import _TestSupport

/// The noble identities `↓k ((↑k q) * x) = q * (↓k x)` and `(↑k q) * (↑k x) = ↑k (q * x)`, materialised in 1-D,
/// 2-D and 3-D, with phases and paddings.
@Suite struct NobleIdentitiesTests {
    @Test func aDilatedConvolutionThenDownsamplingIsDownsamplingThenTheUndilatedConvolution() throws {
        // 1-D DSP: numpy.convolve(x, ↑2 q, same)[p::2], every phase and mode.
        for mode in [ConvolutionMode.full, .same, .valid] {
            for p in 0..<2 {
                let c = try Convolution<Double>(geometry: .dsp(kernelLength: 3, inputLength: 11, mode: mode, dilation: 2),
                                                taps: integerTaps(3, seed: 7))
                let d = try Downsample<Double>(factor: 2, phase: p, inputLength: c.codomain.dims[0])
                let r = try expectProved(NobleDownsampling(), [c, d], "1-D \(mode) phase \(p)")
                let conv = try #require(r.last as? Convolution<Double>)
                #expect(conv.geometry.tapStep == [-1] && conv.taps == c.taps, "the undilated q")
            }
        }
        // 2-D layer, dilation 2, padding 2, channels 2 → 3; and dilation (4, 2) with factors (2, 2), phase (1, 0).
        let c2: Convolution<Double> = try layerConvolution([2, 7, 8], out: 3, kernel: [3, 3], padding: [2], dilation: [2])
        try expectProved(NobleDownsampling(), [c2, try Downsample(factors: [1, 2, 2], inputSize: c2.codomain.dims)], "2-D")
        let c2b: Convolution<Double> = try layerConvolution([1, 9, 6], out: 2, kernel: [2, 3], padding: [1], dilation: [4, 2])
        try expectProved(NobleDownsampling(), [c2b, try Downsample(factors: [1, 2, 2], phases: [0, 1, 0], inputSize: c2b.codomain.dims)],
                         "2-D phase (1, 0)")
        // 3-D, factors (2, 1, 3) with dilations (2, 1, 3).
        let c3: Convolution<Double> = try layerConvolution([2, 5, 4, 7], out: 2, kernel: [2, 2, 2], padding: [1], dilation: [2, 1, 3])
        try expectProved(NobleDownsampling(), [c3, try Downsample(factors: [1, 2, 1, 3], phases: [0, 1, 0, 2], inputSize: c3.codomain.dims)],
                         "3-D")
    }

    @Test func theRuleDeclinesWhatItCannotRewrite() throws {
        // Dilation 1 with ↓2: the taps are not k apart.
        let c: Convolution<Double> = try layerConvolution([1, 8, 8], out: 1, kernel: [3, 3], padding: [1])
        #expect(NobleDownsampling().match([c, try Downsample<Double>(factors: [1, 2, 2], inputSize: c.codomain.dims)][...]) == nil)
        // Down-sampling the channel axis.
        let c2: Convolution<Double> = try layerConvolution([2, 8, 8], out: 2, kernel: [3, 3], padding: [2], dilation: [2])
        #expect(NobleDownsampling().match([c2, try Downsample<Double>(factors: [2, 2, 2], inputSize: c2.codomain.dims)][...]) == nil)
    }

    @Test func upsamplingThenADilatedConvolutionIsTheConvolutionThenUpsampling() throws {
        for mode in [ConvolutionMode.full, .same] {
            for n in [5, 6] {
                let u = try Upsample<Double>(factor: 2, inputLength: n)
                let c = try Convolution<Double>(geometry: .dsp(kernelLength: 3, inputLength: 2 * n, mode: mode, dilation: 2),
                                                taps: integerTaps(3, seed: 8))
                let r = try expectProved(NobleUpsampling(), [u, c], "1-D \(mode) n \(n)")
                #expect(r.first is Convolution<Double> && r.last is Upsample<Double>)
            }
        }
        let u2 = try Upsample<Double>(factors: [1, 2, 2], inputSize: [2, 4, 3])
        let c2: Convolution<Double> = try layerConvolution([2, 8, 6], out: 3, kernel: [3, 2], padding: [1], dilation: [2])
        try expectProved(NobleUpsampling(), [u2, c2], "2-D")
        let u3 = try Upsample<Double>(factors: [1, 3, 1, 2], inputSize: [1, 2, 3, 3])
        let c3: Convolution<Double> = try layerConvolution([1, 6, 3, 6], out: 2, kernel: [2, 2, 3], padding: [2], dilation: [3, 1, 2])
        try expectProved(NobleUpsampling(), [u3, c3], "3-D")
    }

    /// The rewriter takes both: k× fewer multiply-adds.
    @Test func theRewriterTakesThemBecauseTheyAreCheaper() throws {
        let c: Convolution<Double> = try layerConvolution([2, 16, 16], out: 2, kernel: [3, 3], padding: [2], dilation: [2])
        let chain: [any LinearOperator<Double>] = [c, try Downsample<Double>(factors: [1, 2, 2], inputSize: c.codomain.dims)]
        let r = Rewriter.standard.rewrite(chain)
        let step = try #require(r.steps.first { $0.applied })
        #expect(step.identity == NobleDownsampling().identity && step.costAfter < step.costBefore)
        expectMatricesEqual(try r.result.dense(), try Composed(chain, rewriting: false).dense())
    }
}
