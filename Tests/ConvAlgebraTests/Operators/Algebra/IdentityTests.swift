import ConvAlgebra
import Testing
import _TestSupport

/// `I x = x` on samples of one shape: its own transpose, the identity matrix in every form, and the
/// neutral element of composition (asserted on values, not only numerically).
@Suite struct IdentityTests {
    @Test(arguments: Precision.allCases, [[1], [5], [2, 3], [2, 1, 4]])
    func isTheIdentityInEveryForm(precision: Precision, dims: [Int]) throws {
        try check(precision.scalarType, dims)
    }

    private func check<S: BLASScalar>(_: S.Type, _ dims: [Int]) throws {
        let shape = try Shape(dims)
        let i = Identity<S>(shape: shape)
        let n = shape.count
        #expect(i.domain == shape && i.codomain == shape)
        // Its own transpose, as a value: Iᵀ = I, (Iᵀ)ᵀ = I.
        #expect(i.transposed == i && i.transposed.transposed == i)
        #expect(i.termCount == n && i.taps.isEmpty)
        // The identity matrix, entry for entry, in every materialisation.
        var eye = try DenseMatrix<S>(zeros: n, n)
        for k in 0..<n { eye[k, k] = 1 }
        expectMatricesEqual(try i.dense(), eye)
        expectMatricesEqual(try i.sparse().dense(), eye)
        #expect(try i.sparse().nonzeroCount == n)
        expectMatricesEqual(try probedMatrix(i), eye, "the direct form")
        #expect(try i.symbolic().entries.allSatisfy(\.isConstant))
        expectMatricesEqual(try i.symbolic(), constantSymbolicMatrix(eye))
        try expectFormsAgree(i)
        try expectDotTest(i)
        // Applying it returns the input bit for bit, in every form, batch dimensions kept.
        var rng = SplitMix64(seed: UInt64(n))
        let x: Tensor<S> = try randomBatch(3, of: shape, using: &rng)
        for form in Form.allCases { #expect(try i.apply(x, form: form) == x, "\(form)") }
    }

    /// `A·I = I·A = A`: composing with the identity changes no entry of the matrix.
    @Test func isNeutralForComposition() throws {
        let c = try Convolution<Double>(kernel: [1, -2, 4], inputLength: 6, mode: .full)
        let before = try Identity<Double>(shape: c.domain).then(c)
        let after = try c.then(Identity<Double>(shape: c.codomain))
        let a = try c.dense()
        expectMatricesEqual(try before.dense(), a, "I then A")
        expectMatricesEqual(try after.dense(), a, "A then I")
        expectMatricesEqual(try before.symbolic(), try c.symbolic(), "I then A, symbolic")
        expectThrows(.shapeMismatch, "an identity of another shape") { try Identity<Double>(shape: c.codomain).then(c) }
    }
}
