import Foundation
import Testing

/// Every ```swift block of README.md, Guides/, docs/ and the DocC articles is compiled and run: the executable
/// target `Sources/DocSnippets` holds them, one function per block, and this test fails while it differs from
/// what the documents say (`make snippets` rewrites it; `make test` builds and runs it). A block that is not
/// Swift on its own (a Package.swift fragment, a signature) says so in the line above it:
/// `<!-- snippet: not compiled — the reason -->`.
@Suite struct DocSnippetsTests {
    static let root = DocumentationLinksTests.root
    static let target = root.appendingPathComponent("Sources/DocSnippets")
    static let marker = "<!-- snippet: not compiled"

    struct Block { var line: Int; var code: [String] }

    /// The documents, repository-relative, in a fixed order.
    static func documents() -> [String] {
        func markdown(in folder: String) -> [String] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
            return names.filter { $0.hasSuffix(".md") }.sorted().map { "\(folder)/\($0)" }
        }
        return ["README.md"] + markdown(in: "Guides") + markdown(in: "docs") + markdown(in: "Sources/ConvAlgebra/ConvAlgebra.docc")
    }

    /// The compiled blocks of a document, and a description of each block left out without a reason.
    static func blocks(of text: String) -> (compiled: [Block], unexplained: [Int]) {
        var compiled = [Block](), unexplained = [Int](), current: Block? = nil, previous = ""
        var skipping = false
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            if var block = current {
                if line.trimmingCharacters(in: .whitespaces) == "```" {
                    if !skipping { compiled.append(block) }
                    current = nil
                } else {
                    block.code.append(line); current = block
                }
                continue
            }
            if line.trimmingCharacters(in: .whitespaces) == "```swift" {
                current = Block(line: index + 1, code: [])
                skipping = previous.hasPrefix(marker)
                if skipping, previous.components(separatedBy: "—").count < 2 || previous.hasSuffix("— -->") {
                    unexplained.append(index + 1)
                }
            }
            if !line.trimmingCharacters(in: .whitespaces).isEmpty { previous = line.trimmingCharacters(in: .whitespaces) }
        }
        return (compiled, unexplained)
    }

    /// `Guides/Pooling.md` → `Guides_Pooling`.
    static func name(of document: String) -> String {
        document.replacingOccurrences(of: "Sources/ConvAlgebra/ConvAlgebra.docc/", with: "Article/")
            .replacingOccurrences(of: ".md", with: "")
            .map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    /// The generated files: one per document with compiled blocks, and main.swift running them all.
    static func generated() throws -> [String: String] {
        var files = [String: String](), names = [String]()
        for document in documents() {
            let text = try String(contentsOf: root.appendingPathComponent(document), encoding: .utf8)
            let blocks = Self.blocks(of: text).compiled
            guard !blocks.isEmpty else { continue }
            let name = Self.name(of: document)
            names.append(name)
            var imports = Set(["ConvAlgebra"]), functions = [String]()
            for (i, block) in blocks.enumerated() {
                var body = [String]()
                for line in block.code {
                    if let m = line.wholeMatch(of: /import ([A-Za-z_]+)/) { imports.insert(String(m.output.1)); continue }
                    body.append(line.isEmpty ? "" : "        " + line)
                }
                // A block's values are meant to be looked at, not used again: say so, or the compiler warns.
                for line in block.code {
                    if let m = line.firstMatch(of: /^(?:let|var) ([A-Za-z_][A-Za-z0-9_]*)\b/) { body.append("        _ = \(m.output.1)") }
                }
                functions.append((["    /// \(document), the block at line \(block.line).",
                                   "    static func block\(i + 1)() throws {"] + body + ["    }"]).joined(separator: "\n"))
            }
            let lines = ["// Generated from \(document) by `make snippets`: edit the document, not this file."]
                + imports.sorted().map { "import \($0)" }
                + ["", "enum \(name) {", "    static let blocks: [(String, @Sendable () throws -> Void)] = ["]
                + blocks.indices.map { "        (\"\(document):\(blocks[$0].line)\", block\($0 + 1))," }
                + ["    ]", "", functions.joined(separator: "\n\n"), "}", ""]
            files["\(name).swift"] = lines.joined(separator: "\n")
        }
        let main = ["// Generated by `make snippets`: runs every compiled block of the documentation, in document order.",
                    "let documents: [[(String, @Sendable () throws -> Void)]] = ["]
            + names.map { "    \($0).blocks," }
            + ["]", "for (place, block) in documents.joined() {", "    print(\"--- \\(place)\")", "    try block()", "}", ""]
        files["main.swift"] = main.joined(separator: "\n")
        return files
    }

    @Test func everyBlockLeftOutSaysWhy() throws {
        for document in Self.documents() {
            let text = try String(contentsOf: Self.root.appendingPathComponent(document), encoding: .utf8)
            let unexplained = Self.blocks(of: text).unexplained
            #expect(unexplained.isEmpty, "\(document): the blocks at lines \(unexplained) are left out with no reason after '—'")
        }
    }

    @Test func theSnippetTargetIsTheDocuments() throws {
        let expected = try Self.generated()
        #expect(expected.count >= 4, "too few documents with Swift blocks: \(expected.keys.sorted())")
        let fm = FileManager.default
        if ProcessInfo.processInfo.environment["CONVALGEBRA_WRITE_SNIPPETS"] == "1" {
            try fm.createDirectory(at: Self.target, withIntermediateDirectories: true)
            for stale in (try? fm.contentsOfDirectory(atPath: Self.target.path)) ?? [] where expected[stale] == nil {
                try fm.removeItem(at: Self.target.appendingPathComponent(stale))
            }
            for (file, text) in expected { try text.write(to: Self.target.appendingPathComponent(file), atomically: true, encoding: .utf8) }
        }
        let present = Set((try? fm.contentsOfDirectory(atPath: Self.target.path)) ?? [])
        #expect(present == Set(expected.keys), "Sources/DocSnippets differs from the documents: run `make snippets`")
        for (file, text) in expected.sorted(by: { $0.key < $1.key }) where present.contains(file) {
            let committed = try String(contentsOf: Self.target.appendingPathComponent(file), encoding: .utf8)
            #expect(committed == text, "Sources/DocSnippets/\(file) differs from its document: run `make snippets`")
        }
    }
}
