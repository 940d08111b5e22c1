import ConvAlgebra
import Testing
import _TestSupport

/// The reference text's fusion: nearest up-sampling by `k` then a convolution is one transposed convolution with
/// kernel `(1 … 1) * q`, materialised in 1-D (DSP and PyTorch layers), 2-D and 3-D, with PyTorch's paddings.
@Suite struct NearestUpsamplingFusionTests {
    /// `(1 1) * (q0 q1 q2) = (q0, q0+q1, q1+q2, q2)`: the reference's example, in its notation.
    @Test func theReferenceExampleFusesIntoFourTaps() throws {
        let q: [Double] = [2, 3, 5]
        for mode in [ConvolutionMode.full, .same, .valid] {
            let up = try TransposedConvolution<Double>.nearestNeighbourUpsampling(factor: 2, inputLength: 6)
            let c = try Convolution<Double>(kernel: q, inputLength: 12, mode: mode)
            let r = try expectProved(NearestUpsamplingFusion(), [up, c], "1-D DSP \(mode)")
            let t = try #require(r.first as? TransposedConvolution<Double>)
            #expect(t.taps == [2, 5, 8, 5], "(1 1) * q")
            #expect(t.taps == KernelFusion.fused([1, 1], q))
            #expect(t.geometry.stride == [2])
        }
    }

    @Test(arguments: [0, 1, 2])
    func pytorchUpsampleThenConvIsOneTransposedConvolution(padding: Int) throws {
        // 1-D: k = 3; 2-D: k = 2, 3×3 (the decoder block), channels 2 → 3; 3-D: k = (2, 1, 3).
        let cases: [(channels: Int, size: [Int], scale: [Int], kernel: [Int], dilation: [Int])] = [
            (2, [5], [3], [3], [1]), (2, [4, 5], [2, 2], [3, 3], [1]), (3, [3, 3, 2], [2, 1, 3], [2, 3, 2], [1, 1, 2]),
        ]
        for c in cases {
            let up = try NearestUpsampling<Double>(inputShape: [c.channels] + c.size, scale: c.scale)
            let conv: Convolution<Double> = try layerConvolution(up.codomain.dims, out: 3, kernel: c.kernel, padding: [padding],
                                                                 dilation: c.dilation)
            let r = try expectProved(NearestUpsamplingFusion(), [up, conv], "\(c.size.count)-D padding \(padding)")
            #expect(r.count == 1 && r[0] is TransposedConvolution<Double>)
        }
        // Groups: 4 channels in 2 groups.
        let up = try NearestUpsampling<Double>(inputShape: [4] + [3, 4], scale: [2, 2])
        let grouped: Convolution<Double> = try layerConvolution(up.codomain.dims, out: 2, kernel: [3, 3], padding: [padding], groups: 2)
        try expectProved(NearestUpsamplingFusion(), [up, grouped], "groups padding \(padding)")
    }

    /// The decoder block (×2 then 3×3): 4 taps per output and channel pair instead of 9, so the rewriter fuses it.
    @Test func theRewriterFusesTheDecoderBlock() throws {
        let up = try NearestUpsampling<Float>(inputShape: [4] + [8, 8], scale: [2, 2])
        let conv: Convolution<Float> = try layerConvolution(up.codomain.dims, out: 4, kernel: [3, 3], padding: [1])
        let chain = try Composed<Float>([up, conv])
        #expect(chain.rewritten.count == 1 && chain.rewritten[0] is TransposedConvolution<Float>)
        let step = try #require(chain.rewriting.steps.first { $0.applied })
        #expect(step.identity == NearestUpsamplingFusion().identity && step.costAfter < step.costBefore * 0.6)
        var rng = SplitMix64(seed: 3)
        let x: Tensor<Float> = try randomBatch(3, of: chain.domain, using: &rng)
        let (fused, unfused) = (try chain.apply(x), try Composed<Float>([up, conv], rewriting: false).apply(x))
        #expect(zip(fused.scalars, unfused.scalars).allSatisfy { abs($0 - $1) <= 1e-3 * max(abs($1), 1) })
    }

    @Test func aStridedConvolutionIsNotFused() throws {
        let up = try NearestUpsampling<Double>(inputShape: [1, 6], scale: [2])
        let conv: Convolution<Double> = try layerConvolution(up.codomain.dims, out: 1, kernel: [3], stride: [2], padding: [1])
        #expect(NearestUpsamplingFusion().match([up, conv][...]) == nil)
    }
}
