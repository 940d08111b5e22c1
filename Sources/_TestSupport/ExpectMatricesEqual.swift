import ConvAlgebra
import Testing

/// Expects two dense matrices to have the same size and entries; exact unless tolerances are given.
///
/// On failure the issue names the differing entries by `(row, column)`.
@discardableResult
public func expectMatricesEqual<S: BLASScalar>(
    _ actual: DenseMatrix<S>, _ expected: DenseMatrix<S>, rtol: S = 0, atol: S = 0,
    _ comment: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation
) -> Bool {
    let prefix = comment().isEmpty ? "" : comment() + ": "
    guard actual.rows == expected.rows, actual.columns == expected.columns else {
        Issue.record(Comment(rawValue:
            "\(prefix)a \(actual.rows) × \(actual.columns) matrix, expected \(expected.rows) × \(expected.columns)"),
            sourceLocation: sourceLocation)
        return false
    }
    var bad: [(Int, Int)] = []
    for r in 0..<actual.rows {
        for c in 0..<actual.columns where !isClose(actual[r, c], expected[r, c], rtol: rtol, atol: atol) { bad.append((r, c)) }
    }
    guard !bad.isEmpty else { return true }
    let shown = bad.prefix(6).map { "(\($0.0), \($0.1)) \(actual[$0.0, $0.1]) vs \(expected[$0.0, $0.1])" }
    Issue.record(Comment(rawValue:
        "\(prefix)\(bad.count) entries of the \(actual.rows) × \(actual.columns) matrix differ: "
        + shown.joined(separator: ", ") + (bad.count > 6 ? ", …" : "")),
        sourceLocation: sourceLocation)
    return false
}

/// Expects two CSR matrices to be identical: size, sparsity pattern (row offsets, column indices) and values.
///
/// On failure the issue says which part differs and, when the sizes agree, the differing entries of
/// their dense forms.
@discardableResult
public func expectMatricesEqual<S: BLASScalar>(
    _ actual: CSRMatrix<S>, _ expected: CSRMatrix<S>,
    _ comment: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation
) -> Bool {
    guard actual != expected else { return true }
    let prefix = comment().isEmpty ? "" : comment() + ": "
    var what = "CSR matrices differ"
    if actual.rows != expected.rows || actual.columns != expected.columns {
        what += ": \(actual.rows) × \(actual.columns) vs \(expected.rows) × \(expected.columns)"
    } else if actual.rowOffsets != expected.rowOffsets || actual.columnIndices != expected.columnIndices {
        what += " in their sparsity pattern (nnz \(actual.nonzeroCount) vs \(expected.nonzeroCount))"
    } else {
        what += " in their values"
    }
    if actual.rows == expected.rows, actual.columns == expected.columns,
       let a = try? actual.dense(budget: .unlimited), let e = try? expected.dense(budget: .unlimited) {
        var bad: [String] = []
        for r in 0..<a.rows { for c in 0..<a.columns where a[r, c] != e[r, c] { bad.append("(\(r), \(c)) \(a[r, c]) vs \(e[r, c])") } }
        if !bad.isEmpty { what += "; dense entries " + bad.prefix(6).joined(separator: ", ") + (bad.count > 6 ? ", …" : "") }
    }
    Issue.record(Comment(rawValue: prefix + what), sourceLocation: sourceLocation)
    return false
}

/// Expects two symbolic matrices to be equal entry for entry; on failure the issue prints both
/// matrices and the differing positions.
@discardableResult
public func expectMatricesEqual(
    _ actual: SymbolicMatrix, _ expected: SymbolicMatrix,
    _ comment: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation
) -> Bool {
    guard actual != expected else { return true }
    let prefix = comment().isEmpty ? "" : comment() + ": "
    var what = "symbolic matrices differ"
    if actual.rows != expected.rows || actual.columns != expected.columns {
        what += " in size: \(actual.rows) × \(actual.columns) vs \(expected.rows) × \(expected.columns)"
    } else {
        var bad: [String] = []
        for r in 0..<actual.rows {
            for c in 0..<actual.columns where actual[r, c] != expected[r, c] {
                bad.append("(\(r), \(c)) \(actual[r, c]) vs \(expected[r, c])")
            }
        }
        what += " at " + bad.prefix(8).joined(separator: ", ") + (bad.count > 8 ? ", …" : "")
    }
    Issue.record(Comment(rawValue: "\(prefix)\(what)\nactual:\n\(actual)\nexpected:\n\(expected)"),
                 sourceLocation: sourceLocation)
    return false
}
