import ConvAlgebra
import Testing

@Suite struct DeconvolutionTests {
    static func signal<S: BLASScalar>(_ n: Int, _: S.Type) -> [S] {
        AnalysisFixtures.random(n, seed: 42, as: S.self)
    }

    static func relativeError<S: BLASScalar>(_ a: [S], _ b: [S]) -> Double {
        var num = 0.0, den = 0.0
        for (u, v) in zip(a, b) { num += (Double(u) - Double(v)) * (Double(u) - Double(v)); den += Double(v) * Double(v) }
        return (num / den).squareRoot()
    }

    /// On a full-rank convolution, least squares recovers x to near machine precision; Aᵀ does not.
    @Test func leastSquaresInvertsWhereTheTransposeDoesNot() throws {
        let n = 64
        let op = try Convolution<Double>(kernel: [1, 0.5, 0.25], inputLength: n, mode: .full)
        let x = try Tensor(shape: op.domain, scalars: Self.signal(n, Double.self))
        let y = try op.apply(x)
        let viaTranspose = try op.applyTransposed(y)
        let solved = try op.leastSquares(y)
        #expect(solved.rank == n && solved.nullity == 0)
        let lsError = Self.relativeError(solved.solution.scalars, x.scalars)
        let kappa = try #require(try op.singularSpectrum().conditionNumber)
        #expect(lsError <= 100 * kappa * Double.ulpOfOne, "least squares error \(lsError), condition \(kappa)")
        #expect(lsError < 1e-12)
        #expect(Self.relativeError(viaTranspose.scalars, x.scalars) > 0.1)
        #expect(try op.deconvolve(y) == solved.solution)
    }

    @Test func floatLeastSquaresReachesFloatPrecision() throws {
        let op = try TransposedConvolution<Float>(kernel: [0.5, 1, 0.5], stride: 2, inputLength: 24, mode: .full)
        let x = try Tensor(shape: op.domain, scalars: Self.signal(24, Float.self))
        let y = try op.apply(x)
        #expect(Self.relativeError(try op.deconvolve(y).scalars, x.scalars) < 1e-5)
        #expect(Self.relativeError(try op.applyTransposed(y).scalars, x.scalars) > 0.1)
    }

    @Test func solvesABatchOfRightHandSides() throws {
        let op = try Convolution<Double>(kernel: [2, -1, 0.5, 0.1], inputLength: 10, mode: .full)
        let xs = try Tensor(shape: [3, 10], scalars: AnalysisFixtures.random(30, seed: 9, as: Double.self))
        let y = try op.apply(xs)
        let solved = try op.leastSquares(y).solution
        #expect(solved.shape.dims == [3, 10])
        #expect(Self.relativeError(solved.scalars, xs.scalars) < 1e-12)
    }

    @Test func pseudoInverseIsALeftInverseOfAnInjectiveOperator() throws {
        let op = try TransposedConvolution<Double>(kernel: [1, 3, 3, 1], stride: 2, inputLength: 6, mode: .full)
        let a = try op.dense()
        let pinv = try op.pseudoInverse()
        #expect(pinv.rows == a.columns && pinv.columns == a.rows)
        let product = try pinv.multiplied(by: a)
        for i in 0..<product.rows { for j in 0..<product.columns {
            #expect(abs(product[i, j] - (i == j ? 1 : 0)) < 1e-12)
        } }
        // Aᵀ A is not the identity: the transpose is not an inverse.
        let gram = try a.transposed().multiplied(by: a)
        #expect((0..<gram.rows).contains { abs(gram[$0, $0] - 1) > 0.1 })
    }

    @Test func tikhonovSolvesTheRegularisedNormalEquations() throws {
        // (AᵀA + λI) x̂ = Aᵀ y, checked through the operator's own forms (no dense inverse).
        let op = try Convolution<Double>(kernel: [1, -1], inputLength: 12, mode: .circular)   // singular
        let y = try Tensor(shape: op.codomain, scalars: AnalysisFixtures.random(12, seed: 5, as: Double.self))
        let lambda = 0.3
        let r = try op.leastSquares(y, regularization: lambda)
        #expect(r.rank == 12 && r.nullity == 0)
        let lhs = try op.applyTransposed(op.apply(r.solution)).scalars
        let rhs = try op.applyTransposed(y).scalars
        for j in 0..<12 { #expect(abs(lhs[j] + lambda * r.solution.scalars[j] - rhs[j]) < 1e-12) }
        // The regularised system's singular values are √(σ² + λ).
        let sigma: [Double] = try op.singularSpectrum().values
        for (a, b) in zip(r.singularValues, sigma) {
            let expected: Double = (b * b + lambda).squareRoot()
            #expect(abs(a - expected) < 1e-12)
        }
        // The regularised pseudo-inverse gives the same solution.
        let p = try op.pseudoInverse(regularization: lambda)
        for j in 0..<12 {
            let v = (0..<12).reduce(0.0) { $0 + p[j, $1] * y.scalars[$1] }
            #expect(abs(v - r.solution.scalars[j]) < 1e-12)
        }
    }

    @Test func singularSystemNeedsRegularisationToDeconvolve() throws {
        let op = try Convolution<Double>(kernel: [1, -1], inputLength: 8, mode: .circular)
        let y = try Tensor(shape: op.codomain, scalars: AnalysisFixtures.random(8, seed: 1, as: Double.self))
        #expect(throws: ConvAlgebraError.self) { try op.deconvolve(y) }
        do { _ = try op.deconvolve(y) } catch let e as ConvAlgebraError {
            #expect(e.description.contains("nullity 1"))
            #expect(!e.description.contains("\n"))
        }
        // The minimum-norm least squares still answers, and says the solution is not unique.
        #expect(try op.leastSquares(y).nullity == 1)
        // A strided operator is never injective: deconvolving it needs λ too.
        let strided = try Convolution<Double>(kernel: [1, 2, 1], inputLength: 8, mode: .same, stride: 2)
        let ys = try Tensor(shape: strided.codomain, scalars: AnalysisFixtures.random(4, seed: 2, as: Double.self))
        #expect(throws: ConvAlgebraError.self) { try strided.deconvolve(ys) }
        #expect(try strided.deconvolve(ys, regularization: 1e-2).shape == strided.domain)
    }

    @Test func badInputsThrow() throws {
        let op = try Convolution<Double>(kernel: [1, 2], inputLength: 4, mode: .full)
        let y = try Tensor(shape: op.codomain, scalars: [1, 2, 3, 4, 5])
        #expect(throws: ConvAlgebraError.self) { try op.leastSquares(y, regularization: -1) }
        #expect(throws: ConvAlgebraError.self) { try op.leastSquares(y, regularization: .nan) }
        let wrong = try Tensor(shape: [4], scalars: [1, 2, 3, 4])
        #expect(throws: ConvAlgebraError.self) { try op.leastSquares(wrong) }
        let big = try Convolution<Double>(kernel: [1, 2], inputLength: 600, mode: .full)
        let yb = Tensor<Double>(shape: big.codomain, repeating: 1)
        #expect(throws: ConvAlgebraError.self) { try big.leastSquares(yb, budget: MemoryBudget(bytes: 1 << 16)) }
    }
}
