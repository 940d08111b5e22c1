import ConvAlgebra
import _TestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The descriptor loops under the NPY reader and writer: whole buffers through, a short file is a
/// truncation, a failing call names the path and the system's reason.
@Suite struct SystemIOTests {
    private func temporaryFile() throws -> String {
        let dir = try NPYTests.temporaryDirectory()
        return dir + "/bytes.bin"
    }

    @Test func writesAndReadsWholeBuffers() throws {
        let path = try temporaryFile()
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let w = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(w >= 0)
        try bytes.withUnsafeBytes { try SystemIO.writeAll(w, $0, path: path) }
        close(w)
        let r = open(path, O_RDONLY)
        defer { close(r) }
        var back = [UInt8](repeating: 0, count: 150_000)
        try back.withUnsafeMutableBytes { try SystemIO.readAll(r, into: $0, path: path) }
        #expect(back == Array(bytes.prefix(150_000)))
        var rest: [UInt8] = []
        try SystemIO.read(r, upTo: .max, into: &rest, path: path)
        #expect(rest == Array(bytes.suffix(50_000)))
        var none: [UInt8] = []
        try SystemIO.read(r, upTo: .max, into: &none, path: path)
        #expect(none.isEmpty)
    }

    @Test func aShortFileIsATruncation() throws {
        let path = try temporaryFile()
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        let r = open(path, O_RDONLY)
        defer { close(r) }
        var buffer = [UInt8](repeating: 0, count: 8)
        expectThrows(.malformedNPY, "8 bytes from a 3-byte file") {
            try buffer.withUnsafeMutableBytes { try SystemIO.readAll(r, into: $0, path: path) }
        }
    }

    @Test func failuresNameThePath() throws {
        let path = try temporaryFile()
        try Data([1]).write(to: URL(fileURLWithPath: path))
        let r = open(path, O_RDONLY)
        defer { close(r) }
        let error = expectThrows(.io, "writing to a read-only descriptor") {
            try [UInt8](repeating: 7, count: 4).withUnsafeBytes { try SystemIO.writeAll(r, $0, path: path) }
        }
        #expect(error?.description.contains("cannot write '\(path)'") == true, "\(String(describing: error))")
    }

    /// A small file whole: nil when missing, the bytes up to the limit, an io error past it (a regular file is
    /// refused by its size, a device that never ends one byte past the limit) and for a directory.
    @Test func contentsOfASmallFile() throws {
        let path = try temporaryFile()
        #expect(try SystemIO.contents(of: path, limit: 10) == nil)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        #expect(try SystemIO.contents(of: path, limit: 3) == [1, 2, 3])
        expectThrows(.io, "3 bytes over a limit of 2") { try SystemIO.contents(of: path, limit: 2) }
        var asked: [Int] = []
        expectThrows(.io, "a device that never ends") {
            try SystemIO.contents(of: "/dev/zero", limit: 100) { asked.append($0); if $0 > 100 { throw ConvAlgebraError.io("too large") } }
        }
        #expect(asked == [101])
        expectThrows(.io, "a directory") { try SystemIO.contents(of: (path as NSString).deletingLastPathComponent, limit: 10) }
    }
}
