import ConvAlgebra
import Foundation
import Testing

/// `convalgebra analyze` through the built binary: the JSON keys of the contract, values equal to the
/// library's, method selection, and one-line errors.
@Suite struct AnalyzeCommandTests {
    func json(_ cli: CLIRunner, _ name: String) throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: cli.path(name)), "no \(name) written")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

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
        #expect(j["iterations"] as? Int != nil && j["converged"] as? Bool != nil)
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
