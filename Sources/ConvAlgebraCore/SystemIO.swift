#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The C library's `read(2)` (the name `read` is taken by ``SystemIO/read(_:upTo:into:path:)`` here).
#if canImport(Glibc)
private let systemRead = Glibc.read
#else
private let systemRead = Darwin.read
#endif

/// The file-descriptor loops the NPY reader and writer share: `read(2)` and `write(2)` (the C library's,
/// which the method names leave unshadowed) until the whole buffer is transferred, in chunks Linux accepts (at most ~2 GiB per call), retrying on `EINTR`, and the
/// errors named after the path and `errno`.
package enum SystemIO {
    /// Writes all of `bytes` to `fd`.
    /// - Throws: ``ConvAlgebraError/io(_:)`` "cannot write '`path`'" with the system's reason.
    package static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        guard let base = bytes.baseAddress else { return }
        try transfer(bytes.count, failure: "cannot write '\(path)'", ended: .io("cannot write '\(path)': the device took no bytes")) {
            done, chunk in write(fd, base + done, chunk)
        }
    }

    /// Fills all of `buffer` from `fd`.
    /// - Throws: ``ConvAlgebraError/io(_:)`` "cannot read '`path`'"; ``ConvAlgebraError/malformedNPY(_:)`` when the
    ///   file ends first (it shrank after `fstat`: the truncation it is).
    package static func readAll(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws {
        guard let base = buffer.baseAddress else { return }
        try transfer(buffer.count, failure: "cannot read '\(path)'", ended: .malformedNPY("truncated data: the file ended early")) {
            done, chunk in systemRead(fd, base + done, chunk)
        }
    }

    /// Appends up to `count` bytes from `fd` to `out`, fewer only at the end of the file, read in chunks of at
    /// most 64 KiB (`count: .max` reads to the end).
    /// - Throws: ``ConvAlgebraError/io(_:)`` "cannot read '`path`'".
    package static func read(_ fd: Int32, upTo count: Int, into out: inout [UInt8], path: String) throws {
        var left = count
        var chunk = [UInt8](repeating: 0, count: Swift.min(Swift.max(left, 1), 1 << 16))
        while left > 0 {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress!, Swift.min(left, $0.count)) }
            if n < 0 { if errno == EINTR { continue }; throw error("cannot read '\(path)'") }
            if n == 0 { return }
            out += chunk[..<n]
            left -= n
        }
    }

    /// An ``ConvAlgebraError/io(_:)`` with the current `errno`'s text.
    package static func error(_ what: String) -> ConvAlgebraError {
        .io("\(what): \(String(cString: strerror(errno)))")
    }

    /// Calls `step(done, chunk)` (returning the bytes moved, or −1 with `errno` set) until `count` bytes moved;
    /// a call that moves nothing throws `ended`.
    private static func transfer(_ count: Int, failure: @autoclosure () -> String, ended: @autoclosure () -> ConvAlgebraError,
                                 _ step: (Int, Int) -> Int) throws {
        var done = 0
        while done < count {
            let n = step(done, min(count - done, 1 << 30))
            if n < 0 {
                if errno == EINTR { continue }
                throw error(failure())
            }
            guard n > 0 else { throw ended() }
            done += n
        }
    }
}

extension SystemIO {
    /// The bytes of the file at `path`, nil when it does not exist.
    /// - Throws: ``ConvAlgebraError/io(_:)`` when it cannot be opened or read, is a directory, or holds more than
    ///   `limit` bytes (a small file — a settings or wisdom file — never needs more; a larger one is refused, not read).
    package static func contents(of path: String, limit: Int) throws -> [UInt8]? {
        try contents(of: path, limit: limit) { size in
            guard size <= limit else { throw ConvAlgebraError.io("'\(path)' is larger than \(limit) bytes") }
        }
    }

    /// The bytes of the file at `path`, nil when it does not exist: the one way a whole file is read into memory.
    /// `admit(n)` is asked before `n` bytes are kept and throws to refuse them (it must refuse any `n > limit`): a
    /// regular file's size before anything is allocated; a pipe or device, which has no size up front, is read
    /// until it ends or passes `limit`, and `admit` is asked for what was read.
    /// - Throws: what `admit` throws; ``ConvAlgebraError/io(_:)`` when the file cannot be opened or read or is a
    ///   directory.
    package static func contents(of path: String, limit: Int, admit: (Int) throws -> Void) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw error("cannot open '\(path)'")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw error("cannot read '\(path)'") }
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            throw ConvAlgebraError.io("cannot read '\(path)': it is a directory")
        case S_IFREG:
            let size = Int(st.st_size)
            try admit(size)
            var bytes = [UInt8](repeating: 0, count: size)
            try bytes.withUnsafeMutableBytes { try readAll(fd, into: $0, path: path) }
            return bytes
        default:
            var bytes: [UInt8] = []
            try read(fd, upTo: limit == .max ? .max : limit + 1, into: &bytes, path: path)
            try admit(bytes.count)
            return bytes
        }
    }
}
