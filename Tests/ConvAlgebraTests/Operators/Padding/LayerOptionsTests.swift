import ConvAlgebra
import Testing

@Suite struct LayerOptionsTests {
    @Test func paddingSpellings() throws {
        #expect(try LayerPadding.parse([2], rank: 2) == .explicit(begin: [2, 2], end: [2, 2]))
        #expect(try LayerPadding.parse([1, 2], rank: 2) == .explicit(begin: [1, 2], end: [1, 2]))
        #expect(try LayerPadding.parse([1, 2, 3, 4], rank: 2) == .explicit(begin: [1, 2], end: [3, 4]))
        #expect(try LayerPadding.parse([1, 2], rank: 1) == .explicit(begin: [1], end: [2]))
        #expect(throws: ConvAlgebraError.self) { try LayerPadding.parse([1, 2, 3], rank: 2) }
        #expect(throws: ConvAlgebraError.self) { try LayerPadding.parse([-1], rank: 1) }
    }

    @Test(arguments: [(3, 1), (4, 1), (4, 2), (5, 3), (2, 2)])
    func sameSplitsTheDilatedReach(_ k: Int, _ d: Int) throws {
        let (b, e) = try LayerPadding.same.amounts(kernelSize: [k], dilation: [d], stride: [1])
        #expect(b[0] + e[0] == d * (k - 1) && b[0] == d * (k - 1) / 2)
        // 'same' keeps the size.
        let layer = try ConvolutionLayer<Double>(inputShape: [1, 9], weightShape: [1, 1, k], weight: Array(repeating: 1, count: k),
                                                 padding: .same, dilation: [d])
        #expect(layer.outputShape == [1, 9])
        #expect(throws: ConvAlgebraError.self) { try LayerPadding.same.amounts(kernelSize: [k], dilation: [d], stride: [2]) }
    }

    @Test func outputSizeFormula() throws {
        for (n, pb, pe, K, d, s) in [(10, 1, 2, 3, 2, 3), (5, 0, 0, 5, 1, 1), (7, 2, 0, 2, 3, 2)] {
            #expect(try LayerOptions.convolutionOutputSize(input: n, begin: pb, end: pe, kernel: K, dilation: d, stride: s)
                    == (n + pb + pe - d * (K - 1) - 1) / s + 1)
        }
        #expect(throws: ConvAlgebraError.self) {
            try LayerOptions.convolutionOutputSize(input: 4, begin: 0, end: 0, kernel: 3, dilation: 2, stride: 1)
        }
    }
}
