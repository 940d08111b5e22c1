@testable import ConvAlgebraAnalysis
import ConvAlgebra
import Testing

/// The aliasing reading of a strided operator: `∏s` frequencies fold onto one, the low-rate Nyquist is
/// `1/(2s)`, down-sampling operators read as aliasing and their transposes as imaging, stride 1 reads as nothing.
@Suite struct AliasingReadingTests {
    @Test func foldCountAndNyquistFollowTheStride() throws {
        let r = try #require(AliasingReading(direction: .downsampling, stride: [2, 3]))
        #expect(r.foldCount == 6)
        #expect(r.nyquist == [0.25, 1.0 / 6])
        #expect(AliasingReading(direction: .downsampling, stride: [1, 1]) == nil)
        #expect(AliasingReading(direction: .upsampling, stride: [1, 4])?.foldCount == 4)
    }

    @Test func operatorsReadAsTheirDirection() throws {
        let strided = try Convolution<Double>(kernel: [1, 2, 1], inputLength: 12, mode: .same, stride: 3)
        #expect(AliasingReading.of(strided) == AliasingReading(direction: .downsampling, stride: [3]))
        #expect(AliasingReading.of(strided.transposed) == AliasingReading(direction: .upsampling, stride: [3]))
        #expect(AliasingReading.of(try Downsample<Double>(factor: 2, phase: 1, inputLength: 9))?.direction == .downsampling)
        #expect(AliasingReading.of(try Upsample<Float>(factor: 5, inputLength: 3)) == AliasingReading(direction: .upsampling, stride: [5]))
        #expect(AliasingReading.of(try Convolution<Double>(kernel: [1, 2, 1], inputLength: 12, mode: .same)) == nil)
        #expect(AliasingReading.of(try Downsample<Double>(factor: 1, phase: 0, inputLength: 9)) == nil)
    }

    /// The measured null space of `↓s` on `n` inputs has dimension `n − ⌈n/s⌉`, which the summary reports.
    @Test(arguments: [(9, 2), (12, 3), (10, 4)])
    func summaryNamesTheNullSpaceItIsGiven(n: Int, s: Int) throws {
        let down = try Downsample<Double>(factor: s, phase: 0, inputLength: n)
        let nullity = try OperatorAnalysis(of: down).nullity
        #expect(nullity == n - (n + s - 1) / s)
        let text = try #require(AliasingReading.of(down)).summary(nullity: nullity)
        #expect(text.contains("stride \(s)") && text.contains("\(s) input frequencies fold"))
        #expect(text.contains("null space of dimension \(n - (n + s - 1) / s)"))
        #expect(!(try #require(AliasingReading.of(down)).summary(nullity: nil).contains("null space")))
        #expect(try #require(AliasingReading.of(down.transposed)).summary(nullity: 0).contains("imaging"))
    }
}
