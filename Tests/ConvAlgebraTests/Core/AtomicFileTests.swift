@testable import ConvAlgebraCore
import Foundation
import Testing

/// Whole-file writes: the file holds the parts in order, replaces what was there, and a failed write leaves
/// neither a partial file nor a temporary one.
@Suite struct AtomicFileTests {
    static func directory() throws -> String {
        let d = NSTemporaryDirectory() + "atomicfile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    static func write(_ parts: [[UInt8]], to path: String) throws {
        func go(_ rest: ArraySlice<[UInt8]>, _ done: [UnsafeRawBufferPointer]) throws {
            guard let first = rest.first else { return try AtomicFile.write(done, to: path) }
            try first.withUnsafeBytes { try go(rest.dropFirst(), done + [$0]) }
        }
        try go(parts[...], [])
    }

    @Test func writesThePartsInOrderAndReplacesAnOldFile() throws {
        let d = try Self.directory(), path = d + "/out.bin"
        try Self.write([[1, 2, 3], [], [4, 5]], to: path)
        #expect(FileManager.default.contents(atPath: path) == Data([1, 2, 3, 4, 5]))
        try Self.write([[9]], to: path)
        #expect(FileManager.default.contents(atPath: path) == Data([9]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: d) == ["out.bin"])
    }

    @Test func aFailedWriteLeavesNothingBehind() throws {
        let d = try Self.directory()
        // The destination is a directory: the rename fails after the data was written aside.
        try FileManager.default.createDirectory(atPath: d + "/taken", withIntermediateDirectories: false)
        #expect(throws: ConvAlgebraError.self) { try Self.write([[1, 2]], to: d + "/taken") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: d) == ["taken"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: d + "/taken").isEmpty)
        // A missing directory: an I/O error naming the path.
        do { try Self.write([[1]], to: d + "/missing/out.bin"); Issue.record("no error") } catch {
            #expect("\(error)".contains("missing/out.bin"), "\(error)")
        }
        #expect(throws: ConvAlgebraError.self) { try Self.write([[1]], to: "") }
    }

    @Test func temporaryFilesAreHiddenBesideTheDestinationAndUnique() {
        let a = AtomicFile.temporaryPath(for: "/some/dir/y.npy"), b = AtomicFile.temporaryPath(for: "/some/dir/y.npy")
        #expect(a.hasPrefix("/some/dir/.y.npy.tmp-"))
        #expect(a != b)
        #expect(AtomicFile.temporaryPath(for: "y.npy").hasPrefix(".y.npy.tmp-"))
    }
}
