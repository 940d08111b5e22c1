import ConvAlgebra
@testable import ConvAlgebraAnalysis
import Testing

/// Block Lanczos: the top singular value of the NumPy fixtures (an independent `gesdd`) inside its certified
/// bracket, on either side (more outputs than inputs runs on `Aᵀ`), through restarts, and within its budget.
@Suite struct BlockLanczosTests {
    @Test(arguments: ["convolve_same_n12_K3", "convolve_same_s2_n12_K3", "tconv_full_s2_n8_K3",
                      "conv2d_c3c4_6x6_k3_p1_zero", "conv2d_c3c4_6x6_k3_s2_p1_zero", "conv2d_c4c4_g2_5x5_k3_p1_zero"])
    func bracketsTheTopSingularValue(_ name: String) throws {
        let op = try AnalysisFixtures.op(name, as: Double.self)
        let top = try AnalysisFixtures.singularValues(name, as: Double.self)[0]
        // One vector with a small restarted basis (the networks' default shape), and blocks of 2 and 4.
        for block in [1, 2, 4] {
            let r = try BlockLanczos(tolerance: 1e-10, blockSize: block, maxBasis: Swift.max(12, 8 * block)).largestSingularValue(of: op)
            #expect(r.converged, "\(name) b=\(block): bound \(r.relativeBound)")
            #expect(r.value <= top * (1 + 1e-12), "\(name): the Rayleigh quotient \(r.value) exceeds σ₁ \(top)")
            #expect(r.upperBound >= top * (1 - 1e-12), "\(name) b=\(block): the upper bound \(r.upperBound) is below σ₁ \(top); \(r)")
            #expect(abs(r.value - top) <= 1e-10 * top, "\(name) b=\(block): \(r.value) vs gesdd \(top)")
        }
    }

    @Test func float32OperatorsAccumulateInDouble() throws {
        let name = "conv2d_c3c4_6x6_k3_p1_zero"
        let op = try AnalysisFixtures.op(name, as: Float.self)
        let top = try AnalysisFixtures.singularValues(name, as: Double.self)[0]
        let r = try BlockLanczos(tolerance: 1e-5, blockSize: 4).largestSingularValue(of: op)
        #expect(r.converged && abs(r.value - top) <= 1e-5 * top)
    }

    @Test func startVectorsOnEitherSideAndAnUnconvergedCap() throws {
        let op = try Convolution<Double>(kernel: AnalysisFixtures.random(7, seed: 3), inputLength: 256, mode: .full)
        let exact = try op.dense().singularValues()[0]
        // A start vector of the output's length is mapped through Aᵀ.
        let left = (0..<op.codomain.count).map { Double(($0 * 7919) % 13) - 6 }
        let r = try BlockLanczos(tolerance: 1e-12, blockSize: 3).largestSingularValue(of: op, start: [left])
        #expect(r.converged && abs(r.value - exact) <= 1e-11 * exact)
        let capped = try BlockLanczos(tolerance: 1e-15, blockSize: 1, maxBasis: 2, maxSteps: 2).largestSingularValue(of: op)
        #expect(!capped.converged && capped.steps == 2 && capped.value <= exact * (1 + 1e-12))
        #expect(throws: ConvAlgebraError.self) { try BlockLanczos().largestSingularValue(of: op, budget: MemoryBudget(bytes: 64)) }
        #expect(throws: ConvAlgebraError.self) { try BlockLanczos(blockSize: 0).largestSingularValue(of: op) }
    }

    /// A basis of four blocks forces thick restarts (half the basis kept as Ritz vectors, nothing recomputed): the
    /// bracket still holds gesdd's σ₁ and the run meets its tolerance.
    @Test func thickRestartsKeepConverging() throws {
        let g = try ConvolutionGeometry(inputSize: [12, 12], outputSize: [12, 12], kernelSize: [3, 3], stride: [1, 1],
                                        offset: [-1, -1], tapStep: [1, 1], inChannels: 3, outChannels: 4, hasChannelAxis: true)
        let op = try Convolution<Double>(geometry: g, taps: AnalysisFixtures.random(g.weightCount, seed: 11))
        let exact = try op.singularSpectrum().values[0]
        let r = try BlockLanczos(tolerance: 1e-10, blockSize: 2, maxBasis: 8).largestSingularValue(of: op)
        #expect(r.converged && abs(r.value - exact) <= 1e-10 * exact, "\(r) vs \(exact)")
        #expect(r.value <= exact * (1 + 1e-12) && r.upperBound >= exact * (1 - 1e-12))
        #expect(r.steps > 4, "the basis of 8 vectors should have filled and restarted")
    }

    /// The networks' small-basis shapes: one or two vectors per step, a basis of 16 restarted to its top 8 Ritz
    /// vectors, started from the circular spectrum's plane waves (the start block folds the surplus into its last row
    /// and adds a random part). On zero-padded 2-D convolutions, stride 1 and 2, the bracket holds the dense SVD's σ₁
    /// and meets 1e-10.
    @Test(arguments: [1, 2], [1, 2])
    func smallBasisFromTheCircularStartMatchesTheDenseSVD(_ stride: Int, _ block: Int) throws {
        let n = 16, out = n / stride
        let g = try ConvolutionGeometry(inputSize: [n, n], outputSize: [out, out], kernelSize: [3, 3], stride: [stride, stride],
                                        offset: [-1, -1], tapStep: [1, 1], inChannels: 4, outChannels: 6, hasChannelAxis: true)
        let op = try Convolution<Double>(geometry: g, taps: AnalysisFixtures.random(g.weightCount, seed: 5 + UInt64(stride)))
        let exact = try op.singularSpectrum().values[0]
        let start = try CircularConvolutionSpectrum.startVectors(geometry: g, taps: op.taps, frequencies: 4)
        #expect(start.count > 1, "the fold into one row is exercised")
        let r = try BlockLanczos(tolerance: 1e-10, blockSize: block, maxBasis: 16).largestSingularValue(of: op, start: start)
        #expect(r.converged && abs(r.value - exact) <= 1e-10 * exact, "b=\(block): \(r) vs gesdd \(exact)")
        #expect(r.value <= exact * (1 + 1e-12) && r.upperBound >= exact * (1 - 1e-12))
    }

    /// The start block: given vectors first (normalised), the surplus folded into the last row, a random part when
    /// the given vectors fill the block, random rows otherwise.
    @Test func startBlockFoldsAndCompletes() {
        var rng = SplitMix64(seed: 1)
        let e = { (i: Int) in (0..<4).map { $0 == i ? 2.0 : 0 } }
        let folded = BlockLanczos.startBlock([e(0), e(1), e(2)], rows: 2, length: 4, rng: &rng)
        #expect(folded.count == 8)
        #expect(abs(folded[0] - 1) < 2e-2 && abs(folded[5] - 0.5.squareRoot()) < 2e-2 && abs(folded[6] - 0.5.squareRoot()) < 2e-2)
        #expect(folded[4] != 0, "a filled block gets a random part")
        let completed = BlockLanczos.startBlock([e(3)], rows: 3, length: 4, rng: &rng)
        #expect(Array(completed.prefix(4)) == [0, 0, 0, 1], "a block with random rows keeps the given vector as is")
        #expect(completed.count == 12 && completed[4...].contains { $0 != 0 })
    }
}
