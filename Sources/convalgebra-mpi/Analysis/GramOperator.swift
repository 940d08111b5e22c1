import CPETSc

/// A symmetric positive (semi)definite operator on the domain of a ``DistributedMatrix`` `A` (n × n), as a PETSc
/// shell matrix for SLEPc's eigensolvers, never assembled:
///
/// - ``init(gramOf:)``: `AᵀA`, each product `y = Aᵀ(A x)` (one `MatMult` and one `MatMultTranspose` of the
///   assembled `A`): its eigenvalues are `σ²`, its eigenvectors `A`'s right singular vectors.
/// - ``init(inverseGramOf:of:)``: `(AᵀA)⁻¹ = A⁻¹A⁻ᵀ` of a square `A`, each product the transposed then the plain
///   pair of triangular solves with one LU of `A` (``InverseOperator``): eigenvalues `1/σ²`, the same eigenvectors.
///
/// So one warm start (the circular spectrum's waves, in the domain) serves both ends.
/// - Complexity: per product, two sparse products (`O(nnz(A))`) or two pairs of triangular solves (`O(nnz(L + U))`).
final class GramOperator {
    enum Kind {
        case gram(Mat?)
        case inverseGram(KSP?)
    }

    private(set) var mat: Mat?
    fileprivate var work: Vec?
    fileprivate let kind: Kind

    /// `AᵀA`.
    convenience init(gramOf a: DistributedMatrix) throws {
        try self.init(kind: .gram(a.mat), a: a)
    }

    /// `(AᵀA)⁻¹` from `inverse`, the factorisation of the square `a`.
    convenience init(inverseGramOf inverse: InverseOperator, of a: DistributedMatrix) throws {
        try self.init(kind: .inverseGram(inverse.ksp), a: a)
    }

    private init(kind: Kind, a: DistributedMatrix) throws {
        self.kind = kind
        try PETScRuntime.check(MatCreateVecs(a.mat, nil, &work), "MatCreateVecs")
        let local = PetscInt(a.columns.count), global = PetscInt(a.columnCount)
        try PETScRuntime.check(MatCreateShell(PETScRuntime.comm, local, local, global, global,
                                              Unmanaged.passUnretained(self).toOpaque(), &mat), "MatCreateShell")
        try PETScRuntime.check(MatShellSetOperation(mat, MATOP_MULT, unsafeBitCast(gramProduct, to: (@convention(c) () -> Void).self)),
                               "MatShellSetOperation(MATOP_MULT)")
        try PETScRuntime.check(MatSetOption(mat, MAT_SYMMETRIC, PETSC_TRUE), "MatSetOption(MAT_SYMMETRIC)")
    }

    deinit {
        if mat != nil { _ = MatDestroy(&mat) }
        if work != nil { _ = VecDestroy(&work) }
    }
}

/// `y = AᵀA x` or `y = A⁻¹A⁻ᵀ x`: the shell's context is the (unretained) ``GramOperator``, which outlives it.
private let gramProduct: @convention(c) (Mat?, Vec?, Vec?) -> PetscErrorCode = { m, x, y in
    var context: UnsafeMutableRawPointer? = nil
    let code = MatShellGetContext(m, &context)
    guard code == 0, let context else { return code == 0 ? 1 : code }
    let g = Unmanaged<GramOperator>.fromOpaque(context).takeUnretainedValue()
    switch g.kind {
    case .gram(let a):
        let first = MatMult(a, x, g.work)
        return first != 0 ? first : MatMultTranspose(a, g.work, y)
    case .inverseGram(let ksp):
        let first = KSPSolveTranspose(ksp, x, g.work)
        return first != 0 ? first : KSPSolve(ksp, g.work, y)
    }
}
