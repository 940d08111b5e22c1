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
        }

        /// `x̃ = Aᵀ y` for `batch` samples.
        package func run(_ g: ConvolutionGeometry, _ y: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>,
                         batch: Int, scratch: ScratchPool) {
            let (cig, cog, G, last) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.groups, g.rank - 1)
            let (outPlane, W, s, b) = (g.inputPlane, g.inputSize[last], g.stride[last], blocking)
            source.with(y, batch: batch, channels: g.outChannels, scratch: scratch) { src, b0, nb in
                // Bands of phase rows: enough jobs for the dynamic claim to balance (8 a thread), none whose
                // output (all phases of the band) exceeds the L2 bound.
                let rows = rowGroups.reduce(0) { $0 + $1.targets.count }
                let wanted = max(1, nb * G * rows / (8 * MachineProfile.current.threads))
                let band = max(1, min(b.segmentsPerJob * b.nr / max(W, 1), wanted))
                var bands = [(group: Int, h0: Int, h1: Int)]()
                for (k, rg) in rowGroups.enumerated() {
                    for h0 in Swift.stride(from: 0, to: rg.targets.count, by: band) {
                        bands.append((k, h0, min(rg.targets.count, h0 + band)))
                    }
                }
                let jobs = nb * G * bands.count
                let (sourceSample, sourceGroup) = (g.outChannels * source.plane, cog * source.plane)
                Parallel.forEach(jobs: jobs, work: nb * G * cig * cog * outPlane * max(1, g.kernelPlane / phases),
                                 threshold: 1 << 16) { job in
                    let (k, h0, h1) = bands[job % bands.count], lg = job / bands.count, grp = lg % G, l = lg / G
                    let rg = rowGroups[k], n = h1 - h0
                    let base = src + l * sourceSample + grp * sourceGroup
                    let out = x + ((b0 + l) * g.inChannels + grp * cig) * outPlane
                    let count = rg.phases.reduce(0) { $0 + ($1.pass == nil ? 0 : cig * n * $1.width) }
                    scratch.with(Float.self, count: count) { buffer in
                        // Each phase's band, phase-planar: channel c's pixel a of band row h at c·n·W_φ + h·W_φ + a.
                        var at = buffer
                        for phase in rg.phases {
                            guard let pass = phase.pass else { continue }
                            pass.tiles(b, group: grp, base: base, from: h0 * phase.width, to: h1 * phase.width,
                                       channels: cig, at, ldo: n * phase.width)
                            at += cig * n * phase.width
                        }
                        interleave(rg, rows: h0..<h1, buffer, channels: cig, stride: s, into: out, plane: outPlane)
                    }
                }
            }
        }

        /// `x̃[c, targets[h] + φ + s·a] = buffer_φ[c, h − h0, a]` for the band's rows: each output row written
        /// whole before the next (a copy for `s = 1`, the phases zipped by vectors for `s = 2`, `ca_zip2`), zeros for a phase no tap
        /// reaches.
        func interleave(_ rg: RowGroup, rows: Range<Int>, _ buffer: UnsafeMutablePointer<Float>, channels: Int,
                        stride s: Int, into out: UnsafeMutablePointer<Float>, plane: Int) {
            let n = rows.count, isa = Int32(blocking.isa.code)
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: rg.phases.count) { starts in
                var at = UnsafePointer(buffer)
                for (i, phase) in rg.phases.enumerated() {
                    starts[i] = phase.pass == nil ? nil : at
                    if phase.pass != nil { at += channels * n * phase.width }
                }
                rg.targets.withUnsafeBufferPointer { targets in
                    for c in 0..<channels {
                        for h in rows {
                            let row = out + c * plane + targets[h], r = c * n + h - rows.lowerBound
                            if s == 2, rg.phases.count == 2, let e = starts[0], let o = starts[1] {
                                let (we, wo) = (rg.phases[0].width, rg.phases[1].width)
                                let (even, odd) = (e + r * we, o + r * wo)
                                ca_zip2(isa, wo, even, odd, row)
                                if we > wo { row[2 * wo] = even[wo] }
                                continue
                            }
                            for (i, phase) in rg.phases.enumerated() {
                                let dst = row + phase.last, width = phase.width
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
