import ConvAlgebraCore

extension SymmetricEigen {
    /// The largest eigenvalue of the row-major `n × n` symmetric `t` (both triangles stored) by Lanczos with full
    /// re-orthogonalisation from a fixed random start, falling back to ``largestValue(_:n:)`` (`dsyevd`) when it has
    /// not converged within `maxSteps` steps:
    /// ```
    /// β_k q_{k+1} = t q_k − α_k q_k − β_{k−1} q_{k−1}  (then re-orthogonalised against q_1…q_k, twice)
    /// T_k = tridiag(β, α, β) = Y Θ Yᵀ,   ρ = β_k |y_{k,1}|  = ‖t z − θ₁ z‖   (z = Q y₁, the top Ritz pair)
    /// stop when ρ ≤ relativeTolerance · |θ₁|   (some eigenvalue lies within ρ of θ₁, and within ρ²/gap)
    /// ```
    /// `θ₁ ≤ λ_max` always; that the eigenvalue within `ρ` is the largest rests on the start having a component along
    /// its eigenvector (probability 1 for the random start). The top of a spectrum with a gap is found in tens of
    /// steps, where `dsyevd` reduces the whole matrix: this is the circular-padding spectrum's per-frequency step.
    /// - Throws: as ``largestValue(_:n:)``.
    /// - Complexity: per step one `n × n` GEMV and `O(k·n)` for the re-orthogonalisation; a `k × k` eigenproblem
    ///   now and then (see the operator form); memory `(maxSteps + 2)·n` scalars. The fallback is about `4n³/3` FLOPs.
    package static func largestValueByLanczos(_ t: [Double], n: Int, relativeTolerance: Double = 1e-12,
                                              maxSteps: Int = 200, seed: UInt64 = 0x1A7C_705) throws -> Double {
        guard n > 2 * 8 else { return try largestValue(t, n: n) }
        return try largestValueByLanczos(n: n, relativeTolerance: relativeTolerance, maxSteps: maxSteps, seed: seed,
                                         fallback: { try largestValue(t, n: n) }) { x, y in
            t.withUnsafeBufferPointer { tp in
                Double.gemv(transpose: false, m: n, n: n, alpha: 1, a: tp.baseAddress!, lda: n, x: x, beta: 0, y: y)
            }
        }
    }

    /// The same on a symmetric operator given by its product `apply(x, y)`: `y = t x` for `n`-vectors (e.g. `Eᵀ(E x)`
    /// without forming `EᵀE`); `fallback` gives the answer when Lanczos has not converged within `maxSteps`.
    /// `warm`, when it holds `n` values (e.g. the top eigenvector of a neighbouring matrix), is added to the random
    /// start with the same norm, so the start keeps a random component along every eigenvector; on return it holds the
    /// top Ritz vector (empty after the fallback).
    /// - Complexity: per step one `apply` and `O(k·n)`; a `k × k` eigenproblem at steps 8, 16, 24, 32, then every
    ///   quarter of the steps so far; memory `(maxSteps + 2)·n` scalars.
    package static func largestValueByLanczos(n: Int, relativeTolerance: Double = 1e-12, maxSteps: Int = 200,
                                              seed: UInt64 = 0x1A7C_705, warm: UnsafeMutablePointer<[Double]>? = nil,
                                              fallback: () throws -> Double,
                                              apply: (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void) throws -> Double {
        guard n > 0 else { return 0 }
        let steps = Swift.min(maxSteps, n)
        var rng = SplitMix64(seed: seed)
        var q = [Double](repeating: 0, count: (steps + 1) * n)
        var norm = 0.0
        for i in 0..<n { let v = rng.nextSigned(); q[i] = v; norm += v * v }
        if let previous = warm?.pointee, previous.count == n {
            let p = previous.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if p > 0 && p.isFinite {
                let scale = norm.squareRoot() / p
                norm = 0
                for i in 0..<n { q[i] += scale * previous[i]; norm += q[i] * q[i] }
            }
        }
        warm?.pointee = []
        for i in 0..<n { q[i] /= norm.squareRoot() }
        var nextCheck = 8
        var alpha: [Double] = [], beta: [Double] = []
        var w = [Double](repeating: 0, count: n)
        var scale = 0.0                          // the largest |α|, β seen: the operator's scale for the breakdown test
        for k in 0..<steps {
            q.withUnsafeBufferPointer { qp in w.withUnsafeMutableBufferPointer { wp in apply(qp.baseAddress! + k * n, wp.baseAddress!) } }
            let a = q.withUnsafeBufferPointer { qp in w.withUnsafeBufferPointer { Double.dot(count: n, qp.baseAddress! + k * n, $0.baseAddress!) } }
            alpha.append(a)
            scale = Swift.max(scale, abs(a))
            // Full re-orthogonalisation against q_0…q_k (twice), which also removes α_k q_k and β_{k−1} q_{k−1}.
            for _ in 0..<2 {
                var c = [Double](repeating: 0, count: k + 1)
                q.withUnsafeBufferPointer { qp in w.withUnsafeBufferPointer { wp in c.withUnsafeMutableBufferPointer { cp in
                    Double.gemv(transpose: false, m: k + 1, n: n, alpha: 1, a: qp.baseAddress!, lda: n, x: wp.baseAddress!,
                                beta: 0, y: cp.baseAddress!)
                } } }
                q.withUnsafeBufferPointer { qp in c.withUnsafeBufferPointer { cp in w.withUnsafeMutableBufferPointer { wp in
                    Double.gemv(transpose: true, m: k + 1, n: n, alpha: -1, a: qp.baseAddress!, lda: n, x: cp.baseAddress!,
                                beta: 1, y: wp.baseAddress!)
                } } }
            }
            let b = w.withUnsafeBufferPointer { Double.dot(count: n, $0.baseAddress!, $0.baseAddress!) }.squareRoot()
            let last = k + 1 == steps
            // An invariant subspace (β ≈ 0): the Ritz values are exact.
            scale = Swift.max(scale, b)
            let invariant = b <= 1e-14 * scale
            if invariant || last || k + 1 == nextCheck {
                nextCheck += Swift.max(8, (k + 1) / 4)
                let top = try topRitzPair(alpha: alpha, beta: beta)
                let rho = invariant ? 0 : b * abs(top.vector[k])
                if rho <= relativeTolerance * abs(top.value) || scale == 0 {
                    if let warm {
                        // z = Q y₁.
                        var z = [Double](repeating: 0, count: n)
                        q.withUnsafeBufferPointer { qp in top.vector.withUnsafeBufferPointer { yp in z.withUnsafeMutableBufferPointer { zp in
                            Double.gemv(transpose: true, m: k + 1, n: n, alpha: 1, a: qp.baseAddress!, lda: n, x: yp.baseAddress!,
                                        beta: 0, y: zp.baseAddress!)
                        } } }
                        warm.pointee = z
                    }
                    return top.value
                }
                if invariant { break }
            }
            beta.append(b)
            for i in 0..<n { q[(k + 1) * n + i] = w[i] / b }
        }
        return try fallback()
    }

    /// The largest eigenvalue of the tridiagonal `tridiag(β, α, β)` and its unit eigenvector.
    private static func topRitzPair(alpha: [Double], beta: [Double]) throws -> (value: Double, vector: [Double]) {
        let k = alpha.count
        var m = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            m[i * k + i] = alpha[i]
            if i + 1 < k { m[i * k + i + 1] = beta[i]; m[(i + 1) * k + i] = beta[i] }
        }
        let (values, vectors) = try decompose(m, n: k)
        return (values[0], (0..<k).map { vectors[$0 * k] })
    }
}
