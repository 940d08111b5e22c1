import ConvAlgebraCore
import ConvAlgebraBackends

/// The kernels a planner may time for one geometry (FFTW's `measure`): every way
/// ``ConvolutionPlanBuilder`` can run it, each buildable on request.
extension ConvolutionPlanBuilder {
    /// One way to build a plan: a kernel family and, for the GEMM family, whether it multiplies on our FP32
    /// micro-kernel or on OpenBLAS, and which FP32 tile runs it when not the builder's default. A new kernel or
    /// backend is a new candidate (a new field or family).
    package struct Candidate: Hashable, Sendable, CustomStringConvertible {
        /// A GEMM-family FP32 tile pinned in place of the builder's default: the pixel-vector kernel
        /// (``IndirectRowKernels``, its sub-pixel phases for the transpose) on one instruction-set path, or the
        /// 6 × 16 indirect kernel (``IndirectConvolutionKernels``).
        package enum Tile: Hashable, Sendable, CustomStringConvertible {
            case rows(MachineProfile.KernelISA)
            case indirect6x16

            /// `rows-avx512f`, `rows-avx2+fma`, `rows-portable`, `indirect6x16`.
            package var description: String {
                switch self {
                case .rows(let isa): return "rows-" + isa.rawValue
                case .indirect6x16: return "indirect6x16"
                }
            }

            init?(_ name: String) {
                if name == "indirect6x16" { self = .indirect6x16; return }
                guard name.hasPrefix("rows-"), let isa = MachineProfile.KernelISA(rawValue: String(name.dropFirst(5)))
                else { return nil }
                self = .rows(isa)
            }
        }

        package let family: ConvolutionKernel.Family
        /// nil: the builder's default (the micro-kernel where it runs); false: OpenBLAS.
        package let microKernel: Bool?
        /// nil: the builder's default tile; else the tile pinned (GEMM family, FP32 on the micro-kernel).
        package let tile: Tile?

        package init(family: ConvolutionKernel.Family, microKernel: Bool? = nil, tile: Tile? = nil) {
            self.family = family
            self.microKernel = microKernel
            self.tile = tile
        }

        /// `rowStencil`, `fft`, `gemm`, `gemm/openblas`, `gemm/rows-avx2+fma`, `gemm/indirect6x16`: the name
        /// wisdom files store.
        package var description: String {
            family.rawValue + (microKernel == false ? "/openblas" : "") + (tile.map { "/\($0)" } ?? "")
        }

        /// The candidate a ``description`` names; nil for a name this version does not know.
        package init?(_ name: String) {
            let parts = name.split(separator: "/", omittingEmptySubsequences: false)
            guard let family = ConvolutionKernel.Family(rawValue: String(parts[0])), parts.count <= 2 else { return nil }
            guard parts.count == 2 else { self.init(family: family); return }
            guard family == .gemm else { return nil }
            if parts[1] == "openblas" { self.init(family: family, microKernel: false); return }
            guard let tile = Tile(String(parts[1])) else { return nil }
            self.init(family: family, tile: tile)
        }
    }

    /// The candidates for `g` in `direction` on scalars of `scalarBytes` bytes: the row stencil always, im2col +
    /// GEMM when its column matrix fits the scratch limit (on the micro-kernel and on OpenBLAS where FP32 runs
    /// on the micro-kernel), the FP32 tiles the default does not run (the pixel-vector kernel on each other
    /// accelerated instruction-set path up to the current one, the 6 × 16 indirect kernel where the pixel-vector one is the
    /// default), overlap-add FFT for a forward single-channel stride-1 1-D geometry whose workspace fits. The
    /// reference loops are the tests' oracle, never a candidate. Empty for a geometry with an empty plane or a
    /// scalar type without fast kernels: nothing to choose.
    package static func candidates(_ g: ConvolutionGeometry, direction: ConvolutionDirection,
                                   scalarBytes: Int) -> [Candidate] {
        guard g.inputPlane > 0, g.outputPlane > 0, scalarBytes == 4 || scalarBytes == 8 else { return [] }
        var list = [Candidate(family: .rowStencil)]
        if Im2colGEMMKernels.fits(g) || Im2colGEMMKernels.isFullyConnected(g) {
            list.append(Candidate(family: .gemm))
            if scalarBytes == 4 && MicroGEMM.isAccelerated {
                list += tiles(g, direction: direction).map { Candidate(family: .gemm, tile: $0) }
                list.append(Candidate(family: .gemm, microKernel: false))
            }
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

    /// The FP32 tiles that can run `g` in `direction` other than the one ``gemm(_:_:_:reason:microKernel:tile:)``
    /// picks by default (the pixel-vector kernel on the current path where it applies, else the 6 × 16 one): the
    /// pixel-vector kernel on the other accelerated paths up to the current one, and the 6 × 16 kernel.
    static func tiles(_ g: ConvolutionGeometry, direction: ConvolutionDirection) -> [Candidate.Tile] {
        let transposed = direction == .transpose
        guard g.boundary != .circular, !Im2colGEMMKernels.isPointwise(g), !Im2colGEMMKernels.isFullyConnected(g),
              IndirectConvolutionKernels.applies(g, transposed: transposed) else { return [] }
        let current = MachineProfile.KernelISA.current
        let rowsByDefault = IndirectRowKernels.applies(g, isa: current, transposed: transposed)
        let others = MachineProfile.KernelISA.supported.filter {
            $0 != .portable && $0 <= current && !($0 == current && rowsByDefault)
                && IndirectRowKernels.applies(g, isa: $0, transposed: transposed)
        }
        return others.map { .rows($0) } + (rowsByDefault ? [.indirect6x16] : [])
    }
}
