@testable import ConvAlgebraBackends
import ConvAlgebraCore
import Testing

/// ``SymmetricEigen/largestValueByLanczos(_:n:relativeTolerance:maxSteps:seed:)`` against `dsyevd`'s largest value
/// on seeded random symmetric matrices (a spectrum without a large gap) and on Gram matrices `EEᵀ` (the circular
/// spectrum's use), by the dense matrix and by products alone; and the fallback when the step cap is hit.
@Suite struct SymmetricEigenLanczosTests {
    private func random(_ count: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in rng.nextSigned() }
    }

    private func symmetric(n: Int, seed: UInt64) -> [Double] {
        let r = random(n * n, seed: seed)
        var t = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { t[i * n + j] = r[i * n + j] + r[j * n + i] } }
        return t
    }

    @Test(arguments: [5, 17, 60, 150])
    func matchesDsyevd(n: Int) throws {
        let t = symmetric(n: n, seed: UInt64(n))
        let exact = try SymmetricEigen.decompose(t, n: n).values[0]
        let lanczos = try SymmetricEigen.largestValueByLanczos(t, n: n)
        #expect(abs(lanczos - exact) <= 1e-11 * abs(exact), "n \(n): \(lanczos) vs \(exact)")
    }

    @Test(arguments: [(20, 50), (64, 64), (90, 40)])
    func gramByProductsMatchesDsyevd(rows: Int, columns: Int) throws {
        let e = random(rows * columns, seed: UInt64(rows * 1000 + columns))
        var gram = [Double](repeating: 0, count: rows * rows)
        for i in 0..<rows { for j in 0..<rows { for k in 0..<columns { gram[i * rows + j] += e[i * columns + k] * e[j * columns + k] } } }
        let exact = try SymmetricEigen.largestValue(gram, n: rows)
        var z = [Double](repeating: 0, count: columns)
        var fellBack = false
        let value = try e.withUnsafeBufferPointer { ep in
            try SymmetricEigen.largestValueByLanczos(n: rows, relativeTolerance: 1e-13, fallback: { fellBack = true; return -1 }) { x, y in
                z.withUnsafeMutableBufferPointer { zp in
                    Double.gemv(transpose: true, m: rows, n: columns, alpha: 1, a: ep.baseAddress!, lda: columns, x: x, beta: 0, y: zp.baseAddress!)
                    Double.gemv(transpose: false, m: rows, n: columns, alpha: 1, a: ep.baseAddress!, lda: columns, x: zp.baseAddress!, beta: 0, y: y)
                }
            }
        }
        #expect(!fellBack && abs(value - exact) <= 1e-12 * exact, "\(rows)×\(columns): \(value) vs \(exact)")
    }

    @Test func aStepCapFallsBack() throws {
        let t = symmetric(n: 80, seed: 7)
        var fellBack = false
        let value = try SymmetricEigen.largestValueByLanczos(n: 80, relativeTolerance: 1e-15, maxSteps: 3, fallback: { fellBack = true; return 42 }) { x, y in
            t.withUnsafeBufferPointer { Double.gemv(transpose: false, m: 80, n: 80, alpha: 1, a: $0.baseAddress!, lda: 80, x: x, beta: 0, y: y) }
        }
        #expect(fellBack && value == 42)
        // A zero matrix: 0 at once.
        #expect(try SymmetricEigen.largestValueByLanczos([Double](repeating: 0, count: 400), n: 20) == 0)
    }
}
