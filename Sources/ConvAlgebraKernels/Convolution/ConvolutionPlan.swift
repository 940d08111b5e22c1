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
///
/// The work is in a ``ConvolutionPlanCore``, which is not generic over `S`: its `run` is then specialised for
/// `Float` and `Double` (a method of a type generic over `S` would run the kernels unspecialised, ~25× slower).
package final class ConvolutionPlan<S: BLASScalar>: Sendable {
    package let core: ConvolutionPlanCore
    /// The candidate a planner asked for, nil for the builder's own choice.
    package let candidate: ConvolutionPlanBuilder.Candidate?
    /// The weights as given, for scalar types without fast kernels (the reference loops).
    let weights: [S]

    package var geometry: ConvolutionGeometry { core.geometry }
    package var direction: ConvolutionDirection { core.direction }
    package var kernel: ConvolutionKernel { core.kernel }
    /// One line: why this kernel.
    package var reason: String { core.reason }
    /// Whether the plan was built for our FP32 micro-kernel (``MicroGEMM/isAccelerated`` when built): the one
    /// flag the choice reads, so `CONVALGEBRA_GEMM=openblas` (or a portable ISA) changes the route.
    package var microKernel: Bool { core.microKernel }

    /// Builds the plan; `family` forces a kernel family (tests compare every family with the reference loops).
    /// - Precondition: `weights.count == geometry.weightCount`.
    package convenience init(_ geometry: ConvolutionGeometry, weights: [S], direction: ConvolutionDirection,
                             family: ConvolutionKernel.Family? = nil) {
        self.init(geometry, weights: weights, direction: direction,
                  candidate: family.map { ConvolutionPlanBuilder.Candidate(family: $0) })
    }

    /// Builds the plan a planner asked for (one of ``ConvolutionPlanBuilder/candidates(_:direction:scalarBytes:)``),
    /// or the builder's own choice for nil.
    package init(_ geometry: ConvolutionGeometry, weights: [S], direction: ConvolutionDirection,
                 candidate: ConvolutionPlanBuilder.Candidate?) {
        self.weights = weights
        self.candidate = candidate
        let typed: KernelWeights? = S.self == Float.self ? .float(weights as! [Float])
            : S.self == Double.self ? .double(weights as! [Double]) : nil
        core = ConvolutionPlanCore(geometry, weights: typed, direction: direction, family: candidate?.family,
                                   microKernel: candidate?.microKernel, tile: candidate?.tile)
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

    /// Puts `plan` in `cache` in place of the plan ``cached(in:_:_:_:)`` would build (the planner's pick, measured
    /// or read from wisdom), so that every later apply runs it.
    package static func install(_ plan: ConvolutionPlan<S>, in cache: PlanCache) {
        cache.replace(plan, for: Key(direction: plan.direction))
    }

    /// `y = A x` (forward) or `y = Aᵀ x` (transpose) for `batch` samples; `y` overwritten.
    package func run(_ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, batch: Int) {
        guard batch > 0 else { return }
        if S.self == Float.self {
            core.run(KernelDispatch.cast(x, to: Float.self), KernelDispatch.cast(y, to: Float.self), batch: batch)
        } else if S.self == Double.self {
            core.run(KernelDispatch.cast(x, to: Double.self), KernelDispatch.cast(y, to: Double.self), batch: batch)
        } else {
            switch direction {
            case .forward: StencilKernels.referenceForward(geometry, weights, x, y, batch: batch)
            case .transpose: StencilKernels.referenceTranspose(geometry, weights, x, y, batch: batch)
            }
        }
    }
}

/// A plan's weights in their concrete type (the fast kernels run on `Float` and `Double`).
package enum KernelWeights: Sendable {
    case float([Float]), double([Double])

    package var isFloat: Bool { if case .float = self { return true } else { return false } }

    /// The weights as `[T]`; `T` is their type.
    @inline(__always)
    package func array<T>(_: T.Type) -> [T] {
        switch self {
        case .float(let a): return unsafeBitCast(a, to: [T].self)
        case .double(let a): return unsafeBitCast(a, to: [T].self)
        }
    }

    /// The weights as `Float` (the micro-kernel's); nil for `Double`.
    package var floats: [Float]? { if case .float(let a) = self { return a } else { return nil } }
}

/// The scalar-type-free body of a ``ConvolutionPlan``: the kernel, its reason, its precomputed state.
package final class ConvolutionPlanCore: Sendable {
    package let geometry: ConvolutionGeometry
    package let direction: ConvolutionDirection
    package let kernel: ConvolutionKernel
    package let reason: String
    package let microKernel: Bool
    let weights: KernelWeights?
    let prepared: Prepared
    let scratch = ScratchPool()

    /// What a kernel precomputes, by kernel.
    enum Prepared: Sendable {
        case reference
        case rowStencil(RowPlan)
        /// Stride-1 transpose: the forward row stencil on the adjoint geometry, with its weights.
        case rowStencilAdjoint(ConvolutionGeometry, RowPlan, KernelWeights)
        case rowStencilPolyphase(RowPlan, transposeRows: [Int32])
        /// An ``FFTConvolutionKernels/Prepared`` of the weights' scalar type.
        case fft(any Sendable)
        case indirect(IndirectConvolutionKernels.Prepared)
        case indirectRows(IndirectRowKernels.Prepared)
        case indirectRowsSubPixel(IndirectRowKernels.SubPixel)
        case implicit(ImplicitGEMMKernels.Prepared)
        /// Each group's weights as a ``PanelGEMM`` (none: OpenBLAS).
        case fullyConnected([PanelGEMM])
        case chunked(Im2colGEMMKernels.Prepared)
        case circular(CircularPaddingKernels, inner: ConvolutionPlanCore)
    }

    /// `weights` nil: a scalar type without fast kernels (the reference loops run, from ``ConvolutionPlan``).
    /// `microKernel` false keeps a GEMM-family kernel off our micro-kernel (OpenBLAS); nil or true: the
    /// micro-kernel where it runs (FP32 on a CPU with its ISA). `tile` pins an FP32 tile of the GEMM family
    /// (one ``ConvolutionPlanBuilder/candidates(_:direction:scalarBytes:)`` lists; ignored where it cannot run).
    package init(_ geometry: ConvolutionGeometry, weights: KernelWeights?, direction: ConvolutionDirection,
                 family: ConvolutionKernel.Family?, microKernel: Bool? = nil,
                 tile: ConvolutionPlanBuilder.Candidate.Tile? = nil) {
        self.geometry = geometry
        self.direction = direction
        self.weights = weights
        let micro = MicroGEMM.isAccelerated && weights?.isFloat == true && microKernel != false
        self.microKernel = micro
        (kernel, reason, prepared) = ConvolutionPlanBuilder.build(geometry, weights, direction, family: family,
                                                                  microKernel: micro, tile: tile)
    }

    /// The run on the weights' scalar type `T` (specialised code from here on).
    func run<T: KernelScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, batch: Int) {
        guard let weights else { return }
        let g = geometry, forward = direction == .forward
        let all = weights.array(T.self)
        all.withUnsafeBufferPointer { wb in
            let w = wb.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<T>.alignment)!
            switch prepared {
            case .reference:
                if forward { StencilKernels.referenceForward(g, all, x, y, batch: batch) }
                else { StencilKernels.referenceTranspose(g, all, x, y, batch: batch) }
            case .rowStencil(let rows):
                RowStencilKernels.forward(g, rows, w, x, y, batch: batch)
            case .rowStencilAdjoint(let adjoint, let rows, let swapped):
                swapped.array(T.self).withUnsafeBufferPointer { sw in
                    RowStencilKernels.forward(adjoint, rows, sw.baseAddress!, x, y, batch: batch)
                }
            case .rowStencilPolyphase(let rows, let table):
                RowStencilKernels.transpose(g, rows, table, w, x, y, batch: batch)
            case .fft(let p):
                FFTConvolutionKernels.forward(g, p as! FFTConvolutionKernels.Prepared<T>, w, x, y, batch: batch, scratch: scratch)
            case .indirect(let p):
                p.run(g, KernelDispatch.cast(x, to: Float.self), KernelDispatch.cast(y, to: Float.self), batch: batch,
                      scratch: scratch)
            case .indirectRows(let p):
                p.run(g, KernelDispatch.cast(x, to: Float.self), KernelDispatch.cast(y, to: Float.self), batch: batch,
                      scratch: scratch)
            case .indirectRowsSubPixel(let p):
                p.run(g, KernelDispatch.cast(x, to: Float.self), KernelDispatch.cast(y, to: Float.self), batch: batch,
                      scratch: scratch)
            case .implicit(let p):
                p.run(g, KernelDispatch.cast(x, to: Float.self), KernelDispatch.cast(y, to: Float.self), batch: batch,
                      scratch: scratch)
            case .fullyConnected(let panels) where !panels.isEmpty:
                Im2colGEMMKernels.fullyConnected(g, direction, panels, KernelDispatch.cast(x, to: Float.self),
                                                 KernelDispatch.cast(y, to: Float.self), batch: batch)
            case .fullyConnected:
                Im2colGEMMKernels.fullyConnected(g, direction, w, x, y, batch: batch)
            case .chunked(let p):
                if forward { p.forward(g, w, x, y, batch: batch, scratch: scratch) }
                else { p.transpose(g, w, x, y, batch: batch, scratch: scratch) }
            case .circular(let c, let inner):
                let body = { (a: UnsafePointer<T>, b: UnsafeMutablePointer<T>, n: Int) in inner.run(a, b, batch: n) }
                if forward { c.forward(x, y, batch: batch, scratch: scratch, inner: body) }
                else { c.transpose(x, y, batch: batch, scratch: scratch, inner: body) }
            }
        }
    }
}
