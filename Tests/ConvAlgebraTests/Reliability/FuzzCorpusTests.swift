import ConvAlgebra
import Foundation
import Testing

/// The NPY fuzzer's committed seeds and crash regressions (`Fuzz/Corpus/npy`, `Fuzz/Regressions/npy`) replayed
/// in `make test`, without the fuzzer: each file reads or throws a `ConvAlgebraError`, never traps, under a
/// small budget; a file that reads round-trips. A crash found by `make fuzz` and copied to `Fuzz/Regressions`
/// is thereby a regression test of the ordinary suite too.
@Suite struct FuzzCorpusTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var files: [URL] {
        ["Fuzz/Corpus/npy", "Fuzz/Regressions/npy"].flatMap { dir -> [URL] in
            let d = root.appendingPathComponent(dir)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? []
            return names.filter { !$0.hasPrefix(".") }.sorted().map { d.appendingPathComponent($0) }
        }
    }

    @Test func theCorpusIsThere() { #expect(Self.files.count >= 10) }

    @Test(arguments: files)
    func readsOrThrowsOneError(_ file: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: file))
        do {
            let a = try NPY.read(bytes: bytes, budget: MemoryBudget(bytes: 1 << 24))
            let again: [UInt8]
            switch a {
            case .float32(let t): again = NPY.encode(t)
            case .float64(let t): again = NPY.encode(t)
            }
            #expect(try NPY.read(bytes: again) == a)
        } catch let e as ConvAlgebraError {
            #expect(!e.description.contains("\n"))
        }
    }
}
