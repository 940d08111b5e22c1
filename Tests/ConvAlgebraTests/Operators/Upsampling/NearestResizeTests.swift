@testable import ConvAlgebra
import Testing
import _TestSupport

/// Resizing to an output size (`F.interpolate(size=…)`): `NearestResize`, `Interpolation(size:)` and the
/// `Upsampling` factories with PyTorch's mode names. Values against PyTorch are in `TorchResizeFixtureTests`.
@Suite struct NearestResizeTests {
    static let sizes: [([Int], [Int])] = [([5], [7]), ([9], [4]), ([6], [1]), ([3, 4], [5, 2]), ([2, 3, 2], [3, 5, 1])]

    @Test(arguments: sizes.indices)
    func formsAgreeAndDotTest(_ i: Int) throws {
        let (n, L) = Self.sizes[i]
        try expectPoolFormsAgree(NearestResize<Float>(inputShape: [2] + n, size: L))
        try expectPoolFormsAgree(NearestResize<Double>(inputShape: [2] + n, size: L))
        try expectPoolFormsAgree(Interpolation<Double>(inputShape: [2] + n, size: L))
    }

    /// To whole multiples, resizing is up-sampling by the factors: the same matrices, entry for entry.
    @Test(arguments: [([4], [3]), ([3, 2], [2, 3]), ([2, 2, 2], [2, 1, 3])] as [([Int], [Int])])
    func wholeMultiplesAreUpsamplingByTheFactors(_ n: [Int], _ k: [Int]) throws {
        let L = zip(n, k).map(*)
        let resize = try NearestResize<Double>(inputShape: [2] + n, size: L)
        let up = try NearestUpsampling<Double>(inputShape: [2] + n, scale: k)
        #expect(try resize.dense() == up.dense())
        let linear = try Interpolation<Double>(inputShape: [2] + n, size: L)
        let scaled = try Interpolation<Double>(inputShape: [2] + n, scale: k)
        #expect(try linear.dense() == scaled.dense())
        // The factory picks the convolution form for whole multiples.
        #expect(try Upsampling.make(.nearest, inputShape: [2] + n, size: L, as: Double.self) is NearestUpsampling<Double>)
        #expect(try Upsampling.make(.nearest, inputShape: [2] + n, size: L.map { $0 + 1 }, as: Double.self) is NearestResize<Double>)
    }

    /// `src(j) = ⌊float(j)·float(n/L)⌋`: 14 → 20 has ratio 0.7, whose float is below 0.7, yet j = 10 maps to 7,
    /// because the product rounds back to 7 in float (PyTorch's arithmetic; the fixtures check it end to end).
    @Test func sourceIndicesUseFloatArithmetic() {
        let src = NearestResize<Double>.sources(inputLength: 14, outputLength: 20)
        #expect(src[10] == 7 && src.count == 20 && src.last == 13)
        #expect(NearestResize<Double>.sources(inputLength: 9, outputLength: 4) == [0, 2, 4, 6])
    }

    /// bilinear and trilinear check the number of spatial dimensions, as `F.interpolate` does; linear takes any.
    @Test func pyTorchModeNamesCheckTheRank() throws {
        #expect(try Upsampling.bilinear(inputShape: [2, 3, 4], scale: [2], as: Float.self).codomain.dims == [2, 6, 8])
        #expect(try Upsampling.trilinear(inputShape: [1, 2, 3, 4], size: [3], as: Float.self).codomain.dims == [1, 3, 3, 3])
        expectThrows(.invalidArgument) { try Upsampling.bilinear(inputShape: [2, 5], scale: [2], as: Float.self) }
        expectThrows(.invalidArgument) { try Upsampling.trilinear(inputShape: [2, 5, 5], size: [3], as: Float.self) }
        expectThrows(.invalidArgument) { try Upsampling.make(.bilinear, inputShape: [2, 5, 5, 5], scale: [2], as: Double.self) }
        #expect(try Upsampling.make(.linear, inputShape: [2, 5], size: [3], as: Double.self).codomain.dims == [2, 3])
        #expect(try Upsampling.bilinear(inputShape: [2, 3, 4], scale: [2], as: Double.self).dense()
                == Upsampling.linear(inputShape: [2, 3, 4], scale: [2], as: Double.self).dense())
    }

    @Test func badSizesThrow() {
        expectThrows(.invalidArgument) { try NearestResize<Float>(inputShape: [1, 4], size: [0]) }
        expectThrows(.invalidArgument) { try NearestResize<Float>(inputShape: [1, 4, 4], size: [2, 2, 2]) }
        expectThrows(.invalidArgument) { try NearestResize<Float>(inputShape: [0, 4], size: [2]) }
        expectThrows(.shapeMismatch) { try NearestResize<Float>(inputShape: [4], size: [2]) }
        expectThrows(.invalidArgument) { try Interpolation<Float>(inputShape: [1, 4], size: [-3]) }
        expectThrows(.overflow) { try Interpolation<Float>(inputShape: [1, 4, 4], size: [1 << 40]) }
    }
}
