import ConvAlgebraBackends
import Testing

/// ``SymmetricEigen`` (LAPACK's `dsyevd`) against the definition `T = Y Λ Yᵀ`, `YᵀY = I`, on seeded random
/// symmetric matrices, and `largestValue` (values only) against the first value of `decompose`.
@Suite struct SymmetricEigenTests {
    private func randomSymmetric(n: Int, seed: UInt64) -> [Double] {
        var state = seed
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        var t = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n { let v = next(); t[i * n + j] = v; t[j * n + i] = v } }
        return t
    }

    @Test(arguments: [1, 2, 5, 17, 40])
    func decompositionReconstructsTheMatrix(n: Int) throws {
        let t = randomSymmetric(n: n, seed: UInt64(n))
        let (values, y) = try SymmetricEigen.decompose(t, n: n)
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 })
        for i in 0..<n {
            for j in 0..<n {
                var tij = 0.0, yty = 0.0
                for k in 0..<n { tij += y[i * n + k] * values[k] * y[j * n + k]; yty += y[k * n + i] * y[k * n + j] }
                #expect(abs(tij - t[i * n + j]) <= 1e-12 * Double(n))
                #expect(abs(yty - (i == j ? 1 : 0)) <= 1e-12 * Double(n))
            }
        }
    }

    @Test(arguments: [1, 3, 31])
    func largestValueIsTheFirstOfTheDecomposition(n: Int) throws {
        let t = randomSymmetric(n: n, seed: 100 + UInt64(n))
        let largest = try SymmetricEigen.largestValue(t, n: n)
        let values = try SymmetricEigen.decompose(t, n: n).values
        #expect(abs(largest - values[0]) <= 1e-12 * max(1, abs(values[0])))
    }

    @Test func aNaNIsRejected() {
        #expect(throws: (any Error).self) { try SymmetricEigen.largestValue([.nan, 0, 0, 1], n: 2) }
        #expect(throws: (any Error).self) { try SymmetricEigen.decompose([1, 0, 0, .nan], n: 2) }
    }
}
