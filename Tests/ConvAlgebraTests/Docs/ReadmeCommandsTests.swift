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
        let folder = NSTemporaryDirectory() + "convalgebra-readme-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for block in blocks {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = ["-euo", "pipefail", "-c", block.script]
            p.currentDirectoryURL = URL(fileURLWithPath: folder)
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            p.environment = environment
            let out = Pipe(), err = Pipe()
            p.standardOutput = out
            p.standardError = err
            try p.run()
            let group = DispatchGroup()
            nonisolated(unsafe) var outData = Data()
            DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
            let errData = err.fileHandleForReading.readDataToEndOfFile()
            group.wait()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, """
                README.md:\(block.line) failed (exit \(p.terminationStatus)):
                \(block.script)stdout: \(String(decoding: outData.suffix(2000), as: UTF8.self))
                stderr: \(String(decoding: errData.suffix(2000), as: UTF8.self))
                """)
            if p.terminationStatus != 0 { return }
        }
        // The chain made what it says: the conv's output and its transposed conv's output.
        #expect(FileManager.default.fileExists(atPath: folder + "/y.npy") && FileManager.default.fileExists(atPath: folder + "/z.npy"))
    }
}
