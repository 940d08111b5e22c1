import ConvAlgebra
import Testing

@Suite struct PowerIterationTests {
    @Test(arguments: ["convolve_same_n12_K3", "convolve_same_s2_n12_K3", "tconv_full_s2_n8_K3",
                      "conv2d_c3c4_6x6_k3_p1_zero", "conv2d_c3c4_6x6_k3_s2_p1_zero", "conv2d_c4c4_g2_5x5_k3_p1_zero"])
    func matchesTopSingularValue(_ name: String) throws {
        let op = try AnalysisFixtures.op(name, as: Double.self)
        let top = try AnalysisFixtures.singularValues(name, as: Double.self)[0]
        let estimate = try PowerIteration(tolerance: 1e-12, maxIterations: 20_000).spectralNorm(of: op)
        #expect(estimate.converged)
        #expect(abs(estimate.value - top) <= 1e-6 * top, "\(name): power \(estimate.value) vs gesdd \(top)")
        // The estimate ‖A v‖ with ‖v‖ = 1 never exceeds σ₁ (beyond rounding).
        #expect(estimate.value <= top * (1 + 1e-12))
    }

    @Test func floatOperatorMatchesToItsPrecision() throws {
        let name = "conv2d_c3c4_6x6_k3_p1_circular"
        let op = try AnalysisFixtures.op(name, as: Float.self)
        let top = Double(try AnalysisFixtures.singularValues(name, as: Float.self)[0])
        let estimate = try PowerIteration(maxIterations: 20_000).spectralNorm(of: op)
        #expect(abs(estimate.value - top) <= 1e-4 * top)
    }

    @Test func reportsTheCapWhenItStopsEarly() throws {
        let op = try Convolution<Double>(kernel: AnalysisFixtures.random(7, seed: 3), inputLength: 256, mode: .same)
        let e = try PowerIteration(tolerance: 1e-14, maxIterations: 3).spectralNorm(of: op)
        #expect(e.iterations == 3 && !e.converged && e.maxIterations == 3)
        #expect(e.relativeChange > e.tolerance)
    }

    @Test func rejectsBadSettings() throws {
        let op = try Convolution<Double>(kernel: [1, 2], inputLength: 4)
        #expect(throws: ConvAlgebraError.self) { try PowerIteration(tolerance: 0).spectralNorm(of: op) }
        #expect(throws: ConvAlgebraError.self) { try PowerIteration(maxIterations: 0).spectralNorm(of: op) }
    }
}
