import ConvAlgebraCore
import ConvAlgebraBackends

/// Which way a ``ConvolutionPlan`` applies its geometry: `y = A x` or `x̃ = Aᵀ y`.
package enum ConvolutionDirection: String, Hashable, Sendable {
    case forward, transpose
}

/// The GEMM a GEMM-family kernel multiplies with.
package enum GEMMEngine: String, Hashable, Sendable {
    /// Our FP32 6 × 16 micro-kernel (``MicroGEMM``), the weights packed once in the plan.
    case microKernel6x16
    /// OpenBLAS (`Double`, or a CPU without the micro-kernel's ISA).
    case openBLAS
    /// Our FP32 panel GEMM (``PanelGEMM``): the weights packed once as column panels, the batch read in place.
    case panelGEMM
}

/// The direct kernel a ``ConvolutionPlan`` runs, chosen once by the plan's builder; each case carries the
/// parameters it was specialised for (XNNPACK's habit: the name says what runs).
package indirect enum ConvolutionKernel: Hashable, Sendable, CustomStringConvertible {
    /// The plain loops over the flat index map (any boundary): ``StencilKernels``.
    case reference
    /// SIMD over a row's outputs, three taps along the row unrolled: ``RowStencilKernels`` (depthwise 3×3).
    case rowStencil3Taps(stride: Int)
    /// SIMD over a row's outputs, any number of taps along the row.
    case rowStencil(taps: Int, stride: Int)
    /// The transpose of a strided row stencil: the polyphase gather, `phases` per row, no inserted zero multiplied.
    case rowStencilPolyphase(phases: Int)
    /// Overlap-add FFT (FFTW), transforms of `transform` points for blocks of `block` inputs.
    case fftOverlapAdd(transform: Int, block: Int)
    /// ``IndirectConvolutionKernels`` forward: tiles of 6 pixels × 16 channels through pointer tables.
    case indirect6x16
    /// ``IndirectRowKernels`` forward: the pixel-vector tile (channels × one row's pixels) on one instruction-set
    /// path, stored as vectors into the output rows; its register tile and cache blocking.
    case indirectRows(RowKernelBlocking)
    /// ``IndirectConvolutionKernels`` transpose: one indirect pass per sub-pixel phase.
    case indirectSubPixel6x16(phases: Int)
    /// ``IndirectRowKernels/SubPixel``: the pixel-vector tile on each sub-pixel phase, written phase-planar and
    /// interleaved into the output rows.
    case indirectRowsSubPixel(RowKernelBlocking, phases: Int)
    /// ``ImplicitGEMMKernels`` with the column block gathered through a precomputed table (short rows).
    case implicitGEMMGather(blockColumns: Int)
    /// ``ImplicitGEMMKernels`` with the column block copied by row segments.
    case implicitGEMMSegments(blockColumns: Int)
    /// The window is the whole input: one GEMM over the batch per group.
    case fullyConnectedGEMM(GEMMEngine)
    /// A 1×…×1 kernel, stride 1: one GEMM on the input itself, chunks of samples.
    case pointwiseGEMM(GEMMEngine)
    /// im2col (col2im for the transpose) and one GEMM per chunk of samples and group.
    case im2colGEMM(GEMMEngine)
    /// A circular boundary: wrap-pad the input (fold the transpose), then `inner` on the padded geometry.
    case circularWrapPad(inner: ConvolutionKernel)

    /// The kernel families, for forcing one in tests and for the cost model.
    package enum Family: String, CaseIterable, Hashable, Sendable {
        case reference, rowStencil, gemm, fft
    }

    package var family: Family {
        switch self {
        case .reference: return .reference
        case .rowStencil3Taps, .rowStencil, .rowStencilPolyphase: return .rowStencil
        case .fftOverlapAdd: return .fft
        case .circularWrapPad(let inner): return inner.family
        default: return .gemm
        }
    }

    /// The name with its parameters, as reports print it.
    package var name: String {
        switch self {
        case .reference: return "reference"
        case .rowStencil3Taps(let s): return "rowStencil3Taps(s\(s))"
        case .rowStencil(let k, let s): return "rowStencil(k\(k), s\(s))"
        case .rowStencilPolyphase(let p): return "rowStencilPolyphase(\(p) phases)"
        case .fftOverlapAdd(let L, let B): return "fftOverlapAdd(L\(L), B\(B))"
        case .indirect6x16: return "indirect6x16"
        case .indirectRows(let b): return "indirectRows(\(b))"
        case .indirectSubPixel6x16(let p): return "indirectSubPixel6x16(\(p) phases)"
        case .indirectRowsSubPixel(let b, let p): return "indirectRowsSubPixel(\(b), \(p) phases)"
        case .implicitGEMMGather(let b): return "implicitGEMMGather(\(b) columns)"
        case .implicitGEMMSegments(let b): return "implicitGEMMSegments(\(b) columns)"
        case .fullyConnectedGEMM(let e): return "fullyConnectedGEMM(\(e.rawValue))"
        case .pointwiseGEMM(let e): return "pointwiseGEMM(\(e.rawValue))"
        case .im2colGEMM(let e): return "im2colGEMM(\(e.rawValue))"
        case .circularWrapPad(let inner): return "circularWrapPad(\(inner.name))"
        }
    }

    package var description: String { name }
}
