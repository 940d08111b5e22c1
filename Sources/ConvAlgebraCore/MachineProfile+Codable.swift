/// The profile's JSON document (`convalgebra machine --json`), in snake case, absent values as `null`:
///
/// ```
/// {"architecture", "cpu_model", "cores", "online_cores", "affinity_cores", "cgroup_cpu_limit",
///  "threads_override", "threads",
///  "caches": {"l1d", "l2", "l3", "line", "sources": {"l1d", "l2", "l3", "line"}, "shared_by": {"l1d", "l2", "l3"}},
///  "isa": ["sse2", …], "kernel_isa", "kernel_isa_forced_portable",
///  "memory": {"physical", "cgroup_limit", "address_space_limit", "available"},
///  "peak_gflops_fp32", "peak_gflops_fp64"}
/// ```
///
/// Sizes are in bytes. `threads` and `memory.available` are derived and ignored when decoding; the two peak
/// keys appear only when ``MachineProfile/peak`` is measured.
extension MachineProfile {
    package enum CodingKeys: String, CodingKey {
        case architecture, cpuModel = "cpu_model", cores, onlineCores = "online_cores", affinityCores = "affinity_cores"
        case cgroupCPULimit = "cgroup_cpu_limit", threadsOverride = "threads_override", threads, caches, isa
        case kernelISA = "kernel_isa", kernelISAForcedPortable = "kernel_isa_forced_portable", memory
        case peakFP32 = "peak_gflops_fp32", peakFP64 = "peak_gflops_fp64"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let fields: [(CodingKeys, any Encodable)] = [
            (.architecture, architecture), (.cpuModel, cpuModel), (.cores, cores), (.onlineCores, onlineCores),
            (.affinityCores, affinityCores), (.cgroupCPULimit, cgroupCPULimit), (.threadsOverride, threadsOverride),
            (.threads, threads), (.caches, caches), (.isa, isa), (.kernelISA, kernelISA),
            (.kernelISAForcedPortable, kernelISAForcedPortable), (.memory, memory),
        ]
        for (key, value) in fields { try c.encode(value, forKey: key) }
        if let peak {
            try c.encode(peak.fp32GFLOPs, forKey: .peakFP32)
            try c.encode(peak.fp64GFLOPs, forKey: .peakFP64)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let fp32 = try c.decodeIfPresent(Double.self, forKey: .peakFP32)
        let fp64 = try c.decodeIfPresent(Double.self, forKey: .peakFP64)
        self.init(architecture: try c.decode(String.self, forKey: .architecture),
                  cpuModel: try c.decode(String.self, forKey: .cpuModel),
                  onlineCores: try c.decode(Int.self, forKey: .onlineCores),
                  affinityCores: try c.decodeIfPresent(Int.self, forKey: .affinityCores),
                  cgroupCPULimit: try c.decodeIfPresent(Int.self, forKey: .cgroupCPULimit),
                  threadsOverride: try c.decodeIfPresent(Int.self, forKey: .threadsOverride),
                  caches: try c.decode(Caches.self, forKey: .caches),
                  isa: try c.decode(InstructionSets.self, forKey: .isa),
                  kernelISA: try c.decode(KernelISA.self, forKey: .kernelISA),
                  kernelISAForcedPortable: try c.decode(Bool.self, forKey: .kernelISAForcedPortable),
                  memory: try c.decode(Memory.self, forKey: .memory),
                  peak: fp32.flatMap { f in fp64.map { Peak(fp32GFLOPs: f, fp64GFLOPs: $0) } })
    }
}

extension MachineProfile.Caches: Codable {
    package enum CodingKeys: String, CodingKey { case l1d, l2, l3, line, sources, sharedBy = "shared_by" }
    package enum LevelKeys: String, CodingKey { case l1d, l2, l3, line }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        var sources = c.nestedContainer(keyedBy: LevelKeys.self, forKey: .sources)
        var shared = c.nestedContainer(keyedBy: LevelKeys.self, forKey: .sharedBy)
        for (key, level) in [(LevelKeys.l1d, l1d as Level?), (.l2, l2), (.l3, l3)] {
            try c.encode(level?.bytes, forKey: CodingKeys(rawValue: key.rawValue)!)
            try sources.encode(level?.source, forKey: key)
            try shared.encode(level?.sharedBy, forKey: key)
        }
        try c.encode(lineBytes, forKey: .line)
        try sources.encode(lineSource, forKey: .line)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let sources = try c.nestedContainer(keyedBy: LevelKeys.self, forKey: .sources)
        let shared = try c.nestedContainer(keyedBy: LevelKeys.self, forKey: .sharedBy)
        func level(_ key: LevelKeys) throws -> Level? {
            guard let bytes = try c.decodeIfPresent(Int.self, forKey: CodingKeys(rawValue: key.rawValue)!) else { return nil }
            return Level(bytes: bytes, source: try sources.decode(Source.self, forKey: key),
                         sharedBy: try shared.decodeIfPresent(Int.self, forKey: key))
        }
        guard let l1d = try level(.l1d), let l2 = try level(.l2) else {
            throw DecodingError.dataCorruptedError(forKey: .l1d, in: c, debugDescription: "l1d and l2 must be numbers")
        }
        self.init(l1d: l1d, l2: l2, l3: try level(.l3), lineBytes: try c.decode(Int.self, forKey: .line),
                  lineSource: try sources.decode(Source.self, forKey: .line))
    }
}

extension MachineProfile.InstructionSets: Codable {
    /// A list of names (`["sse2", "avx2"]`); an unknown name is a decoding error.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(names)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        var sets = Self()
        for name in try c.decode([String].self) {
            guard let set = Self.named.first(where: { $0.name == name })?.set else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "unknown instruction set '\(name)'")
            }
            sets.insert(set)
        }
        self = sets
    }
}

extension MachineProfile.Memory: Codable {
    package enum CodingKeys: String, CodingKey {
        case physical, cgroupLimit = "cgroup_limit", addressSpaceLimit = "address_space_limit", available
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(physicalBytes, forKey: .physical)
        try c.encode(cgroupLimit, forKey: .cgroupLimit)
        try c.encode(addressSpaceLimit, forKey: .addressSpaceLimit)
        try c.encode(availableBytes, forKey: .available)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(physicalBytes: try c.decode(Int.self, forKey: .physical),
                  cgroupLimit: try c.decodeIfPresent(Int.self, forKey: .cgroupLimit),
                  addressSpaceLimit: try c.decodeIfPresent(Int.self, forKey: .addressSpaceLimit))
    }
}
