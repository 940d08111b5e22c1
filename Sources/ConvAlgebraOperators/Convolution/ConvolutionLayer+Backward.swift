import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The gradients of a layer's loss with respect to its input, weight and bias.
public struct LayerGradients<Scalar: BLASScalar>: Sendable, Equatable {
    /// `∂L/∂x`, shaped like the input batch.
    public var input: Tensor<Scalar>
    /// `∂L/∂W`, summed over the batch, shaped like the weight.
    public var weight: Tensor<Scalar>
    /// `∂L/∂b`, summed over the batch and space; `nil` for a layer without bias.
    public var bias: [Scalar]?
}

extension ConvolutionLayer {
    /// Back-propagation through `y = A x + b` at the input batch `x`, given the output gradient `dy`:
    /// ```
    /// dx = Aᵀ dy,    dW = Σ_batch B(x_b)ᵀ dy_b,    db[co] = Σ_{batch, i} dy[co, i]
    /// ```
    /// `dx` is applied in `form` (the dense and sparse forms use the literal transpose of the matrix); `dW`
    /// uses the direct form of ``TransposedWeightGradient`` on each sample (for reflect and replicate padding,
    /// on the padded sample).
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `x` does not end in the input shape, `dy` does not
    ///   end in the output shape, or their batches differ; a memory-budget error in the dense/sparse forms.
    /// - Complexity: about twice the forward cost.
    public func backward(input x: Tensor<Scalar>, outputGradient dy: Tensor<Scalar>, form: Form = .direct,
                         budget: MemoryBudget = .default) throws -> LayerGradients<Scalar> {
        let batch = try x.batchCount(sampleShape: domain)
        let dyBatch = try dy.batchCount(sampleShape: codomain)
        guard batch == dyBatch, Array(x.shape.dims.dropLast(domain.rank)) == Array(dy.shape.dims.dropLast(codomain.rank)) else {
            throw ConvAlgebraError.shapeMismatch("the input batch \(x.shape) and the output gradient \(dy.shape) do not match")
        }
        let dx = try linear.anyTransposed.apply(dy, form: form, budget: budget)
        // The kernel sees pad(x) for reflect/replicate; for zeros/circular the geometry reads x itself.
        let seen = padsExplicitly ? try padding.apply(x, budget: budget) : x
        var dw = [Scalar](repeating: 0, count: weight.count)
        seen.scalars.withUnsafeBufferPointer { xp in
            dy.scalars.withUnsafeBufferPointer { dp in
                dw.withUnsafeMutableBufferPointer { wp in
                    guard batch > 0 else { return }
                    WeightGradientKernels.accumulate(geometry, outputSide: dp.baseAddress!, inputSide: xp.baseAddress!,
                                                     batch: batch, into: wp.baseAddress!)
                }
            }
        }
        let db = bias.map { _ in LayerBias.gradient(dy, channels: weightShape[0], plane: geometry.outputPlane) }
        return LayerGradients(input: dx, weight: try Tensor(shape: weightShape, scalars: dw), bias: db)
    }
}
