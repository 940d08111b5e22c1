import Foundation

/// A child process run to its end by ``runChild(_:_:in:environment:timeLimit:)``: its exit status (the signal's
/// number when a signal ended it) and everything it wrote.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// The signal that ended the process; nil when it exited.
    public var signal: Int32?

    public init(status: Int32, stdout: String, stderr: String, signal: Int32? = nil) {
        (self.status, self.stdout, self.stderr, self.signal) = (status, stdout, stderr, signal)
    }

    /// The lines of stderr (a final newline ends the last line; it does not start an empty one).
    public var stderrLines: [Substring] {
        stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast(stderr.hasSuffix("\n") ? 1 : 0).map { $0 }
    }
}

/// Runs `executable arguments…` in `directory` with `environment` (nil: this process's) and waits for it, draining
/// stdout and stderr concurrently with it, so a long output cannot block it. With `timeLimit`, the process gets
/// `SIGTERM` when it runs longer than that many seconds (the result's `signal` then says so).
/// - Throws: when the executable cannot be started.
public func runChild(_ executable: String, _ arguments: [String], in directory: String,
                     environment: [String: String]? = nil, timeLimit seconds: Double? = nil) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    p.currentDirectoryURL = URL(fileURLWithPath: directory)
    if let environment { p.environment = environment }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    // weak: the queue keeps the item until its deadline, long after a quick process ended.
    let killer = DispatchWorkItem { [weak p] in if let p, p.isRunning { p.terminate() } }
    if let seconds { DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: killer) }
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data()
    DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    p.waitUntilExit()
    killer.cancel()
    return ProcessResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self),
                         signal: p.terminationReason == .uncaughtSignal ? p.terminationStatus : nil)
}
