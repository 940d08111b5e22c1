import ConvAlgebra
import _TestSupport
import Foundation
import Testing

/// Runs the binary the way issue 13's reproducers do: in a fresh process under `ulimit -v` (an address-space
/// limit, 4 GiB unless told otherwise) and a wall-clock limit, so that a command that would allocate too much
/// aborts in the allocator (and fails the test) instead of swapping the machine, and one that never ends is killed.
extension CLIRunner {
    /// The limit of issue 13: `ulimit -v 4194304` (KiB).
    static let addressSpaceKiB = 4_194_304

    /// Runs `convalgebra arguments…` through `/bin/sh -c 'ulimit -v …; exec …'`, killed after `seconds`.
    /// Returns the result, whether it was killed for time, and the signal it died of (nil for a normal exit).
    func runLimited(_ arguments: [String], addressSpaceKiB: Int = CLIRunner.addressSpaceKiB, seconds: Double = 60,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> (result: Result, timedOut: Bool, signal: Int32?) {
        guard let exe = CLIRunner.executable else {
            Issue.record("the convalgebra executable was not found: run `swift build` or set CONVALGEBRA_BIN",
                         sourceLocation: sourceLocation)
            throw NotBuilt()
        }
        // A sanitized binary (make sanitize sets CONVALGEBRA_SANITIZED) maps terabytes of shadow memory and cannot
        // start under `ulimit -v`: it runs without the limit but with the budget the limit gives (half of it).
        let sanitized = ProcessInfo.processInfo.environment["CONVALGEBRA_SANITIZED"] != nil
        let limit = sanitized ? "" : "ulimit -v \(addressSpaceKiB) && "
        let budget = sanitized && !arguments.contains("--memory-budget") ? ["--memory-budget", "\(addressSpaceKiB / 2)K"] : []
        let r = try runChild("/bin/sh", ["-c", limit + "exec \"$0\" \"$@\"", exe] + arguments + budget, in: directory,
                             timeLimit: seconds)
        return (r, r.signal == SIGTERM, r.signal)
    }

    /// ``expectFailure(_:output:containing:sourceLocation:)`` under the address-space and time limits: one
    /// `error:` line, a non-zero exit (not a signal), nothing on stdout, no output or temporary file left.
    @discardableResult
    func expectLimitedFailure(_ arguments: [String], output: String? = "y.npy", containing fragment: String? = nil,
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let before = output.flatMap { FileManager.default.contents(atPath: path($0)) }
        let (r, timedOut, signal) = try runLimited(arguments, sourceLocation: sourceLocation)
        #expect(!timedOut, "\(arguments) ran past the time limit", sourceLocation: sourceLocation)
        #expect(signal == nil, "\(arguments) died of signal \(signal ?? 0): \(r.stderr.prefix(300))", sourceLocation: sourceLocation)
        return try expectFailed(r, arguments, output: output, before: before, containing: fragment, sourceLocation: sourceLocation)
    }

    /// The message of a failing command (after `error: `), nil when it did not fail with one `error:` line.
    func expectLimitedFailureMessage(_ arguments: [String]) -> String? {
        guard let (r, _, signal) = try? runLimited(arguments), signal == nil, r.status != 0, r.stderrLines.count == 1,
              r.stderr.hasPrefix("error: ") else { return nil }
        return String(r.stderr.dropFirst("error: ".count))
    }

    /// The reproducers' files: `x.npy` (2,2,8,8), `s.npy` (4,32), `q.npy` (5,), `w.npy` (4,2,3,3) a conv
    /// weight, `wt.npy` (2,4,3,3) a conv-transpose weight, and outputs to transpose (`y411.npy`, `y426.npy`).
    func writeHostileFixtures() throws {
        func t(_ dims: [Int]) throws -> Tensor<Float> {
            let n = dims.reduce(1, *)
            return try Tensor(shape: dims, scalars: (0..<n).map { Float(($0 * 37) % 101) / 101 - 0.5 })
        }
        try write(t([2, 2, 8, 8]), "x.npy")
        try write(t([4, 32]), "s.npy")
        try write(t([5]), "q.npy")
        try write(t([4, 2, 3, 3]), "w.npy")
        try write(t([2, 4, 3, 3]), "wt.npy")
        try write(t([1, 1, 1, 1, 1]), "x5.npy")
        try write(t([2, 2, 1, 1]), "x11.npy")
        try write(t([2, 4, 1, 1]), "y411.npy")
        try write(t([2, 4, 2, 6]), "y426.npy")
    }
}
