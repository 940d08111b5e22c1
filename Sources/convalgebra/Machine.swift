import ArgumentParser
import ConvAlgebra
import Foundation

/// `convalgebra machine [--json] [--peak]`: the machine as the kernels see it (``MachineProfile``).
///
/// Prints the profile as aligned text, or with `--json` the profile's JSON document (`MachineProfile+Codable`):
/// `architecture`, `cpu_model`, `cores`, `online_cores`, `affinity_cores`, `cgroup_cpu_limit`,
/// `threads_override`, `threads`, `caches` {`l1d`, `l2`, `l3`, `line`, `sources`, `shared_by`}, `isa`,
/// `kernel_isa`, `kernel_isa_forced_portable`, `memory` {`physical`, `cgroup_limit`, `address_space_limit`,
/// `available`}, and with `--peak` `peak_gflops_fp32` / `peak_gflops_fp64`; sizes in bytes, absent limits `null`;
/// `convalgebra_version` names the build that read it.
/// A `CONVALGEBRA_THREADS` that is not a positive integer is an error here (the library ignores it).
struct Machine: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the machine as the kernels see it: usable cores, caches, instruction sets, memory limits.")

    @Flag(help: "Print the profile as JSON (sizes in bytes, absent limits null).")
    var json = false

    @Flag(help: "Also measure the FP32 and FP64 peaks with FMA probes on the usable cores (about a second).")
    var peak = false

    func run() throws {
        if let raw = ProcessInfo.processInfo.environment["CONVALGEBRA_THREADS"], MachineProfile.parseThreads(raw) == nil {
            throw ConvAlgebraError.invalidArgument("CONVALGEBRA_THREADS must be a positive integer, got '\(raw)'")
        }
        let profile = peak ? MachineProfile.current.measuringPeak() : MachineProfile.current
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(VersionedProfile(profile: profile)), as: UTF8.self))
        } else {
            print(Self.text(profile))
        }
    }

    /// The aligned text report: one `name  value  (where it came from)` line per number.
    static func text(_ p: MachineProfile) -> String {
        func count(_ n: Int?) -> String { n.map(String.init) ?? "none" }
        func cache(_ level: MachineProfile.Caches.Level?) -> String {
            guard let level else { return "none" }
            let shared = level.sharedBy.map { $0 == 1 ? ", 1 CPU" : ", shared by \($0) CPUs" } ?? ""
            return "\(bytes(level.bytes))  (\(level.source.rawValue)\(shared))"
        }
        let threadsNote = p.threadsOverride == nil ? "the cores; CONVALGEBRA_THREADS not set"
            : "CONVALGEBRA_THREADS, instead of the \(p.cores) cores"
        var rows: [(String, String)] = [
            ("architecture", p.architecture),
            ("cpu model", p.cpuModel),
            ("cores", "\(p.cores)  (online \(p.onlineCores), affinity \(count(p.affinityCores)), cgroup quota \(count(p.cgroupCPULimit)))"),
            ("threads", "\(p.threads)  (\(threadsNote))"),
            ("L1d cache", cache(p.caches.l1d)),
            ("L2 cache", cache(p.caches.l2)),
            ("L3 cache", cache(p.caches.l3)),
            ("cache line", "\(p.caches.lineBytes) B  (\(p.caches.lineSource.rawValue))"),
            ("isa", p.isa.names.joined(separator: " ")),
            ("kernel isa", p.kernelISA.rawValue + (ProcessInfo.processInfo.environment["CONVALGEBRA_ISA"].map { "  (CONVALGEBRA_ISA=\($0))" } ?? "")),
            ("physical memory", bytes(p.memory.physicalBytes)),
            ("cgroup memory limit", p.memory.cgroupLimit.map(bytes) ?? "none"),
            ("address space limit", p.memory.addressSpaceLimit.map(bytes) ?? "none"),
            ("available memory", bytes(p.memory.availableBytes)),
        ]
        if let peak = p.peak {
            rows.append(("peak fp32", String(format: "%.1f GFLOP/s on %d cores", peak.fp32GFLOPs, p.cores)))
            rows.append(("peak fp64", String(format: "%.1f GFLOP/s on %d cores", peak.fp64GFLOPs, p.cores)))
        }
        let width = rows.map(\.0.count).max()! + 2
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
    }

    /// `n` bytes in the largest binary unit it reaches: exact (`32 KiB`) or to one decimal (`23.5 GiB`).
    static func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var unit = 0, scale = 1
        while unit + 1 < units.count, n / scale >= 1024 { unit += 1; scale *= 1024 }
        return n % scale == 0 ? "\(n / scale) \(units[unit])" : String(format: "%.1f", Double(n) / Double(scale)) + " " + units[unit]
    }
}

/// The profile's JSON document with `convalgebra_version` beside its keys (one object, not a nested one).
private struct VersionedProfile: Encodable {
    let profile: MachineProfile
    private enum Key: String, CodingKey { case version = "convalgebra_version" }

    func encode(to encoder: any Encoder) throws {
        try profile.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(ConvAlgebraVersion.string, forKey: .version)
    }
}
