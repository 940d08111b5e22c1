extension MemoryBudget {
    private static let explicitLimit = Locked<Int?>(nil)

    /// An explicit limit on ``default`` in bytes, for the whole process (the CLI's `--memory-budget BYTES`):
    /// the default budget is then the smaller of this and half of what the machine profile says the
    /// process may use (physical memory, `RLIMIT_AS`, the cgroup's `memory.max`). `nil` (the start) means
    /// no explicit limit. Negative values count as 0.
    public static var limit: Int? {
        get { explicitLimit.withLock { $0 } }
        set { explicitLimit.withLock { $0 = newValue.map { Swift.max(0, $0) } } }
    }

    /// ``default`` before the explicit ``limit``: half of the memory this process may use.
    static func capped(_ machineBudget: Int) -> Int {
        guard let limit else { return machineBudget }
        return Swift.min(limit, machineBudget)
    }
}
