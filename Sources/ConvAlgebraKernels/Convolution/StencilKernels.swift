import ConvAlgebraCore
import ConvAlgebraBackends

/// The direct (matrix-free) forms of ``Convolution`` and ``TransposedConvolution``.
///
/// Both loop over (sample, channel) planes and, within a plane, visit exactly the terms of the
/// geometry: the forward form computes kept outputs only; the transpose gathers, for each output
/// sample, the (output, tap) pairs that land on it (polyphase), so no inserted zero is multiplied.
/// 1-D planes use affine index arithmetic with the interior split from the border (NNlib's
/// `conv_direct!` habit); N-D planes use the flat index map of ``ConvolutionGeometry``.
package enum StencilKernels {
    /// Planes are processed in parallel when a batch holds at least this many multiply-adds.
    package static let parallelThreshold = 1 << 16

    // MARK: - Through a one-off plan

    /// The direct form (`y = A x` or `x̃ = Aᵀ y`) through a one-off ``ConvolutionPlan``; operators cache theirs.
    package static func apply<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: [S], _ direction: ConvolutionDirection,
                                             _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, batch: Int) {
        ConvolutionPlan(g, weights: w, direction: direction).run(x, y, batch: batch)
    }
    package static func forward<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: [S], _ x: UnsafePointer<S>,
                                               _ y: UnsafeMutablePointer<S>, batch: Int) { apply(g, w, .forward, x, y, batch: batch) }
    package static func transpose<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: [S], _ y: UnsafePointer<S>,
                                                 _ x: UnsafeMutablePointer<S>, batch: Int) { apply(g, w, .transpose, y, x, batch: batch) }

    // MARK: - Reference loops (the test oracle of the fast kernels)

    package static func referenceForward<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: [S], _ x: UnsafePointer<S>,
                                                        _ y: UnsafeMutablePointer<S>, batch: Int) {
        reference(g, w, .forward, x, y, batch: batch)
    }

    package static func referenceTranspose<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: [S], _ y: UnsafePointer<S>,
                                                          _ x: UnsafeMutablePointer<S>, batch: Int) {
        reference(g, w, .transpose, y, x, batch: batch)
    }

    /// The reference loops, one job per (sample, output channel) plane of the direction: the forward sums its
    /// group's input planes through the index map (1-D: affine, interior split from the border); the transpose
    /// gathers, per output element, the (output position, tap) pairs that land on it (polyphase).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func reference<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: [S], _ direction: ConvolutionDirection,
                                                 _ src: UnsafePointer<S>, _ dst: UnsafeMutablePointer<S>, batch: Int) {
        let forward = direction == .forward
        let (N, M, K) = (g.inputPlane, g.outputPlane, g.kernelPlane)
        let (cig, cog, cin, cout) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.inChannels, g.outChannels)
        // Forward N-D: the index map; transpose N-D (or circular): the map inverted into per-input lists.
        let map: [Int32] = forward && g.rank > 1 ? try! g.spatialMap(budget: .unlimited) : []
        let (offsets, pairs) = !forward && (g.rank > 1 || g.boundary == .circular) ? invertedMap(g) : ([], [])
        let (planes, plane) = forward ? (cout, M) : (cin, N)
        w.withUnsafeBufferPointer { wp in
        map.withUnsafeBufferPointer { mp in
        offsets.withUnsafeBufferPointer { op in
        pairs.withUnsafeBufferPointer { pp in
            run(jobs: batch * planes, work: batch * cout * M * cig * K) { job in
                let b = job / planes, c = job % planes, out = dst + job * plane
                out.update(repeating: 0, count: plane)
                if forward {
                    let grp = c / cog
                    for ci in 0..<cig {
                        let xp = src + (b * cin + grp * cig + ci) * N, wt = wp.baseAddress! + (c * cig + ci) * K
                        if g.rank == 1 { forwardPlane1D(g, wt, xp, out) } else { forwardPlaneMapped(mp, M, K, wt, xp, out) }
                    }
                } else {
                    let grp = c / cig, ci = c % cig
                    for co in (grp * cog)..<((grp + 1) * cog) {
                        let yp = src + (b * cout + co) * M, wt = wp.baseAddress! + (co * cig + ci) * K
                        if op.isEmpty { transposePlane1D(g, wt, yp, out) } else { transposePlaneMapped(op, pp, N, wt, yp, out) }
                    }
                }
            }
        }
        }
        }
        }
    }

    /// `y[i] += Σ_t w[t] · x[i·s + o + t·e]` along one dimension.
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func forwardPlane1D<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: UnsafePointer<S>,
                                              _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>) {
        let (n, m, K, s, o, e) = g.dimension(0)
        // Interior: every tap of output i reads inside 0 ..< n.
        let lowReach = min(0, (K - 1) * e), highReach = max(0, (K - 1) * e)
        let iLo = max(0, IntegerArithmetic.ceilDiv(-o - lowReach, s))
        let iHi = min(m - 1, IntegerArithmetic.floorDiv(n - 1 - o - highReach, s))
        let border = { (i: Int) in
            var acc: S = 0
            for t in 0..<K {
                let c = g.inputIndex(0, output: i, tap: t)
                if c >= 0 { acc += w[t] * x[c] }
            }
            y[i] += acc
        }
        if iLo > iHi {
            for i in 0..<m { border(i) }
            return
        }
        for i in 0..<iLo { border(i) }
        for i in iLo...iHi {
            let base = x + (i * s + o)
            var acc: S = 0
            for t in 0..<K { acc += w[t] * base[t * e] }
            y[i] += acc
        }
        for i in (iHi + 1)..<max(m, iHi + 1) { border(i) }
    }

    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func forwardPlaneMapped<S: BLASScalar>(_ map: UnsafeBufferPointer<Int32>, _ M: Int, _ K: Int,
                                                  _ w: UnsafePointer<S>, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>) {
        for p in 0..<M {
            var acc: S = 0
            let row = p * K
            for tau in 0..<K {
                let c = Int(map[row + tau])
                if c >= 0 { acc += w[tau] * x[c] }
            }
            y[p] += acc
        }
    }

    /// `x̃[c] += Σ_{t : (c − o − t·e) = i·s, 0 ≤ i < m} w[t] · y[i]` along one dimension, zero boundary:
    /// the polyphase gather (only taps whose phase matches `c` are visited).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func transposePlane1D<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: UnsafePointer<S>,
                                                _ y: UnsafePointer<S>, _ x: UnsafeMutablePointer<S>) {
        let (n, m, K, s, o, e) = g.dimension(0)
        if s == 1 {
            // Interior: every tap's i = c − o − t·e lies in 0 ..< m.
            let lowReach = min(0, (K - 1) * e), highReach = max(0, (K - 1) * e)
            let cLo = max(0, o + highReach), cHi = min(n - 1, m - 1 + o + lowReach)
            let border = { (c: Int) in
                var acc: S = 0
                for t in 0..<K {
                    let i = c - o - t * e
                    if i >= 0 && i < m { acc += w[t] * y[i] }
                }
                x[c] += acc
            }
            if cLo > cHi { for c in 0..<n { border(c) }; return }
            for c in 0..<cLo { border(c) }
            for c in cLo...cHi {
                let base = y + (c - o)
                var acc: S = 0
                for t in 0..<K { acc += w[t] * base[-t * e] }
                x[c] += acc
            }
            for c in (cHi + 1)..<max(n, cHi + 1) { border(c) }
            return
        }
        for c in 0..<n {
            var acc: S = 0
            // Taps t with (c − o − t·e) ≡ 0 (mod s): step through them by s / gcd(e, s).
            let j0 = c - o
            var t = 0
            while t < K && ((j0 - t * e) % s + s) % s != 0 { t += 1 }
            let step = s / IntegerArithmetic.gcd(abs(e), s)
            while t < K {
                let i = (j0 - t * e) / s
                if i >= 0 && i < m { acc += w[t] * y[i] }
                t += step
            }
            x[c] += acc
        }
    }

    @_specialize(where S == Float)
    @_specialize(where S == Double)
    package static func transposePlaneMapped<S: BLASScalar>(_ offsets: UnsafeBufferPointer<Int>, _ pairs: UnsafeBufferPointer<Int32>,
                                                    _ N: Int, _ w: UnsafePointer<S>, _ y: UnsafePointer<S>,
                                                    _ x: UnsafeMutablePointer<S>) {
        for c in 0..<N {
            var acc: S = 0
            for e in offsets[c]..<offsets[c + 1] { acc += w[Int(pairs[2 * e + 1])] * y[Int(pairs[2 * e])] }
            x[c] += acc
        }
    }

    /// N-D transpose: the index map inverted once into per-input lists of (output position, tap): input `c`'s
    /// pairs are `pairs[2e], pairs[2e + 1]` for `e` in `offsets[c] ..< offsets[c + 1]`.
    package static func invertedMap(_ g: ConvolutionGeometry) -> (offsets: [Int], pairs: [Int32]) {
        let (N, M, K) = (g.inputPlane, g.outputPlane, g.kernelPlane)
        let map = try! g.spatialMap(budget: .unlimited)
        var offsets = [Int](repeating: 0, count: N + 1)
        for c in map where c >= 0 { offsets[Int(c) + 1] += 1 }
        for c in 0..<N { offsets[c + 1] += offsets[c] }
        var next = offsets
        var pairs = [Int32](repeating: 0, count: 2 * offsets[N])
        for p in 0..<M {
            for tau in 0..<K {
                let c = Int(map[p * K + tau])
                if c >= 0 { pairs[2 * next[c]] = Int32(p); pairs[2 * next[c] + 1] = Int32(tau); next[c] += 1 }
            }
        }
        return (offsets, pairs)
    }

    // MARK: - Helpers

    package static func run(jobs: Int, work: Int, _ body: (Int) -> Void) {
        Parallel.forEach(jobs: jobs, work: work, threshold: parallelThreshold, body)
    }

}
