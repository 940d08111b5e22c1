import ConvAlgebraCore
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// The `auto` form: picks direct, dense or sparse for applying an operator to a batch, from a cost model,
/// and says why.
///
/// For an `m × n` operator with `nnz` stored entries applied to `B` samples of `s`-byte scalars, on `P` cores:
/// ```
/// dense  ≈ s·m·n / BW_cache                                   (B = 1: one GEMV streams the matrix)
///        ≈ 2·B·m·n / (R_gemm · B/(B + B½) · m/(m + m½))       (B ≥ 2: one GEMM)
/// sparse ≈ B·(nnz·t_e + m·t_r) / P                            (B < 8: a dot product per row and sample)
///        ≈ ⌈B/L⌉·(nnz·(t_b + L·t_l) + (m + n)·L·t_t) / P      (B ≥ 8: blocks of L samples, transposed in and out)
/// direct ≈ MACs·t_tap + (stride·inputs + outputs)·t_io                    (row stencil)
///        ≈ FLOPs / (R_direct · w/(w + w½) · c/(c + 8))   (im2col + GEMM, w = B·pixels, c = min(C_out, C_in·K))
/// ```
/// with the time to stream the batch from memory once it no longer fits the cache (overlapped by the one-pass
/// kernels, added to the blocked CSR kernel whose transposes are passes of their own), plus a fixed cost per
/// call (more when threads are woken). The rates are per kernel kind, the direct one for the kernel
/// its `ConvolutionPlan` runs, all ``CostModel/measured`` on the benchmark machine (2-core AMD EPYC,
/// 8 MiB L3, OpenBLAS 0.3.21). Materialisation is not charged: `auto` is for an operator applied many times.
public enum FormChooser {
    /// The machine rates the model uses (seconds per unit of work, FLOP/s, bytes/s).
    public struct CostModel: Sendable {
        /// GEMM's asymptotic rate, the batch and the matrix row count at which it reaches half of it.
        public var gemmPeak: Double, gemmHalfBatch: Double, gemmHalfRows: Double
        /// GEMV streaming a matrix that stays in the cache between applications, and memory bandwidth for
        /// anything larger than `cacheBytes`.
        public var gemvBandwidth: Double, bandwidth: Double, cacheBytes: Double
        /// Row-wise CSR (B < 8), one core: seconds per (non-zero, sample) and per (row, sample).
        public var spmvNonzero: Double, spmvRow: Double
        /// Blocked CSR (B ≥ 8), one core: seconds per (non-zero, block) are `spmmNonzero + L·spmmNonzeroLane`;
        /// seconds per scalar transposed into or out of a block; the factor on the non-zeros when a block's
        /// transposed input exceeds `spmmScratchBytes` (the gathers then miss L1).
        public var spmmNonzero: Double, spmmNonzeroLane: Double, spmmTransposed: Double
        public var spmmScratchBytes: Double, spmmLargeScratchFactor: Double
        /// Speed-up per extra core of the threaded kernels (1 = perfect).
        public var parallelEfficiency: Double
        /// Row stencil on all cores: seconds per multiply-add (taps × outputs) and per scalar read or written,
        /// the latter growing by `stencilRankFactor` per dimension after the first; a single plane runs on one
        /// core and pays `singlePlaneFactor`.
        public var stencilTap: Double, stencilIO: Double, stencilRankFactor: Double, singlePlaneFactor: Double
        /// im2col + GEMM (implicit GEMM, or the fully connected GEMM), the GEMM width at half its rate, and the
        /// transposed convolution's share of that rate.
        public var im2colRate: Double, im2colHalfWidth: Double, im2colTransposedFactor: Double
        /// Overlap-add FFT's rate, counting `5·L·log₂L + 4·L` FLOPs per block; the scalar reference loops' rate.
        public var fft: Double, reference: Double
        /// A fixed cost per call, the extra cost of a call that wakes the other cores, and the shortest job
        /// that another core takes up in time, seconds.
        public var overhead: Double, threadedOverhead: Double, handOff: Double

        /// Rates fitted on one benchmark machine (a Zen 1 guest; shared, loaded: minima of 15–30 repeats of every
        /// suite-C point, and single-thread CPU times of the sparse kernels, which the load does not inflate); the
        /// cache sizes are this machine's (``MachineProfile/caches``: half the last level, and L1d for a CSR
        /// block's gathers). Replacing the fitted rates by measured ones is the planner's job (issue 12).
        public static let measured = CostModel(
            gemmPeak: 70e9, gemmHalfBatch: 7, gemmHalfRows: 20,
            gemvBandwidth: 60e9, bandwidth: 12e9, cacheBytes: Double(MachineProfile.current.caches.lastLevel.bytes / 2),
            spmvNonzero: 0.45e-9, spmvRow: 3e-9,
            spmmNonzero: 0.4e-9, spmmNonzeroLane: 0.1e-9, spmmTransposed: 0.33e-9,
            spmmScratchBytes: Double(MachineProfile.current.caches.l1d.bytes), spmmLargeScratchFactor: 1.6, parallelEfficiency: 0.9,
            stencilTap: 0.09e-9, stencilIO: 0.18e-9, stencilRankFactor: 0.45, singlePlaneFactor: 2.5,
            im2colRate: 50e9, im2colHalfWidth: 43, im2colTransposedFactor: 0.6, fft: 5e9, reference: 1e9,
            overhead: 3e-6, threadedOverhead: 4e-6, handOff: 50e-6)

        /// Effective cores for `workers` threads.
        package func cores(_ workers: Int) -> Double { workers > 1 ? Double(workers) * parallelEfficiency : 1 }

        /// Seconds to stream `bytes` from memory when they exceed the cache, else 0.
        package func streaming(_ bytes: Double) -> Double { bytes > cacheBytes ? bytes / bandwidth : 0 }
    }

    /// The chosen form, the reason in one line, and the model's time estimates in seconds.
    public struct Choice: Sendable {
        public let form: Form
        public let reason: String
        public let estimates: [Form: Double]
    }

    /// Picks the form for applying `op` to `batch` samples.
    public static func choose<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int, model: CostModel = .measured) -> Choice {
        let (m, n) = op.matrixSize
        guard let nnz = storedEntries(op) else {
            return Choice(form: .direct, reason: "no stencil to count non-zeros: direct", estimates: [:])
        }
        let B = max(batch, 1), s = MemoryLayout<S>.stride
        let dense = denseEstimate(m: m, n: n, batch: B, scalarBytes: s, model: model)
        let sparse = sparseEstimate(m: m, n: n, nnz: nnz, batch: B, scalarBytes: s, model: model)
        let direct = directEstimate(op, batch: B, nnz: Double(nnz), model: model)
        let estimates: [Form: Double] = [.direct: direct, .dense: dense, .sparse: sparse]
        let best = estimates.min { $0.value < $1.value || ($0.value == $1.value && $0.key.rawValue < $1.key.rawValue) }!.key
        let (dm, dn, dnnz) = (Double(m), Double(n), Double(nnz))
        let density = dnnz / max(dm * dn, 1)
        func us(_ t: Double) -> String { String(Int((t * 1e6).rounded())) + " µs" }
        let reason = "density \(Int((density * 1000).rounded()) / 10)% (nnz \(nnz) of \(m)×\(n)), B=\(batch): "
            + "direct ≈ \(us(direct)), dense ≈ \(us(dense)) (\(Int((dm * dn / max(dnnz, 1)).rounded()))× the useful work), "
            + "sparse ≈ \(us(sparse))"
        return Choice(form: best, reason: reason, estimates: estimates)
    }

    /// One GEMV at a single sample (the matrix streamed from the cache, or from memory when larger), else one
    /// GEMM whose rate grows with the batch and the matrix's row count.
    package static func denseEstimate(m: Int, n: Int, batch B: Int, scalarBytes s: Int, model: CostModel) -> Double {
        let (dm, dn, dB, ds) = (Double(m), Double(n), Double(B), Double(s))
        let matrixBytes = ds * dm * dn
        if B == 1 {
            return matrixBytes / (matrixBytes > model.cacheBytes ? model.bandwidth : model.gemvBandwidth) + model.overhead
        }
        let rate = model.gemmPeak * dB / (dB + model.gemmHalfBatch) * dm / (dm + model.gemmHalfRows)
        // OpenBLAS's threads spin between calls: no wake-up cost.
        return max(2 * dB * dm * dn / rate, model.streaming(matrixBytes)) + model.overhead
    }

    /// The CSR kernel ``SparseKernels`` runs: row-wise below ``SparseKernels/blockedBatch`` samples, else blocks
    /// of ``SparseKernels/lanes(batch:columns:scalarBytes:)`` samples claimed by the cores.
    package static func sparseEstimate(m: Int, n: Int, nnz: Int, batch B: Int, scalarBytes s: Int, model: CostModel) -> Double {
        let (dm, dn, dnnz, dB) = (Double(m), Double(n), Double(nnz), Double(B))
        let cores = MachineProfile.current.threads
        let threaded = B * nnz >= SparseKernels.parallelWork
        let io = model.streaming(Double(s) * dB * (dm + dn))
        if B < SparseKernels.blockedBatch {
            let workers = threaded ? min(m, cores) : 1
            let work = dB * (dnnz * model.spmvNonzero + dm * model.spmvRow)
            return max(work / model.cores(workers), io) + model.overhead + (workers > 1 ? model.threadedOverhead : 0)
        }
        let L = SparseKernels.lanes(batch: B, columns: n, scalarBytes: s)
        let blocks = (B + L - 1) / L
        let scratch = dn * Double(L * s) > model.spmmScratchBytes ? model.spmmLargeScratchFactor : 1
        let perBlock = dnnz * (model.spmmNonzero + Double(L) * model.spmmNonzeroLane) * scratch
            + (dm + dn) * Double(L) * model.spmmTransposed
        // A share shorter than a thread's wake-up is mostly done by the calling thread before the others arrive
        // (measured: two 35 µs blocks of mx-1d-long took 78 µs).
        let shares = Double(blocks) * perBlock / Double(min(blocks, cores))
        let workers = threaded && shares >= model.handOff ? min(blocks, cores) : 1
        // The transposes are passes of their own over the batch: past the cache they add its streaming time.
        return Double(blocks) * perBlock / model.cores(workers) + io + model.overhead
            + (workers > 1 ? model.threadedOverhead : 0)
    }

    /// The stored entries of the operator's matrix without materialising it, when it has a stencil.
    package static func storedEntries<S: BLASScalar>(_ op: any LinearOperator<S>) -> Int? {
        if let c = op as? Convolution<S> { return c.geometry.termCount }
        if let t = op as? TransposedConvolution<S> { return t.geometry.termCount }
        if let st = op as? any StencilOperator { return st.termCount }
        return nil
    }

    /// The direct form's time for the kernel the operator's plan runs (``ConvolutionPlan/kernel``): overlap-add FFT, im2col + GEMM (its
    /// GEMM multiplies the padding taps too, and its width is the batch times the output plane), or the row
    /// stencil (multiply-adds over every tap plus the reads and writes, one core for a single plane); a
    /// stencil operator that is not a convolution runs its terms at the row stencil's rate.
    package static func directEstimate<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int, nnz: Double, model: CostModel) -> Double {
        let plan = (op as? Convolution<S>)?.directPlan ?? (op as? TransposedConvolution<S>)?.directPlan
        let geometry = plan?.geometry
        let B = Double(max(batch, 1)), s = Double(MemoryLayout<S>.stride)
        guard let g = geometry else { return B * nnz * model.stencilTap * 2 + model.overhead + model.threadedOverhead }
        let (inputs, outputs) = (B * Double(g.inChannels * g.inputPlane), B * Double(g.outChannels * g.outputPlane))
        let io = inputs + outputs
        switch plan!.kernel.family {
        case .reference:
            return 2 * B * nnz / model.reference + model.overhead
        case .fft:
            let span = (g.kernelSize[0] - 1) * abs(g.tapStep[0]) + 1
            let (L, blockLength) = FFTConvolutionKernels.blockSize(span: span, inputLength: g.inputSize[0])
            let blocks = Double((g.inputSize[0] + blockLength - 1) / blockLength)
            let perBlock = 5 * Double(L) * Double(L.trailingZeroBitCount) + 4 * Double(L)
            return B * Double(g.inChannels) * blocks * perBlock / model.fft + model.overhead + model.threadedOverhead
        case .gemm:
            // Thin GEMMs (few output channels, or few inputs per tap) leave the micro-kernel's rows idle; the
            // transposed form (sub-pixel phases) runs at a fraction of the forward rate (measured on mx-ct).
            let width = B * Double(g.outputPlane)
            let thin = Double(min(g.outChannelsPerGroup, g.inChannelsPerGroup * g.kernelPlane))
            // One sample's pixel blocks measured on one core.
            let rate = model.im2colRate * width / (width + model.im2colHalfWidth) * thin / (thin + 8)
                * (op is TransposedConvolution<S> ? model.im2colTransposedFactor : 1) * (batch <= 1 ? 0.5 : 1)
            return B * DLGeometry.nominalFlops(g) / rate + model.streaming(s * io) + model.overhead + model.threadedOverhead
        case .rowStencil:
            let macs = DLGeometry.nominalFlops(g) / 2 * B
            // A strided stencil reads its input rows `stride` times as sparsely.
            let perIO = model.stencilIO * (1 + model.stencilRankFactor * Double(g.rank - 1))
            let onePlane = batch * g.outChannels < 2
            let stride = Double(g.stride.max() ?? 1)
            let work = (macs * model.stencilTap + (inputs * stride + outputs) * perIO) * (onePlane ? model.singlePlaneFactor : 1)
            // One pass over the rows: streaming overlaps the arithmetic.
            return max(work, model.streaming(s * io)) + model.overhead + (onePlane ? 0 : model.threadedOverhead)
        }
    }
}
