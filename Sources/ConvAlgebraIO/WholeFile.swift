import ConvAlgebraCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file read into memory under the memory budget: the archive and text readers (`.npz`, `.mtx`)
/// parse from memory, and this is where they take the bytes off the disk, through Core's
/// `SystemIO.contents(of:limit:admit:)` (the one whole-file reader; the wisdom file is read by it too).
package enum WholeFile {
    /// The bytes of the file at `path`: its size is checked against `budget` before anything is allocated;
    /// a pipe or device, which has no size up front, is read until it ends or passes the budget.
    /// - Throws: ``ConvAlgebraError/io(_:)`` for a missing or unreadable file or a directory; a memory-budget
    ///   error for a file larger than the budget.
    package static func read(path: String, budget: MemoryBudget) throws -> [UInt8] {
        let bytes = try SystemIO.contents(of: path, limit: budget.bytes) { size in
            try budget.check("the file '\(path)'", count: size, elementBytes: 1)
        }
        guard let bytes else { throw ConvAlgebraError.io("cannot open '\(path)': \(String(cString: strerror(ENOENT)))") }
        return bytes
    }
}
