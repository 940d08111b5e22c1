import ConvAlgebraCore
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// The `auto` form's cost model (FFTW's `estimate`): the time of direct, dense and sparse for applying an
/// operator to a batch, from the machine's measured rates (``CostModel``), and the cheapest with the reason.
///
/// For an `m × n` operator with `nnz` stored entries applied to `B` samples of `s`-byte scalars, on `P` cores
/// (`parallel(T, w)` is ``CostModel``'s fork-join time of `T` core-seconds on `w` workers):
/// ```
/// dense  ≈ s·m·n / BW_cache                                   (B = 1: one GEMV streams the matrix)
///        ≈ 2·B·m·n / (R_gemm · B/(B + B½) · m/(m + m½))       (B ≥ 2: one GEMM)
/// sparse ≈ parallel(B·(nnz·t_e + m·t_r), P)                   (B < 8: a dot product per row and sample)
///        ≈ parallel(⌈B/L⌉·L·(nnz·t_l + (m + n)·t_t), P)       (B ≥ 8: blocks of L samples, transposed in and out)
/// direct ≈ parallel(MACs·t_tap + (stride·inputs + outputs)·t_io, min(planes, P))   (row stencil)
///        ≈ FLOPs / (R_direct · w/(w + w½) · c/(c + c½))   (im2col + GEMM, w = B·pixels, c = min(C_out, C_in·K))
/// ```
/// with the time to stream the batch from memory once it no longer fits the cache, plus a fixed cost per call
/// (more when the pool's workers run). Every estimate is non-decreasing in `B`: where a kernel switches path
/// (GEMV to GEMM, row-wise to blocked CSR, one core to all) the estimate is the smaller of this batch's path and
/// the path at the switch, because a batch can always be padded to take the cheaper one. The direct rate is the
/// one for the kernel its `ConvolutionPlan` runs. Materialisation is not charged: `auto` is for an operator
/// applied many times. ``Planner`` adds FFTW's `measure` and wisdom on top.
public enum FormChooser {
    /// The rates, as ``CostModel`` (the name this type used to nest).
    public typealias CostModel = ConvAlgebraPlanning.CostModel

    /// The chosen form, the reason in one line, and the model's time estimates in seconds.
    public struct Choice: Sendable {
        public let form: Form
        public let reason: String
        public let estimates: [Form: Double]
    }

    /// Picks the form for applying `op` to `batch` samples (`model`: this machine's measured rates by default).
    public static func choose<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int, model: CostModel = .current) -> Choice {
        let (m, n) = op.matrixSize
        guard let nnz = storedEntries(op) else {
            return Choice(form: .direct, reason: "no stencil to count non-zeros: direct", estimates: [:])
        }
        let estimates = estimates(op, batch: batch, model: model)
        let best = cheapest(estimates)
        let (dm, dn, dnnz) = (Double(m), Double(n), Double(nnz))
        let density = dnnz / max(dm * dn, 1)
        let reason = "density \(Int((density * 1000).rounded()) / 10)% (nnz \(nnz) of \(m)×\(n)), B=\(batch): "
            + "direct ≈ \(microseconds(estimates[.direct]!)), dense ≈ \(microseconds(estimates[.dense]!)) "
            + "(\(Int((dm * dn / max(dnnz, 1)).rounded()))× the useful work), sparse ≈ \(microseconds(estimates[.sparse]!))"
        return Choice(form: best, reason: reason, estimates: estimates)
    }

    /// The three forms' estimated seconds for `batch` samples; empty for an operator without a stencil.
    public static func estimates<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int, model: CostModel = .current) -> [Form: Double] {
        let (m, n) = op.matrixSize
        guard let nnz = storedEntries(op) else { return [:] }
        let B = max(batch, 1), s = MemoryLayout<S>.stride
        return [.direct: directEstimate(op, batch: B, nnz: Double(nnz), model: model),
                .dense: denseEstimate(m: m, n: n, batch: B, scalarBytes: s, model: model),
                .sparse: sparseEstimate(m: m, n: n, nnz: nnz, batch: B, scalarBytes: s, model: model)]
    }

    /// The form with the smallest time (ties: the first in ``Form/concrete``'s order).
    package static func cheapest(_ times: [Form: Double]) -> Form {
        Form.concrete.filter { times[$0] != nil }.min { times[$0]! < times[$1]! } ?? .direct
    }

    package static func microseconds(_ t: Double) -> String {
        t < 1e-3 ? String(Int((t * 1e6).rounded())) + " µs" : String(Double(Int((t * 1e5).rounded())) / 100) + " ms"
    }

    /// One GEMV at a single sample (the matrix streamed from the cache, or from memory when larger; never more
    /// than the two-sample GEMM that could run it), else one GEMM whose rate grows with the batch and the rows.
    package static func denseEstimate(m: Int, n: Int, batch B: Int, scalarBytes s: Int, model: CostModel) -> Double {
        let (dm, dn, dB, ds) = (Double(m), Double(n), Double(B), Double(s))
        let matrixBytes = ds * dm * dn
        func gemm(_ dB: Double) -> Double {
            let rate = model.gemmPeak * model.precision(s) * dB / (dB + model.gemmHalfBatch) * dm / (dm + model.gemmHalfRows)
            // OpenBLAS's threads spin between calls: no wake-up cost.
            return max(2 * dB * dm * dn / rate, model.streaming(matrixBytes)) + model.overhead
        }
        if B == 1 {
            let gemv = matrixBytes / (matrixBytes > model.cacheBytes ? model.bandwidth : model.gemvBandwidth) + model.overhead
            return min(gemv, gemm(2))
        }
        return gemm(dB)
    }

    /// The CSR kernel ``SparseKernels`` runs: row-wise below ``SparseKernels/blockedBatch`` samples, else blocks
    /// of ``SparseKernels/lanes(batch:columns:scalarBytes:)`` samples claimed by the cores; one core below
    /// ``SparseKernels/parallelWork`` multiply-adds. Below a switch, the smaller of this path and the next.
    package static func sparseEstimate(m: Int, n: Int, nnz: Int, batch B: Int, scalarBytes s: Int, model: CostModel) -> Double {
        let raw = { (b: Int) in sparsePath(m: m, n: n, nnz: nnz, batch: b, scalarBytes: s, model: model) }
        let threadedFrom = (SparseKernels.parallelWork + max(nnz, 1) - 1) / max(nnz, 1)
        return ([B] + [threadedFrom, SparseKernels.blockedBatch].filter { $0 > B }).map(raw).min()!
    }

    private static func sparsePath(m: Int, n: Int, nnz: Int, batch B: Int, scalarBytes s: Int, model: CostModel) -> Double {
        let (dm, dn, dnnz, dB) = (Double(m), Double(n), Double(nnz), Double(B))
        let cores = MachineProfile.current.threads
        let threaded = B * nnz >= SparseKernels.parallelWork
        let io = model.streaming(Double(s) * dB * (dm + dn))
        if B < SparseKernels.blockedBatch {
            let workers = threaded ? min(m, cores) : 1
            let work = dB * (dnnz * model.spmvNonzero + dm * model.spmvRow)
            return max(model.parallel(work, workers: workers), io) + model.overhead + (workers > 1 ? model.threadedOverhead : 0)
        }
        let L = SparseKernels.lanes(batch: B, columns: n, scalarBytes: s)
        let blocks = (B + L - 1) / L
        let workers = threaded ? min(blocks, cores) : 1
        let work = Double(blocks * L) * (dnnz * model.spmmNonzero / model.precision(s) + (dm + dn) * model.spmmTransposed)
        // The transposes are passes of their own over the batch: past the cache they add its streaming time.
        return model.parallel(work, workers: workers) + io + model.overhead + (workers > 1 ? model.threadedOverhead : 0)
    }

    /// The stored entries of the operator's matrix without materialising it, when it has a stencil.
    package static func storedEntries<S: BLASScalar>(_ op: any LinearOperator<S>) -> Int? {
        if let c = op as? Convolution<S> { return c.geometry.termCount }
        if let t = op as? TransposedConvolution<S> { return t.geometry.termCount }
        if let st = op as? any StencilOperator { return st.termCount }
        return nil
    }

    /// The direct form's time for the kernel the operator's plan runs (``ConvolutionPlan/kernel``): overlap-add
    /// FFT, im2col + GEMM (its GEMM multiplies the padding taps too, and its width is the batch times the output
    /// plane), or the row stencil (multiply-adds over every tap plus the reads and writes, planes split across the
    /// cores); a stencil operator that is not a convolution runs its terms at the row stencil's rate.
    package static func directEstimate<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int, nnz: Double, model: CostModel) -> Double {
        let plan = (op as? Convolution<S>)?.directPlan ?? (op as? TransposedConvolution<S>)?.directPlan
        let B = Double(max(batch, 1)), s = MemoryLayout<S>.stride, ds = Double(s)
        let cores = MachineProfile.current.threads
        guard let plan else {
            let work = B * nnz * model.stencilTap / model.precision(s)
            return model.parallel(work, workers: cores) + model.overhead + model.threadedOverhead
        }
        let g = plan.geometry
        let (inputs, outputs) = (B * Double(g.inChannels * g.inputPlane), B * Double(g.outChannels * g.outputPlane))
        let io = model.streaming(ds * (inputs + outputs))
        switch plan.kernel.family {
        case .reference:
            return 2 * B * nnz / model.reference + model.overhead
        case .fft:
            let span = (g.kernelSize[0] - 1) * abs(g.tapStep[0]) + 1
            let (L, blockLength) = FFTConvolutionKernels.blockSize(span: span, inputLength: g.inputSize[0])
            let blocks = Double((g.inputSize[0] + blockLength - 1) / blockLength)
            let perBlock = 5 * Double(L) * Double(L.trailingZeroBitCount) + 4 * Double(L)
            return B * Double(g.inChannels) * blocks * perBlock / (model.fft * model.precision(s)) + model.overhead
                + model.threadedOverhead
        case .gemm:
            // Thin GEMMs (few output channels, or few inputs per tap) leave the micro-kernel's rows idle; the
            // transposed form (sub-pixel phases) runs at its measured share of the forward rate.
            let width = B * Double(g.outputPlane)
            let thin = Double(min(g.outChannelsPerGroup, g.inChannelsPerGroup * g.kernelPlane))
            let rate = model.im2colRate * model.precision(s) * width / (width + model.im2colHalfWidth)
                * thin / (thin + model.im2colHalfThin) * (plan.direction == .transpose ? model.im2colTransposedFactor : 1)
            return B * DLGeometry.nominalFlops(g) / rate + io + model.overhead + model.threadedOverhead
        case .rowStencil:
            let macs = DLGeometry.nominalFlops(g) / 2 * B
            // A strided stencil reads its input rows `stride` times as sparsely.
            let perIO = model.stencilIO * (1 + model.stencilRankFactor * Double(g.rank - 1))
            let stride = Double(g.stride.max() ?? 1)
            let work = macs * model.stencilTap / model.precision(s) + (inputs * stride + outputs) * perIO
            // The planes are the jobs: one plane runs on one core. One pass over the rows: streaming overlaps.
            let planes = Int(B) * (plan.direction == .forward ? g.outChannels : g.inChannels)
            let workers = min(planes, cores)
            return max(model.parallel(work, workers: workers), io) + model.overhead
                + (workers > 1 ? model.threadedOverhead : 0)
        }
    }
}
