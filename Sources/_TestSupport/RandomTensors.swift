import ConvAlgebra

/// `count` scalars drawn uniformly from `range`.
public func randomScalars<S: BLASScalar>(_ count: Int, in range: ClosedRange<S> = -1 ... 1,
                                         using rng: inout SplitMix64) -> [S] {
    (0..<count).map { _ in S.random(in: range, using: &rng) }
}

/// `count` whole numbers drawn uniformly from `range`, as scalars.
///
/// Sums and products of small whole numbers are exact in `Float` and `Double`, so matrices built
/// from such taps by different routes (a stencil enumeration, a sparse product) must agree bit for bit.
public func randomIntegerScalars<S: BLASScalar>(_ count: Int, in range: ClosedRange<Int> = 1 ... 9,
                                                using rng: inout SplitMix64) -> [S] {
    (0..<count).map { _ in S(Int.random(in: range, using: &rng)) }
}

/// A tensor of the given extents with entries uniform in `range`.
public func randomTensor<S: BLASScalar>(_ dims: [Int], in range: ClosedRange<S> = -1 ... 1,
                                        using rng: inout SplitMix64) throws -> Tensor<S> {
    let shape = try Shape(dims)
    return try Tensor(shape: shape, scalars: randomScalars(shape.count, in: range, using: &rng))
}

/// A batch of `batch` random samples of `sample` shape: a tensor of shape `[batch] + sample.dims`.
public func randomBatch<S: BLASScalar>(_ batch: Int, of sample: Shape, in range: ClosedRange<S> = -1 ... 1,
                                       using rng: inout SplitMix64) throws -> Tensor<S> {
    try randomTensor([batch] + sample.dims, in: range, using: &rng)
}
