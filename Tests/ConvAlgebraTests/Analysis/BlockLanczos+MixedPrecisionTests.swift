import ConvAlgebra
@testable import ConvAlgebraAnalysis
import Testing

/// The mixed-precision block Lanczos (Krylov iteration on a float32 copy, Rayleigh–Ritz and certificate in float64):
/// its σ₁ equals the dense SVD's and the all-float64 run's to the stated tolerance, far below float32's rounding,
/// and its certified bracket holds the dense SVD's σ₁ — on zero-padded 2-D convolutions, stride 1 and 2 (the latter
/// runs on Aᵀ), from the circular spectrum's start vectors or none; and the bracket still holds when a step cap
/// stops the float32 stage early.
@Suite struct BlockLanczosMixedPrecisionTests {
    private static func convolution(stride: Int, seed: UInt64) throws -> (Convolution<Double>, Convolution<Float>) {
        let n = 16, out = n / stride
        let g = try ConvolutionGeometry(inputSize: [n, n], outputSize: [out, out], kernelSize: [3, 3], stride: [stride, stride],
                                        offset: [-1, -1], tapStep: [1, 1], inChannels: 4, outChannels: 6, hasChannelAxis: true)
        let taps: [Double] = AnalysisFixtures.random(g.weightCount, seed: seed)
        return (try Convolution<Double>(geometry: g, taps: taps), try Convolution<Float>(geometry: g, taps: taps.map(Float.init)))
    }

    @Test(arguments: [1, 2], [false, true])
    func equalsTheFloat64AnswerToTheTolerance(_ stride: Int, _ circularStart: Bool) throws {
        let (op, fast) = try Self.convolution(stride: stride, seed: 21 + UInt64(stride))
        let exact = try op.singularSpectrum().values[0]
        let start = circularStart ? try CircularConvolutionSpectrum.startVectors(geometry: op.geometry, taps: op.taps, frequencies: 4) : []
        let lanczos = BlockLanczos(tolerance: 1e-10, blockSize: 2, maxBasis: 16)
        let mixed = try lanczos.largestSingularValue(of: op, fast: fast, start: start)
        let double = try lanczos.largestSingularValue(of: op, start: start)
        #expect(mixed.converged && mixed.relativeBound <= 1e-10, "\(mixed)")
        #expect(abs(mixed.value - exact) <= 1e-10 * exact, "mixed \(mixed.value) vs gesdd \(exact)")
        #expect(abs(mixed.value - double.value) <= 1e-10 * exact, "mixed \(mixed.value) vs float64 \(double.value)")
        #expect(mixed.value <= exact * (1 + 1e-12) && mixed.upperBound >= exact * (1 - 1e-12), "\(mixed) vs \(exact)")
        // Far below what float32 applies alone reach (their floor is 64·ε of Float, 7.6e-6).
        #expect(abs(mixed.value - exact) <= 1e-3 * 64 * Double(Float.ulpOfOne) * exact)
    }

    @Test func aStepCapKeepsTheBracketSound() throws {
        let (op, fast) = try Self.convolution(stride: 1, seed: 40)
        let exact = try op.singularSpectrum().values[0]
        let r = try BlockLanczos(tolerance: 1e-12, blockSize: 2, maxBasis: 8, maxSteps: 2).largestSingularValue(of: op, fast: fast)
        #expect(r.value <= exact * (1 + 1e-12) && r.upperBound >= exact * (1 - 1e-12), "\(r) vs \(exact)")
    }

    @Test func aFloatCopyOfAnotherSizeIsRejected() throws {
        let (op, _) = try Self.convolution(stride: 1, seed: 1)
        let (_, other) = try Self.convolution(stride: 2, seed: 1)
        #expect(throws: ConvAlgebraError.self) { try BlockLanczos().largestSingularValue(of: op, fast: other) }
    }
}
