import ConvAlgebra
import Testing
import _TestSupport

/// `αA`: forms agree, the dot test holds, the transpose keeps the scalar (`(αA)ᵀ = αAᵀ`), and scalars are
/// absorbed, `α(βA) = (αβ)A` — asserted on the values (the type does not nest), not only numerically.
@Suite struct ScaledTests {
    @Test(arguments: Precision.allCases)
    func scalesEveryForm(precision: Precision) throws { try checkForms(precision.scalarType) }

    private func checkForms<S: BLASScalar>(_: S.Type) throws {
        let a = try Convolution<S>(kernel: [1, 2, -3], inputLength: 7, mode: .same, stride: 2)
        let alpha: S = -2.5
        let s = a.scaled(by: alpha)
        #expect(s.scale == alpha && s.base == a && s.domain == a.domain && s.codomain == a.codomain)
        // Every entry is α times the base's (exact: α is a power of two times a small integer).
        let base = try a.dense()
        var expected = base
        for k in expected.entries.indices { expected.entries[k] *= alpha }
        expectMatricesEqual(try s.dense(), expected, "dense")
        expectMatricesEqual(try s.sparse().dense(), expected, "sparse")
        expectMatricesEqual(try probedMatrix(s), expected, "direct")
        expectMatricesEqual(try s.symbolic().evaluated(taps: [1, 2, -3].map { Double($0) }),
                            try DenseMatrix(rows: expected.rows, columns: expected.columns, entries: expected.entries.map { Double($0) }),
                            "symbolic")
        try expectFormsAgree(s)
        try expectDotTest(s)
        try expectTransposeIsLiteral(s)
    }

    @Test func transposeKeepsTheScalar() throws {
        let a = try Downsample<Double>(factor: 3, phase: 1, inputLength: 10)
        let s = a.scaled(by: 4)
        let t: Scaled<Upsample<Double>> = s.transposed
        #expect(t.scale == 4 && t.base == a.transposed)
        // ((αA)ᵀ)ᵀ = αA, as values.
        #expect(t.transposed.scale == s.scale && t.transposed.base == s.base)
        expectMatricesEqual(try t.dense(), try s.dense().transposed())
    }

    @Test func scalarsAreAbsorbed() throws {
        let a = try Convolution<Double>(kernel: [3, 1], inputLength: 5, mode: .full)
        // α(βA) = (αβ)A: the result is a Scaled of A itself, not of a Scaled.
        let nested: Scaled<Convolution<Double>> = a.scaled(by: 3).scaled(by: -0.5)
        #expect(nested.scale == -1.5 && nested.base == a)
        let direct = a.scaled(by: -1.5)
        #expect(nested.scale == direct.scale && nested.base == direct.base)
        expectMatricesEqual(try nested.dense(), try direct.dense())
        // Scaling by 1 changes no entry; by 0, every entry is 0 but the pattern stays the stencil's.
        expectMatricesEqual(try a.scaled(by: 1).dense(), try a.dense())
        let zero = try a.scaled(by: 0).sparse()
        #expect(zero.nonzeroCount == (try a.sparse()).nonzeroCount && zero.values.allSatisfy { $0 == 0 })
    }
}
