import ConvAlgebraCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension NPY {
    /// The longest header a pipe or device may send: NumPy's own reader refuses headers over 10 000 bytes
    /// unless told otherwise; this allows a hundred times that.
    package static let longestStreamHeader = 1 << 20

    /// The bytes of an NPY file read from a pipe or a device, which has no size up front, read in the
    /// order the format allows it to be checked: the magic and version (12 bytes), then the header (at most
    /// ``longestStreamHeader`` bytes), then — once the header's shape is known and its size fits the
    /// budget — the data and one byte more, so that trailing bytes are detected without reading them all.
    ///
    /// Whatever is malformed (no magic, a short file, trailing bytes) is left for the in-memory decoder to
    /// report; this only makes sure nothing is read or allocated before it is known to be needed:
    /// `--input /dev/zero` fails on its first 12 bytes instead of filling the memory.
    /// - Throws: ``ConvAlgebraError/malformedNPY(_:)`` for a bad magic or an over-long header, a memory-budget
    ///   error for data (held twice: the bytes and the tensor) over the budget, I/O errors.
    package static func readStream(_ fd: Int32, path: String, budget: MemoryBudget) throws -> [UInt8] {
        var out: [UInt8] = []
        try SystemIO.read(fd, upTo: 12, into: &out, path: path)
        guard out.count >= 10 else { return out }
        let major = try out.withUnsafeBytes { try NPYHeader.version($0) }
        let prefix = NPYHeader.prefixLength(major: major)
        guard out.count >= prefix else { return out }
        let headerLength = try out.withUnsafeBytes { try NPYHeader.headerLength($0, major: major) }
        guard headerLength <= longestStreamHeader else {
            throw ConvAlgebraError.malformedNPY(
                "the header declares \(headerLength) bytes, more than the \(longestStreamHeader) read from a pipe or device")
        }
        try SystemIO.read(fd, upTo: prefix + headerLength - out.count, into: &out, path: path)
        guard out.count >= prefix + headerLength else { return out }
        let header = try out[prefix..<(prefix + headerLength)].withUnsafeBytes { try NPYHeader(text: $0) }
        // The bytes and the decoded tensor are both held: twice the data.
        let twice = try Checked.multiply(header.count, 2, "the size of the array read from '\(path)'")
        try budget.check("an array of shape \(NPYHeader.tuple(header.shape)) read from a pipe or device",
                         count: twice, elementBytes: header.itemSize)
        let dataBytes = header.count * header.itemSize
        out.reserveCapacity(out.count + dataBytes + 1)
        try SystemIO.read(fd, upTo: dataBytes + 1, into: &out, path: path)
        return out
    }
}
