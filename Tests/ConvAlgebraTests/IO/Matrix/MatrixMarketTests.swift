@testable import ConvAlgebraIO
import ConvAlgebra
import Testing
import _TestSupport

/// Matrix Market files: those `scipy.io.mmwrite` wrote (general, symmetric, integer, dense array) read back
/// entry for entry; what ``MatrixMarket`` writes reads back equal; malformed texts are one error each.
@Suite struct MatrixMarketTests {
    @Test(arguments: ["general", "symmetric", "integer", "array"])
    func readsFilesSciPyWrote(_ name: String) throws {
        try ExportFixtures.expectEqual(try MatrixMarket.read(path: try ExportFixtures.path(name, "mtx"), as: Double.self), name)
    }

    @Test func writtenMatricesReadBackEqual() throws {
        let f = try NPZ.read(path: try ExportFixtures.path("small_f4_stored", "npz")).matrix(of: Float.self)
        #expect(try MatrixMarket.read(bytes: try MatrixMarket.encode(f), as: Float.self) == f)
        let g = try NPZ.read(path: try ExportFixtures.path("large_f8_deflate", "npz")).matrix(of: Double.self)
        #expect(try MatrixMarket.read(bytes: try MatrixMarket.encode(g), as: Double.self) == g)
        let text = String(decoding: try MatrixMarket.encode(f), as: UTF8.self)
        #expect(text.hasPrefix("%%MatrixMarket matrix coordinate real general\n"))
    }

    @Test(arguments: [
        ("", "empty"),
        ("%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n", "complex"),
        ("%%MatrixMarket matrix coordinate real hermitian\n1 1 0\n", "hermitian"),
        ("%%MatrixMarket tensor coordinate real general\n1 1 0\n", "not a matrix"),
        ("%%MatrixMarket matrix coordinate real general\n", "no size line"),
        ("%%MatrixMarket matrix coordinate real general\n2 2\n", "short size line"),
        ("%%MatrixMarket matrix coordinate real general\n2 -2 0\n", "negative size"),
        ("%%MatrixMarket matrix coordinate real general\n2 2 5\n", "more entries than cells"),
        ("%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n", "fewer entries than declared"),
        ("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1\n2 2 2\n", "more entries than declared"),
        ("%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1\n", "row outside"),
        ("%%MatrixMarket matrix coordinate real general\n2 2 1\n0 1 1\n", "row zero"),
        ("%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 x\n", "not a number"),
        ("%%MatrixMarket matrix coordinate real symmetric\n2 3 0\n", "non-square symmetric"),
        ("%%MatrixMarket matrix coordinate real general\n3037000500 3037000500 1\n", "too large"),
    ])
    func malformedTextsAreOneErrorEach(_ text: String, _ what: String) {
        expectThrows(.malformedFile, what) { try MatrixMarket.read(bytes: Array(text.utf8), as: Double.self) }
    }

    @Test func hugeDeclaredCountsAreRefusedBeforeAllocating() {
        let text = "%%MatrixMarket matrix coordinate real general\n1000000 1000000 900000000000\n"
        expectThrows(.exceedsMemoryBudget) { try MatrixMarket.read(bytes: Array(text.utf8), as: Double.self, budget: MemoryBudget(bytes: 1 << 30)) }
    }
}
