import ConvAlgebra
import Testing

/// ``CircularConvolutionSpectrum/startVectors(geometry:taps:frequencies:smallest:positions:budget:)``'s options for
/// convalgebra-mpi: `positions` keeps one process's slice of every vector, and `smallest` gives the waves of the
/// smallest singular values, checked against the operator itself: `‖A x‖ / ‖x‖` of the first vectors is `σ_min`
/// (exactly for blocks of one column, within 2 % from the power steps of 2 × 2 blocks).
@Suite struct CircularConvolutionSpectrumStartVectorsTests {
    static func conv(channels: Int, size: [Int], seed: UInt64) throws -> Convolution<Double> {
        let g = try ConvolutionGeometry(inputSize: size, outputSize: size, kernelSize: size.map { _ in 3 }, stride: size.map { _ in 1 },
                                        offset: size.map { _ in -1 }, tapStep: size.map { _ in 1 }, boundary: .circular,
                                        inChannels: channels, outChannels: channels, groups: 1, hasChannelAxis: true)
        return try Convolution(geometry: g, taps: AnalysisFixtures.random(g.weightCount, seed: seed, as: Double.self))
    }

    @Test(arguments: [false, true])
    func positionsKeepThatSliceOfEveryVector(smallest: Bool) throws {
        let op = try Self.conv(channels: 2, size: [6, 5], seed: 11)
        let full = try CircularConvolutionSpectrum.startVectors(geometry: op.geometry, taps: op.taps, frequencies: 3, smallest: smallest)
        let part = try CircularConvolutionSpectrum.startVectors(geometry: op.geometry, taps: op.taps, frequencies: 3, smallest: smallest,
                                                                positions: 17..<43)
        #expect(full.count == 6 && part.count == full.count)
        #expect(zip(full, part).allSatisfy { Array($0[17..<43]) == $1 })
    }

    @Test(arguments: [(1, 1e-12), (2, 0.02)])
    func smallestAreTheBottomSingularVectors(channels: Int, tolerance: Double) throws {
        let op = try Self.conv(channels: channels, size: [7, 6], seed: 5)
        let bottom = try op.fftSingularValues().min()!
        let start = try CircularConvolutionSpectrum.startVectors(geometry: op.geometry, taps: op.taps, frequencies: 2, smallest: true)
        try #require(start.count == 4 && start.allSatisfy { $0.count == op.domain.count })
        for x in start.prefix(2) where norm(x) > 0 {
            let ratio = norm(try op.apply(Tensor(shape: op.domain, scalars: x)).scalars) / norm(x)
            #expect(ratio >= bottom * (1 - 1e-12) && ratio <= bottom * (1 + tolerance), "\(channels) channels: \(ratio) vs σ_min \(bottom)")
        }
    }

    /// Blocks past ``CircularConvolutionSpectrum/smallestBlockLimit`` entries get no waves for the smallest (ranking every
    /// frequency would cost more than it saves), but still get them for the largest.
    @Test func largeBlocksGetNoSmallestWaves() throws {
        let op = try Self.conv(channels: 17, size: [4], seed: 2)
        #expect(try CircularConvolutionSpectrum.startVectors(geometry: op.geometry, taps: op.taps, frequencies: 1, smallest: true).isEmpty)
        #expect(try !CircularConvolutionSpectrum.startVectors(geometry: op.geometry, taps: op.taps, frequencies: 1).isEmpty)
    }

    private func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}
