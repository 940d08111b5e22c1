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

    /// Half of the physical memory: a dense matrix that size still leaves room for its input and output.
    public static var `default`: MemoryBudget {
        MemoryBudget(bytes: physicalMemory / 2)
    }

    /// No limit but the address space (for tests that know their sizes).
    public static let unlimited = MemoryBudget(bytes: .max)

    /// The machine's physical memory in bytes (`sysconf`), or 4 GiB when it cannot be read.
    public static var physicalMemory: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 4 << 30 }
        let (p, o) = pages.multipliedReportingOverflow(by: size)
        return o ? .max : p
    }

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
