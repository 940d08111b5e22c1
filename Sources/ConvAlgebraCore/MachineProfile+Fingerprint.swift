/// The machine's identity for cached measurements (the planner's wisdom): what makes a timing taken on one
/// machine say nothing about another.
extension MachineProfile {
    /// One line naming the CPU model, the architecture, the instruction sets and the kernels' ISA, the cache sizes
    /// and the cores this process may use, e.g.
    /// `x86_64 | AMD EPYC 9R14 | sse2,avx,avx2,fma,avx512f | kernels avx2+fma | l1d 32768 l2 1048576 l3 33554432 | cores 2`.
    ///
    /// Two processes on the same machine with the same affinity, quota and `CONVALGEBRA_ISA` get the same line;
    /// a different CPU, a portable ISA forced, or a cgroup that allows fewer cores give a different one. The
    /// thread count asked for (`CONVALGEBRA_THREADS`) is not part of it: a wisdom key names the threads itself.
    public var fingerprint: String {
        let levels = [("l1d", caches.l1d as Level?), ("l2", caches.l2), ("l3", caches.l3)]
            .compactMap { name, level in level.map { "\(name) \($0.bytes)" } }
        return [architecture, cpuModel, isa.names.joined(separator: ","), "kernels \(kernelISA.rawValue)",
                levels.joined(separator: " "), "cores \(cores)"].joined(separator: " | ")
    }

    private typealias Level = Caches.Level
}
