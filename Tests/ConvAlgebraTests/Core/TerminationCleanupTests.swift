@testable import ConvAlgebraCore
import Foundation
import Testing

/// The registry the stopping-signal handler empties: registered files are removed, forgotten ones are not, and
/// a full registry or an impossible path is declined rather than written past. (That the CLI dies of the signal
/// with nothing left behind is `StoppingSignalTests`' check, in a child process.)
@Suite(.serialized) struct TerminationCleanupTests {
    static func file(_ name: String) throws -> String {
        let d = NSTemporaryDirectory() + "termination-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        let path = d + "/" + name
        #expect(FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3])))
        return path
    }

    @Test func registeredFilesAreRemovedAndForgottenOnesAreKept() throws {
        let kept = try Self.file("kept"), removed = try Self.file(".out.npy.tmp-1-2")
        let a = try #require(TerminationCleanup.register(kept))
        let b = try #require(TerminationCleanup.register(removed))
        #expect(a != b)
        TerminationCleanup.unregister(a)
        // Only this test's two slots: other tests' writes under way keep their temporary files.
        TerminationCleanup.removeRegistered(mask: 1 << UInt64(a) | 1 << UInt64(b))
        TerminationCleanup.unregister(b)
        #expect(FileManager.default.fileExists(atPath: kept))
        #expect(!FileManager.default.fileExists(atPath: removed))
    }

    @Test func aFullRegistryOrAnImpossiblePathIsDeclined() throws {
        #expect(TerminationCleanup.register("") == nil)
        #expect(TerminationCleanup.register(String(repeating: "a", count: TerminationCleanup.slotBytes)) == nil)
        #expect(TerminationCleanup.register("a\u{0}b") == nil)
        var slots: [Int] = []
        while let s = TerminationCleanup.register("/nonexistent/\(slots.count)") { slots.append(s) }
        // (Other tests' writes may hold a few slots meanwhile: the count is at most, not exactly, slotCount.)
        #expect(slots.count <= TerminationCleanup.slotCount && Set(slots).count == slots.count)
        #expect(slots.allSatisfy { (0..<TerminationCleanup.slotCount).contains($0) })
        slots.forEach(TerminationCleanup.unregister)
        let again = try #require(TerminationCleanup.register("/nonexistent/again"))
        TerminationCleanup.unregister(again)
    }
}
