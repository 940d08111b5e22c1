import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels

/// Singular values of a dense matrix through LAPACK's divide-and-conquer SVD.
extension DenseMatrix {
    /// All singular values `σ₁ ≥ σ₂ ≥ … ≥ σ_min(m,n) ≥ 0` of this `m × n` matrix (`?gesdd`, values only).
    ///
    /// ```
    /// A = U Σ Vᵀ,   Σ = diag(σ₁, …, σ_min(m,n))
    /// ```
    /// The transpose has the same singular values, `Aᵀ = V Σ Uᵀ`.
    /// - Throws: ``ConvAlgebraError/exceedsMemoryBudget(what:bytes:budget:)`` when the working copy and
    ///   LAPACK's workspace do not fit `budget`; ``ConvAlgebraError/overflow(_:)`` for sizes beyond LAPACK's
    ///   32-bit integers; ``ConvAlgebraError/invalidArgument(_:)`` when LAPACK rejects the matrix (a NaN or an
    ///   infinity) or does not converge.
    /// - Complexity: about `4·m·n·min(m,n)` FLOPs; `m·n + 7·min(m,n) + max(m,n)` scalars of memory
    ///   (`?gesdd` overwrites its input, so it works on a copy).
    public func singularValues(budget: MemoryBudget = .default) throws -> [Scalar] {
        let k = Swift.min(rows, columns)
        guard k > 0 else { return [] }
        guard rows <= Int(Int32.max), columns <= Int(Int32.max) else {
            throw ConvAlgebraError.overflow("a \(rows) × \(columns) matrix exceeds LAPACK's 32-bit sizes")
        }
        // jobz = 'N' needs LWORK ≥ 3·min + max(max, 7·min) scalars and 8·min integers besides the copy.
        let workspace = 3 * k + Swift.max(Swift.max(rows, columns), 7 * k) + 8 * k
        let count = try Checked.add(entries.count, workspace, "the SVD workspace")
        try budget.check("a dense SVD of a \(rows) × \(columns) matrix", count: count,
                         elementBytes: MemoryLayout<Scalar>.stride)
        var a = entries
        var s = [Scalar](repeating: 0, count: k)
        let info = a.withUnsafeMutableBufferPointer { ap in
            s.withUnsafeMutableBufferPointer { sp in
                Scalar.singularValues(m: rows, n: columns, a: ap.baseAddress!, lda: columns, s: sp.baseAddress!)
            }
        }
        try LAPACKStatus.check(info, routine: "?gesdd", rows: rows, columns: columns)
        return s
    }

    /// The largest singular value `σ₁ = ‖A‖₂` (0 for an empty matrix).
    /// - Throws: as ``singularValues(budget:)``.
    public func spectralNorm(budget: MemoryBudget = .default) throws -> Scalar {
        try singularValues(budget: budget).first ?? 0
    }
}

/// Turns LAPACK's `info` into a ``ConvAlgebraError``.
package enum LAPACKStatus {
    package static func check(_ info: Int, routine: String, rows: Int, columns: Int) throws {
        if info < 0 {
            // LAPACKE checks its inputs for NaN before calling LAPACK; a rejected argument here
            // is almost always a non-finite entry (the sizes were validated above).
            throw ConvAlgebraError.invalidArgument(
                "\(routine) rejected argument \(-info) of a \(rows) × \(columns) matrix (does it hold a NaN or an infinity?)")
        }
        if info > 0 {
            throw ConvAlgebraError.invalidArgument(
                "\(routine) did not converge on a \(rows) × \(columns) matrix (info \(info))")
        }
    }
}
