/// A short, readable text of a tensor, in the manner of PyTorch's `print(tensor)`.
extension Tensor: CustomStringConvertible {
    /// At most this many scalars are printed in full, nested as the shape nests them; a larger tensor prints
    /// its first and last ``edgeItems`` scalars (row-major) around an ellipsis.
    public static var fullPrintLimit: Int { 64 }
    /// The scalars printed at each end of a summarised tensor.
    public static var edgeItems: Int { 3 }

    /// `tensor([[1.0, 2.0], [3.0, 4.0]], shape=(2, 2), dtype=float64)` for a small tensor;
    /// `tensor([0.5, -0.25, 0.75, …, 0.125, -1.0, 0.0], shape=(4, 3, 32, 32), dtype=float32)` for a large one
    /// (the first and last three scalars in row-major order).
    /// - Complexity: `O(min(count, fullPrintLimit))`.
    public var description: String {
        let dtype = Scalar.self == Float.self ? "float32" : Scalar.self == Double.self ? "float64" : "\(Scalar.self)"
        let values: String
        if scalars.count <= Self.fullPrintLimit {
            values = shape.rank == 0 ? (scalars.first.map { "\($0)" } ?? "") : nested(level: 0, offset: 0)
        } else {
            let e = Self.edgeItems
            let head = scalars.prefix(e).map { "\($0)" }, tail = scalars.suffix(e).map { "\($0)" }
            values = "[" + (head + ["…"] + tail).joined(separator: ", ") + "]"
        }
        return "tensor(\(values), shape=\(shape), dtype=\(dtype))"
    }

    /// The scalars under `level` from `offset`, bracketed as the shape nests them.
    private func nested(level: Int, offset: Int) -> String {
        let n = shape.dims[level]
        if level == shape.rank - 1 {
            return "[" + scalars[offset..<(offset + n)].map { "\($0)" }.joined(separator: ", ") + "]"
        }
        let stride = shape.dims[(level + 1)...].reduce(1, *)
        return "[" + (0..<n).map { nested(level: level + 1, offset: offset + $0 * stride) }.joined(separator: ", ") + "]"
    }
}
