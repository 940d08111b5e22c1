import CPETSc
import ConvAlgebraBackends

/// The smallest singular values with no factorisation, for an operator whose start vectors are exact (a circular
/// conv of one input channel per group, stride 1: the circular spectrum's waves are its right singular vectors).
///
/// ```
/// V, θ  = LOBPCG on the shell AᵀA for its k smallest eigenvalues, from the k + 1 smallest waves,
///         until ‖AᵀA v − θ v‖ ≤ tol·‖A‖² for each v (absolute: the products' floor is ε‖A‖², not ε·θ)
/// W     = A V                                   (k products; σ never formed as √θ)
/// σᵢ    = √λᵢ(L⁻¹ WᵀW L⁻ᵀ),  VᵀV = LLᵀ           (Rayleigh–Ritz with A: the singular values of A V)
/// check   max ‖AᵀA vᵢ − θᵢ vᵢ‖ / ‖A‖² ≤ 10·tol, recomputed here (reported as the residual)
/// ```
/// `√θ` alone has absolute error about `ε‖A‖²/σ`, i.e. ~1e-9 relative at `σ_min ≈ 2e-3` of a 10⁶-row conv with
/// `‖A‖ ≈ 2.5`; `A v` has error `ε‖A‖‖v‖`, so the Ritz values are accurate to about `ε‖A‖/σ + (σ_k/σ)²ε` relative
/// (~1e-13 there), plus `‖r‖²/(gap·σ²)` from the eigenvectors' own error (negligible at `tol = 1e-13`).
/// The transpose of the method: the same on `Aᵀ` (whose domain is the conv's codomain) has no exact start here.
///
/// LOBPCG on the bottom of `AᵀA` without a preconditioner converges at the rate of `(λ_{k+1} − λ_k)/λ_max`: from
/// anything but an exact start (a zero-padded conv's enveloped waves, a multi-channel block's power steps) that is
/// thousands of iterations at 10⁶ rows. So the iteration cap is small (``gramIterationCap``, `-smallest_eps_max_it`),
/// and not converging within it throws ``GramNotConverged`` (which `analyze --smallest-method auto` answers with
/// the factorisation, ``SmallestMethod/inverseLanczos``): unconverged values are never returned.
/// - Complexity: per LOBPCG iteration `b` products of `AᵀA` (`O(nnz(A))` each, `b = k + 2`) and `O(b²·n/p)` per
///   process; then `2k` products and `k²` dot products for the Ritz values and residuals. 0 iterations from exact
///   waves: a few products in all, no factorisation.
extension DistributedSVD {
    /// Why ``smallestByGram(_:_:norm:start:)`` gave no values.
    struct GramNotConverged: Error, CustomStringConvertible { var description: String }

    /// The residual tolerance of the smallest by ``SmallestMethod/gram``, relative to `‖A‖²`.
    static let gramTolerance = 1e-13

    /// The default `-smallest_eps_max_it` of ``SmallestMethod/gram``.
    static let gramIterationCap = 100

    /// The `k` smallest singular values of `a` (`m ≥ n`), ascending, as above. `norm` is an upper bound of `‖A‖₂`.
    /// - Throws: ``GramNotConverged`` when LOBPCG does not converge within the cap, its residuals fail the check, or
    ///   `a` is wide (`AᵀA` then has zero eigenvalues that are no singular values).
    static func smallestByGram(_ a: DistributedMatrix, _ k: Int, norm: Double, start startVectors: () throws -> [[Double]]) throws -> Run {
        let start = PETScRuntime.now
        guard a.rowCount >= a.columnCount else {
            throw GramNotConverged(description: "--smallest-method gram needs m ≥ n (this operator is \(a.rowCount) × \(a.columnCount)): analyse it with --transpose")
        }
        let waves = try startVectors()
        let gram = try GramOperator(gramOf: a)
        let scale = norm * norm
        let outcome: SymmetricEigensolve.Outcome
        do {
            outcome = try SymmetricEigensolve.extreme(gram.mat, k: k, start: waves, prefix: "smallest_", tolerance: gramTolerance * scale,
                                                      smallest: true, absolute: true, maxIterations: gramIterationCap, keepVectors: true, retry: false)
        } catch {
            throw GramNotConverged(description: "the eigensolve on AᵀA did not give the \(k) smallest eigenvalues (\(waves.isEmpty ? "no start vectors" : "\(waves.count) start vectors, exact singular vectors only for a circular conv of one input channel per group and stride 1")): \(error); use --smallest-method inverse-gram or inverse-lanczos (one LU of A), or raise -smallest_eps_max_it")
        }
        let solved = PETScRuntime.now
        let ritz = try ritzValues(a, outcome.vectors?.vecs ?? [], theta: outcome.values)
        let residual = ritz.residual / scale
        guard ritz.values.count == k, residual <= 10 * gramTolerance else {
            throw GramNotConverged(description: "LOBPCG on AᵀA reported convergence, but max ‖AᵀA v − θ v‖ = \(residual)·‖A‖² > \(10 * gramTolerance)·‖A‖²: use --smallest-method inverse-gram")
        }
        var run = Run(values: ritz.values, iterations: outcome.iterations, setupSeconds: outcome.setupSeconds,
                      solveSeconds: outcome.solveSeconds)
        run.ritzSeconds = PETScRuntime.maximum(PETScRuntime.now - solved)
        run.residual = residual
        run.method = "gram-\(outcome.type)-\(outcome.startCount > 0 ? "circular" : "random")-start-ritz"
        run.seconds = PETScRuntime.maximum(PETScRuntime.now - start)
        return run
    }

    /// The singular values of `A V` for the block `V = [v₁ … v_k]` (`√λ` of `WᵀW` against `VᵀV`, `W = A V`),
    /// ascending, and `max ‖Aᵀ(A vᵢ) − θᵢ vᵢ‖/‖vᵢ‖`.
    static func ritzValues(_ a: DistributedMatrix, _ v: [Vec?], theta: [Double]) throws -> (values: [Double], residual: Double) {
        let k = v.count
        var w: [Vec?] = [], y: Vec? = nil
        defer { for i in w.indices { _ = VecDestroy(&w[i]) }; if y != nil { _ = VecDestroy(&y) } }
        try PETScRuntime.check(MatCreateVecs(a.mat, &y, nil), "MatCreateVecs")
        var residual = 0.0
        for i in 0..<k {
            var wi: Vec? = nil
            try PETScRuntime.check(MatCreateVecs(a.mat, nil, &wi), "MatCreateVecs")
            w.append(wi)
            try PETScRuntime.check(MatMult(a.mat, v[i], wi), "MatMult")
            try PETScRuntime.check(MatMultTranspose(a.mat, wi, y), "MatMultTranspose")
            try PETScRuntime.check(VecAXPY(y, -theta[i], v[i]), "VecAXPY")
            var r: PetscReal = 0, norm: PetscReal = 0
            try PETScRuntime.check(VecNorm(y, NORM_2, &r), "VecNorm")
            try PETScRuntime.check(VecNorm(v[i], NORM_2, &norm), "VecNorm")
            residual = max(residual, norm > 0 ? r / norm : .infinity)
        }
        var g = [[Double]](repeating: [Double](repeating: 0, count: k), count: k), m = g
        for i in 0..<k {
            for j in 0...i {
                var d: PetscScalar = 0
                try PETScRuntime.check(VecDot(w[i], w[j], &d), "VecDot")
                g[i][j] = d; g[j][i] = d
                try PETScRuntime.check(VecDot(v[i], v[j], &d), "VecDot")
                m[i][j] = d; m[j][i] = d
            }
        }
        guard let reduced = reduce(g, by: m) else {
            throw GramNotConverged(description: "the converged eigenvectors are linearly dependent (VᵀV is not positive definite)")
        }
        // The k × k eigenproblem by the project's LAPACK wrapper (`dsyevd`): its eigenvalues are all of the order of
        // the k smallest σ², so the absolute error ε‖C‖ is relative to each.
        let values = try SymmetricEigen.decompose(reduced.flatMap { $0 }, n: k).values
        return (values.map { max($0, 0).squareRoot() }.sorted(), residual)
    }

    /// `L⁻¹ G L⁻ᵀ` with `M = LLᵀ` (Cholesky); nil when `M` is not positive definite.
    static func reduce(_ g: [[Double]], by m: [[Double]]) -> [[Double]]? {
        let k = m.count
        var l = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for j in 0..<k {
            var d = m[j][j]
            for p in 0..<j { d -= l[j][p] * l[j][p] }
            guard d > 0 else { return nil }
            l[j][j] = d.squareRoot()
            for i in (j + 1)..<max(k, j + 1) {
                var s = m[i][j]
                for p in 0..<j { s -= l[i][p] * l[j][p] }
                l[i][j] = s / l[j][j]
            }
        }
        // X = L⁻¹ G (forward substitution per column), then C = L⁻¹ Xᵀ (G and so X·L⁻ᵀ symmetric).
        func forward(_ b: [[Double]]) -> [[Double]] {
            var x = b
            for c in 0..<k {
                for i in 0..<k {
                    var s = b[i][c]
                    for p in 0..<i { s -= l[i][p] * x[p][c] }
                    x[i][c] = s / l[i][i]
                }
            }
            return x
        }
        let x = forward(g)
        let xt = (0..<k).map { i in (0..<k).map { j in x[j][i] } }
        var c = forward(xt)
        for i in 0..<k { for j in 0..<i { let s = (c[i][j] + c[j][i]) / 2; c[i][j] = s; c[j][i] = s } }
        return c
    }
}
