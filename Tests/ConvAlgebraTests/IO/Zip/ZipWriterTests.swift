@testable import ConvAlgebraIO
import ConvAlgebraCore
import Foundation
import Testing

/// The archive writer: what it writes reads back member for member (through ``ZipArchive``), equal content
/// gives equal bytes, and a failed write leaves nothing.
@Suite struct ZipWriterTests {
    static func write(_ members: [(String, [UInt8])], to path: String) throws {
        try withRawBytes(members.map(\.1)) { parts in
            try ZipWriter.write(zip(members, parts).map { ZipWriter.Member(name: $0.0.0, parts: [$0.1]) }, to: path)
        }
    }

    @Test func membersReadBackAsWritten() throws {
        let d = try AtomicFileTests.directory(), path = d + "/a.zip"
        let members: [(String, [UInt8])] = [("a.npy", [1, 2, 3]), ("empty", []), ("b/c.bin", (0..<5000).map { UInt8($0 % 251) })]
        try Self.write(members, to: path)
        let zip = try ZipArchive(bytes: Array(try #require(FileManager.default.contents(atPath: path))))
        #expect(zip.entries.map(\.name) == members.map(\.0))
        for (name, bytes) in members {
            let e = try #require(zip.entry(named: name))
            #expect(e.method == 0)
            #expect(try zip.contents(of: e, budget: .unlimited) == bytes)
        }
        // Deterministic: the same members give the same file.
        let first = FileManager.default.contents(atPath: path)
        try Self.write(members, to: path)
        #expect(FileManager.default.contents(atPath: path) == first)
    }

    @Test func aFailedWriteLeavesNothing() throws {
        let d = try AtomicFileTests.directory()
        #expect(throws: ConvAlgebraError.self) { try Self.write([("a", [1])], to: d + "/missing/a.zip") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: d).isEmpty)
    }
}
