import CMicroKernels

/// The machine this process runs on, as the kernels should see it: the cores it may use, the caches, the
/// instruction sets, the memory it may allocate and, on demand, the measured arithmetic peaks.
///
/// The machine is read, never assumed (house style 27). Where each number comes from:
///
/// | field | source |
/// |---|---|
/// | ``cores`` | `min(online, sched_getaffinity mask, ⌈cgroup CPU quota / period⌉)`, at least 1 |
/// | ``caches`` | `/sys/devices/system/cpu/cpu0/cache/index*`, else `sysconf(_SC_LEVEL…)`, else assumed |
/// | ``isa`` | cpuid + xgetbv (x86-64), NEON (aarch64): `ca_cpu_features()` |
/// | ``memory`` | `sysconf(_SC_PHYS_PAGES)`, the cgroup memory limit, `getrlimit(RLIMIT_AS)` |
/// | ``peak`` | ``measurePeak(rounds:trials:)``: FMA probes on ``cores`` cores, never at construction |
///
/// Two environment variables steer the kernels, and the profile reports both:
/// - `CONVALGEBRA_THREADS=N` (a positive integer): the threads the kernels should use instead of ``cores``
///   (``threadsOverride``, ``threads``). Any other value is ignored here; `convalgebra machine` rejects it.
/// - `CONVALGEBRA_ISA=portable|avx2|avx512`: the widest C micro-kernel path the kernels may take (``kernelISA``,
///   ``kernelISAForcedPortable``; a path the CPU lacks falls to the next narrower); `auto`, unset or unknown:
///   the best available.
///
/// ``current`` is read once per process (about 1 ms of small file reads). Every reader is a pure function of
/// a file's text (`MachineProfile+Parsing.swift`), and ``init(architecture:cpuModel:onlineCores:affinityCores:cgroupCPULimit:threadsOverride:caches:isa:kernelISA:kernelISAForcedPortable:memory:peak:)``
/// builds a profile from explicit values, for tests and tools.
public struct MachineProfile: Sendable, Codable, Equatable {
    // MARK: - Cores

    /// The architecture this binary was compiled for: `x86_64`, `arm64` or `unknown` (Swift's `#if arch`).
    public let architecture: String
    /// The CPU's model name (`/proc/cpuinfo`, first `model name` line), or `unknown` (e.g. on aarch64, whose
    /// cpuinfo has no such line).
    public let cpuModel: String
    /// The cores the kernels may keep busy at once: the smallest of ``onlineCores``, ``affinityCores`` and
    /// ``cgroupCPULimit``, at least 1. `taskset -c 0` makes it 1; a cgroup quota of 1.5 CPUs makes it 2.
    public let cores: Int
    /// CPUs the kernel has online (`sysconf(_SC_NPROCESSORS_ONLN)`), for reporting: it ignores affinity and quotas.
    public let onlineCores: Int
    /// CPUs in this thread's affinity mask (`sched_getaffinity`; `taskset`, cpusets), nil when unreadable.
    public let affinityCores: Int?
    /// The cgroup CPU quota in whole CPUs, `⌈quota / period⌉`, the smallest over this process's cgroup and its
    /// ancestors (v2 `cpu.max`, v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`); nil when there is none.
    public let cgroupCPULimit: Int?
    /// `CONVALGEBRA_THREADS` when it is a positive integer: the thread count asked for instead of ``cores``.
    public let threadsOverride: Int?

    /// The threads the kernels should use: ``threadsOverride`` when set, else ``cores``.
    public var threads: Int { threadsOverride ?? cores }

    // MARK: - Caches, instruction sets, memory

    /// Cache sizes of `cpu0` and the line size.
    public let caches: Caches
    /// The instruction sets the CPU has and the OS enables (`ca_cpu_features()`), whatever `CONVALGEBRA_ISA` says.
    public let isa: InstructionSets
    /// The path the C micro-kernels run: `avx2+fma`, or `portable` (no AVX2 + FMA, not x86-64, or forced).
    public let kernelISA: KernelISA
    /// Whether `CONVALGEBRA_ISA=portable` forced ``kernelISA`` to `portable`.
    public let kernelISAForcedPortable: Bool
    /// Physical memory and the limits on what this process may allocate.
    public let memory: Memory

    // MARK: - Peak

    /// The measured FP32 and FP64 peaks, when ``measurePeak(rounds:trials:)`` has been run and stored here
    /// (``measuringPeak(rounds:trials:)``); nil in ``current``.
    public var peak: Peak?

    /// A profile from explicit values; ``cores`` is derived from the three core counts as ``current`` does it.
    public init(architecture: String, cpuModel: String, onlineCores: Int, affinityCores: Int?, cgroupCPULimit: Int?,
                threadsOverride: Int?, caches: Caches, isa: InstructionSets, kernelISA: KernelISA,
                kernelISAForcedPortable: Bool, memory: Memory, peak: Peak? = nil) {
        self.architecture = architecture
        self.cpuModel = cpuModel
        self.onlineCores = max(onlineCores, 1)
        self.affinityCores = affinityCores
        self.cgroupCPULimit = cgroupCPULimit
        self.threadsOverride = threadsOverride
        cores = max(1, min(self.onlineCores, affinityCores ?? .max, cgroupCPULimit ?? .max))
        self.caches = caches
        self.isa = isa
        self.kernelISA = kernelISA
        self.kernelISAForcedPortable = kernelISAForcedPortable
        self.memory = memory
        self.peak = peak
    }

    /// This process's machine, read once at first use (thread-safe, as every `static let`).
    public static let current: MachineProfile = read(from: .live)

    /// Measures the FP32 and FP64 peaks on ``cores`` threads (`MachinePeak`): the best of `trials` runs of
    /// `rounds` FMA rounds each. Not a timing guarantee: a busy machine measures lower.
    /// - Complexity: `trials · cores · rounds · 240` FLOPs, about 0.5 s at the defaults on a 2-core AVX2 machine.
    public func measurePeak(rounds: Int = 10_000_000, trials: Int = 5) -> Peak {
        Peak(fp32GFLOPs: MachinePeak.fp32GFLOPs(rounds: rounds, trials: trials, cores: cores),
             fp64GFLOPs: MachinePeak.fp64GFLOPs(rounds: rounds, trials: trials, cores: cores))
    }

    /// This profile with ``peak`` measured (``measurePeak(rounds:trials:)``).
    public func measuringPeak(rounds: Int = 10_000_000, trials: Int = 5) -> MachineProfile {
        var profile = self
        profile.peak = measurePeak(rounds: rounds, trials: trials)
        return profile
    }
}

// MARK: - The parts

extension MachineProfile {
    /// The data-cache sizes of `cpu0` in bytes, each with where it was read.
    public struct Caches: Sendable, Equatable {
        /// Where a size came from: sysfs, glibc's `sysconf` (cpuid tables), or an assumed conservative default.
        public enum Source: String, Sendable, Codable {
            case sysfs, sysconf, assumed
        }

        /// One cache level.
        public struct Level: Sendable, Equatable {
            /// The capacity in bytes.
            public let bytes: Int
            /// Where ``bytes`` was read.
            public let source: Source
            /// The CPUs that share this cache (`shared_cpu_list`), nil when unknown: an L3 shared by 8 CPUs gives
            /// each about an eighth when all are busy.
            public let sharedBy: Int?

            public init(bytes: Int, source: Source, sharedBy: Int? = nil) {
                self.bytes = bytes
                self.source = source
                self.sharedBy = sharedBy
            }
        }

        /// The defaults when nothing can be read: small enough for any current x86-64 or ARM core, so blocking
        /// for them never overflows the real cache (32 KiB L1d, 512 KiB L2, 4 MiB L3, 64-byte lines).
        public static let assumedL1d = 32 << 10, assumedL2 = 512 << 10, assumedL3 = 4 << 20, assumedLine = 64

        /// The level-1 data cache.
        public let l1d: Level
        /// The level-2 cache (data or unified).
        public let l2: Level
        /// The level-3 cache; nil when the sources read say there is none (many ARM cores). Assumed only when
        /// nothing at all could be read.
        public let l3: Level?
        /// The cache line in bytes (`coherency_line_size`, or `_SC_LEVEL1_DCACHE_LINESIZE`).
        public let lineBytes: Int
        /// Where ``lineBytes`` was read.
        public let lineSource: Source

        /// The last level: ``l3``, or ``l2`` when there is no L3.
        public var lastLevel: Level { l3 ?? l2 }

        public init(l1d: Level, l2: Level, l3: Level?, lineBytes: Int, lineSource: Source) {
            self.l1d = l1d
            self.l2 = l2
            self.l3 = l3
            self.lineBytes = lineBytes
            self.lineSource = lineSource
        }
    }

    /// Instruction sets, as the `CA_ISA_*` bits of the C target; encoded as a list of names.
    public struct InstructionSets: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        public static let sse2 = InstructionSets(rawValue: Int(CA_ISA_SSE2))
        public static let avx = InstructionSets(rawValue: Int(CA_ISA_AVX))
        public static let avx2 = InstructionSets(rawValue: Int(CA_ISA_AVX2))
        public static let fma = InstructionSets(rawValue: Int(CA_ISA_FMA))
        public static let avx512f = InstructionSets(rawValue: Int(CA_ISA_AVX512F))
        public static let neon = InstructionSets(rawValue: Int(CA_ISA_NEON))

        /// Every set with its name, in the order reports list them.
        public static let named: [(name: String, set: InstructionSets)] = [
            ("sse2", .sse2), ("avx", .avx), ("avx2", .avx2), ("fma", .fma), ("avx512f", .avx512f), ("neon", .neon),
        ]

        /// The names of the sets present, in ``named``'s order.
        public var names: [String] { Self.named.filter { contains($0.set) }.map(\.name) }
    }

    /// The path the C micro-kernels run, narrowest first (`Comparable` in that order).
    public enum KernelISA: String, Sendable, Codable, CaseIterable, Comparable {
        /// The portable C kernels (vectorised by the compiler where it can, e.g. NEON on aarch64).
        case portable
        /// The AVX2 + FMA micro-kernels (x86-64 with both).
        case avx2FMA = "avx2+fma"
        /// The AVX-512F micro-kernels (x86-64 with AVX2, FMA and AVX-512F, the OS saving the ZMM state).
        case avx512 = "avx512f"

        /// The C target's `CA_KERNEL_*` value.
        public var code: Int {
            switch self {
            case .portable: return Int(CA_KERNEL_PORTABLE)
            case .avx2FMA: return Int(CA_KERNEL_AVX2)
            case .avx512: return Int(CA_KERNEL_AVX512)
            }
        }

        /// The path of a `CA_KERNEL_*` value (portable for any other).
        public init(code: Int) { self = Self.allCases.first { $0.code == code } ?? .portable }

        /// The path the kernels run by default (`ca_kernel_isa()`: the widest supported, capped by `CONVALGEBRA_ISA`).
        public static var current: KernelISA { KernelISA(code: Int(ca_kernel_isa())) }

        /// Whether this CPU can run the path (independent of `CONVALGEBRA_ISA`).
        public var isSupported: Bool { ca_kernel_isa_supported(Int32(code)) != 0 }

        /// The paths this CPU can run, narrowest first: what tests run each kernel on.
        public static var supported: [KernelISA] { allCases.filter(\.isSupported) }

        public static func < (a: KernelISA, b: KernelISA) -> Bool { a.code < b.code }
    }

    /// Physical memory and the limits on this process's allocations, in bytes.
    public struct Memory: Sendable, Equatable {
        /// Physical memory (`sysconf(_SC_PHYS_PAGES) · _SC_PAGESIZE`; 4 GiB when that cannot be read).
        public let physicalBytes: Int
        /// The cgroup memory limit, the smallest over this process's cgroup and its ancestors (v2 `memory.max`,
        /// v1 `memory.limit_in_bytes`); nil for `max` or a value of 2⁶² or more (v1's "unlimited" is 2⁶³ − 4096).
        public let cgroupLimit: Int?
        /// The address-space limit (`getrlimit(RLIMIT_AS)`, `ulimit -v`); nil for `RLIM_INFINITY`.
        public let addressSpaceLimit: Int?

        /// What this process may allocate at most: the smallest of the three.
        public var availableBytes: Int { min(physicalBytes, cgroupLimit ?? .max, addressSpaceLimit ?? .max) }

        public init(physicalBytes: Int, cgroupLimit: Int?, addressSpaceLimit: Int?) {
            self.physicalBytes = physicalBytes
            self.cgroupLimit = cgroupLimit
            self.addressSpaceLimit = addressSpaceLimit
        }
    }

    /// Arithmetic peaks measured by FMA probes on ``MachineProfile/cores`` threads, in GFLOP/s.
    public struct Peak: Sendable, Equatable {
        /// FP32: 8-lane FMAs where the CPU has AVX2 + FMA.
        public let fp32GFLOPs: Double
        /// FP64: 4-lane FMAs where the CPU has AVX2 + FMA.
        public let fp64GFLOPs: Double

        public init(fp32GFLOPs: Double, fp64GFLOPs: Double) {
            self.fp32GFLOPs = fp32GFLOPs
            self.fp64GFLOPs = fp64GFLOPs
        }
    }
}
