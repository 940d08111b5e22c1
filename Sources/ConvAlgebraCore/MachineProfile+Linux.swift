import CMicroKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading the profile from the running system: Linux's `/proc` and `/sys`, `sysconf`, `getrlimit`, and the C
/// target's cpuid and affinity calls. Every file goes through ``System/readFile`` and every call through a
/// closure of ``System``, so tests can read a profile from a made-up machine. Elsewhere (macOS) the files do
/// not exist: cores fall back to the online count and caches to the assumed defaults.
extension MachineProfile {
    /// Where a profile is read from.
    package struct System {
        /// The text of a file, nil when it cannot be read.
        package var readFile: (String) -> String?
        /// An environment variable, nil when unset.
        package var environment: (String) -> String?
        /// `sysconf(_SC_NPROCESSORS_ONLN)`.
        package var onlineCores: () -> Int
        /// CPUs in the affinity mask, nil when unreadable.
        package var affinityCores: () -> Int?
        /// `sysconf(_SC_LEVEL1_DCACHE_SIZE, _SC_LEVEL2_CACHE_SIZE, _SC_LEVEL3_CACHE_SIZE,
        /// _SC_LEVEL1_DCACHE_LINESIZE)`; 0 or less when unknown.
        package var sysconfCaches: () -> (l1d: Int, l2: Int, l3: Int, line: Int)
        /// Physical memory in bytes, nil when unreadable.
        package var physicalBytes: () -> Int?
        /// `RLIMIT_AS`'s soft limit in bytes, nil for none.
        package var addressSpaceLimit: () -> Int?
        /// `ca_cpu_features()`.
        package var features: () -> Int
        /// `ca_kernel_isa()` (a `CA_KERNEL_*` value) and `ca_isa_forced_portable()`.
        package var kernelISA: () -> Int
        package var forcedPortable: () -> Bool
        /// Swift's `#if arch` name of the target.
        package var architecture: String
    }

    /// The profile `system` describes.
    package static func read(from system: System) -> MachineProfile {
        let procCgroup = system.readFile("/proc/self/cgroup") ?? ""
        let mountinfo = system.readFile("/proc/self/mountinfo") ?? ""
        func directories(_ controller: String?, conventional: [String]) -> [String] {
            let found = cgroupDirectories(controller: controller, procCgroup: procCgroup, mountinfo: mountinfo)
            return found.isEmpty ? conventional : found
        }
        /// The smallest limit any of `dirs` sets.
        func smallest(_ dirs: [String], _ limit: (String) -> Int?) -> Int? {
            dirs.compactMap(limit).min()
        }
        let v2 = directories(nil, conventional: ["/sys/fs/cgroup"])
        let cpuV1 = directories("cpu", conventional: ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"])
        let memoryV1 = directories("memory", conventional: ["/sys/fs/cgroup/memory"])
        let cpuLimit = [
            smallest(v2) { system.readFile($0 + "/cpu.max").flatMap(parseCPUMax) },
            smallest(cpuV1) { dir in
                guard let q = system.readFile(dir + "/cpu.cfs_quota_us"), let p = system.readFile(dir + "/cpu.cfs_period_us")
                else { return nil }
                return parseCFSQuota(quota: q, period: p)
            },
        ].compactMap { $0 }.min()
        let memoryLimit = [
            smallest(v2) { system.readFile($0 + "/memory.max").flatMap(parseMemoryLimit) },
            smallest(memoryV1) { system.readFile($0 + "/memory.limit_in_bytes").flatMap(parseMemoryLimit) },
        ].compactMap { $0 }.min()

        let sysfs = (0..<16).compactMap { i -> SysfsCache? in
            let dir = "/sys/devices/system/cpu/cpu0/cache/index\(i)/"
            return parseCacheIndex(level: system.readFile(dir + "level"), type: system.readFile(dir + "type"),
                                   size: system.readFile(dir + "size"), lineSize: system.readFile(dir + "coherency_line_size"),
                                   sharedCPUList: system.readFile(dir + "shared_cpu_list"))
        }
        let memory = Memory(physicalBytes: system.physicalBytes() ?? 4 << 30, cgroupLimit: memoryLimit,
                            addressSpaceLimit: system.addressSpaceLimit())
        return MachineProfile(
            architecture: system.architecture,
            cpuModel: system.readFile("/proc/cpuinfo").flatMap(parseModelName) ?? "unknown",
            onlineCores: system.onlineCores(), affinityCores: system.affinityCores(), cgroupCPULimit: cpuLimit,
            threadsOverride: system.environment("CONVALGEBRA_THREADS").flatMap(parseThreads),
            caches: caches(sysfs: sysfs, sysconf: system.sysconfCaches()),
            isa: InstructionSets(rawValue: system.features()),
            kernelISA: KernelISA(code: system.kernelISA()),
            kernelISAForcedPortable: system.forcedPortable(),
            memory: memory)
    }
}

// MARK: - The running system

extension MachineProfile.System {
    /// This process on this machine.
    package static var live: Self {
        Self(readFile: readTextFile,
             environment: { getenv($0).map { String(cString: $0) } },
             onlineCores: { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) },
             affinityCores: { let n = ca_cpu_affinity_count(); return n > 0 ? Int(n) : nil },
             sysconfCaches: sysconfCacheSizes,
             physicalBytes: {
                 let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
                 guard pages > 0, size > 0 else { return nil }
                 let (bytes, overflow) = pages.multipliedReportingOverflow(by: size)
                 return overflow ? .max : bytes
             },
             addressSpaceLimit: addressSpaceSoftLimit,
             features: { Int(ca_cpu_features()) },
             kernelISA: { Int(ca_kernel_isa()) },
             forcedPortable: { ca_isa_forced_portable() != 0 },
             architecture: currentArchitecture)
    }

    private static var currentArchitecture: String {
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return "unknown"
        #endif
    }

    private static func sysconfCacheSizes() -> (l1d: Int, l2: Int, l3: Int, line: Int) {
        #if os(Linux)
        // glibc answers these from cpuid (x86) or the auxiliary vector; 0 or -1 when it does not know.
        return (sysconf(Int32(_SC_LEVEL1_DCACHE_SIZE)), sysconf(Int32(_SC_LEVEL2_CACHE_SIZE)),
                sysconf(Int32(_SC_LEVEL3_CACHE_SIZE)), sysconf(Int32(_SC_LEVEL1_DCACHE_LINESIZE)))
        #else
        return (0, 0, 0, 0)
        #endif
    }

    /// `getrlimit(RLIMIT_AS)`'s soft limit (the one that fails allocations), nil for `RLIM_INFINITY`.
    private static func addressSpaceSoftLimit() -> Int? {
        var limit = rlimit()
        #if os(Linux)
        let status = getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit)
        #else
        let status = getrlimit(RLIMIT_AS, &limit)
        #endif
        guard status == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    /// A whole small file (`/proc` and `/sys` files report size 0, so read to the end), at most 16 MiB;
    /// nil when it cannot be opened or read.
    private static func readTextFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 14)
        while bytes.count < 16 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { break }
            bytes += chunk[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
