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
        var run = try solve(a, k: k, largest: true, defaults: shiftInvert(target: target) + [("-svd_ncv", String(max(2 * k, k + 8)))])
        run.values.sort(by: >)
        run.seconds = PETScRuntime.maximum(PETScRuntime.now - start)
        return run
    }

    /// The `k` smallest singular values (of the min(m, n) values), ascending.
    static func smallest(_ a: DistributedMatrix, _ k: Int) throws -> Run {
        let start = PETScRuntime.now
        var run = try solve(a, k: k, largest: false, defaults: shiftInvert(target: 0) + [
            ("-svd_cyclic_st_mat_mumps_icntl_14", "400"), ("-svd_cyclic_st_mat_mumps_cntl_1", "0.5"),
            ("-svd_ncv", String(max(2 * k, k + 8))),
        ])
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

    /// The cyclic, shift-and-invert, MUMPS settings for target `τ`.
    static func shiftInvert(target: Double) -> [(String, String?)] {
        [
            ("-svd_type", "cyclic"), ("-svd_cyclic_explicitmatrix", "1"), ("-svd_cyclic_st_type", "sinvert"),
            ("-svd_cyclic_eps_target", "\(target)"), ("-svd_cyclic_st_ksp_type", "preonly"),
            ("-svd_cyclic_st_pc_type", "lu"), ("-svd_cyclic_st_pc_factor_mat_solver_type", "mumps"),
            ("-svd_tol", "1e-13"), ("-svd_max_it", "1000"),
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
            try PETScRuntime.check(SVDSolve(svd), "SVDSolve")
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
