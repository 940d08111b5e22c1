import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import Foundation

/// The output-side Gram symbol of one channel group of a convolution, `F(ω) = Σ_j R_j e^{i j·ω}` (a Hermitian,
/// positive semi-definite `C_out/G` square for every `ω`), and the branch and bound that brackets
/// `sup_ω λ_max F(ω)`; see ``ConvolutionNormBound`` for the formulas and why the bound holds.
///
/// `R_{−j} = R_jᵀ`, so `F = Re + i·Im` with `Re` symmetric and `Im` antisymmetric; its largest eigenvalue is the
/// spectral norm of the real symmetric embedding `[[Re, −Im], [Im, Re]]` (each eigenvalue of `F` twice). A single
/// output channel per group needs no LAPACK: `F(ω) = Σ_j R_j cos(j·ω)`.
struct GramSymbol {
    let rank: Int
    /// `C_out/G`.
    let side: Int
    /// The lags `j`, `rank` values each, flat.
    private(set) var lags: [Double] = []
    /// `R_j`, `side²` values each (row-major), flat, in the order of ``lags``.
    private(set) var matrices: [Double] = []
    /// `M = Σ_j ‖j‖² ‖R_j‖_F`: the curvature bound of every `vᴴF(ω)v`, `‖v‖ = 1`.
    private(set) var curvature = 0.0
    /// An upper bound of the rounding error of one evaluation of `λ_max F`.
    private(set) var rounding = 0.0

    var lagCount: Int { lags.count / Swift.max(rank, 1) }

    /// The lag matrices of group `group`: for the lag `Δ = t′ − t` of two taps, `j = Δ·e / s` when every
    /// dimension divides (the polyphase component), `R_j[a, b] = Σ_{ci} Σ_t W[a, ci, t] W[b, ci, t + Δ]`.
    init(geometry g: ConvolutionGeometry, weight w: [Double], group: Int, stride s: [Int], budget: MemoryBudget) throws {
        let r = g.rank
        rank = r
        let cog = g.outChannelsPerGroup, cig = g.inChannelsPerGroup, K = g.kernelPlane
        side = cog
        let k = g.kernelSize, e = g.tapStep
        let span = k.map { 2 * $0 - 1 }
        let spanCount = try Shape(span).count
        try budget.check("the lag matrices of a convolution's symbol",
                         count: try Checked.multiply(spanCount, try Checked.multiply(cog, cog, "the lag matrices"), "the lag matrices"),
                         elementBytes: MemoryLayout<Double>.stride)
        let kStride = Odometer.rowMajorStrides(k)
        var lag = Odometer(span)
        var sumNorms = 0.0, sumOrders = 0.0
        var R = [Double](repeating: 0, count: cog * cog)
        for _ in 0..<spanCount {
            defer { _ = lag.next() }
            let delta = (0..<r).map { lag.index[$0] - (k[$0] - 1) }
            guard (0..<r).allSatisfy({ (delta[$0] * e[$0]) % s[$0] == 0 }) else { continue }
            let taps = (0..<r).map { Swift.max(0, -delta[$0])..<Swift.min(k[$0], k[$0] - delta[$0]) }
            guard !taps.contains(where: \.isEmpty) else { continue }
            for i in R.indices { R[i] = 0 }
            var t = Odometer(taps.map(\.count))
            for _ in 0..<t.count {
                defer { _ = t.next() }
                var tau = 0, shifted = 0
                for d in 0..<r {
                    let td = taps[d].lowerBound + t.index[d]
                    tau += td * kStride[d]; shifted += (td + delta[d]) * kStride[d]
                }
                for a in 0..<cog {
                    let rowA = ((group * cog + a) * cig) * K
                    for b in 0..<cog {
                        let rowB = ((group * cog + b) * cig) * K
                        var sum = 0.0
                        for ci in 0..<cig { sum += w[rowA + ci * K + tau] * w[rowB + ci * K + shifted] }
                        R[a * cog + b] += sum
                    }
                }
            }
            let norm = R.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { continue }
            let j = (0..<r).map { Double(delta[$0] * e[$0] / s[$0]) }
            lags += j
            matrices += R
            curvature += j.reduce(0) { $0 + $1 * $1 } * norm
            sumNorms += norm
            sumOrders += j.reduce(0) { $0 + abs($1) }
        }
        // Each entry sums lagCount products whose phases carry an error of about ε·|j·ω| ≤ ε·2π‖j‖₁, then LAPACK's
        // backward error on a 2·side square: a generous multiple of ε‖F‖ per term.
        rounding = 64 * Double.ulpOfOne * sumNorms * (Double(lagCount + 2 * side + 8) + 8 * sumOrders)
    }

    /// `λ_max F(ω)` for `ω` = `omega[0 ..< rank]`.
    func largestEigenvalue(_ omega: UnsafePointer<Double>) throws -> Double {
        let n = lagCount, r = rank
        if side == 1 {
            var v = 0.0
            for l in 0..<n {
                var theta = 0.0
                for d in 0..<r { theta += lags[l * r + d] * omega[d] }
                v += matrices[l] * cos(theta)
            }
            return v
        }
        let c = side, cols = 2 * side
        var embedding = [Double](repeating: 0, count: cols * cols)
        for l in 0..<n {
            var theta = 0.0
            for d in 0..<r { theta += lags[l * r + d] * omega[d] }
            let re = cos(theta), im = sin(theta), base = l * c * c
            for a in 0..<c {
                for b in 0..<c {
                    let x = matrices[base + a * c + b]
                    embedding[a * cols + b] += x * re
                    embedding[(c + a) * cols + c + b] += x * re
                    embedding[(c + a) * cols + b] += x * im
                    embedding[a * cols + c + b] -= x * im
                }
            }
        }
        return try DenseMatrix(rows: cols, columns: cols, entries: embedding).spectralNorm(budget: .unlimited)
    }

    /// The supremum of `λ_max F` over the torus, bracketed: `sampled` (the largest value evaluated) ≤ sup ≤ `upper`.
    /// - Complexity: at most about `2·10⁹` FLOPs of evaluations (a cap on their number by their cost).
    func supremum() throws -> (upper: Double, sampled: Double, evaluations: Int) {
        let r = rank, children = 1 << r
        let cost = Double(lagCount * side * side * 4 + 8) + (side > 1 ? 20 * pow(Double(2 * side), 3) : 0)
        let cap = Int(Swift.min(Double(1 << 20), Swift.max(256, 2e9 / cost)))
        var perSide = 2
        while pow(Double(2 * perSide), Double(r)) <= Double(Swift.min(cap / 4, 4096)) { perSide *= 2 }
        var h = 2 * Double.pi / Double(perSide)
        // Level 0: the centres of a perSide^r grid of cells.
        var centres: [Double] = []
        var cell = Odometer([Int](repeating: perSide, count: r))
        for _ in 0..<cell.count {
            for d in 0..<r { centres.append((Double(cell.index[d]) + 0.5) * h) }
            _ = cell.next()
        }
        var values = try evaluate(centres)
        var evaluations = values.count
        var best = values.max() ?? 0
        while true {
            let margin = 0.5 * curvature * Double(r) * (h / 2) * (h / 2)
            var kept: [Double] = [], upper = -Double.infinity
            for i in values.indices where values[i] + margin + rounding >= best {
                kept += centres[(i * r)..<((i + 1) * r)]
                upper = Swift.max(upper, values[i] + margin)
            }
            upper += rounding
            let survivors = kept.count / r
            if upper - best <= 1e-10 * abs(best) + rounding || evaluations + survivors * children > cap || h < 1e-9 {
                return (Swift.max(upper, 0), Swift.max(best, 0), evaluations)
            }
            // Halve every surviving cell: its 2^r children are centred at ±h/4 from its centre.
            h /= 2
            centres.removeAll(keepingCapacity: true)
            for c in 0..<survivors {
                for corner in 0..<children {
                    for d in 0..<r { centres.append(kept[c * r + d] + ((corner >> d) & 1 == 1 ? h / 2 : -h / 2)) }
                }
            }
            values = try evaluate(centres)
            evaluations += values.count
            best = Swift.max(best, values.max() ?? best)
        }
    }

    private func evaluate(_ centres: [Double]) throws -> [Double] {
        try centres.withUnsafeBufferPointer { p in
            try (0..<(centres.count / Swift.max(rank, 1))).map { try largestEigenvalue(p.baseAddress! + $0 * rank) }
        }
    }
}
