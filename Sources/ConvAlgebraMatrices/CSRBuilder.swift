import ConvAlgebraCore

/// The one counting sort that turns entries enumerated in any order into CSR arrays.
///
/// The entries are enumerated twice: the first pass counts them per row, a prefix sum turns the counts
/// into row offsets, the second pass places each entry at its row's next free slot. Entries keep their
/// enumeration order within a row (the sort is stable), so a caller that enumerates each row's entries by
/// increasing column (a CSR transpose visiting rows in order) gets sorted rows without a second sort;
/// others finish with ``sortingRowsMergingDuplicates(_:)``.
///
/// Used by ``CSRMatrix/init(rows:columns:coordinates:_:_:)``, ``CSRMatrix/transposed()``, the stencil
/// operators' enumeration builder and the convolution's typed builders (which call it on `Float`/`Double`
/// arrays directly, hence the generic `Value`).
///
/// ```
/// let (offsets, columns, values) = CSRBuilder.countingSort(rows: 3, count: 2) { emit in
///     emit(2, 0, 1.5)
///     emit(0, 1, -1)
/// }   // offsets [0, 1, 1, 2], columns [1, 0], values [-1, 1.5]
/// ```
/// - Complexity: O(rows + nnz) time, two enumeration passes; the arrays of the result and nothing else.
public enum CSRBuilder {
    /// The CSR arrays of the entries `enumerate` emits, rows in order, each row's entries in enumeration order.
    ///
    /// `enumerate` must emit the same entries in both passes, with `0 ≤ row < rows`; `count`, when given, is
    /// their number (it sizes the arrays before the passes; a wrong count traps rather than writing out of
    /// bounds). Duplicates are kept as separate entries.
    @inlinable
    public static func countingSort<Value: AdditiveArithmetic>(
        rows: Int, count: Int? = nil,
        _ enumerate: (_ emit: (_ row: Int, _ column: Int32, _ value: Value) -> Void) -> Void
    ) -> (rowOffsets: [Int], columnIndices: [Int32], values: [Value]) {
        var offsets = [Int](repeating: 0, count: rows + 1)
        offsets.withUnsafeMutableBufferPointer { o in enumerate { r, _, _ in o[r + 1] += 1 } }
        for i in 0..<rows { offsets[i + 1] += offsets[i] }
        let nnz = offsets[rows]
        precondition(count == nil || count == nnz, "the enumeration emitted \(nnz) entries, not the \(count!) announced")
        var next = Array(offsets.dropLast())
        var columns = [Int32](repeating: 0, count: nnz)
        var values = [Value](repeating: .zero, count: nnz)
        next.withUnsafeMutableBufferPointer { nx in
            columns.withUnsafeMutableBufferPointer { cs in
                values.withUnsafeMutableBufferPointer { vs in
                    enumerate { r, c, v in
                        let e = nx[r]
                        precondition(e < offsets[r + 1], "the enumeration emitted more entries in its second pass")
                        cs[e] = c; vs[e] = v; nx[r] = e + 1
                    }
                }
            }
        }
        return (offsets, columns, values)
    }

    /// Sorts each row of CSR arrays by column and sums entries that share a column (an explicit zero sum
    /// stays, so the sparsity pattern is the stencil's, not the data's). Rows already strictly increasing
    /// are left as they are.
    /// - Complexity: O(nnz) for sorted rows; O(d log d) for an unsorted row of `d` entries.
    @inlinable
    public static func sortingRowsMergingDuplicates<Value: AdditiveArithmetic>(
        _ csr: (rowOffsets: [Int], columnIndices: [Int32], values: [Value])
    ) -> (rowOffsets: [Int], columnIndices: [Int32], values: [Value]) {
        var (offsets, cols, vals) = csr
        let rows = offsets.count - 1, nnz = vals.count
        var w = 0
        var perm: [Int] = []
        var lo = offsets[0]
        for r in 0..<rows {
            let hi = offsets[r + 1]
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
            lo = hi
            offsets[r + 1] = w
        }
        cols.removeLast(nnz - w)
        vals.removeLast(nnz - w)
        return (offsets, cols, vals)
    }
}

extension CSRMatrix {
    /// The CSR matrix of the entries `enumerate` emits (twice: see ``CSRBuilder/countingSort(rows:count:_:)``),
    /// in any order, duplicates summed.
    ///
    /// Unchecked: every emitted row must lie in `0 ..< rows` and every column in `0 ..< columns`; callers
    /// (an operator's own terms, validated coordinates) guarantee it.
    /// - Throws: ``ConvAlgebraError/overflow(_:)`` when a size exceeds 32-bit indices.
    /// - Complexity: O(rows + nnz), plus a sort of any row emitted out of column order.
    @inlinable
    public init(rows: Int, columns: Int, count: Int? = nil,
                countingSortOf enumerate: (_ emit: (_ row: Int, _ column: Int32, _ value: Scalar) -> Void) -> Void) throws {
        guard rows <= Int(Int32.max), columns <= Int(Int32.max) else {
            throw ConvAlgebraError.overflow("a \(rows) × \(columns) sparse matrix exceeds 32-bit indices")
        }
        let sorted = CSRBuilder.sortingRowsMergingDuplicates(CSRBuilder.countingSort(rows: rows, count: count, enumerate))
        try self.init(rows: rows, columns: columns, rowOffsets: sorted.rowOffsets, columnIndices: sorted.columnIndices,
                      values: sorted.values)
    }
}
