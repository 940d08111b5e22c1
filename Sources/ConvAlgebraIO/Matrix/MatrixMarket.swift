import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraMatrices

/// Sparse matrices as Matrix Market text (NIST's exchange format; `scipy.io.mmread` / `mmwrite`).
///
/// Written as `coordinate real general`: the banner, a comment, `rows columns entries`, then one line
/// `i j value` per stored entry with 1-based indices, row by row, the values in their shortest round-trip
/// spelling:
/// ```
/// %%MatrixMarket matrix coordinate real general
/// % rows: the codomain, columns: the domain, each flattened in C order
/// 2 3 3
/// 1 1 1.0
/// ```
/// Read: `coordinate` with `real`, `integer` or `pattern` values (pattern entries are 1), `general`,
/// `symmetric` or `skew-symmetric` (what `mmwrite` picks for a symmetric matrix), and dense `array` files
/// (`real`/`integer`, `general`, column-major). The banner words are case-insensitive, `%` lines are comments.
/// Checked: the sizes (non-negative, the entry count at most `rows · columns` without overflow, within the
/// memory budget), every index inside the matrix, every value a number, exactly the declared entry count.
/// Duplicate coordinates are summed, as SciPy does.
public enum MatrixMarket {
    // MARK: - Writing

    /// The text of `m` as `coordinate real general`.
    /// - Throws: a memory-budget error for a text over `budget` (about 48 bytes per entry).
    public static func encode<S: BLASScalar>(_ m: CSRMatrix<S>, budget: MemoryBudget = .default) throws -> [UInt8] {
        try budget.check("the Matrix Market text of \(m.nonzeroCount) entries",
                         count: Checked.add(m.nonzeroCount, 1, "the entry count"), elementBytes: 48)
        var out = Array("""
            %%MatrixMarket matrix coordinate real general
            % rows: the codomain, columns: the domain, each flattened in C order (channels first)
            \(m.rows) \(m.columns) \(m.nonzeroCount)

            """.utf8)
        out.reserveCapacity(out.count + 32 * m.nonzeroCount)
        for r in 0..<m.rows {
            for e in m.rowOffsets[r]..<m.rowOffsets[r + 1] {
                out += "\(r + 1) \(Int(m.columnIndices[e]) + 1) \(m.values[e])\n".utf8
            }
        }
        return out
    }

    /// Writes `m` to `path` as `coordinate real general`, atomically.
    /// - Throws: ``ConvAlgebraError/io(_:)``; a memory-budget error as ``encode(_:budget:)``.
    public static func write<S: BLASScalar>(_ m: CSRMatrix<S>, to path: String, budget: MemoryBudget = .default) throws {
        let text = try encode(m, budget: budget)
        try text.withUnsafeBytes { try AtomicFile.write([$0], to: path) }
    }

    // MARK: - Reading

    /// Reads the Matrix Market file at `path` as a CSR matrix of `S`.
    /// - Throws: ``ConvAlgebraError/io(_:)`` for an unreadable file; ``ConvAlgebraError/malformedFile(_:)``
    ///   naming the path and the line; a memory-budget error for a file or matrix over `budget`.
    public static func read<S: BLASScalar>(path: String, as _: S.Type = S.self, budget: MemoryBudget = .default) throws -> CSRMatrix<S> {
        let bytes = try WholeFile.read(path: path, budget: budget)
        do { return try read(bytes: bytes, as: S.self, budget: budget) } catch ConvAlgebraError.malformedFile(let m) {
            throw ConvAlgebraError.malformedFile("'\(path)': \(m)")
        }
    }

    /// Reads a Matrix Market text held in memory.
    /// - Throws: as ``read(path:as:budget:)``, without a path in the messages.
    public static func read<S: BLASScalar>(bytes: [UInt8], as _: S.Type = S.self, budget: MemoryBudget = .default) throws -> CSRMatrix<S> {
        var lines = Lines(bytes: bytes)
        guard let banner = lines.next() else { throw error("an empty file", line: 1) }
        let words = banner.text.split(separator: " ", omittingEmptySubsequences: true).map { $0.lowercased() }
        guard words.count == 5, words[0] == "%%matrixmarket", words[1] == "matrix" else {
            throw error("not a Matrix Market file (the first line is not '%%MatrixMarket matrix …')", line: 1)
        }
        let (layout, field, symmetry) = (words[2], words[3], words[4])
        guard layout == "coordinate" || layout == "array" else { throw error("unsupported layout '\(layout)'", line: 1) }
        guard ["real", "integer"].contains(field) || (field == "pattern" && layout == "coordinate") else {
            throw error("unsupported field '\(field)' (read: real, integer, pattern)", line: 1)
        }
        guard ["general", "symmetric", "skew-symmetric"].contains(symmetry) else {
            throw error("unsupported symmetry '\(symmetry)' (read: general, symmetric, skew-symmetric)", line: 1)
        }
        // The size line: the first line that is not a comment.
        var sizeLine = lines.next()
        while let l = sizeLine, l.text.hasPrefix("%") || l.tokens.isEmpty { sizeLine = lines.next() }
        guard let sizeLine else { throw error("no size line", line: lines.number) }
        let sizes = try sizeLine.tokens.map { t -> Int in
            guard let n = Int(t), n >= 0 else { throw error("the size '\(t)' is not a non-negative integer", line: sizeLine.number) }
            return n
        }
        let rows = sizes.first ?? 0, columns = sizes.count > 1 ? sizes[1] : 0
        guard sizes.count == (layout == "coordinate" ? 3 : 2) else {
            throw error("the size line must be 'rows columns\(layout == "coordinate" ? " entries" : "")'", line: sizeLine.number)
        }
        guard rows <= Int(Int32.max), columns <= Int(Int32.max) else {
            throw error("a \(rows) × \(columns) matrix is larger than 2³¹ − 1 rows or columns", line: sizeLine.number)
        }
        guard symmetry == "general" || rows == columns else {
            throw error("a \(symmetry) matrix must be square, not \(rows) × \(columns)", line: sizeLine.number)
        }
        let cells = try Checked.multiply(rows, columns, "the size of a \(rows) × \(columns) matrix")
        let entries = layout == "coordinate" ? sizes[2] : cells
        guard entries <= cells else {
            throw error("\(entries) entries cannot fit in a \(rows) × \(columns) matrix", line: sizeLine.number)
        }
        // Each stored entry and its mirror image: rows, columns (32 bits) and a value.
        try budget.check("the \(entries) entries of a Matrix Market file", count: try Checked.multiply(entries, 2, "the entry count"),
                         elementBytes: 8 + MemoryLayout<S>.stride)
        var r: [Int32] = [], c: [Int32] = [], v: [S] = []
        r.reserveCapacity(entries); c.reserveCapacity(entries); v.reserveCapacity(entries)
        var read = 0
        while let l = lines.next() {
            if l.text.hasPrefix("%") || l.tokens.isEmpty { continue }
            guard read < entries else { throw error("more than the \(entries) entries the size line declares", line: l.number) }
            let t = l.tokens
            var i: Int, j: Int, valueToken: Substring?
            if layout == "array" {
                guard t.count == 1 else { throw error("an array line must hold one value", line: l.number) }
                (i, j, valueToken) = (read % max(rows, 1) + 1, read / max(rows, 1) + 1, t[0])
            } else {
                guard t.count == (field == "pattern" ? 2 : 3), let a = Int(t[0]), let b = Int(t[1]) else {
                    throw error("an entry must be 'row column\(field == "pattern" ? "" : " value")'", line: l.number)
                }
                (i, j, valueToken) = (a, b, field == "pattern" ? nil : t[2])
            }
            guard i >= 1, i <= rows, j >= 1, j <= columns else {
                throw error("the entry (\(i), \(j)) lies outside the \(rows) × \(columns) matrix", line: l.number)
            }
            var value: S = 1
            if let valueToken {
                guard let x: S = number(valueToken) else { throw error("'\(valueToken)' is not a number", line: l.number) }
                value = x
            }
            r.append(Int32(i - 1)); c.append(Int32(j - 1)); v.append(value)
            if symmetry != "general" && i != j {
                r.append(Int32(j - 1)); c.append(Int32(i - 1)); v.append(symmetry == "symmetric" ? value : -value)
            }
            read += 1
        }
        guard read == entries else { throw error("\(read) entries, but the size line declares \(entries)", line: lines.number) }
        return try CSRMatrix(rows: rows, columns: columns, coordinates: r, c, v)
    }

    /// The value spelled by `t`, parsed in `S`'s own precision (so a float32's shortest spelling reads back exactly).
    private static func number<S: BLASScalar>(_ t: Substring) -> S? {
        if S.self == Float.self { return Float(t).map { $0 as! S } }
        return Double(t).map { S($0) }
    }

    private static func error(_ what: String, line: Int) -> ConvAlgebraError {
        .malformedFile("malformed Matrix Market file, line \(line): \(what)")
    }

    /// The lines of a text, numbered from 1, split into tokens at spaces and tabs (a `\r` before the `\n` dropped).
    private struct Lines {
        let bytes: [UInt8]
        var position = 0
        var number = 0

        struct Line {
            var text: Substring
            var number: Int
            var tokens: [Substring] { text.split(whereSeparator: { $0 == " " || $0 == "\t" }) }
        }

        mutating func next() -> Line? {
            guard position < bytes.count else { return nil }
            let end = bytes[position...].firstIndex(of: 0x0A) ?? bytes.count
            var stop = end
            if stop > position, bytes[stop - 1] == 0x0D { stop -= 1 }
            let text = String(decoding: bytes[position..<stop], as: UTF8.self)
            position = end + 1
            number += 1
            return Line(text: Substring(text.trimmedLeadingBlanks), number: number)
        }
    }
}

extension String {
    /// The text without its leading spaces and tabs.
    fileprivate var trimmedLeadingBlanks: Substring { drop { $0 == " " || $0 == "\t" } }
}
