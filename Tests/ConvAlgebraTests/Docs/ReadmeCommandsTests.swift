import Foundation
import Testing

/// The README runs: its ```sh blocks, in order, in one empty temporary folder, with the built `convalgebra` first
/// on PATH, as a newcomer would type them after `make install`. A block is left out only when the line above it
/// says so and why (`<!-- readme-test: not run — the reason -->`); every other block must exit 0.
@Suite struct ReadmeCommandsTests {
    static let marker = "<!-- readme-test: not run"

    struct Block { var line: Int; var script: String; var run: Bool; var reason: String }

    static func blocks() throws -> [Block] {
        let text = try String(contentsOf: DocumentationLinksTests.root.appendingPathComponent("README.md"), encoding: .utf8)
        var result = [Block](), current: Block? = nil, previous = ""
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var block = current {
                if trimmed == "```" { result.append(block); current = nil } else { block.script += line + "\n"; current = block }
                continue
            }
            if trimmed == "```sh" || trimmed == "```bash" || trimmed == "```shell" {
                let skipped = previous.hasPrefix(marker)
                let reason = skipped ? previous.components(separatedBy: "—").dropFirst().joined(separator: "—")
                    .replacingOccurrences(of: "-->", with: "").trimmingCharacters(in: .whitespaces) : ""
                current = Block(line: index + 1, script: "", run: !skipped, reason: reason)
            }
            if !trimmed.isEmpty { previous = trimmed }
        }
        return result
    }

    @Test func everyBlockLeftOutSaysWhy() throws {
        for block in try Self.blocks() where !block.run {
            #expect(!block.reason.isEmpty, "README.md:\(block.line) is not run and does not say why")
        }
    }

    @Test func theShellBlocksRunInOrderInAnEmptyFolder() throws {
        let exe = try #require(CLIRunner.executable, "the convalgebra executable was not found: run `swift build` (make test does)")
        let bin = URL(fileURLWithPath: exe).deletingLastPathComponent().path
        let blocks = try Self.blocks().filter(\.run)
        #expect(blocks.count >= 3, "the README has too few runnable shell blocks")
        #expect(blocks.contains { $0.script.contains("convalgebra random") }, "the README's examples make no inputs")
        let folder = try CLIRunner()   // one empty scratch directory for the whole chain
        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        for block in blocks {
            let r = try folder.runCommand(["/bin/bash", "-euo", "pipefail", "-c", block.script], environment: ["PATH": path])
            #expect(r.status == 0, """
                README.md:\(block.line) failed (exit \(r.status)):
                \(block.script)stdout: \(r.stdout.suffix(2000))
                stderr: \(r.stderr.suffix(2000))
                """)
            if r.status != 0 { return }
        }
        // The chain made what it says: the conv's output and its transposed conv's output.
        #expect(FileManager.default.fileExists(atPath: folder.path("y.npy")) && FileManager.default.fileExists(atPath: folder.path("z.npy")))
    }
}
