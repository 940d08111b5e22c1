import ConvAlgebra
import Testing
import _TestSupport

/// `F₀ + F₁`: every form is the sum of the terms' matrices (computed apart), the transpose is the sum of the
/// transposes, nested sums flatten, and mismatched shapes are refused.
@Suite struct SumTests {
    @Test(arguments: Precision.allCases)
    func residualBlockIsIdentityPlusBranch(precision: Precision) throws { try check(precision.scalarType) }

    private func check<S: BLASScalar>(_: S.Type) throws {
        let layer = try ConvolutionLayer<S>(inputShape: [2, 5], weightShape: [2, 2, 3], weight: [1, -2, 3, 0.5, 2, -1, 1, 1, -3, 2, 0.25, 4],
                                            padding: .symmetric([1]))
        let f = layer.convolution
        let block = try Identity<S>(shape: f.domain).plus(f)
        var expected = try f.dense()
        for i in 0..<expected.rows { expected[i, i] += 1 }
        expectMatricesEqual(try block.dense(), expected, "dense")
        expectMatricesEqual(try block.sparse().dense(), expected, "sparse")
        expectMatricesEqual(try probedMatrix(block), expected, rtol: S.testRelativeTolerance, atol: S.testAbsoluteTolerance, "direct")
        try expectFormsAgree(block)
        try expectDotTest(block)
        try expectTransposeIsLiteral(block)
        // Nested sums flatten.
        let nested = try Sum<S>([block, f])
        #expect(nested.terms.count == 3)
    }

    @Test func refusesMismatchedTerms() throws {
        let a = try Convolution<Double>(kernel: [1, 2], inputLength: 5, mode: .full)
        #expect(throws: ConvAlgebraError.self) { try Identity<Double>(shape: a.domain).plus(a) }
        #expect(throws: ConvAlgebraError.self) { try Sum<Double>([]) }
    }
}
