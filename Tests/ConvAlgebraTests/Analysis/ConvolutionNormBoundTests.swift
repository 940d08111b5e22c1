import ConvAlgebra
import Testing

/// ``ConvolutionNormBound``: never below `σ₁` from LAPACK on the dense matrix, for every convolution geometry it
/// covers (1-D DSP modes, zero and circular padding, stride, dilation, groups, several channels, 3-D, the transpose);
/// and tight where the truth is known: a circular stride-1 conv whose symbol peaks on the DFT grid, and a long
/// zero-padded one (its σ₁ tends to the symbol's supremum).
@Suite struct ConvolutionNormBoundTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var geometry: @Sendable () throws -> ConvolutionGeometry
        var description: String { name }
    }

    static func geometry(_ n: [Int], out: [Int], k: [Int], s: [Int], o: [Int], e: [Int], circular: Bool = false,
                         channels: (Int, Int) = (1, 1), groups: Int = 1) throws -> ConvolutionGeometry {
        try ConvolutionGeometry(inputSize: n, outputSize: out, kernelSize: k, stride: s, offset: o, tapStep: e,
                                boundary: circular ? .circular : .zero, inChannels: channels.0, outChannels: channels.1,
                                groups: groups, hasChannelAxis: true)
    }

    static let cases: [Case] = [
        Case(name: "1-D full") { try .dsp(kernelLength: 4, inputLength: 11, mode: .full, stride: 1, dilation: 1) },
        Case(name: "1-D same stride 2") { try .dsp(kernelLength: 5, inputLength: 13, mode: .same, stride: 2, dilation: 1) },
        Case(name: "1-D valid dilation 2") { try .dsp(kernelLength: 3, inputLength: 14, mode: .valid, stride: 1, dilation: 2) },
        Case(name: "1-D circular") { try .dsp(kernelLength: 3, inputLength: 10, mode: .circular, stride: 1, dilation: 1) },
        Case(name: "2-D 3→4 zero p1") { try geometry([6, 7], out: [6, 7], k: [3, 3], s: [1, 1], o: [-1, -1], e: [1, 1], channels: (3, 4)) },
        Case(name: "2-D 2→3 zero stride 2") { try geometry([7, 6], out: [4, 3], k: [3, 3], s: [2, 2], o: [-1, -1], e: [1, 1], channels: (2, 3)) },
        Case(name: "2-D stride 3 > kernel 2") { try geometry([9, 9], out: [3, 3], k: [2, 2], s: [3, 3], o: [0, 0], e: [1, 1], channels: (2, 2)) },
        Case(name: "2-D dilation 2") { try geometry([8, 8], out: [8, 8], k: [3, 3], s: [1, 1], o: [-2, -2], e: [2, 2], channels: (2, 2)) },
        Case(name: "2-D groups 2") { try geometry([5, 5], out: [5, 5], k: [3, 3], s: [1, 1], o: [-1, -1], e: [1, 1], channels: (4, 6), groups: 2) },
        Case(name: "2-D circular 3→2") { try geometry([6, 5], out: [6, 5], k: [3, 3], s: [1, 1], o: [-1, -1], e: [1, 1], circular: true, channels: (3, 2)) },
        Case(name: "2-D circular stride 2") { try geometry([6, 6], out: [3, 3], k: [3, 3], s: [2, 2], o: [-1, -1], e: [1, 1], circular: true, channels: (2, 2)) },
        // Circular padding 2 with a 3-tap kernel and stride 1 on 4 samples: 5 outputs, two land on one row.
        Case(name: "circular wrap") { try geometry([4], out: [5], k: [3], s: [1], o: [-2], e: [1], circular: true, channels: (2, 2)) },
        Case(name: "3-D") { try geometry([4, 3, 4], out: [4, 3, 4], k: [3, 2, 3], s: [1, 1, 1], o: [-1, 0, -1], e: [1, 1, 1], channels: (2, 2)) },
    ]

    @Test(arguments: cases)
    func neverBelowTheLargestSingularValue(_ c: Case) throws {
        let g = try c.geometry()
        for seed in [UInt64(1), 2, 3] {
            let op = try Convolution(geometry: g, taps: AnalysisFixtures.random(g.weightCount, seed: seed &* 977 &+ UInt64(g.weightCount), as: Double.self))
            let sigma = try op.singularSpectrum().values[0]
            let bound = try op.spectralNormBound()
            #expect(bound.upper >= sigma * (1 - 1e-13), "\(c) seed \(seed): bound \(bound.upper) < σ₁ \(sigma)")
            #expect(bound.upper >= bound.sampled)
            #expect(try op.transposed.spectralNormBound() == bound)
        }
    }

    /// A positive kernel's symbol peaks at ω = 0, a DFT frequency: σ₁ of the circular conv is the supremum itself.
    @Test func tightOnACircularConvPeakingOnTheGrid() throws {
        let g = try Self.geometry([12, 10], out: [12, 10], k: [3, 3], s: [1, 1], o: [-1, -1], e: [1, 1], circular: true)
        let op = try Convolution(geometry: g, taps: AnalysisFixtures.random(9, seed: 4, as: Double.self).map { abs($0) + 0.1 })
        let sigma = try op.singularSpectrum().values[0]
        let bound = try op.spectralNormBound().upper
        #expect(bound >= sigma * (1 - 1e-13) && bound <= sigma * (1 + 1e-9), "\(bound) vs \(sigma)")
    }

    /// A zero-padded conv on a long signal: σ₁ approaches the supremum of |Q̂| (to O(1/n²)).
    @Test func tightOnALongZeroPaddedConv() throws {
        let op = try Convolution(kernel: AnalysisFixtures.random(5, seed: 9, as: Double.self), inputLength: 600, mode: .same)
        let sigma = try op.singularSpectrum().values[0]
        let bound = try op.spectralNormBound()
        #expect(bound.upper >= sigma * (1 - 1e-13) && bound.upper <= sigma * (1 + 1e-3), "\(bound.upper) vs \(sigma)")
        #expect(bound.upper <= bound.sampled * (1 + 1e-9))
    }

    @Test func refusesTapsThatDoNotFillTheWeight() throws {
        let g = try ConvolutionGeometry.dsp(kernelLength: 3, inputLength: 8, mode: .same, stride: 1, dilation: 1)
        #expect(throws: ConvAlgebraError.self) { try ConvolutionNormBound.bound(geometry: g, taps: [1.0, 2.0]) }
    }
}
