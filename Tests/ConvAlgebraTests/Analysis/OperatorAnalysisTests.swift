import ConvAlgebra
import Testing

@Suite struct OperatorAnalysisTests {
    static func circular(_ n: Int) throws -> Convolution<Double> {
        let g = try AnalysisFixtures.conv2d(size: n, channels: (3, 4), kernel: 3, stride: 1, padding: 1, circular: true)
        return try Convolution(geometry: g, taps: AnalysisFixtures.random(g.weightCount, seed: 11))
    }

    @Test func autoPicksGesddWhenTheDenseMatrixFits() throws {
        let op = try Self.circular(6)
        let a = try OperatorAnalysis(of: op)
        #expect(a.method == .gesdd)
        let s = try #require(a.spectrum)
        #expect(s.values.count == 108)
        #expect(a.rank == s.rank && a.nullity == 108 - s.rank)
    }

    @Test func autoPicksFFTForALargeCircularConvolution() throws {
        let op = try Self.circular(6)
        // 144 × 108 doubles (and the SVD copy) do not fit 64 KiB.
        let a = try OperatorAnalysis(of: op, method: .auto, budget: MemoryBudget(bytes: 1 << 16))
        #expect(a.method == .fft && !a.isApproximation)
        let exact = try op.singularSpectrum().values
        #expect(AnalysisFixtures.maxRelativeDifference(try #require(a.spectrum).values, exact) <= 1e-4)
    }

    @Test func autoPicksPowerOtherwise() throws {
        let g = try AnalysisFixtures.conv2d(size: 6, channels: (3, 4), kernel: 3, stride: 2, padding: 1, circular: false)
        let op = try Convolution<Double>(geometry: g, taps: AnalysisFixtures.random(g.weightCount, seed: 4))
        let a = try OperatorAnalysis(of: op, method: .auto, budget: MemoryBudget(bytes: 1 << 12),
                                     power: PowerIteration(tolerance: 1e-12, maxIterations: 20_000))
        #expect(a.method == .power && a.spectrum == nil && a.rank == nil && a.conditionNumber == nil)
        let top = try op.singularSpectrum().spectralNorm
        #expect(abs(a.spectralNorm - top) <= 1e-6 * top)
        #expect(a.aliasing?.foldCount == 4)
    }

    @Test func gesddOnAnOperatorTooLargeIsAClearError() throws {
        let op = try Self.circular(6)
        do {
            _ = try OperatorAnalysis(of: op, method: .gesdd, budget: MemoryBudget(bytes: 1 << 16))
            Issue.record("expected a memory-budget error")
        } catch let e as ConvAlgebraError {
            guard case .exceedsMemoryBudget = e else { Issue.record("unexpected \(e)"); return }
            #expect(e.description.contains("144 × 108"))
        }
    }

    @Test func fftOnAnOperatorItDoesNotApplyToIsAnError() throws {
        #expect(throws: ConvAlgebraError.self) {
            try OperatorAnalysis(of: Downsample<Double>(factor: 2, inputLength: 8), method: .fft)
        }
        #expect(throws: ConvAlgebraError.self) {
            // 9 inputs, 5 outputs at stride 2: not the output times the stride, so not circulant by polyphase blocks.
            try OperatorAnalysis(of: Convolution<Double>(kernel: [1, 2], inputLength: 9, mode: .same, stride: 2), method: .fft)
        }
    }
}
