/// The `auto` form: picks direct, dense or sparse for applying an operator to a batch, from a cost model,
/// and says why.
///
/// For an `m × n` operator with `nnz` stored entries applied to `B` samples:
/// ```
/// dense  ≈ max(2·B·m·n / R_gemm(B),  s·m·n / BW)          (GEMM; a GEMV at B = 1 streams the matrix)
/// sparse ≈ ⌈B/16⌉·(m·a + nnz·b)  (B ≥ 8),  B·nnz·c  (B < 8)   (CSR × dense; SIMD over 16-sample blocks)
/// direct ≈ executed FLOPs / R_kernel                        (row stencil, or im2col + GEMM)
/// ```
/// with `s` the scalar size, `R_gemm(B) = R_peak · B/(B + B½)`; rates are ``CostModel/measured`` on the
/// benchmark machine (2-core AMD EPYC, OpenBLAS 0.3.21). Materialisation is not charged: `auto` is for
/// an operator applied many times.
public enum FormChooser {
    /// The machine rates the model uses (FLOP/s, bytes/s).
    public struct CostModel: Sendable {
        /// GEMM's asymptotic rate and the batch at which it reaches half of it.
        public var gemmPeak: Double, gemmHalfBatch: Double
        /// Memory bandwidth for streaming a matrix or a batch.
        public var bandwidth: Double
        /// CSR × dense with the SIMD-over-samples kernel (B ≥ 8): seconds per (row, block of 16 samples) and
        /// per (non-zero, block); with the row-dot kernel (B < 8): seconds per (non-zero, sample).
        public var spmmRowBlock: Double, spmmNonzeroBlock: Double, spmmNonzero: Double
        /// The SIMD row stencil's rate (both cores, many planes) and on a single plane.
        public var rowStencil: Double, rowStencilSinglePlane: Double
        /// Overlap-add FFT's rate, counting `5·L·log₂L + 4·L` FLOPs per block.
        public var fft: Double
        /// A fixed cost per call (dispatch, threads), seconds.
        public var overhead: Double

        /// Fitted to suite C's direct/dense/sparse timings on the benchmark machine (2-core AMD EPYC under
        /// the load of a shared build machine; OpenBLAS sgemm 2048³ measured 24–72 GFLOP/s there).
        public static let measured = CostModel(
            gemmPeak: 70e9, gemmHalfBatch: 7, bandwidth: 9e9, spmmRowBlock: 45e-9, spmmNonzeroBlock: 1.18e-9,
            spmmNonzero: 1.4e-9, rowStencil: 12e9, rowStencilSinglePlane: 6e9, fft: 5e9, overhead: 4e-6)
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
        let B = Double(max(batch, 1)), s = Double(MemoryLayout<S>.stride)
        guard let nnz = storedEntries(op) else {
            return Choice(form: .direct, reason: "no stencil to count non-zeros: direct", estimates: [:])
        }
        let dm = Double(m), dn = Double(n), dnnz = Double(nnz)
        let gemmRate = model.gemmPeak * B / (B + model.gemmHalfBatch)
        let dense = max(2 * B * dm * dn / gemmRate, s * dm * dn / model.bandwidth) + model.overhead
        let L = SparseKernels.lanes(batch: max(batch, 1), scalarBytes: MemoryLayout<S>.size)
        let blocks = Double((max(batch, 1) + L - 1) / L) * Double(L) / 16
        let sparse = (batch >= 8 ? blocks * (dm * model.spmmRowBlock + dnnz * model.spmmNonzeroBlock)
                                 : B * dnnz * model.spmmNonzero) + model.overhead
        let direct = directEstimate(op, batch: batch, nnz: dnnz, model: model) + model.overhead
        let estimates: [Form: Double] = [.direct: direct, .dense: dense, .sparse: sparse]
        let best = estimates.min { $0.value < $1.value || ($0.value == $1.value && $0.key.rawValue < $1.key.rawValue) }!.key
        let density = dnnz / max(dm * dn, 1)
        func us(_ t: Double) -> String { String(Int((t * 1e6).rounded())) + " µs" }
        let reason = "density \(Int((density * 1000).rounded()) / 10)% (nnz \(nnz) of \(m)×\(n)), B=\(batch): "
            + "direct ≈ \(us(direct)), dense ≈ \(us(dense)) (\(Int((dm * dn / max(dnnz, 1)).rounded()))× the useful work), "
            + "sparse ≈ \(us(sparse))"
        return Choice(form: best, reason: reason, estimates: estimates)
    }

    /// The stored entries of the operator's matrix without materialising it, when it has a stencil.
    static func storedEntries<S: BLASScalar>(_ op: any LinearOperator<S>) -> Int? {
        if let c = op as? Convolution<S> { return c.geometry.termCount }
        if let t = op as? TransposedConvolution<S> { return t.geometry.termCount }
        if let st = op as? any StencilOperator { return st.termCount }
        return nil
    }

    /// The direct form's time: the row stencil at its rate over the in-bounds terms, or im2col + GEMM
    /// (the GEMM multiplies the padding taps too, and its width is the chunk of samples times the plane).
    static func directEstimate<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int, nnz: Double, model: CostModel) -> Double {
        let geometry = (op as? Convolution<S>)?.geometry ?? (op as? TransposedConvolution<S>)?.geometry
        let B = Double(max(batch, 1))
        guard let g = geometry else { return 2 * B * nnz / model.rowStencil }
        switch ConvolutionKernels.choose(g).kernel {
        case .fftOverlapAdd:
            let span = (g.kernelSize[0] - 1) * abs(g.tapStep[0]) + 1
            let (L, blockLength) = FFTConvolutionKernels.blockSize(span: span, inputLength: g.inputSize[0])
            let blocks = Double((g.inputSize[0] + blockLength - 1) / blockLength)
            let perBlock = 5 * Double(L) * Double(L.trailingZeroBitCount) + 4 * Double(L)
            return B * blocks * perBlock / model.fft
        case .im2colGEMM:
            let width = Double(Im2colGEMMKernels.chunk(g, batch: batch) * g.outputPlane)
            let thin = Double(min(g.outChannelsPerGroup, g.inChannelsPerGroup * g.kernelPlane))
            let rate = model.gemmPeak * (width / (width + 64)) * (thin / (thin + 8))
            let copies = Double(MemoryLayout<S>.stride) * B * Double(g.inChannels * g.kernelPlane * g.outputPlane)
            return B * DLGeometry.nominalFlops(g) / rate + 2 * copies / model.bandwidth
        default:
            // Short rows spend a larger share in the scalar borders and loop overhead.
            let planes = batch * g.outChannels, row = Double(g.outputSize[g.rank - 1])
            let rate = (planes >= 2 ? model.rowStencil : model.rowStencilSinglePlane) * row / (row + 117)
            return 2 * B * nnz / rate
        }
    }
}
