import ConvAlgebraCore
import ConvAlgebraBackends
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the NPY reader takes its bytes from: a file descriptor (read straight into the tensor's
/// storage) or an array in memory. `size` is the total byte count, known before anything is read, so
/// the reader can check every length against it before it allocates.
package protocol NPYSource {
    var size: Int { get }
    /// The next `count` bytes. - Throws: truncation or I/O errors.
    mutating func read(_ count: Int) throws -> [UInt8]
    /// Fills `buffer` with the next bytes.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws
}

extension NPYSource {
    package mutating func read(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        try out.withUnsafeMutableBytes { try read(into: $0) }
        return out
    }
}

/// An open regular file.
package struct FileSource: NPYSource {
    package let fd: Int32
    package let path: String
    package let size: Int

    package mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws {
        guard var p = buffer.baseAddress else { return }
        var left = buffer.count
        while left > 0 {
            let n = systemRead(fd, p, min(left, 1 << 30))
            if n < 0 {
                if errno == EINTR { continue }
                throw AtomicFile.ioError("cannot read '\(path)'")
            }
            // The file shrank after fstat: report it as the truncation it is.
            guard n > 0 else { throw ConvAlgebraError.malformedNPY("truncated data: the file ended early") }
            p += n
            left -= n
        }
    }
}

/// Bytes in memory.
package struct ByteSource: NPYSource {
    package let bytes: [UInt8]
    package var position = 0
    package var size: Int { bytes.count }

    package mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws {
        guard buffer.count <= bytes.count - position else {
            throw ConvAlgebraError.malformedNPY("truncated data: the file ended early")
        }
        bytes.withUnsafeBytes { src in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[position..<(position + buffer.count)]))
        }
        position += buffer.count
    }
}

/// `read(2)`, named apart from the sources' `read` methods.
package func systemRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, p, n)
    #else
    Darwin.read(fd, p, n)
    #endif
}
