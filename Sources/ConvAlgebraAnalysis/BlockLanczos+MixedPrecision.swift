import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraMatrices
import ConvAlgebraOperators
import Foundation

/// ``BlockLanczos`` with its Krylov iteration on a `float32` copy of the operator and its certificate in `float64`.
///
/// ```
/// 1. block Lanczos on Bᵀ_f B_f (float32 applies, float64 basis) until the recurrence's bracket meets the tolerance
///    → the top Ritz vectors Z₀ (up to five)
/// 2. in float64: Z = orth(Z₀),  F = B Z,  N = BᵀB Z  (one batched apply each way)
///    F Fᵀ = Y Λ Yᵀ,  Z ← Yᵀ Z  (Rayleigh–Ritz on span Z),  θᵢ = ‖B zᵢ‖,  R = N − diag(θᵢ²) Z
///    σ₁ ≥ θ₁,  σ₁² ≤ θ₁² + min(‖R_k‖, ‖R_k‖²/δ_k),  δ_k = θ_k² − (θ_{k+1}² + ‖r_{k+1}‖)   (``bracket``)
/// 3. if that bracket misses the tolerance: float64 block Lanczos started from Z
/// ```
/// Why it is exact: the Rayleigh quotient is second-order in the vector's error, so a vector converged with float32
/// applies (error `≈ 10⁻⁶`) gives `θ₁` to `≈ 10⁻¹²` when evaluated with float64 applies; the residuals `R`, and so the
/// bracket, are computed from the float64 operator alone, every residual in it (including the next one's, which
/// sets the gap) measured, none taken from the float32 recurrence. The float32 stage only chooses the vectors; a poor
/// choice costs the float64 continuation (step 3), never the certificate. The float32 apply runs the
/// single-precision micro-kernels, about twice the double-precision rate.
extension BlockLanczos {
    /// `σ₁(A)` certified in `float64`, found with the applies of `fast`, a `float32` copy of `A` (same matrix size).
    /// - Parameters: as ``largestSingularValue(of:start:budget:progress:)``.
    /// - Throws: as ``largestSingularValue(of:start:budget:progress:)``; ``ConvAlgebraError/shapeMismatch(_:)`` when
    ///   `fast` is not `A`'s size.
    /// - Complexity: the float32 run's steps, then `min(5, r)` applications of `A` and `Aᵀ` in float64 and
    ///   `O(25·N)`; the float64 continuation only when the bracket misses.
    public func largestSingularValue(of a: any LinearOperator<Double>, fast: any LinearOperator<Float>, start: [[Double]] = [],
                                     budget: MemoryBudget = .default,
                                     progress: ((Int, Double, Double) -> Void)? = nil) throws -> CertifiedSingularValue {
        guard fast.matrixSize == a.matrixSize else {
            throw ConvAlgebraError.shapeMismatch("the float32 operator is \(fast.matrixSize), the operator \(a.matrixSize)")
        }
        let (m, n) = a.matrixSize
        // Empty operators and invalid settings: the float64 method's answer or error.
        guard m > 0, n > 0, tolerance > 0, tolerance.isFinite, blockSize >= 1, maxBasis >= 2 * blockSize, maxSteps >= 1 else {
            return try largestSingularValue(of: a, start: start, budget: budget, progress: progress)
        }
        let tol = Swift.max(tolerance, 64 * Double.ulpOfOne)
        // Run on the smaller side, as the float64 method does.
        let transposed = m < n
        let (b, bt) = transposed ? (a.transposed, a) : (a, a.transposed)
        let (fb, fbt) = transposed ? (fast.transposed, fast) : (fast, fast.transposed)
        let mapped = try start.map { v -> [Double] in
            if transposed { return v.count == n ? try Self.applied(a, v) : v }
            return v.count == m && m != n ? try Self.applied(a.transposed, v) : v
        }
        let (rough, vectors) = try run(fb, fbt, start: mapped, tolerance: tol, budget: budget, progress: progress, handOff: true)
        let length = b.matrixSize.1
        let refined = try certifySpan(b, bt, vectors, length: length, tolerance: tol)
        func total(_ r: CertifiedSingularValue, steps: Int, products: Int, seconds: Double) -> CertifiedSingularValue {
            CertifiedSingularValue(value: r.value, upperBound: r.upperBound, residual: r.residual, steps: steps, products: products,
                                   converged: r.converged, tolerance: tol, operatorSeconds: seconds)
        }
        if refined.result.converged {
            return total(refined.result, steps: rough.steps, products: rough.products + refined.products,
                         seconds: rough.operatorSeconds + refined.seconds)
        }
        // The float64 continuation from the float32 stage's vectors.
        let rows = refined.vectors.count / Swift.max(1, length)
        let restart = (0..<rows).map { Array(refined.vectors[($0 * length)..<(($0 + 1) * length)]) }
        let full = try run(b, bt, start: restart, tolerance: tol, budget: budget, progress: progress).result
        return total(full, steps: rough.steps + full.steps, products: rough.products + refined.products + full.products,
                     seconds: rough.operatorSeconds + refined.seconds + full.operatorSeconds)
    }

    /// Rayleigh–Ritz on the span of the rows of `z0` with the float64 operator, and the certified bracket from the
    /// residuals of all the Ritz pairs (step 2 above). Returns the result, the Ritz vectors (rows, best first), the
    /// vectors applied and the seconds in the applies.
    func certifySpan(_ b: any LinearOperator<Double>, _ bt: any LinearOperator<Double>, _ z0: [Double], length: Int,
                     tolerance tol: Double) throws -> (result: CertifiedSingularValue, vectors: [Double], products: Int, seconds: Double) {
        let bigM = b.matrixSize.0
        let z = Self.orthonormalisedWithin(z0, length: length, floor: 1e-8 * (Self.norms(z0, count: z0.count / Swift.max(1, length), length: length).max() ?? 0))
        let w = z.count / Swift.max(1, length)
        guard w > 0 else {
            return (CertifiedSingularValue(value: 0, upperBound: .infinity, residual: .infinity, steps: 0, products: 0, converged: false,
                                           tolerance: tol, operatorSeconds: 0), [], 0, 0)
        }
        var xs = [Double](), ys = [Double]()
        let clock = DispatchTime.now().uptimeNanoseconds
        let (normal, forward) = Self.normalEquations(b, bt, z, rows: w, n: length, m: bigM, xs: &xs, ys: &ys, keepForward: true)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
        // Rayleigh–Ritz: F Fᵀ = (BZ)(BZ)ᵀ = Y Λ Yᵀ; rotate Z, BZ and BᵀBZ by Y.
        var g = [Double](repeating: 0, count: w * w)
        Self.gemmABt(forward, forward, &g, m: w, n: w, k: bigM)
        let y = try SymmetricEigen.decompose(g, n: w).vectors
        let zr = Self.ritzVectors(y, r: w, count: w, basis: z, length: length)
        let fr = Self.ritzVectors(y, r: w, count: w, basis: forward, length: bigM)
        var residual = Self.ritzVectors(y, r: w, count: w, basis: normal, length: length)
        // θᵢ² = ‖B zᵢ‖² / ‖zᵢ‖² (unit up to rounding), and the residuals of the unit vectors.
        let zn = Self.norms(zr, count: w, length: length), fn = Self.norms(fr, count: w, length: bigM)
        let lambda = (0..<w).map { zn[$0] > 0 ? fn[$0] * fn[$0] / (zn[$0] * zn[$0]) : 0 }
        for i in 0..<w {
            let s = zn[i] > 0 ? 1 / zn[i] : 1
            for j in 0..<length { residual[i * length + j] = s * (residual[i * length + j] - lambda[i] * zr[i * length + j]) }
        }
        var gram = [Double](repeating: 0, count: w * w)
        Self.gemmABt(residual, residual, &gram, m: w, n: w, k: length)
        let bound = try Self.bracket(lambda: lambda, gram: gram, cluster: Swift.max(1, w - 1))
        let theta = lambda[0].squareRoot()
        let result = CertifiedSingularValue(value: theta, upperBound: theta * (1 + bound.relative),
                                            residual: Swift.max(0, gram[0]).squareRoot(), steps: 0, products: w,
                                            converged: bound.relative <= tol, tolerance: tol, operatorSeconds: seconds)
        return (result, zr, w, seconds)
    }
}
