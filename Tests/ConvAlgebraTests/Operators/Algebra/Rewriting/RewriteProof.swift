import ConvAlgebra
import Testing
import _TestSupport

/// The materialised proof of one rewrite: `rule` matches the whole `chain`, and the replacement's dense matrix
/// equals the chain's (the factors multiplied as given) entry for entry — exactly, as the tests use whole-number
/// taps, whose sums and products are exact. The direct forms of both agree too (on a random batch).
@discardableResult
func expectProved<S: BLASScalar>(_ rule: some RewriteRule, _ chain: [any LinearOperator<S>], _ comment: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws -> [any LinearOperator<S>] {
    let m = try #require(rule.match(chain[...]), "\(rule.identity) does not match \(comment)", sourceLocation: sourceLocation)
    #expect(m.consumed == chain.count, "\(comment)", sourceLocation: sourceLocation)
    let lhs = try Composed(chain, rewriting: false)
    let rhs: any LinearOperator<S> = m.replacement.isEmpty ? Identity<S>(shape: lhs.domain) : try Composed(m.replacement, rewriting: false)
    #expect(rhs.domain == lhs.domain && rhs.codomain == lhs.codomain, "\(comment): shapes", sourceLocation: sourceLocation)
    expectMatricesEqual(try rhs.dense(), try lhs.dense(), "\(rule.identity), \(comment)", sourceLocation: sourceLocation)
    var rng = SplitMix64(seed: 0x5EED)
    let x: Tensor<S> = try randomBatch(2, of: lhs.domain, using: &rng)
    let (a, b) = (try lhs.apply(x), try rhs.apply(x))
    let scale = a.scalars.map { abs($0) }.max() ?? 1
    #expect(zip(a.scalars, b.scalars).allSatisfy { abs($0 - $1) <= S(1e-4) * max(scale, 1) }, "\(comment): direct forms",
            sourceLocation: sourceLocation)
    return m.replacement
}

/// Whole-number taps in `1 … 5` (exact sums and products).
func integerTaps<S: BLASScalar>(_ count: Int, seed: UInt64) -> [S] {
    var rng = SplitMix64(seed: seed)
    return randomIntegerScalars(count, in: 1...5, using: &rng)
}

/// A PyTorch-style convolution layer's linear part: `(C_in, *n) → (C_out, *m)` with whole-number weights.
func layerConvolution<S: BLASScalar>(_ input: [Int], out: Int, kernel: [Int], stride: [Int] = [1], padding: [Int] = [0],
                                     dilation: [Int] = [1], groups: Int = 1, seed: UInt64 = 1) throws -> Convolution<S> {
    let shape = [out, input[0] / groups] + kernel
    let layer = try ConvolutionLayer<S>(inputShape: input, weightShape: shape, weight: integerTaps(shape.reduce(1, *), seed: seed),
                                        stride: stride, padding: .symmetric(padding), dilation: dilation, groups: groups)
    return layer.convolution
}
