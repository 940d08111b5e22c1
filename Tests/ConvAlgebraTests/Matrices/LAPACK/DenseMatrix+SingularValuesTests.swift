import ConvAlgebra
import Foundation
import _TestSupport
import Testing

/// `?gesdd`'s singular values against matrices whose SVD is known by construction (a permuted, signed
/// diagonal; a rotation times a diagonal; a rank-one outer product) and against identities that hold for any
/// matrix (`Σσᵢ² = ‖A‖_F²`, `σ(Aᵀ) = σ(A)`).
@Suite struct DenseMatrixSingularValuesTests {
    /// A fixed, irregular matrix: no structure for the SVD to exploit.
    static func irregular<S: BLASScalar>(_ m: Int, _ n: Int, as _: S.Type = S.self) throws -> DenseMatrix<S> {
        try DenseMatrix(rows: m, columns: n, entries: (0..<(m * n)).map { S(Double(($0 * 7919) % 101) / 50 - 1) })
    }

    /// A signed diagonal in a rectangle, rows and columns permuted: σ = the sorted |dᵢ|.
    @Test func signedPermutedDiagonalHasTheSortedMagnitudes() throws {
        var a = try DenseMatrix<Double>(zeros: 3, 5)
        a[2, 0] = 3; a[0, 4] = -5; a[1, 2] = 0.5
        let s = try a.singularValues()
        #expect(s.count == 3)
        for (x, e) in zip(s, [5.0, 3, 0.5]) { #expect(abs(x - e) < 1e-14) }
        #expect(try a.spectralNorm() == s[0])
    }

    /// An orthogonal factor does not change singular values: `R(θ)·diag(4, 1)` has σ = (4, 1).
    @Test(arguments: [0.3, 1.0, 2.5])
    func rotationsKeepTheSingularValues(theta: Double) throws {
        let (c, s) = (cos(theta), sin(theta))
        let a = try DenseMatrix<Double>(rows: 2, columns: 2, entries: [4 * c, -s, 4 * s, c])
        let sv = try a.singularValues()
        #expect(abs(sv[0] - 4) < 1e-13 && abs(sv[1] - 1) < 1e-13, "\(sv)")
    }

    /// `u vᵀ` has one non-zero singular value, `‖u‖·‖v‖`.
    @Test func outerProductHasRankOne() throws {
        let u = [1.0, -2, 2], v = [3.0, 0, 4, 0]
        let a = try DenseMatrix<Double>(rows: 3, columns: 4, entries: u.flatMap { ui in v.map { ui * $0 } })
        let s = try a.singularValues()
        #expect(abs(s[0] - 3 * 5) < 1e-13)
        #expect(s.dropFirst().allSatisfy { abs($0) < 1e-13 }, "\(s)")
    }

    /// `Σσᵢ² = ‖A‖_F²`, the values are descending and non-negative, and `Aᵀ` has the same ones.
    @Test(arguments: Precision.allCases, [(1, 1), (4, 7), (9, 3), (16, 16)])
    func frobeniusIdentityAndTranspose(precision: Precision, size: (Int, Int)) throws {
        func check<S: BLASScalar>(_: S.Type) throws {
            let a = try Self.irregular(size.0, size.1, as: S.self)
            let s = try a.singularValues(), t = try a.transposed().singularValues()
            #expect(s.count == min(size.0, size.1))
            #expect(zip(s, s.dropFirst()).allSatisfy { $0 >= $1 } && s.allSatisfy { $0 >= 0 })
            let frobenius = a.entries.reduce(0.0) { $0 + Double($1) * Double($1) }
            let sum = s.reduce(0.0) { $0 + Double($1) * Double($1) }
            let tol = S.self == Float.self ? 1e-5 : 1e-12
            #expect(abs(sum - frobenius) <= tol * frobenius, "\(sum) vs \(frobenius)")
            for (x, y) in zip(s, t) { #expect(abs(Double(x) - Double(y)) <= tol * Double(s[0])) }
        }
        if precision == .float { try check(Float.self) } else { try check(Double.self) }
    }

    @Test func emptyNonFiniteAndOverBudgetMatrices() throws {
        #expect(try DenseMatrix<Double>(zeros: 0, 4).singularValues() == [])
        #expect(try DenseMatrix<Double>(zeros: 3, 0).spectralNorm() == 0)
        var nan = try Self.irregular(3, 3, as: Double.self)
        nan[1, 1] = .nan
        #expect(throws: ConvAlgebraError.self) { try nan.singularValues() }
        #expect(throws: ConvAlgebraError.self) {
            try Self.irregular(8, 8, as: Double.self).singularValues(budget: MemoryBudget(bytes: 64))
        }
    }
}
