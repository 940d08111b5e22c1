@testable import ConvAlgebra
import _TestSupport
import Foundation
import Testing

extension CLIRunner {
    /// Runs `wrapper… convalgebra arguments…` (e.g. `taskset -c 0`) with `environment` laid over this process's
    /// (a nil value unsets the variable).
    func run(_ arguments: [String], environment: [String: String?], through wrapper: [String] = [],
             sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        guard let exe = CLIRunner.executable else {
            Issue.record("the convalgebra executable was not found: run `swift build` (make test does) or set CONVALGEBRA_BIN",
                         sourceLocation: sourceLocation)
            throw NotBuilt()
        }
        return try runCommand(wrapper + [exe] + arguments, environment: environment)
    }

    /// Runs any `command` (its first element an executable's path) in the scratch directory, with `environment`
    /// laid over this process's (a nil value unsets the variable).
    func runCommand(_ command: [String], environment: [String: String?]) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        for (name, value) in environment { env[name] = value }
        return try runChild(command[0], Array(command.dropFirst()), in: directory, environment: env)
    }

    /// `convalgebra machine --json` (through `wrapper`, with `environment`), decoded; records the failure and
    /// throws when the command fails or prints something that is not a profile.
    func machineProfile(environment: [String: String?] = [:], through wrapper: [String] = [],
                        sourceLocation: SourceLocation = #_sourceLocation) throws -> (MachineProfile, [String: Any]) {
        let r = try run(["machine", "--json"], environment: environment, through: wrapper, sourceLocation: sourceLocation)
        try #require(r.status == 0 && r.stderr.isEmpty, "machine --json failed: \(r.stderr)", sourceLocation: sourceLocation)
        let data = Data(r.stdout.utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], sourceLocation: sourceLocation)
        return (try JSONDecoder().decode(MachineProfile.self, from: data), object)
    }
}

/// `convalgebra machine` through the binary: the text and JSON reports, the environment overrides, and one
/// `error:` line for bad arguments. (No peak is asserted beyond its keys: no timing assertions.)
@Suite struct MachineCommandTests {
    @Test func jsonIsTheProfileThisProcessReads() throws {
        let cli = try CLIRunner()
        let (profile, object) = try cli.machineProfile()
        // The child inherits this process's affinity, cgroups, limits and environment: the same machine.
        #expect(profile == MachineProfile.current)
        for key in ["architecture", "cpu_model", "cores", "online_cores", "threads_override", "caches", "isa",
                    "kernel_isa", "memory"] {
            #expect(object[key] != nil, "missing key \(key)")
        }
        #expect(object["peak_gflops_fp32"] == nil && object["peak_gflops_fp64"] == nil, "peaks only with --peak")
        #expect(object["convalgebra_version"] as? String == ConvAlgebraVersion.string)
        let caches = try #require(object["caches"] as? [String: Any])
        #expect(Set(caches.keys).isSuperset(of: ["l1d", "l2", "l3", "line"]))
        let memory = try #require(object["memory"] as? [String: Any])
        #expect(Set(memory.keys) == ["physical", "cgroup_limit", "address_space_limit", "available"])
        // Absent limits are printed as null, not left out.
        if profile.memory.addressSpaceLimit == nil { #expect(memory["address_space_limit"] is NSNull) }
        if profile.cgroupCPULimit == nil { #expect(object["cgroup_cpu_limit"] is NSNull) }
    }

    @Test func textNamesEveryNumber() throws {
        let cli = try CLIRunner()
        let out = try cli.expectSuccess(["machine"])
        let lines = out.split(separator: "\n")
        for name in ["architecture", "cpu model", "cores", "threads", "L1d cache", "L2 cache", "L3 cache",
                     "cache line", "isa", "kernel isa", "physical memory", "cgroup memory limit",
                     "address space limit", "available memory"] {
            #expect(lines.contains { $0.hasPrefix(name + " ") }, "no line for \(name): \(out)")
        }
        let p = MachineProfile.current
        #expect(lines.contains { $0.hasPrefix("cores ") && $0.contains(" \(p.cores)  (online \(p.onlineCores)") }, "\(out)")
        // Aligned: every value starts in the same column.
        func valueColumn(_ line: Substring) -> Int? {
            let c = Array(line)
            return (2..<max(c.count, 2)).first { c[$0 - 2] == " " && c[$0 - 1] == " " && c[$0] != " " }
        }
        let columns = Set(lines.map(valueColumn))
        #expect(columns.count == 1 && columns.first! != nil, "\(out)")
    }

    @Test func peakAddsBothPeaks() throws {
        // The CLI measures with the default rounds (seconds in a debug build); the JSON shape is what matters.
        let cli = try CLIRunner()
        let r = try cli.run(["machine", "--json", "--peak"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let fp32 = try #require(object["peak_gflops_fp32"] as? Double), fp64 = try #require(object["peak_gflops_fp64"] as? Double)
        #expect(fp32 > 0 && fp32.isFinite && fp64 > 0 && fp64.isFinite)
    }

    @Test func environmentOverridesAreReported() throws {
        let cli = try CLIRunner()
        let (portable, _) = try cli.machineProfile(environment: ["CONVALGEBRA_ISA": "portable"])
        #expect(portable.kernelISA == .portable && portable.kernelISAForcedPortable)
        #expect(portable.isa == MachineProfile.current.isa, "the override must not hide what the CPU has")
        for setting in ["avx2", "AVX512", "auto", "bogus", nil] as [String?] {
            let (best, _) = try cli.machineProfile(environment: ["CONVALGEBRA_ISA": setting])
            #expect(best.kernelISA == MachineProfileTests.expectedKernelISA(best, setting: setting?.lowercased()),
                    "CONVALGEBRA_ISA=\(setting ?? "unset")")
            #expect(!best.kernelISAForcedPortable)
        }
        let (threaded, object) = try cli.machineProfile(environment: ["CONVALGEBRA_THREADS": "3"])
        #expect(threaded.threadsOverride == 3 && threaded.threads == 3 && object["threads"] as? Int == 3)
        #expect(threaded.cores == MachineProfile.current.cores, "the override leaves the usable cores as they are")
        let (unset, _) = try cli.machineProfile(environment: ["CONVALGEBRA_THREADS": nil])
        #expect(unset.threadsOverride == nil && unset.threads == unset.cores)
    }

    @Test(arguments: ["0", "-2", "two", "", "1.5"])
    func badThreadsSettingIsOneErrorLine(_ setting: String) throws {
        let cli = try CLIRunner()
        let r = try cli.run(["machine"], environment: ["CONVALGEBRA_THREADS": setting])
        #expect(r.status != 0 && r.stdout.isEmpty)
        #expect(r.stderrLines.count == 1 && r.stderr.hasPrefix("error: ") && r.stderr.contains("CONVALGEBRA_THREADS"), "\(r.stderr)")
    }

    @Test(arguments: [["machine", "--bogus"], ["machine", "extra"], ["machine", "--json=yes"]])
    func badArgumentsGiveOneErrorLine(_ arguments: [String]) throws {
        try CLIRunner().expectFailure(arguments)
    }
}
