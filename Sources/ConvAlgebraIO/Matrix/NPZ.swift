import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraMatrices

/// Sparse matrices in SciPy's `.npz` layout (`scipy.sparse.save_npz` / `load_npz`): a ZIP archive of `.npy`
/// members
///
/// | member | content |
/// |---|---|
/// | `indices.npy` | the column index of each entry, row by row (`<i4`, or `<i8` when it does not fit) |
/// | `indptr.npy` | `rows + 1` offsets: row `i` is entries `indptr[i] ..< indptr[i+1]` (`<i4` or `<i8`) |
/// | `format.npy` | the bytes `csr` (`|S3`, a 0-d array) |
/// | `shape.npy` | `(rows, columns)` (`<i8`) |
/// | `data.npy` | the values (`<f4` or `<f8`) |
///
/// written as `np.savez` writes them (stored, in SciPy's member order), so `load_npz` returns a `csr_matrix`.
/// Reading takes stored and deflated archives (`save_npz`'s default, `compressed=True`), checks every array
/// against the others (offsets from 0, non-decreasing, ending at the entry count; indices inside the columns)
/// and sorts rows whose indices are out of order (SciPy allows them), summing duplicates.
///
/// The matrix of an operator has one row per element of its codomain and one column per element of its domain,
/// each in the C-order flattening of its shape (channels first: `(C, spatial…)` for one sample).
public enum NPZ {
    // MARK: - Writing

    /// Writes `m` to `path` in SciPy's CSR layout, atomically.
    /// - Throws: ``ConvAlgebraError/io(_:)``; a memory-budget error for the 32-bit copy of the row offsets.
    /// - Complexity: O(nnz + rows): the arrays are written as they are, with a 32-bit copy of the row offsets
    ///   when the entry count fits in 32 bits (as SciPy stores them).
    public static func write<S: BLASScalar>(_ m: CSRMatrix<S>, to path: String, budget: MemoryBudget = .default) throws {
        let wide = m.nonzeroCount > Int(Int32.max)
        if !wide { try budget.check("the 32-bit row offsets of a \(m.rows)-row matrix", count: m.rows + 1, elementBytes: 4) }
        let offsets: any RawBytes = wide ? m.rowOffsets : m.rowOffsets.map { Int32(truncatingIfNeeded: $0) }
        let arrays: [any RawBytes] = [
            NPYMember.header(descr: "<i4", shape: [m.nonzeroCount]), m.columnIndices,
            NPYMember.header(descr: wide ? "<i8" : "<i4", shape: [m.rows + 1]), offsets,
            NPYMember.header(descr: "|S3", shape: []) + Array("csr".utf8),
            NPYMember.header(descr: "<i8", shape: [2]), [Int64(m.rows), Int64(m.columns)],
            NPYMember.header(descr: S.npyDescriptor, shape: [m.nonzeroCount]), m.values,
        ]
        try withRawBytes(arrays) { b in
            try ZipWriter.write([
                .init(name: "indices.npy", parts: [b[0], b[1]]),
                .init(name: "indptr.npy", parts: [b[2], b[3]]),
                .init(name: "format.npy", parts: [b[4]]),
                .init(name: "shape.npy", parts: [b[5], b[6]]),
                .init(name: "data.npy", parts: [b[7], b[8]]),
            ], to: path)
        }
    }

    // MARK: - Reading

    /// Reads the CSR matrix in the `.npz` file at `path` (written by ``write(_:to:budget:)`` or by SciPy).
    /// - Throws: ``ConvAlgebraError/io(_:)`` for an unreadable file; ``ConvAlgebraError/malformedFile(_:)``
    ///   naming the path for anything that is not a CSR matrix in SciPy's layout; a memory-budget error for a
    ///   file or member over `budget`.
    public static func read(path: String, budget: MemoryBudget = .default) throws -> AnyCSRMatrix {
        let bytes = try WholeFile.read(path: path, budget: budget)
        do { return try read(bytes: bytes, budget: budget) } catch ConvAlgebraError.malformedFile(let m) {
            throw ConvAlgebraError.malformedFile("'\(path)': \(m)")
        }
    }

    /// Reads a CSR matrix from the bytes of an `.npz` file.
    /// - Throws: as ``read(path:budget:)``, without a path in the messages.
    public static func read(bytes: [UInt8], budget: MemoryBudget = .default) throws -> AnyCSRMatrix {
        let zip = try ZipArchive(bytes: bytes)
        func member(_ name: String) throws -> NPYMember {
            guard let e = zip.entry(named: name + ".npy") else {
                throw ConvAlgebraError.malformedFile("not a SciPy sparse matrix: the archive has no '\(name).npy'")
            }
            return try NPYMember(bytes: try zip.contents(of: e, budget: budget), name: name + ".npy")
        }
        guard case .text(let format) = try member("format").values else {
            throw ConvAlgebraError.malformedFile("'format.npy' is not a string")
        }
        guard format == "csr" else {
            throw ConvAlgebraError.malformedFile("the matrix is in SciPy's '\(format)' format; only 'csr' is read (convert with .tocsr())")
        }
        guard case .integers(let shape) = try member("shape").values, shape.count == 2, shape[0] >= 0, shape[1] >= 0 else {
            throw ConvAlgebraError.malformedFile("'shape.npy' is not two non-negative integers")
        }
        let (rows, columns) = (shape[0], shape[1])
        guard columns <= Int(Int32.max) else {
            throw ConvAlgebraError.malformedFile("\(columns) columns, more than the 2³¹ − 1 a CSRMatrix indexes")
        }
        guard case .integers(let indptr) = try member("indptr").values,
              case .integers(let indices) = try member("indices").values else {
            throw ConvAlgebraError.malformedFile("'indptr.npy' and 'indices.npy' must hold integers")
        }
        switch try member("data").values {
        case .float32(let v): return .float32(try csr(rows, columns, indptr, indices, v))
        case .float64(let v): return .float64(try csr(rows, columns, indptr, indices, v))
        default: throw ConvAlgebraError.malformedFile("'data.npy' must hold float32 or float64 values")
        }
    }

    /// The CSR matrix of SciPy's three arrays, each checked against the others.
    private static func csr<S: BLASScalar>(_ rows: Int, _ columns: Int, _ indptr: [Int], _ indices: [Int],
                                          _ values: [S]) throws -> CSRMatrix<S> {
        guard indptr.count == rows + 1 else {
            throw ConvAlgebraError.malformedFile("'indptr.npy' holds \(indptr.count) offsets; \(rows) rows need \(rows + 1)")
        }
        guard indices.count == values.count else {
            throw ConvAlgebraError.malformedFile("\(indices.count) column indices but \(values.count) values")
        }
        guard indptr[0] == 0, indptr[rows] == values.count else {
            throw ConvAlgebraError.malformedFile("the row offsets must run from 0 to the entry count \(values.count)")
        }
        var sorted = true
        for r in 0..<rows {
            let (a, b) = (indptr[r], indptr[r + 1])
            guard a <= b else { throw ConvAlgebraError.malformedFile("the row offsets decrease at row \(r)") }
            for e in a..<b {
                guard indices[e] >= 0, indices[e] < columns else {
                    throw ConvAlgebraError.malformedFile("the column index \(indices[e]) in row \(r) is outside 0..<\(columns)")
                }
                if e > a, indices[e] <= indices[e - 1] { sorted = false }
            }
        }
        guard rows <= Int(Int32.max) || sorted else {
            throw ConvAlgebraError.malformedFile("\(rows) rows with unsorted indices: more than the 2³¹ − 1 rows that can be sorted")
        }
        let cols = indices.map { Int32(truncatingIfNeeded: $0) }
        guard sorted else {
            // SciPy allows unsorted rows and duplicate entries; the coordinate constructor sorts and sums them.
            var rowOf = [Int32](repeating: 0, count: values.count)
            for r in 0..<rows { for e in indptr[r]..<indptr[r + 1] { rowOf[e] = Int32(truncatingIfNeeded: r) } }
            return try CSRMatrix(rows: rows, columns: columns, coordinates: rowOf, cols, values)
        }
        return try CSRMatrix(rows: rows, columns: columns, rowOffsets: indptr, columnIndices: cols, values: values)
    }
}
