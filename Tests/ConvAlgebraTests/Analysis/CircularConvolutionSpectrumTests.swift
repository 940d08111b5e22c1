import ConvAlgebra
import Testing

@Suite struct CircularConvolutionSpectrumTests {
    struct Case: Sendable, CustomStringConvertible {
        let n: Int, cin: Int, cout: Int, K: Int, padding: Int, dilation: Int, groups: Int
        var description: String { "\(cin)→\(cout) \(n)x\(n) k\(K) p\(padding) d\(dilation) g\(groups)" }
    }

    static let cases: [Case] = [
        Case(n: 6, cin: 3, cout: 4, K: 3, padding: 1, dilation: 1, groups: 1),
        Case(n: 8, cin: 4, cout: 2, K: 3, padding: 1, dilation: 1, groups: 1),
        Case(n: 5, cin: 2, cout: 2, K: 5, padding: 2, dilation: 1, groups: 1),
        Case(n: 7, cin: 3, cout: 3, K: 3, padding: 2, dilation: 2, groups: 1),
        Case(n: 6, cin: 4, cout: 6, K: 3, padding: 1, dilation: 1, groups: 2),
        Case(n: 4, cin: 2, cout: 3, K: 4, padding: 1, dilation: 1, groups: 1),   // asymmetric reach: offset ≠ centre
    ]

    static func conv<S: BLASScalar>(_ c: Case, circular: Bool, _: S.Type) throws -> Convolution<S> {
        // Output the size of the input (for an even K that is an asymmetric padding: begin p, end K−1−p).
        let g = try ConvolutionGeometry(inputSize: [c.n, c.n], outputSize: [c.n, c.n], kernelSize: [c.K, c.K], stride: [1, 1],
                                        offset: [-c.padding, -c.padding], tapStep: [c.dilation, c.dilation],
                                        boundary: circular ? .circular : .zero, inChannels: c.cin, outChannels: c.cout,
                                        groups: c.groups, hasChannelAxis: true)
        return try Convolution(geometry: g, taps: AnalysisFixtures.random(g.weightCount, seed: UInt64(c.n * 131 + c.K), as: S.self))
    }

    /// Sedghi–Gupta–Long's FFT method gives every singular value of a circular multi-channel conv, within 1e-4
    /// of ?gesdd on the dense matrix (relative).
    @Test(arguments: cases)
    func matchesGesddDouble(_ c: Case) throws {
        let op = try Self.conv(c, circular: true, Double.self)
        try #require(op.codomain == op.transposed.domain)
        let fft = try op.fftSingularValues()
        let dense = try op.singularSpectrum().values
        #expect(fft.count == dense.count)
        #expect(AnalysisFixtures.maxRelativeDifference(fft, dense) <= 1e-4)
        // Elementwise relative too, for the values that are not at rounding level.
        for (a, b) in zip(fft, dense) where b > 1e-8 * dense[0] { #expect(abs(a - b) <= 1e-4 * b) }
        // And in Double the two agree far better than the requirement.
        #expect(AnalysisFixtures.maxRelativeDifference(fft, dense) <= 1e-10)
        // The transpose's FFT values are the same.
        #expect(try op.transposed.fftSingularValues() == fft)
        // σ₁ alone, by the Gram matrices (either side: C_out/G above and below C_in/G among the cases).
        let top = try CircularConvolutionSpectrum.largestSingularValue(geometry: op.geometry, taps: op.taps)
        #expect(abs(top - dense[0]) <= 1e-12 * dense[0], "\(c): \(top) vs \(dense[0])")
    }

    @Test(arguments: cases)
    func matchesGesddFloat(_ c: Case) throws {
        let op = try Self.conv(c, circular: true, Float.self)
        let fft = try op.fftSingularValues()
        let dense = try op.singularSpectrum().values
        #expect(AnalysisFixtures.maxRelativeDifference(fft, dense) <= 1e-4)
    }

    @Test func matchesTheNumPyFixture() throws {
        let name = "conv2d_c3c4_6x6_k3_p1_circular"
        let op = try #require(try AnalysisFixtures.op(name, as: Double.self) as? Convolution<Double>)
        let expected = try AnalysisFixtures.singularValues(name, as: Double.self)
        #expect(AnalysisFixtures.maxRelativeDifference(try op.fftSingularValues(), expected) <= 1e-10)
    }

    @Test func oneDimensionalCircularConvolutionIsItsFrequencyResponse() throws {
        // For a 1-D circular conv the singular values are |Q(f)|, the DFT magnitudes of the kernel.
        let op = try Convolution<Double>(kernel: [1, -2, 0.5], inputLength: 9, mode: .circular)
        let fft = try op.fftSingularValues()
        let dense = try op.singularSpectrum().values
        #expect(AnalysisFixtures.maxRelativeDifference(fft, dense) <= 1e-12)
    }

    @Test func zeroPaddingIsOnlyAnApproximation() throws {
        let c = Self.cases[0]
        let zero = try Self.conv(c, circular: false, Double.self)
        #expect(CircularConvolutionSpectrum.applicability(zero.geometry) == .approximation)
        let a = try OperatorAnalysis(of: zero, method: .fft)
        #expect(a.isApproximation)
        let gap = try #require(a.approximationGap)
        #expect(gap > 1e-3, "zero padding and circular padding should differ measurably, gap \(gap)")
        // The gap is what it says: the distance to the dense SVD.
        let dense = try zero.singularSpectrum().values
        #expect(abs(gap - AnalysisFixtures.maxRelativeDifference(try #require(a.spectrum).values, dense)) < 1e-12)
    }

    @Test func refusesShapeChangingConvolutions() throws {
        let full = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 8, mode: .full)
        guard case .notApplicable(let why) = CircularConvolutionSpectrum.applicability(full.geometry) else {
            Issue.record("a full-mode convolution changes the size; the FFT method should not apply"); return
        }
        #expect(why.contains("size"))
    }
}
