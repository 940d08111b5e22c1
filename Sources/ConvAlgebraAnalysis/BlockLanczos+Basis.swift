import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraOperators

/// The dense linear algebra of ``BlockLanczos``: blocks of row vectors (row-major, one vector per row), their
/// products through the operator, and the Gram–Schmidt passes as GEMM / GEMV calls.
extension BlockLanczos {
    /// `Bᵀ(B X)` for the `rows` vectors of `x` (each of length `n`), in one batched apply each way; with
    /// `keepForward`, also `B X`.
    /// - Complexity: `rows` applications of `B` and of `Bᵀ`, plus the conversions to and from the operator's scalar.
    static func normalEquations<S: BLASScalar>(_ b: any LinearOperator<S>, _ bt: any LinearOperator<S>, _ x: [Double],
                                               rows: Int, n: Int, m: Int, xs: inout [S], ys: inout [S],
                                               keepForward: Bool) -> (normal: [Double], forward: [Double]) {
        if xs.count < rows * n { xs = [S](repeating: 0, count: rows * n) }
        if ys.count < rows * m { ys = [S](repeating: 0, count: rows * m) }
        for i in 0..<(rows * n) { xs[i] = S(x[i]) }
        xs.withUnsafeBufferPointer { xp in ys.withUnsafeMutableBufferPointer { yp in
            b.applyUnchecked(xp.baseAddress!, yp.baseAddress!, batch: rows) } }
        let forward = keepForward ? ys.prefix(rows * m).map(Double.init) : []
        ys.withUnsafeBufferPointer { yp in xs.withUnsafeMutableBufferPointer { xp in
            bt.applyUnchecked(yp.baseAddress!, xp.baseAddress!, batch: rows) } }
        return (xs.prefix(rows * n).map(Double.init), forward)
    }

    /// The start block of `rows` unit rows: the given vectors (normalised) first; when there are more of them than
    /// rows, the last row is the sum of the rest (so a 1-vector block starts from the sum of all the given
    /// directions); the rows left over are random. When the given vectors fill the block, each row gets a random
    /// part of relative size 10⁻², so the start has a component along every singular vector with probability 1.
    static func startBlock(_ given: [[Double]], rows k: Int, length: Int, rng: inout SplitMix64) -> [Double] {
        func unit(_ v: [Double]) -> [Double] {
            let r = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return r > 0 && r.isFinite ? v.map { $0 / r } : v
        }
        var rows = given.prefix(k).map(unit)
        if given.count > k {
            var folded = rows.removeLast()
            for v in given.dropFirst(k).map(unit) { for j in 0..<length { folded[j] += v[j] } }
            rows.append(unit(folded))
        }
        let filled = rows.count == k
        if filled {
            rows = rows.map { row in
                let noise = unit((0..<length).map { _ in rng.nextSigned() })
                return unit((0..<length).map { row[$0] + 1e-2 * noise[$0] })
            }
        }
        while rows.count < k { rows.append((0..<length).map { _ in rng.nextSigned() }) }
        return rows.flatMap { $0 }
    }

    /// `c = A Bᵀ` for row-major `A` (`m × k`) and `B` (`n × k`).
    static func gemmABt(_ a: [Double], _ b: [Double], _ c: inout [Double], m: Int, n: Int, k: Int) {
        guard m > 0, n > 0, k > 0 else { return }
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            Double.gemm(transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: k,
                        b: bp.baseAddress!, ldb: k, beta: 0, c: cp.baseAddress!, ldc: n) } } }
    }

    /// `c = A B` for row-major `A` (`m × k`) and `B` (`k × n`).
    static func gemmAB(_ a: [Double], _ b: [Double], _ c: inout [Double], m: Int, n: Int, k: Int) {
        guard m > 0, n > 0, k > 0 else { return }
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            Double.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: k,
                        b: bp.baseAddress!, ldb: n, beta: 0, c: cp.baseAddress!, ldc: n) } } }
    }

    /// `x ← x − C Q` for the `m` rows of `x`, `C` their (`m × r`) coefficients against the `r` rows of `q`.
    static func subtractProjection(_ x: inout [Double], _ c: [Double], _ q: [Double], m: Int, r: Int, length: Int) {
        guard m > 0, r > 0 else { return }
        c.withUnsafeBufferPointer { cp in q.withUnsafeBufferPointer { qp in x.withUnsafeMutableBufferPointer { xp in
            Double.gemm(transposeA: false, transposeB: false, m: m, n: length, k: r, alpha: -1, a: cp.baseAddress!, lda: r,
                        b: qp.baseAddress!, ldb: length, beta: 1, c: xp.baseAddress!, ldc: length) } } }
    }

    /// The Euclidean norm of each of the `count` rows.
    static func norms(_ x: [Double], count: Int, length: Int) -> [Double] {
        x.withUnsafeBufferPointer { p in
            (0..<count).map { i in Double.dot(count: length, p.baseAddress! + i * length, p.baseAddress! + i * length).squareRoot() }
        }
    }

    /// The rows of `block` made orthonormal to the `rows` rows of `basis` and to each other: two passes of a block
    /// projection against the basis (GEMM; "twice is enough"; the first one skipped when `projected` says it was
    /// done) each followed by the in-block orthonormalisation (``orthonormalisedWithin(_:length:floor:)``). A
    /// direction whose norm falls below `floor` is dependent on the others and dropped.
    static func orthonormalised(_ block: [Double], against basis: [Double], rows r: Int, length: Int, floor: Double,
                                projected: Bool = false) -> [Double] {
        var x = block
        for pass in 0..<2 {
            let m = x.count / length
            guard m > 0 else { return [] }
            if r > 0 && !(pass == 0 && projected) {
                var c = [Double](repeating: 0, count: m * r)
                gemmABt(x, basis, &c, m: m, n: r, k: length)
                subtractProjection(&x, c, basis, m: m, r: r, length: length)
            }
            // In the second pass the rows are unit vectors; one that loses half its norm to the basis again was
            // rounding noise inside the basis's span (a numerically dependent direction) and is dropped.
            x = orthonormalisedWithin(x, length: length, floor: pass == 0 ? floor : 0.5)
        }
        return x
    }

    /// The rows of `x` made orthonormal to each other through the eigen-decomposition of their Gram matrix
    /// `X Xᵀ = V Λ Vᵀ`: the rows of `Λ^{-1/2} Vᵀ X` for the eigenvalues above `floor²` (the others are dependent
    /// directions, dropped).
    /// - Complexity: two `m × m × length` GEMMs and an `m × m` eigenproblem.
    static func orthonormalisedWithin(_ x: [Double], length: Int, floor: Double) -> [Double] {
        let m = x.count / length
        guard m > 0 else { return [] }
        var g = [Double](repeating: 0, count: m * m)
        gemmABt(x, x, &g, m: m, n: m, k: length)
        guard let eigen = try? SymmetricEigen.decompose(g, n: m) else { return [] }
        let (lambda, v) = (eigen.values, eigen.vectors)
        let kept = lambda.prefix { $0 > floor * floor && $0.isFinite }.count
        guard kept > 0 else { return [] }
        var c = [Double](repeating: 0, count: kept * m)
        for i in 0..<kept {
            let s = 1 / lambda[i].squareRoot()
            for j in 0..<m { c[i * m + j] = s * v[j * m + i] }
        }
        var out = [Double](repeating: 0, count: kept * length)
        gemmAB(c, x, &out, m: kept, n: length, k: m)
        return out
    }

    /// `(W⊥ Y_last)ᵀ(W⊥ Y_last)` for the first `columns` eigenvectors of the `r × r` projected matrix: the Gram matrix of
    /// the Ritz residuals the recurrence predicts (`BᵀB Q y − θ² Q y = W⊥ y_last`, `y_last` the newest block's part).
    static func residualGram(_ w: [Double], rows: Int, y: [Double], r: Int, columns: Int, length: Int) -> [Double] {
        var g = [Double](repeating: 0, count: rows * rows)
        gemmABt(w, w, &g, m: rows, n: rows, k: length)
        var out = [Double](repeating: 0, count: columns * columns)
        for i in 0..<columns {
            for j in 0..<columns {
                var s = 0.0
                for a in 0..<rows { for b in 0..<rows { s += y[(r - rows + a) * r + i] * g[a * rows + b] * y[(r - rows + b) * r + j] } }
                out[i * columns + j] = s
            }
        }
        return out
    }

    /// The first `count` Ritz vectors `Q y⁽ʲ⁾` as rows (`y` row-major `r × r`, eigenvectors in columns).
    static func ritzVectors(_ y: [Double], r: Int, count: Int, basis: [Double], length: Int) -> [Double] {
        var cols = [Double](repeating: 0, count: count * r)
        for j in 0..<count { for i in 0..<r { cols[j * r + i] = y[i * r + j] } }
        var z = [Double](repeating: 0, count: count * length)
        gemmAB(cols, basis, &z, m: count, n: length, k: r)
        return z
    }
}
