import ConvAlgebraCore
import ConvAlgebraBackends

/// The fast direct forms of ``Convolution`` and ``TransposedConvolution``, and the choice between them.
///
/// The choice is automatic and internal (``choose(_:)``); the reference loops of ``StencilKernels``
/// stay reachable (``StencilKernels/referenceForward(_:_:_:_:batch:)``) so tests can check every fast
/// kernel against them, and a kernel can be forced with `kernel:` for that purpose.
package enum ConvolutionKernel: String, CaseIterable, Sendable {
    /// The plain loops over the flat index map (any boundary).
    case reference
    /// SIMD over the outputs of a row, taps in registers (depthwise, single-channel, 1-D DSP).
    case rowStencil
    /// The GEMM family, routed by ``Im2colGEMMKernels/route(_:transposed:float:)``: indirect convolution or
    /// implicit GEMM on our FP32 micro-kernel, one GEMM for a fully connected window, else im2col (or the input
    /// itself, pointwise) and a GEMM per chunk of samples and group, the transpose GEMM then col2im.
    case im2colGEMM
    /// Overlap-add FFT (FFTW) for long single-channel 1-D kernels, forward only (the transpose runs the
    /// row stencil).
    case fftOverlapAdd
}

package enum ConvolutionKernels {
    /// Below this many weights per group (`C_in/G · C_out/G`) a GEMM's `m` or `k` is too thin to pay
    /// for the column matrix; the row stencil runs at memory speed instead.
    package static let gemmMinimumChannelProduct = 16

    /// The kernel the direct form uses for `g`, and why.
    package static func choose(_ g: ConvolutionGeometry) -> (kernel: ConvolutionKernel, reason: String) {
        if g.boundary == .circular, let c = CircularPaddingKernels(g) {
            let inner = choose(c.padded)
            return (inner.kernel, "circular boundary, wrap-padded, then \(inner.reason)")
        }
        guard g.boundary == .zero else { return (.reference, "circular boundary: reference loops over the index map") }
        guard g.inputPlane > 0, g.outputPlane > 0 else { return (.reference, "empty plane") }
        let product = g.inChannelsPerGroup * g.outChannelsPerGroup
        if FFTConvolutionKernels.applies(g) {
            return (.fftOverlapAdd, "long 1-D kernel (\(g.kernelSize[0]) taps): overlap-add FFT")
        }
        if product < gemmMinimumChannelProduct {
            return (.rowStencil, "\(product) weight(s) per group per tap: SIMD row stencil")
        }
        guard Im2colGEMMKernels.fits(g) else { return (.rowStencil, "column matrix over the scratch limit: SIMD row stencil") }
        if Im2colGEMMKernels.isFullyConnected(g) { return (.im2colGEMM, "window = whole input: one GEMM over the batch (fully connected)") }
        return (.im2colGEMM, Im2colGEMMKernels.isPointwise(g) ? "pointwise: one GEMM on the input" : "im2col + GEMM")
    }

    // MARK: - Entry points (switch once on the scalar type)

    package static func forward<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: [S], _ x: UnsafePointer<S>,
                                       _ y: UnsafeMutablePointer<S>, batch: Int, kernel: ConvolutionKernel? = nil) {
        guard batch > 0 else { return }
        let k = kernel ?? choose(g).kernel
        let circular = g.boundary == .circular ? CircularPaddingKernels(g) : nil
        if k == .reference || (g.boundary != .zero && circular == nil) {
            StencilKernels.referenceForward(g, w, x, y, batch: batch); return
        }
        if S.self == Float.self {
            w.withUnsafeBufferPointer { wp in
                forwardTyped(g, k, KernelDispatch.cast(wp.baseAddress!, to: Float.self),
                             KernelDispatch.cast(x, to: Float.self), KernelDispatch.cast(y, to: Float.self), batch: batch,
                             circular: circular)
            }
        } else if S.self == Double.self {
            w.withUnsafeBufferPointer { wp in
                forwardTyped(g, k, KernelDispatch.cast(wp.baseAddress!, to: Double.self),
                             KernelDispatch.cast(x, to: Double.self), KernelDispatch.cast(y, to: Double.self), batch: batch,
                             circular: circular)
            }
        } else {
            StencilKernels.referenceForward(g, w, x, y, batch: batch)
        }
    }

    package static func transpose<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: [S], _ yIn: UnsafePointer<S>,
                                         _ xOut: UnsafeMutablePointer<S>, batch: Int, kernel: ConvolutionKernel? = nil) {
        guard batch > 0 else { return }
        let k = kernel ?? choose(g).kernel
        let circular = g.boundary == .circular ? CircularPaddingKernels(g) : nil
        if k == .reference || (g.boundary != .zero && circular == nil) {
            StencilKernels.referenceTranspose(g, w, yIn, xOut, batch: batch); return
        }
        if S.self == Float.self {
            w.withUnsafeBufferPointer { wp in
                transposeTyped(g, k, KernelDispatch.cast(wp.baseAddress!, to: Float.self),
                               KernelDispatch.cast(yIn, to: Float.self), KernelDispatch.cast(xOut, to: Float.self), batch: batch,
                               circular: circular)
            }
        } else if S.self == Double.self {
            w.withUnsafeBufferPointer { wp in
                transposeTyped(g, k, KernelDispatch.cast(wp.baseAddress!, to: Double.self),
                               KernelDispatch.cast(yIn, to: Double.self), KernelDispatch.cast(xOut, to: Double.self), batch: batch,
                               circular: circular)
            }
        } else {
            StencilKernels.referenceTranspose(g, w, yIn, xOut, batch: batch)
        }
    }

    package static func forwardTyped<T: KernelScalar>(_ g: ConvolutionGeometry, _ k: ConvolutionKernel, _ w: UnsafePointer<T>,
                                              _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, batch: Int,
                                              circular: CircularPaddingKernels? = nil) {
        if let circular { circular.forward(k, w, x, y, batch: batch, unpaddedPlane: g.inputPlane); return }
        let plan = RowPlan(g)
        switch k {
        case .im2colGEMM: Im2colGEMMKernels.forward(g, plan, w, x, y, batch: batch)
        case .fftOverlapAdd where FFTConvolutionKernels.eligible(g):
            FFTConvolutionKernels.forward(g, w, x, y, batch: batch)
        default: RowStencilKernels.forward(g, plan, w, x, y, batch: batch)
        }
    }

    package static func transposeTyped<T: KernelScalar>(_ g: ConvolutionGeometry, _ k: ConvolutionKernel, _ w: UnsafePointer<T>,
                                                _ yIn: UnsafePointer<T>, _ xOut: UnsafeMutablePointer<T>, batch: Int,
                                                circular: CircularPaddingKernels? = nil) {
        if let circular { circular.transpose(k, w, yIn, xOut, batch: batch, unpaddedPlane: g.inputPlane); return }
        let plan = RowPlan(g)
        switch k {
        case .im2colGEMM: Im2colGEMMKernels.transpose(g, plan, w, yIn, xOut, batch: batch)
        default: RowStencilKernels.transpose(g, plan, w, yIn, xOut, batch: batch)
        }
    }
}
