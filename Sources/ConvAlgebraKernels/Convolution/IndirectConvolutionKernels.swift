import ConvAlgebraCore
import ConvAlgebraBackends
import CMicroKernels

/// Multi-channel convolution in FP32 with no column matrix at all (indirect convolution, after XNNPACK's
/// indirection buffers). The input is copied once into a zero-padded buffer, and then
/// ```
/// y[co, p] = Σ_(ci, τ) W[co, ci, τ] · x̂[base(p) + offset(ci, τ)]
/// ```
/// with `base(p) = Σ_d p_d·s_d·Ŝ_d` and `offset(ci, τ) = ci·N̂ + Σ_d (o_d + lo_d + τ_d·e_d)·Ŝ_d` (`Ŝ` the padded
/// strides, `lo` the leading padding): the address splits into a pixel part and a tap part, so a 6-pixel ×
/// 16-channel micro-kernel (`ca_conv_tile_6x16`) broadcasts the taps straight from the input.
///
/// The transpose runs the same kernel by sub-pixel (polyphase) decomposition: the outputs `c = φ + s·a` of
/// phase `φ` receive only the taps with `(φ − o − τ·e) ≡ 0 (mod s)`, from `y[a + δ(τ)]`, `δ(τ) = (φ − o − τ·e)/s`,
/// which is again a stride-1 correlation over the padded `y`: no inserted zero is ever multiplied, and no two
/// terms write the same output, so nothing is scattered.
/// Why: in the implicit GEMM, building and packing the column blocks took ~20 % of a 3×3 conv's time.
/// - Complexity: `2·batch·C_out·M·(C_in/G)·K` FLOPs (each way), pixels rounded up to 6 and channels to 16;
///   the padded copy of the input (in chunks within ``Im2colGEMMKernels/maxScratch``), the offsets, the pixel
///   bases and the weights packed by 16 channels.
package enum IndirectConvolutionKernels {
    package static let tilePixels = 6, tileChannels = 16
    /// Output planes below this keep the implicit GEMM, whose blocks run across samples.
    package static let minimumOutputPlane = 192

    /// One pass of the micro-kernel: pixel bases in the padded source plane, where each pixel lands in the
    /// output plane (nil: in order), tap offsets, and the weights packed `[group][block of 16][row][16]`.
    package struct Pass {
        package var bases: [Int], targets: [Int]?, offsets: [Int], packed: [Float], blocks: Int
    }

    /// Leading padding and padded extent per dimension for reads `first ... last` of an extent `n`.
    package static func padded(first: Int, last: Int, n: Int) -> (lo: Int, size: Int) {
        let l = max(0, -first), h = max(0, last - (n - 1))
        return (l, n + l + h)
    }

    package static func forwardPadding(_ g: ConvolutionGeometry) -> (lo: [Int], size: [Int]) {
        var lo = [Int](), size = [Int]()
        for d in 0..<g.rank {
            let reach = (g.kernelSize[d] - 1) * g.tapStep[d]
            let p = padded(first: g.offset[d] + min(0, reach),
                           last: (g.outputSize[d] - 1) * g.stride[d] + g.offset[d] + max(0, reach), n: g.inputSize[d])
            lo.append(p.lo); size.append(p.size)
        }
        return (lo, size)
    }

    /// The taps of phase `φ` along one dimension with their shifts `δ = (φ − o − t·e)/s`.
    package static func phaseTaps(_ g: ConvolutionGeometry, _ d: Int, phase φ: Int) -> [(tap: Int, shift: Int)] {
        let s = g.stride[d]
        return (0..<g.kernelSize[d]).compactMap { t in
            let u = φ - g.offset[d] - t * g.tapStep[d]
            return ((u % s) + s) % s == 0 ? (t, RowPlan.floorDiv(u, s)) : nil
        }
    }

    package static func transposePadding(_ g: ConvolutionGeometry) -> (lo: [Int], size: [Int]) {
        var lo = [Int](), size = [Int]()
        for d in 0..<g.rank {
            var first = 0, last = 0
            for φ in 0..<min(g.stride[d], g.inputSize[d]) {
                let count = (g.inputSize[d] - φ + g.stride[d] - 1) / g.stride[d]
                for (_, shift) in phaseTaps(g, d, phase: φ) {
                    first = min(first, shift); last = max(last, count - 1 + shift)
                }
            }
            let p = padded(first: first, last: last, n: g.outputSize[d])
            lo.append(p.lo); size.append(p.size)
        }
        return (lo, size)
    }

    /// Large planes, at least 16 channels written per group, one padded sample within the scratch limit.
    package static func applies(_ g: ConvolutionGeometry, transposed: Bool = false) -> Bool {
        let written = transposed ? g.inChannelsPerGroup : g.outChannelsPerGroup
        let phases = transposed ? g.stride.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 } : 1
        guard phases <= Int.max / minimumOutputPlane, (transposed ? g.inputPlane : g.outputPlane) >= minimumOutputPlane * phases,  // strides up to 2⁶³−1
              written >= tileChannels else { return false }
        let size = transposed ? transposePadding(g).size : forwardPadding(g).size
        let plane = size.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        let (sample, o) = plane.multipliedReportingOverflow(by: transposed ? g.outChannels : g.inChannels)
        return !o && sample <= Im2colGEMMKernels.maxScratch
            && max(g.outputPlane, g.inputPlane) <= Im2colGEMMKernels.maxScratch
    }

    // MARK: - Forward and transpose

    package static func forward(_ g: ConvolutionGeometry, _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                        _ y: UnsafeMutablePointer<Float>, batch: Int) {
        let (K, cig, cog, G) = (g.kernelPlane, g.inChannelsPerGroup, g.outChannelsPerGroup, g.groups)
        let (lo, size) = forwardPadding(g)
        let strides = rowMajorStrides(size), plane = size.reduce(1, *), rows = cig * K
        let taps = odometer(g.kernelSize) { d, t in (g.offset[d] + lo[d] + t * g.tapStep[d]) * strides[d] }
        var offsets = [Int](repeating: 0, count: rows)
        for ci in 0..<cig { for tau in 0..<K { offsets[ci * K + tau] = ci * plane + taps[tau] } }
        let blocks = (cog + tileChannels - 1) / tileChannels
        var packed = [Float](repeating: 0, count: G * blocks * rows * tileChannels)
        for grp in 0..<G {
            for co in 0..<cog {
                let dst = ((grp * blocks + co / tileChannels) * rows) * tileChannels + co % tileChannels
                let src = (grp * cog + co) * rows
                for p in 0..<rows { packed[dst + p * tileChannels] = w[src + p] }
            }
        }
        let pass = Pass(bases: odometer(g.outputSize) { d, i in i * g.stride[d] * strides[d] }, targets: nil,
                        offsets: offsets, packed: packed, blocks: blocks)
        withPaddedSource(x, sizes: g.inputSize, lo: lo, size: size, channels: g.inChannels, batch: batch) { src, b0, nb in
            run([pass], src, samples: nb, sourceSample: g.inChannels * plane, sourceGroup: cig * plane, groups: G,
                y + b0 * g.outChannels * g.outputPlane, outChannels: g.outChannels, perGroup: cog, outPlane: g.outputPlane)
        }
    }

    /// `x̃ = Aᵀ y`: one ``Pass`` per phase `φ` of the transposed op's output (the forward's input).
    package static func transpose(_ g: ConvolutionGeometry, _ w: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                          _ x: UnsafeMutablePointer<Float>, batch: Int) {
        let (K, cig, cog, G, r) = (g.kernelPlane, g.inChannelsPerGroup, g.outChannelsPerGroup, g.groups, g.rank)
        let (lo, size) = transposePadding(g)
        let strides = rowMajorStrides(size), plane = size.reduce(1, *)
        let outStrides = rowMajorStrides(g.inputSize), kernelStrides = rowMajorStrides(g.kernelSize)
        let blocks = (cig + tileChannels - 1) / tileChannels
        var passes = [Pass]()
        var empty = [Int]()  // outputs of phases that no tap reaches: zero
        for phase in odometerIndices(g.stride) {
            var counts = [Int](repeating: 0, count: r)
            for d in 0..<r {
                let s = g.stride[d], n = g.inputSize[d]
                counts[d] = max(0, (n - phase[d] + s - 1) / s)
            }
            guard counts.allSatisfy({ $0 > 0 }) else { continue }
            let targets = odometer(counts) { (d: Int, a: Int) -> Int in (phase[d] + g.stride[d] * a) * outStrides[d] }
            let perDim = (0..<r).map { phaseTaps(g, $0, phase: phase[$0]) }
            guard perDim.allSatisfy({ !$0.isEmpty }) else { empty += targets; continue }
            // Taps of the phase (flat kernel index, offset in the padded y plane), row-major over dimensions.
            var flats = [0], shifts = [0]
            for d in 0..<r {
                var nextFlats = [Int](), nextShifts = [Int]()
                for i in 0..<flats.count {
                    for q in perDim[d] {
                        nextFlats.append(flats[i] + q.tap * kernelStrides[d])
                        nextShifts.append(shifts[i] + (q.shift + lo[d]) * strides[d])
                    }
                }
                flats = nextFlats; shifts = nextShifts
            }
            let T = flats.count, rows = cog * T
            var offsets = [Int](repeating: 0, count: rows)
            for co in 0..<cog { for i in 0..<T { offsets[co * T + i] = co * plane + shifts[i] } }
            var packed = [Float](repeating: 0, count: G * blocks * rows * tileChannels)
            packed.withUnsafeMutableBufferPointer { pk in
                flats.withUnsafeBufferPointer { fl in
                    for grp in 0..<G {
                        for ci in 0..<cig {
                            let dst = ((grp * blocks + ci / tileChannels) * rows) * tileChannels + ci % tileChannels
                            for co in 0..<cog {
                                let src = ((grp * cog + co) * cig + ci) * K
                                for i in 0..<T { pk[dst + (co * T + i) * tileChannels] = w[src + fl[i]] }
                            }
                        }
                    }
                }
            }
            passes.append(Pass(bases: odometer(counts) { d, a in a * strides[d] }, targets: targets,
                               offsets: offsets, packed: packed, blocks: blocks))
        }
        let (N, cin) = (g.inputPlane, g.inChannels)
        for l in 0..<batch { for c in 0..<cin { let p = x + (l * cin + c) * N; for t in empty { p[t] = 0 } } }
        withPaddedSource(y, sizes: g.outputSize, lo: lo, size: size, channels: g.outChannels, batch: batch) { src, b0, nb in
            run(passes, src, samples: nb, sourceSample: g.outChannels * plane, sourceGroup: cog * plane, groups: G,
                x + b0 * cin * N, outChannels: cin, perGroup: cig, outPlane: N)
        }
    }

    // MARK: - The tile loop

    /// Runs every pass over `samples` samples: tiles of 6 pixels (within one sample) split between the cores.
    package static func run(_ passes: [Pass], _ src: UnsafePointer<Float>, samples: Int, sourceSample: Int, sourceGroup: Int,
                    groups: Int, _ out: UnsafeMutablePointer<Float>, outChannels: Int, perGroup: Int, outPlane: Int) {
        let workers = ProcessInfoLite.activeProcessorCount
        for pass in passes {
            let M = pass.bases.count, rows = pass.offsets.count
            let tilesPerSample = (M + tilePixels - 1) / tilePixels, items = samples * tilesPerSample
            let parts = max(1, min(workers, items))
            pass.bases.withUnsafeBufferPointer { bp in
            pass.offsets.withUnsafeBufferPointer { op in
            pass.packed.withUnsafeBufferPointer { wp in
            (pass.targets ?? []).withUnsafeBufferPointer { tg in
                for grp in 0..<groups {
                    Parallel.forEach(jobs: parts, work: items * rows * perGroup * tilePixels, threshold: 1 << 16) { worker in
                        withUnsafeTemporaryAllocation(of: Float.self, capacity: tilePixels * tileChannels) { tile in
                        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: tilePixels) { pointers in
                            let tp = tile.baseAddress!, pp = pointers.baseAddress!
                            for item in (worker * items / parts)..<((worker + 1) * items / parts) {
                                let l = item / tilesPerSample, j0 = (item - l * tilesPerSample) * tilePixels
                                let valid = min(tilePixels, M - j0)
                                let sample = src + l * sourceSample + grp * sourceGroup
                                for i in 0..<tilePixels { pp[i] = sample + bp[j0 + min(i, valid - 1)] }
                                for b in 0..<pass.blocks {
                                    ca_conv_tile_6x16(rows, UnsafePointer(pp), op.baseAddress!,
                                                      wp.baseAddress! + (grp * pass.blocks + b) * rows * tileChannels, tp)
                                    for j in 0..<min(tileChannels, perGroup - b * tileChannels) {
                                        let dst = out + (l * outChannels + grp * perGroup + b * tileChannels + j) * outPlane
                                        if tg.isEmpty {
                                            for i in 0..<valid { dst[j0 + i] = tp[i * tileChannels + j] }
                                        } else {
                                            for i in 0..<valid { dst[tg[j0 + i]] = tp[i * tileChannels + j] }
                                        }
                                    }
                                }
                            }
                        }
                        }
                    }
                }
            }
            }
            }
            }
        }
    }

    // MARK: - Padding and index helpers

    /// Calls `body(padded, firstSample, samples)` on chunks of samples copied into zero-padded planes
    /// (or on `x` itself when no padding is needed).
    package static func withPaddedSource(_ x: UnsafePointer<Float>, sizes: [Int], lo: [Int], size: [Int], channels: Int,
                                 batch: Int, _ body: (UnsafePointer<Float>, Int, Int) -> Void) {
        let N = sizes.reduce(1, *), plane = size.reduce(1, *)
        guard size != sizes else { return body(x, 0, batch) }
        let perSample = channels * plane
        let chunk = max(1, min(batch, Im2colGEMMKernels.maxScratch / max(perSample, 1)))
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: chunk * perSample)
        defer { buffer.deallocate() }
        let strides = rowMajorStrides(size), r = sizes.count, n = sizes[r - 1], rowsPerPlane = n == 0 ? 0 : N / n
        let rowStarts = odometer(Array(sizes.dropLast())) { d, i in (i + lo[d]) * strides[d] }
        rowStarts.withUnsafeBufferPointer { rs in
            var b0 = 0
            while b0 < batch {
                let nb = min(chunk, batch - b0), planes = nb * channels
                Parallel.forEach(jobs: planes, work: planes * plane, threshold: 1 << 16) { k in
                    let dst = buffer + k * plane, src = x + (b0 * channels + k) * N
                    dst.update(repeating: 0, count: plane)
                    for row in 0..<rowsPerPlane { (dst + rs[row] + lo[r - 1]).update(from: src + row * n, count: n) }
                }
                body(UnsafePointer(buffer), b0, nb)
                b0 += nb
            }
        }
    }

    package static func rowMajorStrides(_ size: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: size.count)
        for d in stride(from: size.count - 2, through: 0, by: -1) { s[d] = s[d + 1] * size[d + 1] }
        return s
    }

    /// Every multi-index of `extents`, row-major.
    package static func odometerIndices(_ extents: [Int]) -> [[Int]] {
        var out = [[Int]](), index = [Int](repeating: 0, count: extents.count)
        for _ in 0..<extents.reduce(1, *) {
            out.append(index)
            var d = extents.count - 1
            while d >= 0 { index[d] += 1; if index[d] < extents[d] { break }; index[d] = 0; d -= 1 }
        }
        return out
    }

    /// `Σ_d f(d, index_d)` for every multi-index of `extents`, row-major.
    package static func odometer(_ extents: [Int], _ f: (Int, Int) -> Int) -> [Int] {
        odometerIndices(extents).map { index in (0..<index.count).reduce(0) { $0 + f($1, index[$1]) } }
    }
}
