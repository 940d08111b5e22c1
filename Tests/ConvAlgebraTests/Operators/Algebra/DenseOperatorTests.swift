import ConvAlgebra
import Testing
import _TestSupport

/// `W x` for an explicit matrix: its forms are `W`, its transpose `Wᵀ`, and its shapes must fit the matrix.
@Suite struct DenseOperatorTests {
    @Test func formsAreTheMatrix() throws {
        let w = try DenseMatrix<Double>(rows: 2, columns: 3, entries: [1, 0, -2, 0.5, 3, 0])
        let op = try DenseOperator(w, domain: Shape([3, 1]))
        #expect(op.domain.dims == [3, 1] && op.codomain.dims == [2])
        expectMatricesEqual(try op.dense(), w)
        expectMatricesEqual(try op.sparse().dense(), w)
        #expect(try op.sparse().nonzeroCount == 4)
        expectMatricesEqual(try probedMatrix(op), w)
        try expectFormsAgree(op)
        try expectDotTest(op)
        try expectTransposeIsLiteral(op)
        #expect(throws: ConvAlgebraError.self) { try DenseOperator(w, domain: Shape([4])) }
    }
}
