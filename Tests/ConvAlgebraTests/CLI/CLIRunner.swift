import ConvAlgebra
import _TestSupport
import Foundation
import Testing

/// Runs the built `convalgebra` executable, as the contract's external test suites do.
///
/// The binary is looked up, in order: `$CONVALGEBRA_BIN`; beside the running test executable
/// (SwiftPM puts products and the test bundle in one build directory); `.build/debug` and `.build/release`
/// of the package that holds this file. `make test` runs `swift build` first, so it exists; when it does
/// not, every CLI test fails with a message saying so (never a silent skip).
struct CLIRunner {
    typealias Result = ProcessResult

    struct NotBuilt: Error {}

    /// A scratch directory for one test's files.
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "convalgebra-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the scratch directory.
    func path(_ name: String) -> String { directory + "/" + name }

    static let executable: String? = {
        let fm = FileManager.default
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["CONVALGEBRA_BIN"] { candidates.append(env) }
        if let exe = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("convalgebra").path)
        }
        if let bundle = Bundle.main.executableURL {
            candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("convalgebra").path)
        }
        // <root>/Tests/ConvAlgebraTests/CLI/CLIRunner.swift → <root>
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        for config in ["debug", "release"] { candidates.append(root.appendingPathComponent(".build/\(config)/convalgebra").path) }
        return candidates.first { fm.isExecutableFile(atPath: $0) }
    }()

    /// Runs `convalgebra arguments…` in the scratch directory.
    func run(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        guard let exe = CLIRunner.executable else {
            Issue.record("the convalgebra executable was not found: run `swift build` (make test does) or set CONVALGEBRA_BIN",
                         sourceLocation: sourceLocation)
            throw NotBuilt()
        }
        // The planner's rates from a seeded wisdom file (unless the test names one): no CLI run measures the machine.
        var environment = ProcessInfo.processInfo.environment
        if environment["CONVALGEBRA_WISDOM"] == nil { environment["CONVALGEBRA_WISDOM"] = PlannerFixture.wisdomFile }
        return try runChild(exe, arguments, in: directory, environment: environment)
    }

    /// Runs a command that must fail: exactly one line `error: …` on stderr, nothing on stdout, a non-zero
    /// exit, and no file at `output` (or the file there untouched). Returns the message after `error: `.
    @discardableResult
    func expectFailure(_ arguments: [String], output: String? = nil, containing fragment: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let before = output.flatMap { FileManager.default.contents(atPath: path($0)) }
        let r = try run(arguments, sourceLocation: sourceLocation)
        #expect(r.stderr.hasSuffix("\n"), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("Error:") && !r.stderr.contains("Usage:"), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        return try expectFailed(r, arguments, output: output, before: before, containing: fragment, sourceLocation: sourceLocation)
    }

    /// What every failing command's result `r` must show: a non-zero exit, nothing on stdout, exactly one line
    /// `error: …` on stderr (containing `fragment`), the file at `output` as it was `before`, and no temporary
    /// file left. Returns the message after `error: `.
    func expectFailed(_ r: Result, _ arguments: [String], output: String?, before: Data?, containing fragment: String?,
                      sourceLocation: SourceLocation) throws -> String {
        #expect(r.status != 0, "exit status for \(arguments)", sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, "stdout: \(r.stdout.prefix(300))", sourceLocation: sourceLocation)
        #expect(r.stderrLines.count == 1, "stderr must be one line: \(r.stderr.prefix(300))", sourceLocation: sourceLocation)
        #expect(r.stderr.hasPrefix("error: "), "stderr: \(r.stderr.prefix(300))", sourceLocation: sourceLocation)
        if let fragment {
            #expect(r.stderr.contains(fragment), "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        }
        if let output {
            #expect(FileManager.default.contents(atPath: path(output)) == before,
                    "\(output) was created or changed by a failing command", sourceLocation: sourceLocation)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "left behind: \(leftovers)", sourceLocation: sourceLocation)
        return String(r.stderr.dropFirst("error: ".count).dropLast())
    }

    /// Runs a command that must succeed with nothing on stderr; returns stdout.
    @discardableResult
    func expectSuccess(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try run(arguments, sourceLocation: sourceLocation)
        #expect(r.status == 0, "\(arguments) failed: \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.isEmpty, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
        return r.stdout
    }

    /// Writes a tensor as `name` in the scratch directory.
    func write<S: BLASScalar>(_ t: Tensor<S>, _ name: String) throws {
        try NPY.write(t, to: path(name))
    }

    /// Writes raw bytes as `name`.
    func write(bytes: [UInt8], _ name: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
    }

    func read(_ name: String) throws -> NPYArray { try NPY.read(path: path(name)) }
}

extension CLIRunner {
    /// A seeded tensor of uniform values in [−1, 1) (SplitMix64), so failures reproduce.
    static func random<S: BLASScalar>(_ shape: [Int], seed: UInt64, as _: S.Type = S.self) throws -> Tensor<S> {
        let s = try Shape(shape)
        var generator = SplitMix64(seed: seed)
        let values: [S] = generator.uniform(s.count)
        return try Tensor(shape: s, scalars: values)
    }
}
