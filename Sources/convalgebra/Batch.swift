import ArgumentParser
import ConvAlgebra

/// `convalgebra batch < LINES`: runs many command lines in one process, for the differential fuzzer
/// (`scripts/difffuzz.py`), which would otherwise spend most of its time starting processes. Hidden from
/// the help: a testing aid, not part of the contract.
///
/// Each line of standard input is one command line without the program name, its arguments separated by
/// tabs (`apply⇥conv⇥--input⇥x.npy⇥…`). For each, one line on standard output: `ok`, or the `error: …`
/// line the command would print on its own (``ConvAlgebraCommand/errorLine(for:arguments:)``). A command
/// line that would exit 0 without running (`--help`) prints `ok`.
struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run tab-separated command lines from standard input in one process (a testing aid).",
        shouldDisplay: false)

    func run() throws {
        while let line = readLine(strippingNewline: true) {
            let arguments = line.isEmpty ? [] : line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let outcome: String
            do {
                var command = try ConvAlgebraCommand.parseAsRoot(arguments)
                guard !(command is Batch) else { throw ConvAlgebraError.invalidArgument("batch cannot run batch") }
                try command.run()
                outcome = "ok"
            } catch {
                outcome = ConvAlgebraCommand.errorLine(for: error, arguments: arguments)
                    .map { "error: " + $0.line.split(whereSeparator: \.isNewline).joined(separator: " ") } ?? "ok"
            }
            print(outcome)
        }
    }
}
