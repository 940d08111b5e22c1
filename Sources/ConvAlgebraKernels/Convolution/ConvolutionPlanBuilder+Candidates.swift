import ConvAlgebraCore
import ConvAlgebraBackends

/// The GEMM-family kernels a measuring planner may time against one another on a real shape (FFTW's `MEASURE`):
/// the pixel-vector indirect kernel on every instruction-set path this CPU has (with its derived blocking), the
/// 6 × 16 indirect kernel, and the GEMMs of the pointwise, fully connected and im2col routes on our micro-kernel
/// and on OpenBLAS (which measured faster on some pointwise and fully connected shapes). ``ConvolutionKernel`` is
/// the one place kernels are named; a planner builds the one it picked with ``build(_:_:_:kernel:)``.
extension ConvolutionPlanBuilder {
    /// The GEMM-family kernels that can run `g` in `direction`, FP32 weights when `float`, the automatic choice
    /// among them; empty when `g` is not for the GEMM family (the row stencil, FFT and reference kernels have no
    /// alternatives here).
    /// - Complexity: O(rank).
    package static func candidates(_ g: ConvolutionGeometry, _ direction: ConvolutionDirection, float: Bool)
        -> [ConvolutionKernel] {
        guard g.boundary != .circular, g.inputPlane > 0, g.outputPlane > 0, family(g).0 == .gemm else { return [] }
        if Im2colGEMMKernels.isFullyConnected(g) { return [.fullyConnectedGEMM] }
        let micro = float && MicroGEMM.isAccelerated
        let engines: [GEMMEngine] = micro ? [.microKernel6x16, .openBLAS] : [.openBLAS]
        var list = [ConvolutionKernel]()
        if float, direction == .forward {
            for isa in MachineProfile.KernelISA.supported where IndirectRowKernels.applies(g, isa: isa) {
                list.append(.indirectRows(RowKernelBlocking(isa: isa, caches: MachineProfile.current.caches, geometry: g)))
            }
        }
        let transposed = direction == .transpose
        if Im2colGEMMKernels.isPointwise(g) { return list + engines.map { .pointwiseGEMM($0) } }
        if micro, IndirectConvolutionKernels.applies(g, transposed: transposed) {
            list.append(transposed ? .indirectSubPixel6x16(phases: g.stride.reduce(1, *)) : .indirect6x16)
        }
        return list + engines.map { .im2colGEMM($0) }
    }

    /// The plan's pieces for exactly `kernel`, one of ``candidates(_:_:float:)``; nil when `kernel` cannot run `g`
    /// in `direction` with these weights (another path's ISA, `Double` weights for an FP32 kernel, another route).
    static func build(_ g: ConvolutionGeometry, _ w: KernelWeights, _ direction: ConvolutionDirection,
                      kernel: ConvolutionKernel) -> (ConvolutionKernel, String, ConvolutionPlanCore.Prepared)? {
        let transposed = direction == .transpose, why = "chosen by measurement"
        switch kernel {
        case .indirectRows(let b):
            guard !transposed, let floats = w.floats, b.isa.isSupported, IndirectRowKernels.applies(g, isa: b.isa)
            else { return nil }
            return (kernel, why, .indirectRows(IndirectRowKernels.Prepared(g, floats, blocking: b)))
        case .indirect6x16, .indirectSubPixel6x16:
            guard let floats = w.floats, MicroGEMM.isAccelerated, (kernel == .indirect6x16) != transposed,
                  IndirectConvolutionKernels.applies(g, transposed: transposed) else { return nil }
            let p = IndirectConvolutionKernels.Prepared(g, floats, direction: direction)
            return (transposed ? .indirectSubPixel6x16(phases: g.stride.reduce(1, *)) : .indirect6x16, why, .indirect(p))
        case .fullyConnectedGEMM:
            guard Im2colGEMMKernels.isFullyConnected(g) else { return nil }
            return (kernel, why, .fullyConnected)
        case .pointwiseGEMM(let engine), .im2colGEMM(let engine):
            let pointwise: Bool
            if case .pointwiseGEMM = kernel { pointwise = true } else { pointwise = false }
            let micro = engine == .microKernel6x16
            guard pointwise == Im2colGEMMKernels.isPointwise(g), !Im2colGEMMKernels.isFullyConnected(g),
                  !micro || (w.isFloat && MicroGEMM.isAccelerated) else { return nil }
            switch w {
            case .float(let a):
                return (kernel, why, .chunked(Im2colGEMMKernels.Prepared(g, a, direction: direction, microKernel: micro)))
            case .double(let a):
                return (kernel, why, .chunked(Im2colGEMMKernels.Prepared(g, a, direction: direction, microKernel: false)))
            }
        default:
            return nil
        }
    }
}
