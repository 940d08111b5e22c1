import ConvAlgebraCore
import ConvAlgebraBackends

/// The direct form of one convolution in one direction, built once (FFTW's plan, ONNX Runtime's prepacked
/// kernel) from the geometry, the weights, the direction and the scalar type: the chosen ``ConvolutionKernel``
/// and why, and everything that kernel would otherwise recompute on every apply — the ``RowPlan`` and its
/// polyphase table, the transposed weights of the adjoint row stencil, the indirect passes (pixel bases, tap
/// offsets, sub-pixel phase tables, packed weights), the implicit GEMM's gather table and packed weights, the
/// packed weights of the chunked GEMM, the wrap-padding tables and the inner plan of a circular boundary.
///
/// The kernel is chosen here and nowhere else (``ConvolutionPlanBuilder``); reports and the cost model read
/// ``kernel`` and ``reason``. `run` allocates nothing proportional to the operator in the steady state: its
/// scratch comes from the plan's ``ScratchPool``. A plan is immutable and `Sendable`: threads may run it at once.
package final class ConvolutionPlan<S: BLASScalar>: Sendable {
    package let geometry: ConvolutionGeometry
    package let direction: ConvolutionDirection
    package let kernel: ConvolutionKernel
    /// One line: why this kernel.
    package let reason: String
    /// Whether the plan was built for our FP32 micro-kernel (``MicroGEMM/isAccelerated`` when built): the one
    /// flag the choice reads, so `CONVALGEBRA_GEMM=openblas` (or a portable ISA) changes the route.
    package let microKernel: Bool
    let weights: [S]
    let prepared: Prepared
    let scratch = ScratchPool()

    /// What a kernel precomputes, by kernel.
    enum Prepared: Sendable {
        case reference
        case rowStencil(RowPlan)
        /// Stride-1 transpose: the forward row stencil on the adjoint geometry, with its weights.
        case rowStencilAdjoint(ConvolutionGeometry, RowPlan, [S])
        case rowStencilPolyphase(RowPlan, transposeRows: [Int32])
        case fft
        case indirect(IndirectConvolutionKernels.Prepared)
        case implicit(ImplicitGEMMKernels.Prepared)
        case fullyConnected
        case chunked(Im2colGEMMKernels.Prepared)
        case circular(CircularPaddingKernels, inner: ConvolutionPlan<S>)
    }

    /// Builds the plan; `family` forces a kernel family (tests compare every family with the reference loops).
    /// - Precondition: `weights.count == geometry.weightCount`.
    package init(_ geometry: ConvolutionGeometry, weights: [S], direction: ConvolutionDirection,
                 family: ConvolutionKernel.Family? = nil) {
        self.geometry = geometry
        self.direction = direction
        self.weights = weights
        let micro = MicroGEMM.isAccelerated && S.self == Float.self
        microKernel = micro
        let built = ConvolutionPlanBuilder.build(geometry, weights, direction, family: family, microKernel: micro)
        (kernel, reason, prepared) = built
    }

    /// The key an operator caches its plan under: the direction (no plan depends on the batch; chunks of samples
    /// are sized at run time within the plan's scratch pool).
    package struct Key: Hashable, Sendable {
        package let direction: ConvolutionDirection
    }

    /// The plan for `direction` in `cache`, built the first time (an operator's ``PlanCache``).
    package static func cached(in cache: PlanCache, _ geometry: ConvolutionGeometry, _ weights: [S],
                               _ direction: ConvolutionDirection) -> ConvolutionPlan<S> {
        cache.plan(for: Key(direction: direction)) { ConvolutionPlan(geometry, weights: weights, direction: direction) }
    }

    /// `y = A x` (forward) or `y = Aᵀ x` (transpose) for `batch` samples; `y` overwritten.
    package func run(_ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, batch: Int) {
        guard batch > 0 else { return }
        if S.self == Float.self {
            runTyped(KernelDispatch.cast(x, to: Float.self), KernelDispatch.cast(y, to: Float.self), batch: batch)
        } else if S.self == Double.self {
            runTyped(KernelDispatch.cast(x, to: Double.self), KernelDispatch.cast(y, to: Double.self), batch: batch)
        } else {
            runReference(x, y, batch: batch)
        }
    }

    private func runReference(_ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, batch: Int) {
        switch direction {
        case .forward: StencilKernels.referenceForward(geometry, weights, x, y, batch: batch)
        case .transpose: StencilKernels.referenceTranspose(geometry, weights, x, y, batch: batch)
        }
    }

    /// The run on the concrete scalar type `T == S` (specialised code from here on).
    func runTyped<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, batch: Int) {
        let g = geometry, forward = direction == .forward
        weights.withUnsafeBufferPointer { wb in
            let w = KernelDispatch.cast(wb.baseAddress ?? UnsafePointer(bitPattern: 8)!, to: T.self)
            switch prepared {
            case .reference:
                runReference(KernelDispatch.cast(x, to: S.self), KernelDispatch.cast(y, to: S.self), batch: batch)
            case .rowStencil(let rows):
                RowStencilKernels.forward(g, rows, w, x, y, batch: batch)
            case .rowStencilAdjoint(let adjoint, let rows, let swapped):
                swapped.withUnsafeBufferPointer { sw in
                    RowStencilKernels.forward(adjoint, rows, KernelDispatch.cast(sw.baseAddress!, to: T.self), x, y, batch: batch)
                }
            case .rowStencilPolyphase(let rows, let table):
                RowStencilKernels.transpose(g, rows, table, w, x, y, batch: batch)
            case .fft:
                FFTConvolutionKernels.forward(g, w, x, y, batch: batch)
            case .indirect(let p):
                p.run(g, KernelDispatch.cast(x, to: Float.self), KernelDispatch.cast(y, to: Float.self), batch: batch,
                      scratch: scratch)
            case .implicit(let p):
                p.run(g, KernelDispatch.cast(x, to: Float.self), KernelDispatch.cast(y, to: Float.self), batch: batch,
                      scratch: scratch)
            case .fullyConnected:
                if forward { Im2colGEMMKernels.fullyConnectedForward(g, w, x, y, batch: batch) }
                else { Im2colGEMMKernels.fullyConnectedTranspose(g, w, x, y, batch: batch) }
            case .chunked(let p):
                if forward { p.forward(g, w, x, y, batch: batch, scratch: scratch) }
                else { p.transpose(g, w, x, y, batch: batch, scratch: scratch) }
            case .circular(let c, let inner):
                let body = { (a: UnsafePointer<T>, b: UnsafeMutablePointer<T>, n: Int) in inner.runTyped(a, b, batch: n) }
                if forward { c.forward(x, y, batch: batch, scratch: scratch, inner: body) }
                else { c.transpose(x, y, batch: batch, scratch: scratch, inner: body) }
            }
        }
    }
}

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

    static func build<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: [S], _ direction: ConvolutionDirection,
                                     family forced: ConvolutionKernel.Family?, microKernel: Bool)
        -> (ConvolutionKernel, String, ConvolutionPlan<S>.Prepared) {
        let forward = direction == .forward
        if g.boundary == .circular {
            guard forced != .reference, let c = CircularPaddingKernels(g) else {
                return (.reference, "circular boundary: reference loops over the index map", .reference)
            }
            let inner = ConvolutionPlan(c.padded, weights: w, direction: direction, family: forced)
            return (.circularWrapPad(inner: inner.kernel), "circular boundary, wrap-padded, then \(inner.reason)",
                    .circular(c, inner: inner))
        }
        guard g.inputPlane > 0, g.outputPlane > 0 else { return (.reference, "empty plane", .reference) }
        guard S.self == Float.self || S.self == Double.self else {
            return (.reference, "no fast kernel for \(S.self)", .reference)
        }
        let (automatic, why) = family(g)
        let chosen = forced ?? automatic
        let reason = forced == nil ? why : "forced \(chosen.rawValue)"
        switch chosen {
        case .reference:
            return (.reference, reason, .reference)
        case .fft where forward && FFTConvolutionKernels.eligible(g):
            let span = (g.kernelSize[0] - 1) * abs(g.tapStep[0]) + 1
            let (L, B) = FFTConvolutionKernels.blockSize(span: span, inputLength: g.inputSize[0])
            return (.fftOverlapAdd(transform: L, block: B), reason, .fft)
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
                        .rowStencilAdjoint(adjoint, rows, RowStencilKernels.adjointWeights(g, w)))
            }
            let rows = RowPlan(g)
            return (.rowStencilPolyphase(phases: min(rows.s, rows.n)), note + " (polyphase)",
                    .rowStencilPolyphase(rows, transposeRows: rows.transposeRows(g)))
        case .gemm:
            return gemm(g, w, direction, reason: reason, microKernel: microKernel)
        }
    }

    /// Within the GEMM family: fully connected, then (FP32 on the micro-kernel) indirect or implicit, else chunked.
    static func gemm<S: BLASScalar>(_ g: ConvolutionGeometry, _ w: [S], _ direction: ConvolutionDirection,
                                    reason: String, microKernel: Bool)
        -> (ConvolutionKernel, String, ConvolutionPlan<S>.Prepared) {
        let transposed = direction == .transpose
        if Im2colGEMMKernels.isFullyConnected(g) {
            return (.fullyConnectedGEMM, "window = whole input: one GEMM over the batch (fully connected)", .fullyConnected)
        }
        let pointwise = Im2colGEMMKernels.isPointwise(g)
        if microKernel, !pointwise {
            let floats = w.withUnsafeBufferPointer { Array(UnsafeBufferPointer(start: KernelDispatch.cast($0.baseAddress!, to: Float.self), count: $0.count)) }
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
        let p = Im2colGEMMKernels.Prepared(g, w, direction: direction, microKernel: microKernel)
        return pointwise
            ? (.pointwiseGEMM(engine), "pointwise: one GEMM on the input (\(engine.rawValue))", .chunked(p))
            : (.im2colGEMM(engine), "\(reason) (\(engine.rawValue))", .chunked(p))
    }
}
