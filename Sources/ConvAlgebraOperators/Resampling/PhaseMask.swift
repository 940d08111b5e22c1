import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The phase mask `↑k ↓k`: keep the samples whose index is `p` modulo `k` (on every axis), zero the others.
///
/// ```
/// y[j] = x[j]  if j ≡ p (mod k) on every axis,   else 0
/// ```
/// A diagonal 0/1 matrix, so its own transpose. It is what down-sampling followed by up-sampling with the same
/// factor and phase leaves of a signal (the rewriter replaces `↑k ↓k` by it: one pass instead of two).
/// - Complexity: one write per sample element.
public struct PhaseMask<Scalar: BLASScalar>: StencilOperator, Equatable {
    /// The down-sampling whose kept samples the mask keeps.
    public let sampling: Downsample<Scalar>

    public init(sampling: Downsample<Scalar>) { self.sampling = sampling }

    public var domain: Shape { sampling.domain }
    public var codomain: Shape { sampling.domain }
    /// Diagonal: its own transpose.
    public var transposed: PhaseMask { self }
    public var taps: [Scalar] { [] }
    public var termCount: Int { sampling.termCount }

    /// `(c, c)` for every kept position `c`.
    public func forEachTerm(_ body: (Int, Int, Int, Scalar) -> Void) {
        for c in sampling.sourceIndices() { body(c, c, -1, 1) }
    }

    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let n = domain.count
        let kept = sampling.sourceIndices()
        forEachSample(batch, x, stride: n, y, stride: n) { xb, yb in
            yb.update(repeating: 0, count: n)
            for c in kept { yb[c] = xb[c] }
        }
    }
}
