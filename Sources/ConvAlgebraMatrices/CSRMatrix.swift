import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels

/// A sparse matrix in compressed sparse row (CSR) form.
///
/// Row `i` holds the column indices `columnIndices[rowOffsets[i] ..< rowOffsets[i+1]]`, strictly
/// increasing, and their values. Built analytically from an operator's stencil in O(nnz), never by
/// probing with unit vectors.
public struct CSRMatrix<Scalar: BLASScalar>: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// `rows + 1` offsets into `columnIndices` and `values`.
    public var rowOffsets: [Int]
    public var columnIndices: [Int32]
    public var values: [Scalar]

    /// The number of stored entries.
    public var nonzeroCount: Int { values.count }

    /// A CSR matrix from its three arrays, checked for consistency.
    public init(rows: Int, columns: Int, rowOffsets: [Int], columnIndices: [Int32], values: [Scalar]) throws {
        guard rows >= 0, columns >= 0, columns <= Int(Int32.max), rowOffsets.count == rows + 1,
              rowOffsets.first == 0, rowOffsets.last == values.count, columnIndices.count == values.count
        else { throw ConvAlgebraError.shapeMismatch("inconsistent CSR arrays for a \(rows) × \(columns) matrix") }
        self.rows = rows
        self.columns = columns
        self.rowOffsets = rowOffsets
        self.columnIndices = columnIndices
        self.values = values
    }

    /// Builds a CSR matrix from coordinate triples, summing duplicates and dropping nothing
    /// (an explicit zero sum stays, so the sparsity pattern is the stencil's, not the data's).
    /// - Complexity: O(nnz + rows), a counting sort by row (``CSRBuilder``) then a sort of each unsorted row by column.
    public init(rows: Int, columns: Int, coordinates rowIndex: [Int32], _ columnIndex: [Int32], _ value: [Scalar]) throws {
        // Checked here, once, so that the counting sort below cannot index out of range (32-bit sizes are
        // checked by the builder).
        guard rows >= 0, columns >= 0 else {
            throw ConvAlgebraError.invalidArgument("a sparse matrix cannot be \(rows) × \(columns)")
        }
        guard rowIndex.count == value.count, columnIndex.count == value.count else {
            throw ConvAlgebraError.shapeMismatch(
                "\(rowIndex.count) row indices, \(columnIndex.count) column indices and \(value.count) values do not pair up")
        }
        for e in 0..<value.count where rowIndex[e] < 0 || Int(rowIndex[e]) >= rows || columnIndex[e] < 0 || Int(columnIndex[e]) >= columns {
            throw ConvAlgebraError.invalidArgument(
                "coordinate (\(rowIndex[e]), \(columnIndex[e])) lies outside a \(rows) × \(columns) matrix")
        }
        try self.init(rows: rows, columns: columns, count: value.count) { emit in
            for e in 0..<value.count { emit(Int(rowIndex[e]), columnIndex[e], value[e]) }
        }
    }

    /// The literal transpose: the CSR of `Aᵀ`, a counting sort by column (``CSRBuilder``).
    /// - Complexity: O(nnz + rows + columns).
    public func transposed() -> CSRMatrix {
        // Visiting the rows in order emits each column's entries by increasing row: the result is sorted.
        let t = CSRBuilder.countingSort(rows: columns, count: nonzeroCount) { (emit: (Int, Int32, Scalar) -> Void) in
            for r in 0..<rows {
                for e in rowOffsets[r]..<rowOffsets[r + 1] { emit(Int(columnIndices[e]), Int32(truncatingIfNeeded: r), values[e]) }
            }
        }
        return try! CSRMatrix(rows: columns, columns: rows, rowOffsets: t.rowOffsets, columnIndices: t.columnIndices, values: t.values)
    }

    /// The dense form of this matrix.
    public func dense(budget: MemoryBudget = .default) throws -> DenseMatrix<Scalar> {
        var d = try DenseMatrix<Scalar>(zeros: rows, columns, budget: budget)
        for r in 0..<rows {
            for e in rowOffsets[r]..<rowOffsets[r + 1] { d[r, Int(columnIndices[e])] += values[e] }
        }
        return d
    }

    /// The sparse product `self · other` (Gustavson's row-by-row algorithm).
    /// - Complexity: O(Σ over entries a_ik of nnz(row k of other)).
    public func multiplied(by other: CSRMatrix, budget: MemoryBudget = .default) throws -> CSRMatrix {
        guard columns == other.rows else {
            throw ConvAlgebraError.shapeMismatch(
                "cannot multiply a \(rows) × \(columns) matrix by a \(other.rows) × \(other.columns) matrix")
        }
        var offsets = [Int](repeating: 0, count: rows + 1)
        var cols: [Int32] = [], vals: [Scalar] = []
        var acc = [Scalar](repeating: 0, count: other.columns)
        var mark = [Int](repeating: -1, count: other.columns)
        var touched: [Int32] = []
        for r in 0..<rows {
            touched.removeAll(keepingCapacity: true)
            for e in rowOffsets[r]..<rowOffsets[r + 1] {
                let k = Int(columnIndices[e]), a = values[e]
                for f in other.rowOffsets[k]..<other.rowOffsets[k + 1] {
                    let c = Int(other.columnIndices[f])
                    if mark[c] != r { mark[c] = r; acc[c] = 0; touched.append(Int32(c)) }
                    acc[c] += a * other.values[f]
                }
            }
            touched.sort()
            try budget.check("a sparse product", count: cols.count + touched.count,
                             elementBytes: MemoryLayout<Int32>.stride + MemoryLayout<Scalar>.stride)
            for c in touched { cols.append(c); vals.append(acc[Int(c)]) }
            offsets[r + 1] = cols.count
        }
        return try CSRMatrix(rows: rows, columns: other.columns, rowOffsets: offsets, columnIndices: cols, values: vals)
    }

    /// The product `self · other` as a dense matrix, each row accumulated straight into its dense row
    /// (Gustavson's algorithm with the dense row as the accumulator, no CSR product in between).
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when the inner sizes differ; a memory-budget error
    ///   before the dense matrix is allocated.
    /// - Complexity: O(rows · other.columns) for the zero fill plus O(Σ over entries a_ik of nnz(row k of other)).
    public func denseProduct(with other: CSRMatrix, budget: MemoryBudget = .default) throws -> DenseMatrix<Scalar> {
        guard columns == other.rows else {
            throw ConvAlgebraError.shapeMismatch(
                "cannot multiply a \(rows) × \(columns) matrix by a \(other.rows) × \(other.columns) matrix")
        }
        var d = try DenseMatrix<Scalar>(zeros: rows, other.columns, budget: budget)
        let n = other.columns
        d.entries.withUnsafeMutableBufferPointer { dp in
            for r in 0..<rows {
                for e in rowOffsets[r]..<rowOffsets[r + 1] {
                    let k = Int(columnIndices[e]), a = values[e]
                    for f in other.rowOffsets[k]..<other.rowOffsets[k + 1] { dp[r * n + Int(other.columnIndices[f])] += a * other.values[f] }
                }
            }
        }
        return d
    }

    /// Applies the matrix to every sample of a row-major batch: `y_b = A · x_b` for each sample `b`.
    ///
    /// `x` holds `batch × columns` scalars, `y` receives `batch × rows`. Threaded and vectorised
    /// (`SparseKernels`): from 8 samples on, the batch is transposed into blocks of 16 so that each
    /// non-zero does one SIMD multiply-add over the block.
    /// - Complexity: `2 · batch · nnz` FLOPs.
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        SparseKernels.apply((rows, columns, rowOffsets, columnIndices, values), x, y, batch: batch)
    }
}
