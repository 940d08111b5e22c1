@testable import ConvAlgebraIO
import ConvAlgebraCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The two byte sources of the NPY reader give the same bytes in order and call reading past the end a
/// truncation, never a short read.
@Suite struct NPYSourceTests {
    static let bytes: [UInt8] = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }

    /// Reads `bytes.count` bytes in uneven chunks and then one byte too many.
    func drain<Source: NPYSource>(_ source: inout Source) throws -> [UInt8] {
        var out = [UInt8]()
        for chunk in [0, 1, 7, 300, 692] { out += try source.read(chunk) }
        #expect(throws: ConvAlgebraError.self) { _ = try source.read(1) }
        return out
    }

    @Test func byteSourceReadsInOrderAndRefusesToReadPastTheEnd() throws {
        var s = ByteSource(bytes: Self.bytes)
        #expect(s.size == Self.bytes.count)
        #expect(try drain(&s) == Self.bytes)
    }

    @Test func fileSourceReadsTheSameBytes() throws {
        let path = NSTemporaryDirectory() + "npysource-\(UUID().uuidString).bin"
        try Data(Self.bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var s = FileSource(fd: fd, path: path, size: Self.bytes.count)
        #expect(try drain(&s) == Self.bytes)
    }
}
