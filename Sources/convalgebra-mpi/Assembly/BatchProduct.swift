import CPETSc
import ConvAlgebra

/// `Y = A · X` for a batch of samples as PETSc dense matrices (X: n × B spread by A's column split, Y: m × B by
/// its row split), one `MatMatMult` per chunk of samples; the product's symbolic part is done once and reused
/// (`MAT_REUSE_MATRIX`) while the chunk width stays the same.
///
/// - Complexity: O(nnz_local · width) per chunk and process, plus the off-process columns of X it receives.
struct BatchProduct {
    let a: DistributedMatrix
    private var x: Mat? = nil
    private var y: Mat? = nil
    private var width = 0

    init(_ a: DistributedMatrix) { self.a = a }

    /// Fills X through `fill(pointer, leadingDimension)` (this process's rows, column-major), multiplies, and hands
    /// this process's rows of Y to `result(pointer, leadingDimension)` (which may change them).
    /// - Throws: a budget error when the chunk's dense parts do not fit; PETSc's errors.
    mutating func multiply(samples: Range<Int>, fill: (UnsafeMutablePointer<Double>, Int) throws -> Void,
                           result: (UnsafeMutablePointer<Double>, Int) throws -> Void) throws {
        if samples.count != width {
            destroy()
            width = samples.count
            // X's and Y's local parts (and PETSc's copy of the received columns of X, at most X again).
            let local = try Checked.multiply(2 * a.columns.count + a.rows.count, width, "a dense batch")
            try MemoryBudget.default.check("this process's part of a batch of \(width) samples", count: local,
                                           elementBytes: MemoryLayout<Double>.stride)
            try PETScRuntime.check(MatCreateDense(PETScRuntime.comm, PetscInt(a.columns.count), PetscInt(PETSC_DECIDE),
                                                  PetscInt(a.columnCount), PetscInt(width), nil, &x), "MatCreateDense")
        }
        try Self.withArray(x) { p, lda in try fill(p, lda) }
        try PETScRuntime.check(MatAssemblyBegin(x, MAT_FINAL_ASSEMBLY), "MatAssemblyBegin")
        try PETScRuntime.check(MatAssemblyEnd(x, MAT_FINAL_ASSEMBLY), "MatAssemblyEnd")
        let reuse = y != nil
        try PETScRuntime.check(MatMatMult(a.mat, x, reuse ? MAT_REUSE_MATRIX : MAT_INITIAL_MATRIX, PetscReal(PETSC_DEFAULT), &y),
                               "MatMatMult")
        try Self.withArray(y) { p, lda in try result(p, lda) }
    }

    /// The local column-major array of a dense matrix and its leading dimension.
    private static func withArray(_ m: Mat?, _ body: (UnsafeMutablePointer<Double>, Int) throws -> Void) throws {
        var p: UnsafeMutablePointer<PetscScalar>? = nil
        var lda: PetscInt = 0
        try PETScRuntime.check(MatDenseGetLDA(m, &lda), "MatDenseGetLDA")
        try PETScRuntime.check(MatDenseGetArray(m, &p), "MatDenseGetArray")
        defer { _ = MatDenseRestoreArray(m, &p) }
        // A process with no rows still runs `body` (it may hold a collective step).
        let none = UnsafeMutablePointer<Double>.allocate(capacity: 1)
        defer { none.deallocate() }
        try body(p ?? none, Int(lda))
    }

    mutating func destroy() {
        if x != nil { _ = MatDestroy(&x) }
        if y != nil { _ = MatDestroy(&y) }
        width = 0
    }
}
