@testable import ConvAlgebra
@testable import ConvAlgebraCore
import CMicroKernels
import Foundation
import Testing

/// The machine profile: each reader on sample texts (malformed ones included), a whole profile read from
/// made-up machines (cgroup v1 and v2, nested limits, missing sysfs), and the real machine, also under
/// `taskset -c 0` and `ulimit -v` (through the CLI, which reads the profile in a fresh process).
@Suite struct MachineProfileTests {
    // MARK: - Readers on sample texts

    @Test(arguments: [
        ("max 100000", nil), ("max", nil), ("150000 100000", 2), ("100000 100000", 1), ("50000 100000", 1),
        ("200000 100000\n", 2), ("250000 100000", 3), ("", nil), ("abc 100000", nil), ("-5 100000", nil),
        ("100000 0", nil), ("1 2 3", nil),
    ] as [(String, Int?)])
    func cpuMax(text: String, cpus: Int?) {
        #expect(MachineProfile.parseCPUMax(text) == cpus, "\(text)")
    }

    @Test func cfsQuota() {
        #expect(MachineProfile.parseCFSQuota(quota: "-1\n", period: "100000\n") == nil)
        #expect(MachineProfile.parseCFSQuota(quota: "250000\n", period: "100000\n") == 3)
        #expect(MachineProfile.parseCFSQuota(quota: "50000", period: "100000") == 1)
        #expect(MachineProfile.parseCFSQuota(quota: "x", period: "100000") == nil)
        #expect(MachineProfile.parseCFSQuota(quota: "100000", period: "") == nil)
    }

    @Test(arguments: [
        ("32K", 32 << 10), ("1024K\n", 1 << 20), ("32M", 32 << 20), ("1G", 1 << 30), ("512", 512), (" 48K ", 48 << 10),
        ("", nil), ("K", nil), ("32X", nil), ("-32K", nil), ("0K", nil), ("3.5M", nil), ("99999999999999999999K", nil),
        ("9007199254740993G", nil),
    ] as [(String, Int?)])
    func cacheSize(text: String, bytes: Int?) {
        #expect(MachineProfile.parseCacheSize(text) == bytes, "\(text)")
    }

    @Test(arguments: [
        ("0-3,8", [0, 1, 2, 3, 8]), ("0", [0]), ("0-1\n", [0, 1]), ("", []), ("\n", []), ("2,0-1", [2, 0, 1]),
        ("3-1", nil), ("a", nil), ("1,,2", nil), ("0-", nil), ("-1", nil), ("0-1-2", nil),
    ] as [(String, [Int]?)])
    func cpuList(text: String, cpus: [Int]?) {
        #expect(MachineProfile.parseCPUList(text) == cpus, "\(text)")
    }

    @Test func memoryLimit() {
        #expect(MachineProfile.parseMemoryLimit("max\n") == nil)
        #expect(MachineProfile.parseMemoryLimit("9223372036854771712\n") == nil)  // cgroup v1 "unlimited"
        #expect(MachineProfile.parseMemoryLimit("1073741824\n") == 1 << 30)
        #expect(MachineProfile.parseMemoryLimit("0") == 0)
        #expect(MachineProfile.parseMemoryLimit("abc") == nil)
        #expect(MachineProfile.parseMemoryLimit("-1") == nil)
        #expect(MachineProfile.parseMemoryLimit("") == nil)
    }

    @Test func modelNameAndThreads() {
        let x86 = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13 64-Core Processor\nflags\t: fpu\n"
        #expect(MachineProfile.parseModelName(x86) == "AMD EPYC 7B13 64-Core Processor")
        let arm = "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\n"
        #expect(MachineProfile.parseModelName(arm) == nil)
        #expect(MachineProfile.parseModelName("model name\t: \n") == nil)
        #expect(MachineProfile.parseThreads("4") == 4 && MachineProfile.parseThreads(" 4\n") == 4)
        for bad in ["0", "-2", "two", "", "1.5", "4 cores"] { #expect(MachineProfile.parseThreads(bad) == nil, "\(bad)") }
    }

    @Test func cacheIndexEntries() {
        let l3 = MachineProfile.parseCacheIndex(level: "3\n", type: "Unified\n", size: "32768K\n", lineSize: "64\n",
                                                sharedCPUList: "0-7\n")
        #expect(l3 == .init(level: 3, type: "Unified", bytes: 32 << 20, lineBytes: 64, sharedBy: 8))
        #expect(MachineProfile.parseCacheIndex(level: "1", type: "Data", size: "48K", lineSize: nil, sharedCPUList: nil)
                == .init(level: 1, type: "Data", bytes: 48 << 10, lineBytes: nil, sharedBy: nil))
        #expect(MachineProfile.parseCacheIndex(level: nil, type: "Data", size: "32K", lineSize: "64", sharedCPUList: "0") == nil)
        #expect(MachineProfile.parseCacheIndex(level: "1", type: "Data", size: "big", lineSize: "64", sharedCPUList: "0") == nil)
        #expect(MachineProfile.parseCacheIndex(level: "x", type: "Data", size: "32K", lineSize: "64", sharedCPUList: "0") == nil)
    }

    @Test func cacheFallbacks() {
        typealias S = MachineProfile.SysfsCache
        let sysfs = [S(level: 1, type: "Instruction", bytes: 64 << 10, lineBytes: 64, sharedBy: 1),
                     S(level: 1, type: "Data", bytes: 48 << 10, lineBytes: 64, sharedBy: 2),
                     S(level: 2, type: "Unified", bytes: 2 << 20, lineBytes: 64, sharedBy: 2)]
        // sysfs first; its L3-less list with sysconf's 0 means no L3, not an assumed one.
        let noL3 = MachineProfile.caches(sysfs: sysfs, sysconf: (0, 0, 0, 0))
        #expect(noL3.l1d == .init(bytes: 48 << 10, source: .sysfs, sharedBy: 2))
        #expect(noL3.l2.bytes == 2 << 20 && noL3.l3 == nil && noL3.lastLevel == noL3.l2)
        #expect(noL3.lineBytes == 64 && noL3.lineSource == .sysfs)
        // A level sysfs lacks comes from sysconf.
        let mixed = MachineProfile.caches(sysfs: sysfs, sysconf: (32 << 10, 1 << 20, 16 << 20, 128))
        #expect(mixed.l1d.bytes == 48 << 10 && mixed.l3 == .init(bytes: 16 << 20, source: .sysconf))
        // No sysfs: sysconf for all.
        let sysconfOnly = MachineProfile.caches(sysfs: [], sysconf: (32 << 10, 1 << 20, -1, 64))
        #expect(sysconfOnly.l1d.source == .sysconf && sysconfOnly.l2.bytes == 1 << 20 && sysconfOnly.l3 == nil)
        #expect(sysconfOnly.lineSource == .sysconf)
        // Nothing readable: the documented defaults, flagged.
        let assumed = MachineProfile.caches(sysfs: [], sysconf: (0, -1, 0, 0))
        #expect(assumed.l1d == .init(bytes: 32 << 10, source: .assumed) && assumed.l2 == .init(bytes: 512 << 10, source: .assumed))
        #expect(assumed.l3 == .init(bytes: 4 << 20, source: .assumed) && assumed.lineBytes == 64 && assumed.lineSource == .assumed)
    }

    @Test func cgroupFiles() {
        let cgroup = "12:cpu,cpuacct:/docker/abc\n11:memory:/docker/abc\n0::/user.slice/app.scope\nbroken line\n"
        #expect(MachineProfile.parseProcCgroup(cgroup) == [
            .init(hierarchy: 12, controllers: ["cpu", "cpuacct"], path: "/docker/abc"),
            .init(hierarchy: 11, controllers: ["memory"], path: "/docker/abc"),
            .init(hierarchy: 0, controllers: [], path: "/user.slice/app.scope"),
        ])
        let mountinfo = """
            22 1 0:21 / /proc rw,nosuid - proc proc rw
            31 23 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
            35 23 0:32 /docker/abc /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            41 23 0:38 / /sys/fs/cgroup/uni\\040fied rw,relatime - cgroup2 cgroup2 rw
            """
        #expect(MachineProfile.parseCgroupMounts(mountinfo) == [
            .init(root: "/", mountPoint: "/sys/fs/cgroup/cpu,cpuacct", fsType: "cgroup", superOptions: ["rw", "cpu", "cpuacct"]),
            .init(root: "/docker/abc", mountPoint: "/sys/fs/cgroup/memory", fsType: "cgroup", superOptions: ["rw", "memory"]),
            .init(root: "/", mountPoint: "/sys/fs/cgroup/uni fied", fsType: "cgroup2", superOptions: ["rw"]),
        ])
        // v1 cpu: the whole path under a root mount, leaf first.
        #expect(MachineProfile.cgroupDirectories(controller: "cpu", procCgroup: cgroup, mountinfo: mountinfo)
                == ["/sys/fs/cgroup/cpu,cpuacct/docker/abc", "/sys/fs/cgroup/cpu,cpuacct/docker", "/sys/fs/cgroup/cpu,cpuacct"])
        // v1 memory: the container's mount shows its own cgroup at the mount point.
        #expect(MachineProfile.cgroupDirectories(controller: "memory", procCgroup: cgroup, mountinfo: mountinfo)
                == ["/sys/fs/cgroup/memory"])
        #expect(MachineProfile.cgroupDirectories(controller: nil, procCgroup: cgroup, mountinfo: mountinfo)
                == ["/sys/fs/cgroup/uni fied/user.slice/app.scope", "/sys/fs/cgroup/uni fied/user.slice", "/sys/fs/cgroup/uni fied"])
        #expect(MachineProfile.cgroupDirectories(controller: "pids", procCgroup: cgroup, mountinfo: mountinfo).isEmpty)
        #expect(MachineProfile.cgroupDirectories(controller: nil, procCgroup: "", mountinfo: "").isEmpty)
    }

    // MARK: - Whole profiles of made-up machines

    /// An 8-CPU machine with the given files; affinity 6, 16 GiB, no address-space limit, AVX2 + FMA.
    static func fakeSystem(_ files: [String: String], environment: [String: String] = [:],
                           sysconf: (Int, Int, Int, Int) = (0, 0, 0, 0), addressSpace: Int? = nil) -> MachineProfile.System {
        MachineProfile.System(
            readFile: { files[$0] }, environment: { environment[$0] }, onlineCores: { 8 }, affinityCores: { 6 },
            sysconfCaches: { sysconf }, physicalBytes: { 16 << 30 }, addressSpaceLimit: { addressSpace },
            features: { MachineProfile.InstructionSets([.sse2, .avx, .avx2, .fma]).rawValue }, kernelISA: { Int(CA_KERNEL_AVX2) },
            forcedPortable: { false }, architecture: "x86_64")
    }

    @Test func cgroupV2NestedLimits() {
        let files = [
            "/proc/self/cgroup": "0::/kubepods/pod1/ctr\n",
            "/proc/self/mountinfo": "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
            "/sys/fs/cgroup/kubepods/pod1/ctr/cpu.max": "max 100000\n",
            "/sys/fs/cgroup/kubepods/pod1/cpu.max": "150000 100000\n",  // 1.5 CPUs for the pod: 2 usable
            "/sys/fs/cgroup/kubepods/cpu.max": "400000 100000\n",
            "/sys/fs/cgroup/kubepods/pod1/ctr/memory.max": "3221225472\n",
            "/sys/fs/cgroup/kubepods/memory.max": "2147483648\n",  // the ancestor's 2 GiB binds
            "/proc/cpuinfo": "model name\t: Test CPU\n",
            "/sys/devices/system/cpu/cpu0/cache/index0/level": "1", "/sys/devices/system/cpu/cpu0/cache/index0/type": "Data",
            "/sys/devices/system/cpu/cpu0/cache/index0/size": "32K",
            "/sys/devices/system/cpu/cpu0/cache/index0/coherency_line_size": "64",
            "/sys/devices/system/cpu/cpu0/cache/index2/level": "2", "/sys/devices/system/cpu/cpu0/cache/index2/type": "Unified",
            "/sys/devices/system/cpu/cpu0/cache/index2/size": "1024K",
        ]
        let p = MachineProfile.read(from: Self.fakeSystem(files, environment: ["CONVALGEBRA_THREADS": "3"],
                                                          addressSpace: 1 << 30))
        #expect(p.cgroupCPULimit == 2 && p.affinityCores == 6 && p.onlineCores == 8 && p.cores == 2)
        #expect(p.threadsOverride == 3 && p.threads == 3)
        #expect(p.memory.cgroupLimit == 2 << 30 && p.memory.addressSpaceLimit == 1 << 30 && p.memory.availableBytes == 1 << 30)
        #expect(p.cpuModel == "Test CPU" && p.isa == [.sse2, .avx, .avx2, .fma] && p.kernelISA == .avx2FMA)
        #expect(p.caches.l1d.bytes == 32 << 10 && p.caches.l2.bytes == 1 << 20 && p.caches.l3 == nil)
    }

    @Test func cgroupV1AndNothingElse() {
        let files = [
            "/proc/self/cgroup": "4:memory:/job\n3:cpu,cpuacct:/job\n",
            "/proc/self/mountinfo": """
                32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
                35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
                """,
            "/sys/fs/cgroup/cpu,cpuacct/job/cpu.cfs_quota_us": "100000\n",
            "/sys/fs/cgroup/cpu,cpuacct/job/cpu.cfs_period_us": "100000\n",
            "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
            "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
            "/sys/fs/cgroup/memory/job/memory.limit_in_bytes": "9223372036854771712\n",
        ]
        let p = MachineProfile.read(from: Self.fakeSystem(files, environment: ["CONVALGEBRA_THREADS": "zero"]))
        #expect(p.cgroupCPULimit == 1 && p.cores == 1)
        #expect(p.threadsOverride == nil && p.threads == 1, "an invalid CONVALGEBRA_THREADS is ignored")
        #expect(p.memory.cgroupLimit == nil && p.memory.availableBytes == 16 << 30)
        #expect(p.cpuModel == "unknown")
        #expect(p.caches.l1d.source == .assumed && p.caches.l3?.source == .assumed)
    }

    @Test func explicitValuesAndJSONRoundTrip() throws {
        let caches = MachineProfile.Caches(l1d: .init(bytes: 48 << 10, source: .sysfs, sharedBy: 2),
                                           l2: .init(bytes: 2 << 20, source: .sysconf),
                                           l3: nil, lineBytes: 64, lineSource: .sysfs)
        var p = MachineProfile(architecture: "arm64", cpuModel: "unknown", onlineCores: 4, affinityCores: nil,
                               cgroupCPULimit: 8, threadsOverride: nil, caches: caches, isa: [.neon],
                               kernelISA: .portable, kernelISAForcedPortable: false,
                               memory: .init(physicalBytes: 8 << 30, cgroupLimit: 6 << 30, addressSpaceLimit: nil))
        #expect(p.cores == 4, "a quota above the online CPUs does not add cores")
        #expect(p.memory.availableBytes == 6 << 30)
        p.peak = .init(fp32GFLOPs: 100, fp64GFLOPs: 50)
        let data = try JSONEncoder().encode(p)
        #expect(try JSONDecoder().decode(MachineProfile.self, from: data) == p)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["isa"] as? [String] == ["neon"] && object["kernel_isa"] as? String == "portable")
        #expect(object["affinity_cores"] is NSNull && object["threads_override"] is NSNull)
        #expect(object["peak_gflops_fp32"] as? Double == 100 && object["peak_gflops_fp64"] as? Double == 50)
        let c = try #require(object["caches"] as? [String: Any])
        #expect(c["l3"] is NSNull && c["l1d"] as? Int == 48 << 10 && c["line"] as? Int == 64)
        let bad = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"neon\"", with: "\"mmx\"")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(MachineProfile.self, from: Data(bad.utf8)) }
    }

    // MARK: - The real machine

    /// The path `CONVALGEBRA_ISA=setting` gives on the CPU `p` describes: the widest its `isa` has, capped by the
    /// setting (an unknown one caps nothing).
    static func expectedKernelISA(_ p: MachineProfile, setting: String?) -> MachineProfile.KernelISA {
        let x86 = p.architecture == "x86_64", avx2 = x86 && p.isa.isSuperset(of: [.avx2, .fma])
        let widest: MachineProfile.KernelISA = avx2 && p.isa.contains(.avx512f) ? .avx512 : avx2 ? .avx2FMA : .portable
        let cap: MachineProfile.KernelISA = switch setting {
        case "portable": .portable
        case "avx2": .avx2FMA
        default: .avx512
        }
        return min(widest, cap)
    }

    @Test func realMachineIsConsistent() {
        let p = MachineProfile.current
        #expect(p.cores >= 1 && p.cores <= p.onlineCores)
        if let a = p.affinityCores { #expect(p.cores <= a) }
        if let q = p.cgroupCPULimit { #expect(p.cores <= q) }
        #expect(p.caches.l1d.bytes > 0 && p.caches.l2.bytes > 0 && p.caches.lineBytes > 0)
        #expect(p.caches.l1d.bytes < p.caches.l2.bytes, "L1d \(p.caches.l1d) L2 \(p.caches.l2)")
        if let l3 = p.caches.l3 { #expect(p.caches.l2.bytes <= l3.bytes, "L2 \(p.caches.l2) L3 \(l3)") }
        #expect(p.memory.physicalBytes > 0 && p.memory.availableBytes <= p.memory.physicalBytes)
        #expect(!p.cpuModel.isEmpty)
        #if arch(x86_64)
        #expect(p.architecture == "x86_64" && p.isa.contains(.sse2))
        #elseif arch(arm64)
        #expect(p.architecture == "arm64" && p.isa.contains(.neon))
        #endif
        // The kernels' path follows the CPU and CONVALGEBRA_ISA, as MicroGEMM sees it.
        let setting = ProcessInfo.processInfo.environment["CONVALGEBRA_ISA"]?.lowercased()
        #expect(p.kernelISAForcedPortable == (setting == "portable"))
        #expect(p.kernelISA == MachineProfileTests.expectedKernelISA(p, setting: setting))
        let openBLASAsked = ProcessInfo.processInfo.environment["CONVALGEBRA_GEMM"] == "openblas"
        #expect(MicroGEMM.isAccelerated == (p.kernelISA >= .avx2FMA && !openBLASAsked))
    }

    @Test func measuredPeaksArePositive() {
        // A short probe: what is checked is that both probes run and count FLOPs, not how fast.
        let peak = MachineProfile.current.measurePeak(rounds: 20_000, trials: 1)
        #expect(peak.fp32GFLOPs > 0 && peak.fp32GFLOPs.isFinite && peak.fp64GFLOPs > 0 && peak.fp64GFLOPs.isFinite)
    }

    @Test func tasksetLimitsTheCores() throws {
        let taskset = "/usr/bin/taskset"
        guard FileManager.default.isExecutableFile(atPath: taskset) else {
            Issue.record("\(taskset) is missing (Debian: apt-get install util-linux): the affinity reading is untested")
            return
        }
        let (p, object) = try CLIRunner().machineProfile(through: [taskset, "-c", "0"])
        #expect(p.cores == 1 && p.affinityCores == 1 && object["cores"] as? Int == 1)
        #expect(p.onlineCores == MachineProfile.current.onlineCores, "online CPUs ignore affinity")
    }

    /// Not under `make sanitize` (CONVALGEBRA_SANITIZED): a sanitized CLI maps terabytes of shadow memory and cannot
    /// start under `ulimit -v` (the address-limit CLI tests lift the limit there; this one is about the limit itself).
    @Test(.disabled(if: ProcessInfo.processInfo.environment["CONVALGEBRA_SANITIZED"] != nil,
                    "a sanitized binary cannot start under ulimit -v"))
    func ulimitLimitsTheAddressSpace() throws {
        let (p, object) = try CLIRunner().machineProfile(through: ["/bin/sh", "-c", "ulimit -v 4194304 && exec \"$0\" \"$@\""])
        #expect(p.memory.addressSpaceLimit == 4 << 30)
        #expect(p.memory.availableBytes <= 4 << 30)
        let memory = try #require(object["memory"] as? [String: Any])
        #expect(memory["address_space_limit"] as? Int == 4 << 30 && (memory["available"] as? Int ?? .max) <= 4 << 30)
    }
}
