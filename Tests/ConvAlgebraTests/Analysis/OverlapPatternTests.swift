import ConvAlgebra
import Testing

@Suite struct OverlapPatternTests {
    @Test func kernel3Stride2IsUneven() throws {
        let g = try ConvolutionGeometry.dsp(kernelLength: 3, inputLength: 32, mode: .full, stride: 2)
        let p = try OverlapPattern(transposedConvolution: g)
        #expect(!p.isEven)
        #expect(p.indivisibleDimensions == [0])
        #expect(Set(p.phaseCounts) == [[1], [2]])
        #expect(p.summary.contains("UNEVEN"))
    }

    @Test func kernel4Stride2IsEven() throws {
        let g = try ConvolutionGeometry.dsp(kernelLength: 4, inputLength: 32, mode: .full, stride: 2)
        let p = try OverlapPattern(transposedConvolution: g)
        #expect(p.isEven)
        #expect(p.phaseCounts == [[2], [2]])
        #expect(p.indivisibleDimensions.isEmpty)
    }

    /// The phase counts are ⌈K/s⌉ and ⌊K/s⌋, for every K and s; even exactly when s divides K.
    @Test(arguments: [1, 2, 3, 4], [1, 2, 3, 4, 5, 6, 7])
    func countsAreCeilAndFloorOfKOverS(_ s: Int, _ K: Int) throws {
        let g = try ConvolutionGeometry.dsp(kernelLength: K, inputLength: 24 * s, mode: .full, stride: s)
        let p = try OverlapPattern(transposedConvolution: g)
        let expected = Set([K / s, (K + s - 1) / s])
        #expect(Set(p.phaseCounts.flatMap { $0 }) == expected)
        #expect(p.isEven == (K % s == 0))
        // Each phase is constant in the interior (the pattern is periodic, not noisy).
        #expect(p.phaseCounts.allSatisfy { $0.count == 1 })
    }

    @Test func twoDimensionalCheckerboard() throws {
        // conv_transpose2d, kernel 3×3, stride 2, padding 1: phases (even, even) get 4 = 2·2 taps, mixed 2, (odd, odd) 1.
        let g = try AnalysisFixtures.conv2d(size: 24, channels: (2, 3), kernel: 3, stride: 2, padding: 1, circular: false)
        let p = try OverlapPattern(transposedConvolution: g)
        #expect(p.shape == [24, 24])
        #expect(Set(p.phaseCounts.flatMap { $0 }) == [1, 2, 4])
        #expect(p.phaseCounts.filter { $0 == [2] }.count == 2)
        let even = try OverlapPattern(transposedConvolution:
            AnalysisFixtures.conv2d(size: 24, channels: (1, 1), kernel: 4, stride: 2, padding: 1, circular: false))
        #expect(even.isEven && even.phaseCounts.allSatisfy { $0 == [4] })
    }

    @Test(arguments: [3, 4, 5])
    func resizeThenConvolveIsEven(_ K: Int) throws {
        let p1 = try OverlapPattern(resizeThenConvolve: [16], factor: [2], kernelSize: [K])
        #expect(p1.isEven && p1.phaseCounts == [[K], [K]])
        let p2 = try OverlapPattern(resizeThenConvolve: [8, 8], factor: [2, 2], kernelSize: [K, K])
        #expect(p2.isEven && p2.phaseCounts.allSatisfy { $0 == [K * K] })
    }

    @Test func badInputsThrow() throws {
        #expect(throws: ConvAlgebraError.self) { try OverlapPattern(resizeThenConvolve: [8], factor: [2, 2], kernelSize: [3]) }
        #expect(throws: ConvAlgebraError.self) { try OverlapPattern(resizeThenConvolve: [8], factor: [0], kernelSize: [3]) }
        #expect(throws: ConvAlgebraError.self) { try OverlapPattern(resizeThenConvolve: [0], factor: [2], kernelSize: [3]) }
    }
}
