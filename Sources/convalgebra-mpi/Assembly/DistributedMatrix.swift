import CPETSc
import ConvAlgebra

/// An operator's matrix `A` (m × n) as a PETSc AIJ matrix spread over the processes by rows: process `p` owns
/// rows `rows` (PETSc's split of m) and, for the diagonal block, columns `columns` (the split of n, which is also
/// how a vector of the domain is spread). Each process builds only its row block, straight from the operator's
/// enumeration of terms (``StencilOperator/sparseRows(_:budget:)``), with the exact number of entries per row in
/// the diagonal and the off-diagonal block preallocated, so PETSc never allocates during insertion (checked:
/// `MatGetInfo` reports 0 mallocs on every process). No process holds more than its rows.
///
/// The transpose is assembled literally: the block of `Aᵀ`'s rows comes from the transpose's own enumeration
/// (`A`'s terms with row and column swapped), never from `MatTranspose` of a gathered matrix.
///
/// - Complexity: O(t) enumeration and insertion per process for its t entries where the operator enumerates a row
///   range alone (``Convolution``: ``StencilOperator/forEachTerm(rows:_:)``), O(T) enumeration of all T terms
///   otherwise (each process visits every term and keeps its rows'); memory O(t) (the block's CSR, then PETSc's copy).
final class DistributedMatrix {
    private(set) var mat: Mat?
    let rowCount: Int
    let columnCount: Int
    /// The global rows this process owns.
    let rows: Range<Int>
    /// The global columns of this process's diagonal block (its part of a domain vector).
    let columns: Range<Int>
    /// The seconds this process spent enumerating and inserting (the slowest process's, after ``assemble``).
    let seconds: Double
    /// The entries stored on this process.
    let localEntries: Int

    /// The matrix of `op` (its transpose when `transposed`) over all processes: a collective call.
    /// - Throws: ``ConvAlgebraError`` for an operator without an enumeration of terms (a chain) or past the budget
    ///   (agreed between the processes), ``ConvAlgebraError/overflow(_:)`` past PetscInt, and PETSc's errors.
    init(_ op: any LinearOperator<Double>, transposed: Bool = false) throws {
        let a = transposed ? op.anyTransposed : op
        let (m, n) = a.matrixSize
        guard Int64(m) <= Int64(PetscInt.max), Int64(n) <= Int64(PetscInt.max) else {
            throw ConvAlgebraError.overflow(
                "a \(m) × \(n) matrix exceeds PETSc's \(MemoryLayout<PetscInt>.size * 8)-bit indices: build with the 64-bit-index PETSc64/SLEPc64 (docs/Past-one-machine.md)")
        }
        rowCount = m; columnCount = n
        let owned = PETScRuntime.ownedRange(of: m), diagonal = PETScRuntime.ownedRange(of: n)
        rows = owned; columns = diagonal
        let start = PETScRuntime.now
        let block = try PETScRuntime.agreeing { try a.sparseRowBlock(owned) }
        localEntries = block.nonzeroCount
        mat = try Self.insert(block, rows: owned, columns: diagonal, m: m, n: n)
        try Self.checkNoMallocs(mat)
        seconds = PETScRuntime.maximum(PETScRuntime.now - start)
    }

    deinit { if mat != nil { _ = MatDestroy(&mat) } }

    /// The AIJ matrix of the row block, preallocated exactly from the block's per-row diagonal and
    /// off-diagonal counts, then filled row by row.
    private static func insert(_ block: CSRMatrix<Double>, rows: Range<Int>, columns: Range<Int>, m: Int, n: Int) throws -> Mat? {
        var diagonal = [PetscInt](repeating: 0, count: max(rows.count, 1))
        var offDiagonal = [PetscInt](repeating: 0, count: max(rows.count, 1))
        let lo = Int32(truncatingIfNeeded: columns.lowerBound), hi = Int32(truncatingIfNeeded: columns.upperBound)
        for r in 0..<block.rows {
            for e in block.rowOffsets[r]..<block.rowOffsets[r + 1] {
                let c = block.columnIndices[e]
                if c >= lo && c < hi { diagonal[r] += 1 } else { offDiagonal[r] += 1 }
            }
        }
        var a: Mat? = nil
        let comm = PETScRuntime.comm
        try PETScRuntime.check(MatCreate(comm, &a), "MatCreate")
        try PETScRuntime.check(MatSetSizes(a, PetscInt(rows.count), PetscInt(columns.count), PetscInt(m), PetscInt(n)), "MatSetSizes")
        try PETScRuntime.check(MatSetType(a, MATAIJ), "MatSetType")
        try PETScRuntime.check(MatSeqAIJSetPreallocation(a, 0, diagonal), "MatSeqAIJSetPreallocation")
        try PETScRuntime.check(MatMPIAIJSetPreallocation(a, 0, diagonal, 0, offDiagonal), "MatMPIAIJSetPreallocation")
        try PETScRuntime.check(MatSetOption(a, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE), "MatSetOption")
        var cols = [PetscInt](), vals = [PetscScalar]()
        for r in 0..<block.rows {
            let range = block.rowOffsets[r]..<block.rowOffsets[r + 1]
            guard !range.isEmpty else { continue }
            cols.removeAll(keepingCapacity: true); vals.removeAll(keepingCapacity: true)
            for e in range { cols.append(PetscInt(block.columnIndices[e])); vals.append(block.values[e]) }
            var row = PetscInt(rows.lowerBound + r)
            try PETScRuntime.check(MatSetValues(a, 1, &row, PetscInt(cols.count), cols, vals, INSERT_VALUES), "MatSetValues")
        }
        try PETScRuntime.check(MatAssemblyBegin(a, MAT_FINAL_ASSEMBLY), "MatAssemblyBegin")
        try PETScRuntime.check(MatAssemblyEnd(a, MAT_FINAL_ASSEMBLY), "MatAssemblyEnd")
        return a
    }

    /// Throws when PETSc allocated during insertion on any process (the preallocation was not exact).
    private static func checkNoMallocs(_ a: Mat?) throws {
        var info = MatInfo()
        try PETScRuntime.check(MatGetInfo(a, MAT_LOCAL, &info), "MatGetInfo")
        let mallocs = PETScRuntime.maximum(info.mallocs)
        guard mallocs == 0 else {
            throw PETScError(description: "the assembly allocated \(Int(mallocs)) times: the preallocation was not exact")
        }
    }

    /// `√(‖A‖₁ ‖A‖_∞) ≥ ‖A‖₂` (Hölder) from PETSc's column and row sums, raised by a relative 1e-10 for their
    /// rounding: a rigorous upper bound of the spectral norm for any operator, at the cost of one pass.
    func rowColumnBound() throws -> Double {
        var one: PetscReal = 0, infinity: PetscReal = 0
        try PETScRuntime.check(MatNorm(mat, NORM_1, &one), "MatNorm(NORM_1)")
        try PETScRuntime.check(MatNorm(mat, NORM_INFINITY, &infinity), "MatNorm(NORM_INFINITY)")
        return (one * infinity).squareRoot() * (1 + 1e-10)
    }

    /// The stored entries over all processes.
    var globalEntries: Int { Int(PETScRuntime.sum(Double(localEntries))) }
}
