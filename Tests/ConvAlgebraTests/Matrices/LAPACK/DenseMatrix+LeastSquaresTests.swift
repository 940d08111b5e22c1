import ConvAlgebra
import Testing

/// `?gelsd` least squares against what defines a solution: it reproduces a consistent right-hand side, its
/// residual is orthogonal to the columns (the normal equations), it is the minimum-norm one when many fit,
/// and the Tikhonov solution of a 1×1 system is `a·b / (a² + λ)`.
@Suite struct DenseMatrixLeastSquaresTests {
    static func matrix(_ m: Int, _ n: Int, seed: Int) throws -> DenseMatrix<Double> {
        try DenseMatrix(rows: m, columns: n, entries: (0..<(m * n)).map { Double((($0 + seed) * 7919) % 97) / 48 - 1 })
    }

    /// `Aᵀ(AX − B)`, the gradient of the objective, as a flat array.
    static func normalResidual(_ a: DenseMatrix<Double>, _ x: DenseMatrix<Double>, _ b: DenseMatrix<Double>) throws -> [Double] {
        let ax = try a.multiplied(by: x)
        let r = try DenseMatrix(rows: b.rows, columns: b.columns, entries: zip(ax.entries, b.entries).map { $0 - $1 })
        return try a.transposed().multiplied(by: r).entries
    }

    @Test func consistentSquareSystemIsSolvedExactly() throws {
        var a = try Self.matrix(6, 6, seed: 1)
        for i in 0..<6 { a[i, i] += 4 }  // diagonally dominant: invertible
        let x = try Self.matrix(6, 2, seed: 5)
        let (solution, rank, _) = try a.leastSquares(try a.multiplied(by: x))
        #expect(rank == 6)
        for (s, e) in zip(solution.entries, x.entries) { #expect(abs(s - e) < 1e-12) }
    }

    @Test func overdeterminedResidualIsOrthogonalToTheColumns() throws {
        let a = try Self.matrix(12, 4, seed: 2), b = try Self.matrix(12, 3, seed: 9)
        let (x, rank, s) = try a.leastSquares(b)
        #expect(rank == 4 && x.rows == 4 && x.columns == 3)
        #expect(try Self.normalResidual(a, x, b).allSatisfy { abs($0) < 1e-12 })
        // The singular values returned are A's own.
        for (u, v) in zip(s, try a.singularValues()) { #expect(abs(u - v) < 1e-12) }
    }

    /// `x + y = 2` has the minimum-norm solution `(1, 1)`; two equal columns give rank 1.
    @Test func underdeterminedSolutionHasTheMinimumNorm() throws {
        let a = try DenseMatrix<Double>(rows: 1, columns: 2, entries: [1, 1])
        let (x, rank, _) = try a.leastSquares(try DenseMatrix(rows: 1, columns: 1, entries: [2]))
        #expect(rank == 1)
        #expect(abs(x[0, 0] - 1) < 1e-14 && abs(x[1, 0] - 1) < 1e-14)
        let twin = try DenseMatrix<Double>(rows: 3, columns: 2, entries: [1, 1, 2, 2, 3, 3])
        #expect(try twin.leastSquares(try DenseMatrix(rows: 3, columns: 1, entries: [1, 0, 1])).rank == 1)
    }

    /// `min (a·x − b)² + λx²` is solved by `x = a·b / (a² + λ)`; the solved system's singular value is `√(a² + λ)`.
    @Test(arguments: [0.0, 0.5, 3.0])
    func tikhonovMatchesItsClosedForm(lambda: Double) throws {
        let a = try DenseMatrix<Double>(rows: 1, columns: 1, entries: [2])
        let (x, _, s) = try a.leastSquares(try DenseMatrix(rows: 1, columns: 1, entries: [3]), regularization: lambda)
        #expect(abs(x[0, 0] - 2 * 3 / (4 + lambda)) < 1e-14)
        #expect(abs(s[0] - (4 + lambda).squareRoot()) < 1e-14)
    }

    /// The regularised normal equations `(AᵀA + λI)X = AᵀB` hold for a larger system too.
    @Test func tikhonovSolvesTheRegularisedNormalEquations() throws {
        let a = try Self.matrix(8, 5, seed: 3), b = try Self.matrix(8, 2, seed: 4), lambda = 0.7
        let (x, _, _) = try a.leastSquares(b, regularization: lambda)
        let g = try Self.normalResidual(a, x, b)
        for (gi, xi) in zip(g, x.entries) { #expect(abs(gi + lambda * xi) < 1e-12) }
    }

    @Test func floatSolvesToItsPrecision() throws {
        let a = try DenseMatrix<Float>(rows: 3, columns: 2, entries: [1, 0, 0, 1, 1, 1])
        // b = A·(1, 2) is consistent.
        let (x, _, _) = try a.leastSquares(try DenseMatrix(rows: 3, columns: 1, entries: [1, 2, 3]))
        #expect(abs(x[0, 0] - 1) < 1e-5 && abs(x[1, 0] - 2) < 1e-5)
    }

    @Test func badArgumentsThrow() throws {
        let a = try Self.matrix(4, 3, seed: 0)
        #expect(throws: ConvAlgebraError.self) { try a.leastSquares(try Self.matrix(5, 1, seed: 0)) }
        #expect(throws: ConvAlgebraError.self) { try a.leastSquares(try Self.matrix(4, 1, seed: 0), regularization: -1) }
        #expect(throws: ConvAlgebraError.self) { try a.leastSquares(try Self.matrix(4, 1, seed: 0), regularization: .nan) }
        #expect(try a.leastSquares(try DenseMatrix(zeros: 4, 0)).solution.columns == 0)
    }
}
