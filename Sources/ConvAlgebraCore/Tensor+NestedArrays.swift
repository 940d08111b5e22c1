/// Tensors written as nested arrays, as `torch.tensor([[1, 2], [3, 4]])` takes them: the nesting depth is the
/// rank (1 to 5 levels, enough for a 3-D convolution's weight `(C_out, C_in/G, K_d, K_h, K_w)`), the outermost
/// list is the first extent, and the innermost lists are the rows of the last extent.
///
/// ```swift
/// let x = try Tensor<Double>([[1, 2], [3, 4]])            // shape (2, 2)
/// let w = try Tensor<Float>([[[[1, 0], [0, -1]]]])         // shape (1, 1, 2, 2), a 2×2 conv kernel
/// ```
/// Every list at one level must have the same length; a ragged input is a thrown
/// ``ConvAlgebraError/shapeMismatch(_:)`` that names the first list that differs, never a trap.
/// An empty list has extent 0, and then so do the levels below it (`[[Double]]()` has shape `(0, 0)`).
extension Tensor {
    /// A rank-1 tensor: `Tensor([1, 2, 3])` has shape `(3)`.
    public init(_ values: [Scalar]) throws {
        try self.init(shape: [values.count], scalars: values)
    }

    /// A rank-2 tensor from rows of equal length.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` for rows of different lengths.
    public init(_ values: [[Scalar]]) throws {
        let (s, v) = try Self.stack(values, depth: 2) { ([$0.count], $0) }
        try self.init(shape: s, scalars: v)
    }

    /// A rank-3 tensor. - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` for a ragged input.
    public init(_ values: [[[Scalar]]]) throws {
        let (s, v) = try Self.stack(values, depth: 3) { try Self.stack($0, depth: 2) { ([$0.count], $0) } }
        try self.init(shape: s, scalars: v)
    }

    /// A rank-4 tensor (a 2-D convolution's weight). - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` for a ragged input.
    public init(_ values: [[[[Scalar]]]]) throws {
        let (s, v) = try Self.stack(values, depth: 4) { try Tensor($0).parts }
        try self.init(shape: s, scalars: v)
    }

    /// A rank-5 tensor (a 3-D convolution's weight). - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` for a ragged input.
    public init(_ values: [[[[[Scalar]]]]]) throws {
        let (s, v) = try Self.stack(values, depth: 5) { try Tensor($0).parts }
        try self.init(shape: s, scalars: v)
    }

    private var parts: ([Int], [Scalar]) { (shape.dims, scalars) }

    /// Stacks the elements of one level: each element's `(shape, scalars)` from `inner`, all shapes equal.
    private static func stack<T>(_ values: [T], depth: Int,
                                 _ inner: (T) throws -> ([Int], [Scalar])) throws -> ([Int], [Scalar]) {
        guard let first = values.first else { return (Array(repeating: 0, count: depth), []) }
        let (s0, v0) = try inner(first)
        var scalars = v0
        scalars.reserveCapacity(v0.count * values.count)
        for (i, element) in values.enumerated().dropFirst() {
            let (s, v) = try inner(element)
            guard s == s0 else {
                throw ConvAlgebraError.shapeMismatch(
                    "ragged nested array: element \(i) has shape \(Self.text(s)), but element 0 has \(Self.text(s0))")
            }
            scalars += v
        }
        return ([values.count] + s0, scalars)
    }

    private static func text(_ dims: [Int]) -> String { "(" + dims.map(String.init).joined(separator: ", ") + ")" }
}
