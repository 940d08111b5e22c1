#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The most bytes a materialisation may allocate.
///
/// Materialising (``LinearOperator/dense(budget:)``, ``LinearOperator/sparse(budget:)``) computes the
/// size it needs with overflow checks and compares it with the budget before it allocates anything,
/// so a too-large operator is a thrown error, never a crash of the allocator or of the machine.
public struct MemoryBudget: Sendable, Hashable, CustomStringConvertible {
    /// The limit in bytes.
    public var bytes: Int

    public init(bytes: Int) { self.bytes = max(0, bytes) }

    /// Half of the memory this process may use: the smallest of the physical memory, the cgroup's
    /// `memory.max` and the address-space limit (`RLIMIT_AS`, `ulimit -v`), read with the
    /// ``MachineProfile``. Half, because a dense matrix that size still leaves room for its input and output.
    public static var `default`: MemoryBudget {
        MemoryBudget(bytes: capped(MachineProfile.current.memory.availableBytes / 2))  // and the explicit ``limit``
    }

    /// No limit but the address space (for tests that know their sizes).
    public static let unlimited = MemoryBudget(bytes: .max)

    /// The machine's physical memory in bytes (``MachineProfile/Memory/physicalBytes``).
    public static var physicalMemory: Int { MachineProfile.current.memory.physicalBytes }

    /// Throws unless `count` elements of `elementBytes` each fit in the budget.
    /// - Throws: ``ConvAlgebraError/overflow(_:)`` or ``ConvAlgebraError/exceedsMemoryBudget(what:bytes:budget:)``.
    public func check(_ what: @autoclosure () -> String, count: Int, elementBytes: Int) throws {
        let bytes = try Checked.multiply(count, elementBytes, "the size of \(what())")
        guard bytes <= self.bytes else {
            throw ConvAlgebraError.exceedsMemoryBudget(what: what(), bytes: bytes, budget: self.bytes)
        }
    }

    public var description: String { "\(bytes) bytes" }
}
