import ConvAlgebra
import Testing

@Suite struct SingularSpectrumTests {
    /// Every fixture's dense matrix equals NumPy's, and its gesdd singular values equal numpy.linalg.svd's.
    @Test(arguments: AnalysisFixtures.cases)
    func matchesNumPyDouble(_ name: String) throws {
        try check(name, Double.self, rtol: 1e-12)
    }

    @Test(arguments: AnalysisFixtures.cases)
    func matchesNumPyFloat(_ name: String) throws {
        try check(name, Float.self, rtol: 2e-5)
    }

    func check<S: BLASScalar>(_ name: String, _: S.Type, rtol: Double) throws {
        let op = try AnalysisFixtures.op(name, as: S.self)
        let expectedMatrix = try AnalysisFixtures.matrix(name, as: S.self)
        let dense = try op.dense(budget: .unlimited)
        #expect(dense.rows == expectedMatrix.rows && dense.columns == expectedMatrix.columns)
        let entryError = zip(dense.entries, expectedMatrix.entries).map { abs(Double($0) - Double($1)) }.max() ?? 0
        #expect(entryError <= rtol * 10, "\(name): matrix entries differ from NumPy's by \(entryError)")

        let expected = try AnalysisFixtures.singularValues(name, as: S.self).map(Double.init)
        let spectrum = try op.singularSpectrum(budget: .unlimited)
        #expect(spectrum.values.count == expected.count)
        let d = AnalysisFixtures.maxRelativeDifference(spectrum.values, expected)
        #expect(d <= rtol, "\(name): singular values differ from NumPy's by \(d) of σ₁")
        // The transpose has the same singular values.
        let t = try op.anyTransposed.singularSpectrum(budget: .unlimited)
        #expect(AnalysisFixtures.maxRelativeDifference(t.values, expected) <= rtol)
        // NumPy's matrix_rank tolerance on NumPy's own values gives the same rank.
        let tol = expected[0] * Double(max(dense.rows, dense.columns)) * Double(S.ulpOfOne)
        #expect(spectrum.rank == expected.filter { $0 > tol }.count)
        #expect(spectrum.nullity == dense.columns - spectrum.rank)
    }

    @Test func downsamplingIsAPartialIsometryWithNullSpace() throws {
        // ↓3 with phase 1 on 10 samples keeps 3: all singular values 1, null space of dimension 7 (aliasing).
        let s = try Downsample<Double>(factor: 3, phase: 1, inputLength: 10).singularSpectrum()
        #expect(s.values.allSatisfy { abs($0 - 1) < 1e-15 })
        #expect(s.rank == 3 && s.nullity == 7)
        #expect(s.conditionNumber == 1)
        // Its transpose ↑3 is injective: nullity 0 in its own (3-sample) domain.
        let u = try Upsample<Double>(factor: 3, phase: 1, outputLength: 10).singularSpectrum()
        #expect(u.nullity == 0)
    }

    @Test func singularOperatorHasNoConditionNumber() throws {
        // q = (1, −1) in circular mode annihilates constants: rank n − 1, condition number nil.
        let s = try Convolution<Double>(kernel: [1, -1], inputLength: 8, mode: .circular).singularSpectrum()
        #expect(s.rank == 7 && s.nullity == 1)
        #expect(s.conditionNumber == nil)
        // A full convolution with a non-zero kernel is injective: finite condition number.
        let f = try Convolution<Double>(kernel: [1, 0.5, 0.25], inputLength: 8, mode: .full).singularSpectrum()
        #expect(f.nullity == 0)
        let kappa = try #require(f.conditionNumber)
        #expect(kappa >= 1 && kappa.isFinite)
    }

    @Test func stridedConvolutionNullityIsAtLeastTheDroppedSamples() throws {
        let q = AnalysisFixtures.random(5, seed: 7, as: Double.self)
        let op = try Convolution(kernel: q, inputLength: 16, mode: .same, stride: 2)
        let s = try op.singularSpectrum()
        #expect(s.nullity >= 16 - 8)
        #expect(AliasingReading.of(op)?.foldCount == 2)
    }

    @Test func denseSVDRefusesAnOperatorOverTheBudget() throws {
        let op = try Convolution<Double>(kernel: [1, 2, 1], inputLength: 512, mode: .same)
        #expect(throws: ConvAlgebraError.self) { try op.singularSpectrum(budget: MemoryBudget(bytes: 1 << 16)) }
        do {
            _ = try op.singularSpectrum(budget: MemoryBudget(bytes: 1 << 16))
        } catch let e as ConvAlgebraError {
            guard case .exceedsMemoryBudget(let what, _, _) = e else { Issue.record("unexpected \(e)"); return }
            #expect(what.contains("512 × 512"))
        }
    }
}
