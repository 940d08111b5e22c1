import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import Foundation

/// The frequency blocks `M(μ)` of ``CircularConvolutionSpectrum``, one output frequency at a time: the phases of
/// every tap at the `∏s` input frequencies `ν = μ + k∘m` that land on `μ`, and per group the complex
/// `C_out/G × ∏s·C_in/G` matrix
/// ```
/// M(μ)[co, (k, ci)] = (∏s)^{-1/2} · Σ_t W[co, ci, t] · exp(2πi Σ_d ν_d · m_{t,d} / n_d),   ν = μ + k∘m
/// ```
/// (column `k·C_in/G + ci`, `k` row-major over the strides). Its transpose maps back: the right singular vector
/// `v = (v_k)` of `M(μ)` is the input `x[ci, j] = Σ_k v_k[ci] · e^{2πi ν_k·j/n}`.
struct FrequencyBlocks {
    let geometry: ConvolutionGeometry
    let weights: [Double]
    /// Per dimension, the input offset `mₜ = (o + t·e) mod n` of each tap.
    let shift: [[Int]]
    /// `∏s`: the input frequencies per output frequency.
    let aliases: Int
    /// `∏s · C_in/G`: the block's columns.
    var columns: Int { aliases * geometry.inChannelsPerGroup }
    /// The phases `cos`, `sin` of every (alias, tap) at the current frequency, alias-major.
    private(set) var cosines: [Double], sines: [Double]
    var phaseCount: Int { cosines.count }

    init<S: BLASScalar>(geometry g: ConvolutionGeometry, taps: [S]) {
        geometry = g
        weights = taps.map(Double.init)
        shift = (0..<g.rank).map { d in
            (0..<g.kernelSize[d]).map { t in
                let m = (g.offset[d] + t * g.tapStep[d]) % g.inputSize[d]
                return m < 0 ? m + g.inputSize[d] : m
            }
        }
        aliases = g.stride.reduce(1, *)
        cosines = [Double](repeating: 0, count: aliases * g.kernelPlane)
        sines = cosines
    }

    /// The output frequency `μ` of flat index `p` (row-major over the output size).
    func outputFrequency(_ p: Int) -> [Int] {
        let m = geometry.outputSize
        var mu = [Int](repeating: 0, count: m.count), rest = p
        for d in stride(from: m.count - 1, through: 0, by: -1) { mu[d] = rest % m[d]; rest /= m[d] }
        return mu
    }

    /// The flat index of `−μ mod m`: `M(−μ)` is `conj M(μ)` with its alias columns permuted (a real kernel).
    func mirror(_ p: Int) -> Int {
        let m = geometry.outputSize, mu = outputFrequency(p)
        var flat = 0
        for d in 0..<m.count { flat = flat * m[d] + (m[d] - mu[d]) % m[d] }
        return flat
    }

    /// The input frequency `ν = μ + k∘m` of alias `a` (row-major over the strides).
    func inputFrequency(_ mu: [Int], alias a: Int) -> [Int] {
        let s = geometry.stride, m = geometry.outputSize
        var nu = mu, rest = a
        for d in stride(from: s.count - 1, through: 0, by: -1) { nu[d] += (rest % s[d]) * m[d]; rest /= s[d] }
        return nu
    }

    /// Sets the phases for output frequency `p`: `exp(2πi Σ_d (ν_d·m_{t,d} mod n_d)/n_d)` with exact integer reduction.
    mutating func setFrequency(_ p: Int) {
        let g = geometry, r = g.rank, n = g.inputSize, K = g.kernelPlane
        let mu = outputFrequency(p)
        for a in 0..<aliases {
            let nu = inputFrequency(mu, alias: a)
            var t = [Int](repeating: 0, count: r)
            for tau in 0..<K {
                var turns = 0.0
                for d in 0..<r { turns += Double((nu[d] * shift[d][t[d]]) % n[d]) / Double(n[d]) }
                let angle = 2 * Double.pi * turns
                cosines[a * K + tau] = cos(angle); sines[a * K + tau] = sin(angle)
                var d = r - 1
                while d >= 0 { t[d] += 1; if t[d] < g.kernelSize[d] { break }; t[d] = 0; d -= 1 }
            }
        }
    }

    /// `M(μ) = re + i·im` of `group` at the current frequency, row-major `C_out/G × columns`.
    func block(group grp: Int, re: inout [Double], im: inout [Double]) {
        let g = geometry, K = g.kernelPlane, cog = g.outChannelsPerGroup, cig = g.inChannelsPerGroup
        let cols = columns, scale = 1 / Double(aliases).squareRoot()
        weights.withUnsafeBufferPointer { w in cosines.withUnsafeBufferPointer { c in sines.withUnsafeBufferPointer { s in
            for co in 0..<cog {
                for ci in 0..<cig {
                    let base = ((grp * cog + co) * cig + ci) * K
                    for a in 0..<aliases {
                        var x = 0.0, y = 0.0
                        for tau in 0..<K { x += w[base + tau] * c[a * K + tau]; y += w[base + tau] * s[a * K + tau] }
                        re[co * cols + a * cig + ci] = scale * x
                        im[co * cols + a * cig + ci] = scale * y
                    }
                }
            }
        } } }
    }
}

extension CircularConvolutionSpectrum {
    /// The largest singular value of the circular convolution over `geometry` with `taps` (the first of
    /// ``singularValues(geometry:taps:budget:)``) at a fraction of its cost: per output frequency and group, the
    /// largest eigenvalue of the Gram matrix of the real embedding of `M(μ) = A + iB`, on its smaller side,
    /// ```
    /// E = [[A, −B], [B, A]],   σ₁(M)² = λ_max(E Eᵀ) = λ_max(EᵀE)   (each value of M twice)
    /// ```
    /// by Lanczos on the products `E(Eᵀx)` to a residual of 10⁻¹² relative, warm-started from the previous frequency's
    /// vector (`lanczosTop(re:im:rows:columns:warm:)`; tens of GEMV pairs
    /// where a dense eigensolver reduces the whole `2c × 2c` matrix), falling back to the formed Gram matrix and
    /// `dsyevd` (`gramTop(re:im:rows:columns:)`). The Gram form squares the condition number but not the error of
    /// its *largest* eigenvalue: `σ₁` is accurate to a few `ε`.
    /// - Throws: as ``singularValues(geometry:taps:budget:)``.
    /// - Complexity: `∏m/2 · (∏s·K·C_out·C_in/G + G·8·k·c·c')` FLOPs for blocks `c × c'` and `k` Lanczos steps
    ///   (typically 8–100 with the warm start); memory `4c·c' + (200 + G)·2·min(c, c')` values.
    public static func largestSingularValue<S: BLASScalar>(geometry g: ConvolutionGeometry, taps: [S],
                                                           budget: MemoryBudget = .default) throws -> Double {
        if case .notApplicable(let why) = applicability(g) { throw ConvAlgebraError.unsupported(why) }
        guard taps.count == g.weightCount else {
            throw ConvAlgebraError.shapeMismatch(
                "the weight has \(taps.count) elements, but shape \(g.weightShape) needs \(g.weightCount)")
        }
        var blocks = FrequencyBlocks(geometry: g, taps: taps)
        let (rows, cols) = (g.outChannelsPerGroup, blocks.columns)
        let c = Swift.min(rows, cols)
        // The Gram matrix (the fallback), the block and its real embedding, the Lanczos basis.
        let scratch = try Checked.add(try Checked.multiply(4 * c, c, "the Gram matrix"),
                                      try Checked.multiply(8 * rows + 410, cols + rows, "the frequency block"), "the FFT method")
        try budget.check("the Gram matrices of the FFT method", count: scratch, elementBytes: MemoryLayout<Double>.stride)
        var re = [Double](repeating: 0, count: rows * cols), im = re
        var top = 0.0
        // Per group, the previous frequency's top vector warm-starts the next (neighbouring frequencies' blocks differ
        // little).
        var warm = [[Double]](repeating: [], count: g.groups)
        for p in 0..<g.outputPlane where blocks.mirror(p) >= p {
            blocks.setFrequency(p)
            for grp in 0..<g.groups {
                blocks.block(group: grp, re: &re, im: &im)
                top = Swift.max(top, try lanczosTop(re: re, im: im, rows: rows, columns: cols, warm: &warm[grp]))
            }
        }
        return top.squareRoot()
    }

    /// `σ₁(A + iB)²` for row-major `rows × columns` `A`, `B`: the largest eigenvalue of `E Eᵀ` (or `EᵀE`, the smaller
    /// side) for the real embedding `E = [[A, −B], [B, A]]`, by Lanczos on the products `E(Eᵀx)` (two GEMVs a step,
    /// no Gram matrix formed; ``SymmetricEigen/largestValueByLanczos(n:relativeTolerance:maxSteps:seed:fallback:apply:)``),
    /// to a residual of 10⁻¹² relative (`σ₁²` within `ρ²/gap` of it, and within `ρ` without a gap); `warm` (the
    /// previous frequency's top vector) joins the random start and returns this one's;
    /// ``gramTop(re:im:rows:columns:)`` when Lanczos does not converge.
    static func lanczosTop(re a: [Double], im b: [Double], rows: Int, columns: Int, warm: inout [Double]) throws -> Double {
        let (r2, c2) = (2 * rows, 2 * columns)
        var e = [Double](repeating: 0, count: r2 * c2)
        for i in 0..<rows {
            for j in 0..<columns {
                let (x, y) = (a[i * columns + j], b[i * columns + j])
                e[i * c2 + j] = x; e[i * c2 + columns + j] = -y
                e[(rows + i) * c2 + j] = y; e[(rows + i) * c2 + columns + j] = x
            }
        }
        let rowSide = rows <= columns
        var z = [Double](repeating: 0, count: rowSide ? c2 : r2)
        return try e.withUnsafeBufferPointer { ep in
            try SymmetricEigen.largestValueByLanczos(n: rowSide ? r2 : c2, relativeTolerance: 1e-12, warm: &warm,
                                                     fallback: { try gramTop(re: a, im: b, rows: rows, columns: columns) }) { x, y in
                z.withUnsafeMutableBufferPointer { zp in
                    // E Eᵀ x (rows side) or Eᵀ E x (columns side).
                    Double.gemv(transpose: rowSide, m: r2, n: c2, alpha: 1, a: ep.baseAddress!, lda: c2, x: x, beta: 0, y: zp.baseAddress!)
                    Double.gemv(transpose: !rowSide, m: r2, n: c2, alpha: 1, a: ep.baseAddress!, lda: c2, x: zp.baseAddress!, beta: 0, y: y)
                }
            }
        }
    }

    /// `σ₁(A + iB)²` for row-major `rows × columns` `A`, `B`, by the Gram matrix of the smaller side.
    static func gramTop(re a: [Double], im b: [Double], rows: Int, columns: Int) throws -> Double {
        // E = [A | B] and F = [B | −A] (rows × 2·columns): X = E Eᵀ, Y = F Eᵀ; or, on the column side,
        // E = [A ; B] and F = [A ; −B] (2·rows × columns): X = Eᵀ E, Y = Fᵀ [B ; A].
        let side = rows <= columns
        let c = side ? rows : columns, inner = side ? 2 * columns : 2 * rows
        var e = [Double](repeating: 0, count: c * inner), f = e, h = e
        if side {
            for i in 0..<rows {
                for j in 0..<columns {
                    let (x, y) = (a[i * columns + j], b[i * columns + j])
                    e[i * inner + j] = x; e[i * inner + columns + j] = y
                    f[i * inner + j] = y; f[i * inner + columns + j] = -x
                }
            }
            h = e
        } else {
            // Column-major views of [A ; B], [A ; −B], [B ; A] as c × inner row-major (their transposes).
            for i in 0..<rows {
                for j in 0..<columns {
                    let (x, y) = (a[i * columns + j], b[i * columns + j])
                    e[j * inner + i] = x; e[j * inner + rows + i] = y
                    f[j * inner + i] = x; f[j * inner + rows + i] = -y
                    h[j * inner + i] = y; h[j * inner + rows + i] = x
                }
            }
        }
        var xm = [Double](repeating: 0, count: c * c), ym = xm
        e.withUnsafeBufferPointer { ep in f.withUnsafeBufferPointer { fp in h.withUnsafeBufferPointer { hp in
            xm.withUnsafeMutableBufferPointer { xp in ym.withUnsafeMutableBufferPointer { yp in
                Double.gemm(transposeA: false, transposeB: true, m: c, n: c, k: inner, alpha: 1, a: ep.baseAddress!, lda: inner,
                            b: ep.baseAddress!, ldb: inner, beta: 0, c: xp.baseAddress!, ldc: c)
                Double.gemm(transposeA: false, transposeB: true, m: c, n: c, k: inner, alpha: 1, a: fp.baseAddress!, lda: inner,
                            b: hp.baseAddress!, ldb: inner, beta: 0, c: yp.baseAddress!, ldc: c)
            } }
        } } }
        // The real embedding [[X, −Y], [Y, X]] (upper triangle read).
        let n = 2 * c
        var embedded = [Double](repeating: 0, count: n * n)
        for i in 0..<c {
            for j in 0..<c {
                embedded[i * n + j] = xm[i * c + j]
                embedded[(c + i) * n + c + j] = xm[i * c + j]
                embedded[i * n + c + j] = -ym[i * c + j]
                embedded[(c + i) * n + j] = ym[i * c + j]
            }
        }
        return try SymmetricEigen.largestValue(embedded, n: n)
    }
}
