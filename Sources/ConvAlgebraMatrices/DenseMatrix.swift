import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels

/// A dense `rows × columns` matrix, row-major, backed by CBLAS for products.
public struct DenseMatrix<Scalar: BLASScalar>: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Row-major entries: `A[i, j] = entries[i · columns + j]`.
    public var entries: [Scalar]

    /// A zero matrix, after checking its size against `budget`.
    /// - Throws: ``ConvAlgebraError/exceedsMemoryBudget(what:bytes:budget:)`` or an overflow error.
    public init(zeros rows: Int, _ columns: Int, budget: MemoryBudget = .default) throws {
        let count = try Checked.multiply(rows, columns, "a \(rows) × \(columns) matrix")
        try budget.check("a dense \(rows) × \(columns) matrix", count: count, elementBytes: MemoryLayout<Scalar>.stride)
        self.rows = rows
        self.columns = columns
        self.entries = Array(repeating: 0, count: count)
    }

    /// A matrix holding `entries` in row-major order.
    public init(rows: Int, columns: Int, entries: [Scalar]) throws {
        guard rows >= 0, columns >= 0, rows.multipliedReportingOverflow(by: columns) == (entries.count, false) else {
            throw ConvAlgebraError.shapeMismatch("a \(rows) × \(columns) matrix cannot hold \(entries.count) entries")
        }
        self.rows = rows
        self.columns = columns
        self.entries = entries
    }

    @inlinable
    public subscript(row: Int, column: Int) -> Scalar {
        get { entries[row * columns + column] }
        set { entries[row * columns + column] = newValue }
    }

    /// The literal transpose, `Aᵀ[j, i] = A[i, j]`.
    /// - Complexity: O(rows · columns), blocked for the cache.
    public func transposed() -> DenseMatrix {
        var t = [Scalar](repeating: 0, count: entries.count)
        let (m, n) = (rows, columns)
        entries.withUnsafeBufferPointer { a in
            t.withUnsafeMutableBufferPointer { b in
                let block = 32
                for i0 in stride(from: 0, to: m, by: block) {
                    for j0 in stride(from: 0, to: n, by: block) {
                        for i in i0..<min(i0 + block, m) {
                            for j in j0..<min(j0 + block, n) { b[j * m + i] = a[i * n + j] }
                        }
                    }
                }
            }
        }
        return try! DenseMatrix(rows: columns, columns: rows, entries: t)
    }

    /// The matrix product `self · other` through one GEMM.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when the inner sizes differ.
    /// - Complexity: `2·m·n·k` FLOPs.
    public func multiplied(by other: DenseMatrix, budget: MemoryBudget = .default) throws -> DenseMatrix {
        guard columns == other.rows else {
            throw ConvAlgebraError.shapeMismatch(
                "cannot multiply a \(rows) × \(columns) matrix by a \(other.rows) × \(other.columns) matrix")
        }
        var c = try DenseMatrix(zeros: rows, other.columns, budget: budget)
        guard rows > 0, other.columns > 0, columns > 0 else { return c }
        entries.withUnsafeBufferPointer { a in
            other.entries.withUnsafeBufferPointer { b in
                c.entries.withUnsafeMutableBufferPointer { cp in
                    Scalar.gemm(transposeA: false, transposeB: false, m: rows, n: other.columns, k: columns,
                                alpha: 1, a: a.baseAddress!, lda: columns, b: b.baseAddress!, ldb: other.columns,
                                beta: 0, c: cp.baseAddress!, ldc: other.columns)
                }
            }
        }
        return c
    }

    /// Applies the matrix to every sample of a row-major batch at once: `Y = X · Aᵀ`, one GEMM
    /// (one GEMV, `y = A·x`, for a single sample).
    ///
    /// `x` holds `batch × columns` scalars, `y` receives `batch × rows`. Nothing is copied or allocated:
    /// the BLAS call reads `entries` and `x` in place.
    /// - Complexity: `2 · batch · rows · columns` FLOPs; reads the matrix once per GEMM block.
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        DenseLayout.matrix.apply(entries, rows: rows, columns: columns, x, y, batch: batch)
    }
}
