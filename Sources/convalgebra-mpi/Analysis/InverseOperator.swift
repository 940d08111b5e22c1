import CPETSc
import ConvAlgebra

/// `A⁻¹` of a square, nonsingular ``DistributedMatrix`` as a PETSc shell matrix: one MUMPS LU factorisation of `A`
/// (`n` rows, the stencil's own pattern, its centre tap on the diagonal), then `A⁻¹x` is a pair of triangular solves
/// (`KSPSolve`) and `A⁻ᵀx` the transposed pair (`KSPSolveTranspose`). The largest singular values of `A⁻¹` are the
/// reciprocals of the smallest of `A`, so the smallest need no factorisation of the `2n`-square cyclic matrix,
/// whose zero diagonal forces MUMPS to delay pivots.
///
/// Its KSP reads options under the prefix `-inverse_` (`-inverse_pc_factor_mat_solver_type`, `-inverse_mat_mumps_…`).
/// Defaults: the AMD ordering (`icntl_7 0`: Debian's MUMPS 5.5 has neither METIS nor SCOTCH, so the `5` asked
/// for before fell back to PORD; AMD's LU of a 10⁶-row 3×3 conv estimates 9.2·10¹⁰ operations against PORD's
/// 1.17·10¹¹ and AMF's 1.09·10¹¹, 2.6·10⁹ against 4.0·10⁹ at 9·10⁴ rows), 200 % more workspace than MUMPS estimates (`icntl_14`: its estimate fell
/// short at 9·10⁴ rows), and the relative pivot threshold 0.5 (`cntl_1`; MUMPS's 0.01 left the solves with a relative
/// residual of 4·10⁻⁷ on a 3×3 circular conv of κ ≈ 580 and the singular values off by 8·10⁻⁸; at 0.5 the
/// residual is 2·10⁻¹³ and the values agree with the FFT method's to 2·10⁻¹³). A failed factorisation (PETSc
/// records it rather than returning an error) is an error on every process.
/// - Complexity: the LU of `A` (a 2-D stencil: about O(n^1.5) time, O(n log n) memory over the processes), then
///   O(n log n) per product.
final class InverseOperator {
    private(set) var mat: Mat?
    private(set) var ksp: KSP?
    /// The seconds of the factorisation (the slowest process's).
    let seconds: Double

    init(_ a: DistributedMatrix) throws {
        let start = PETScRuntime.now
        let comm = PETScRuntime.comm
        try PETScRuntime.check(KSPCreate(comm, &ksp), "KSPCreate")
        try PETScRuntime.check(KSPSetOptionsPrefix(ksp, "inverse_"), "KSPSetOptionsPrefix")
        try PETScRuntime.check(KSPSetOperators(ksp, a.mat, a.mat), "KSPSetOperators")
        try PETScRuntime.check(KSPSetType(ksp, KSPPREONLY), "KSPSetType")
        var pc: PC? = nil
        try PETScRuntime.check(KSPGetPC(ksp, &pc), "KSPGetPC")
        try PETScRuntime.check(PCSetType(pc, PCLU), "PCSetType")
        try PETScRuntime.check(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS), "PCFactorSetMatSolverType")
        let solver = ksp
        try PETScOptions.with([("-inverse_mat_mumps_icntl_7", "0"), ("-inverse_mat_mumps_icntl_14", "200"),
                               ("-inverse_mat_mumps_cntl_1", "0.5")]) {
            try PETScRuntime.check(KSPSetFromOptions(solver), "KSPSetFromOptions")
            try PETScRuntime.check(KSPSetUp(solver), "KSPSetUp (the LU factorisation of A)")
        }
        // PETSc records a failed factorisation instead of returning an error; every solve would then give inf.
        var reason = PC_NOERROR
        try PETScRuntime.check(PCGetFailedReason(pc, &reason), "PCGetFailedReason")
        let failed = PETScRuntime.maximum(reason == PC_NOERROR ? 0 : Double(reason.rawValue))
        guard failed == 0 else {
            throw PETScError(description: "the MUMPS LU factorisation of A failed (PCFailedReason \(Int(failed)): a singular A, σ_min = 0, or too little workspace: raise -inverse_mat_mumps_icntl_14)")
        }
        seconds = PETScRuntime.maximum(PETScRuntime.now - start)
        try PETScRuntime.check(MatCreateShell(comm, PetscInt(a.columns.count), PetscInt(a.rows.count), PetscInt(a.columnCount),
                                              PetscInt(a.rowCount), UnsafeMutableRawPointer(ksp!), &mat), "MatCreateShell")
        try PETScRuntime.check(MatShellSetOperation(mat, MATOP_MULT, unsafeBitCast(inverseProduct, to: (@convention(c) () -> Void).self)),
                               "MatShellSetOperation(MATOP_MULT)")
        try PETScRuntime.check(MatShellSetOperation(mat, MATOP_MULT_TRANSPOSE, unsafeBitCast(inverseTransposeProduct, to: (@convention(c) () -> Void).self)),
                               "MatShellSetOperation(MATOP_MULT_TRANSPOSE)")
    }

    deinit {
        if mat != nil { _ = MatDestroy(&mat) }
        if ksp != nil { _ = KSPDestroy(&ksp) }
    }
}

/// `y = A⁻¹x`: the shell's context is the KSP holding the LU of `A`.
private let inverseProduct: @convention(c) (Mat?, Vec?, Vec?) -> PetscErrorCode = { m, x, y in
    var context: UnsafeMutableRawPointer? = nil
    let code = MatShellGetContext(m, &context)
    guard code == 0, let context else { return code == 0 ? 1 : code }
    return KSPSolve(KSP(context), x, y)
}

/// `y = A⁻ᵀx`.
private let inverseTransposeProduct: @convention(c) (Mat?, Vec?, Vec?) -> PetscErrorCode = { m, x, y in
    var context: UnsafeMutableRawPointer? = nil
    let code = MatShellGetContext(m, &context)
    guard code == 0, let context else { return code == 0 ? 1 : code }
    return KSPSolveTranspose(KSP(context), x, y)
}
