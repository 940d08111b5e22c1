import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// A kernel operator in its forward direction: convolution `q * x` (DSP) or cross-correlation
/// (DL layers), with stride, dilation, offset (padding or mode) and channel groups, as described by a
/// ``ConvolutionGeometry``.
///
/// ```
/// y[co, i] = Σ_{ci, t} W[co, ci, t] · x[g·C_in/G + ci, i·s + o + t·e]
/// ```
/// In the reference text's notation the DSP forms are `q * x`, strided `↓k(q * x)` and dilated
/// `(↑k q) * x`: all three are this one type (see ``init(kernel:inputLength:mode:stride:dilation:)``).
/// The transpose is a ``TransposedConvolution`` over the same geometry and taps: the same terms
/// with rows and columns swapped.
/// - Complexity: direct form `2 · outputs · C_in/G · K` FLOPs per sample (kept outputs only).
public struct Convolution<Scalar: BLASScalar>: StencilOperator, Equatable {
    /// Where each tap reads.
    public let geometry: ConvolutionGeometry
    /// The kernel, in the layout of ``ConvolutionGeometry/weightShape``: `W[co, ci, k…]` (or `q[t]`).
    public let taps: [Scalar]
    /// Whether the taps are a learnable kernel, printed `q0, q1, …` by ``symbolic()`` (or fixed numbers).
    public let tapsAreSymbols: Bool
    /// The direct-form plans built so far (`ConvolutionPlan`, one per direction), shared with ``transposed``
    /// and with copies; not part of the operator's value.
    public let plans: PlanCache

    /// ``plans``, which also keep the dense and sparse matrices once ``apply(_:form:budget:)`` has built them.
    public var planCache: PlanCache? { plans }

    /// A convolution with an explicit geometry.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when the taps do not fill the weight shape.
    public init(geometry: ConvolutionGeometry, taps: [Scalar], tapsAreSymbols: Bool = true) throws {
        guard taps.count == geometry.weightCount else {
            throw ConvAlgebraError.shapeMismatch(
                "the weight has \(taps.count) elements, but shape \(geometry.weightShape) needs \(geometry.weightCount)")
        }
        self.init(unchecked: geometry, taps: taps, tapsAreSymbols: tapsAreSymbols, plans: PlanCache())
    }

    package init(unchecked geometry: ConvolutionGeometry, taps: [Scalar], tapsAreSymbols: Bool, plans: PlanCache) {
        self.geometry = geometry
        self.taps = taps
        self.tapsAreSymbols = tapsAreSymbols
        self.plans = plans
    }

    public var domain: Shape { geometry.domain }
    public var codomain: Shape { geometry.codomain }
    public var transposed: TransposedConvolution<Scalar> { TransposedConvolution(base: self) }

    /// Counted per dimension, without enumerating (see ``ConvolutionGeometry/termCount``).
    public var termCount: Int { geometry.termCount }

    public func forEachTerm(_ body: (Int, Int, Int, Scalar) -> Void) {
        geometry.forEachTerm { r, c, t in body(r, c, t, 1) }
    }

    /// Only the output positions of `rows` are visited, so the cost is that of the range's terms.
    public func forEachTerm(rows: Range<Int>, _ body: (Int, Int, Int, Scalar) -> Void) {
        geometry.forEachTerm(rows: rows) { r, c, t in body(r, c, t, 1) }
    }

    /// The plan of the direct form, built on first use and cached in ``plans``.
    package var directPlan: ConvolutionPlan<Scalar> { ConvolutionPlan.cached(in: plans, geometry, taps, .forward) }

    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        directPlan.run(x, y, batch: batch)
    }
}
