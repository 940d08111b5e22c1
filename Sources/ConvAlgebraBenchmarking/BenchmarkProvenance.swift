import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraPlanning
import ConvAlgebraIO
import Foundation

/// Where a benchmark result comes from: the library's version, the commit, the BLAS it ran on, the machine as
/// the kernels saw it and its FP32 FMA peak as measured on it. The JSON report carries it as `"provenance"`, so a
/// figure read later names its machine and build instead of "this machine", and percentages of peak are of the
/// measured peak, never of a nominal one.
///
/// JSON: `{"convalgebra_version", "commit", "commit_source", "openblas", "openblas_version", "cpu_model", "threads", "cores", "isa",
/// "kernel_isa", "fma_peak_gflops_fp32", "fma_peak_source", "machine_fingerprint",
/// "machine": {"cpu_model", "architecture", "threads", "isa", "kernel_isa", "l1d", "l2", "l3"}}`
/// (cache sizes in bytes; `commit`, `openblas_version` and the peak are `null` when unknown).
public struct BenchmarkProvenance: Sendable, Equatable {
    /// ``ConvAlgebraVersion/string``.
    public var version: String
    /// The git commit, found once per run (``CommitSource``), else nil.
    public var commit: String?
    /// Where ``commit`` comes from: the build, or only a claim or a look at a checkout when the program runs.
    public var commitSource: CommitSource?
    /// OpenBLAS's own description of its build (version, target core, threading), and its version number.
    public var blas: String, blasVersion: String?
    /// The machine: CPU model, usable cores, instruction sets, caches.
    public var machine: MachineProfile
    /// The FP32 FMA peak on the machine's threads, GFLOP/s, and how it was obtained (`measured now`, or `wisdom`:
    /// measured when this machine was calibrated); nil when not measured.
    public var peakGFLOPs: Double?, peakSource: String?

    /// Where a provenance's commit comes from, in the order it is looked for.
    public enum CommitSource: String, Sendable, Equatable {
        /// Compiled in: the commit the binary was built from (``ConvAlgebraVersion/commit``).
        case build
        /// The caller's word: `CONVALGEBRA_COMMIT` in the environment when the program runs, or given in code.
        case given = "CONVALGEBRA_COMMIT at run time"
        /// `git rev-parse HEAD` of the checkout holding the executable (else of the working directory) when the
        /// program runs, which need not be the commit it was built from.
        case workingTree = "the checkout at run time"
    }

    public init(version: String, commit: String?, commitSource: CommitSource? = nil, blas: String, blasVersion: String?,
                machine: MachineProfile, peakGFLOPs: Double? = nil, peakSource: String? = nil) {
        self.version = version; self.commit = commit; self.commitSource = commit == nil ? nil : commitSource
        self.blas = blas; self.blasVersion = blasVersion; self.machine = machine
        self.peakGFLOPs = peakGFLOPs; self.peakSource = peakSource
    }

    /// This process: the built-in version, the commit (`commit` when given and not empty, else ``runCommit``), the
    /// linked OpenBLAS, ``MachineProfile/current``, and the peak: `peak` when the caller measured it just now, else
    /// the calibrated rates' (the wisdom's), else measured now with short FMA probes when `measurePeak`.
    public static func current(commit: String? = nil, peak: Double? = nil, measurePeak: Bool = false) -> BenchmarkProvenance {
        let known = peak == nil ? Planner.knownRates?.peakFP32 : nil
        let measured = peak ?? known ?? (measurePeak ? MachinePeak.fp32GFLOPs(rounds: 2_000_000, trials: 3) : nil)
        let found = commit.flatMap { $0.isEmpty ? nil : (commit: $0, source: CommitSource.given) } ?? runCommit
        return BenchmarkProvenance(
            version: ConvAlgebraVersion.string, commit: found?.commit, commitSource: found?.source,
            blas: BLASLibrary.configuration, blasVersion: BLASLibrary.version, machine: .current,
            peakGFLOPs: measured, peakSource: measured == nil ? nil : known != nil ? "wisdom" : "measured now")
    }

    /// The commit of this run, looked for once (git is spawned at most once per process): the build's
    /// (``ConvAlgebraVersion/commit``), else `CONVALGEBRA_COMMIT` in the environment, else ``gitCommit()``.
    public static let runCommit: (commit: String, source: CommitSource)? = {
        if let built = ConvAlgebraVersion.commit { return (built, .build) }
        if let given = ProcessInfo.processInfo.environment["CONVALGEBRA_COMMIT"], !given.isEmpty { return (given, .given) }
        return gitCommit().map { ($0, .workingTree) }
    }()

    /// The `"provenance"` object of the report.
    public var json: String {
        let m = machine
        let machineFields: [(String, String)] = [
            ("cpu_model", JSONText.string(m.cpuModel)),
            ("architecture", JSONText.string(m.architecture)),
            ("threads", String(m.threads)),
            ("isa", JSONText.array(m.isa.names.map(JSONText.string))),
            ("kernel_isa", JSONText.string(m.kernelISA.rawValue)),
            ("l1d", String(m.caches.l1d.bytes)),
            ("l2", String(m.caches.l2.bytes)),
            ("l3", m.caches.l3.map { String($0.bytes) } ?? "null"),
        ]
        let fields: [(String, String)] = [
            ("convalgebra_version", JSONText.string(version)),
            ("commit", commit.map(JSONText.string) ?? "null"),
            ("commit_source", commitSource.map { JSONText.string($0.rawValue) } ?? "null"),
            ("openblas", JSONText.string(blas)),
            ("openblas_version", blasVersion.map(JSONText.string) ?? "null"),
            ("cpu_model", JSONText.string(m.cpuModel)),
            ("threads", String(m.threads)), ("cores", String(m.cores)),
            ("isa", JSONText.array(m.isa.names.map(JSONText.string))),
            ("kernel_isa", JSONText.string(m.kernelISA.rawValue)),
            ("fma_peak_gflops_fp32", peakGFLOPs.map(JSONText.number) ?? "null"),
            ("fma_peak_source", peakSource.map(JSONText.string) ?? "null"),
            ("machine_fingerprint", JSONText.string(m.fingerprint)),
            ("machine", "{" + JSONText.members(machineFields).joined(separator: ", ") + "}"),
        ]
        return "{" + JSONText.members(fields).joined(separator: ", ") + "}"
    }

    /// One line for the top of a table: `convalgebra 0.4.0 (abc1234, build), OpenBLAS 0.3.21, AMD EPYC …, 2 threads,
    /// avx2-fma kernels`.
    public var summary: String {
        "convalgebra \(version)" + (commit.map { " (\(Self.short($0))" + (commitSource.map { ", \($0.rawValue)" } ?? "") + ")" } ?? "")
            + ", OpenBLAS \(blasVersion ?? "?"), \(machine.cpuModel), \(machine.threads) threads, \(machine.kernelISA.rawValue) kernels"
    }

    /// A commit as a reader scans it: the hash cut to 12 digits, a `-dirty` mark kept.
    static func short(_ commit: String) -> String {
        let parts = commit.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        return parts[0].prefix(12) + (parts.count > 1 ? "-" + parts[1] : "")
    }

    /// The commit of the git checkout holding the executable (else the working directory), nil when neither is
    /// in one or git is not installed.
    public static func gitCommit() -> String? {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        for directory in [executable.deletingLastPathComponent().path, FileManager.default.currentDirectoryPath] {
            if let head = gitHead(in: directory) { return head }
        }
        return nil
    }

    private static func gitHead(in directory: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory, "rev-parse", "HEAD"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).filter { !$0.isWhitespace }
        guard process.terminationStatus == 0, text.count == 40, text.allSatisfy(\.isHexDigit) else { return nil }
        return text
    }
}
