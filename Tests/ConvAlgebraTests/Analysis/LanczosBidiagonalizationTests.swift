import ConvAlgebra
import Testing

/// Golub–Kahan–Lanczos bidiagonalisation: the top singular value of the NumPy fixtures (an independent
/// `gesdd`), in no more steps than the power iteration, within its cap and its budget.
@Suite struct LanczosBidiagonalizationTests {
    @Test(arguments: ["convolve_same_n12_K3", "convolve_same_s2_n12_K3", "tconv_full_s2_n8_K3",
                      "conv2d_c3c4_6x6_k3_p1_zero", "conv2d_c3c4_6x6_k3_s2_p1_zero", "conv2d_c4c4_g2_5x5_k3_p1_zero"])
    func matchesTopSingularValueInFewerStepsThanPower(_ name: String) throws {
        let op = try AnalysisFixtures.op(name, as: Double.self)
        let top = try AnalysisFixtures.singularValues(name, as: Double.self)[0]
        let lanczos = try PowerIteration(tolerance: 1e-12, maxIterations: 500, algorithm: .lanczos).spectralNorm(of: op)
        #expect(lanczos.converged)
        #expect(abs(lanczos.value - top) <= 1e-9 * top, "\(name): lanczos \(lanczos.value) vs gesdd \(top)")
        let power = try PowerIteration(tolerance: 1e-12, maxIterations: 20_000).spectralNorm(of: op)
        #expect(lanczos.iterations <= power.iterations, "\(name): lanczos \(lanczos.iterations) steps, power \(power.iterations)")
    }

    @Test func capAndBudgetAreRespected() throws {
        let op = try Convolution<Double>(kernel: AnalysisFixtures.random(7, seed: 3), inputLength: 256, mode: .same)
        let e = try PowerIteration(tolerance: 1e-14, maxIterations: 4, algorithm: .lanczos).spectralNorm(of: op)
        #expect(e.iterations == 4 && !e.converged)
        #expect(throws: ConvAlgebraError.self) {
            try PowerIteration(algorithm: .lanczos).spectralNorm(of: op, budget: MemoryBudget(bytes: 64))
        }
    }
}
