import ConvAlgebra
import Testing

// Local checks for the pooling-family tests (the shared `_TestSupport` versions replace these once they land).

/// A seeded SplitMix64 stream of uniform scalars in [−1, 1).
struct PoolRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func scalar<S: BLASScalar>(_: S.Type = S.self) -> S { S(Double(next() >> 11) / Double(1 << 52) - 1) }
    mutating func tensor<S: BLASScalar>(_ dims: [Int], _: S.Type = S.self) throws -> Tensor<S> {
        let n = dims.reduce(1, *)
        return try Tensor(shape: dims, scalars: (0..<n).map { _ in scalar(S.self) })
    }
}

/// The largest |a − b| relative to 1 + max|b|.
func poolMaxError<S: BLASScalar>(_ a: [S], _ b: [S]) -> Double {
    guard a.count == b.count else { return .infinity }
    var scale = 1.0, err = 0.0
    for (u, v) in zip(a, b) {
        if u.isNaN || v.isNaN { if u.isNaN != v.isNaN { return .infinity }; continue }
        if u.isInfinite || v.isInfinite { if u != v { return .infinity }; continue }
        scale = max(scale, abs(Double(v)))
        err = max(err, abs(Double(u) - Double(v)))
    }
    return err / scale
}

func poolTolerance<S: BLASScalar>(_: S.Type) -> Double { S.self == Float.self ? 1e-5 : 1e-12 }

/// Direct, dense and sparse forms agree on a random batch of 3, for the operator and its transpose,
/// and the materialised transpose is the transpose of the materialised matrix, entry for entry.
func expectPoolFormsAgree<Op: LinearOperator>(_ op: Op, seed: UInt64 = 1,
                                              sourceLocation: SourceLocation = #_sourceLocation) throws {
    var rng = PoolRandom(seed: seed)
    let tol = poolTolerance(Op.Scalar.self)
    let x = try rng.tensor([3] + op.domain.dims, Op.Scalar.self)
    let direct = try op.apply(x, form: .direct, budget: .unlimited)
    #expect(direct.shape.dims == [3] + op.codomain.dims, sourceLocation: sourceLocation)
    for form in [Form.dense, .sparse] {
        let y = try op.apply(x, form: form, budget: .unlimited)
        #expect(poolMaxError(y.scalars, direct.scalars) <= tol, "forward \(form) vs direct", sourceLocation: sourceLocation)
    }
    let dy = try rng.tensor([3] + op.codomain.dims, Op.Scalar.self)
    let back = try op.applyTransposed(dy, form: .direct, budget: .unlimited)
    for form in [Form.dense, .sparse] {
        let y = try op.applyTransposed(dy, form: form, budget: .unlimited)
        #expect(poolMaxError(y.scalars, back.scalars) <= tol, "transpose \(form) vs direct", sourceLocation: sourceLocation)
    }
    let a = try op.dense(budget: .unlimited), at = try op.transposed.dense(budget: .unlimited)
    #expect(at == a.transposed(), "dense(Aᵀ) == dense(A)ᵀ", sourceLocation: sourceLocation)
    let s = try op.sparse(budget: .unlimited), st = try op.transposed.sparse(budget: .unlimited)
    #expect(st == s.transposed(), "sparse(Aᵀ) == sparse(A)ᵀ", sourceLocation: sourceLocation)
    try expectPoolDotTest(op, seed: seed &+ 7, sourceLocation: sourceLocation)
}

/// ⟨A x, y⟩ = ⟨x, Aᵀ y⟩ for random x, y (both sides printed on failure).
func expectPoolDotTest<Op: LinearOperator>(_ op: Op, seed: UInt64 = 3,
                                           sourceLocation: SourceLocation = #_sourceLocation) throws {
    var rng = PoolRandom(seed: seed)
    let x = try rng.tensor(op.domain.dims, Op.Scalar.self), y = try rng.tensor(op.codomain.dims, Op.Scalar.self)
    let ax = try op.apply(x), aty = try op.applyTransposed(y)
    let lhs = zip(ax.scalars, y.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let rhs = zip(x.scalars, aty.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let tol = Op.Scalar.self == Float.self ? 1e-4 : 1e-10
    #expect(abs(lhs - rhs) <= tol * max(1, abs(lhs)), "dot test: ⟨Ax, y⟩ = \(lhs), ⟨x, Aᵀy⟩ = \(rhs)",
            sourceLocation: sourceLocation)
}
