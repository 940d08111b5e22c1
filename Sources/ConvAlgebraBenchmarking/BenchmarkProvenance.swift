import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraPlanning
import ConvAlgebraIO
import Foundation

/// Where a benchmark result came from: the machine (CPU model, the cores used, the instruction sets, the FP32
/// FMA peak measured on it), the code (the commit) and the BLAS library. Written into every bench JSON as
/// `"provenance"`, so a number is never read without its machine, and percentages of peak are of the measured
/// peak, never of a nominal one.
public struct BenchmarkProvenance: Sendable, Equatable {
    public var cpuModel: String
    /// The threads the kernels used (``MachineProfile/threads``) and the cores the process may use.
    public var threads: Int, cores: Int
    /// The instruction sets present, and the path the C micro-kernels run.
    public var isa: [String], kernelISA: String
    /// The FP32 FMA peak on `threads` cores, GFLOP/s, and how it was obtained (`measured now`, or `wisdom`: measured
    /// when this machine was calibrated).
    public var peakGFLOPs: Double, peakSource: String
    /// `git rev-parse HEAD` of the checkout the executable was built in, `unknown` outside one.
    public var commit: String
    /// ``BLASLibrary/configuration``.
    public var openBLAS: String
    /// ``MachineProfile/fingerprint``: the wisdom's key for this machine.
    public var fingerprint: String

    /// This process on this machine; `peak` when the caller measured it just now, else the calibrated rates' (the
    /// wisdom's), else measured now with short FMA probes.
    public static func current(peak: Double? = nil) -> BenchmarkProvenance {
        let p = MachineProfile.current
        let known = peak == nil ? Planner.knownRates?.peakFP32 : nil
        return BenchmarkProvenance(
            cpuModel: p.cpuModel, threads: p.threads, cores: p.cores, isa: p.isa.names, kernelISA: p.kernelISA.rawValue,
            peakGFLOPs: peak ?? known ?? MachinePeak.fp32GFLOPs(rounds: 2_000_000, trials: 3),
            peakSource: known != nil ? "wisdom" : "measured now",
            commit: commit(), openBLAS: BLASLibrary.configuration, fingerprint: p.fingerprint)
    }

    /// The JSON object, keys in snake case.
    public var json: String {
        let fields: [(String, String)] = [
            ("cpu_model", JSONText.string(cpuModel)), ("threads", String(threads)), ("cores", String(cores)),
            ("isa", JSONText.array(isa.map(JSONText.string))), ("kernel_isa", JSONText.string(kernelISA)),
            ("fma_peak_gflops_fp32", JSONText.number(peakGFLOPs)), ("fma_peak_source", JSONText.string(peakSource)),
            ("commit", JSONText.string(commit)), ("openblas", JSONText.string(openBLAS)),
            ("machine_fingerprint", JSONText.string(fingerprint)),
        ]
        return "{" + JSONText.members(fields).joined(separator: ", ") + "}"
    }

    /// The commit of the git checkout holding the executable (else the working directory), `unknown` when
    /// neither is in one or git is not installed.
    public static func commit() -> String {
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        for directory in [executable.deletingLastPathComponent().path, FileManager.default.currentDirectoryPath] {
            if let head = gitHead(in: directory) { return head }
        }
        return "unknown"
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
