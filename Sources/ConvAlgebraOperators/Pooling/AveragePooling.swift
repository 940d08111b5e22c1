import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// Average pooling, PyTorch's `avg_pool1d/2d/3d`: a linear operator, the box filter then `↓s`.
///
/// In the reference text's terms a 1-D average pooling with kernel `k` and stride `s` is
/// `↓s((1/k … 1/k) * x)`: a strided correlation with the constant kernel `1/k`. With padding and
/// `ceil_mode`, PyTorch divides each window by its own divisor (aten/src/ATen/native/cpu/AvgPoolKernel.cpp,
/// `cpu_avg_pool`), per dimension with `i₀ = i·s − p`:
/// ```
/// y[c, i] = (1/D(i)) · Σ_{t : 0 ≤ i₀+t < n} x[c, i₀ + t]
/// D(i) = divisor_override                                    when given,
///      = Π_dims (min(i₀ + k, n + p) − i₀)                    with count_include_pad (the default),
///      = Π_dims (min(i₀ + k, n) − max(i₀, 0))                without it.
/// ```
/// (With `count_include_pad` the padding counts, but not the overhang of a ceil-mode window past the
/// right padding.) A window entirely in the padding gives 0.
///
/// The transpose, ``AveragePoolingTranspose``, spreads each output back over its window:
/// `x̃[c, i₀ + t] += y[c, i] / D(i)` — PyTorch's `avg_pool_backward`.
///
/// Shapes: one sample `(C, *n) → (C, *L)`, `L` from ``PoolingGeometry``; batches lead.
/// - Complexity: direct form `planes · nnz(P)` multiply-adds, `nnz(P) ≤ Π L · Π k`; the same terms
///   materialise as a CSR matrix of `C · nnz(P)` entries.
public struct AveragePooling<Scalar: BLASScalar>: StencilOperator, Equatable {
    /// The windows.
    public let geometry: PoolingGeometry
    /// Whether padded positions count in the divisor (PyTorch's default: `true`).
    public let countIncludePad: Bool
    /// A fixed divisor replacing the window count, if given (PyTorch's `divisor_override`).
    public let divisorOverride: Int?
    /// One plane's windows with weights `1/D(i)`.
    package let plane: PoolingPlaneStencil<Scalar>
    /// The window bounds for the direct form (up to three spatial dimensions), and `1/D(i)` per output.
    package let windows: PoolingWindows?
    package let outputWeight: [Scalar]

    /// PyTorch's `nn.AvgPool1d/2d/3d` on one sample of `inputShape` `(C, n…)`; lists hold one value per
    /// spatial dimension or a single value for all.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` for an `inputShape` without a spatial dimension; see
    ///   ``PoolingGeometry/init(channels:inputSize:kernelSize:stride:padding:dilation:ceilMode:)``;
    ///   ``ConvAlgebraError/invalidArgument(_:)`` for a divisor override that is not positive; a memory-budget error.
    public init(inputShape: [Int], kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0],
                ceilMode: Bool = false, countIncludePad: Bool = true, divisorOverride: Int? = nil,
                budget: MemoryBudget = .default) throws {
        let (channels, inputSize) = try LayerOptions.channelsAndSpatial(inputShape, layer: "average pooling")
        let g = try PoolingGeometry(channels: channels, inputSize: inputSize, kernelSize: kernelSize, stride: stride,
                                    padding: padding, ceilMode: ceilMode)
        try g.checkAvgPool3dInputCoversKernel()
        try self.init(geometry: g, countIncludePad: countIncludePad, divisorOverride: divisorOverride, budget: budget)
    }

    /// Average pooling over a geometry (its dilation must be 1, as PyTorch's average pooling has none).
    public init(geometry g: PoolingGeometry, countIncludePad: Bool = true, divisorOverride: Int? = nil,
                budget: MemoryBudget = .default) throws {
        guard g.dilation.allSatisfy({ $0 == 1 }) else {
            throw ConvAlgebraError.invalidArgument("average pooling has no dilation, got \(g.dilation)")
        }
        if let d = divisorOverride, d <= 0 {
            throw ConvAlgebraError.invalidArgument("the divisor override must be positive, got \(d)")
        }
        geometry = g
        self.countIncludePad = countIncludePad
        self.divisorOverride = divisorOverride
        let plane = try Self.makePlane(g, countIncludePad: countIncludePad, divisorOverride: divisorOverride, budget: budget)
        self.plane = plane
        windows = PoolingWindows(g)
        outputWeight = (0..<plane.outputPlane).map { p in
            plane.rowOffsets[p] < plane.rowOffsets[p + 1] ? plane.weights[plane.rowOffsets[p]] : 0
        }
    }

    package static func makePlane(_ g: PoolingGeometry, countIncludePad: Bool, divisorOverride: Int?,
                          budget: MemoryBudget) throws -> PoolingPlaneStencil<Scalar> {
        let map = try g.windowMap(budget: budget)
        let cg = g.planeGeometry
        let (M, K) = (cg.outputPlane, cg.kernelPlane)
        try budget.check("the pooling windows", count: map.count, elementBytes: 4 + MemoryLayout<Scalar>.stride)
        // Per-dimension divisor factors (AvgPoolKernel.cpp: pool_size, or the clipped window).
        let factors: [[Int]] = (0..<g.rank).map { d in
            let (n, k, s, p) = (g.inputSize[d], g.kernelSize[d], g.stride[d], g.padding[d])
            return (0..<g.outputSize[d]).map { i in
                let i0 = i * s - p, i1 = min(i0 + k, n + p)
                return countIncludePad ? i1 - i0 : min(i1, n) - max(i0, 0)
            }
        }
        var offsets = [Int](repeating: 0, count: M + 1)
        var cols = [Int32](), weights = [Scalar]()
        cols.reserveCapacity(map.count); weights.reserveCapacity(map.count)
        var idx = [Int](repeating: 0, count: g.rank)
        for p in 0..<M {
            var divisor = 1
            if let o = divisorOverride { divisor = o } else { for d in 0..<g.rank { divisor *= factors[d][idx[d]] } }
            let w = 1 / Scalar(divisor)
            for tau in 0..<K where map[p * K + tau] >= 0 {
                cols.append(map[p * K + tau]); weights.append(w)
            }
            offsets[p + 1] = cols.count
            var d = g.rank - 1
            while d >= 0 { idx[d] += 1; if idx[d] < g.outputSize[d] { break }; idx[d] = 0; d -= 1 }
        }
        return PoolingPlaneStencil(inputPlane: cg.inputPlane, outputPlane: M, rowOffsets: offsets, columns: cols, weights: weights)
    }

    public var domain: Shape { geometry.domain }
    public var codomain: Shape { geometry.codomain }
    public var transposed: AveragePoolingTranspose<Scalar> { AveragePoolingTranspose(base: self) }
    public var taps: [Scalar] { [] }

    /// Terms `(c·M + i, c·N + j, −1, 1/D(i))` for every in-range window position `j` of output `i`.
    public func forEachTerm(_ body: (Int, Int, Int, Scalar) -> Void) {
        plane.forEachTerm(channels: geometry.channels) { r, c, w in body(r, c, -1, w) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        if let windows {
            PoolingKernels.windowSumValues(windows, weight: outputWeight, planes: batch * geometry.channels, x, y)
        } else {
            PoolingKernels.gather(plane, planes: batch * geometry.channels, x, y)
        }
    }
}
