import CPETSc

/// The `k` largest (or smallest) eigenvalues of a symmetric operator (a ``GramOperator``: `AᵀA` or `(AᵀA)⁻¹`) by one
/// of SLEPc's eigensolvers, started from a block of given vectors (each process passes its part of every vector):
///
/// ```
/// V₀ = orth(start)                           (the circular spectrum's waves: exact eigenvectors of a circular conv)
/// LOBPCG on H, block b ≥ |V₀|:  Rayleigh–Ritz on [X, R, P] each step;  stop when ‖H x − λ x‖ ≤ tol·|λ| for k pairs
/// ```
/// (or `‖H x − λ x‖ ≤ tol` with `absolute`: the test for the smallest of `AᵀA`, whose residual floor is `ε‖A‖²`,
/// not `ε·λ`). `keepVectors` returns the converged eigenvectors too (``Outcome/vectors``).
/// A block method keeps every start vector (SLEPc's Krylov–Schur and Lanczos keep only the first), so a doubled
/// eigenvalue whose two eigenvectors are in the start is found twice; a single-vector Krylov space holds one vector
/// of each eigenspace and finds the second copy only through rounding (it missed σ₁'s at 9·10⁴ rows).
///
/// The solver reads options under `prefix` (`-largest_eps_type krylovschur`, `-smallest_eps_tol …`); the defaults
/// are `lobpcg` with a block of `max(k + 2, |start|)`, the given tolerance, `max_it 10000`, no
/// preconditioner. Without start vectors the default is Krylov–Schur from a random vector instead: LOBPCG's
/// Rayleigh–Ritz from a random block failed in LAPACK on `(AᵀA)⁻¹` of a 60-sample `convolve` (eigenvalues spread
/// over 10⁴), and a random block has no doubled eigenspace to keep.
/// The residual test bounds each value's error (for a symmetric operator `|λ − λᵢ| ≤ ‖H x − λ x‖`), but no
/// Krylov method certifies that no larger eigenvalue was missed: the start decides which eigenspaces it sees
/// first, and a random start (used when `start` is empty) sees all of them.
/// - Throws: when fewer than `k` eigenpairs converged (SLEPc reports that as a count, not an error), and SLEPc's errors.
/// - Complexity: per iteration `b` products with the operator and `O(b²·n/p)` per process for the Rayleigh–Ritz.
enum SymmetricEigensolve {
    /// Vectors owned by the caller (destroyed with this).
    final class Vectors {
        var vecs: [Vec?]
        init(_ vecs: [Vec?]) { self.vecs = vecs }
        deinit { for i in vecs.indices { _ = VecDestroy(&vecs[i]) } }
    }

    struct Outcome {
        /// Largest first (smallest first for ``extreme(_:k:start:prefix:tolerance:smallest:absolute:maxIterations:keepVectors:)``
        /// with `smallest`).
        var values: [Double]
        var iterations: Int
        /// SLEPc's name of the solver that ran (`lobpcg`, `krylovschur`, …).
        var type: String
        var setupSeconds: Double
        var solveSeconds: Double
        /// How many start vectors were non-zero and given to SLEPc.
        var startCount: Int
        /// With `keepVectors`: the eigenvectors of `values`, in their order (orthonormal, as SLEPc returns them).
        var vectors: Vectors? = nil
    }

    /// `tolerance`: the residual test's, relative to each eigenvalue (the reachable floor is the products' own
    /// error: about `ε` for `AᵀA`, about `ε·κ(A)` times the LU's growth for `(AᵀA)⁻¹`).
    static func largest(_ h: Mat?, k: Int, start: [[Double]], prefix: String, tolerance: Double) throws -> Outcome {
        try extreme(h, k: k, start: start, prefix: prefix, tolerance: tolerance)
    }

    /// The `k` largest eigenvalues, or with `smallest` the `k` smallest (ascending); `absolute` makes `tolerance` a
    /// bound of the residual's norm itself; `maxIterations` is the default of `-{prefix}eps_max_it`; `retry` runs
    /// Krylov–Schur when LOBPCG fails (not for a capped solve, where it would only spend the cap again).
    static func extreme(_ h: Mat?, k: Int, start: [[Double]], prefix: String, tolerance: Double, smallest: Bool = false,
                        absolute: Bool = false, maxIterations: Int = 10000, keepVectors: Bool = false,
                        retry: Bool = true) throws -> Outcome {
        var vectors: [Vec?] = []
        defer { for i in vectors.indices { _ = VecDestroy(&vectors[i]) } }
        for values in start {
            var v: Vec? = nil
            try PETScRuntime.check(MatCreateVecs(h, &v, nil), "MatCreateVecs")
            vectors.append(v)
            var local: PetscInt = 0
            try PETScRuntime.check(VecGetLocalSize(v, &local), "VecGetLocalSize")
            guard Int(local) == values.count else {
                throw PETScError(description: "a start vector has \(values.count) local entries, the operator \(local)")
            }
            var array: UnsafeMutablePointer<PetscScalar>? = nil
            try PETScRuntime.check(VecGetArray(v, &array), "VecGetArray")
            for i in values.indices { array![i] = values[i] }
            try PETScRuntime.check(VecRestoreArray(v, &array), "VecRestoreArray")
            var norm: PetscReal = 0
            try PETScRuntime.check(VecNorm(v, NORM_2, &norm), "VecNorm")
            if norm == 0 { _ = VecDestroy(&vectors[vectors.count - 1]); vectors.removeLast() }   // e.g. sin of frequency 0
        }
        let block = max(k + 2, vectors.count)
        // No preconditioner: a shell has no diagonal (block Jacobi, PETSc's default on several processes, fails).
        let defaults: [(String, String?)] = [
            ("-" + prefix + "eps_type", vectors.isEmpty ? "krylovschur" : "lobpcg"), ("-" + prefix + "eps_tol", "\(tolerance)"),
            ("-" + prefix + "eps_max_it", String(maxIterations)), ("-" + prefix + "eps_lobpcg_blocksize", String(block)),
            ("-" + prefix + "st_ksp_type", "preonly"), ("-" + prefix + "st_pc_type", "none"),
        ] + (absolute ? [("-" + prefix + "eps_conv_abs", nil)] : [])
        return try PETScOptions.with(defaults) {
            do {
                return try solve(h, k: k, vectors: &vectors, prefix: prefix, smallest: smallest, keepVectors: keepVectors)
            } catch let e as PETScError where retry && !PETScOptions.given("-" + prefix + "eps_type") && !vectors.isEmpty {
                // LOBPCG's Rayleigh–Ritz breaks down in LAPACK when its block turns nearly dependent (seen on
                // (AᵀA)⁻¹ of a zero-padded 60-sample convolve, whose eigenvalues spread over 10⁴): Krylov–Schur from
                // the first start vector instead, which the JSON's method then names.
                do {
                    return try PETScOptions.with([("-" + prefix + "eps_type", "krylovschur")]) {
                        try solve(h, k: k, vectors: &vectors, prefix: prefix, smallest: smallest, keepVectors: keepVectors)
                    }
                } catch {
                    throw PETScError(description: "\(e.description); then Krylov–Schur: \(error)")
                }
            }
        }
    }

    /// One SLEPc solve with the options in the database.
    private static func solve(_ h: Mat?, k: Int, vectors: inout [Vec?], prefix: String, smallest: Bool, keepVectors: Bool) throws -> Outcome {
        do {
            var eps: EPS? = nil
            try PETScRuntime.check(EPSCreate(PETScRuntime.comm, &eps), "EPSCreate")
            defer { _ = EPSDestroy(&eps) }
            try PETScRuntime.check(EPSSetOptionsPrefix(eps, prefix), "EPSSetOptionsPrefix")
            try PETScRuntime.check(EPSSetOperators(eps, h, nil), "EPSSetOperators")
            try PETScRuntime.check(EPSSetProblemType(eps, EPS_HEP), "EPSSetProblemType")
            try PETScRuntime.check(EPSSetWhichEigenpairs(eps, smallest ? EPS_SMALLEST_REAL : EPS_LARGEST_REAL), "EPSSetWhichEigenpairs")
            try PETScRuntime.check(EPSSetDimensions(eps, PetscInt(k), PetscInt(PETSC_DEFAULT), PetscInt(PETSC_DEFAULT)), "EPSSetDimensions")
            if !vectors.isEmpty {
                try PETScRuntime.check(EPSSetInitialSpace(eps, PetscInt(vectors.count), &vectors), "EPSSetInitialSpace")
            }
            try PETScRuntime.check(EPSSetFromOptions(eps), "EPSSetFromOptions")
            var type: EPSType? = nil
            try PETScRuntime.check(EPSGetType(eps, &type), "EPSGetType")
            let start = PETScRuntime.now
            try PETScRuntime.check(EPSSetUp(eps), "EPSSetUp")
            let setUp = PETScRuntime.now
            try PETScRuntime.check(EPSSolve(eps), "EPSSolve")
            let end = PETScRuntime.now
            var converged: PetscInt = 0, iterations: PetscInt = 0
            try PETScRuntime.check(EPSGetConverged(eps, &converged), "EPSGetConverged")
            try PETScRuntime.check(EPSGetIterationNumber(eps, &iterations), "EPSGetIterationNumber")
            let name = type.map { String(cString: $0) } ?? "?"
            guard Int(converged) >= k else {
                throw PETScError(description:
                    "SLEPc's \(name) converged \(converged) of \(k) eigenvalues in \(iterations) iterations (raise -\(prefix)eps_max_it or change -\(prefix)eps_type)")
            }
            var pairs: [(value: Double, index: Int)] = []
            for i in 0..<Int(converged) {
                var re: PetscScalar = 0, im: PetscScalar = 0
                try PETScRuntime.check(EPSGetEigenvalue(eps, PetscInt(i), &re, &im), "EPSGetEigenvalue")
                pairs.append((re, i))
            }
            pairs.sort { smallest ? $0.value < $1.value : $0.value > $1.value }
            pairs = Array(pairs.prefix(k))
            var kept: Vectors? = nil
            if keepVectors {
                let block = Vectors([])
                for pair in pairs {
                    var v: Vec? = nil
                    try PETScRuntime.check(MatCreateVecs(h, &v, nil), "MatCreateVecs")
                    block.vecs.append(v)
                    try PETScRuntime.check(EPSGetEigenvector(eps, PetscInt(pair.index), v, nil), "EPSGetEigenvector")
                }
                kept = block
            }
            return Outcome(values: pairs.map(\.value), iterations: Int(iterations), type: name,
                           setupSeconds: PETScRuntime.maximum(setUp - start), solveSeconds: PETScRuntime.maximum(end - setUp),
                           startCount: vectors.count, vectors: kept)
        }
    }
}
