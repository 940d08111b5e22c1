import ConvAlgebra

extension BLASScalar {
    /// The default relative tolerance of the shared checks: `2¹⁰·ε` (about `1.2e-4` for `Float`,
    /// `2.3e-13` for `Double`), room for the rounding of a sum of a few hundred terms summed in
    /// different orders (a direct loop, a GEMM, a CSR row).
    public static var testRelativeTolerance: Self { ulpOfOne * 1024 }

    /// The default absolute tolerance, for entries that should be zero: also `2¹⁰·ε`.
    public static var testAbsoluteTolerance: Self { ulpOfOne * 1024 }
}

/// Whether `actual` is within `atol + rtol·|expected|` of `expected`; false when either is NaN.
public func isClose<S: BLASScalar>(_ actual: S, _ expected: S, rtol: S, atol: S) -> Bool {
    guard !actual.isNaN, !expected.isNaN else { return false }
    if actual == expected { return true }  // equal infinities
    return abs(actual - expected) <= atol + rtol * abs(expected)
}
