import ConvAlgebraCore
import ConvAlgebraBackends

/// The one place a convolution's direct kernel is chosen (``ConvolutionPlan`` calls it once per plan).
package enum ConvolutionPlanBuilder {
    /// Below this many weights per group (`C_in/G · C_out/G`) a GEMM's `m` or `k` is too thin to pay
    /// for the column matrix; the row stencil runs at memory speed instead.
    package static let gemmMinimumChannelProduct = 16

    /// The family `g` takes when none is forced, and why.
    package static func family(_ g: ConvolutionGeometry) -> (ConvolutionKernel.Family, String) {
        let product = g.inChannelsPerGroup * g.outChannelsPerGroup
        if FFTConvolutionKernels.applies(g) {
            return (.fft, "long 1-D kernel (\(g.kernelSize[0]) taps): overlap-add FFT")
        }
        if product < gemmMinimumChannelProduct {
            return (.rowStencil, "\(product) weight(s) per group per tap: SIMD row stencil")
        }
        guard Im2colGEMMKernels.fits(g) else { return (.rowStencil, "column matrix over the scratch limit: SIMD row stencil") }
        return (.gemm, "im2col + GEMM")
    }

    static func build(_ g: ConvolutionGeometry, _ weights: KernelWeights?, _ direction: ConvolutionDirection,
                      family forced: ConvolutionKernel.Family?, microKernel: Bool,
                      tile: Candidate.Tile? = nil)
        -> (ConvolutionKernel, String, ConvolutionPlanCore.Prepared) {
        let forward = direction == .forward
        if g.boundary == .circular {
            guard forced != .reference, let c = CircularPaddingKernels(g) else {
                return (.reference, "circular boundary: reference loops over the index map", .reference)
            }
            let inner = ConvolutionPlanCore(c.padded, weights: weights, direction: direction, family: forced)
            return (.circularWrapPad(inner: inner.kernel), "circular boundary, wrap-padded, then \(inner.reason)",
                    .circular(c, inner: inner))
        }
        guard g.inputPlane > 0, g.outputPlane > 0 else { return (.reference, "empty plane", .reference) }
        guard let w = weights else { return (.reference, "no fast kernel for this scalar type", .reference) }
        let (automatic, why) = family(g)
        let chosen = forced ?? automatic
        let reason = forced == nil ? why : "forced \(chosen.rawValue)"
        switch chosen {
        case .reference:
            return (.reference, reason, .reference)
        case .fft where forward && FFTConvolutionKernels.eligible(g):
            let span = (g.kernelSize[0] - 1) * abs(g.tapStep[0]) + 1
            let (L, B) = FFTConvolutionKernels.blockSize(span: span, inputLength: g.inputSize[0])
            let prepared: any Sendable
            switch w {
            case .float(let a): prepared = a.withUnsafeBufferPointer { FFTConvolutionKernels.Prepared(g, $0.baseAddress!) }
            case .double(let a): prepared = a.withUnsafeBufferPointer { FFTConvolutionKernels.Prepared(g, $0.baseAddress!) }
            }
            return (.fftOverlapAdd(transform: L, block: B), reason, .fft(prepared))
        case .fft, .rowStencil:
            let note = chosen == .fft ? "\(reason); the transpose runs the row stencil" : reason
            if forward {
                let rows = RowPlan(g)
                return (rows.k == 3 ? .rowStencil3Taps(stride: rows.s) : .rowStencil(taps: rows.k, stride: rows.s), note,
                        .rowStencil(rows))
            }
            if let adjoint = RowStencilKernels.adjointGeometry(g) {
                let rows = RowPlan(adjoint)
                return (rows.k == 3 ? .rowStencil3Taps(stride: 1) : .rowStencil(taps: rows.k, stride: 1),
                        note + " (the adjoint correlation)",
                        .rowStencilAdjoint(adjoint, rows, adjointWeights(g, w)))
            }
            let rows = RowPlan(g)
            return (.rowStencilPolyphase(phases: min(rows.s, rows.n)), note + " (polyphase)",
                    .rowStencilPolyphase(rows, transposeRows: rows.transposeRows(g)))
        case .gemm:
            return gemm(g, w, direction, reason: reason, microKernel: microKernel, tile: tile)
        }
    }

    /// Within the GEMM family: fully connected, then (FP32 on the micro-kernel) the pixel-vector indirect kernel
    /// on the current path (its sub-pixel phases for the transpose), the 6 × 16 indirect kernel or implicit, else
    /// chunked. `tile` pins the pixel-vector
    /// kernel on one path or the 6 × 16 kernel where it can run.
    static func gemm(_ g: ConvolutionGeometry, _ w: KernelWeights, _ direction: ConvolutionDirection,
                     reason: String, microKernel: Bool, tile: Candidate.Tile? = nil)
        -> (ConvolutionKernel, String, ConvolutionPlanCore.Prepared) {
        let transposed = direction == .transpose
        if Im2colGEMMKernels.isFullyConnected(g) {
            let why = "window = whole input: one GEMM over the batch (fully connected)"
            if microKernel, let floats = w.floats, PanelGEMM.padsLittle(outputs: g.outChannelsPerGroup),
               PanelGEMM.padsLittle(outputs: g.inChannelsPerGroup * g.inputPlane) {
                return (.fullyConnectedGEMM(.panelGEMM), why + " on the panel GEMM",
                        .fullyConnected(Im2colGEMMKernels.fullyConnectedPanels(g, floats, direction: direction)))
            }
            return (.fullyConnectedGEMM(.openBLAS), why + " on OpenBLAS", .fullyConnected([]))
        }
        let pointwise = Im2colGEMMKernels.isPointwise(g)
        if microKernel, !pointwise, let floats = w.floats {
            let isa: MachineProfile.KernelISA? = switch tile {
                case .rows(let isa): isa.isSupported ? isa : nil
                case .indirect6x16: nil
                case nil: .current
            }
            if let isa, IndirectRowKernels.applies(g, isa: isa, transposed: transposed) {
                let why = "FP32 micro-kernel, large planes: pixel-vector indirect convolution"
                guard transposed else {
                    let p = IndirectRowKernels.Prepared(g, floats, isa: isa)
                    return (.indirectRows(p.blocking), why, .indirectRows(p))
                }
                let p = IndirectRowKernels.SubPixel(g, floats, isa: isa)
                return (.indirectRowsSubPixel(p.blocking, phases: p.phases), why + " (sub-pixel, phase-planar)",
                        .indirectRowsSubPixel(p))
            }
            if IndirectConvolutionKernels.applies(g, transposed: transposed) {
                let p = IndirectConvolutionKernels.Prepared(g, floats, direction: direction)
                return (transposed ? .indirectSubPixel6x16(phases: g.stride.reduce(1, *)) : .indirect6x16,
                        "FP32 micro-kernel, large planes: indirect convolution" + (transposed ? " (sub-pixel)" : ""),
                        .indirect(p))
            }
            if ImplicitGEMMKernels.fits(g) {
                let p = ImplicitGEMMKernels.Prepared(g, floats, direction: direction)
                let kernel: ConvolutionKernel = p.gather != nil ? .implicitGEMMGather(blockColumns: p.blockColumns)
                                                                : .implicitGEMMSegments(blockColumns: p.blockColumns)
                return (kernel, "FP32 micro-kernel: implicit GEMM" + (p.gather != nil ? " through a gather table" : ""),
                        .implicit(p))
            }
        }
        let engine: GEMMEngine = microKernel ? .microKernel6x16 : .openBLAS
        let p: Im2colGEMMKernels.Prepared
        switch w {
        case .float(let a): p = Im2colGEMMKernels.Prepared(g, a, direction: direction, microKernel: microKernel)
        case .double(let a): p = Im2colGEMMKernels.Prepared(g, a, direction: direction, microKernel: false)
        }
        return pointwise
            ? (.pointwiseGEMM(engine), "pointwise: one GEMM on the input (\(engine.rawValue))", .chunked(p))
            : (.im2colGEMM(engine), "\(reason) (\(engine.rawValue))", .chunked(p))
    }

    static func adjointWeights(_ g: ConvolutionGeometry, _ w: KernelWeights) -> KernelWeights {
        switch w {
        case .float(let a): return .float(RowStencilKernels.adjointWeights(g, a))
        case .double(let a): return .double(RowStencilKernels.adjointWeights(g, a))
        }
    }
}
