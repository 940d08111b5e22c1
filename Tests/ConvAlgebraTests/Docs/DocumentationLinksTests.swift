import Foundation
import Testing

/// Every relative link in README.md, ARCHITECTURE.md and Guides/ names a file or folder of the repository, so a
/// move of sources (the layered targets moved every file once) cannot leave the docs pointing nowhere.
@Suite struct DocumentationLinksTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var documents: [URL] {
        let guides = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Guides").path)) ?? []
        return ["README.md", "ARCHITECTURE.md"].map { root.appendingPathComponent($0) }
            + guides.filter { $0.hasSuffix(".md") }.sorted().map { root.appendingPathComponent("Guides/\($0)") }
    }

    @Test func theDocumentsExist() {
        #expect(Self.documents.count >= 3)
        for doc in Self.documents { #expect(FileManager.default.fileExists(atPath: doc.path), "\(doc.path)") }
    }

    @Test(arguments: documents)
    func relativeLinksResolve(_ document: URL) throws {
        let text = try String(contentsOf: document, encoding: .utf8)
        let links = text.matches(of: /\]\(([^)\s#]+)(#[^)]*)?\)/).map { String($0.output.1) }
        for link in links where !link.hasPrefix("http") && !link.hasPrefix("mailto:") {
            let path = document.deletingLastPathComponent().appendingPathComponent(link.removingPercentEncoding ?? link)
            #expect(FileManager.default.fileExists(atPath: path.standardizedFileURL.path),
                    "\(document.lastPathComponent) links to \(link), which does not exist")
        }
    }
}
