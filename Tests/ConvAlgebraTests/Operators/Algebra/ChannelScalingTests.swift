import ConvAlgebra
import Testing
import _TestSupport

/// `y[c, i] = q[c] x[c, i]`: a diagonal matrix, its own transpose, norm `max |q|`.
@Suite struct ChannelScalingTests {
    @Test func isDiagonalPerChannel() throws {
        let op = try ChannelScaling<Double>(shape: Shape([2, 3]), factors: [2, -0.5])
        var expected = try DenseMatrix<Double>(zeros: 6, 6)
        for i in 0..<6 { expected[i, i] = i < 3 ? 2 : -0.5 }
        expectMatricesEqual(try op.dense(), expected)
        expectMatricesEqual(try probedMatrix(op), expected)
        try expectFormsAgree(op)
        try expectDotTest(op)
        try expectTransposeIsLiteral(op)
        #expect(try op.singularSpectrum().spectralNorm == 2)
        #expect(throws: ConvAlgebraError.self) { try ChannelScaling<Double>(shape: Shape([3, 3]), factors: [1, 2]) }
    }
}
