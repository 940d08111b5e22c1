import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// The spectral norm of a convolution's weight reshaped to a matrix: what PyTorch's `spectral_norm` bounds.
///
/// PyTorch's `torch.nn.utils.spectral_norm` normalises `W.movedim(dim, 0).reshape(W.shape[dim], −1)`, with
/// `dim = 0` for convolutions (`C_out × (C_in/G · ∏K)`, weight `(C_out, C_in/G, K…)`) and `dim = 1` for
/// transposed convolutions (`C_out/G × (C_in · ∏K)`, weight `(C_in, C_out/G, K…)`): in both cases the rows are
/// the layer's output channels. That number is not the operator's norm ‖A‖₂: a stride-1 convolution reads
/// each input sample with every tap, so ‖A‖₂ can exceed it by up to about `√∏K`, while a strided one can fall
/// below it. ``OperatorAnalysis`` and the `analyze` command print both side by side.
public enum ReshapedWeightNorm {
    /// `‖W.movedim(dim, 0).reshape(W.shape[dim], −1)‖₂` for a row-major weight of `shape`.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `weight` does not fill `shape`;
    ///   ``ConvAlgebraError/invalidArgument(_:)`` for a `dim` outside the shape; LAPACK or memory-budget errors.
    /// - Complexity: one SVD of a `shape[dim] × (|W| / shape[dim])` matrix.
    public static func value<S: BLASScalar>(weight: [S], shape: [Int], dim: Int,
                                            budget: MemoryBudget = .default) throws -> Double {
        guard dim >= 0, dim < shape.count else {
            throw ConvAlgebraError.invalidArgument("dimension \(dim) is outside a weight of shape \(shape)")
        }
        let count = try Shape(shape).count
        guard weight.count == count else {
            throw ConvAlgebraError.shapeMismatch("a weight of shape \(shape) needs \(count) elements, got \(weight.count)")
        }
        let rows = shape[dim]
        guard rows > 0, count > 0 else { return 0 }
        let outer = shape[..<dim].reduce(1, *), inner = shape[(dim + 1)...].reduce(1, *)
        // M[r, (o, i)] = W[o, r, i]: axis `dim` to the front, the others in their order.
        var m = try DenseMatrix<Double>(zeros: rows, count / rows, budget: budget)
        for o in 0..<outer {
            for r in 0..<rows {
                for i in 0..<inner { m.entries[r * (outer * inner) + o * inner + i] = Double(weight[(o * rows + r) * inner + i]) }
            }
        }
        return try m.spectralNorm(budget: budget)
    }
}

extension Convolution {
    /// `‖W.reshape(C_out, −1)‖₂`, the quantity PyTorch's `spectral_norm` bounds; see ``ReshapedWeightNorm``.
    /// - Throws: LAPACK or memory-budget errors.
    public func reshapedWeightNorm(budget: MemoryBudget = .default) throws -> Double {
        try ReshapedWeightNorm.value(weight: taps, shape: geometry.weightShape, dim: 0, budget: budget)
    }
}

extension TransposedConvolution {
    /// PyTorch's `dim = 1` norm for transposed convolutions: the stored weight `(C_out_f, C_in_f/G, K…)` is
    /// conv_transpose's `(C_in, C_out/G, K…)`, so rows are this layer's output channels; see ``ReshapedWeightNorm``.
    /// - Throws: LAPACK or memory-budget errors.
    public func reshapedWeightNorm(budget: MemoryBudget = .default) throws -> Double {
        let shape = geometry.hasChannelAxis ? geometry.weightShape : [1, 1] + geometry.kernelSize
        return try ReshapedWeightNorm.value(weight: taps, shape: shape, dim: 1, budget: budget)
    }
}
