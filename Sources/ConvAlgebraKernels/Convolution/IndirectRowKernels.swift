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
/// The transpose `x̃ = Aᵀ y` runs the same kernel by sub-pixel phases (``SubPixel``).
/// - Complexity: `2·batch·C_out·M·(C_in/G)·K` FLOPs, channels rounded up to the block size and each row to
///   whole vectors only in the masked lanes; one copy of each input sample (padded, split); weights packed once.
package enum IndirectRowKernels {
    /// Whether the kernel takes `g` (forward, or the sub-pixel transpose): the indirect kernel's conditions, and
    /// output rows at least one vector wide (a vector crosses at most one row) unless there is only one row; for
    /// the transpose, the rows of the phase grids (`⌊n_last/s_last⌋` wide at least).
    package static func applies(_ g: ConvolutionGeometry, isa: MachineProfile.KernelISA, transposed: Bool = false) -> Bool {
        guard IndirectConvolutionKernels.applies(g, transposed: transposed) else { return false }
        let last = g.rank - 1, half = RowKernelBlocking.registerTile(isa).nr / 2
        guard transposed else {
            return g.outputSize.dropLast().reduce(1, *) == 1 || g.outputSize[last] >= half
        }
        let rows = (0..<last).reduce(1) { $0 * ((g.inputSize[$1] + g.stride[$1] - 1) / g.stride[$1]) }
        return rows == 1 || g.inputSize[last] / g.stride[last] >= half
    }

    /// Everything the kernel needs that does not depend on `x`.
    package struct Prepared: Sendable {
        package let blocking: RowKernelBlocking
        /// The input, padded and split by phase along the last dimension.
        let source: Source
        /// The one pass: the output rows' bases, the (input channel, tap) offsets, the packed weights.
        let pass: Pass

        /// The blocking derived for `isa` and `caches` (``RowKernelBlocking``).
        package init(_ g: ConvolutionGeometry, _ w: [Float], isa: MachineProfile.KernelISA = .current,
                     caches: MachineProfile.Caches = MachineProfile.current.caches) {
            self.init(g, w, blocking: RowKernelBlocking(isa: isa, caches: caches, geometry: g), caches: caches)
        }

        /// With a given blocking (a planner's measured choice); `mr` at most the path's register tile.
        package init(_ g: ConvolutionGeometry, _ w: [Float], blocking: RowKernelBlocking,
                     caches: MachineProfile.Caches = MachineProfile.current.caches) {
            let r = g.rank, last = r - 1
            let (lo, size) = IndirectConvolutionKernels.forwardPadding(g)
            let s = g.stride[last]
            let source = Source(sizes: g.inputSize, lo: lo, size: size, stride: s, caches: caches, isa: blocking.isa)
            self.source = source
            let (K, cig) = (g.kernelPlane, g.inChannelsPerGroup)
            let (pw, strides, plane) = (source.phaseWidth, source.strides, source.plane)
            let taps = Odometer.sums(g.kernelSize) { d, t in
                let u = g.offset[d] + lo[d] + t * g.tapStep[d]
                return d == last ? (u % s) * pw + u / s : u * strides[d]
            }
            var offsets = [Int](repeating: 0, count: cig * K)
            for ci in 0..<cig { for tau in 0..<K { offsets[ci * K + tau] = ci * plane + taps[tau] } }
            precondition(blocking.mr >= 1 && blocking.mr <= RowKernelBlocking.registerTile(blocking.isa).mr
                         && blocking.nr == RowKernelBlocking.registerTile(blocking.isa).nr && blocking.kc >= 1)
            self.blocking = blocking
            let cog = g.outChannelsPerGroup, depth = cig * K
            pass = w.withUnsafeBufferPointer { w in
                Pass(rowBases: Odometer.sums(Array(g.outputSize.dropLast())) { d, i in i * g.stride[d] * strides[d] },
                     width: g.outputSize[last], offsets: offsets, groups: g.groups, channels: cog, mr: blocking.mr) { grp, co, p in
                    w[(grp * cog + co) * depth + p]
                }
            }
        }

        /// `y = A x` for `batch` samples. Where the input is copied and one copied sample fits one core's L2, the
        /// samples go whole to the threads, `threads` at a time (a job copies its sample and runs all its tiles:
        /// one parallel region, the copy read from the core's own L2, no tile split to balance); the rest, or all
        /// of them otherwise, split by row segments (``tiled(_:_:_:batch:scratch:)``).
        package func run(_ g: ConvolutionGeometry, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                         batch: Int, scratch: ScratchPool) {
            let outPlane = g.outputPlane, threads = MachineProfile.current.threads
            guard pass.offsets.count > 0 else { y.update(repeating: 0, count: batch * g.outChannels * outPlane); return }
            let (inSample, outSample) = (g.inChannels * g.inputPlane, g.outChannels * outPlane)
            let whole = source.padding != nil && threads > 1 && source.sampleFitsL2(channels: g.inChannels)
                ? batch / threads * threads : 0
            if whole > 0 {
                let b = blocking, perJob = min((outPlane + b.nr - 1) / b.nr, b.segmentsPerJob) * b.nr
                let (cig, cog, G) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.groups)
                Parallel.forEach(jobs: whole, work: whole * outSample * pass.offsets.count, threshold: 0) { l in
                    source.with(x + l * inSample, batch: 1, channels: g.inChannels, scratch: scratch) { src, _, _ in
                        for grp in 0..<G {
                            for q0 in stride(from: 0, to: outPlane, by: perJob) {
                                pass.tiles(b, group: grp, base: src + grp * cig * source.plane, from: q0,
                                           to: min(outPlane, q0 + perJob), channels: cog,
                                           y + l * outSample + grp * cog * outPlane + q0, ldo: outPlane)
                            }
                        }
                    }
                }
            }
            if whole < batch {
                tiled(g, x + whole * inSample, y + whole * outSample, batch: batch - whole, scratch: scratch)
            }
        }

        /// `y = A x` for `batch` samples split by row segments: chunks of samples copied (one core's L2 at a time),
        /// each chunk's (sample, group, run of segments) jobs claimed by the threads.
        func tiled(_ g: ConvolutionGeometry, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                   batch: Int, scratch: ScratchPool) {
            let (cig, cog, G) = (g.inChannelsPerGroup, g.outChannelsPerGroup, g.groups)
            let outPlane = g.outputPlane
            source.with(x, batch: batch, channels: g.inChannels, scratch: scratch) { src, b0, nb in
                let b = blocking, tiles = (outPlane + b.nr - 1) / b.nr, planes = nb * G
                // Enough jobs for the dynamic claim to balance (8 a thread), none longer than the L2 bound; each
                // writes its own range of every output channel's plane.
                let wanted = max(1, planes * tiles / (8 * MachineProfile.current.threads))
                let perJob = min(tiles, b.segmentsPerJob, wanted)
                let chunks = (tiles + perJob - 1) / perJob, jobs = planes * chunks
                let (sourceSample, sourceGroup) = (g.inChannels * source.plane, cig * source.plane)
                let out = y + b0 * g.outChannels * outPlane
                Parallel.forEach(jobs: jobs, work: jobs * perJob * b.nr * pass.offsets.count * cog, threshold: 1 << 16) { job in
                    let chunk = job % chunks, lg = job / chunks, grp = lg % G, l = lg / G
                    let q0 = chunk * perJob * b.nr, q1 = min(outPlane, q0 + perJob * b.nr)
                    pass.tiles(b, group: grp, base: src + l * sourceSample + grp * sourceGroup, from: q0, to: q1,
                               channels: cog, out + (l * g.outChannels + grp * cog) * outPlane + q0, ldo: outPlane)
                }
            }
        }
    }
}
