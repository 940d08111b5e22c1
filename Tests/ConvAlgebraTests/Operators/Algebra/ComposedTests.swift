import ConvAlgebra
import Testing
import _TestSupport

@Suite struct ComposedTests {
    private func factors() throws -> (Convolution<Double>, Downsample<Double>, Convolution<Double>) {
        let a = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 8, mode: .same)
        let b = try Downsample<Double>(factor: 2, phase: 1, inputLength: 8)
        let c = try Convolution<Double>(kernel: [2, -1], inputLength: 4, mode: .full)
        return (a, b, c)
    }

    @Test func compositionsFlattenInApplicationOrder() throws {
        let (a, b, c) = try factors()
        let chained = try a.then(b).then(c)
        let nested = try Composed([try Composed([a, b]), c])
        let nestedRight = try Composed<Double>([a, try b.then(c)])
        for m in [chained, nested, nestedRight] {
            #expect(m.factors.count == 3)
            #expect(m.factors[0] as? Convolution<Double> == a)
            #expect(m.factors[1] as? Downsample<Double> == b)
            #expect(m.factors[2] as? Convolution<Double> == c)
            #expect(m.domain == a.domain && m.codomain == c.codomain)
        }
    }

    /// `(C B A)ᵀ = Aᵀ Bᵀ Cᵀ`, and each factor's transpose is its named closed type.
    @Test func transposeReversesTheTransposedFactors() throws {
        let (a, b, c) = try factors()
        let m = try a.then(b).then(c)
        let t = m.transposed
        #expect(t.factors.count == 3)
        #expect(t.factors[0] as? TransposedConvolution<Double> == c.transposed)
        #expect(t.factors[1] as? Upsample<Double> == b.transposed)
        #expect(t.factors[2] as? TransposedConvolution<Double> == a.transposed)
        #expect(t.domain == m.codomain && t.codomain == m.domain)
        let back = t.transposed
        #expect(back.factors[0] as? Convolution<Double> == a)
        #expect(back.factors[1] as? Downsample<Double> == b)
        #expect(back.factors[2] as? Convolution<Double> == c)
        // Two kernels in one product have no symbolic form (checked below); dense and sparse do.
        try expectTransposeIsLiteral(m, symbolic: false)
        try expectTransposeIsLiteral(try a.then(b))
    }

    @Test func shapesAreCheckedWhenComposing() throws {
        let (a, _, c) = try factors()
        expectThrows(.shapeMismatch, "8 samples into an operator on 4") { try a.then(c) }
        expectThrows(.shapeMismatch, "in a list") { try Composed<Double>([c, a]) }
        expectThrows(.invalidArgument, "no factors") { try Composed<Double>([]) }
    }

    @Test(arguments: Precision.allCases)
    func formsAgreeAndDotTestHold(precision: Precision) throws {
        try check(precision.scalarType)
    }

    private func check<S: BLASScalar>(_: S.Type) throws {
        var rng = SplitMix64(seed: 9)
        let a = try Convolution<S>(kernel: randomScalars(3, using: &rng), inputLength: 10, mode: .same)
        let b = try Downsample<S>(factor: 2, inputLength: 10)
        let c = try TransposedConvolution<S>(kernel: randomScalars(4, using: &rng), stride: 3, inputLength: 5, mode: .valid)
        let d = try Upsample<S>(factor: 2, inputLength: c.codomain.count)
        // Four factors: the ping-pong buffers swap more than once.
        let m = try a.then(b).then(c).then(d)
        try expectFormsAgree(m)
        try expectFormsAgree(m.transposed)
        try expectDotTest(m)
        try expectDotTest(m, form: .sparse)
        // The dense matrix is the product of the factors' matrices (GEMM), last factor leftmost.
        var product = try a.dense()
        for f in [m.factors[1], m.factors[2], m.factors[3]] { product = try f.dense(budget: .unlimited).multiplied(by: product) }
        expectMatricesEqual(try m.dense(), product, rtol: S.testRelativeTolerance, atol: S.testAbsoluteTolerance)
        // One factor: applies as that factor.
        let single = try Composed<S>([a])
        try expectFormsAgree(single)
        expectMatricesEqual(try single.dense(), try a.dense())
    }

    /// An empty intermediate (a factor onto no samples) still gives the right, all-zero output.
    @Test func emptyIntermediateGivesZeros() throws {
        let m = try Composed<Double>([Downsample<Double>(factor: 1, inputLength: 0), MatrixOperator(DenseMatrix(zeros: 3, 0))])
        for form in Form.allCases {
            let y = try m.apply(Tensor(shape: [2, 0], scalars: []), form: form)
            #expect(y.shape.dims == [2, 3] && y.scalars.allSatisfy { $0 == 0 }, "\(form)")
        }
    }

    @Test func symbolicNeedsAtMostOneKernelPerProduct() throws {
        let (a, b, c) = try factors()
        let ab = try a.then(b)
        expectMatricesEqual(try ab.symbolic(), try b.symbolic().multiplied(by: a.symbolic()))
        expectThrows(.unsupported, "q * (p * x) is quadratic in the taps") { try ab.then(c).symbolic() }
    }

    /// The direct form's intermediates are budgeted before they are allocated (found by `make fuzz`, FuzzOperators:
    /// a replicate padding by 2⁴⁰ before a convolution of stride 2⁴¹ has 2 outputs but a padded intermediate of
    /// 2⁴¹ scalars, which the direct form allocated unchecked; `Fuzz/Regressions/operators/composed-intermediate-budget`).
    /// Every form in both directions is refused at once: pricing the rewrites walked the stride's 2⁴¹ phases (the
    /// polyphase split) and enumerated the padding's 2⁴¹ terms (its count) before the budget was checked.
    @Test func everyFormBudgetsItsIntermediates() throws {
        let layer = try ConvolutionLayer<Float>(
            inputShape: [1, 4], weight: Tensor(shape: [1, 1, 1], scalars: [1]), stride: [1 << 41],
            padding: .explicit(begin: [1 << 40], end: [1 << 40]), paddingMode: .replicate)
        let a = layer.linear
        #expect(a.domain.count == 4 && a.codomain.count <= 2)
        let budget = MemoryBudget(bytes: 1 << 24)
        for op in [a, a.anyTransposed] {
            let input = Tensor<Float>(shape: op.domain, repeating: 1)
            let e = expectThrows(.exceedsMemoryBudget) { try op.apply(input, form: .direct, budget: budget) }
            #expect(e?.description.contains("intermediate results") == true, "\(String(describing: e))")
            // The matrix forms need the padding's 2⁴¹ rows (or columns): refused before any term is enumerated.
            for form in [Form.dense, .sparse] {
                expectThrows(.exceedsMemoryBudget, "\(form)") { try op.apply(input, form: form, budget: budget) }
            }
        }
        // A chain whose intermediates fit runs as before (the same numbers as its factors in turn).
        let (c, d, _) = try factors()
        let v = try Tensor<Double>(shape: [8], scalars: (0..<8).map(Double.init))
        let y = try c.then(d).apply(v, form: .direct, budget: MemoryBudget(bytes: 1 << 10))
        _ = expectTensorsClose(y, try d.apply(try c.apply(v)))
    }
}
