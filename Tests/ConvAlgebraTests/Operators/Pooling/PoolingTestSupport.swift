import ConvAlgebra
import Testing
import _TestSupport

// The pooling-family tests' use of the shared checks in `_TestSupport`, plus a NaN-aware comparison for the
// PyTorch fixtures (max pooling propagates NaN, and a NaN must match a NaN).

extension SplitMix64 {
    /// A tensor of uniform entries in [−1, 1], through ``randomTensor(_:in:using:)``.
    mutating func tensor<S: BLASScalar>(_ dims: [Int], _: S.Type = S.self) throws -> Tensor<S> {
        try randomTensor(dims, using: &self)
    }
}

/// The largest |a − b| relative to 1 + max|b|; NaN must meet NaN and an infinity the same infinity.
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

/// Every form agrees for the operator and its transpose (NaN-filled outputs, so an unwritten element fails),
/// the materialised transpose is the transpose of the materialisation entry for entry, and the dot test holds.
func expectPoolFormsAgree<Op: LinearOperator>(_ op: Op, seed: UInt64 = 1,
                                              sourceLocation: SourceLocation = #_sourceLocation) throws {
    try expectFormsAgree(op, seed: seed, sourceLocation: sourceLocation)
    try expectFormsAgree(op.transposed, seed: seed &+ 1, sourceLocation: sourceLocation)
    try expectTransposeIsLiteral(op, sourceLocation: sourceLocation)
    try expectDotTest(op, seed: seed &+ 7, sourceLocation: sourceLocation)
}
