import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels

/// An operator matrix whose entries are linear forms in the kernel taps: the matrices of the
/// reference text, `q1 q0 0 0 / q2 q1 q0 0 / …`, reproduced entry for entry.
public struct SymbolicMatrix: Sendable, Equatable, CustomStringConvertible {
    public let rows: Int
    public let columns: Int
    /// Row-major entries.
    public var entries: [SymbolicEntry]

    /// The zero matrix.
    public init(zeros rows: Int, _ columns: Int) {
        self.rows = rows
        self.columns = columns
        self.entries = Array(repeating: .zero, count: rows * columns)
    }

    /// A matrix from rows of entries (all rows the same length).
    public init(_ rowsOfEntries: [[SymbolicEntry]]) {
        rows = rowsOfEntries.count
        columns = rowsOfEntries.first?.count ?? 0
        entries = rowsOfEntries.flatMap { $0 }
    }

    public subscript(row: Int, column: Int) -> SymbolicEntry {
        get { entries[row * columns + column] }
        set { entries[row * columns + column] = newValue }
    }

    /// The literal transpose.
    public func transposed() -> SymbolicMatrix {
        var t = SymbolicMatrix(zeros: columns, rows)
        for i in 0..<rows { for j in 0..<columns { t[j, i] = self[i, j] } }
        return t
    }

    /// The product `self · other`; defined when, in every product of entries, one factor is a constant.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` or ``ConvAlgebraError/unsupported(_:)``.
    public func multiplied(by other: SymbolicMatrix) throws -> SymbolicMatrix {
        guard columns == other.rows else {
            throw ConvAlgebraError.shapeMismatch(
                "cannot multiply a \(rows) × \(columns) matrix by a \(other.rows) × \(other.columns) matrix")
        }
        var c = SymbolicMatrix(zeros: rows, other.columns)
        for i in 0..<rows {
            for k in 0..<columns where !self[i, k].isZero {
                for j in 0..<other.columns where !other[k, j].isZero {
                    c[i, j] = c[i, j] + (try SymbolicEntry.product(self[i, k], other[k, j]))
                }
            }
        }
        return c
    }

    /// The numeric matrix for the given kernel taps.
    public func evaluated<S: BLASScalar>(taps q: [S]) throws -> DenseMatrix<S> {
        try DenseMatrix(rows: rows, columns: columns, entries: entries.map { $0.value(taps: q) })
    }

    public var description: String { formatted() }

    /// The matrix as aligned text, one row a line, or as a LaTeX `pmatrix`.
    public func formatted(latex: Bool = false) -> String {
        let cells = entries.map { $0.formatted(latex: latex) }
        if latex {
            var s = "\\begin{pmatrix}\n"
            for i in 0..<rows {
                s += cells[(i * columns)..<((i + 1) * columns)].joined(separator: " & ")
                s += i + 1 < rows ? " \\\\\n" : "\n"
            }
            return s + "\\end{pmatrix}"
        }
        var widths = [Int](repeating: 1, count: columns)
        for i in 0..<rows { for j in 0..<columns { widths[j] = max(widths[j], cells[i * columns + j].count) } }
        var lines: [String] = []
        for i in 0..<rows {
            var line = ""
            for j in 0..<columns {
                let c = cells[i * columns + j]
                line += String(repeating: " ", count: widths[j] - c.count) + c
                if j + 1 < columns { line += "  " }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
