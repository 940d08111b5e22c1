package enum ProcessInfoLite {
    /// The threads the kernels use: ``MachineProfile/threads`` (usable cores from affinity and the cgroup
    /// quota, or `CONVALGEBRA_THREADS`), read once with the profile.
    package static var activeProcessorCount: Int { MachineProfile.current.threads }
}
