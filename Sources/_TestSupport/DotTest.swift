import ConvAlgebra
import Testing

/// The outcome of one dot test: both sides of `⟨A x, y⟩ = ⟨x, Aᵀ y⟩` and the bound they had to meet.
public struct DotTestResult: Sendable, CustomStringConvertible {
    /// `⟨A x, y⟩`, accumulated in `Double`.
    public let forward: Double
    /// `⟨x, Aᵀ y⟩`, accumulated in `Double`.
    public let adjoint: Double
    /// `atol + rtol·s`, `s` the larger of `Σ|(A x)ᵢ·yᵢ|` and `Σ|xᵢ·(Aᵀ y)ᵢ|`.
    public let tolerance: Double

    public var passed: Bool { abs(forward - adjoint) <= tolerance }

    public var description: String {
        "⟨Ax, y⟩ = \(forward), ⟨x, Aᵀy⟩ = \(adjoint), |difference| = \(abs(forward - adjoint)), tolerance = \(tolerance)"
    }
}

/// The dot test (PyLops' `dottest`): for random `x` in the domain and `y` in the codomain,
/// ```
/// ⟨A x, y⟩ = ⟨x, Aᵀ y⟩
/// ```
/// within `atol + rtol·s`, where `s = max(Σ|(A x)ᵢ yᵢ|, Σ|xᵢ (Aᵀ y)ᵢ|)` is the size of the terms
/// (the scale of the rounding error of a sum, so cancellation in the sum cannot make it flaky).
/// `A x` and `Aᵀ y` are computed through the checked public entry ``LinearOperator/apply(_:form:budget:)``
/// of `op` and of `op.transposed`, in `form`, on `batch` samples at once; the inner products run over
/// the whole batch.
///
/// On failure the issue, recorded at the caller and prefixed by `context`, prints both sides.
/// - Throws: whatever applying the operator throws (a shape or budget error is a bug of the operator).
@discardableResult
public func expectDotTest<Op: LinearOperator>(
    _ op: Op, rtol: Op.Scalar = Op.Scalar.testRelativeTolerance, atol: Op.Scalar = Op.Scalar.testAbsoluteTolerance,
    batch: Int = 2, seed: UInt64 = 0xD07_7E57, form: Form = .direct, budget: MemoryBudget = .unlimited,
    context: String = "", sourceLocation: SourceLocation = #_sourceLocation
) throws -> DotTestResult {
    var rng = SplitMix64(seed: seed)
    let x: Tensor<Op.Scalar> = try randomBatch(batch, of: op.domain, using: &rng)
    let y: Tensor<Op.Scalar> = try randomBatch(batch, of: op.codomain, using: &rng)
    let ax = try op.apply(x, form: form, budget: budget)
    let aty = try op.transposed.apply(y, form: form, budget: budget)
    let (forward, forwardScale) = innerProduct(ax.scalars, y.scalars)
    let (adjoint, adjointScale) = innerProduct(x.scalars, aty.scalars)
    let result = DotTestResult(forward: forward, adjoint: adjoint,
                               tolerance: Double(atol) + Double(rtol) * max(forwardScale, adjointScale))
    if !result.passed || forward.isNaN || adjoint.isNaN {
        Issue.record(Comment(rawValue:
            (context.isEmpty ? "" : context + ": ") + "dot test failed for \(Op.self) \(op.domain) → \(op.codomain), \(form) form, batch \(batch), seed \(seed): \(result)"),
            sourceLocation: sourceLocation)
    }
    return result
}

/// `(Σ aᵢ·bᵢ, Σ |aᵢ·bᵢ|)` accumulated in `Double`.
func innerProduct<S: BLASScalar>(_ a: [S], _ b: [S]) -> (Double, Double) {
    var s = 0.0, m = 0.0
    for (u, v) in zip(a, b) { let p = Double(u) * Double(v); s += p; m += abs(p) }
    return (s, m)
}
