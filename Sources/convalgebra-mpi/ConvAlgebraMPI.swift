import ArgumentParser
import ConvAlgebra

#if canImport(Glibc)
import Glibc
#endif

/// The `convalgebra-mpi` tool (built by `make mpi`; docs/Past-one-machine.md): `convalgebra`'s operators assembled,
/// applied and analysed on PETSc and SLEPc under MPI, run as `mpirun -np P convalgebra-mpi COMMAND OP [options]`.
/// The op options are `convalgebra`'s own (its sources are compiled in); PETSc options (`-svd_tol 1e-12`,
/// `-log_view`) are split off the command line and given to PETSc (``PETScRuntime/split(_:)``).
///
/// Every failure prints exactly one line `error: …` on stderr, from rank 0 (all processes agree on a failure
/// before any leaves a collective step), and every process exits 1; `--help` prints the help on stdout.
@main
struct ConvAlgebraMPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convalgebra-mpi",
        abstract: "Operators assembled by rows over MPI processes in PETSc: apply them, find their extreme singular values (SLEPc), solve least squares (LSQR).",
        version: ConvAlgebraVersion.string,
        subcommands: [MPIApply.self, MPIAnalyze.self, MPILeastSquares.self])

    static func main() {
        let (petsc, tool) = PETScRuntime.split(Array(CommandLine.arguments.dropFirst()))
        do {
            try PETScRuntime.initialize(program: CommandLine.arguments.first ?? "convalgebra-mpi", petscOptions: petsc)
        } catch {
            report("\(error)", rankKnown: false)
            Glibc.exit(1)
        }
        var status: Int32 = 0
        do {
            var command = try parseAsRoot(tool)
            try command.run()
        } catch {
            status = handle(error)
        }
        PETScRuntime.finalize()
        Glibc.exit(status)
    }

    /// Prints the error line (or the help a request asked for) on rank 0; the exit status.
    private static func handle(_ error: Error) -> Int32 {
        if error is ConvAlgebraError || error is PETScError {
            report("\(error)")
            return 1
        }
        let code = exitCode(for: error)
        if code == .success {
            if PETScRuntime.rank == 0 { print(fullMessage(for: error)) }
            return 0
        }
        var line = fullMessage(for: error).split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        if line.hasPrefix("Error: ") { line.removeFirst("Error: ".count) }
        report(line.isEmpty ? "invalid arguments (see --help)" : line)
        return code.rawValue == 0 ? 1 : code.rawValue
    }

    /// One `error: …` line on stderr, from rank 0 only (from every process when MPI did not start).
    private static func report(_ text: String, rankKnown: Bool = true) {
        guard !rankKnown || PETScRuntime.rank == 0 else { return }
        let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        let bytes = Array("error: \(oneLine)\n".utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}
