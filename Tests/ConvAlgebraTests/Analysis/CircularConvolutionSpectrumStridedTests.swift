import ConvAlgebra
import Testing

/// The polyphase extension of the FFT method to strided circular convolutions: output frequency `μ` couples the
/// `∏s` input frequencies `μ + k∘m`, so each block is `C_out/G × ∏s·C_in/G`. Checked against the dense SVD of the
/// materialised circular strided operator, and its start vectors against the operator.
@Suite struct CircularConvolutionSpectrumStridedTests {
    struct Case: Sendable, CustomStringConvertible {
        let m: [Int], stride: [Int], kernel: [Int], padding: Int, dilation: Int, cin: Int, cout: Int, groups: Int
        var description: String { "\(cin)→\(cout) out \(m) s\(stride) k\(kernel) p\(padding) d\(dilation) g\(groups)" }
    }

    static let cases: [Case] = [
        Case(m: [5], stride: [2], kernel: [3], padding: 1, dilation: 1, cin: 1, cout: 1, groups: 1),          // 1-D, one channel
        Case(m: [4, 4], stride: [2, 2], kernel: [3, 3], padding: 1, dilation: 1, cin: 3, cout: 4, groups: 1),
        Case(m: [3, 3], stride: [2, 2], kernel: [7, 7], padding: 3, dilation: 1, cin: 3, cout: 8, groups: 1),  // the ResNet stem's shape
        Case(m: [4, 3], stride: [2, 3], kernel: [1, 1], padding: 0, dilation: 1, cin: 4, cout: 6, groups: 1),  // a 1×1 shortcut, mixed strides
        Case(m: [3, 4], stride: [2, 2], kernel: [3, 3], padding: 2, dilation: 2, cin: 4, cout: 4, groups: 2),
        Case(m: [6], stride: [3], kernel: [4], padding: 1, dilation: 1, cin: 2, cout: 1, groups: 1),           // more inputs than outputs per block
    ]

    static func conv(_ c: Case, boundary: ConvolutionGeometry.Boundary) throws -> Convolution<Double> {
        let n = zip(c.m, c.stride).map { $0 * $1 }
        let g = try ConvolutionGeometry(inputSize: n, outputSize: c.m, kernelSize: c.kernel, stride: c.stride,
                                        offset: c.m.map { _ in -c.padding }, tapStep: c.m.map { _ in c.dilation },
                                        boundary: boundary, inChannels: c.cin, outChannels: c.cout, groups: c.groups,
                                        hasChannelAxis: true)
        return try Convolution(geometry: g, taps: AnalysisFixtures.random(g.weightCount, seed: UInt64(7 * c.cout + c.kernel[0]), as: Double.self))
    }

    @Test(arguments: cases)
    func equalsTheDenseSVDOfTheCircularStridedOperator(_ c: Case) throws {
        let op = try Self.conv(c, boundary: .circular)
        #expect(CircularConvolutionSpectrum.applicability(op.geometry) == .exact)
        let fft = try op.fftSingularValues()
        let dense = try op.singularSpectrum().values
        #expect(fft.count == dense.count)
        #expect(AnalysisFixtures.maxRelativeDifference(fft, dense) <= 1e-12, "\(c): \(fft.prefix(4)) vs \(dense.prefix(4))")
        #expect(try op.transposed.fftSingularValues() == fft)
        let top = try CircularConvolutionSpectrum.largestSingularValue(geometry: op.geometry, taps: op.taps)
        #expect(abs(top - dense[0]) <= 1e-12 * dense[0], "\(c): the Gram route's σ₁ \(top) vs \(dense[0])")
    }

    @Test(arguments: cases)
    func zeroPaddingIsTheCircularOperatorsApproximation(_ c: Case) throws {
        let zero = try Self.conv(c, boundary: .zero)
        #expect(CircularConvolutionSpectrum.applicability(zero.geometry) == .approximation)
        let circular = try Self.conv(c, boundary: .circular)
        #expect(try zero.fftSingularValues() == circular.fftSingularValues())
    }

    /// The start vectors are near the circular operator's top singular vectors (real and imaginary parts of a wave
    /// sum, from 30 power steps on the best frequency blocks): `‖A x‖ / ‖x‖` is within 2% of `σ₁`; and block Lanczos
    /// on the zero-padded operator from them meets its tolerance.
    @Test(arguments: cases)
    func startVectorsAreTopSingularVectors(_ c: Case) throws {
        let op = try Self.conv(c, boundary: .circular)
        let top = try op.fftSingularValues()[0]
        let start = try CircularConvolutionSpectrum.startVectors(geometry: op.geometry, taps: op.taps, frequencies: 2)
        try #require(!start.isEmpty && start.allSatisfy { $0.count == op.domain.count })
        let x = start.prefix(2).max { norm($0) < norm($1) }!
        let y = try op.apply(Tensor(shape: op.domain, scalars: x))
        let ratio = norm(y.scalars) / norm(x)
        #expect(ratio <= top * (1 + 1e-12) && ratio >= 0.98 * top, "\(c): \(ratio) vs \(top)")
        let zero = try Self.conv(c, boundary: .zero)
        let exact = try zero.singularSpectrum().values[0]
        let zstart = try CircularConvolutionSpectrum.startVectors(geometry: zero.geometry, taps: zero.taps, frequencies: 2)
        let r = try BlockLanczos(tolerance: 1e-11, blockSize: 2, maxBasis: 8).largestSingularValue(of: zero, start: zstart)
        #expect(r.converged && abs(r.value - exact) <= 1e-10 * exact, "\(c): \(r.value) vs \(exact)")
    }

    @Test func refusesSizesThatAreNotTheOutputTimesTheStride() throws {
        let g = try ConvolutionGeometry(inputSize: [9], outputSize: [4], kernelSize: [3], stride: [2], offset: [-1], tapStep: [1],
                                        boundary: .circular)
        guard case .notApplicable(let why) = CircularConvolutionSpectrum.applicability(g) else {
            Issue.record("9 inputs, 4 outputs at stride 2 is not circulant by blocks; the FFT method should not apply"); return
        }
        #expect(why.contains("stride"))
        #expect(throws: ConvAlgebraError.self) { try Convolution<Double>(geometry: g, taps: [1, 2, 3]).fftSingularValues() }
    }

    private func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}
