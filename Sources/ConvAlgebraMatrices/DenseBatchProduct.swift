import ConvAlgebraCore
import ConvAlgebraBackends

/// The dense form ready to apply to row-major batches: the matrix `A` (`rows × columns`) kept as its transpose
/// `Aᵀ` (`columns × rows`, row-major), so that `Y = X · Aᵀ` is one GEMM with neither operand transposed,
/// `cblas_?gemm(RowMajor, NoTrans, NoTrans, B, m, n, X, n, Aᵀ, m, Y, m)`: the call NumPy makes for
/// `x @ At` with a contiguous `At`, and a single sample is `y = (Aᵀ)ᵀ·x`, one transposed GEMV.
///
/// Why not `gemm(NoTrans, Trans)` on `A` itself (what ``DenseMatrix/applyUnchecked(_:_:batch:)`` does): OpenBLAS
/// packs the large operand once per call, and packs it from a transposed layout more slowly. With one thread and
/// CPU-time clocks (Zen 4, OpenBLAS 0.3.21 and NumPy's 0.3.31 alike), at 16 samples the transposed call took
/// 1.3–1.8× as long (512 × 1024: 0.48 against 0.26 ms; 8192 × 2048: 22.6 against 15.1 ms); from 256 samples on,
/// where the products outweigh the packing, the two calls are within a few per cent.
///
/// - Complexity: building, `O(m·n)` (one cache-blocked transpose); each application `2·B·m·n` FLOPs.
public struct DenseBatchProduct<Scalar: BLASScalar>: Sendable {
    /// `A`'s row count `m` (the output size of one sample) and column count `n` (its input size).
    public let rows: Int, columns: Int
    /// `Aᵀ` row-major: `Aᵀ[j, i] = A[i, j] = transposedEntries[j · rows + i]`.
    public let transposedEntries: [Scalar]

    /// Keeps `a` transposed (the copy is checked against `budget` first: `a` and `Aᵀ` are both held while it is made).
    /// - Throws: a memory-budget error.
    public init(_ a: DenseMatrix<Scalar>, budget: MemoryBudget = .default) throws {
        try budget.check("the transposed dense \(a.columns) × \(a.rows) matrix", count: a.entries.count,
                         elementBytes: MemoryLayout<Scalar>.stride)
        (rows, columns) = (a.rows, a.columns)
        transposedEntries = a.transposed().entries
    }

    /// `y_b = A · x_b` for every sample `b` of the row-major batch: `x` holds `batch × columns` scalars, `y`
    /// receives `batch × rows`. Nothing is copied or allocated.
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        DenseLayout.transposed.apply(transposedEntries, rows: rows, columns: columns, x, y, batch: batch)
    }
}
