import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraIO

/// Where a benchmark result comes from: the library's version, the commit it was built from, the BLAS it ran
/// on and the machine as the kernels saw it. The JSON report carries it as `"provenance"`, so a figure read
/// later names its machine and build instead of "this machine".
///
/// JSON: `{"convalgebra_version", "commit", "openblas", "openblas_version",
/// "machine": {"cpu_model", "architecture", "threads", "isa", "kernel_isa", "l1d", "l2", "l3"}}`
/// (cache sizes in bytes; `commit` and `openblas_version` are `null` when unknown).
public struct BenchmarkProvenance: Sendable, Equatable {
    /// ``ConvAlgebraVersion/string``.
    public var version: String
    /// The git commit the binary was built from, as the caller knows it (`CONVALGEBRA_COMMIT`; the make
    /// targets set it from `git rev-parse`), or nil.
    public var commit: String?
    /// OpenBLAS's own description of its build (version, target core, threading).
    public var blas: String
    /// The version number in ``blas`` (`0.3.21`), or nil.
    public var blasVersion: String?
    /// The machine: CPU model, usable cores, instruction sets, caches.
    public var machine: MachineProfile

    public init(version: String, commit: String?, blas: String, blasVersion: String?, machine: MachineProfile) {
        self.version = version; self.commit = commit; self.blas = blas; self.blasVersion = blasVersion; self.machine = machine
    }

    /// This process: the built-in version, `commit` as given, the linked OpenBLAS, ``MachineProfile/current``.
    public static func current(commit: String?) -> BenchmarkProvenance {
        BenchmarkProvenance(version: ConvAlgebraVersion.string, commit: commit.flatMap { $0.isEmpty ? nil : $0 },
                            blas: BLASLibrary.configuration, blasVersion: BLASLibrary.version, machine: .current)
    }

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
            ("openblas", JSONText.string(blas)),
            ("openblas_version", blasVersion.map(JSONText.string) ?? "null"),
            ("machine", "{" + JSONText.members(machineFields).joined(separator: ", ") + "}"),
        ]
        return "{" + JSONText.members(fields).joined(separator: ", ") + "}"
    }

    /// One line for the top of a table: `convalgebra 0.4.0 (abc1234), OpenBLAS 0.3.21, AMD EPYC …, 2 threads, avx2-fma kernels`.
    public var summary: String {
        "convalgebra \(version)" + (commit.map { " (\($0.prefix(12)))" } ?? "")
            + ", OpenBLAS \(blasVersion ?? "?"), \(machine.cpuModel), \(machine.threads) threads, \(machine.kernelISA.rawValue) kernels"
    }
}
