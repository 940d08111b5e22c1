import ConvAlgebra

/// Matrices as text, laid out as ``SymbolicMatrix/formatted(latex:)`` lays out symbolic ones: columns
/// right-aligned and two spaces apart, or a LaTeX `pmatrix`.
///
/// With `blocks`, a `|` column separates every `blocks.columns` columns and a `-…+…-` line every `blocks.rows`
/// rows (0: no separator that way): the channel blocks of a layer's matrix.
enum MatrixText {
    static func format(rows: Int, columns: Int, latex: Bool, blocks: (rows: Int, columns: Int)? = nil,
                       cell: (Int, Int) -> String) -> String {
        let cells = (0..<rows).map { i in (0..<columns).map { cell(i, $0) } }
        if latex {
            return "\\begin{pmatrix}\n" + cells.map { $0.joined(separator: " & ") }.joined(separator: " \\\\\n")
                + "\n\\end{pmatrix}"
        }
        var widths = [Int](repeating: 1, count: columns)
        for row in cells { for (j, c) in row.enumerated() { widths[j] = max(widths[j], c.count) } }
        let (rb, cb) = blocks ?? (0, 0)
        let lines = cells.map { row in
            row.enumerated().map { j, c in
                (cb > 0 && j > 0 && j % cb == 0 ? "|  " : "") + String(repeating: " ", count: widths[j] - c.count) + c
            }.joined(separator: "  ")
        }
        guard rb > 0, let first = lines.first else { return lines.joined(separator: "\n") }
        let rule = String(first.map { $0 == "|" ? "+" : "-" })
        return lines.enumerated().map { i, line in i > 0 && i % rb == 0 ? rule + "\n" + line : line }
            .joined(separator: "\n")
    }

    /// A scalar in its shortest round-trip spelling, integers without `.0`: `0`, `1`, `0.1`, `-2.5`.
    static func number<S: BLASScalar>(_ x: S) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return x.description
    }
}
