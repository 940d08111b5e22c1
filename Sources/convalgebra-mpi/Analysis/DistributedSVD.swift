import CPETSc
import ConvAlgebra

/// Singular values of a ``DistributedMatrix`` by SLEPc, with the solver settings that converge on convolution
/// matrices. Such a matrix is near-Toeplitz, so its extreme singular values cluster (gaps ~1e-7 at n = 10⁴): SLEPc's
/// default solver needs tens of thousands of iterations for the largest and does not converge for the smallest.
/// Shift-and-invert on the cyclic matrix `H = [0 A; Aᵀ 0]` (eigenvalues ±σᵢ) with an exact LU factorisation of
/// `H − τI` by MUMPS converges in a few iterations at machine precision: for the largest `τ` just above `‖A‖₂`
/// (estimated first by a thick-restart Lanczos run to 1e-8), for the smallest `τ = 0`. Every setting is a PETSc
/// option default (``PETScOptions``), so the usual `-svd_…` options override it.
///
/// The cyclic matrix holds each σ twice (±σ), so the eigensolver looks for 2k values and its subspace needs
/// about twice that again: `-svd_ncv` defaults to 4k + 12 (SLEPc's default is too small here and restarts for
/// hundreds of iterations).
///
/// Convergence is judged relative to `‖A‖` (`-svd_conv_norm`), not to each `σ`: a residual at machine precision
/// is `ε‖A‖`, which relative to a tiny `σ_min` would never pass a tight tolerance.
///
/// SLEPc reports a hit iteration cap as fewer converged values, not as an error, so every solve checks the count.
/// - Complexity: dominated by the MUMPS factorisation of the (m + n)-square cyclic matrix (sparse LU: for a 2-D
///   stencil about O(N^1.5) time and O(N log N) memory); a few solves with the factors per iteration.
enum DistributedSVD {
    /// One solve's outcome: the values (largest first, or ascending for the smallest), the iterations taken.
    struct Run {
        var values: [Double]
        var iterations: Int
        var seconds: Double
    }

    /// The `k` largest singular values, largest first.
    static func largest(_ a: DistributedMatrix, _ k: Int) throws -> Run {
        let start = PETScRuntime.now
        let estimate = try solve(a, k: 1, largest: true, defaults: [
            ("-svd_type", "trlanczos"), ("-svd_tol", "1e-8"), ("-svd_max_it", "100000"),
        ]).values.first ?? 0
        guard estimate > 0 else { return Run(values: [Double](repeating: 0, count: k), iterations: 0, seconds: 0) }
        let target = estimate * (1 + 1e-6)
        var run = try solve(a, k: k, largest: true, defaults: shiftInvert(target: target) + [("-svd_ncv", String(4 * k + 12))])
        run.values.sort(by: >)
        run.seconds = PETScRuntime.maximum(PETScRuntime.now - start)
        return run
    }

    /// The `k` smallest singular values (of the min(m, n) values), ascending.
    ///
    /// A square `A`: cyclic, shift-and-invert at 0. A rectangular one has `|m − n|` zero eigenvalues in its cyclic
    /// matrix, which is then singular at 0; so `tall` (the orientation with m ≥ n: `A` or its literal transpose,
    /// which has the same singular values) goes through the cross product `AᵀA` (n × n, its eigenvalues σ²) with
    /// shift-and-invert at 0. The cross product squares the condition number, so a value below about
    /// `√ε · σ_max` loses digits there.
    static func smallest(_ a: DistributedMatrix, _ k: Int, tall: () throws -> DistributedMatrix) throws -> Run {
        let start = PETScRuntime.now
        let square = a.rowCount == a.columnCount
        let matrix = square ? a : try tall()
        let mumps: [(String, String?)] = [("_mat_mumps_icntl_14", "400"), ("_mat_mumps_cntl_1", "0.5")]
        let prefix = square ? "-svd_cyclic_st" : "-svd_cross_st"
        var run = try solve(matrix, k: k, largest: false, defaults: shiftInvert(target: 0, type: square ? "cyclic" : "cross")
            + mumps.map { (prefix + $0.0, $0.1) } + [("-svd_ncv", String(4 * k + 12))])
        run.values.sort()
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
        var run = try solve(a, k: k, largest: true, defaults: [("-svd_type", "scalapack")])
        run.values.sort()
        run.seconds = PETScRuntime.maximum(PETScRuntime.now - start)
        return run
    }

    /// The shift-and-invert, MUMPS settings for target `τ` of the `cyclic` (or `cross`) solver.
    static func shiftInvert(target: Double, type: String = "cyclic") -> [(String, String?)] {
        let p = "-svd_" + type
        return [
            ("-svd_type", type), (p + "_explicitmatrix", "1"), (p + "_st_type", "sinvert"),
            (p + "_eps_target", "\(target)"), (p + "_st_ksp_type", "preonly"),
            (p + "_st_pc_type", "lu"), (p + "_st_pc_factor_mat_solver_type", "mumps"),
            ("-svd_tol", "1e-13"), ("-svd_conv_norm", nil), ("-svd_max_it", "1000"),
        ]
    }

    /// One SLEPc solve for `k` values with `defaults` in the options database.
    /// - Throws: when fewer than `k` values converged (naming the count and the iterations), and SLEPc's errors.
    private static func solve(_ a: DistributedMatrix, k: Int, largest: Bool, defaults: [(String, String?)]) throws -> Run {
        try PETScOptions.with(defaults + [("-svd_nsv", String(k))]) {
            var svd: SVD? = nil
            try PETScRuntime.check(SVDCreate(PETScRuntime.comm, &svd), "SVDCreate")
            defer { _ = SVDDestroy(&svd) }
            try PETScRuntime.check(SVDSetOperators(svd, a.mat, nil), "SVDSetOperators")
            try PETScRuntime.check(SVDSetWhichSingularTriplets(svd, largest ? SVD_LARGEST : SVD_SMALLEST), "SVDSetWhichSingularTriplets")
            try PETScRuntime.check(SVDSetFromOptions(svd), "SVDSetFromOptions")
            do { try PETScRuntime.check(SVDSolve(svd), "SVDSolve") } catch let e as PETScError {
                throw PETScError(description: e.description + " (when MUMPS fails, the shifted matrix is singular: a singular value equal to the target, e.g. σ_min = 0; override -svd_cyclic_eps_target or -svd_type)")
            }
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
            return Run(values: Array(values.prefix(k)), iterations: Int(iterations), seconds: 0)
        }
    }
}
