import ConvAlgebraCore
import CMicroKernels

/// What the forward pixel-vector kernel and its sub-pixel transpose share: the source copied into padded planes
/// split by phase along the last dimension, and the tile loop over a run of pixels of one flattened plane.
extension IndirectRowKernels {
    /// The source of the pixel-vector kernel: planes copied zero-padded, each row split by phase along the last
    /// dimension (`s = 1`: the plain padded plane), padded column `c` at `(c mod s)·Ŵ + ⌊c/s⌋`, `Ŵ = ⌈Ŵ_pad/s⌉`;
    /// or the input itself when it needs neither.
    struct Source: Sendable {
        /// The padder; nil when the input is read in place (no padding, unit stride along the last dimension).
        let padding: PlanePadding?
        /// The last dimension's stride `s` and the width `Ŵ` of one phase row of the split padded plane.
        let stride: Int, phaseWidth: Int
        /// The row-major strides of the split padded plane.
        let strides: [Int]
        /// Floats between the channels of the source (a split padded plane, rounded up to an odd number of cache
        /// lines when the input is copied), and in one input plane.
        let plane: Int, inputPlane: Int
        /// One core's L2, the most a chunk of copied samples takes (at least one sample).
        let l2Bytes: Int
        /// The instruction-set path of the phase split (`ca_unzip`).
        let isa: Int32
        /// Where each residue `r < min(s, n)` of a row's run of source samples lands in the split row (from its
        /// start; in the order of the phases), and the run's first source sample: see ``padSplit(_:_:into:)``.
        let phaseResidues: [Int], phaseStarts: [Int], phaseCounts: [Int], runStart: Int

        /// Input planes of extents `sizes` padded by `lo` to `size`, split by `stride` along the last dimension.
        init(sizes: [Int], lo: [Int], size: [Int], stride s: Int, caches: MachineProfile.Caches,
             isa: MachineProfile.KernelISA) {
            let last = sizes.count - 1
            stride = s
            phaseWidth = (size[last] + s - 1) / s
            padding = size == sizes && s == 1 ? nil : PlanePadding(sizes: sizes, lo: lo, size: size, boundary: .zero)
            var split = size
            split[last] = s * phaseWidth
            strides = Odometer.rowMajorStrides(split)
            // The depth block reads each of its channels at the same offsets: with a channel stride of a multiple
            // of 4 KiB (a 1-D row of 1024 floats) every channel falls into the same few L1 sets and they evict one
            // another. An odd number of lines walks the channels through all the sets.
            let line = max(caches.lineBytes / MemoryLayout<Float>.size, 1), exact = split.reduce(1, *)
            plane = padding == nil ? exact : (((exact + line - 1) / line) | 1) * line
            inputPlane = sizes.reduce(1, *)
            l2Bytes = caches.l2.bytes
            self.isa = Int32(isa.code)
            // Sample t₀ + r + a·s of a row's run (padded columns c₀ ..< c₀ + n) lands in phase (c₀ + r) mod s at
            // ⌊(c₀ + r)/s⌋ + a; listed by phase, so the zeros between them are one pass.
            let (c0, n) = padding?.run ?? (0, 0), pw = phaseWidth
            runStart = n > 0 ? padding!.lastSources[c0] : 0
            let runs: [(residue: Int, start: Int, count: Int)] = padding == nil ? [] : (0..<s).compactMap { phase in
                let r = ((phase - c0) % s + s) % s
                return r < n ? (r, phase * pw + (c0 + r) / s, (n - r + s - 1) / s) : nil
            }
            (phaseResidues, phaseStarts, phaseCounts) = (runs.map(\.residue), runs.map(\.start), runs.map(\.count))
            // padSplit copies each row's one run of source samples (the zero boundary has no other).
            assert(padding.map { p in p.lastSources.filter { $0 >= 0 }.count == p.run.count } ?? true)
        }

        /// Whether one sample of `channels` planes, copied, fits one core's L2.
        func sampleFitsL2(channels: Int) -> Bool {
            let floats = channels.multipliedReportingOverflow(by: plane)
            return !floats.overflow && floats.partialValue <= l2Bytes / MemoryLayout<Float>.size
        }

        /// Calls `body(source, firstSample, samples)` on chunks of samples copied into split padded planes (from
        /// `scratch`; a chunk as large as one core's L2), or on `x` itself when it needs neither.
        func with(_ x: UnsafePointer<Float>, batch: Int, channels: Int, scratch: ScratchPool,
                  _ body: (UnsafePointer<Float>, Int, Int) -> Void) {
            guard let padding else { return body(x, 0, batch) }
            let perSample = channels * plane
            // As many samples as fit in one core's L2 (at least one): the kernel then reads planes the copy has
            // just written, not lines evicted to L3 (Zen 4, thread CPU time, load 18: c1d-tcn 9.6-10.4 → 8.6-9.8 ms
            // on one core, 9.8-10.3 → 8.8-8.9 on two; 3×3 within its noise).
            let fitsL2 = l2Bytes / max(MemoryLayout<Float>.size * perSample, 1)
            let chunk = max(1, min(batch, Im2colGEMMKernels.maxScratch / max(perSample, 1), fitsL2))
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
        /// `(c mod s)·Ŵ + ⌊c/s⌋`, zero where no source sample lands. A row's samples are one run (the zero
        /// boundary): padded columns `c₀ ..< c₀ + n` copy source samples `t₀ …`, so sample `t₀ + r + a·s` lands in
        /// phase `(c₀ + r) mod s` at `⌊(c₀ + r)/s⌋ + a`: one `ca_unzip` a row (whole vectors for `s = 2`; it was a
        /// table lookup and a branch per element, 7.5 % of c2d-s2's samples on one Zen 4 core), the rows looped in C
        /// (`ca_pad_split_rows`; in Swift the loop and the zeros between runs, a float or two each, took 1.7 %).
        /// - Complexity: O(rows · s · Ŵ) stores, the source read once.
        func padSplit(_ padding: PlanePadding, _ x: UnsafePointer<Float>, into xp: UnsafeMutablePointer<Float>) {
            let s = stride, n = padding.run.count
            padding.rowSources.withUnsafeBufferPointer { rows in
            phaseResidues.withUnsafeBufferPointer { residues in
            phaseStarts.withUnsafeBufferPointer { starts in
            phaseCounts.withUnsafeBufferPointer { counts in
                withUnsafeTemporaryAllocation(of: UnsafeMutablePointer<Float>?.self, capacity: max(s, 1)) { to in
                    ca_pad_split_rows(isa, rows.count, rows.baseAddress, x + runStart, n, s, s * phaseWidth,
                                      residues.count, residues.baseAddress, starts.baseAddress, counts.baseAddress,
                                      to.baseAddress, xp)
                }
            }
            }
            }
            }
        }
    }

    /// One plane's pass of the kernel: where its output rows start in the source, its row width, the offsets
    /// of its (channel, tap) rows of depth and its weights packed `[group][channel block][row p][m_r]`.
    struct Pass: Sendable {
        let rowBases: [Int]
        let width: Int
        let offsets: [Int]
        let packed: [Float]
        let blocks: Int

        /// Packs `weight(channel, p)` (`channels` written channels per group, `depth` rows each) by blocks of `mr`.
        init(rowBases: [Int], width: Int, offsets: [Int], groups: Int, channels: Int, mr: Int,
             weight: (_ group: Int, _ channel: Int, _ p: Int) -> Float) {
            self.rowBases = rowBases
            self.width = width
            self.offsets = offsets
            let depth = offsets.count, blocks = (channels + mr - 1) / mr
            self.blocks = blocks
            var packed = [Float](repeating: 0, count: groups * blocks * depth * mr)
            for grp in 0..<groups {
                for c in 0..<channels {
                    let dst = (grp * blocks + c / mr) * depth * mr + c % mr
                    for p in 0..<depth { packed[dst + p * mr] = weight(grp, c, p) }
                }
            }
            self.packed = packed
        }

        /// Pixels `q0 ..< q1` of the flattened output plane (`rowBases.count` rows of ``width``) of one (sample,
        /// group): `channels` written channels from `base` (the group's first source channel) into `out`, pixel
        /// `q` of channel `c` at `out[c·ldo + q − q0]`. Tiles of `n_r` pixels from `q0` (the last one masked); a
        /// tile may span output rows: its vectors read the next row's input through a second pointer, so the row
        /// tails cost no masked lanes.
        /// - Complexity: `2·channels·(q1 − q0)·depth` FLOPs, channels rounded up to `m_r`.
        func tiles(_ b: RowKernelBlocking, group grp: Int, base: UnsafePointer<Float>, from q0: Int, to q1: Int,
                   channels: Int, _ out: UnsafeMutablePointer<Float>, ldo: Int) {
            let depth = offsets.count, isa = Int32(b.isa.code), V = b.nr / 2
            let count = (q1 - q0 + b.nr - 1) / b.nr, W = width, outRows = rowBases.count
            guard count > 0, depth > 0 else { return }
            offsets.withUnsafeBufferPointer { op in
            rowBases.withUnsafeBufferPointer { rb in
            packed.withUnsafeBufferPointer { wp in
                let panels = wp.baseAddress! + grp * blocks * depth * b.mr
                withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: 4 * count) { from in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * count) { split in
                    // Each vector's two input pointers and the lanes read through the first.
                    for t in 0..<count {
                        for v in 0..<2 {
                            let q = q0 + t * b.nr + v * V, i = 4 * t + 2 * v
                            guard q < q1 else { from[i] = base; from[i + 1] = base; split[i / 2] = V; continue }
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
                        // Every block but the last segment's also fetches the next segment's panel, whose lines it is the
                        // first to read (measured on Zen 4, one core, thread CPU time: fetching from every block, c1d-tcn
                        // 12.7-14.5 → 9.9-10.7 ms; from the last block only 10.8-11.3; 3×3 within its noise either way).
                        for t in 0..<count {
                            let q = t * b.nr, n = min(b.nr, q1 - q0 - q)
                            for block in 0..<blocks {
                                let c0 = block * b.mr, m = min(b.mr, channels - c0)
                                ca_conv_rows(isa, m, kc, UnsafePointer(from.baseAddress! + 4 * t), split.baseAddress! + 2 * t,
                                             op.baseAddress! + p0, panels + (block * depth + p0) * b.mr, b.mr, n,
                                             out + c0 * ldo + q, ldo, p0 > 0 ? 1 : 0, t + 1 < count ? 1 : 0)
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
