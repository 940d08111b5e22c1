import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels

/// Minimum-norm, optionally Tikhonov-regularised least squares through LAPACK's SVD-based solver.
extension DenseMatrix {
    /// The solution of `min ‖A X − B‖² + λ‖X‖²` (Frobenius norms) for this `m × n` matrix `A` and an
    /// `m × r` right-hand side `B`, by `?gelsd`.
    ///
    /// ```
    /// λ = 0:  X = A⁺ B                      (minimum-norm least squares; A⁺ the pseudo-inverse)
    /// λ > 0:  X = (AᵀA + λI)⁻¹ Aᵀ B  = argmin ‖[A; √λ I] X − [B; 0]‖
    /// ```
    /// The regularised problem is solved as the augmented `(m + n) × n` system, never through the normal
    /// equations (which would square the condition number). Singular values below
    /// `max(m', n) · ε · σ₁` (NumPy's `lstsq`/`matrix_rank` tolerance, `m'` the rows of the solved system) count as zero.
    /// - Parameters:
    ///   - b: the right-hand sides, `m × r`.
    ///   - lambda: the Tikhonov weight `λ ≥ 0`.
    /// - Returns: `X` (`n × r`), the rank of the solved system, and its singular values (those of
    ///   `[A; √λ I]`, that is `√(σᵢ² + λ)`).
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `b` does not have `m` rows;
    ///   ``ConvAlgebraError/invalidArgument(_:)`` for a negative or non-finite `λ` or a LAPACK failure;
    ///   a memory-budget or overflow error.
    /// - Complexity: about `4·m'·n·min(m',n) + 2·m'·n·r` FLOPs; `m'·n + max(m',n)·r` scalars plus LAPACK's workspace.
    public func leastSquares(_ b: DenseMatrix, regularization lambda: Scalar = 0,
                             budget: MemoryBudget = .default) throws -> (solution: DenseMatrix, rank: Int, singularValues: [Scalar]) {
        guard b.rows == rows else {
            throw ConvAlgebraError.shapeMismatch(
                "a least-squares right-hand side needs \(rows) rows for a \(rows) × \(columns) matrix, got \(b.rows) × \(b.columns)")
        }
        guard lambda.isFinite, lambda >= 0 else {
            throw ConvAlgebraError.invalidArgument("the Tikhonov regularisation must be finite and non-negative, got \(lambda)")
        }
        let (m, n, r) = (lambda > 0 ? try Checked.add(rows, columns, "the augmented system") : rows, columns, b.columns)
        guard n > 0, r > 0 else { return (try DenseMatrix(zeros: n, r, budget: budget), 0, []) }
        guard m <= Int(Int32.max), n <= Int(Int32.max), r <= Int(Int32.max) else {
            throw ConvAlgebraError.overflow("a \(m) × \(n) least-squares system exceeds LAPACK's 32-bit sizes")
        }
        let k = Swift.min(m, n), tall = Swift.max(m, n)
        // gelsd's workspace is about 12·k + 2·k·SMLSIZ + 8·k·NLVL + k·r scalars (SMLSIZ = 25, NLVL ≤ 64).
        let matrixCount = try Checked.multiply(m, n, "the least-squares matrix")
        let rhsCount = try Checked.multiply(tall, r, "the least-squares right-hand side")
        let workspace = try Checked.multiply(k, 12 + 50 + 8 * 64 + r, "the least-squares workspace")
        let total = try Checked.add(try Checked.add(matrixCount, rhsCount, "the least-squares system"), workspace,
                                    "the least-squares system")
        try budget.check("a least-squares solve of a \(m) × \(n) system with \(r) right-hand sides", count: total,
                         elementBytes: MemoryLayout<Scalar>.stride)

        var a = [Scalar](repeating: 0, count: matrixCount)
        a.replaceSubrange(0..<entries.count, with: entries)
        if lambda > 0 {
            let root = lambda.squareRoot()
            for j in 0..<n { a[(rows + j) * n + j] = root }
        }
        // B is max(m, n) × r: the rows past m are scratch that return the solution's tail.
        var rhs = [Scalar](repeating: 0, count: rhsCount)
        rhs.replaceSubrange(0..<b.entries.count, with: b.entries)
        var s = [Scalar](repeating: 0, count: k)
        let rcond = Scalar(tall) * Scalar.ulpOfOne
        let (info, rank) = a.withUnsafeMutableBufferPointer { ap in
            rhs.withUnsafeMutableBufferPointer { bp in
                s.withUnsafeMutableBufferPointer { sp in
                    Scalar.leastSquares(m: m, n: n, nrhs: r, a: ap.baseAddress!, lda: n, b: bp.baseAddress!, ldb: r,
                                        s: sp.baseAddress!, rcond: rcond)
                }
            }
        }
        try LAPACKStatus.check(info, routine: "?gelsd", rows: m, columns: n)
        let x = try DenseMatrix(rows: n, columns: r, entries: Array(rhs[0..<(n * r)]))
        return (x, rank, s)
    }
}
