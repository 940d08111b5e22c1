/// A dense, row-major array of scalars with a shape; the unit of data that operators apply to.
///
/// A batch of `N` samples of shape `S` is a tensor of shape `[N] + S`: an `N × |S|` row-major matrix,
/// batch outermost (PyTorch's NCHW / NCL layout for layers).
public struct Tensor<Scalar: BLASScalar>: Sendable, Equatable {
    /// The extents, outermost first.
    public let shape: Shape
    /// The elements in row-major order; `scalars.count == shape.count`.
    public var scalars: [Scalar]

    /// A tensor of the given shape holding `scalars` in row-major order.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when the counts differ.
    public init(shape: Shape, scalars: [Scalar]) throws {
        guard shape.count == scalars.count else {
            throw ConvAlgebraError.shapeMismatch(
                "shape \(shape) holds \(shape.count) elements, but \(scalars.count) were given")
        }
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given extents holding `scalars` in row-major order.
    public init(shape dims: [Int], scalars: [Scalar]) throws {
        try self.init(shape: Shape(dims), scalars: scalars)
    }

    /// A tensor filled with one value.
    public init(shape: Shape, repeating value: Scalar = 0) {
        self.shape = shape
        self.scalars = Array(repeating: value, count: shape.count)
    }

    /// The number of samples when the tensor is read as a batch of samples of `sampleShape`.
    ///
    /// The trailing extents must equal `sampleShape`; the leading extents (any number, possibly none)
    /// multiply into the batch size.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` naming both shapes.
    public func batchCount(sampleShape: Shape) throws -> Int {
        let r = sampleShape.rank
        guard shape.rank >= r, Array(shape.dims.suffix(r)) == sampleShape.dims else {
            throw ConvAlgebraError.shapeMismatch(
                "input of shape \(shape) does not end in the operator's sample shape \(sampleShape)")
        }
        return shape.dims.dropLast(r).reduce(1, *)
    }
}
