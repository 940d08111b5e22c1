import ConvAlgebraCore
import ConvAlgebraMatrices

extension StencilOperator {
    /// The row block `A[rows, :]` as a CSR matrix of `rows.count` rows and all of `A`'s columns (global column
    /// indices), from the operator's one enumeration: the terms `(r, c, t, a)` with `r ∈ rows` become entries
    /// `(r − rows.lowerBound, c, a · q[t])`, duplicates summed, so stacking the blocks of a partition of the rows
    /// gives `sparse(budget:)` exactly. The transpose's block is the same call on `transposed` (a
    /// ``SwappedStencil`` enumerates `A`'s terms with `r` and `c` swapped), so it is literal too.
    ///
    /// This is what a distributed assembly needs (`convalgebra-mpi`, docs/Past-one-machine.md): each process
    /// holds only its rows. The budget is checked against the block's own term count before any array is made.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for a range outside `0 ..< rows`;
    ///   ``ConvAlgebraError/overflow(_:)`` past 32-bit column indices; the budget's error.
    /// - Complexity: three passes of `forEachTerm(rows:_:)`: O(t) time for the block's t terms where the operator
    ///   enumerates a row range alone (`Convolution`), O(T) for all T terms otherwise; O(rows.count + t) memory.
    public func sparseRows(_ rows: Range<Int>, budget: MemoryBudget = .default) throws -> CSRMatrix<Scalar> {
        let (m, n) = matrixSize
        guard rows.lowerBound >= 0, rows.upperBound <= m else {
            throw ConvAlgebraError.invalidArgument("rows \(rows.lowerBound)..<\(rows.upperBound) lie outside the \(m) rows of the matrix")
        }
        var t = 0
        forEachTerm(rows: rows) { _, _, _, _ in t += 1 }
        try budget.check("rows \(rows.lowerBound)..<\(rows.upperBound) of a sparse \(m) × \(n) matrix with \(t) terms", count: t,
                         elementBytes: 2 * MemoryLayout<Int32>.stride + 2 * MemoryLayout<Scalar>.stride)
        let q = taps, first = rows.lowerBound
        return try CSRMatrix(rows: rows.count, columns: n, count: t) { emit in
            forEachTerm(rows: rows) { r, c, t, a in emit(r - first, Int32(truncatingIfNeeded: c), t >= 0 ? a * q[t] : a) }
        }
    }
}

extension LinearOperator {
    /// ``StencilOperator/sparseRows(_:budget:)`` of an operator known only as a `LinearOperator` (what the CLI
    /// builds): the block of its rows when it is a stencil operator (every single op is one).
    /// - Throws: ``ConvAlgebraError/unsupported(_:)`` for an operator with no enumeration of its terms (a ``Composed``
    ///   chain, a ``Sum``), and the errors of ``StencilOperator/sparseRows(_:budget:)``.
    /// - Complexity: that of ``StencilOperator/sparseRows(_:budget:)``.
    public func sparseRowBlock(_ rows: Range<Int>, budget: MemoryBudget = .default) throws -> CSRMatrix<Scalar> {
        guard let stencil = self as? any StencilOperator else {
            throw ConvAlgebraError.unsupported("\(type(of: self)) has no enumeration of its terms, so its rows cannot be built alone")
        }
        return try Self.rows(of: stencil, rows, budget) as! CSRMatrix<Scalar>
    }

    private static func rows<T: StencilOperator>(of op: T, _ rows: Range<Int>, _ budget: MemoryBudget) throws -> Any {
        try op.sparseRows(rows, budget: budget)
    }
}
