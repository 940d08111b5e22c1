import ConvAlgebra
import Foundation
import Testing

/// `convalgebra analyze` through the built binary: the JSON keys of the contract, values equal to the
/// library's, method selection, and one-line errors.
@Suite struct AnalyzeTests {
    /// The JSON document `name` in the scratch directory.
    static func json(_ cli: CLIRunner, _ name: String) throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: cli.path(name)), "no \(name) written")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func json(_ cli: CLIRunner, _ name: String) throws -> [String: Any] { try Self.json(cli, name) }

    @Test func gesddReportMatchesTheLibrary() throws {
        let cli = try CLIRunner()
        let q = try CLIRunner.random([5], seed: 3, as: Double.self)
        try cli.write(q, "w.npy")
        let text = try cli.expectSuccess(["analyze", "convolve", "--weight", "w.npy", "--domain", "24", "--mode", "same",
                                          "--stride", "2", "--json", "a.json"])
        #expect(text.contains("method: gesdd") && text.contains("aliasing"))
        let j = try json(cli, "a.json")
        let op = try Convolution(kernel: q.scalars, inputLength: 24, mode: .same, stride: 2)
        let s = try op.singularSpectrum()
        #expect(j["op"] as? String == "convolve")
        #expect(j["method"] as? String == "gesdd")
        #expect(j["domain"] as? [Int] == [24] && j["codomain"] as? [Int] == [12])
        let values = try #require(j["singular_values"] as? [Double])
        // Foundation's JSON parser may be off in the last bit; the values are printed round-trip exact.
        #expect(values.count == s.values.count && AnalysisFixtures.maxRelativeDifference(values, s.values) <= 1e-14)
        #expect(abs(try #require(j["spectral_norm"] as? Double) - s.spectralNorm) <= 1e-14 * s.spectralNorm)
        #expect(j["rank"] as? Int == s.rank && j["nullity"] as? Int == 24 - s.rank)
        let kappa = try #require(s.conditionNumber)
        #expect(abs(try #require(j["condition_number"] as? Double) - kappa) <= 1e-14 * kappa)
    }

    @Test func singularOperatorHasANullConditionNumber() throws {
        let cli = try CLIRunner()
        try cli.write(try Tensor<Double>(shape: [2], scalars: [1, -1]), "w.npy")
        try cli.expectSuccess(["analyze", "convolve", "--weight", "w.npy", "--domain", "10", "--mode", "circular", "--json", "a.json"])
        let j = try json(cli, "a.json")
        #expect(j["condition_number"] is NSNull)
        #expect(j["nullity"] as? Int == 1)
    }

    @Test func powerOmitsTheSingularValues() throws {
        let cli = try CLIRunner()
        let q = try CLIRunner.random([4], seed: 5, as: Float.self)
        try cli.write(q, "w.npy")
        try cli.expectSuccess(["analyze", "convolve", "--weight", "w.npy", "--domain", "64", "--method", "power",
                               "--tolerance", "1e-6", "--json", "a.json"])
        let j = try json(cli, "a.json")
        #expect(j["method"] as? String == "power")
        #expect(j["singular_values"] == nil)
        #expect(j["condition_number"] is NSNull && j["rank"] is NSNull)
        let top = try Convolution(kernel: q.scalars, inputLength: 64).singularSpectrum().spectralNorm
        let norm = try #require(j["spectral_norm"] as? Double)
        #expect(abs(norm - top) <= 1e-3 * top)
        #expect(j["iterations"] as? Int != nil && j["converged"] as? Bool == true)
        #expect(j["iteration"] as? String == "lanczos")
    }

    @Test func fftOnACircularConvolutionMatchesGesdd() throws {
        let cli = try CLIRunner()
        let q = try CLIRunner.random([5], seed: 8, as: Double.self)
        try cli.write(q, "w.npy")
        try cli.expectSuccess(["analyze", "convolve", "--weight", "w.npy", "--domain", "32", "--mode", "circular",
                               "--method", "fft", "--json", "a.json"])
        let j = try json(cli, "a.json")
        #expect(j["method"] as? String == "fft")
        let values = try #require(j["singular_values"] as? [Double])
        let exact = try Convolution(kernel: q.scalars, inputLength: 32, mode: .circular).singularSpectrum().values
        #expect(AnalysisFixtures.maxRelativeDifference(values, exact) <= 1e-4)
    }

    /// A max-pool is analysed through its Jacobian at the given sample: a 0/1 selection of one input per
    /// window, so every singular value is 1 and the unselected inputs form the null space.
    @Test func maxPoolIsItsJacobianAtTheInput() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([2, 8], seed: 4, as: Double.self), "x.npy")
        let text = try cli.expectSuccess(["analyze", "max-pool", "--kernel-size", "2", "--domain", "2,8",
                                          "--input", "x.npy", "--json", "a.json"])
        #expect(text.contains("Jacobian"))
        let j = try json(cli, "a.json")
        let values = try #require(j["singular_values"] as? [Double])
        #expect(values.count == 8 && values.allSatisfy { abs($0 - 1) < 1e-15 })
        #expect(j["rank"] as? Int == 8 && j["nullity"] as? Int == 8)
        #expect(j["codomain"] as? [Int] == [2, 4])
    }

    @Test func errorsAreOneLine() throws {
        let cli = try CLIRunner()
        try cli.write(try Tensor<Double>(shape: [3], scalars: [1, 2, 1]), "w.npy")
        try cli.expectFailure(["analyze", "convolve", "--weight", "w.npy", "--domain", "8", "--method", "bogus", "--json", "a.json"],
                              output: "a.json", containing: "unknown method")
        // Far too large for a dense SVD (a 300000 × 300002 matrix).
        try cli.expectFailure(["analyze", "convolve", "--weight", "w.npy", "--domain", "300000", "--method", "gesdd", "--json", "a.json"],
                              output: "a.json", containing: "memory budget")
        try cli.expectFailure(["analyze", "downsample", "--factor", "2", "--domain", "8", "--method", "fft"],
                              containing: "FFT method")
        try cli.expectFailure(["analyze", "convolve", "--weight", "w.npy", "--domain", "8", "--method", "power",
                               "--max-iterations", "0"], containing: "--max-iterations")
        try cli.expectFailure(["analyze", "max-pool", "--kernel-size", "2", "--domain", "1,8", "--json", "a.json"],
                              output: "a.json", containing: "--input")
        try cli.expectFailure(["analyze", "convolve", "--weight", "w.npy"])
    }
}

/// `analyze conv` / `analyze conv-transpose`: the PyTorch layers, their reshaped-weight norm beside the
/// operator's norm, the FFT method on circular padding (exact) and on zero padding (an approximation).
@Suite struct AnalyzeLayerTests {
    func json(_ cli: CLIRunner, _ name: String) throws -> [String: Any] { try AnalyzeTests.json(cli, name) }

    @Test func circularConvFFTMatchesGesddAndReportsTheWeightNorm() throws {
        let cli = try CLIRunner()
        let w = try CLIRunner.random([4, 3, 3, 3], seed: 31, as: Double.self)
        try cli.write(w, "w.npy")
        let common = ["analyze", "conv", "--weight", "w.npy", "--domain", "3,6,6", "--padding", "1", "--padding-mode", "circular"]
        try cli.expectSuccess(common + ["--json", "g.json"])
        let text = try cli.expectSuccess(common + ["--method", "fft", "--json", "f.json"])
        #expect(text.contains("method: fft") && text.contains("spectral_norm bounds"))
        let g = try json(cli, "g.json"), f = try json(cli, "f.json")
        #expect(g["method"] as? String == "gesdd" && f["method"] as? String == "fft")
        #expect(f["approximation"] as? Bool == false)
        let exact = try #require(g["singular_values"] as? [Double]), fft = try #require(f["singular_values"] as? [Double])
        #expect(exact.count == 108 && fft.count == 108)
        #expect(AnalysisFixtures.maxRelativeDifference(fft, exact) <= 1e-4)
        // PyTorch's spectral_norm: W.reshape(C_out, -1).
        let expected = try DenseMatrix(rows: 4, columns: 27, entries: w.scalars).spectralNorm()
        let norm = try #require(g["reshaped_weight_norm"] as? Double)
        #expect(abs(norm - expected) <= 1e-12 * expected)
        #expect(g["codomain"] as? [Int] == [4, 6, 6])
    }

    @Test func zeroPaddedConvFFTIsAnApproximationWithItsGap() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([2, 2, 3, 3], seed: 32, as: Double.self), "w.npy")
        let text = try cli.expectSuccess(["analyze", "conv", "--weight", "w.npy", "--domain", "2,5,5", "--padding", "1",
                                          "--method", "fft", "--json", "a.json"])
        #expect(text.contains("approximation"))
        let j = try json(cli, "a.json")
        #expect(j["approximation"] as? Bool == true)
        let gap = try #require(j["approximation_gap"] as? Double)
        #expect(gap > 0 && gap < 1)
    }

    @Test func convTransposeWeightNormUsesPyTorchsDimOne() throws {
        let cli = try CLIRunner()
        // conv_transpose2d weight (C_in = 3, C_out = 2, 4, 4), stride 2, padding 1: 3×5×5 → 2×10×10.
        let w = try CLIRunner.random([3, 2, 4, 4], seed: 33, as: Float.self)
        try cli.write(w, "w.npy")
        try cli.expectSuccess(["analyze", "conv-transpose", "--weight", "w.npy", "--domain", "3,5,5", "--stride", "2",
                               "--padding", "1", "--json", "a.json"])
        let j = try json(cli, "a.json")
        #expect(j["codomain"] as? [Int] == [2, 10, 10])
        var m = try DenseMatrix<Double>(zeros: 2, 3 * 16)
        for ci in 0..<3 { for co in 0..<2 { for k in 0..<16 { m[co, ci * 16 + k] = Double(w.scalars[(ci * 2 + co) * 16 + k]) } } }
        let expected = try m.spectralNorm()
        let norm = try #require(j["reshaped_weight_norm"] as? Double)
        #expect(abs(norm - expected) <= 1e-6 * expected)
        #expect(j["nullity"] as? Int == 0)
    }

    @Test func tooLargeForADenseSVDIsAnErrorButAutoStillAnswers() throws {
        let cli = try CLIRunner()
        try cli.write(try CLIRunner.random([64, 64, 3, 3], seed: 34, as: Float.self), "w.npy")
        // 64·128·128 = 1,048,576 unknowns: the dense matrix alone would be 4 TiB.
        try cli.expectFailure(["analyze", "conv", "--weight", "w.npy", "--domain", "64,128,128", "--padding", "1",
                               "--method", "gesdd", "--json", "a.json"], output: "a.json", containing: "memory budget")
        try cli.write(try CLIRunner.random([4, 4, 3, 3], seed: 35, as: Float.self), "small.npy")
        try cli.expectSuccess(["analyze", "conv", "--weight", "small.npy", "--domain", "4,64,64", "--padding", "1",
                               "--padding-mode", "circular", "--json", "a.json"])
        let j = try json(cli, "a.json")
        #expect(j["method"] as? String == "fft")
        #expect((j["singular_values"] as? [Double])?.count == 4 * 64 * 64)
    }
}
