import CPETSc
import ConvAlgebra

/// Least squares `x = argmin ‖A x − b‖₂` by PETSc's LSQR (`KSPLSQR`, no preconditioner) on a ``DistributedMatrix``:
/// deconvolution when `A` is a convolution. LSQR works with `A` and `Aᵀ` products only (PETSc applies the
/// transpose of the AIJ matrix itself), so nothing beyond the assembled rows is stored. Defaults (relative
/// tolerance 1e-12, at most 100000 iterations) are PETSc options: `-ksp_rtol`, `-ksp_max_it`, … override them.
///
/// - Complexity: O(nnz / p) per iteration and process; the iterations grow with the condition number.
struct LeastSquaresSolve {
    let a: DistributedMatrix
    private var ksp: KSP? = nil
    private var x: Vec? = nil
    private var b: Vec? = nil

    init(_ a: DistributedMatrix) throws {
        self.a = a
        try PETScOptions.set(Self.defaults)
        try PETScRuntime.check(KSPCreate(PETScRuntime.comm, &ksp), "KSPCreate")
        try PETScRuntime.check(KSPSetOperators(ksp, a.mat, a.mat), "KSPSetOperators")
        try PETScRuntime.check(KSPSetFromOptions(ksp), "KSPSetFromOptions")
        try PETScRuntime.check(MatCreateVecs(a.mat, &x, &b), "MatCreateVecs")
    }

    static let defaults: [(String, String?)] = [
        ("-ksp_type", "lsqr"), ("-pc_type", "none"), ("-ksp_rtol", "1e-12"), ("-ksp_atol", "1e-50"), ("-ksp_max_it", "100000"),
    ]

    /// Solves for one right-hand side: `fill` writes this process's rows of `b` (A's row split), `result` reads its
    /// part of `x` (A's column split). Returns the iterations taken.
    /// - Throws: when LSQR stopped without converging (PETSc's reason named).
    func solve(fill: (UnsafeMutablePointer<Double>) throws -> Void, result: (UnsafePointer<Double>) throws -> Void) throws -> Int {
        try Self.withArray(b) { try fill($0) }
        try PETScRuntime.check(VecSet(x, 0), "VecSet")
        try PETScRuntime.check(KSPSolve(ksp, b, x), "KSPSolve")
        var reason = KSP_CONVERGED_ITERATING
        var iterations: PetscInt = 0
        try PETScRuntime.check(KSPGetConvergedReason(ksp, &reason), "KSPGetConvergedReason")
        try PETScRuntime.check(KSPGetIterationNumber(ksp, &iterations), "KSPGetIterationNumber")
        guard reason.rawValue > 0 else {
            throw PETScError(description: "LSQR did not converge in \(iterations) iterations (KSPConvergedReason \(reason.rawValue)); raise -ksp_max_it or loosen -ksp_rtol")
        }
        try Self.withArray(x) { try result(UnsafePointer($0)) }
        return Int(iterations)
    }

    private static func withArray(_ v: Vec?, _ body: (UnsafeMutablePointer<Double>) throws -> Void) throws {
        var p: UnsafeMutablePointer<PetscScalar>? = nil
        try PETScRuntime.check(VecGetArray(v, &p), "VecGetArray")
        defer { _ = VecRestoreArray(v, &p) }
        // A process with no rows still runs `body` (it may hold a collective step).
        let none = UnsafeMutablePointer<Double>.allocate(capacity: 1)
        defer { none.deallocate() }
        try body(p ?? none)
    }

    mutating func destroy() {
        _ = KSPDestroy(&ksp); _ = VecDestroy(&x); _ = VecDestroy(&b)
        try? PETScOptions.clear(Self.defaults)
    }
}
