import ConvAlgebra
import Foundation
import Testing

/// SIGTERM and SIGINT stop the long-running commands at once (issue 13): the process dies of the signal (its
/// default action, after ``TerminationCleanup`` removed any temporary file) and leaves nothing in its directory —
/// no wisdom file from `calibrate`, no JSON from `bench`, no `.tmp-` file. (Issue 13: a session had to SIGKILL a
/// debug `calibrate`; the 60 s limit below only catches a process that ignores the signal, it is not a timing
/// assertion.)
@Suite struct StoppingSignalTests {
    /// Commands that run for minutes in a debug build, each with an output that must not appear.
    static let commands: [[String]] = [
        ["calibrate", "--cases", "C", "--wisdom", "wisdom.json"],
        ["bench", "--suite", "v1", "--json", "bench.json"],
    ]

    @Test(arguments: commands, [SIGTERM, SIGINT])
    func aStoppingSignalEndsTheCommandWithNothingLeft(_ arguments: [String], _ signal: Int32) throws {
        let cli = try CLIRunner()
        let exe = try #require(CLIRunner.executable, "the convalgebra executable was not found: run `swift build`")
        let p = Process()
        // Through env(1) with the signals' default action: a test run in a shell's background job inherits SIGINT
        // ignored, and the CLI rightly keeps an ignored signal ignored.
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["--default-signal=INT,TERM", exe] + arguments
        p.currentDirectoryURL = URL(fileURLWithPath: cli.directory)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: 1.5)  // into the measurements
        #expect(p.isRunning, "\(arguments[0]) ended before it was signalled")
        kill(p.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let stopped = !p.isRunning
        if !stopped { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        #expect(stopped, "\(arguments[0]) ignored signal \(signal)")
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == signal,
                "status \(p.terminationStatus), reason \(p.terminationReason.rawValue)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.directory).isEmpty)
    }
}
