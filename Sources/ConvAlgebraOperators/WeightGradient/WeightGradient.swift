import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The weight-gradient operator: for one fixed input sample `x`, the linear map from the kernel `W` to
/// the layer's output, `B(x) W = conv(x; W)` (or `conv_transpose(x; W)`).
///
/// Its terms come from the same enumeration as the convolution's own, `(r, c, t)` = (output row,
/// input column, tap), read with the kernel as the unknown:
/// ```
/// convolution:             B[r, t] += x[c]      (y[r] = Σ W[t] · x[c])
/// transposed convolution:  B[c, t] += x[r]      (y[c] = Σ W[t] · x[r])
/// ```
/// so back-propagation needs only matrices built from one enumeration:
/// `grad_input = Aᵀ dy` and `grad_weight = B(x)ᵀ dy` (``transposed`` is ``TransposedWeightGradient``).
/// Shapes: the weight shape `(C_out, C_in/G, k…)` of the geometry → the layer's output sample.
/// - Complexity: direct form = the convolution, `2 · outputs · C_in/G · ∏k` FLOPs per kernel.
public struct WeightGradient<Scalar: BLASScalar>: StencilOperator, Equatable {
    /// Which layer the kernel feeds: the convolution of ``geometry`` or its transpose.
    public enum Direction: String, Hashable, Sendable { case convolution, transposedConvolution }

    /// The geometry of the (forward) convolution.
    public let geometry: ConvolutionGeometry
    public let direction: Direction
    /// The fixed input sample: shaped like `geometry.domain` for a convolution, like `geometry.codomain`
    /// for a transposed convolution (whose input is the convolution's output).
    public let input: [Scalar]

    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `input` does not hold one sample of the layer's input.
    public init(geometry: ConvolutionGeometry, direction: Direction = .convolution, input: [Scalar]) throws {
        let need = direction == .convolution ? geometry.domain : geometry.codomain
        guard input.count == need.count else {
            throw ConvAlgebraError.shapeMismatch(
                "the weight-gradient operator needs one input sample of shape \(need) (\(need.count) elements), got \(input.count)")
        }
        self.geometry = geometry; self.direction = direction; self.input = input
    }

    /// The kernel's shape, `(C_out, C_in/G, k…)` of the geometry.
    public var domain: Shape { try! Shape(geometry.weightShape) }
    public var codomain: Shape { direction == .convolution ? geometry.codomain : geometry.domain }
    public var transposed: TransposedWeightGradient<Scalar> { TransposedWeightGradient(base: self) }
    public var taps: [Scalar] { [] }

    public func forEachTerm(_ body: (Int, Int, Int, Scalar) -> Void) {
        input.withUnsafeBufferPointer { x in
            switch direction {
            case .convolution: geometry.forEachTerm { r, c, t in body(r, t, -1, x[c]) }
            case .transposedConvolution: geometry.forEachTerm { r, c, t in body(c, t, -1, x[r]) }
            }
        }
    }

    /// Applies the layer with each kernel of the batch to the fixed input.
    public func applyUnchecked(_ w: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let (k, m) = (domain.count, codomain.count)
        input.withUnsafeBufferPointer { x in
            for b in 0..<batch {
                let taps = Array(UnsafeBufferPointer(start: w + b * k, count: k))
                switch direction {
                case .convolution: StencilKernels.forward(geometry, taps, x.baseAddress!, y + b * m, batch: 1)
                case .transposedConvolution: StencilKernels.transpose(geometry, taps, x.baseAddress!, y + b * m, batch: 1)
                }
            }
        }
    }
}

/// The transpose of a ``WeightGradient``: an output gradient `dy` ↦ the kernel gradient `B(x)ᵀ dy`.
///
/// ```
/// convolution:             dW[co, ci, τ] = Σ_p dy[co, p] · x[g·C_in/G + ci, T(p, τ)]
/// transposed convolution:  dW[co, ci, τ] = Σ_p x[co, p] · dy[g·C_in/G + ci, T(p, τ)]
/// ```
/// (`T` the geometry's spatial index map, `co`/`ci` the forward convolution's channels.)
/// Shapes, terms, forms and `transposed` come from ``SwappedStencil``; this type adds only the direct kernel.
/// - Complexity: `2 · outputs · C_in/G · ∏k` FLOPs per sample, the same as the forward convolution.
public struct TransposedWeightGradient<Scalar: BLASScalar>: SwappedStencil, Equatable {
    public let base: WeightGradient<Scalar>

    public func applyUnchecked(_ dy: UnsafePointer<Scalar>, _ dw: UnsafeMutablePointer<Scalar>, batch: Int) {
        let (m, k) = (domain.count, codomain.count)
        base.input.withUnsafeBufferPointer { x in
            for b in 0..<batch {
                switch base.direction {
                case .convolution:
                    WeightGradientKernels.accumulate(base.geometry, outputSide: dy + b * m, inputSide: x.baseAddress!,
                                                     batch: 1, into: dw + b * k)
                case .transposedConvolution:
                    WeightGradientKernels.accumulate(base.geometry, outputSide: x.baseAddress!, inputSide: dy + b * m,
                                                     batch: 1, into: dw + b * k)
                }
            }
        }
    }
}
