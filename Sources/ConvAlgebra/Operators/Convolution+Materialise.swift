// The dense and sparse forms of Convolution and TransposedConvolution, built in O(nnz) by typed loops
// (MaterialisationKernels) instead of one closure call and one generic multiply per term: the same
// entries as StencilOperator's enumeration, which stays the path for circular boundaries.

extension Convolution {
    /// The CSR matrix (`C_out·M × C_in·N`), built in O(nnz).
    /// - Throws: a memory-budget or overflow error.
    public func sparse(budget: MemoryBudget) throws -> CSRMatrix<Scalar> {
        guard MaterialisationKernels.applies(geometry) else { return try sparseByEnumeration(budget: budget) }
        return try MaterialisationKernels.csr(geometry, taps, transposed: false, budget: budget)
    }

    /// The dense matrix, refused when over `budget`.
    public func dense(budget: MemoryBudget) throws -> DenseMatrix<Scalar> {
        guard MaterialisationKernels.applies(geometry) else { return try denseByEnumeration(budget: budget) }
        return try MaterialisationKernels.dense(geometry, taps, transposed: false, budget: budget)
    }
}

extension TransposedConvolution {
    /// The CSR matrix of the transpose (`C_in·N × C_out·M`): the forward entries with rows and columns swapped.
    public func sparse(budget: MemoryBudget) throws -> CSRMatrix<Scalar> {
        guard MaterialisationKernels.applies(geometry) else { return try sparseByEnumeration(budget: budget) }
        return try MaterialisationKernels.csr(geometry, taps, transposed: true, budget: budget)
    }

    public func dense(budget: MemoryBudget) throws -> DenseMatrix<Scalar> {
        guard MaterialisationKernels.applies(geometry) else { return try denseByEnumeration(budget: budget) }
        return try MaterialisationKernels.dense(geometry, taps, transposed: true, budget: budget)
    }
}

extension StencilOperator {
    /// The CSR matrix by the generic one-enumeration path (``StencilOperator/sparse(budget:)``'s default).
    func sparseByEnumeration(budget: MemoryBudget) throws -> CSRMatrix<Scalar> {
        let (m, n) = matrixSize
        let nnz = termCount
        try budget.check("a sparse \(m) × \(n) matrix with \(nnz) terms", count: nnz,
                         elementBytes: 2 * MemoryLayout<Int32>.stride + 2 * MemoryLayout<Scalar>.stride)
        var rows = [Int32](), cols = [Int32](), vals = [Scalar]()
        rows.reserveCapacity(nnz); cols.reserveCapacity(nnz); vals.reserveCapacity(nnz)
        let q = taps
        forEachTerm { r, c, t, a in
            rows.append(Int32(truncatingIfNeeded: r)); cols.append(Int32(truncatingIfNeeded: c))
            vals.append(t >= 0 ? a * q[t] : a)
        }
        return try CSRMatrix(rows: m, columns: n, coordinates: rows, cols, vals)
    }

    /// The dense matrix by the generic one-enumeration path.
    func denseByEnumeration(budget: MemoryBudget) throws -> DenseMatrix<Scalar> {
        let (m, n) = matrixSize
        var d = try DenseMatrix<Scalar>(zeros: m, n, budget: budget)
        let q = taps
        d.entries.withUnsafeMutableBufferPointer { e in
            forEachTerm { r, c, t, a in e[r * n + c] += t >= 0 ? a * q[t] : a }
        }
        return d
    }
}
