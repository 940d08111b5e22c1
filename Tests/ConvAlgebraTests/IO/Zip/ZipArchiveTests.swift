@testable import ConvAlgebraIO
import ConvAlgebraCore
import Foundation
import Testing
import _TestSupport

/// The archive reader on hostile archives: each damage is one ``ConvAlgebraError/malformedFile(_:)`` (or a
/// budget error), never a trap or an allocation of what a header claims. Archives SciPy wrote, stored and
/// deflated, are read in ``NPZTests``.
@Suite struct ZipArchiveTests {
    /// A valid archive of two stored members, as bytes.
    static func archive() throws -> [UInt8] {
        let d = try AtomicFileTests.directory(), path = d + "/a.zip"
        try ZipWriterTests.write([("x.npy", Array("hello".utf8)), ("y.npy", [1, 2, 3, 4])], to: path)
        return Array(try #require(FileManager.default.contents(atPath: path)))
    }

    /// The offset of the first central directory entry.
    static func directory(_ b: [UInt8]) -> Int { ZipArchive.u32(b, b.count - 22 + 16) }

    @Test func damagedArchivesAreRefused() throws {
        let good = try Self.archive()
        #expect(try ZipArchive(bytes: good).entries.count == 2)
        expectThrows(.malformedFile, "not a zip") { try ZipArchive(bytes: Array("not an archive at all, just text".utf8)) }
        expectThrows(.malformedFile, "too short") { try ZipArchive(bytes: [0x50, 0x4B]) }
        expectThrows(.malformedFile, "truncated") { try ZipArchive(bytes: Array(good.dropLast(5))) }
        var b = good
        b[b.count - 22 + 10] = 0xFF; b[b.count - 22 + 11] = 0x0F  // 4095 entries in a small directory
        expectThrows(.malformedFile, "entry count") { try ZipArchive(bytes: b) }
        b = good
        b[b.count - 22 + 16 + 3] = 0x7F  // the directory offset far outside the file
        expectThrows(.malformedFile, "directory offset") { try ZipArchive(bytes: b) }
        let cd = Self.directory(good)
        b = good
        b[cd + 8] |= 1  // encrypted
        expectThrows(.malformedFile, "encrypted") { try ZipArchive(bytes: b) }
        b = good
        b[cd + 10] = 12  // bzip2
        expectThrows(.malformedFile, "method") { try ZipArchive(bytes: b) }
    }

    @Test func damagedMembersAreRefusedOnExtraction() throws {
        let good = try Self.archive()
        var b = good
        b[30 + 5] ^= 0xFF  // the first data byte, after the 30-byte header and the name x.npy
        var zip = try ZipArchive(bytes: b)
        expectThrows(.malformedFile, "crc") { try zip.contents(of: zip.entries[0], budget: .unlimited) }
        // A declared size beyond the file, and a size over the budget.
        b = good
        let cd = Self.directory(good)
        b[cd + 20 + 3] = 0x40; b[cd + 24 + 3] = 0x40
        zip = try ZipArchive(bytes: b)
        expectThrows(.malformedFile, "size") { try zip.contents(of: zip.entries[0], budget: .unlimited) }
        zip = try ZipArchive(bytes: good)
        expectThrows(.exceedsMemoryBudget, "budget") { try zip.contents(of: zip.entries[1], budget: MemoryBudget(bytes: 3)) }
        // A local header offset pointing at the wrong place.
        b = good
        b[cd + 42] = 7
        zip = try ZipArchive(bytes: b)
        expectThrows(.malformedFile, "header") { try zip.contents(of: zip.entries[0], budget: .unlimited) }
    }
}
