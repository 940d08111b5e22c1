import ConvAlgebraCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file read into memory under the memory budget: the archive and text readers (`.npz`, `.mtx`)
/// parse from memory, and this is the one place that takes the bytes off the disk.
package enum WholeFile {
    /// The bytes of the file at `path`: its size is checked against `budget` before anything is allocated;
    /// a pipe or device, which has no size up front, is read until it ends or passes the budget.
    /// - Throws: ``ConvAlgebraError/io(_:)`` for a missing or unreadable file or a directory; a memory-budget
    ///   error for a file larger than the budget.
    package static func read(path: String, budget: MemoryBudget) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemIO.error("cannot open '\(path)'") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemIO.error("cannot read '\(path)'") }
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            throw ConvAlgebraError.io("cannot read '\(path)': it is a directory")
        case S_IFREG:
            let size = Int(st.st_size)
            try budget.check("the file '\(path)'", count: size, elementBytes: 1)
            var bytes = [UInt8](repeating: 0, count: size)
            try bytes.withUnsafeMutableBytes { try SystemIO.readAll(fd, into: $0, path: path) }
            return bytes
        default:
            var bytes: [UInt8] = []
            let limit = budget.bytes == .max ? Int.max : budget.bytes + 1
            try SystemIO.read(fd, upTo: limit, into: &bytes, path: path)
            try budget.check("the data read from '\(path)'", count: bytes.count, elementBytes: 1)
            return bytes
        }
    }
}
