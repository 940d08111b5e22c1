import ConvAlgebra
import Testing
import _TestSupport

/// The check every ``BLASScalar`` conformance passes (`Float+BLASScalarTests`, `Double+BLASScalarTests`): the
/// BLAS and LAPACK forwarders against plain loops and known factorisations.
enum BLASScalarConformance {
    static func check<S: BLASScalar>(_: S.Type) throws {
        var rng = SplitMix64(seed: 12)
        #expect(S.npyDescriptor == (S.self == Float.self ? "<f4" : "<f8"))
        // gemm with every transpose combination: C ← α·op(A)·op(B) + β·C.
        let (m, n, k) = (3, 4, 5)
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a: [S] = randomScalars(m * k, using: &rng), b: [S] = randomScalars(k * n, using: &rng)
            let c0: [S] = randomScalars(m * n, using: &rng)
            let (alpha, beta): (S, S) = (1.5, -0.5)
            var c = c0
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                S.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: alpha, a: ap.baseAddress!, lda: ta ? m : k,
                       b: bp.baseAddress!, ldb: tb ? k : n, beta: beta, c: cp.baseAddress!, ldc: n)
            } } }
            var expected = c0
            for i in 0..<m {
                for j in 0..<n {
                    var s: S = 0
                    for l in 0..<k { s += (ta ? a[l * m + i] : a[i * k + l]) * (tb ? b[j * k + l] : b[l * n + j]) }
                    expected[i * n + j] = alpha * s + beta * c0[i * n + j]
                }
            }
            expectAllClose(c, expected, "gemm transposeA \(ta) transposeB \(tb)")
        }
        // gemv with both transposes: y ← α·op(A)·x + β·y, A row-major m × k.
        for t in [false, true] {
            let a: [S] = randomScalars(m * k, using: &rng)
            let (xn, yn) = t ? (m, k) : (k, m)
            let x: [S] = randomScalars(xn, using: &rng), y0: [S] = randomScalars(yn, using: &rng)
            var y = y0
            a.withUnsafeBufferPointer { ap in x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                S.gemv(transpose: t, m: m, n: k, alpha: 1.5, a: ap.baseAddress!, lda: k, x: xp.baseAddress!, beta: -0.5,
                       y: yp.baseAddress!)
            } } }
            var expected = y0
            for i in 0..<yn {
                var s: S = 0
                for l in 0..<xn { s += (t ? a[l * k + i] : a[i * k + l]) * x[l] }
                expected[i] = 1.5 * s - 0.5 * y0[i]
            }
            expectAllClose(y, expected, "gemv transpose \(t)")
        }
        // dot
        let x: [S] = randomScalars(17, using: &rng), y: [S] = randomScalars(17, using: &rng)
        let d = x.withUnsafeBufferPointer { xp in y.withUnsafeBufferPointer { yp in S.dot(count: 17, xp.baseAddress!, yp.baseAddress!) } }
        expectAllClose([d], [zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }])
        // Singular values of a diagonal matrix with a permutation are the absolute diagonal, descending.
        var a: [S] = [0, 0, -3, 1, 0, 0, 0, 2, 0]
        var s = [S](repeating: 0, count: 3)
        let info = a.withUnsafeMutableBufferPointer { ap in s.withUnsafeMutableBufferPointer { sp in
            S.singularValues(m: 3, n: 3, a: ap.baseAddress!, lda: 3, s: sp.baseAddress!)
        } }
        #expect(info == 0)
        expectAllClose(s, [3, 2, 1])
        // Least squares of an over-determined consistent system recovers the solution.
        let truth: [S] = [0.5, -2]
        var lsA: [S] = [1, 0, 0, 1, 1, 1, 2, -1]  // 4 × 2
        var rhs: [S] = (0..<4).map { i in lsA[2 * i] * truth[0] + lsA[2 * i + 1] * truth[1] }
        var sv = [S](repeating: 0, count: 2)
        let (lsInfo, rank) = lsA.withUnsafeMutableBufferPointer { ap in rhs.withUnsafeMutableBufferPointer { bp in
            sv.withUnsafeMutableBufferPointer { sp in
                S.leastSquares(m: 4, n: 2, nrhs: 1, a: ap.baseAddress!, lda: 2, b: bp.baseAddress!, ldb: 1, s: sp.baseAddress!, rcond: -1)
            }
        } }
        #expect(lsInfo == 0 && rank == 2)
        expectAllClose(Array(rhs.prefix(2)), truth)
    }
}
