import ConvAlgebra
import Testing

// Local checks for the layer tests; they follow _TestSupport's contracts (dot test, forms agree,
// seeded generator) and are kept distinct in name so both can coexist.

/// A seeded SplitMix64 generator, so every random test is reproducible.
struct LayerRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [−1, 1).
    mutating func uniform<S: BLASScalar>(_: S.Type = S.self) -> S {
        S(Double(next() >> 11) / Double(1 << 53) * 2 - 1)
    }
    mutating func array<S: BLASScalar>(_ n: Int, _: S.Type = S.self) -> [S] { (0..<n).map { _ in uniform(S.self) } }
    mutating func tensor<S: BLASScalar>(_ dims: [Int], _: S.Type = S.self) throws -> Tensor<S> {
        let s = try Shape(dims)
        return try Tensor(shape: s, scalars: array(s.count, S.self))
    }
}

func layerTolerance<S: BLASScalar>(_: S.Type) -> Double { S.self == Float.self ? 2e-4 : 1e-11 }

/// `max |a − b| ≤ tol · max(1, max |b|)`; reports the worst element.
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

/// ⟨A x, y⟩ = ⟨x, Aᵀ y⟩ for random x, y (the PyLops dot test), printing both sides on failure.
func layerDotTest<Op: LinearOperator>(_ op: Op, seed: UInt64 = 7, sourceLocation: SourceLocation = #_sourceLocation) throws {
    var rng = LayerRNG(seed: seed)
    let x = try rng.tensor([op.domain.count], Op.Scalar.self)
    let y = try rng.tensor([op.codomain.count], Op.Scalar.self)
    let ax = try op.apply(Tensor(shape: [1] + op.domain.dims, scalars: x.scalars))
    let aty = try op.transposed.apply(Tensor(shape: [1] + op.codomain.dims, scalars: y.scalars))
    var l = 0.0, r = 0.0, mag = 0.0
    for i in 0..<y.scalars.count { l += Double(ax.scalars[i]) * Double(y.scalars[i]); mag += abs(Double(ax.scalars[i]) * Double(y.scalars[i])) }
    for i in 0..<x.scalars.count { r += Double(aty.scalars[i]) * Double(x.scalars[i]); mag += abs(Double(aty.scalars[i]) * Double(x.scalars[i])) }
    let tol = layerTolerance(Op.Scalar.self) * max(1, mag)
    #expect(abs(l - r) <= tol, "dot test: ⟨Ax, y⟩ = \(l), ⟨x, Aᵀy⟩ = \(r)", sourceLocation: sourceLocation)
}

/// The direct, dense and sparse forms give the same batch output, and the transposes' forms agree too.
func layerFormsAgree<Op: LinearOperator>(_ op: Op, batch: Int = 2, seed: UInt64 = 11,
                                         sourceLocation: SourceLocation = #_sourceLocation) throws {
    var rng = LayerRNG(seed: seed)
    let x = try rng.tensor([batch] + op.domain.dims, Op.Scalar.self)
    let direct = try op.apply(x, form: .direct)
    let tol = layerTolerance(Op.Scalar.self)
    for form in [Form.dense, .sparse] {
        expectClose(try op.apply(x, form: form).scalars, direct.scalars, tol: tol, "\(form) vs direct", sourceLocation: sourceLocation)
    }
    let y = try rng.tensor([batch] + op.codomain.dims, Op.Scalar.self)
    let tdirect = try op.transposed.apply(y, form: .direct)
    for form in [Form.dense, .sparse] {
        expectClose(try op.transposed.apply(y, form: form).scalars, tdirect.scalars, tol: tol,
                    "transpose \(form) vs direct", sourceLocation: sourceLocation)
    }
}

/// The materialised transpose is the transpose of the materialised operator, entry for entry (exactly).
/// Composites (products of matrices) may sum an entry's paths in another order: `exact: false` allows rounding.
func expectLiteralTranspose<Op: LinearOperator>(_ op: Op, exact: Bool = true,
                                                sourceLocation: SourceLocation = #_sourceLocation) throws {
    let a = try op.dense(budget: .unlimited), at = try op.transposed.dense(budget: .unlimited)
    let s = try op.sparse(budget: .unlimited), st = try op.transposed.sparse(budget: .unlimited)
    #expect(at.rows == a.columns && at.columns == a.rows, sourceLocation: sourceLocation)
    if exact {
        #expect(at == a.transposed(), "dense(Aᵀ) != dense(A)ᵀ", sourceLocation: sourceLocation)
        #expect(st == s.transposed(), "sparse(Aᵀ) != sparse(A)ᵀ", sourceLocation: sourceLocation)
    } else {
        let tol = layerTolerance(Op.Scalar.self)
        expectClose(at.entries, a.transposed().entries, tol: tol, "dense(Aᵀ) vs dense(A)ᵀ", sourceLocation: sourceLocation)
        expectClose(try st.dense(budget: .unlimited).entries, try s.transposed().dense(budget: .unlimited).entries,
                    tol: tol, "sparse(Aᵀ) vs sparse(A)ᵀ", sourceLocation: sourceLocation)
    }
}

func dot<S: BLASScalar>(_ a: [S], _ b: [S]) -> Double {
    var s = 0.0
    for i in a.indices { s += Double(a[i]) * Double(b[i]) }
    return s
}
