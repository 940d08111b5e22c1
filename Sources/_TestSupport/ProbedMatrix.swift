import ConvAlgebra

/// The matrix of `op` found by applying its direct form to every unit vector `eⱼ` (column `j` is `A eⱼ`).
///
/// A test oracle only, independent of the operator's own materialisation: it sees nothing but
/// ``LinearOperator/applyUnchecked(_:_:batch:)``, run once on the identity as a batch of `n` samples.
/// - Complexity: `n` applications; `n²` scalars of input, `m·n` of output.
public func probedMatrix<Op: LinearOperator>(_ op: Op) throws -> DenseMatrix<Op.Scalar> {
    let (m, n) = op.matrixSize
    var identity = [Op.Scalar](repeating: 0, count: n * n)
    for j in 0..<n { identity[j * n + j] = 1 }
    var columns: [Op.Scalar] = nanFilled(count: n * m)
    if m > 0 && n > 0 {
        identity.withUnsafeBufferPointer { e in
            columns.withUnsafeMutableBufferPointer { y in op.applyUnchecked(e.baseAddress!, y.baseAddress!, batch: n) }
        }
    }
    var a = try DenseMatrix<Op.Scalar>(zeros: m, n, budget: .unlimited)
    for j in 0..<n { for r in 0..<m { a[r, j] = columns[j * m + r] } }
    return a
}

/// The symbolic matrix whose entries are the constants of a numeric matrix (no kernel taps): lets a
/// kernel-free factor such as nearest-neighbour up-sampling multiply a symbolic kernel matrix.
public func constantSymbolicMatrix<S: BLASScalar>(_ a: DenseMatrix<S>) -> SymbolicMatrix {
    var s = SymbolicMatrix(zeros: a.rows, a.columns)
    for r in 0..<a.rows { for c in 0..<a.columns where a[r, c] != 0 { s[r, c] = SymbolicEntry(constant: Double(a[r, c])) } }
    return s
}

/// `m` with every tap `qₜ` replaced by the linear form `forms[t]`: expresses a matrix over a fused
/// kernel `p = a * q` in the taps of `q` (`p₁ ↦ q0+q1`).
public func substituting(_ forms: [SymbolicEntry], into m: SymbolicMatrix) -> SymbolicMatrix {
    var s = SymbolicMatrix(zeros: m.rows, m.columns)
    for i in 0..<m.entries.count {
        let e = m.entries[i]
        var r = SymbolicEntry(constant: e.constant)
        for (t, c) in e.terms { r = r + forms[t].scaled(by: c) }
        s.entries[i] = r
    }
    return s
}
