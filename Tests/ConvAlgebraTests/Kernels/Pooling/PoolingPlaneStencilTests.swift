@testable import ConvAlgebraKernels
import ConvAlgebraCore
import Testing

/// A plane stencil's terms are those of `I_C ⊗ P`: the plane's matrix repeated down the block diagonal, rows
/// ascending, `C · nnz(P)` of them (overflow-checked).
@Suite struct PoolingPlaneStencilTests {
    static let plane = PoolingPlaneStencil<Float>(
        inputPlane: 4, outputPlane: 2, rowOffsets: [0, 2, 3], columns: [0, 3, 2], weights: [0.5, 0.25, -1])

    @Test(arguments: [1, 3])
    func termsAreTheKroneckerProductWithTheIdentity(channels: Int) throws {
        var terms = [(Int, Int, Float)]()
        Self.plane.forEachTerm(channels: channels) { terms.append(($0, $1, $2)) }
        // I_C ⊗ P written out: block c holds P's entries shifted by (2c, 4c).
        var expected = [(Int, Int, Float)]()
        for c in 0..<channels { expected += [(2 * c, 4 * c, 0.5), (2 * c, 4 * c + 3, 0.25), (2 * c + 1, 4 * c + 2, -1)] }
        #expect(terms.count == expected.count)
        for (t, e) in zip(terms, expected) { #expect(t.0 == e.0 && t.1 == e.1 && t.2 == e.2) }
        #expect(zip(terms, terms.dropFirst()).allSatisfy { $0.0 <= $1.0 })
        #expect(try Self.plane.termCount(channels: channels) == 3 * channels)
        #expect(Self.plane.termCount == 3)
    }

    @Test func termCountOverflowIsAnError() {
        #expect(throws: ConvAlgebraError.self) { try Self.plane.termCount(channels: Int.max / 2) }
    }
}
