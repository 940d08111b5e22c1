// The dense and sparse forms of Convolution and TransposedConvolution, built in O(nnz) by typed loops
// (MaterialisationKernels) instead of one closure call and one generic multiply per term: the same
// entries as StencilOperator's enumeration, which stays the path for circular boundaries.
import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

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
