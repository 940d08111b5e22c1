import ConvAlgebraCore
import CMicroKernels

/// The transpose `x̃ = Aᵀ y` of the pixel-vector kernel by sub-pixel (polyphase) decomposition, its output
/// written phase-planar. The outputs `c = φ + s·a` of phase `φ` (per dimension) receive only the taps with
/// `(φ − o − τ·e) ≡ 0 (mod s)`, from `y[a + δ(τ)]`, `δ(τ) = (φ − o − τ·e)/s`:
/// ```
/// x̃[ci, φ + s·a] = Σ_(co, τ ∈ T_φ) W[co, ci, τ] · ŷ[co, a + δ(τ)]
/// ```
/// a stride-1 correlation over the zero-padded `ŷ` (no inserted zero is multiplied), which the pixel-vector tile
/// runs with whole-vector loads and stores into a phase-planar buffer: phase `φ`'s outputs `a` consecutive. The
/// phases that share all but the last dimension's phase write the same rows of `x̃`; a job computes a band of
/// their rows for all `s_last` of them into its buffer (within the L2 bound of ``RowKernelBlocking``), then
/// interleaves them into `x̃`'s rows, `x̃[…, φ + s·a] = buffer_φ[…, a]`: each output row written once, in order,
/// from cache, instead of a scatter per element of every tile (the 6 × 16 kernel's sub-pixel passes).
/// Phases that no tap reaches are written as zeros.
/// - Complexity: `2·batch·C_in·N·(C_out/G)·K / Π s` FLOPs on average per phase (the forward's FLOPs in all),
///   channels rounded up to `m_r`; one padded copy of `y`; a buffer of at most the L2 bound per running job.
extension IndirectRowKernels {
    package struct SubPixel: Sendable {
        package let blocking: RowKernelBlocking
        /// `y`, zero-padded (stride 1: the phase grid reads consecutive floats).
        let source: Source
        /// The phases sharing all but the last dimension's phase, with the rows of `x̃` they write.
        let rowGroups: [RowGroup]
        /// Sub-pixel phases in all (`Π s`).
        package let phases: Int
        /// The row groups' rows at most, and the interleave's tables flat (no reference counting in its loop):
        /// row group `k`'s output row `h` at `rowTargets[k·rows + h]`, `h < rowCounts[k]`; its phases
        /// `phaseStarts[k] ..< phaseStarts[k + 1]` in `phaseTable` (last-dimension phase, width, whether a tap
        /// reaches it).
        let rows: Int, rowTargets: [Int], rowCounts: [Int], phaseStarts: [Int]
        let phaseTable: [(last: Int, width: Int, live: Bool)]

        /// The phases of one phase of all dimensions but the last: output rows `targets[h]` (flat starts in
        /// `x̃`'s plane) for the phase rows `h`.
        struct RowGroup: Sendable {
            let targets: [Int]
            let phases: [Phase]
        }

        /// One phase along the last dimension: its outputs at columns `last + s·a`, `a < width`; `pass` nil when
        /// no tap reaches it (zeros).
        struct Phase: Sendable {
            let last: Int, width: Int
            let pass: Pass?
        }

        /// The blocking derived for `isa` and `caches` from the largest phase (``RowKernelBlocking``).
        package init(_ g: ConvolutionGeometry, _ w: [Float], isa: MachineProfile.KernelISA = .current,
                     caches: MachineProfile.Caches = MachineProfile.current.caches) {
            let r = g.rank, last = r - 1
            let (lo, size) = IndirectConvolutionKernels.transposePadding(g)
            let source = Source(sizes: g.outputSize, lo: lo, size: size, stride: 1, caches: caches, isa: isa)
            self.source = source
            phases = g.stride.reduce(1, *)
            // Taps per dimension and phase, and the blocking from the deepest phase's window.
            let taps: [[[(tap: Int, shift: Int)]]] = (0..<r).map { (d: Int) -> [[(tap: Int, shift: Int)]] in
                (0..<min(g.stride[d], g.inputSize[d])).map { IndirectConvolutionKernels.phaseTaps(g, d, phase: $0) }
            }
            let nr = RowKernelBlocking.registerTile(isa).nr
            let perDim: [Int] = taps.map { (phases: [[(tap: Int, shift: Int)]]) -> Int in phases.map(\.count).max() ?? 0 }
            let T = perDim.reduce(1, *)
            var span = 0
            for p in taps[last] where !p.isEmpty {
                let shifts = p.map(\.shift)
                span = max(span, shifts.max()! - shifts.min()! + 1)
            }
            let window = perDim.dropLast().reduce(1, *) * (nr + max(span, 1) - 1)
            let b = RowKernelBlocking(isa: isa, caches: caches, channels: g.inChannelsPerGroup,
                                      depth: g.outChannelsPerGroup * max(T, 1),
                                      inputPerRow: Double(window) / Double(max(T, 1)))
            blocking = b
            let (K, cig, cog) = (g.kernelPlane, g.inChannelsPerGroup, g.outChannelsPerGroup)
            let outStrides = Odometer.rowMajorStrides(g.inputSize), kernelStrides = Odometer.rowMajorStrides(g.kernelSize)
            let (strides, plane, s) = (source.strides, source.plane, g.stride[last])
            var groups = [RowGroup]()
            w.withUnsafeBufferPointer { w in
                for outer in Odometer.indices(Array(g.stride.dropLast())) {
                    let counts: [Int] = (0..<last).map { (d: Int) -> Int in
                        let n = g.inputSize[d] - outer[d] + g.stride[d] - 1
                        return max(0, n / g.stride[d])
                    }
                    guard counts.allSatisfy({ $0 > 0 }) else { continue }
                    let rowBases = Odometer.sums(counts) { (d: Int, a: Int) -> Int in a * strides[d] }
                    var phases = [Phase]()
                    for φ in 0..<min(s, g.inputSize[last]) {
                        let width = (g.inputSize[last] - φ + s - 1) / s
                        var dims: [[(tap: Int, shift: Int)]] = (0..<last).map { (d: Int) in taps[d][outer[d]] }
                        dims.append(taps[last][φ])
                        guard dims.allSatisfy({ !$0.isEmpty }) else { phases.append(Phase(last: φ, width: width, pass: nil)); continue }
                        let (flats, shifts) = IndirectConvolutionKernels.phaseTapOffsets(dims, lo: lo, kernelStrides: kernelStrides,
                                                                                          strides: strides)
                        let t = flats.count
                        let offsets: [Int] = (0..<(cog * t)).map { (p: Int) -> Int in (p / t) * plane + shifts[p % t] }
                        let pass = Pass(rowBases: rowBases, width: width, offsets: offsets, groups: g.groups, channels: cig,
                                        mr: b.mr) { grp, ci, p in w[((grp * cog + p / t) * cig + ci) * K + flats[p % t]] }
                        phases.append(Phase(last: φ, width: width, pass: pass))
                    }
                    let targets = Odometer.sums(counts) { (d: Int, a: Int) -> Int in (outer[d] + g.stride[d] * a) * outStrides[d] }
                    groups.append(RowGroup(targets: targets, phases: phases))
                }
            }
            rowGroups = groups
            let rows = groups.map(\.targets.count).max() ?? 0
            self.rows = rows
            rowTargets = groups.flatMap { $0.targets + [Int](repeating: 0, count: rows - $0.targets.count) }
            rowCounts = groups.map(\.targets.count)
            phaseStarts = groups.reduce(into: [0]) { $0.append($0.last! + $1.phases.count) }
            phaseTable = groups.flatMap { $0.phases.map { ($0.last, $0.width, $0.pass != nil) } }
        }

        /// `x̃ = Aᵀ y` for `batch` samples. As in the forward (``Prepared/run(_:_:_:batch:scratch:)``), where `y`
        /// is copied and one copied sample fits one core's L2, the samples go whole to the threads, `threads` at a
        /// time (a job copies its sample and runs all its bands: no barrier between a chunk's copy and its bands,
        /// and bands of many rows, so the tiles of a phase run along its rows without a masked tail each row:
        /// ct2d-dcgan's phase rows are 28 wide); the rest are split by bands (``banded(_:_:_:batch:scratch:)``).
        package func run(_ g: ConvolutionGeometry, _ y: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>,
                         batch: Int, scratch: ScratchPool) {
            guard rows > 0 else { return }
            let threads = MachineProfile.current.threads, G = g.groups
            let (inSample, outSample) = (g.outChannels * g.outputPlane, g.inChannels * g.inputPlane)
            let whole = source.padding != nil && threads > 1 && source.sampleFitsL2(channels: g.outChannels)
                ? batch / threads * threads : 0
            if whole > 0 {
                let band = maxBand(g)
                Parallel.forEach(jobs: whole, work: whole * outSample * g.outChannelsPerGroup * max(1, g.kernelPlane / phases),
                                 threshold: 0) { l in
                    source.with(y + l * inSample, batch: 1, channels: g.outChannels, scratch: scratch) { src, _, _ in
                        for grp in 0..<G {
                            for h0 in Swift.stride(from: 0, to: rows, by: band) {
                                self.band(g, src, group: grp, rows: h0..<min(rows, h0 + band), into: x + l * outSample,
                                          scratch: scratch)
                            }
                        }
                    }
                }
            }
            if whole < batch {
                banded(g, y + whole * inSample, x + whole * outSample, batch: batch - whole, scratch: scratch)
            }
        }

        /// The most phase rows a band may take: its output (all phases of all row groups) within the L2 bound of
        /// ``RowKernelBlocking``.
        func maxBand(_ g: ConvolutionGeometry) -> Int {
            max(1, blocking.segmentsPerJob * blocking.nr / max(g.inputSize[g.rank - 1] * rowGroups.count, 1))
        }

        /// `x̃ = Aᵀ y` for `batch` samples split by bands of phase rows: chunks of samples copied (one core's L2 at
        /// a time), each chunk's (sample, group, band) jobs claimed by the threads.
        func banded(_ g: ConvolutionGeometry, _ y: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>,
                    batch: Int, scratch: ScratchPool) {
            let (cig, cog, G) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.groups)
            source.with(y, batch: batch, channels: g.outChannels, scratch: scratch) { src, b0, nb in
                // Enough jobs for the dynamic claim to balance (8 a thread), none over the L2 bound.
                let wanted = max(1, nb * G * rows / (8 * MachineProfile.current.threads))
                let band = min(maxBand(g), wanted), bands = (rows + band - 1) / band, jobs = nb * G * bands
                let (sourceSample, outSample) = (g.outChannels * source.plane, g.inChannels * g.inputPlane)
                Parallel.forEach(jobs: jobs, work: nb * G * cig * cog * g.inputPlane * max(1, g.kernelPlane / phases),
                                 threshold: 1 << 16) { job in
                    let h0 = job % bands * band, lg = job / bands, grp = lg % G, l = lg / G
                    self.band(g, src + l * sourceSample, group: grp, rows: h0..<min(rows, h0 + band),
                              into: x + (b0 + l) * outSample, scratch: scratch)
                }
            }
        }

        /// One job: phase rows `band` of every row group of one (sample, group) from the sample's copied source
        /// `src` into the sample's output `x`. All `Π s` phases of the band are computed into a buffer, then the
        /// output rows are written in order, the row groups' rows of one `h` after one another (for `s = (2, 2)`
        /// output rows `2h, 2h + 1`: the band's output is one contiguous range of each channel's plane, where jobs
        /// of one row group each wrote every other output row). On its own this moved ct2d-s2 within the noise on
        /// one Zen 4 core (the zip's stores stall on the output's cold lines either way, 5–7 % of the samples); with
        /// whole samples per thread it lets a band take all of a sample's rows.
        func band(_ g: ConvolutionGeometry, _ src: UnsafePointer<Float>, group grp: Int, rows band: Range<Int>,
                  into x: UnsafeMutablePointer<Float>, scratch: ScratchPool) {
            let (cig, cog) = (g.inChannelsPerGroup, g.outChannelsPerGroup)
            let base = src + grp * cog * source.plane, out = x + grp * cig * g.inputPlane
            let (h0, h1) = (band.lowerBound, band.upperBound)
            let count = rowGroups.reduce(0) { total, rg in
                let n = max(0, min(h1, rg.targets.count) - h0)
                return rg.phases.reduce(total) { $0 + ($1.pass == nil ? 0 : cig * n * $1.width) }
            }
            scratch.with(Float.self, count: count) { buffer in
                // Each phase's band, phase-planar: channel c's pixel a of band row h at c·n·W_φ + h·W_φ + a.
                var at = buffer
                for rg in rowGroups {
                    let n = min(h1, rg.targets.count) - h0
                    guard n > 0 else { continue }
                    for phase in rg.phases {
                        guard let pass = phase.pass else { continue }
                        pass.tiles(blocking, group: grp, base: base, from: h0 * phase.width, to: (h0 + n) * phase.width,
                                   channels: cig, at, ldo: n * phase.width)
                        at += cig * n * phase.width
                    }
                }
                interleave(rows: band, buffer, channels: cig, stride: g.stride[g.rank - 1], into: out, plane: g.inputPlane)
            }
        }

        /// `x̃[c, targets[h] + φ + s·a] = buffer_φ[c, h − h0, a]` for the band's rows of every row group, the rows
        /// of one `h` one after another: each output row written whole before the next (a copy for `s = 1`, the
        /// phases zipped by vectors for `s = 2`, `ca_zip2`), zeros for a phase no tap reaches. The buffer holds
        /// the row groups' phases in order, each `channels × n × W_φ` (`n` the row group's rows in the band).
        func interleave(rows band: Range<Int>, _ buffer: UnsafeMutablePointer<Float>, channels: Int, stride s: Int,
                        into out: UnsafeMutablePointer<Float>, plane: Int) {
            let isa = Int32(blocking.isa.code), groupCount = rowCounts.count, h0 = band.lowerBound
            rowTargets.withUnsafeBufferPointer { targets in
            rowCounts.withUnsafeBufferPointer { counts in
            phaseStarts.withUnsafeBufferPointer { first in
            phaseTable.withUnsafeBufferPointer { table in
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: max(table.count, 1)) { starts in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: max(groupCount, 1)) { inBand in
                var at = UnsafePointer(buffer)
                for k in 0..<groupCount {
                    let n = max(0, min(band.upperBound, counts[k]) - h0)
                    inBand[k] = n
                    for i in first[k]..<first[k + 1] {
                        starts[i] = table[i].live && n > 0 ? at : nil
                        if table[i].live { at += channels * n * table[i].width }
                    }
                }
                for c in 0..<channels {
                    for h in band {
                        for k in 0..<groupCount where h < counts[k] {
                            let row = out + c * plane + targets[k * rows + h], r = c * inBand[k] + h - h0
                            let (p0, p1) = (first[k], first[k + 1])
                            if s == 2, p1 - p0 == 2, let e = starts[p0], let o = starts[p0 + 1] {
                                let (we, wo) = (table[p0].width, table[p0 + 1].width)
                                let (even, odd) = (e + r * we, o + r * wo)
                                ca_zip2(isa, wo, even, odd, row)
                                if we > wo { row[2 * wo] = even[wo] }
                                continue
                            }
                            for i in p0..<p1 {
                                let dst = row + table[i].last, width = table[i].width
                                guard let start = starts[i] else {
                                    for a in 0..<width { dst[s * a] = 0 }
                                    continue
                                }
                                let src = start + r * width
                                if s == 1 { dst.update(from: src, count: width) } else { for a in 0..<width { dst[s * a] = src[a] } }
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
