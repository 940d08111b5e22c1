import ConvAlgebra

/// `--memory-budget BYTES` (apply, show, analyze, bench): an explicit limit on every allocation the library
/// budgets, on top of the machine's own (half of the smallest of the physical memory, `RLIMIT_AS` and the
/// cgroup's `memory.max`). BYTES is a positive integer with an optional binary suffix: `1048576`, `512K`,
/// `64M`, `2G` (KiB, MiB, GiB).
enum MemoryBudgetOption {
    static let help = "Refuse any allocation over BYTES (an integer, or with a K, M or G suffix); the default is half of the memory the process may use."

    /// Parses `text` and sets ``MemoryBudget/limit``; nothing for nil.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for anything but a positive size that fits in `Int`.
    static func apply(_ text: String?) throws {
        guard let text else { return }
        MemoryBudget.limit = try bytes(text)
    }

    static func bytes(_ text: String) throws -> Int {
        let t = text.trimmedBlanks
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = Substring(t), unit = 1
        if let last = t.last?.uppercased().first, let u = units[last] { digits = t.dropLast(); unit = u }
        guard let n = Int(digits), n >= 1 else {
            throw ConvAlgebraError.invalidArgument(
                "--memory-budget '\(text)' is not a positive number of bytes (examples: 1048576, 512M, 2G)")
        }
        let (b, overflow) = n.multipliedReportingOverflow(by: unit)
        guard !overflow else { throw ConvAlgebraError.invalidArgument("--memory-budget '\(text)' does not fit in 64 bits") }
        return b
    }
}
