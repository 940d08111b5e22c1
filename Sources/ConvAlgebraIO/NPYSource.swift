import ConvAlgebraCore
import ConvAlgebraBackends

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
        try SystemIO.readAll(fd, into: buffer, path: path)
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
