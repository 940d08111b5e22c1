import ConvAlgebra
import Testing
import _TestSupport

/// The rewriter on whole chains: rewrites cascade, the result is the same operator, a composition runs it.
@Suite struct RewriterTests {
    /// `↓2 ↑2` cancels, then the identity left between two convolutions lets them fuse: one factor remains.
    @Test func rewritesCascadeToTheCheapestChain() throws {
        let a = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 6, mode: .full)
        let u = try Upsample<Double>(factor: 2, inputLength: 8)
        let b = try Convolution<Double>(kernel: [2, 1], inputLength: 8, mode: .full)
        let chain: [any LinearOperator<Double>] = [a, u, u.base, b]
        let r = Rewriter.standard.rewrite(chain)
        #expect(r.factors.count == 1 && r.factors[0] is Convolution<Double>)
        #expect(r.steps.filter(\.applied).map(\.identity) == [CancelSampling().identity, ConvolutionChainFusion().identity])
        expectMatricesEqual(try r.result.dense(), try Composed(chain, rewriting: false).dense())
        // The composition runs the rewritten chain and keeps its factors as given.
        let composed = try Composed(chain)
        #expect(composed.factors.count == 4 && composed.rewritten.count == 1)
        var rng = SplitMix64(seed: 11)
        let x: Tensor<Double> = try randomBatch(2, of: composed.domain, using: &rng)
        let (y, z) = (try composed.apply(x), try Composed(chain, rewriting: false).apply(x))
        #expect(zip(y.scalars, z.scalars).allSatisfy { abs($0 - $1) <= 1e-12 * max(abs($1), 1) })
        // Its transpose rewrites too, and is the transpose.
        expectMatricesEqual(try composed.transposed.dense(), try composed.dense().transposed())
    }

    @Test func nothingToRewriteLeavesTheChain() throws {
        let c = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 8, mode: .same)
        let r = Rewriter.standard.rewrite([c, try Downsample<Double>(factor: 2, inputLength: 8)])
        #expect(r.factors.count == 2 && !r.changed)
    }
}
