import ConvAlgebra
import Testing

/// Expects the three forms of `op` to agree on a random batch: direct (``LinearOperator/applyUnchecked(_:_:batch:)``),
/// dense (``DenseMatrix/applyUnchecked(_:_:batch:)`` and ``DenseBatchProduct/applyUnchecked(_:_:batch:)``, one GEMM) and sparse (``CSRMatrix/applyUnchecked(_:_:batch:)``).
///
/// Checks, in order:
/// 1. the dense and sparse matrices are `codomain.count × domain.count`, and the sparse one's dense form
///    equals the dense one exactly (both come from one enumeration of the terms);
/// 2. each form's raw kernel writes into a NaN-filled buffer (XNNPACK's habit), so an element it never
///    writes stays NaN and fails; the dense and sparse outputs agree with the direct one within
///    `atol + rtol·|direct|`;
/// 3. the checked public ``LinearOperator/apply(_:form:budget:)`` gives the same numbers in every form.
///
/// Every failure is recorded at the caller, prefixed by `context` (say, the configuration and its seed).
/// - Throws: a materialisation error (over `budget`) or an apply error: a bug for the operators tested.
public func expectFormsAgree<Op: LinearOperator>(
    _ op: Op, rtol: Op.Scalar = Op.Scalar.testRelativeTolerance, atol: Op.Scalar = Op.Scalar.testAbsoluteTolerance,
    batch: Int = 3, seed: UInt64 = 0xF0_4A5, budget: MemoryBudget = .unlimited, context: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    typealias S = Op.Scalar
    let name = (context.isEmpty ? "" : context + ": ") + "\(Op.self) \(op.domain) → \(op.codomain)"
    let (m, n) = op.matrixSize
    var rng = SplitMix64(seed: seed)
    let x: Tensor<S> = try randomBatch(batch, of: op.domain, using: &rng)

    // 1. Materialisations.
    let dense = try op.dense(budget: budget)
    let sparse = try op.sparse(budget: budget)
    guard dense.rows == m, dense.columns == n, sparse.rows == m, sparse.columns == n else {
        Issue.record(Comment(rawValue:
            "\(name): dense matrix \(dense.rows) × \(dense.columns), sparse \(sparse.rows) × \(sparse.columns), expected \(m) × \(n)"),
            sourceLocation: sourceLocation)
        return
    }
    expectMatricesEqual(try sparse.dense(budget: budget), dense, "\(name): sparse matrix vs dense matrix",
                        sourceLocation: sourceLocation)

    // 2. Raw kernels into NaN-filled outputs.
    func run(_ body: (UnsafePointer<S>, UnsafeMutablePointer<S>) -> Void) -> [S] {
        var y: [S] = nanFilled(count: batch * m)
        x.scalars.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                // A zero-size batch still needs valid pointers.
                body(xp.baseAddress ?? UnsafePointer(bitPattern: 8)!, yp.baseAddress ?? UnsafeMutablePointer(bitPattern: 8)!)
            }
        }
        return y
    }
    let direct = run { op.applyUnchecked($0, $1, batch: batch) }
    let viaDense = run { dense.applyUnchecked($0, $1, batch: batch) }
    let denseBatch = try DenseBatchProduct(dense, budget: budget)
    let viaDenseBatch = run { denseBatch.applyUnchecked($0, $1, batch: batch) }
    let viaSparse = run { sparse.applyUnchecked($0, $1, batch: batch) }
    let written = direct.allSatisfy { !$0.isNaN }
    #expect(written, "\(name): the direct form left \(direct.filter(\.isNaN).count) of \(direct.count) outputs unwritten",
            sourceLocation: sourceLocation)
    expectAllClose(viaDense, direct, rtol: rtol, atol: atol, "\(name): dense form vs direct form", sourceLocation: sourceLocation)
    expectAllClose(viaDenseBatch, direct, rtol: rtol, atol: atol, "\(name): dense form (Aᵀ kept) vs direct form",
                   sourceLocation: sourceLocation)
    expectAllClose(viaSparse, direct, rtol: rtol, atol: atol, "\(name): sparse form vs direct form", sourceLocation: sourceLocation)

    // 3. The checked entry point.
    for form in Form.allCases {
        let y = try op.apply(x, form: form, budget: budget)
        expectAllClose(y.scalars, direct, rtol: rtol, atol: atol, "\(name): apply(form: .\(form)) vs direct form",
                       sourceLocation: sourceLocation)
    }
}

/// Expects the materialised transpose to be the transpose of the materialisation, entry for entry:
/// `dense(Aᵀ) = dense(A)ᵀ`, `sparse(Aᵀ) = sparse(A)ᵀ` (same pattern and values), and, unless
/// `symbolic` is false, `symbolic(Aᵀ) = symbolic(A)ᵀ`. Exact: the transpose is literal. Failures are prefixed
/// by `context`.
/// - Throws: a materialisation error.
public func expectTransposeIsLiteral<Op: LinearOperator>(
    _ op: Op, symbolic: Bool = true, budget: MemoryBudget = .unlimited, context: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let name = (context.isEmpty ? "" : context + ": ") + "\(Op.self) \(op.domain) → \(op.codomain)"
    let t = op.transposed
    #expect(t.domain == op.codomain && t.codomain == op.domain,
            "\(name): the transpose maps \(t.domain) → \(t.codomain)", sourceLocation: sourceLocation)
    expectMatricesEqual(try t.dense(budget: budget), try op.dense(budget: budget).transposed(),
                        "\(name): dense(Aᵀ) vs dense(A)ᵀ", sourceLocation: sourceLocation)
    expectMatricesEqual(try t.sparse(budget: budget), try op.sparse(budget: budget).transposed(),
                        "\(name): sparse(Aᵀ) vs sparse(A)ᵀ", sourceLocation: sourceLocation)
    if symbolic {
        expectMatricesEqual(try t.symbolic(), try op.symbolic().transposed(),
                            "\(name): symbolic(Aᵀ) vs symbolic(A)ᵀ", sourceLocation: sourceLocation)
    }
}
