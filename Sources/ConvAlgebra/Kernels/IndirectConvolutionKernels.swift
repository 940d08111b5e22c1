import CMicroKernels

/// Forward multi-channel convolution in FP32 with no column matrix at all (indirect convolution, after
/// XNNPACK's indirection buffers): the input is copied once into a zero-padded buffer, and then
/// ```
/// y[co, p] = Σ_(ci, τ) W[co, ci, τ] · x̂[base(p) + offset(ci, τ)]
/// ```
/// where `base(p) = Σ_d p_d·s_d·Ŝ_d` and `offset(ci, τ) = ci·N̂ + Σ_d (o_d + lo_d + τ_d·e_d)·Ŝ_d` (`Ŝ` the
/// padded strides, `lo` the leading padding): the address splits into a pixel part and a tap part, so a 6-pixel ×
/// 16-channel micro-kernel (`ca_conv_tile_6x16`) broadcasts the taps straight from the input.
/// Why: in the implicit GEMM, building the column blocks and packing them took ~20 % of a 3×3 conv's time.
/// - Complexity: `2·batch·C_out·M·(C_in/G)·K` FLOPs rounded up to 6 pixels × 16 channels; the padded copy of
///   the input (`batch·C_in·N̂` floats, in chunks within ``Im2colGEMMKernels/maxScratch``), `(C_in/G)·K` offsets,
///   `M` pixel bases and the weights packed by 16 channels.
enum IndirectConvolutionKernels {
    static let tilePixels = 6, tileChannels = 16
    /// Output planes below this keep the implicit GEMM, whose blocks run across samples.
    static let minimumOutputPlane = 192

    /// Leading padding and padded extent per dimension: enough that every tap of every output reads inside.
    static func padding(_ g: ConvolutionGeometry) -> (lo: [Int], size: [Int]) {
        var lo = [Int](), size = [Int]()
        for d in 0..<g.rank {
            let reach = (g.kernelSize[d] - 1) * g.tapStep[d]
            let first = g.offset[d] + min(0, reach)
            let last = (g.outputSize[d] - 1) * g.stride[d] + g.offset[d] + max(0, reach)
            let l = max(0, -first), h = max(0, last - (g.inputSize[d] - 1))
            lo.append(l); size.append(g.inputSize[d] + l + h)
        }
        return (lo, size)
    }

    /// Large output planes, at least 16 output channels per group, one padded sample within the scratch limit.
    static func applies(_ g: ConvolutionGeometry) -> Bool {
        guard g.outputPlane >= minimumOutputPlane, g.outChannelsPerGroup >= tileChannels else { return false }
        let plane = padding(g).size.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        let (sample, o) = plane.multipliedReportingOverflow(by: g.inChannels)
        return !o && sample <= Im2colGEMMKernels.maxScratch && g.outputPlane <= Im2colGEMMKernels.maxScratch
    }

    static func forward(_ g: ConvolutionGeometry, _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                        _ y: UnsafeMutablePointer<Float>, batch: Int) {
        let (N, M, K) = (g.inputPlane, g.outputPlane, g.kernelPlane)
        let (cig, cog, cin, cout, G, r) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.inChannels, g.outChannels, g.groups, g.rank)
        let rows = cig * K
        let (lo, size) = padding(g)
        let paddedPlane = size.reduce(1, *)
        let copy = size != g.inputSize
        var strides = [Int](repeating: 1, count: r)
        for d in stride(from: r - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * size[d + 1] }
        // Pixel bases and tap offsets, odometers over the output and kernel multi-indices.
        let bases = odometer(g.outputSize) { d, i in i * g.stride[d] * strides[d] }
        let taps = odometer(g.kernelSize) { d, t in (g.offset[d] + lo[d] + t * g.tapStep[d]) * strides[d] }
        var offsets = [Int](repeating: 0, count: rows)
        for ci in 0..<cig { for tau in 0..<K { offsets[ci * K + tau] = ci * paddedPlane + taps[tau] } }
        // Weights packed by 16 output channels: packed[grp][block][row][16], zero past the group's channels.
        let blocks = (cog + tileChannels - 1) / tileChannels
        var packed = [Float](repeating: 0, count: G * blocks * rows * tileChannels)
        for grp in 0..<G {
            for co in 0..<cog {
                let (b, j) = (co / tileChannels, co % tileChannels)
                let dst = ((grp * blocks + b) * rows) * tileChannels + j, src = (grp * cog + co) * rows
                for p in 0..<rows { packed[dst + p * tileChannels] = w[src + p] }
            }
        }
        let perSample = cin * paddedPlane
        let chunk = copy ? max(1, min(batch, Im2colGEMMKernels.maxScratch / max(perSample, 1))) : batch
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: copy ? chunk * perSample : 1)
        defer { buffer.deallocate() }
        let tilesPerSample = (M + tilePixels - 1) / tilePixels
        let workers = ProcessInfoLite.activeProcessorCount
        bases.withUnsafeBufferPointer { bp in
            offsets.withUnsafeBufferPointer { op in
                packed.withUnsafeBufferPointer { wp in
                    var b0 = 0
                    while b0 < batch {
                        let nb = min(chunk, batch - b0)
                        let src: UnsafePointer<Float>
                        if copy {
                            pad(g, lo: lo, size: size, strides: strides, x + b0 * cin * N, planes: nb * cin, into: buffer)
                            src = UnsafePointer(buffer)
                        } else {
                            src = x + b0 * cin * N
                        }
                        for grp in 0..<G {
                            let items = nb * tilesPerSample
                            Parallel.forEach(jobs: min(workers, items), work: items * rows * cog * tilePixels, threshold: 1 << 16) { worker in
                                let parts = min(workers, items)
                                var tile = (0..<(tilePixels * tileChannels)).map { _ in Float(0) }
                                var pointers = [UnsafePointer<Float>?](repeating: src, count: tilePixels)
                                tile.withUnsafeMutableBufferPointer { tp in
                                    pointers.withUnsafeMutableBufferPointer { pp in
                                        for item in (worker * items / parts)..<((worker + 1) * items / parts) {
                                            let l = item / tilesPerSample, j0 = (item - l * tilesPerSample) * tilePixels
                                            let valid = min(tilePixels, M - j0)
                                            let sample = src + l * perSample + grp * cig * paddedPlane
                                            for i in 0..<tilePixels { pp[i] = sample + bp[j0 + min(i, valid - 1)] }
                                            for b in 0..<blocks {
                                                ca_conv_tile_6x16(rows, UnsafePointer(pp.baseAddress!), op.baseAddress!,
                                                                  wp.baseAddress! + (grp * blocks + b) * rows * tileChannels,
                                                                  tp.baseAddress!)
                                                let channels = min(tileChannels, cog - b * tileChannels)
                                                for j in 0..<channels {
                                                    let dst = y + ((b0 + l) * cout + grp * cog + b * tileChannels + j) * M + j0
                                                    for i in 0..<valid { dst[i] = tp[i * tileChannels + j] }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        b0 += nb
                    }
                }
            }
        }
    }

    /// `Σ_d f(d, index_d)` for every multi-index of `extents`, in row-major order.
    static func odometer(_ extents: [Int], _ f: (Int, Int) -> Int) -> [Int] {
        let count = extents.reduce(1, *), r = extents.count
        var out = [Int](repeating: 0, count: count), index = [Int](repeating: 0, count: r)
        for flat in 0..<count {
            var s = 0
            for d in 0..<r { s += f(d, index[d]) }
            out[flat] = s
            var d = r - 1
            while d >= 0 { index[d] += 1; if index[d] < extents[d] { break }; index[d] = 0; d -= 1 }
        }
        return out
    }

    /// Copies `planes` input planes into zero-padded planes of extents `size` (input at offset `lo`).
    static func pad(_ g: ConvolutionGeometry, lo: [Int], size: [Int], strides: [Int], _ x: UnsafePointer<Float>,
                    planes: Int, into out: UnsafeMutablePointer<Float>) {
        let (N, r) = (g.inputPlane, g.rank)
        let n = g.inputSize[r - 1], rowsPerPlane = n == 0 ? 0 : N / n
        let paddedPlane = size.reduce(1, *)
        // Where each input row starts in the padded plane.
        let rowStarts = odometer(Array(g.inputSize.dropLast())) { d, i in (i + lo[d]) * strides[d] }
        rowStarts.withUnsafeBufferPointer { rs in
            Parallel.forEach(jobs: planes, work: planes * paddedPlane, threshold: 1 << 16) { plane in
                let dst = out + plane * paddedPlane, src = x + plane * N
                dst.update(repeating: 0, count: paddedPlane)
                for row in 0..<rowsPerPlane {
                    (dst + rs[row] + lo[r - 1]).update(from: src + row * n, count: n)
                }
            }
        }
    }
}
