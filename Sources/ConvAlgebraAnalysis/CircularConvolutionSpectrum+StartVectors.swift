import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import Foundation

/// Start vectors for ``BlockLanczos`` on a stride-1 convolution, from the circular-padding spectrum.
///
/// The circular operator's right singular vectors are plane waves `x[ci, j] = v[ci]·e^{2πi f·j/n}` with `v` a right
/// singular vector of the frequency block `P(f)` (see ``CircularConvolutionSpectrum``). For zero padding the true top
/// singular vectors are close to those plane waves under the lowest Dirichlet envelope `Π_d sin(π(j_d + 1)/(n_d + 1))`,
/// so the start block holds, for the frequencies with the largest `‖P(f)‖_F` (a cheap proxy for `σ₁(P(f))`), the real
/// and imaginary parts of the plane wave of `P(f)`'s top right singular vector (30 power steps on `PᴴP`), enveloped
/// for zero padding. They only speed the Krylov run up: its result is certified whatever the start.
extension CircularConvolutionSpectrum {
    /// Up to `2·frequencies` start vectors in the convolution's domain (empty when the FFT method does not apply).
    /// - Throws: a memory-budget error for the vectors.
    /// - Complexity: `∏n/2 · K·C_out·C_in/G` for the blocks' norms, plus `frequencies · 30 · 4·C_out·C_in/G` and
    ///   `2·frequencies · C_in·∏n` for the vectors.
    public static func startVectors<S: BLASScalar>(geometry g: ConvolutionGeometry, taps: [S], frequencies count: Int,
                                                   budget: MemoryBudget = .default) throws -> [[Double]] {
        if case .notApplicable = applicability(g) { return [] }
        guard taps.count == g.weightCount, count > 0 else { return [] }
        let (P, K, G) = (g.inputPlane, g.kernelPlane, g.groups)
        let (cog, cig) = (g.outChannelsPerGroup, g.inChannelsPerGroup)
        let size = try Checked.multiply(g.inChannels, P, "the start vectors")
        try budget.check("the start vectors", count: try Checked.multiply(2 * count, size, "the start vectors"),
                         elementBytes: MemoryLayout<Double>.stride)
        let r = g.rank, n = g.inputSize
        let shift = tapShifts(g)
        let w = taps.map(Double.init)
        var cosines = [Double](repeating: 0, count: K), sines = [Double](repeating: 0, count: K)
        // The frequency blocks' squared Frobenius norms, per (frequency, group); one of each ±f pair.
        func frequency(_ p: Int) -> [Int] {
            var f = [Int](repeating: 0, count: r), rest = p
            for d in stride(from: r - 1, through: 0, by: -1) { f[d] = rest % n[d]; rest /= n[d] }
            return f
        }
        func block(_ f: [Int], _ grp: Int) -> (re: [Double], im: [Double]) {
            tapPhases(f, shift: shift, geometry: g, cosines: &cosines, sines: &sines)
            var re = [Double](repeating: 0, count: cog * cig), im = re
            for co in 0..<cog {
                for ci in 0..<cig {
                    let base = ((grp * cog + co) * cig + ci) * K
                    var a = 0.0, b = 0.0
                    for tau in 0..<K { a += w[base + tau] * cosines[tau]; b += w[base + tau] * sines[tau] }
                    re[co * cig + ci] = a; im[co * cig + ci] = b
                }
            }
            return (re, im)
        }
        var scored: [(norm: Double, p: Int, group: Int)] = []
        for p in 0..<P {
            let f = frequency(p)
            var mirror = 0, step = 1
            for d in stride(from: r - 1, through: 0, by: -1) { mirror += ((n[d] - f[d]) % n[d]) * step; step *= n[d] }
            if mirror < p { continue }
            for grp in 0..<G {
                let (re, im) = block(f, grp)
                scored.append((zip(re, im).reduce(0) { $0 + $1.0 * $1.0 + $1.1 * $1.1 }, p, grp))
            }
        }
        scored.sort { $0.norm > $1.norm }
        let envelope = g.boundary == .circular ? nil : dirichletEnvelope(n)
        var vectors: [[Double]] = []
        for pick in scored.prefix(count) {
            let f = frequency(pick.p)
            let (re, im) = block(f, pick.group)
            let (vr, vi) = topRightVector(re: re, im: im, rows: cog, columns: cig)
            // Re and Im of v·e^{2πi f·j/n} on the group's input channels.
            var real = [Double](repeating: 0, count: size), imaginary = real
            var j = [Int](repeating: 0, count: r)
            for q in 0..<P {
                var turns = 0.0
                for d in 0..<r { turns += Double((f[d] * j[d]) % n[d]) / Double(n[d]) }
                let (c, s) = (cos(2 * Double.pi * turns), sin(2 * Double.pi * turns))
                let e = envelope?[q] ?? 1
                for ci in 0..<cig {
                    let at = (pick.group * cig + ci) * P + q
                    real[at] = e * (vr[ci] * c - vi[ci] * s)
                    imaginary[at] = e * (vr[ci] * s + vi[ci] * c)
                }
                var d = r - 1
                while d >= 0 { j[d] += 1; if j[d] < n[d] { break }; j[d] = 0; d -= 1 }
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

    /// An approximation of the top right singular vector `v = vr + i·vi` of `P = re + i·im` (`rows × columns`):
    /// 30 steps of power iteration on `PᴴP` from a fixed start.
    static func topRightVector(re: [Double], im: [Double], rows: Int, columns: Int) -> (re: [Double], im: [Double]) {
        var vr = (0..<columns).map { 1 + 0.01 * Double($0 % 7) }, vi = [Double](repeating: 0, count: columns)
        var ur = [Double](repeating: 0, count: rows), ui = ur
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
            guard norm > 0 else { break }
            for b in 0..<columns { vr[b] /= norm; vi[b] /= norm }
        }
        return (vr, vi)
    }
}
