@testable import ConvAlgebraCore
import Testing

/// The fingerprint names what makes timings differ: the CPU, its instruction sets and kernel path, the caches and
/// the usable cores; the thread override is not part of it (wisdom keys name the threads themselves).
@Suite struct MachineProfileFingerprintTests {
    static func profile(model: String = "CPU X", cores: Int = 4, isa: MachineProfile.InstructionSets = [.sse2, .avx2, .fma],
                        kernel: MachineProfile.KernelISA = .avx2FMA, l3: Int = 32 << 20, threads: Int? = nil) -> MachineProfile {
        MachineProfile(architecture: "x86_64", cpuModel: model, onlineCores: cores, affinityCores: nil, cgroupCPULimit: nil,
                       threadsOverride: threads,
                       caches: .init(l1d: .init(bytes: 32 << 10, source: .sysfs), l2: .init(bytes: 1 << 20, source: .sysfs),
                                     l3: .init(bytes: l3, source: .sysfs), lineBytes: 64, lineSource: .sysfs),
                       isa: isa, kernelISA: kernel, kernelISAForcedPortable: kernel == .portable,
                       memory: .init(physicalBytes: 1 << 34, cgroupLimit: nil, addressSpaceLimit: nil))
    }

    @Test func differsWhereTimingsDiffer() {
        let base = Self.profile().fingerprint
        let others = [Self.profile(model: "CPU Y"), Self.profile(cores: 2), Self.profile(isa: [.sse2]),
                      Self.profile(kernel: .portable), Self.profile(l3: 8 << 20)].map(\.fingerprint)
        #expect(others.allSatisfy { $0 != base }, "\(others)")
        #expect(Set(others).count == others.count)
        #expect(Self.profile(threads: 1).fingerprint == base)
        #expect(base.contains("CPU X") && base.contains("avx2") && base.contains("cores 4") && !base.contains("\n"))
    }
}
