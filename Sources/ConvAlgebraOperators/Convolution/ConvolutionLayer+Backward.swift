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
    /// `∂L/∂b`, summed over the batch and space, shape `(C_out)`; `nil` for a layer without bias.
    public var bias: Tensor<Scalar>?
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
        try LayerGradients(input: x, outputGradient: dy, domain: domain, codomain: codomain, geometry: geometry,
                           direction: .convolution, weightShape: weightShape, hasBias: bias != nil,
                           inputGradient: { try linear.anyTransposed.apply(dy, form: form, budget: budget) },
                           // The kernel sees pad(x) for reflect/replicate; for zeros/circular the geometry reads x itself.
                           kernelInput: { padsExplicitly ? try padding.apply(x, budget: budget) : x })
    }
}

extension LayerGradients {
    /// Back-propagation through a convolution layer `y = L(x; W) + b` (``ConvolutionLayer``,
    /// ``TransposedConvolutionLayer``) at the input batch `x`, given the output gradient `dy`:
    /// ```
    /// dx = inputGradient(),   dW = Σ_batch B(x̃_b)ᵀ dy_b,   db[c] = Σ_{batch, i} dy[c, i]
    /// ```
    /// with `x̃ = kernelInput()` the samples the kernel sees and `B` the weight-gradient operator of `geometry`
    /// in `direction` (its direct kernel, ``WeightGradientKernels``, over the whole batch).
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `x` does not end in `domain`, `dy` does not end in
    ///   `codomain`, or their batches differ (checked before either closure runs); the closures' errors.
    package init(input x: Tensor<Scalar>, outputGradient dy: Tensor<Scalar>, domain: Shape, codomain: Shape,
                 geometry: ConvolutionGeometry, direction: WeightGradient<Scalar>.Direction, weightShape: [Int],
                 hasBias: Bool, inputGradient: () throws -> Tensor<Scalar>, kernelInput: () throws -> Tensor<Scalar>) throws {
        let batch = try x.batchCount(sampleShape: domain)
        _ = try dy.batchCount(sampleShape: codomain)
        guard Array(x.shape.dims.dropLast(domain.rank)) == Array(dy.shape.dims.dropLast(codomain.rank)) else {
            throw ConvAlgebraError.shapeMismatch("the input batch \(x.shape) and the output gradient \(dy.shape) do not match")
        }
        let dx = try inputGradient()
        let seen = try kernelInput()
        var dw = [Scalar](repeating: 0, count: geometry.weightCount)
        seen.scalars.withUnsafeBufferPointer { xp in
            dy.scalars.withUnsafeBufferPointer { dp in
                dw.withUnsafeMutableBufferPointer { wp in
                    guard batch > 0 else { return }
                    // The convolution's output side is dy for a convolution, the layer's input for its transpose.
                    let (a, c) = direction == .convolution ? (dp.baseAddress!, xp.baseAddress!) : (xp.baseAddress!, dp.baseAddress!)
                    WeightGradientKernels.accumulate(geometry, outputSide: a, inputSide: c, batch: batch, into: wp.baseAddress!)
                }
            }
        }
        let channels = codomain.dims[0]
        let db = hasBias ? try Tensor(LayerBias.gradient(dy, channels: channels, plane: codomain.count / channels)) : nil
        self.init(input: dx, weight: try Tensor(shape: weightShape, scalars: dw), bias: db)
    }
}

/// A layer's per-channel bias: added to a batch of channel planes, and its gradient.
package enum LayerBias {
    /// Checks that a bias has shape `(channels)`.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` naming both shapes.
    package static func check<S: BLASScalar>(_ bias: Tensor<S>?, channels: Int) throws {
        guard let bias else { return }
        guard bias.shape.dims == [channels] else {
            throw ConvAlgebraError.shapeMismatch("the bias must have shape (C_out) = (\(channels)), got shape \(bias.shape)")
        }
    }

    /// `A x + b` for every sample of `x`: `linear` applied in `form`, then `bias[c]` added to each output plane.
    package static func apply<S: BLASScalar>(_ linear: some LinearOperator<S>, _ x: Tensor<S>, bias: [S]?, form: Form,
                                             budget: MemoryBudget) throws -> Tensor<S> {
        var y = try linear.apply(x, form: form, budget: budget)
        if let bias, !bias.isEmpty { add(bias, to: &y, plane: linear.codomain.count / bias.count) }
        return y
    }

    /// `y[…, c, p] += bias[c]` for a tensor whose trailing extents are `(C, plane)`.
    package static func add<S: BLASScalar>(_ bias: [S], to y: inout Tensor<S>, plane: Int) {
        let C = bias.count
        guard C > 0, plane > 0 else { return }
        y.scalars.withUnsafeMutableBufferPointer { yp in
            for j in 0..<(yp.count / plane) {
                let b = bias[j % C]
                for p in (j * plane)..<((j + 1) * plane) { yp[p] += b }
            }
        }
    }

    /// `db[c] = Σ_{batch, p} dy[…, c, p]`.
    package static func gradient<S: BLASScalar>(_ dy: Tensor<S>, channels C: Int, plane: Int) -> [S] {
        var db = [S](repeating: 0, count: C)
        guard C > 0, plane > 0 else { return db }
        dy.scalars.withUnsafeBufferPointer { d in
            for j in 0..<(d.count / plane) {
                var s: S = 0
                for p in (j * plane)..<((j + 1) * plane) { s += d[p] }
                db[j % C] += s
            }
        }
        return db
    }
}
