import ConvAlgebra
import Testing
import _TestSupport

/// A memory-budget error of `apply` names the forms that would fit, and only those: each form it says fits runs
/// under the same budget, each it says does not is refused by it.
@Suite struct LinearOperatorFormFitTests {
    /// The description of `apply`'s budget error in `form`, which must be one.
    private func refusal<S: BLASScalar>(_ op: any LinearOperator<S>, _ x: Tensor<S>, _ form: Form,
                                        _ budget: MemoryBudget) -> String {
        let e = expectThrows(.exceedsMemoryBudget, "\(form)") { try op.apply(x, form: form, budget: budget) }
        return e?.description ?? ""
    }

    /// What `fit` says of each form is what `apply` does under that budget.
    private func expectFitsAgreeWithApply<S: BLASScalar>(_ op: any LinearOperator<S>, _ x: Tensor<S>, batch: Int,
                                                         _ budget: MemoryBudget, _ label: String) {
        for form in Form.concrete {
            switch op.fit(form, batch: batch, budget: budget) {
            case .fits: #expect(throws: Never.self, "\(label) \(form)") { _ = try op.apply(x, form: form, budget: budget) }
            case .exceeds: expectThrows(.exceedsMemoryBudget, "\(label) \(form)") { try op.apply(x, form: form, budget: budget) }
            case .unknown: break
            }
        }
    }

    /// A dense matrix of 4096² doubles (128 MiB) over a 1 MiB budget: the direct form (the output, 4096 doubles)
    /// and the sparse one (3·4096 − 2 terms of 24 bytes) fit, and the error says so with their bytes. Under
    /// 64 KiB the sparse matrix (295 KiB) is refused too, and only the direct form is named.
    @Test func aRefusedDenseFormNamesTheFormsThatFit() throws {
        let n = 4096
        // A fresh operator for each budget: an operator keeps the matrices it materialised (its plan cache), and a
        // kept matrix is not checked against a later, smaller budget.
        func conv() throws -> Convolution<Double> { try Convolution<Double>(kernel: [1, 2, 3], inputLength: n, mode: .same) }
        let x = Tensor<Double>(shape: try conv().domain, repeating: 1)
        let (outputBytes, sparseBytes) = (n * 8, (3 * n - 2) * 24)
        var m = refusal(try conv(), x, .dense, MemoryBudget(bytes: 1 << 20))
        #expect(m.contains("(the direct and sparse forms fit: \(outputBytes) and \(sparseBytes) bytes)"), "\(m)")
        #expect(!m.contains("use the"), "\(m)")
        expectFitsAgreeWithApply(try conv(), x, batch: 1, MemoryBudget(bytes: 1 << 20), "1 MiB")
        m = refusal(try conv(), x, .dense, MemoryBudget(bytes: 64 << 10))
        #expect(m.contains("(the direct form fits: \(outputBytes) bytes)"), "\(m)")
        m = refusal(try conv(), x, .sparse, MemoryBudget(bytes: 64 << 10))
        #expect(m.contains("(the direct form fits: \(outputBytes) bytes)"), "\(m)")
        expectFitsAgreeWithApply(try conv(), x, batch: 1, MemoryBudget(bytes: 64 << 10), "64 KiB")
        // An output over the budget: no form fits, and the error says what each of the others needs.
        m = refusal(try conv(), x, .direct, MemoryBudget(bytes: 1000))
        #expect(m.contains("(no other form is known to fit: dense needs at least \(n * n * 8) bytes, sparse needs at least \(sparseBytes) bytes)"), "\(m)")
    }

    /// The direct form refused for its intermediates (↑4 then ↓4 kept as two factors: 2 · 4096 samples · 64
    /// doubles = 4 MiB of buffers, over 1 MiB) while the dense form, a 16 × 16 matrix built from the factors'
    /// small CSR matrices, fits: the error names the dense form, and it runs under that budget.
    @Test func aRefusedDirectFormNamesTheDenseFormWhenItFits() throws {
        let chain = try Composed<Double>([Upsample(factor: 4, inputLength: 16), Downsample(factor: 4, inputLength: 64)],
                                         rewriting: false)
        #expect(chain.domain.count == 16 && chain.codomain.count == 16)
        let batch = 4096
        let x = Tensor<Double>(shape: try Shape([batch, 16]), repeating: 1)
        let budget = MemoryBudget(bytes: 1 << 20)
        let m = refusal(chain, x, .direct, budget)
        #expect(m.contains("intermediate results") && m.contains("(the dense form fits: \(batch * 16 * 8) bytes)"), "\(m)")
        #expect(!m.contains("direct form fits") && !m.contains("sparse form fits"), "\(m)")
        #expect(chain.fit(.sparse, batch: batch, budget: budget) == .unknown)  // a sparse product: not known unbuilt
        expectFitsAgreeWithApply(chain, x, batch: batch, budget, "↓4 ↑4")
    }

    /// The fuzz-found layer (`ComposedTests.everyFormBudgetsItsIntermediates`): its direct form is refused, and no
    /// other form fits either (each must build the padding's CSR matrix, 2⁴¹ + 4 rows); the error used to end with
    /// "use the direct or sparse form".
    @Test func aRefusedDirectFormSaysWhenNoFormFits() throws {
        let layer = try ConvolutionLayer<Float>(
            inputShape: [1, 4], weight: Tensor(shape: [1, 1, 1], scalars: [1]), stride: [1 << 41],
            padding: .explicit(begin: [1 << 40], end: [1 << 40]), paddingMode: .replicate)
        let budget = MemoryBudget(bytes: 1 << 24)
        for op in [layer.linear, layer.linear.anyTransposed] {
            let x = Tensor<Float>(shape: op.domain, repeating: 1)
            let m = refusal(op, x, .direct, budget)
            #expect(m.contains("(no other form is known to fit: dense needs at least ") && m.contains(", sparse needs at least "), "\(m)")
            #expect(!m.contains("use the") && !m.contains("fits:"), "\(m)")
            for form in [Form.dense, .sparse] {
                guard case .exceeds(let b) = op.fit(form, batch: 1, budget: budget) else {
                    Issue.record("\(form): \(op.fit(form, batch: 1, budget: budget))"); continue
                }
                #expect(b >= ((1 << 41) + 5) * 8, "\(form): the padding's row offsets")
            }
            expectFitsAgreeWithApply(op, x, batch: 1, budget, "fuzz layer")
        }
    }

    /// Sizes that overflow are reported as such, not wrapped into a small number that would seem to fit.
    @Test func overflowingSizesNeverFit() throws {
        let c = try Convolution<Double>(kernel: [1, 2], inputLength: 1 << 32, mode: .same)
        #expect(c.fit(.dense, batch: 1, budget: .unlimited) == .exceeds(.max))
        #expect(c.fit(.direct, batch: 1 << 30, budget: .unlimited) == .exceeds(.max))
    }
}
