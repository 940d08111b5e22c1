import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import Foundation

/// Start vectors for ``BlockLanczos`` on a convolution, from the circular-padding spectrum.
///
/// The circular operator's right singular vectors are sums of plane waves `x[ci, j] = Σ_k v_k[ci]·e^{2πi ν_k·j/n}`
/// over the `∏s` input frequencies `ν_k = μ + k∘m` of one output frequency `μ`, with `v = (v_k)` a right singular
/// vector of the frequency block `M(μ)` (see ``CircularConvolutionSpectrum``; one plane wave for stride 1). For zero
/// padding the true top singular vectors are close to those waves under the lowest Dirichlet envelope
/// `Π_d sin(π(j_d + 1)/(n_d + 1))`. So the start block holds, for the frequencies whose block has the largest top
/// singular value (ranked by `‖M(μ)‖_F`, then 30 power steps on `MᴴM` for the best `4·frequencies` when the blocks
/// are small), the real and
/// imaginary parts of that wave, enveloped for zero padding. They only speed the Krylov run up: its result is
/// certified whatever the start.
extension CircularConvolutionSpectrum {
    /// Up to `2·frequencies` start vectors in the convolution's domain (empty when the FFT method does not apply).
    ///
    /// `smallest` asks for the waves of the *smallest* singular values instead (for Krylov runs on `(AᵀA)⁻¹`): every
    /// frequency block is ranked by its bottom singular value (exact for blocks of one column; 30 power steps on
    /// `‖M‖_F²·I − MᴴM` otherwise), and only for blocks of at most ``smallestBlockLimit`` entries (empty beyond:
    /// ranking every frequency would cost more than it saves). `positions` keeps only that range of the domain's
    /// flat indices (a process's part of a distributed vector): each vector then has `positions.count` entries.
    /// - Throws: a memory-budget error for the vectors.
    /// - Complexity: `∏m/2 · ∏s·K·C_out·C_in/G` for the blocks' norms, plus `4·frequencies · 30 · 4·∏s·C_out·C_in/G`
    ///   for the power steps (`∏m/2 · 30 · 4·∏s·C_out·C_in/G` for `smallest`) and `2·frequencies · |positions|`
    ///   for the vectors.
    public static func startVectors<S: BLASScalar>(geometry g: ConvolutionGeometry, taps: [S], frequencies count: Int,
                                                   smallest: Bool = false, positions: Range<Int>? = nil,
                                                   budget: MemoryBudget = .default) throws -> [[Double]] {
        if case .notApplicable = applicability(g) { return [] }
        guard taps.count == g.weightCount, count > 0 else { return [] }
        let (P, G, cog, cig) = (g.inputPlane, g.groups, g.outChannelsPerGroup, g.inChannelsPerGroup)
        let size = try Checked.multiply(g.inChannels, P, "the start vectors")
        let kept = (positions ?? 0..<size).clamped(to: 0..<size)
        try budget.check("the start vectors", count: try Checked.multiply(2 * count, kept.count, "the start vectors"),
                         elementBytes: MemoryLayout<Double>.stride)
        let r = g.rank, n = g.inputSize
        var blocks = FrequencyBlocks(geometry: g, taps: taps)
        let cols = blocks.columns
        if smallest && cog * cols > smallestBlockLimit { return [] }
        var re = [Double](repeating: 0, count: cog * cols), im = re
        // The frequency blocks' squared Frobenius norms, per (output frequency, group); one of each ±μ pair.
        var picks: [(sigma: Double, p: Int, group: Int, vr: [Double], vi: [Double])] = []
        if smallest {
            // Every block by its bottom singular value, the smallest first.
            for p in 0..<g.outputPlane where blocks.mirror(p) >= p {
                blocks.setFrequency(p)
                for grp in 0..<G {
                    blocks.block(group: grp, re: &re, im: &im)
                    let (vr, vi, sigma) = bottomRightVector(re: re, im: im, rows: cog, columns: cols)
                    picks.append((sigma, p, grp, vr, vi))
                    if picks.count > 4 * count { picks.sort { $0.sigma < $1.sigma }; picks.removeLast(picks.count - count) }
                }
            }
            picks.sort { $0.sigma < $1.sigma }
        } else {
            // The frequency blocks' squared Frobenius norms, per (output frequency, group); one of each ±μ pair.
            var scored: [(norm: Double, p: Int, group: Int)] = []
            for p in 0..<g.outputPlane where blocks.mirror(p) >= p {
                blocks.setFrequency(p)
                for grp in 0..<G {
                    blocks.block(group: grp, re: &re, im: &im)
                    scored.append((zip(re, im).reduce(0) { $0 + $1.0 * $1.0 + $1.1 * $1.1 }, p, grp))
                }
            }
            scored.sort { $0.norm > $1.norm }
            // The best candidates by their (power-step) top singular value; for blocks of more than 2^16 entries
            // (whose power steps cost more than the Krylov steps they save) the Frobenius ranking alone.
            for pick in scored.prefix(cog * cols <= 1 << 16 ? 4 * count : count) {
                blocks.setFrequency(pick.p)
                blocks.block(group: pick.group, re: &re, im: &im)
                let (vr, vi, sigma) = topRightVector(re: re, im: im, rows: cog, columns: cols)
                picks.append((sigma, pick.p, pick.group, vr, vi))
            }
            picks.sort { $0.sigma > $1.sigma }
        }
        let envelope = g.boundary == .circular ? nil : dirichletEnvelope(n)
        var vectors: [[Double]] = []
        for pick in picks.prefix(count) {
            let mu = blocks.outputFrequency(pick.p)
            // Re and Im of Σ_k v_k·e^{2πi ν_k·j/n} on the group's input channels.
            var real = [Double](repeating: 0, count: kept.count), imaginary = real
            for a in 0..<blocks.aliases {
                let nu = blocks.inputFrequency(mu, alias: a)
                var j = [Int](repeating: 0, count: r)
                for q in 0..<P {
                    let first = (pick.group * cig) * P + q, last = (pick.group * cig + cig - 1) * P + q
                    if first < kept.upperBound && last >= kept.lowerBound {
                        var turns = 0.0
                        for d in 0..<r { turns += Double((nu[d] * j[d]) % n[d]) / Double(n[d]) }
                        let (c, s) = (cos(2 * Double.pi * turns), sin(2 * Double.pi * turns))
                        let e = envelope?[q] ?? 1
                        for ci in 0..<cig where kept.contains((pick.group * cig + ci) * P + q) {
                            let at = (pick.group * cig + ci) * P + q - kept.lowerBound
                            let (vr, vi) = (pick.vr[a * cig + ci], pick.vi[a * cig + ci])
                            real[at] += e * (vr * c - vi * s)
                            imaginary[at] += e * (vr * s + vi * c)
                        }
                    }
                    var d = r - 1
                    while d >= 0 { j[d] += 1; if j[d] < n[d] { break }; j[d] = 0; d -= 1 }
                }
            }
            vectors.append(real)
            vectors.append(imaginary)
        }
        return vectors
    }

    /// `Π_d sin(π(j_d + 1)/(n_d + 1))` over the plane, row-major.
    static func dirichletEnvelope(_ n: [Int]) -> [Double] {
        var out = [Double](repeating: 1, count: n.reduce(1, *))
        var j = [Int](repeating: 0, count: n.count)
        for q in out.indices {
            for d in n.indices { out[q] *= sin(Double.pi * Double(j[d] + 1) / Double(n[d] + 1)) }
            var d = n.count - 1
            while d >= 0 { j[d] += 1; if j[d] < n[d] { break }; j[d] = 0; d -= 1 }
        }
        return out
    }

    /// The most entries of a frequency block for which `startVectors(…, smallest: true)` ranks every block.
    public static let smallestBlockLimit = 256

    /// An approximation of the bottom right singular vector `v = vr + i·vi` of `P = re + i·im` (`rows × columns`,
    /// `rows ≥ columns`, else `σ_min = 0` on its null space): exact for one column (`v = 1`, `σ = ‖P‖`), else 30
    /// steps of power iteration on `‖P‖_F²·I − PᴴP` (its top eigenvector is `PᴴP`'s bottom one), with `‖P v‖`.
    static func bottomRightVector(re: [Double], im: [Double], rows: Int, columns: Int) -> (re: [Double], im: [Double], sigma: Double) {
        let frobenius = zip(re, im).reduce(0) { $0 + $1.0 * $1.0 + $1.1 * $1.1 }
        var vr = (0..<columns).map { 1 + 0.01 * Double($0 % 7) }, vi = [Double](repeating: 0, count: columns)
        var ur = [Double](repeating: 0, count: rows), ui = ur
        func product() {   // u = P v
            for a in 0..<rows {
                var sr = 0.0, si = 0.0
                for b in 0..<columns {
                    let (pr, pi) = (re[a * columns + b], im[a * columns + b])
                    sr += pr * vr[b] - pi * vi[b]; si += pr * vi[b] + pi * vr[b]
                }
                ur[a] = sr; ui[a] = si
            }
        }
        func normalise() {
            let norm = (zip(vr, vi).reduce(0) { $0 + $1.0 * $1.0 + $1.1 * $1.1 }).squareRoot()
            if norm > 0 { for b in 0..<columns { vr[b] /= norm; vi[b] /= norm } }
        }
        normalise()
        for _ in 0..<(columns > 1 ? 30 : 0) {
            product()
            var wr = vr.map { $0 * frobenius }, wi = vi.map { $0 * frobenius }
            for a in 0..<rows {   // w = ‖P‖²v − Pᴴ u
                for b in 0..<columns {
                    let (pr, pi) = (re[a * columns + b], im[a * columns + b])
                    wr[b] -= pr * ur[a] + pi * ui[a]; wi[b] -= pr * ui[a] - pi * ur[a]
                }
            }
            vr = wr; vi = wi
            normalise()
        }
        product()
        return (vr, vi, (zip(ur, ui).reduce(0) { $0 + $1.0 * $1.0 + $1.1 * $1.1 }).squareRoot())
    }

    /// An approximation of the top right singular vector `v = vr + i·vi` of `P = re + i·im` (`rows × columns`):
    /// 30 steps of power iteration on `PᴴP` from a fixed start, with the estimate `‖PᴴP v‖^{1/2}` of `σ₁(P)`.
    static func topRightVector(re: [Double], im: [Double], rows: Int, columns: Int) -> (re: [Double], im: [Double], sigma: Double) {
        var vr = (0..<columns).map { 1 + 0.01 * Double($0 % 7) }, vi = [Double](repeating: 0, count: columns)
        var ur = [Double](repeating: 0, count: rows), ui = ur
        var sigma = 0.0
        for _ in 0..<30 {
            for a in 0..<rows {   // u = P v
                var sr = 0.0, si = 0.0
                for b in 0..<columns {
                    let (pr, pi) = (re[a * columns + b], im[a * columns + b])
                    sr += pr * vr[b] - pi * vi[b]; si += pr * vi[b] + pi * vr[b]
                }
                ur[a] = sr; ui[a] = si
            }
            for b in 0..<columns { vr[b] = 0; vi[b] = 0 }
            for a in 0..<rows {   // v = Pᴴ u
                for b in 0..<columns {
                    let (pr, pi) = (re[a * columns + b], im[a * columns + b])
                    vr[b] += pr * ur[a] + pi * ui[a]; vi[b] += pr * ui[a] - pi * ur[a]
                }
            }
            let norm = (zip(vr, vi).reduce(0) { $0 + $1.0 * $1.0 + $1.1 * $1.1 }).squareRoot()
            sigma = norm.squareRoot()
            guard norm > 0 else { break }
            for b in 0..<columns { vr[b] /= norm; vi[b] /= norm }
        }
        return (vr, vi, sigma)
    }
}
