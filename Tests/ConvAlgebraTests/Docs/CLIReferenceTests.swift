import Foundation
import Testing

/// docs/CLI.md, the CLI reference, against the built binary, in both directions: every command a synopsis
/// names exists (or stands under "Commands being added", and then must not exist yet), every option its
/// paragraph names is in that command's `--help`, every option of every command's `--help` is documented, and
/// the ops the reference lists are exactly the ops the CLI knows. A section another branch adds to the reference
/// is checked as soon as it lands, with no list to update here.
@Suite struct CLIReferenceTests {
    /// One synopsis line (`    convalgebra apply OP --input X.npy …`) and the text up to the next synopsis or
    /// heading: the paragraph that describes it.
    struct Synopsis: CustomStringConvertible {
        var program: String
        var command: [String]
        var block: String
        var planned: Bool
        var description: String { ([program] + command).joined(separator: " ") }
        /// Every `--option` the synopsis and its paragraph name.
        var options: Set<String> { CLIReferenceTests.optionNames(in: block) }
    }

    static let reference = DocumentationLinksTests.root.appendingPathComponent("docs/CLI.md")
    static let plannedHeading = "Commands being added"

    static func synopses() throws -> [Synopsis] {
        let text = try String(contentsOf: reference, encoding: .utf8)
        var result = [Synopsis](), heading = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") {
                heading = String(line)
                if !result.isEmpty { result[result.count - 1].block += "\n" }  // a heading ends the paragraph
                result.append(Synopsis(program: "", command: [], block: "", planned: false))
                continue
            }
            if let m = line.wholeMatch(of: /\ {4}(?:mpirun -np \S+ )?(convalgebra(?:-mpi)?)((?: [a-z][a-z-]*)+)(.*)/) {
                result.append(Synopsis(program: String(m.output.1), command: m.output.2.split(separator: " ").map(String.init),
                                       block: String(line), planned: heading.contains(plannedHeading)))
            } else if !result.isEmpty {
                result[result.count - 1].block += "\n" + line
            }
        }
        return result.filter { !$0.program.isEmpty }
    }

    /// The `--long` option names in a text.
    static func optionNames(in text: some StringProtocol) -> Set<String> {
        Set(String(text).matches(of: /--[a-z][a-z0-9-]*/).map { String($0.output) })
    }

    /// The options a `--help` text lists (its option column), without `--help` and `--version`.
    static func helpOptions(_ help: String) -> Set<String> {
        var names = Set<String>()
        for line in help.split(separator: "\n") {
            guard let m = line.firstMatch(of: /^\s+(-\S.*?)(?:\s{2,}|$)/) else { continue }
            names.formUnion(optionNames(in: m.output.1))
        }
        return names.subtracting(["--help", "--version"])
    }

    /// The subcommands a `--help` text lists.
    static func subcommands(_ help: String) -> [String] {
        guard help.contains("SUBCOMMANDS:") else { return [] }
        return help.components(separatedBy: "SUBCOMMANDS:").last!.split(separator: "\n")
            .compactMap { $0.firstMatch(of: /^  ([a-z][a-z-]*)/).map { String($0.output.1) } }
            .filter { $0 != "help" }
    }

    /// The help of `command`, or nil when the binary does not have it (each word must be a subcommand its
    /// parent's help lists: argument-parser answers `--help` after an unknown word with the parent's help).
    static func help(_ cli: CLIRunner, _ command: [String]) throws -> String? {
        for i in command.indices {
            let r = try cli.run(Array(command[..<i]) + ["--help"])
            guard r.status == 0, subcommands(r.stdout).contains(command[i]) else { return nil }
        }
        let r = try cli.run(command + ["--help"])
        return r.status == 0 ? r.stdout : nil
    }

    /// The options a synopsis documents: its own, and those of `apply` where it refers to "op options".
    static func documentedOptions(_ s: Synopsis, _ all: [Synopsis]) -> Set<String> {
        guard s.block.contains("op options"), let apply = all.first(where: { $0.command == ["apply"] }) else { return s.options }
        return s.options.union(apply.options)
    }

    @Test func theReferenceHasSynopses() throws {
        let all = try Self.synopses()
        for command in ["apply", "show", "analyze", "bench", "machine"] {
            #expect(all.contains { $0.command == [command] }, "docs/CLI.md has no synopsis of \(command)")
        }
    }

    @Test func everyDocumentedCommandAndOptionExists() throws {
        let cli = try CLIRunner()
        let all = try Self.synopses()
        for s in all {
            guard s.program == "convalgebra" else {
                // Another executable (convalgebra-mpi): it must be built beside convalgebra, or be planned.
                let path = URL(fileURLWithPath: try #require(CLIRunner.executable)).deletingLastPathComponent()
                    .appendingPathComponent(s.program).path
                #expect(s.planned || FileManager.default.isExecutableFile(atPath: path),
                        "docs/CLI.md documents \(s) but \(s.program) is not built")
                continue
            }
            guard let help = try Self.help(cli, s.command) else {
                #expect(s.planned, "docs/CLI.md documents `\(s)`, which the CLI does not have")
                continue
            }
            let missing = s.options.subtracting(Self.helpOptions(help))
            #expect(missing.isEmpty, "`\(s)` in docs/CLI.md names \(missing.sorted()), which its --help does not list")
        }
    }

    @Test func everyCommandAndOptionOfTheCLIIsDocumented() throws {
        let cli = try CLIRunner()
        let all = try Self.synopses().filter { $0.program == "convalgebra" }
        let root = try #require(try Self.help(cli, []))
        let listed = Self.subcommands(root)
        #expect(listed.count >= 5, "\(root)")
        for command in listed {
            let blocks = all.filter { $0.command.first == command }
            #expect(!blocks.isEmpty, "`convalgebra \(command)` has no synopsis in docs/CLI.md")
            // Commands with subcommands of their own (model analyze) are checked by their own synopses.
            for path in Set(blocks.map(\.command)) {
                guard let help = try Self.help(cli, path), !help.contains("SUBCOMMANDS:") else { continue }
                let documented = blocks.filter { $0.command == path }.reduce(into: Set<String>()) { $0.formUnion(Self.documentedOptions($1, all)) }
                let undocumented = Self.helpOptions(help).subtracting(documented)
                #expect(undocumented.isEmpty, "`convalgebra \(path.joined(separator: " "))` has options docs/CLI.md does not name: \(undocumented.sorted())")
            }
        }
    }

    /// The ops listed under `apply` (`- \`convolve\``, `- \`max-pool\` / \`avg-pool\``) are the ones the CLI knows,
    /// which it names in its unknown-op error.
    @Test func theDocumentedOpsAreTheCLIs() throws {
        let apply = try #require(try Self.synopses().first { $0.command == ["apply"] })
        var documented = Set<String>()
        for line in apply.block.split(separator: "\n") where line.hasPrefix("- `") {
            let head = line.prefix { $0 != ":" && $0 != "(" }
            documented.formUnion(head.matches(of: /`([a-z][a-z0-9-]*)/).map { String($0.output.1) })
        }
        let r = try CLIRunner().run(["apply", "no-such-op", "--input", "x.npy", "--output", "y.npy"])
        let known = try #require(r.stderr.firstMatch(of: /\(known: ([^)]*)\)/)).output.1
        let ops = Set(known.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(ops.count >= 8)
        #expect(documented == ops, "documented only: \(documented.subtracting(ops).sorted()); in the CLI only: \(ops.subtracting(documented).sorted())")
    }
}
