#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes that either complete or leave the destination as it was.
///
/// The bytes go to a fresh temporary file in the destination's directory (same file system, so the
/// final `rename(2)` is atomic), are flushed with `fsync`, and only then replace the destination. On any
/// failure the temporary file is removed: a reader never sees a partial file, and an existing output is
/// never clobbered with garbage. While the write is under way its temporary file is registered with
/// ``TerminationCleanup``, so a process stopped by `SIGTERM`/`SIGINT` (the CLI installs the handler) leaves
/// nothing behind either.
package enum AtomicFile {
    /// Writes the concatenation of `parts` to `path`, atomically.
    /// - Throws: ``ConvAlgebraError/io(_:)`` naming the path and the system's reason.
    /// - Complexity: one pass over the bytes, plus an `fsync`.
    public static func write(_ parts: [UnsafeRawBufferPointer], to path: String) throws {
        guard !path.isEmpty else { throw ConvAlgebraError.io("cannot write to an empty path") }
        let temp = temporaryPath(for: path)
        let cleanup = TerminationCleanup.register(temp)
        defer { TerminationCleanup.unregister(cleanup) }
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw SystemIO.error("cannot create '\(path)'") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        do {
            for part in parts { try SystemIO.writeAll(fd, part, path: path) }
            guard fsync(fd) == 0 else { let e = SystemIO.error("cannot flush '\(path)'"); close(fd); throw e }
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw SystemIO.error("cannot close '\(path)'") }
        guard rename(temp, path) == 0 else { throw SystemIO.error("cannot write '\(path)'") }
        ok = true
    }

    /// `.<name>.tmp-<pid>-<random>` beside `path`: hidden, unique per process and call.
    package static func temporaryPath(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(dir).\(name).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
    }
}
