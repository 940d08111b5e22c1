import ConvAlgebra
import Testing
import _TestSupport

/// The shared checks must be able to fail: each is run on a deliberately wrong operator inside
/// `withKnownIssue`, which itself fails when no issue is recorded.
@Suite struct SharedChecksTests {
    private func randomMatrix(_ m: Int, _ n: Int, seed: UInt64) throws -> DenseMatrix<Double> {
        var rng = SplitMix64(seed: seed)
        return try DenseMatrix(rows: m, columns: n, entries: randomScalars(m * n, using: &rng))
    }

    @Test func dotTestPassesOnACorrectTransposeAndFailsOnAWrongOne() throws {
        let a = try randomMatrix(4, 6, seed: 1)
        let good = try expectDotTest(MatrixOperator(a))
        #expect(good.passed)
        var wrong = a.transposed()
        wrong[2, 1] += 0.5
        withKnownIssue("a transpose with one wrong entry") {
            let r = try expectDotTest(MatrixOperator(matrix: a, claimedTranspose: wrong))
            #expect(!r.passed)
        }
    }

    @Test func formsAgreeCatchesAnUnwrittenOutput() throws {
        let a = try randomMatrix(3, 5, seed: 2)
        try expectFormsAgree(MatrixOperator(a))
        withKnownIssue("the direct form skips the last output of each sample") {
            try expectFormsAgree(MatrixOperator(matrix: a, claimedTranspose: a.transposed(), skipsLastOutput: true))
        }
    }

    @Test func transposeCheckCatchesANonLiteralTranspose() throws {
        let a = try randomMatrix(3, 3, seed: 3)
        try expectTransposeIsLiteral(MatrixOperator(a))
        withKnownIssue("a claimed transpose that is the matrix itself") {
            try expectTransposeIsLiteral(MatrixOperator(matrix: a, claimedTranspose: a))
        }
    }

    @Test func closenessChecksFailOnNaNAndOnDifferences() throws {
        #expect(!isClose(Double.nan, .nan, rtol: 1, atol: 1))
        #expect(isClose(Float(1), 1 + 1e-6, rtol: Float.testRelativeTolerance, atol: 0))
        #expect(!isClose(1.0, 1 + 1e-9, rtol: Double.testRelativeTolerance, atol: 0))
        withKnownIssue { expectAllClose([1.0, .nan], [1.0, 2.0]) }
        withKnownIssue { expectAllClose([1.0], [1.0, 2.0]) }
        withKnownIssue { expectMatricesEqual(SymbolicMatrix([[.zero]]), SymbolicMatrix([[SymbolicEntry(tap: 0)]])) }
        let a = try randomMatrix(2, 2, seed: 4)
        var b = a
        b[1, 1] += 1
        withKnownIssue { expectMatricesEqual(a, b) }
    }

    @Test func expectThrowsChecksTheCase() {
        expectThrows(.invalidArgument) { try Downsample<Double>(factor: 0, inputLength: 3) }
        withKnownIssue("the wrong case") { expectThrows(.overflow) { try Downsample<Double>(factor: 0, inputLength: 3) } }
        withKnownIssue("no error") { expectThrows(.overflow) { 1 } }
    }

    @Test func splitMix64IsSeededAndReproducible() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42), c = SplitMix64(seed: 43)
        let sa = (0..<8).map { _ in a.next() }, sb = (0..<8).map { _ in b.next() }, sc = (0..<8).map { _ in c.next() }
        #expect(sa == sb && sa != sc)
        // The published first outputs of SplitMix64 for seed 0 (Vigna's reference splitmix64.c).
        var z = SplitMix64(seed: 0)
        #expect(z.next() == 0xE220_A839_7B1D_CDAF && z.next() == 0x6E78_9E6A_A1B9_65F4)
        var r = SplitMix64(seed: 7)
        let xs: [Float] = randomScalars(1000, in: -2 ... 3, using: &r)
        #expect(xs.allSatisfy { $0 >= -2 && $0 <= 3 } && Set(xs).count > 900)
        let ks: [Double] = randomIntegerScalars(200, in: 1 ... 9, using: &r)
        #expect(ks.allSatisfy { $0 == $0.rounded() && $0 >= 1 && $0 <= 9 })
    }

    @Test func nanFilledIsAllNaN() throws {
        let t: Tensor<Float> = nanFilled(try Shape([2, 3]))
        #expect(t.scalars.count == 6 && t.scalars.allSatisfy(\.isNaN))
        let a: [Double] = nanFilled(count: 4)
        #expect(a.count == 4 && a.allSatisfy(\.isNaN))
    }
}
