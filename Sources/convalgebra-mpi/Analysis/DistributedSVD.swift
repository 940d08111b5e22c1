import CPETSc
import ConvAlgebra

/// Singular values of a ``DistributedMatrix`` by SLEPc, with the solver settings that converge on convolution
/// matrices. Such a matrix is near-Toeplitz, so its extreme singular values cluster (gaps ~1e-7 at n = 10⁴): SLEPc's
/// default solver needs tens of thousands of iterations for the largest and does not converge for the smallest.
///
/// ``LargestMethod/gram`` and ``SmallestMethod/inverseGram`` (`auto` takes the first for a circular conv of one
/// input channel per group and stride 1; from a multi-channel circular conv's waves both converged at once to wrong
/// eigenpairs, so `auto` takes the factorisations there) run a block eigensolver (``SymmetricEigensolve``: LOBPCG) on `AᵀA` for the largest (no
/// factorisation: two sparse products per vector)
/// and on `(AᵀA)⁻¹` for the smallest of a square operator (one MUMPS LU of `A`, then two pairs of triangular solves
/// per vector), both started from the circular spectrum's waves when the operator is a convolution
/// (``CircularConvolutionSpectrum/startVectors(geometry:taps:frequencies:smallest:positions:budget:)``): exact
/// singular vectors of a circular conv, so it converges at once, with both copies of a doubled value; the
/// Dirichlet-enveloped waves of a zero-padded one are only close, and it then iterates through the clusters (193
/// Krylov–Schur iterations at 9·10⁴ rows, more at 10⁶, where the factorisations are cheaper). Without a start (other
/// operators) Krylov–Schur starts from a random vector.
///
/// ``SmallestMethod/gram`` (what `auto` takes for the smallest of a circular conv with one input channel per group
/// and stride 1, whose smallest waves are exact) needs no factorisation either: LOBPCG on `AᵀA` for its smallest
/// eigenvalues, then `σ` as the singular values of `A V` (``smallestByGram(_:_:norm:start:)``: relative accuracy
/// about `ε‖A‖/σ`, where `√θ` is only bounded by `ε‖A‖²/σ`), with a small iteration cap, since without a
/// preconditioner the bottom of `AᵀA` converges only from exact starts.
///
/// The other methods (what `auto` takes otherwise; also forced by `-svd_type cross|cyclic`) go through an exact MUMPS
/// factorisation (shift-and-invert), which converges in a few iterations whatever the start:
///
/// - **Largest:** the cross matrix `AᵀA` (explicit, `MatTransposeMatMult`) shifted to `τ²`, `τ` just above a
///   rigorous upper bound of `‖A‖₂` that costs no iteration (a convolution's symbol, ``ConvolutionNormBound``, or
///   `√(‖A‖₁‖A‖_∞)` from the row and column sums, whichever is smaller). `AᵀA − τ²I` is negative definite: a
///   symmetric factorisation with no pivoting trouble, of n rows (the cyclic matrix `[0 A; Aᵀ 0]` has m + n), and
///   the top of the spectrum maps to the well separated `1/(σ² − τ²)`. The largest lose no digits this way
///   (only the smallest would). `-svd_type cyclic` uses the cyclic matrix shifted to `τ` instead.
/// - **Smallest** of a square `A`: the largest singular values `θ` of `A⁻¹` by thick-restart Lanczos, each product a
///   pair of triangular solves with one MUMPS LU of `A` (``InverseOperator``), `σ = 1/θ`; relative accuracy about
///   `ε·κ(A)`. A rectangular one (or `-svd_type cross|cyclic`): shift-and-invert at 0 (``smallest(_:_:tall:)``).
///
/// Every setting is a PETSc option default (``PETScOptions``), so the usual `-svd_…` options override it.
/// The Krylov subspace defaults to `-svd_ncv` 4k + 12 (SLEPc's default restarts for hundreds of iterations on the
/// cyclic matrix, which holds each σ twice).
///
/// Convergence is judged relative to `‖A‖` (`-svd_conv_norm`), not to each `σ`: a residual at machine precision
/// is `ε‖A‖`, which relative to a tiny `σ_min` would never pass a tight tolerance.
///
/// SLEPc reports a hit iteration cap as fewer converged values, not as an error, so every solve checks the count.
/// - Complexity: ``LargestMethod/gram`` and ``SmallestMethod/gram``: `b` products of `AᵀA` per LOBPCG iteration
///   (`O(nnz(A))` each; 0 iterations from a circular conv's waves; the smallest then `2k` more products for the Ritz
///   values and residuals). Otherwise dominated by the MUMPS factorisations, of `AᵀA` (n rows) and of `A`
///   (sparse LU and Cholesky: for a 2-D stencil about O(n^1.5) time and O(n log n) memory), then a few dozen solves
///   with the factors (16 for `k = 3` from a circular conv's waves).
enum DistributedSVD {
    /// How the largest values are found.
    enum LargestMethod: String, CaseIterable {
        /// LOBPCG on the shell `AᵀA` from the start vectors (``SymmetricEigensolve``); no factorisation.
        case gram
        /// Shift-and-invert on `AᵀA − τ²I` with its MUMPS Cholesky.
        case sinvert
    }

    /// How the smallest values of a square operator are found (a rectangular one always takes `AᵀA` shifted to 0).
    enum SmallestMethod: String, CaseIterable {
        /// LOBPCG on the shell `AᵀA` for its smallest eigenvalues from the start vectors, then the Ritz values of `A`
        /// (``smallestByGram(_:_:norm:start:)``); no factorisation, but only from exact start vectors.
        case gram
        /// LOBPCG on the shell `(AᵀA)⁻¹` (one MUMPS LU of `A`) from the start vectors.
        case inverseGram = "inverse-gram"
        /// Thick-restart Lanczos (SVD) on the shell `A⁻¹` (one MUMPS LU of `A`) from a random vector.
        case inverseLanczos = "inverse-lanczos"
    }

    /// One solve's outcome: the values (largest first, or ascending for the smallest), the iterations taken, and
    /// where the time went (the slowest process's seconds).
    struct Run {
        var values: [Double]
        var iterations: Int
        /// The whole solve, bound included.
        var seconds = 0.0
        /// `SVDSetUp`: the cross (or cyclic) matrix, the shift and its MUMPS factorisation; for the smallest of a square
        /// operator the LU of `A` (``InverseOperator``).
        var setupSeconds = 0.0
        /// `SVDSolve`: the Krylov iterations, a pair of triangular solves per product.
        var solveSeconds = 0.0
        /// The largest only: the upper bound of `‖A‖₂`, how it was found, its seconds, and the shift `τ`.
        var bound: Double? = nil
        var boundKind: String? = nil
        var boundSeconds = 0.0
        var target: Double? = nil
        /// ``SmallestMethod/gram``: the Rayleigh–Ritz with `A` after the solve, and the largest residual
        /// `‖AᵀA v − θ v‖ / ‖A‖²` of the eigenvectors, recomputed.
        var ritzSeconds = 0.0
        var residual: Double? = nil
        /// How the values were found, e.g. `cross-sinvert-mumps-cholesky`, `inverse-trlanczos-mumps-lu`.
        var method = ""
        /// Why another method than the one asked for ran (``SmallestMethod/gram`` under `auto` not converging).
        var note: String? = nil
    }

    /// A rigorous upper bound of `‖A‖₂` that costs no iteration: `symbolBound` (a convolution's symbol,
    /// ``ConvolutionNormBound``) or `√(‖A‖₁‖A‖_∞)`, whichever is smaller; how it was found; its seconds.
    static func normBound(_ a: DistributedMatrix, symbolBound: () throws -> Double?) throws -> (bound: Double, kind: String, seconds: Double) {
        let start = PETScRuntime.now
        let sums = try a.rowColumnBound()
        let bound = Swift.min(try symbolBound() ?? .infinity, sums)
        return (bound, bound < sums ? "symbol" : "row and column sums", PETScRuntime.maximum(PETScRuntime.now - start))
    }

    /// The solver type: the user's `-svd_type` when it is `cross` or `cyclic`, else `fallback`.
    static func solverType(default fallback: String?) -> String? {
        guard PETScOptions.given("-svd_type"), let t = PETScOptions.value("-svd_type"), t == "cross" || t == "cyclic" else { return fallback }
        return t
    }

    /// The `k` largest singular values, largest first. `symbolBound` gives an upper bound of `‖A‖₂` known from the
    /// operator (``ConvolutionNormBound``), if any.
    /// `start` gives this process's part of the warm-start vectors (``LargestMethod/gram``; may be empty).
    /// - Throws: as ``solve(_:k:largest:defaults:)``, and when a value comes out above the rigorous bound.
    static func largest(_ a: DistributedMatrix, _ k: Int, method: LargestMethod = .gram, symbolBound: () throws -> Double?,
                        start startVectors: () throws -> [[Double]] = { [] }) throws -> Run {
        let start = PETScRuntime.now
        let (bound, kind, boundSeconds) = try normBound(a, symbolBound: symbolBound)
        guard bound > 0 else {
            return Run(values: [Double](repeating: 0, count: k), iterations: 0, bound: 0, boundKind: kind, boundSeconds: boundSeconds)
        }
        let target = bound * (1 + 1e-8)
        var run: Run
        if method == .gram, solverType(default: nil) == nil {
            let waves = try startVectors()
            let gram = try GramOperator(gramOf: a)
            let outcome = try SymmetricEigensolve.largest(gram.mat, k: k, start: waves, prefix: "largest_", tolerance: 1e-13)
            run = Run(values: outcome.values.map { $0.squareRoot() }, iterations: outcome.iterations,
                      setupSeconds: outcome.setupSeconds, solveSeconds: outcome.solveSeconds)
            run.method = "gram-\(outcome.type)-\(outcome.startCount > 0 ? "circular" : "random")-start"
        } else {
            let type = solverType(default: "cross") ?? "cross"
            run = try solve(a.mat, k: k, largest: true, defaults: shiftInvert(target: target, type: type, factorisation: "cholesky")
                            + [("-svd_" + type + "_st_mat_mumps_icntl_14", "100"), ("-svd_ncv", String(4 * k + 12))])
            run.method = type + "-sinvert-mumps-cholesky"
        }
        run.values.sort(by: >)
        guard run.values.allSatisfy({ $0 <= bound * (1 + 1e-10) }) else {
            throw PETScError(description: "SLEPc returned σ = \(run.values[0]) above the rigorous bound \(bound) of ‖A‖₂ (\(kind)): the solve failed")
        }
        run.bound = bound; run.boundKind = kind; run.boundSeconds = boundSeconds; run.target = target
        run.seconds = PETScRuntime.maximum(PETScRuntime.now - start)
        return run
    }

    /// The `k` smallest singular values (of the min(m, n) values), ascending.
    ///
    /// A square `A` (unless `-svd_type` names `cross` or `cyclic`): the `k` largest singular values `θ` of `A⁻¹`
    /// (``InverseOperator``: one MUMPS LU of `A`) by thick-restart Lanczos, `σ = 1/θ`. The `θ` are well separated
    /// where the `σ` cluster, so it converges in one or two restarts; relative accuracy about `ε·κ(A)`.
    ///
    /// A rectangular one has `|m − n|` zero eigenvalues in its cyclic matrix, which is then singular at 0, and no
    /// inverse; so `tall` (the orientation with m ≥ n: `A` or its literal transpose, which has the same singular
    /// values) goes through the cross product `AᵀA` (n × n, its eigenvalues σ²) with shift-and-invert at 0. The cross
    /// product squares the condition number, so a value below about `√ε · σ_max` loses digits there.
    ///
    /// ``SmallestMethod/gram`` (any `m ≥ n`): LOBPCG on `AᵀA` and the Ritz values of `A`
    /// (``smallestByGram(_:_:norm:start:)``), `norm` an upper bound of `‖A‖₂` (computed when nil); when it does not
    /// converge within its small cap it throws, or with a `fallback` runs that method instead (and says so in
    /// ``Run/note``).
    static func smallest(_ a: DistributedMatrix, _ k: Int, method: SmallestMethod = .inverseGram, fallback: SmallestMethod? = nil,
                         norm: () throws -> Double = { .nan },
                         start startVectors: () throws -> [[Double]] = { [] }, tall: () throws -> DistributedMatrix) throws -> Run {
        if method == .gram, solverType(default: nil) == nil {
            do {
                var bound = try norm()
                if !bound.isFinite { bound = try normBound(a, symbolBound: { nil }).bound }
                return try smallestByGram(a, k, norm: bound, start: startVectors)
            } catch let e as GramNotConverged {
                guard let fallback, fallback != .gram else { throw PETScError(description: e.description) }
                var run = try smallest(a, k, method: fallback, start: startVectors, tall: tall)
                run.note = "gram did not converge, so \(fallback.rawValue): \(e.description)"
                return run
            }
        }
        let start = PETScRuntime.now
        let square = a.rowCount == a.columnCount
        let ncv = ("-svd_ncv", Optional(String(4 * k + 12)))
        if square, solverType(default: nil) == nil, method == .inverseGram {
            let waves = try startVectors()
            let inverse = try InverseOperator(a)
            let gram = try GramOperator(inverseGramOf: inverse, of: a)
            // LOBPCG tests the explicit residual, whose floor here is the solves' error (about ε·κ(A) times the LU's
            // growth: at 10⁶ rows the exact waves stayed above 1e-13 and it iterated); 1e-11 bounds σ to 5·10⁻¹².
            let outcome = try SymmetricEigensolve.largest(gram.mat, k: k, start: waves, prefix: "smallest_", tolerance: 1e-11)
            var run = Run(values: outcome.values.map { $0 > 0 ? 1 / $0.squareRoot() : .infinity }.sorted(), iterations: outcome.iterations,
                          setupSeconds: inverse.seconds + outcome.setupSeconds, solveSeconds: outcome.solveSeconds)
            run.method = "inverse-gram-\(outcome.type)-mumps-lu-\(outcome.startCount > 0 ? "circular" : "random")-start"
            run.seconds = PETScRuntime.maximum(PETScRuntime.now - start)
            return run
        }
        if square, solverType(default: nil) == nil {
            let inverse = try InverseOperator(a)
            var run = try solve(inverse.mat, k: k, largest: true, defaults: [
                // A shell has no explicit transpose (SLEPc applies it by MatMultTranspose: the transposed solves)
                // and no MatNorm, so convergence is relative to each θ (SLEPc's default), the largest of A⁻¹.
                ("-svd_type", "trlanczos"), ("-svd_implicittranspose", nil), ("-svd_tol", "1e-13"), ("-svd_max_it", "1000"), ncv,
            ])
            run.values = run.values.map { $0 > 0 ? 1 / $0 : .infinity }.sorted()
            run.setupSeconds += inverse.seconds
            run.method = "inverse-trlanczos-mumps-lu"
            run.seconds = PETScRuntime.maximum(PETScRuntime.now - start)
            return run
        }
        let matrix = square ? a : try tall()
        let mumps: [(String, String?)] = [("_mat_mumps_icntl_14", "400"), ("_mat_mumps_cntl_1", "0.5")]
        let type = square ? solverType(default: "cyclic") ?? "cyclic" : "cross"
        var run = try solve(matrix.mat, k: k, largest: false, defaults: shiftInvert(target: 0, type: type)
            + mumps.map { ("-svd_" + type + "_st" + $0.0, $0.1) } + [ncv])
        run.values.sort()
        run.method = type + "-sinvert-mumps-lu"
        run.seconds = PETScRuntime.maximum(PETScRuntime.now - start)
        return run
    }

    /// All min(m, n) singular values by ScaLAPACK (SLEPc's `scalapack` type: the matrix is copied to a dense block
    /// cyclic layout), ascending.
    /// - Throws: a budget error when the dense copy (m · n / p values per process) does not fit.
    static func all(_ a: DistributedMatrix) throws -> Run {
        let p = PETScRuntime.size
        try MemoryBudget.default.check("a dense \(a.rowCount) × \(a.columnCount) copy for ScaLAPACK over \(p) processes",
                                       count: try Checked.multiply(a.rowCount, a.columnCount, "the dense copy") / p,
                                       elementBytes: 2 * MemoryLayout<Double>.stride)
        let start = PETScRuntime.now
        let k = min(a.rowCount, a.columnCount)
        var run = try solve(a.mat, k: k, largest: true, defaults: [("-svd_type", "scalapack")])
        run.values.sort()
        run.method = "scalapack"
        run.seconds = PETScRuntime.maximum(PETScRuntime.now - start)
        return run
    }

    /// The shift-and-invert, MUMPS settings for target `τ` of the `cyclic` (or `cross`: its eigenvalues are σ², so
    /// the target is `τ²`) solver, with an LU (or, for a definite shifted matrix, Cholesky) factorisation.
    static func shiftInvert(target: Double, type: String = "cyclic", factorisation: String = "lu") -> [(String, String?)] {
        let p = "-svd_" + type
        return [
            ("-svd_type", type), (p + "_explicitmatrix", "1"), (p + "_st_type", "sinvert"),
            (p + "_eps_target", "\(type == "cross" ? target * target : target)"), (p + "_st_ksp_type", "preonly"),
            (p + "_st_pc_type", factorisation), (p + "_st_pc_factor_mat_solver_type", "mumps"),
            ("-svd_tol", "1e-13"), ("-svd_conv_norm", nil), ("-svd_max_it", "1000"),
        ]
    }

    /// One SLEPc solve for `k` values with `defaults` in the options database.
    /// - Throws: when fewer than `k` values converged (naming the count and the iterations), and SLEPc's errors.
    private static func solve(_ a: Mat?, k: Int, largest: Bool, defaults: [(String, String?)]) throws -> Run {
        try PETScOptions.with(defaults + [("-svd_nsv", String(k))]) {
            var svd: SVD? = nil
            var setUp = 0.0
            try PETScRuntime.check(SVDCreate(PETScRuntime.comm, &svd), "SVDCreate")
            defer { _ = SVDDestroy(&svd) }
            try PETScRuntime.check(SVDSetOperators(svd, a, nil), "SVDSetOperators")
            try PETScRuntime.check(SVDSetWhichSingularTriplets(svd, largest ? SVD_LARGEST : SVD_SMALLEST), "SVDSetWhichSingularTriplets")
            try PETScRuntime.check(SVDSetFromOptions(svd), "SVDSetFromOptions")
            let start = PETScRuntime.now
            do {
                try PETScRuntime.check(SVDSetUp(svd), "SVDSetUp")
                setUp = PETScRuntime.now
                try PETScRuntime.check(SVDSolve(svd), "SVDSolve")
            } catch let e as PETScError {
                throw PETScError(description: e.description + " (when MUMPS fails, the shifted matrix is singular: a singular value equal to the target, e.g. σ_min = 0; override -svd_cyclic_eps_target or -svd_type)")
            }
            let end = PETScRuntime.now
            var converged: PetscInt = 0, iterations: PetscInt = 0
            try PETScRuntime.check(SVDGetConverged(svd, &converged), "SVDGetConverged")
            try PETScRuntime.check(SVDGetIterationNumber(svd, &iterations), "SVDGetIterationNumber")
            guard Int(converged) >= k else {
                throw PETScError(description:
                    "SLEPc converged \(converged) of the \(k) \(largest ? "largest" : "smallest") singular values in \(iterations) iterations (raise -svd_max_it, or change -svd_ncv / the target)")
            }
            var values: [Double] = []
            for i in 0..<Int(converged) {
                var sigma: PetscReal = 0
                try PETScRuntime.check(SVDGetSingularTriplet(svd, PetscInt(i), &sigma, nil, nil), "SVDGetSingularTriplet")
                values.append(sigma)
            }
            values.sort(by: largest ? { $0 > $1 } : { $0 < $1 })
            return Run(values: Array(values.prefix(k)), iterations: Int(iterations),
                       setupSeconds: PETScRuntime.maximum(setUp - start), solveSeconds: PETScRuntime.maximum(end - setUp))
        }
    }
}
