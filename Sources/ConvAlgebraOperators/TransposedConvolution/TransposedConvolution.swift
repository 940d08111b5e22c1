import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The transpose of a ``Convolution``: the DSP transposed convolution `q * (↑k x)` and the DL
/// `conv_transpose`.
///
/// ```
/// x̃[cin, c] = Σ_{(co, i, t) : i·s + o + t·e = c} W[co, ci, t] · y[co, i]
/// ```
/// the convolution's terms with rows and columns swapped, literally: shapes, taps, terms (hence the dense,
/// sparse and symbolic matrices) and `transposed` come from ``SwappedStencil``. Its direct form is the
/// transpose-direction `ConvolutionPlan` of the same geometry, which gathers, for each output sample, only the
/// (output, tap) pairs that land on it (polyphase, or the sub-pixel indirect kernel): it never multiplies an
/// inserted zero of `↑k`.
/// - Complexity: direct form `2 · inputs · C_out/G · K` FLOPs per sample, the forward convolution's count.
public struct TransposedConvolution<Scalar: BLASScalar>: SwappedStencil, Equatable {
    /// The convolution this is the transpose of.
    public let base: Convolution<Scalar>

    package init(base: Convolution<Scalar>) { self.base = base }

    package init(unchecked geometry: ConvolutionGeometry, taps: [Scalar], tapsAreSymbols: Bool, plans: PlanCache = PlanCache()) {
        base = Convolution(unchecked: geometry, taps: taps, tapsAreSymbols: tapsAreSymbols, plans: plans)
    }

    /// The transpose of the convolution with this geometry and these taps.
    public init(geometry: ConvolutionGeometry, taps: [Scalar], tapsAreSymbols: Bool = true) throws {
        base = try Convolution(geometry: geometry, taps: taps, tapsAreSymbols: tapsAreSymbols)
    }

    /// The geometry of the forward convolution this operator is the transpose of.
    public var geometry: ConvolutionGeometry { base.geometry }
    /// The direct-form plans built so far, shared with the ``Convolution`` this is the transpose of.
    public var plans: PlanCache { base.plans }
    /// ``plans``, shared with ``base``; the matrices are keyed by the operator's type, so each keeps its own.
    public var planCache: PlanCache? { plans }

    /// The plan of the direct form (the transpose-direction plan of the geometry), cached in ``plans``.
    package var directPlan: ConvolutionPlan<Scalar> { ConvolutionPlan.cached(in: plans, geometry, taps, .transpose) }

    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        directPlan.run(x, y, batch: batch)
    }
}
