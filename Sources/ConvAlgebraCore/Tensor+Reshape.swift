/// The same scalars under another shape.
extension Tensor {
    /// The tensor's scalars, in the same row-major order, under the extents `dims`, PyTorch's `reshape`:
    /// at most one extent may be `−1`, which is inferred from the element count.
    ///
    /// ```swift
    /// let w = try Tensor<Float>.zeros(shape: [8, 27]).reshaped([8, 3, 3, 3])
    /// ```
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when the counts differ or `−1` cannot be inferred
    ///   exactly; ``ConvAlgebraError/invalidArgument(_:)`` for another negative extent or two `−1`s.
    /// - Complexity: `O(1)` beyond the copy-on-write of ``scalars`` (none is made here).
    public func reshaped(_ dims: [Int]) throws -> Tensor {
        var dims = dims
        let holes = dims.indices.filter { dims[$0] == -1 }
        guard holes.count <= 1 else {
            throw ConvAlgebraError.invalidArgument("only one extent may be -1 (inferred), got \(dims)")
        }
        if let h = holes.first {
            var rest = dims
            rest[h] = 1
            let known = try Shape(rest).count
            guard known > 0, shape.count % known == 0 else {
                throw ConvAlgebraError.shapeMismatch(
                    "cannot reshape \(shape.count) elements (shape \(shape)) to \(dims): the -1 extent is not a whole number")
            }
            dims[h] = shape.count / known
        }
        let target = try Shape(dims)
        guard target.count == shape.count else {
            throw ConvAlgebraError.shapeMismatch(
                "cannot reshape \(shape.count) elements (shape \(shape)) to \(target), which holds \(target.count)")
        }
        return Tensor(unchecked: target, scalars)
    }
}
