import ConvAlgebraCore
import CLAPACKE

/// All eigenpairs of a small real symmetric matrix, by LAPACK's divide-and-conquer `dsyevd`.
///
/// ```
/// T = Y Λ Yᵀ,   Λ = diag(λ₁ ≥ … ≥ λₙ),   YᵀY = I
/// ```
/// The projected matrices of the Krylov methods (``BlockLanczos`` in Analysis) are a few hundred wide, so this
/// is `O(n³)` on a matrix that is small beside the operator.
package enum SymmetricEigen {
    /// The eigenvalues of the row-major `n × n` symmetric `t` in descending order, and the eigenvectors as the
    /// columns of a row-major `n × n` matrix in the same order (`vectors[i·n + j]` is component `i` of the `j`-th).
    /// Only the upper triangle of `t` is read.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` when LAPACK rejects the matrix (a NaN) or does not converge.
    /// - Complexity: about `9n³` FLOPs; `n²` scalars besides `t`.
    package static func decompose(_ t: [Double], n: Int) throws -> (values: [Double], vectors: [Double]) {
        guard n > 0 else { return ([], []) }
        let (a, w) = try dsyevd(t, n: n, vectors: true)
        // LAPACK orders ascending; reverse the values and the columns.
        var vectors = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { vectors[i * n + j] = a[i * n + (n - 1 - j)] } }
        return (Array(w.reversed()), vectors)
    }

    /// The largest eigenvalue of the row-major `n × n` symmetric `t` (eigenvalues only: `dsyevd` with `jobz = 'N'`,
    /// the tridiagonal reduction and `dsterf`). Only the upper triangle is read.
    /// - Throws: as ``decompose(_:n:)``.
    /// - Complexity: about `4n³/3` FLOPs; `n²` scalars besides `t`.
    package static func largestValue(_ t: [Double], n: Int) throws -> Double {
        guard n > 0 else { return 0 }
        return try dsyevd(t, n: n, vectors: false).values.last ?? 0
    }

    /// LAPACK's `dsyevd` on a copy of `t` (upper triangle): the eigenvalues ascending, and with `vectors` the
    /// eigenvectors in the columns of the returned row-major matrix (otherwise its contents are unspecified).
    private static func dsyevd(_ t: [Double], n: Int, vectors: Bool) throws -> (matrix: [Double], values: [Double]) {
        guard n <= 46_340 else { throw ConvAlgebraError.overflow("a \(n) × \(n) eigenproblem exceeds LAPACK's 32-bit sizes") }
        var a = t
        var w = [Double](repeating: 0, count: n)
        let jobz = Int8(UInt8(ascii: vectors ? "V" : "N"))
        let info = a.withUnsafeMutableBufferPointer { ap in
            w.withUnsafeMutableBufferPointer { wp in
                BLASLibrary.call {
                    LAPACKE_dsyevd(LAPACK_ROW_MAJOR, jobz, Int8(UInt8(ascii: "U")), Int32(n), ap.baseAddress!, Int32(n),
                                   wp.baseAddress!)
                }
            }
        }
        guard info == 0 else {
            throw ConvAlgebraError.invalidArgument("dsyevd failed on a \(n) × \(n) symmetric matrix (info \(info): a NaN, or no convergence)")
        }
        return (a, w)
    }
}
