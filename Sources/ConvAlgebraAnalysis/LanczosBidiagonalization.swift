import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// The spectral norm of a large operator by Golub–Kahan–Lanczos bidiagonalisation on the direct forms:
/// the Krylov acceleration of ``PowerIteration``.
///
/// ```
/// β₀ = 0,  v₁ random, ‖v₁‖ = 1
/// αⱼ uⱼ   = A vⱼ − βⱼ₋₁ uⱼ₋₁          (then re-orthogonalised against u₁ … uⱼ₋₁)
/// βⱼ vⱼ₊₁ = Aᵀ uⱼ − αⱼ vⱼ             (then re-orthogonalised against v₁ … vⱼ)
/// Bₖ = upper bidiagonal k × (k+1) (α₁ … αₖ; β₁ … βₖ),   σ₁(Bₖ) ↑ σ₁(A)
/// ```
/// After `k` steps `σ₁(Bₖ)` is the best estimate of `σ₁` from the Krylov space of `AᵀA` of dimension `k`,
/// which converges like a Chebyshev polynomial in the gap, roughly the square of power iteration's
/// number of steps for clustered top singular values (a convolution's smooth frequency response).
/// Full re-orthogonalisation keeps the basis orthogonal in floating point, at the price of storing it:
/// `k · (m + n)` scalars, checked against the budget (the step cap shrinks to fit).
package enum LanczosBidiagonalization {
    package static func spectralNorm<Op: LinearOperator>(of op: Op, settings: PowerIteration, budget: MemoryBudget) throws -> SpectralNormEstimate {
        typealias S = Op.Scalar
        let (m, n) = op.matrixSize
        let tol = Swift.max(settings.tolerance, 64 * Double(S.ulpOfOne))
        guard m > 0, n > 0 else {
            return SpectralNormEstimate(value: 0, iterations: 0, converged: true, relativeChange: 0, residual: 0,
                                        tolerance: tol, maxIterations: settings.maxIterations, algorithm: .lanczos)
        }
        // The basis: at most min(m, n) useful steps, and as many as the budget holds.
        let perStep = try Checked.add(m, n, "a Lanczos step")
        // The basis is kept in Double whatever the operator's scalar.
        let perStepBytes = try Checked.multiply(perStep, MemoryLayout<Double>.stride, "a Lanczos step")
        // Besides the basis, the step's working vectors (v, u, w, the scalar copies) take about three steps' worth.
        let affordable = budget.bytes / Swift.max(1, perStepBytes) - 3
        let cap = Swift.min(settings.maxIterations, Swift.min(m, n), affordable)
        guard cap >= 1 else {
            throw ConvAlgebraError.exceedsMemoryBudget(what: "one Lanczos step of a \(m) × \(n) operator",
                                                       bytes: perStepBytes.multipliedReportingOverflow(by: 4).overflow ? .max : perStepBytes * 4, budget: budget.bytes)
        }
        var rng = SplitMix64(seed: settings.seed)
        var V: [[Double]] = [], U: [[Double]] = []
        var alpha: [Double] = [], beta: [Double] = []
        var v = (0..<n).map { _ in rng.nextSigned() }
        normalise(&v)
        var xs = [S](repeating: 0, count: n), ys = [S](repeating: 0, count: m)
        let transpose = op.transposed
        var estimate = 0.0, change = Double.infinity, steps = 0, converged = false
        var uPrev: [Double]? = nil
        while steps < cap {
            steps += 1
            V.append(v)
            // u = A v − β u_prev, re-orthogonalised.
            for j in 0..<n { xs[j] = S(v[j]) }
            xs.withUnsafeBufferPointer { x in ys.withUnsafeMutableBufferPointer { y in op.applyUnchecked(x.baseAddress!, y.baseAddress!, batch: 1) } }
            var u = ys.map(Double.init)
            if let p = uPrev, let b = beta.last { for i in 0..<m { u[i] -= b * p[i] } }
            orthogonalise(&u, against: U)
            let a = norm(u)
            alpha.append(a)
            if a > 0 { for i in 0..<m { u[i] /= a } }
            U.append(u)
            uPrev = u
            // w = Aᵀ u − α v, re-orthogonalised; β = 0 means the Krylov space is invariant: σ₁(B) is exact.
            for i in 0..<m { ys[i] = S(u[i]) }
            ys.withUnsafeBufferPointer { y in xs.withUnsafeMutableBufferPointer { x in transpose.applyUnchecked(y.baseAddress!, x.baseAddress!, batch: 1) } }
            var w = xs.map(Double.init)
            for j in 0..<n { w[j] -= a * v[j] }
            orthogonalise(&w, against: V)
            let b = norm(w)
            // σ₁ of the k × (k+1) bidiagonal [Bₖ | βₖ eₖ]: exact once the Krylov space fills the smaller side.
            let sigma = try largestSingularValue(alpha: alpha, beta: beta + [b])
            change = sigma > 0 ? abs(sigma - estimate) / sigma : 0
            estimate = sigma
            if a == 0 || b <= 64 * Double(S.ulpOfOne) * Swift.max(sigma, .leastNormalMagnitude) { converged = true; break }
            if steps > 1 && change <= tol { converged = true; break }
            // After min(m, n) steps the basis spans the smaller side: σ₁(Bₖ) is σ₁(A) up to rounding.
            if steps == Swift.min(m, n) { converged = true; break }
            beta.append(b)
            for j in 0..<n { w[j] /= b }
            v = w
        }
        return SpectralNormEstimate(value: estimate, iterations: steps, converged: converged, relativeChange: change,
                                    residual: .nan,   // a Ritz residual bound needs Bₖ's singular vectors; not computed
                                    tolerance: tol, maxIterations: settings.maxIterations, algorithm: .lanczos)
    }

    /// `σ₁` of the `k × (k+1)` upper bidiagonal matrix with `alpha` (k) on the diagonal and `beta` (k) above it.
    package static func largestSingularValue(alpha: [Double], beta: [Double]) throws -> Double {
        let k = alpha.count
        var b = try DenseMatrix<Double>(zeros: k, k + 1, budget: .unlimited)
        for i in 0..<k { b[i, i] = alpha[i]; b[i, i + 1] = beta[i] }
        return try b.spectralNorm(budget: .unlimited)
    }

    /// Two passes of classical Gram–Schmidt ("twice is enough", Kahan–Parlett).
    package static func orthogonalise(_ x: inout [Double], against basis: [[Double]]) {
        for _ in 0..<2 {
            for q in basis {
                var d = 0.0
                for i in x.indices { d += q[i] * x[i] }
                for i in x.indices { x[i] -= d * q[i] }
            }
        }
    }

    package static func norm(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    package static func normalise(_ x: inout [Double]) {
        let r = norm(x)
        if r > 0 { for i in x.indices { x[i] /= r } }
    }
}
