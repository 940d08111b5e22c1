import ArgumentParser
import ConvAlgebra

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `convalgebra` tool: apply, show, analyze and bench the operators of the library from the command line.
/// The contract it follows is `docs/CLI.md`; `--version` prints ``ConvAlgebraVersion/string``.
///
/// Every failure, argument-parser's own included, prints exactly one line `error: …` on stderr and
/// exits non-zero; `--help` prints the usual help on stdout and exits 0.
@main
struct ConvAlgebraCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convalgebra",
        abstract: "Convolutions as DSP operators: apply them directly or as dense/sparse matrices, transpose them, print their matrices.",
        version: ConvAlgebraVersion.string,
        subcommands: [Apply.self, Show.self, Analyze.self, Export.self, Explain.self, Bench.self, Machine.self, Model.self, Random.self, Calibrate.self, Batch.self])

    /// The subcommands whose first argument is an OP.
    static let opSubcommands: Set<String> = ["apply", "show", "analyze", "export", "explain", "bench"]

    static func main() {
        // SIGTERM/SIGINT/SIGHUP end the process as by default, but first remove the temporary file of an output
        // being written: a stopped command leaves neither a partial output nor a `.tmp-` file.
        TerminationCleanup.install()
        // OpenBLAS's workers spin for about 0.1 s after the library loads, on the cores our kernels run on.
        BLASLibrary.stopIdleThreads()
        // And again before each candidate a plan measures (the command calls BLAS from one thread only).
        Planner.stopwatch = .live(settle: PlanTiming.settleBLAS)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            fail(error)
        }
    }

    /// Prints one `error: …` line and exits, or hands a help/version request to argument-parser.
    static func fail(_ error: Error) -> Never {
        guard let (line, code) = errorLine(for: error, arguments: Array(CommandLine.arguments.dropFirst())) else {
            exit(withError: error)  // --help, --version: printed on stdout as usual
        }
        printError(line)
        terminate(code)
    }

    /// The text of the one `error: …` line for `error` (without the prefix) and the exit status, or nil for a
    /// help/version request, which exits 0. `arguments` is the command line without the program name.
    static func errorLine(for error: Error, arguments args: [String]) -> (line: String, code: Int32)? {
        if let e = error as? ConvAlgebraError { return (e.description, 1) }
        let code = exitCode(for: error)
        if code == .success { return nil }
        let status = code.rawValue == 0 ? 1 : code.rawValue
        // `apply frobnicate` without its other arguments: the unknown op is the first thing to fix, so say
        // that rather than argument-parser's "missing --input".
        if args.count >= 2, opSubcommands.contains(args[0]), !args[1].hasPrefix("-"),
           case .failure(let unknown) = Result(catching: { try OperatorFactory.definition(named: args[1]) }) {
            return ("\(unknown)", status)
        }
        let message = fullMessage(for: error)
        var line = message.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        if line.hasPrefix("Error: ") { line.removeFirst("Error: ".count) }
        return (line.isEmpty ? "invalid arguments (see --help)" : line, status)
    }

    private static func printError(_ text: String) {
        // One line, whatever the text: a message must never spill onto a second line.
        let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        let bytes = Array("error: \(oneLine)\n".utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}

/// `exit(3)`, named apart from argument-parser's `exit(withError:)`.
private func terminate(_ code: Int32) -> Never {
    exit(code)
}
