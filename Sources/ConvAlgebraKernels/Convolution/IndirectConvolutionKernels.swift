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
    package struct Pass: Sendable {
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
            return ((u % s) + s) % s == 0 ? (t, IntegerArithmetic.floorDiv(u, s)) : nil
        }
    }

    /// The taps of one phase of every dimension (`perDim[d]`, from ``phaseTaps(_:_:phase:)``), row-major over
    /// dimensions: each one's flat kernel index `Σ_d τ_d·kernelStrides[d]` and its offset `Σ_d (δ_d + lo_d)·strides[d]`
    /// in the padded plane (`lo` its leading padding, `strides` its row-major strides).
    /// - Complexity: `O(r·T)` for the `T = Π_d |perDim[d]|` taps.
    package static func phaseTapOffsets(_ perDim: [[(tap: Int, shift: Int)]], lo: [Int], kernelStrides: [Int],
                                        strides: [Int]) -> (flats: [Int], shifts: [Int]) {
        var flats = [Int](), shifts = [Int]()
        for q in Odometer.indices(perDim.map(\.count)) {
            var f = 0, sh = 0
            for d in perDim.indices {
                let tap = perDim[d][q[d]]
                f += tap.tap * kernelStrides[d]; sh += (tap.shift + lo[d]) * strides[d]
            }
            flats.append(f); shifts.append(sh)
        }
        return (flats, shifts)
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

    // MARK: - The plan

    /// What the indirect kernel precomputes, once per operator and direction: the passes (one forward, one per
    /// sub-pixel phase for the transpose), the padding of the source planes, and the outputs no tap reaches.
    package struct Prepared: Sendable {
        package let passes: [Pass]
        /// Nil when the source needs no padding (read in place).
        package let padding: PlanePadding?
        /// Transpose: outputs of phases no tap reaches (zeroed, never computed).
        package let empty: [Int]
        let source: (channels: Int, perGroup: Int, plane: Int, padded: Int)
        let out: (channels: Int, perGroup: Int, plane: Int)

        package init(_ g: ConvolutionGeometry, _ w: [Float], direction: ConvolutionDirection) {
            let forward = direction == .forward
            let (lo, size) = forward ? forwardPadding(g) : transposePadding(g)
            let sizes = forward ? g.inputSize : g.outputSize
            padding = size == sizes ? nil : PlanePadding(sizes: sizes, lo: lo, size: size, boundary: .zero)
            let plane = size.reduce(1, *)
            source = forward ? (g.inChannels, g.inChannelsPerGroup, g.inputPlane, plane)
                             : (g.outChannels, g.outChannelsPerGroup, g.outputPlane, plane)
            out = forward ? (g.outChannels, g.outChannelsPerGroup, g.outputPlane)
                          : (g.inChannels, g.inChannelsPerGroup, g.inputPlane)
            (passes, empty) = w.withUnsafeBufferPointer { wp in
                forward ? ([forwardPass(g, wp.baseAddress!, lo: lo, size: size)], [])
                        : transposePasses(g, wp.baseAddress!, lo: lo, size: size)
            }
        }

        /// `y = A x` or `x̃ = Aᵀ y` for `batch` samples.
        package func run(_ g: ConvolutionGeometry, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                         batch: Int, scratch: ScratchPool) {
            if !empty.isEmpty {
                for plane in 0..<(batch * out.channels) { let p = y + plane * out.plane; for t in empty { p[t] = 0 } }
            }
            withPaddedSource(x, batch: batch, scratch: scratch) { src, b0, nb in
                IndirectConvolutionKernels.run(
                    passes, src, samples: nb, sourceSample: source.channels * source.padded,
                    sourceGroup: source.perGroup * source.padded, groups: g.groups, y + b0 * out.channels * out.plane,
                    outChannels: out.channels, perGroup: out.perGroup, outPlane: out.plane)
            }
        }

        /// Calls `body(padded, firstSample, samples)` on chunks of samples copied into padded planes (from
        /// `scratch`), or on `x` itself when no padding is needed.
        func withPaddedSource(_ x: UnsafePointer<Float>, batch: Int, scratch: ScratchPool,
                              _ body: (UnsafePointer<Float>, Int, Int) -> Void) {
            guard let padding else { return body(x, 0, batch) }
            let (N, plane) = (source.plane, source.padded), perSample = source.channels * plane
            let chunk = max(1, min(batch, Im2colGEMMKernels.maxScratch / max(perSample, 1)))
            scratch.with(Float.self, count: chunk * perSample) { buffer in
                var b0 = 0
                while b0 < batch {
                    let nb = min(chunk, batch - b0), planes = nb * source.channels
                    Parallel.forEach(jobs: planes, work: planes * plane, threshold: 1 << 16) { k in
                        padding.pad(x + (b0 * source.channels + k) * N, into: buffer + k * plane)
                    }
                    body(UnsafePointer(buffer), b0, nb)
                    b0 += nb
                }
            }
        }
    }

    /// The forward's one pass: tap offsets per (input channel, tap), the output pixels' bases in the padded
    /// plane, the weights packed by 16 output channels.
    static func forwardPass(_ g: ConvolutionGeometry, _ w: UnsafePointer<Float>, lo: [Int], size: [Int]) -> Pass {
        let (K, cig, cog, G) = (g.kernelPlane, g.inChannelsPerGroup, g.outChannelsPerGroup, g.groups)
        let strides = Odometer.rowMajorStrides(size), plane = size.reduce(1, *), rows = cig * K
        let taps = Odometer.sums(g.kernelSize) { d, t in (g.offset[d] + lo[d] + t * g.tapStep[d]) * strides[d] }
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
        return Pass(bases: Odometer.sums(g.outputSize) { d, i in i * g.stride[d] * strides[d] }, targets: nil,
                    offsets: offsets, packed: packed, blocks: blocks)
    }

    /// `x̃ = Aᵀ y`: one ``Pass`` per phase `φ` of the transposed op's output (the forward's input), and the
    /// outputs of phases no tap reaches.
    static func transposePasses(_ g: ConvolutionGeometry, _ w: UnsafePointer<Float>, lo: [Int], size: [Int])
        -> (passes: [Pass], empty: [Int]) {
        let (K, cig, cog, G, r) = (g.kernelPlane, g.inChannelsPerGroup, g.outChannelsPerGroup, g.groups, g.rank)
        let strides = Odometer.rowMajorStrides(size), plane = size.reduce(1, *)
        let outStrides = Odometer.rowMajorStrides(g.inputSize), kernelStrides = Odometer.rowMajorStrides(g.kernelSize)
        let blocks = (cig + tileChannels - 1) / tileChannels
        var passes = [Pass]()
        var empty = [Int]()
        for phase in Odometer.indices(g.stride) {
            var counts = [Int](repeating: 0, count: r)
            for d in 0..<r {
                let s = g.stride[d], n = g.inputSize[d]
                counts[d] = max(0, (n - phase[d] + s - 1) / s)
            }
            guard counts.allSatisfy({ $0 > 0 }) else { continue }
            let targets = Odometer.sums(counts) { d, a in (phase[d] + g.stride[d] * a) * outStrides[d] }
            let perDim = (0..<r).map { phaseTaps(g, $0, phase: phase[$0]) }
            guard perDim.allSatisfy({ !$0.isEmpty }) else { empty += targets; continue }
            let (flats, shifts) = phaseTapOffsets(perDim, lo: lo, kernelStrides: kernelStrides, strides: strides)
            let T = flats.count, rows = cog * T
            var offsets = [Int](repeating: 0, count: rows)
            for co in 0..<cog { for i in 0..<T { offsets[co * T + i] = co * plane + shifts[i] } }
            var packed = [Float](repeating: 0, count: G * blocks * rows * tileChannels)
            for grp in 0..<G {
                for ci in 0..<cig {
                    let dst = ((grp * blocks + ci / tileChannels) * rows) * tileChannels + ci % tileChannels
                    for co in 0..<cog {
                        let src = ((grp * cog + co) * cig + ci) * K
                        for i in 0..<T { packed[dst + (co * T + i) * tileChannels] = w[src + flats[i]] }
                    }
                }
            }
            passes.append(Pass(bases: Odometer.sums(counts) { d, a in a * strides[d] }, targets: targets,
                               offsets: offsets, packed: packed, blocks: blocks))
        }
        return (passes, empty)
    }

    // MARK: - The tile loop

    /// Runs every pass over `samples` samples: tiles of 6 pixels (within one sample) split between the cores.
    package static func run(_ passes: [Pass], _ src: UnsafePointer<Float>, samples: Int, sourceSample: Int, sourceGroup: Int,
                    groups: Int, _ out: UnsafeMutablePointer<Float>, outChannels: Int, perGroup: Int, outPlane: Int) {
        let workers = MachineProfile.current.threads
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
}
