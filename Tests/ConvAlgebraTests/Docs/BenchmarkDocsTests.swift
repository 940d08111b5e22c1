@testable import ConvAlgebraBenchmarking
import Foundation
import Testing

/// docs/BENCHMARKS.md, the suite's definition, against ``SuiteV1``: the same case ids in both directions, each
/// in its suite, with the op and the input shape the table gives (batch, channels, spatial size), and suite C's
/// batch sizes.
@Suite struct BenchmarkDocsTests {
    /// A table row of the document: its suite letter (from the `## A.` heading above it) and its cells.
    struct Row { var suite: String; var cells: [String] }

    static func rows() throws -> [Row] {
        let text = try String(contentsOf: DocumentationLinksTests.root.appendingPathComponent("docs/BENCHMARKS.md"), encoding: .utf8)
        var suite = "", rows = [Row]()
        for line in text.split(separator: "\n") {
            if let m = line.firstMatch(of: /^## ([A-Z])\./) { suite = String(m.output.1); continue }
            guard line.hasPrefix("|"), !line.hasPrefix("|---"), !line.hasPrefix("| id ") else { continue }
            rows.append(Row(suite: suite, cells: line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }))
        }
        return rows
    }

    /// The CLI op of a table's op column (`conv2d`, `conv_transpose2d`, `max_pool2d`, `convolve same, stride 2`).
    static func op(_ column: String) -> String {
        if column.hasPrefix("conv_transpose") { return "conv-transpose" }
        if column.hasPrefix("convolve") || column.hasPrefix("transpose of convolve") { return "convolve" }
        if column.hasPrefix("conv") { return "conv" }
        if column.hasPrefix("max_pool") { return "max-pool" }
        if column.hasPrefix("avg_pool") { return "avg-pool" }
        if column.hasPrefix("upsample") { return "upsample" }
        return "unknown: \(column)"
    }

    /// `56x56` → [56, 56]; `1024` → [1024]; `2048 -> 4096` → [2048] (the first number: the input's).
    static func sizes(_ cell: String) -> [Int] {
        let first = cell.split(separator: " ").first.map(String.init) ?? cell
        return first.split(separator: "x").compactMap { Int($0) }
    }

    @Test func theCaseIdsAreTheSuites() throws {
        let documented = try Self.rows().map(\.cells[0])
        let suite = (SuiteV1.cases() + SuiteFusion.cases()).compactMap(\.id)
        #expect(documented.count == Set(documented).count, "an id is defined twice: \(documented)")
        #expect(Set(documented) == Set(suite),
                "only in docs/BENCHMARKS.md: \(Set(documented).subtracting(suite).sorted()); only in SuiteV1 and SuiteFusion: \(Set(suite).subtracting(documented).sorted())")
    }

    @Test func eachCaseHasTheDocumentedSuiteOpAndShape() throws {
        let cases = Dictionary(grouping: SuiteV1.cases() + SuiteFusion.cases(), by: { $0.id ?? "" })
        for row in try Self.rows() {
            let id = row.cells[0]
            // theCaseIdsAreTheSuites reports a missing id; suite F's rows describe chains, not one op and shape
            guard let c = cases[id]?.first, c.suite != "F" else { continue }
            #expect(c.suite == row.suite, "\(id): suite \(c.suite) in SuiteV1, \(row.suite) in the document")
            #expect(c.op == Self.op(row.cells[1]), "\(id): op \(c.op) in SuiteV1, '\(row.cells[1])' in the document")
            switch row.suite {
            case "A":  // | id | op | N | C_in→C_out | spatial | …
                let cin = Int(row.cells[3].split(separator: "→").first ?? "") ?? -1
                #expect(c.inputShape == [Int(row.cells[2]) ?? -1, cin] + Self.sizes(row.cells[4]), "\(id): \(c.inputShape)")
            case "B":  // | id | op | batch | n | K | …
                #expect(c.inputShape == [Int(row.cells[2]) ?? -1] + Self.sizes(row.cells[3]), "\(id): \(c.inputShape)")
            case "C":  // | id | operator | one sample's size |: the sample's spatial size, batch in {1, 16, 256, 4096}
                let spatial = Self.sizes(row.cells[2].replacingOccurrences(of: "n = ", with: ""))
                #expect(cases[id]!.map { Array($0.inputShape.suffix(spatial.count)) }.allSatisfy { $0 == spatial }, "\(id)")
                #expect(cases[id]!.map { $0.inputShape[0] } == SuiteV1.matrixBatches, "\(id)")
            default:
                Issue.record("\(id) stands under no `## A.`/`## B.`/`## C.` heading")
            }
        }
    }

    /// The batch sizes the document gives suite C are SuiteV1's.
    @Test func suiteCsBatchSizesAreTheDocuments() throws {
        let text = try String(contentsOf: DocumentationLinksTests.root.appendingPathComponent("docs/BENCHMARKS.md"), encoding: .utf8)
        let m = try #require(text.firstMatch(of: /B in \{([0-9, ]+)\}/))
        #expect(m.output.1.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } == SuiteV1.matrixBatches)
    }
}
