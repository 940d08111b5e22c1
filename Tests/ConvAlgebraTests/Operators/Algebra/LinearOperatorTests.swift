import ConvAlgebra
import Testing
import _TestSupport

/// The checked entry points of every operator: `apply(_:form:budget:)`, `applyTransposed`, memory budgets.
@Suite struct LinearOperatorTests {
    @Test func applyKeepsLeadingBatchDimensions() throws {
        var rng = SplitMix64(seed: 1)
        let c = try Convolution<Float>(kernel: randomScalars(3, using: &rng), inputLength: 6, mode: .full)
        for dims in [[6], [4, 6], [2, 3, 6], [0, 6]] {
            let x: Tensor<Float> = try randomTensor(dims, using: &rng)
            for form in Form.allCases {
                let y = try c.apply(x, form: form)
                #expect(y.shape.dims == Array(dims.dropLast()) + [8], "\(dims) \(form)")
            }
        }
    }

    @Test func applyTransposedIsTheTransposeApplied() throws {
        var rng = SplitMix64(seed: 2)
        let c = try Convolution<Double>(kernel: randomScalars(4, using: &rng), inputLength: 9, mode: .same, stride: 2)
        let y: Tensor<Double> = try randomBatch(3, of: c.codomain, using: &rng)
        for form in Form.allCases {
            expectTensorsClose(try c.applyTransposed(y, form: form), try c.transposed.apply(y, form: .direct), "\(form)")
        }
        let any: any LinearOperator<Double> = c.anyTransposed
        #expect(any.domain == c.codomain && any.codomain == c.domain)
        #expect(c.matrixSize == (5, 9))
    }

    /// A dense matrix over a small budget is refused before it is allocated; the sparse and direct
    /// forms of the same operator still run within that budget.
    @Test(arguments: Precision.allCases)
    func memoryBudgetRefusesTheDenseFormOnly(precision: Precision) throws {
        try checkBudget(precision.scalarType)
    }

    private func checkBudget<S: BLASScalar>(_: S.Type) throws {
        var rng = SplitMix64(seed: 3)
        let n = 2000
        let c = try Convolution<S>(kernel: randomScalars(5, using: &rng), inputLength: n, mode: .same)
        let budget = MemoryBudget(bytes: 1 << 20)  // the dense matrix needs n²·size ≥ 16 MB
        let error = expectThrows(.exceedsMemoryBudget) { try c.dense(budget: budget) }
        if case let .exceedsMemoryBudget(_, bytes, limit)? = error {
            #expect(bytes == n * n * MemoryLayout<S>.stride && limit == 1 << 20)
        }
        expectThrows(.exceedsMemoryBudget, "the transpose") { try c.transposed.dense(budget: budget) }
        let x: Tensor<S> = try randomBatch(2, of: c.domain, using: &rng)
        expectThrows(.exceedsMemoryBudget, "apply(form: .dense)") { try c.apply(x, form: .dense, budget: budget) }
        let direct = try c.apply(x, form: .direct, budget: budget)
        let sparse = try c.apply(x, form: .sparse, budget: budget)
        expectTensorsClose(sparse, direct)
        #expect(try c.sparse(budget: budget).nonzeroCount == 5 * n - 6)
        // A composite checks too, before it multiplies anything.
        let m = try c.then(Downsample(factor: 2, inputLength: n))
        expectThrows(.exceedsMemoryBudget, "a composite") { try m.dense(budget: budget) }
        expectTensorsClose(try m.apply(x, form: .sparse, budget: budget), try m.apply(x, budget: budget))
        // The output itself is checked against the budget, in every form.
        for form in Form.allCases {
            expectThrows(.exceedsMemoryBudget, "an output over the budget, \(form)") {
                try c.apply(x, form: form, budget: MemoryBudget(bytes: 100))
            }
        }
    }

    @Test func symbolicMatricesHaveTheirOwnCap() throws {
        let c = try Convolution<Float>(kernel: [1, 2, 3], inputLength: 20_000, mode: .same)
        expectThrows(.exceedsMemoryBudget, "a 20000 × 20000 symbolic matrix") { try c.symbolic() }
    }

    @Test func formsHaveTheirNames() {
        #expect(Form.allCases.map(\.rawValue) == ["direct", "dense", "sparse", "auto"])
        #expect(Form.concrete == [.direct, .dense, .sparse])
        #expect(Form(rawValue: "dense") == .dense && Form(rawValue: "auto") == .auto && Form(rawValue: "fast") == nil)
    }

    /// Without a cost model, `apply(form: .auto)` runs the direct form: no matrix is built, so a budget that
    /// refuses the dense and sparse matrices does not refuse it, and the result is the direct form's, bit for bit.
    @Test func autoResolvesToTheDirectForm() throws {
        var rng = SplitMix64(seed: 5)
        let c = try Convolution<Float>(kernel: randomScalars(5, using: &rng), inputLength: 2000, mode: .same)
        #expect(c.resolved(.auto) == .direct)
        #expect(Form.concrete.allSatisfy { c.resolved($0) == $0 })
        let x: Tensor<Float> = try randomBatch(2, of: c.domain, using: &rng)
        let budget = MemoryBudget(bytes: 64 * 1024)   // the output fits; neither matrix does
        expectThrows(.exceedsMemoryBudget, "dense") { try c.apply(x, form: .dense, budget: budget) }
        expectThrows(.exceedsMemoryBudget, "sparse") { try c.apply(x, form: .sparse, budget: budget) }
        let auto = try c.apply(x, form: .auto, budget: budget)
        #expect(auto.scalars == (try c.apply(x, form: .direct, budget: budget)).scalars)
        #expect(try c.applyTransposed(auto, form: .auto, budget: budget).scalars
                == (try c.applyTransposed(auto, form: .direct, budget: budget)).scalars)
    }

    /// The dense and sparse forms are plans too: materialised by the first apply, kept in the operator's
    /// cache, reused by the next (same numbers), and kept apart for the operator and its transpose.
    @Test func materialisedFormsAreBuiltOnce() throws {
        var rng = SplitMix64(seed: 5)
        let c = try Convolution<Double>(kernel: rng.uniform(5), inputLength: 40, mode: .same, stride: 2)
        let x = try Tensor<Double>(shape: [3, 40], scalars: rng.uniform(120))
        let cache = try #require(c.planCache)
        #expect(cache.count == 0)
        let first = try c.apply(x, form: .dense)
        #expect(cache.count == 1)
        let second = try c.apply(x, form: .dense)
        #expect(cache.count == 1)
        #expect(first.scalars == second.scalars)
        _ = try c.apply(x, form: .sparse)
        #expect(cache.count == 2)
        let y = try c.apply(x)
        let back = try c.applyTransposed(y, form: .dense)
        #expect(cache.count == 4)  // the transpose's dense matrix, and both directions' direct plans
        let direct = try c.applyTransposed(y, form: .direct)
        expectTensorsClose(back, direct)
        #expect(Identity<Double>(shape: try Shape([3])).planCache == nil)
    }
}
