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
    /// - Complexity: O(nnz + rows), a counting sort by row then a sort of each row by column.
    public init(rows: Int, columns: Int, coordinates rowIndex: [Int32], _ columnIndex: [Int32], _ value: [Scalar]) throws {
        guard columns <= Int(Int32.max), rows <= Int(Int32.max) else {
            throw ConvAlgebraError.overflow("a \(rows) × \(columns) sparse matrix exceeds 32-bit indices")
        }
        // Checked here, once, so that the counting sort below cannot index out of range.
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
        let nnz = value.count
        var offsets = [Int](repeating: 0, count: rows + 1)
        for r in rowIndex { offsets[Int(r) + 1] += 1 }
        for i in 0..<rows { offsets[i + 1] += offsets[i] }
        var next = offsets
        var cols = [Int32](repeating: 0, count: nnz)
        var vals = [Scalar](repeating: 0, count: nnz)
        for e in 0..<nnz {
            let r = Int(rowIndex[e])
            cols[next[r]] = columnIndex[e]
            vals[next[r]] = value[e]
            next[r] += 1
        }
        // Sort each row by column and merge duplicates in place.
        var outOffsets = [Int](repeating: 0, count: rows + 1)
        var w = 0
        var perm: [Int] = []
        for r in 0..<rows {
            let lo = offsets[r], hi = offsets[r + 1]
            var sorted = true
            if hi - lo > 1 { for e in (lo + 1)..<hi where cols[e] <= cols[e - 1] { sorted = false; break } }
            if sorted {
                for e in lo..<hi { cols[w] = cols[e]; vals[w] = vals[e]; w += 1 }
            } else {
                perm.removeAll(keepingCapacity: true)
                perm.append(contentsOf: lo..<hi)
                perm.sort { cols[$0] < cols[$1] || (cols[$0] == cols[$1] && $0 < $1) }
                let rc = perm.map { cols[$0] }, rv = perm.map { vals[$0] }
                var k = 0
                while k < rc.count {
                    var s = rv[k]
                    var j = k + 1
                    while j < rc.count && rc[j] == rc[k] { s += rv[j]; j += 1 }
                    cols[w] = rc[k]; vals[w] = s; w += 1
                    k = j
                }
            }
            outOffsets[r + 1] = w
        }
        cols.removeLast(nnz - w)
        vals.removeLast(nnz - w)
        try self.init(rows: rows, columns: columns, rowOffsets: outOffsets, columnIndices: cols, values: vals)
    }

    /// The literal transpose: the CSR of `Aᵀ`, built by one counting pass over the columns.
    /// - Complexity: O(nnz + rows + columns).
    public func transposed() -> CSRMatrix {
        var offsets = [Int](repeating: 0, count: columns + 1)
        for c in columnIndices { offsets[Int(c) + 1] += 1 }
        for j in 0..<columns { offsets[j + 1] += offsets[j] }
        var next = offsets
        var cols = [Int32](repeating: 0, count: nonzeroCount)
        var vals = [Scalar](repeating: 0, count: nonzeroCount)
        for r in 0..<rows {
            for e in rowOffsets[r]..<rowOffsets[r + 1] {
                let c = Int(columnIndices[e])
                cols[next[c]] = Int32(r)
                vals[next[c]] = values[e]
                next[c] += 1
            }
        }
        return try! CSRMatrix(rows: columns, columns: rows, rowOffsets: offsets, columnIndices: cols, values: vals)
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

    /// Applies the matrix to every sample of a row-major batch: `y_b = A · x_b` for each sample `b`.
    ///
    /// `x` holds `batch × columns` scalars, `y` receives `batch × rows`. Threaded and vectorised
    /// (``SparseKernels``): from 8 samples on, the batch is transposed into blocks of 16 so that each
    /// non-zero does one SIMD multiply-add over the block.
    /// - Complexity: `2 · batch · nnz` FLOPs.
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        SparseKernels.apply((rows, columns, rowOffsets, columnIndices, values), x, y, batch: batch)
    }
}
