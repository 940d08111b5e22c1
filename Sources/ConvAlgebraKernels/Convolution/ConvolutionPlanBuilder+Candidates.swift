import ConvAlgebraCore
import ConvAlgebraBackends

/// The kernels a planner may time for one geometry (FFTW's `measure`): every way
/// ``ConvolutionPlanBuilder`` can run it, each buildable on request.
extension ConvolutionPlanBuilder {
    /// One way to build a plan: a kernel family and, for the GEMM family, whether it multiplies on our FP32
    /// micro-kernel or on OpenBLAS. A new kernel or backend is a new candidate (a new field or family).
    package struct Candidate: Hashable, Sendable, CustomStringConvertible {
        package let family: ConvolutionKernel.Family
        /// nil: the builder's default (the micro-kernel where it runs); false: OpenBLAS.
        package let microKernel: Bool?

        package init(family: ConvolutionKernel.Family, microKernel: Bool? = nil) {
            self.family = family
            self.microKernel = microKernel
        }

        /// `rowStencil`, `fft`, `gemm`, `gemm/openblas`: the name wisdom files store.
        package var description: String { family.rawValue + (microKernel == false ? "/openblas" : "") }

        /// The candidate a ``description`` names; nil for a name this version does not know.
        package init?(_ name: String) {
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            guard let family = ConvolutionKernel.Family(rawValue: String(parts[0])), parts.count <= 2,
                  parts.count == 1 || (parts[1] == "openblas" && family == .gemm) else { return nil }
            self.init(family: family, microKernel: parts.count == 2 ? false : nil)
        }
    }

    /// The candidates for `g` in `direction` on scalars of `scalarBytes` bytes: the row stencil always, im2col +
    /// GEMM when its column matrix fits the scratch limit (on the micro-kernel and on OpenBLAS where FP32 runs
    /// on the micro-kernel), overlap-add FFT for a forward single-channel stride-1 1-D geometry whose
    /// workspace fits. The reference loops are the tests' oracle, never a candidate. Empty for a geometry with
    /// an empty plane or a scalar type without fast kernels: nothing to choose.
    package static func candidates(_ g: ConvolutionGeometry, direction: ConvolutionDirection,
                                   scalarBytes: Int) -> [Candidate] {
        guard g.inputPlane > 0, g.outputPlane > 0, scalarBytes == 4 || scalarBytes == 8 else { return [] }
        var list = [Candidate(family: .rowStencil)]
        if Im2colGEMMKernels.fits(g) || Im2colGEMMKernels.isFullyConnected(g) {
            list.append(Candidate(family: .gemm))
            if scalarBytes == 4 && MicroGEMM.isAccelerated { list.append(Candidate(family: .gemm, microKernel: false)) }
        }
        if direction == .forward, FFTConvolutionKernels.eligible(g) {
            let span = (g.kernelSize[0] - 1) * abs(g.tapStep[0]) + 1
            let (L, _) = FFTConvolutionKernels.blockSize(span: span, inputLength: g.inputSize[0])
            if FFTConvolutionKernels.workspaceFits(L: L, span: span, inputLength: g.inputSize[0]) {
                list.append(Candidate(family: .fft))
            }
        }
        return list
    }
}
