import ConvAlgebraCore
import ConvAlgebraBackends

/// The non-zero count of a convolution's matrix in closed form, without materialising it.
///
/// Along dimension `d`, tap `t` reads inside the input for the outputs `i` with `0 ≤ i·s + o + t·e < n`, an interval
/// of `i` (all `m` outputs for a circular boundary): ``validOutputs(_:tap:)``, O(1). A spatial tap `τ = (t₁…t_r)` is
/// read at `∏_d validOutputs(d, t_d)` output positions, and for a zero boundary (or a circular one whose taps never
/// wrap onto each other) no two terms of one row share a column, so
/// ```
/// nnz(A) = Σ_{co, ci, τ : W[co, ci, τ] ≠ 0} ∏_d validOutputs(d, τ_d)        (= nnz(Aᵀ))
/// ```
/// With every weight non-zero this is ``termCount``.
extension ConvolutionGeometry {
    /// The number of outputs `i < m` whose tap `t` reads an input sample along dimension `d`:
    /// `#{i : 0 ≤ i·s + o + t·e < n}` (every output for a circular boundary).
    /// - Complexity: O(1).
    public func validOutputs(_ d: Int, tap t: Int) -> Int {
        let (n, m, _, s, o, e) = dimension(d)
        if boundary == .circular { return m }
        let base = o + t * e
        let lo = Swift.max(0, IntegerArithmetic.ceilDiv(-base, s))
        let hi = Swift.min(m - 1, IntegerArithmetic.floorDiv(n - 1 - base, s))
        return Swift.max(0, hi - lo + 1)
    }

    /// Whether two taps of one output can read the same input sample (a circular boundary whose kernel reach
    /// `K` exceeds the period `n / gcd(|e|, n)` of the tap offsets along some dimension): their terms then merge into
    /// one entry, which ``nonzeroCount(taps:)`` does not model.
    public var tapsCollide: Bool {
        guard boundary == .circular else { return false }
        return (0..<rank).contains { d in
            let (n, _, k, _, _, e) = dimension(d)
            return k > n / IntegerArithmetic.gcd(abs(e), n)
        }
    }

    /// The non-zero entries of the matrix with weight `taps` (PyTorch's layout `(C_out, C_in/G, k…)`), or nil when
    /// ``tapsCollide`` or `taps` does not fill the weight. Saturates at `Int.max`.
    /// - Complexity: `O(Σ_d K_d + K·rank + weightCount)`; no allocation beyond the `K` per-tap products.
    public func nonzeroCount<S: BLASScalar>(taps: [S]) -> Int? {
        guard !tapsCollide, taps.count == weightCount else { return nil }
        let perDimension = (0..<rank).map { d in (0..<kernelSize[d]).map { validOutputs(d, tap: $0) } }
        // The output positions of each spatial tap, row-major over the kernel.
        var positions = [Int](repeating: 1, count: kernelPlane)
        var odometer = Odometer(kernelSize)
        for tau in 0..<kernelPlane {
            var p = 1
            for d in 0..<rank {
                let (v, overflow) = p.multipliedReportingOverflow(by: perDimension[d][odometer.index[d]])
                p = overflow ? .max : v
            }
            positions[tau] = p
            _ = odometer.next()
        }
        var total = 0
        for (w, q) in taps.enumerated() where q != 0 {
            let (v, overflow) = total.addingReportingOverflow(positions[w % kernelPlane])
            if overflow { return .max }
            total = v
        }
        return total
    }
}
