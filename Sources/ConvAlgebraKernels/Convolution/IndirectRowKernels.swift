import ConvAlgebraCore
import ConvAlgebraBackends
import CMicroKernels

/// Multi-channel FP32 convolution by the pixel-vector indirect kernel (`ca_conv_rows`): the indirect convolution
/// of ``IndirectConvolutionKernels`` with the tile turned round, so the output is stored as vectors straight into
/// its NCHW rows instead of through a tile buffer and a scatter per element. The input is copied once into a
/// zero-padded plane whose rows are split by phase along the last dimension (`s = s_last`; for `s = 1` this is
/// the ordinary padded plane, read in place when no padding is needed): padded column `c` lands at
/// `(c mod s)·Ŵ + ⌊c/s⌋`, `Ŵ = ⌈Ŵ_pad/s⌉`. Then for output row `r` (all dimensions but the last) and column `j`
/// ```
/// y[co, r, j] = Σ_(ci, τ) W[co, ci, τ] · x̂[rowBase(r) + offset(ci, τ) + j]
/// ```
/// with `rowBase(r) = Σ_(d<last) r_d·s_d·Ŝ_d` and `offset(ci, τ) = ci·N̂ + Σ_(d<last) (o_d + lo_d + τ_d·e_d)·Ŝ_d +
/// (u mod s)·Ŵ + ⌊u/s⌋`, `u = o_last + lo_last + τ_last·e_last`: consecutive output pixels read consecutive
/// floats for every stride, so a register tile of `m_r` channels × `n_r` pixels loads whole vectors of the input
/// and stores whole vectors of the output. The tiles run over the flattened output plane: a vector that crosses
/// from row `r` into row `r + 1` reads its last lanes through a second pointer into row `r + 1`'s input. Blocking: ``RowKernelBlocking``.
///
/// The transpose `x̃ = Aᵀ y` has its own kernel (``IndirectConvolutionKernels``' sub-pixel passes).
/// - Complexity: `2·batch·C_out·M·(C_in/G)·K` FLOPs, channels rounded up to the block size and each row to
///   whole vectors only in the masked lanes; one copy of each input sample (padded, split); weights packed once.
package enum IndirectRowKernels {
    /// Whether the kernel takes `g` (forward): the indirect kernel's conditions, and output rows at least one
    /// vector wide (a vector crosses at most one row) unless there is only one row.
    package static func applies(_ g: ConvolutionGeometry, isa: MachineProfile.KernelISA) -> Bool {
        guard IndirectConvolutionKernels.applies(g) else { return false }
        let rows = g.outputSize.dropLast().reduce(1, *)
        return rows == 1 || g.outputSize[g.rank - 1] >= RowKernelBlocking.registerTile(isa).nr / 2
    }

    /// Everything the kernel needs that does not depend on `x`.
    package struct Prepared: Sendable {
        package let blocking: RowKernelBlocking
        /// The padder; nil when the input is read in place (no padding, unit stride along the last dimension).
        let padding: PlanePadding?
        /// The last dimension's stride `s` and the width `Ŵ` of one phase row of the split padded plane.
        let stride: Int, phaseWidth: Int
        /// Offsets of the (input channel, tap) rows, `C_in/G · K` of them, in the split padded sample.
        let offsets: [Int]
        /// Bases of the output rows (all dimensions but the last) in the split padded plane.
        let rowBases: [Int]
        /// Output row width (the last output extent).
        let width: Int
        /// Weights packed `[group][channel block][row p][m_r]`, zero beyond the channels.
        let packed: [Float]
        let blocks: Int
        /// Floats between the channels of the source (a split padded plane, rounded up to an odd number of cache
        /// lines when the input is copied), and in one input plane.
        let plane: Int, inputPlane: Int

        /// The blocking derived for `isa` and `caches` (``RowKernelBlocking``).
        package init(_ g: ConvolutionGeometry, _ w: [Float], isa: MachineProfile.KernelISA = .current,
                     caches: MachineProfile.Caches = MachineProfile.current.caches) {
            self.init(g, w, blocking: RowKernelBlocking(isa: isa, caches: caches, geometry: g), lineBytes: caches.lineBytes)
        }

        /// With a given blocking (a planner's measured choice); `mr` at most the path's register tile.
        package init(_ g: ConvolutionGeometry, _ w: [Float], blocking: RowKernelBlocking,
                     lineBytes: Int = MachineProfile.current.caches.lineBytes) {
            let r = g.rank, last = r - 1
            let (lo, size) = IndirectConvolutionKernels.forwardPadding(g)
            let s = g.stride[last]
            stride = s
            phaseWidth = (size[last] + s - 1) / s
            padding = size == g.inputSize && s == 1 ? nil
                : PlanePadding(sizes: g.inputSize, lo: lo, size: size, boundary: .zero)
            var split = size
            split[last] = s * phaseWidth
            let strides = Odometer.rowMajorStrides(split)
            // The depth block reads each of its channels at the same offsets: with a channel stride of a multiple
            // of 4 KiB (a 1-D row of 1024 floats) every channel falls into the same few L1 sets and they evict one
            // another. An odd number of lines walks the channels through all the sets.
            let line = max(lineBytes / MemoryLayout<Float>.size, 1), exact = split.reduce(1, *)
            let lines = (exact + line - 1) / line
            plane = padding == nil ? exact : (lines | 1) * line
            inputPlane = g.inputPlane
            width = g.outputSize[last]
            let (K, cig, cog, G) = (g.kernelPlane, g.inChannelsPerGroup, g.outChannelsPerGroup, g.groups)
            let rows = cig * K
            let pw = phaseWidth
            let taps = Odometer.sums(g.kernelSize) { d, t in
                let u = g.offset[d] + lo[d] + t * g.tapStep[d]
                return d == last ? (u % s) * pw + u / s : u * strides[d]
            }
            var offsets = [Int](repeating: 0, count: rows)
            for ci in 0..<cig { for tau in 0..<K { offsets[ci * K + tau] = ci * plane + taps[tau] } }
            self.offsets = offsets
            rowBases = Odometer.sums(Array(g.outputSize.dropLast())) { d, i in i * g.stride[d] * strides[d] }
            precondition(blocking.mr >= 1 && blocking.mr <= RowKernelBlocking.registerTile(blocking.isa).mr
                         && blocking.nr == RowKernelBlocking.registerTile(blocking.isa).nr && blocking.kc >= 1)
            self.blocking = blocking
            let mr = blocking.mr
            let blocks = (cog + mr - 1) / mr
            self.blocks = blocks
            var packed = [Float](repeating: 0, count: G * blocks * rows * mr)
            w.withUnsafeBufferPointer { w in
                for grp in 0..<G {
                    for co in 0..<cog {
                        let dst = (grp * blocks + co / mr) * rows * mr + co % mr, src = (grp * cog + co) * rows
                        for p in 0..<rows { packed[dst + p * mr] = w[src + p] }
                    }
                }
            }
            self.packed = packed
        }

        /// `y = A x` for `batch` samples.
        package func run(_ g: ConvolutionGeometry, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                         batch: Int, scratch: ScratchPool) {
            let (cig, cog, G) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.groups)
            let outPlane = g.outputPlane
            guard offsets.count > 0 else { y.update(repeating: 0, count: batch * g.outChannels * outPlane); return }
            withSource(x, batch: batch, channels: g.inChannels, scratch: scratch) { src, b0, nb in
                rows(src, samples: nb, sourceSample: g.inChannels * plane, sourceGroup: cig * plane, groups: G,
                     y + b0 * g.outChannels * outPlane, outChannels: g.outChannels, perGroup: cog, outPlane: outPlane)
            }
        }

        /// Calls `body(source, firstSample, samples)` on chunks of samples copied into split padded planes (from
        /// `scratch`), or on `x` itself when it needs neither.
        func withSource(_ x: UnsafePointer<Float>, batch: Int, channels: Int, scratch: ScratchPool,
                        _ body: (UnsafePointer<Float>, Int, Int) -> Void) {
            guard let padding else { return body(x, 0, batch) }
            let perSample = channels * plane
            let chunk = max(1, min(batch, Im2colGEMMKernels.maxScratch / max(perSample, 1)))
            scratch.with(Float.self, count: chunk * perSample) { buffer in
                var b0 = 0
                while b0 < batch {
                    let nb = min(chunk, batch - b0), planes = nb * channels
                    Parallel.forEach(jobs: planes, work: planes * plane, threshold: 1 << 16) { k in
                        let from = x + (b0 * channels + k) * inputPlane, to = buffer + k * plane
                        if stride == 1 { padding.pad(from, into: to) } else { padSplit(padding, from, into: to) }
                    }
                    body(UnsafePointer(buffer), b0, nb)
                    b0 += nb
                }
            }
        }

        /// One plane padded and split by phase along the last dimension: padded column `c` of each row at
        /// `(c mod s)·Ŵ + ⌊c/s⌋`; the phase rows' tails are zero.
        func padSplit(_ padding: PlanePadding, _ x: UnsafePointer<Float>, into xp: UnsafeMutablePointer<Float>) {
            let s = stride, pw = phaseWidth, rowLength = s * pw
            padding.lastSources.withUnsafeBufferPointer { last in
                padding.rowSources.withUnsafeBufferPointer { rows in
                    for row in 0..<rows.count {
                        let dst = xp + row * rowLength
                        dst.update(repeating: 0, count: rowLength)
                        guard rows[row] >= 0 else { continue }
                        let src = x + rows[row]
                        for c in 0..<last.count where last[c] >= 0 { dst[(c % s) * pw + c / s] = src[last[c]] }
                    }
                }
            }
        }

        /// The tile loop. Tiles are `n_r` consecutive pixels of the flattened output plane (a tile may span output
        /// rows: its vectors read the next row's input through a second pointer, so the row tails cost no
        /// masked lanes); jobs are runs of tiles of one (sample, group), claimed dynamically by the pool's threads,
        /// each writing its own range of every output channel's plane.
        func rows(_ src: UnsafePointer<Float>, samples: Int, sourceSample: Int, sourceGroup: Int, groups: Int,
                  _ out: UnsafeMutablePointer<Float>, outChannels: Int, perGroup: Int, outPlane: Int) {
            let b = blocking, depth = offsets.count, isa = Int32(b.isa.code), V = b.nr / 2
            let tiles = (outPlane + b.nr - 1) / b.nr, planes = samples * groups
            // Enough jobs for the dynamic claim to balance (8 a thread), none longer than the L2 bound.
            let wanted = max(1, planes * tiles / (8 * MachineProfile.current.threads))
            let perJob = min(tiles, b.segmentsPerJob, wanted)
            let chunks = (tiles + perJob - 1) / perJob, jobs = planes * chunks
            let (W, outRows) = (width, rowBases.count)
            offsets.withUnsafeBufferPointer { op in
            rowBases.withUnsafeBufferPointer { rb in
            packed.withUnsafeBufferPointer { wp in
                Parallel.forEach(jobs: jobs, work: jobs * perJob * b.nr * depth * perGroup, threshold: 1 << 16) { job in
                    let chunk = job % chunks, lg = job / chunks, grp = lg % groups, l = lg / groups
                    let base = src + l * sourceSample + grp * sourceGroup
                    let yPlane = out + (l * outChannels + grp * perGroup) * outPlane
                    let t0 = chunk * perJob, t1 = min(tiles, t0 + perJob)
                    let panels = wp.baseAddress! + grp * blocks * depth * b.mr
                    withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: 4 * (t1 - t0)) { from in
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (t1 - t0)) { split in
                        // Each vector's two input pointers and the lanes read through the first.
                        for t in t0..<t1 {
                            for v in 0..<2 {
                                let q = t * b.nr + v * V, i = 4 * (t - t0) + 2 * v
                                guard q < outPlane else { from[i] = base; from[i + 1] = base; split[i / 2] = V; continue }
                                let h = q / W, c = q - h * W
                                from[i] = base + rb[h] + c
                                from[i + 1] = h + 1 < outRows ? base + rb[h + 1] - (W - c) : from[i]
                                split[i / 2] = min(V, W - c)
                            }
                        }
                        var p0 = 0
                        while p0 < depth {
                            let kc = min(b.kc, depth - p0)
                            // BLIS's order: the input micro-panel (kc × n_r) stays in L1 across the channel blocks.
                            for t in t0..<t1 {
                                let q = t * b.nr, n = min(b.nr, outPlane - q)
                                for block in 0..<blocks {
                                    let co0 = block * b.mr, m = min(b.mr, perGroup - co0)
                                    ca_conv_rows(isa, m, kc, UnsafePointer(from.baseAddress! + 4 * (t - t0)), split.baseAddress! + 2 * (t - t0),
                                                 op.baseAddress! + p0, panels + (block * depth + p0) * b.mr, b.mr, n,
                                                 yPlane + co0 * outPlane + q, outPlane, p0 > 0 ? 1 : 0)
                                }
                            }
                            p0 += kc
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
