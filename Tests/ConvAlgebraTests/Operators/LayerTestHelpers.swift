import ConvAlgebra
import Testing
import _TestSupport

// Small conveniences of the layer tests on top of _TestSupport (SplitMix64, expectTransposeIsLiteral).

/// Seeded random arrays and tensors in [−1, 1) from _TestSupport's SplitMix64.
struct LayerRNG {
    var rng: SplitMix64
    init(seed: UInt64) { rng = SplitMix64(seed: seed) }
    mutating func array<S: BLASScalar>(_ n: Int, _: S.Type = S.self) -> [S] { randomScalars(n, using: &rng) }
    mutating func tensor<S: BLASScalar>(_ dims: [Int], _: S.Type = S.self) throws -> Tensor<S> { try randomTensor(dims, using: &rng) }
}

/// `max |a − b| ≤ tol · max(1, max |b|)`; reports the worst element (for comparisons with PyTorch and the
/// reference loops, whose rounding differs from ours by a few ulps of the largest value).
func expectClose<S: BLASScalar>(_ a: [S], _ b: [S], tol: Double, _ what: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
    guard a.count == b.count else {
        Issue.record("\(what): \(a.count) values vs \(b.count)", sourceLocation: sourceLocation); return
    }
    var worst = 0.0, at = -1, scale = 1.0
    for v in b { scale = max(scale, abs(Double(v))) }
    for i in a.indices {
        let e = abs(Double(a[i]) - Double(b[i]))
        if !(e <= worst) { worst = e; at = i }
    }
    if at >= 0 && !(worst <= tol * scale) {
        Issue.record("\(what): |Δ| = \(worst) at \(at) (\(a[at]) vs \(b[at])), tolerance \(tol * scale)", sourceLocation: sourceLocation)
    }
}

/// The materialised transpose is the transpose of the materialised operator. Exact (``expectTransposeIsLiteral``)
/// for stencils; a composite's product (padding then conv) may sum an entry's paths in another order, so
/// `exact: false` allows rounding there.
func expectLiteralTranspose<Op: LinearOperator>(_ op: Op, exact: Bool = true,
                                                sourceLocation: SourceLocation = #_sourceLocation) throws {
    if exact {
        try expectTransposeIsLiteral(op, sourceLocation: sourceLocation)
        return
    }
    let a = try op.dense(budget: .unlimited), at = try op.transposed.dense(budget: .unlimited)
    let s = try op.sparse(budget: .unlimited), st = try op.transposed.sparse(budget: .unlimited)
    #expect(at.rows == a.columns && at.columns == a.rows, sourceLocation: sourceLocation)
    let tol = Op.Scalar.self == Float.self ? 2e-6 : 1e-14
    expectClose(at.entries, a.transposed().entries, tol: tol, "dense(Aᵀ) vs dense(A)ᵀ", sourceLocation: sourceLocation)
    expectClose(try st.dense(budget: .unlimited).entries, try s.transposed().dense(budget: .unlimited).entries,
                tol: tol, "sparse(Aᵀ) vs sparse(A)ᵀ", sourceLocation: sourceLocation)
}

func dot<S: BLASScalar>(_ a: [S], _ b: [S]) -> Double {
    var s = 0.0
    for i in a.indices { s += Double(a[i]) * Double(b[i]) }
    return s
}
