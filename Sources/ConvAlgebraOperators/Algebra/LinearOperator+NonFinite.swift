import ConvAlgebraCore

/// One semantics for non-finite values in every form (issue 13).
///
/// The direct form follows IEEE arithmetic term by term, in PyTorch's order: an output is touched only by
/// its own taps, so a `+∞` in a sample makes `±∞` (or `NaN`, for `∞ − ∞` or a zero tap times `∞`) exactly in
/// the outputs that read it. The materialised forms do not: a dense GEMM multiplies the structural zeros as
/// well, `0 · ∞ = NaN` (one `+∞` in a sample turned 81 of a 3×3 conv's 108 outputs into `NaN`), and a sparse
/// matrix has summed the taps that meet on one input (reflect/replicate/circular padding, interpolation
/// weights), `(q_a + q_b) · ∞ = ±∞` where pad-then-convolve gives `q_a·∞ + q_b·∞ = NaN`. So both scan the batch
/// (`O(n)`, against their `O(nnz)` or `O(n·m)`) and recompute the samples holding a `NaN` or `±∞` in the
/// direct form, whose numbers they then give; finite samples keep their materialised numbers.
extension LinearOperator {
    /// Recomputes in the direct form every sample of `x` (`batch` samples of ``domain``) that holds a
    /// non-finite value, overwriting its rows of `y`.
    package func recomputeNonFiniteSamplesDirectly(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let (n, m) = (domain.count, codomain.count)
        guard n > 0 else { return }
        for b in 0..<batch where NonFinite.holdsAny(x + b * n, count: n) {
            applyUnchecked(x + b * n, y + b * m, batch: 1)
        }
    }
}

/// The scan for non-finite values.
package enum NonFinite {
    /// Whether any of `count` values at `p` is `NaN` or `±∞`: `v · 0` is `NaN` exactly for those, so one
    /// vectorisable sum answers, and a second pass runs only when it says yes.
    package static func holdsAny<S: BLASScalar>(_ p: UnsafePointer<S>, count: Int) -> Bool {
        var acc: S = 0
        for i in 0..<count { acc += p[i] * 0 }
        return acc.isNaN
    }
}
