@testable import ConvAlgebraIO
import ConvAlgebra
import Foundation
import Testing
import _TestSupport

/// SciPy's sparse `.npz` layout: archives `scipy.sparse.save_npz` wrote (stored and deflated, float32 and
/// float64, 32- and 64-bit indices, unsorted rows with a duplicate) read back entry for entry; what ``NPZ``
/// writes reads back equal; malformed archives are one error each.
@Suite struct NPZTests {
    @Test(arguments: ["small_f4_stored", "small_f4_deflate", "unsorted_f4_stored", "empty_f4_deflate"])
    func readsFloat32ArchivesSciPyWrote(_ name: String) throws {
        let m = try NPZ.read(path: try ExportFixtures.path(name, "npz")).matrix(of: Float.self)
        try ExportFixtures.expectEqual(m, name)
        // Canonical rows: strictly increasing columns (the unsorted fixture's are sorted, its duplicate summed).
        for r in 0..<m.rows {
            let cols = m.columnIndices[m.rowOffsets[r]..<m.rowOffsets[r + 1]]
            #expect(zip(cols, cols.dropFirst()).allSatisfy { $0 < $1 })
        }
    }

    @Test(arguments: ["small_f8_stored", "small_f8_deflate", "index64_f8_stored", "large_f8_deflate"])
    func readsFloat64ArchivesSciPyWrote(_ name: String) throws {
        let m = try NPZ.read(path: try ExportFixtures.path(name, "npz"))
        expectThrows(.invalidArgument, "a float64 matrix is not float32") { try m.matrix(of: Float.self) }
        try ExportFixtures.expectEqual(try m.matrix(of: Double.self), name)
    }

    @Test func writtenMatricesReadBackEqual() throws {
        let d = try AtomicFileTests.directory()
        let f = try NPZ.read(path: try ExportFixtures.path("small_f4_deflate", "npz")).matrix(of: Float.self)
        try NPZ.write(f, to: d + "/f.npz")
        #expect(try NPZ.read(path: d + "/f.npz") == .float32(f))
        let g = try NPZ.read(path: try ExportFixtures.path("large_f8_deflate", "npz")).matrix(of: Double.self)
        try NPZ.write(g, to: d + "/g.npz")
        #expect(try NPZ.read(path: d + "/g.npz") == .float64(g))
        // The members SciPy's load_npz looks for, with its dtypes.
        let zip = try ZipArchive(bytes: Array(try #require(FileManager.default.contents(atPath: d + "/g.npz"))))
        #expect(Set(zip.entries.map(\.name)) == ["indices.npy", "indptr.npy", "format.npy", "shape.npy", "data.npy"])
        let format = try NPYMember(bytes: try zip.contents(of: try #require(zip.entry(named: "format.npy")), budget: .unlimited), name: "format")
        #expect(format.values == .text("csr") && format.shape == [])
        let shape = try NPYMember(bytes: try zip.contents(of: try #require(zip.entry(named: "shape.npy")), budget: .unlimited), name: "shape")
        #expect(shape.values == .integers([g.rows, g.columns]))
    }

    /// An archive of the given members (name → NPY bytes).
    static func archive(_ members: [String: [UInt8]]) throws -> [UInt8] {
        let d = try AtomicFileTests.directory(), path = d + "/m.npz"
        try ZipWriterTests.write(members.sorted { $0.key < $1.key }.map { ($0.key + ".npy", $0.value) }, to: path)
        return Array(try #require(FileManager.default.contents(atPath: path)))
    }

    static func ints(_ v: [Int32]) -> [UInt8] { NPYMember.header(descr: "<i4", shape: [v.count]) + v.withUnsafeBytes { Array($0) } }

    /// A 2 × 3 CSR matrix's members, with `change` applied.
    static func members(_ change: (inout [String: [UInt8]]) -> Void) -> [String: [UInt8]] {
        var m: [String: [UInt8]] = [
            "indices": ints([0, 2, 1]), "indptr": ints([0, 2, 3]),
            "format": NPYMember.header(descr: "|S3", shape: []) + Array("csr".utf8),
            "shape": NPYMember.header(descr: "<i8", shape: [2]) + [Int64(2), 3].withUnsafeBytes { Array($0) },
            "data": NPYMember.header(descr: "<f8", shape: [3]) + [1.0, 2.0, 3.0].withUnsafeBytes { Array($0) },
        ]
        change(&m)
        return m
    }

    @Test func malformedArchivesAreOneErrorEach() throws {
        let good = try NPZ.read(bytes: try Self.archive(Self.members { _ in })).matrix(of: Double.self)
        #expect(try good.dense() == DenseMatrix(rows: 2, columns: 3, entries: [1, 0, 2, 0, 3, 0]))
        let cases: [(String, (inout [String: [UInt8]]) -> Void)] = [
            ("no data", { $0["data"] = nil }),
            ("csc", { $0["format"] = NPYMember.header(descr: "|S3", shape: []) + Array("csc".utf8) }),
            ("short indptr", { $0["indptr"] = Self.ints([0, 3]) }),
            ("decreasing indptr", { $0["indptr"] = Self.ints([0, 3, 2]) }),
            ("index outside", { $0["indices"] = Self.ints([0, 3, 1]) }),
            ("negative index", { $0["indices"] = Self.ints([0, -1, 1]) }),
            ("indices and data differ", { $0["indices"] = Self.ints([0, 2]) }),
            ("integer data", { $0["data"] = Self.ints([1, 2, 3]) }),
            ("complex data", { $0["data"] = NPYMember.header(descr: "<c16", shape: [0]) }),
            ("truncated data", { $0["data"]!.removeLast() }),
            ("not npy", { $0["shape"] = Array("text".utf8) }),
            ("3-d shape", { $0["shape"] = NPYMember.header(descr: "<i8", shape: [3]) + [Int64(2), 3, 1].withUnsafeBytes { Array($0) } }),
        ]
        for (what, change) in cases {
            expectThrows(.malformedFile, what) { try NPZ.read(bytes: try Self.archive(Self.members(change))) }
        }
        expectThrows(.exceedsMemoryBudget, "budget") {
            try NPZ.read(bytes: try Self.archive(Self.members { _ in }), budget: MemoryBudget(bytes: 100))
        }
    }

    @Test func pathsAreNamedInErrors() throws {
        let d = try AtomicFileTests.directory()
        try Array("plain text".utf8).withUnsafeBytes { try AtomicFile.write([$0], to: d + "/t.npz") }
        let e = expectThrows(.malformedFile) { try NPZ.read(path: d + "/t.npz") }
        #expect(e?.description.contains("t.npz") == true)
        expectThrows(.io) { try NPZ.read(path: d + "/missing.npz") }
    }
}
