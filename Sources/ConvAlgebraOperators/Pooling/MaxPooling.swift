import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// Max pooling, PyTorch's `max_pool1d/2d/3d` (with `return_indices`): a non-linear down-sampler.
///
/// ```
/// y[c, i] = max_{t : 0 ≤ i₀ + t·d < n} x[c, i₀ + t·d],   i₀ = i·s − p      (per spatial dimension)
/// ```
/// Padding is `−∞` (it never wins). Ties and NaN follow PyTorch's CPU kernel
/// (aten/src/ATen/native/cpu/MaxPoolKernel.cpp): the window is scanned in row-major tap order and a
/// value is taken when `val > max || isnan(val)`, so the first of equal maxima wins and a NaN
/// propagates (its index is the window's last NaN). Dilation, padding limits and `ceil_mode` are
/// PyTorch's (``PoolingGeometry``).
///
/// In the reference text max pooling is "just a nonlinear downsampler": at a given input `x` it acts as
/// the 0/1 ``Selection`` `J(x)` that picks each window's arg-max, so `maxpool(x) = J(x)·x`, and its
/// gradient is `dx = J(x)ᵀ dy`. The dense and sparse forms materialise `J(x_b)` for each sample `b`.
///
/// Shapes: one sample `(C, *n) → (C, *L)`; batches lead.
/// - Complexity: `planes · Π L · Π k` comparisons; `J(x)` has at most one entry per output.
public struct MaxPooling<Scalar: BLASScalar>: Sendable, Equatable {
    /// The windows.
    public let geometry: PoolingGeometry
    /// The flat window map (`Π L × Π k`, −1 in the padding).
    package let map: [Int32]
    /// The window bounds of the direct form (up to three spatial dimensions; the map serves beyond).
    package let windows: PoolingWindows?

    /// PyTorch's `nn.MaxPool1d/2d/3d` on one sample of `inputShape` `(C, n…)`; lists hold one value per spatial
    /// dimension or a single value for all.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` for an `inputShape` without a spatial dimension; see
    ///   ``PoolingGeometry/init(channels:inputSize:kernelSize:stride:padding:dilation:ceilMode:)``;
    ///   a memory-budget error.
    public init(inputShape: [Int], kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0],
                dilation: [Int] = [1], ceilMode: Bool = false, budget: MemoryBudget = .default) throws {
        let (channels, inputSize) = try LayerOptions.channelsAndSpatial(inputShape, layer: "max pooling")
        let g = try PoolingGeometry(channels: channels, inputSize: inputSize, kernelSize: kernelSize, stride: stride,
                                    padding: padding, dilation: dilation, ceilMode: ceilMode)
        try self.init(geometry: g, budget: budget)
    }

    /// Max pooling over a geometry.
    public init(geometry: PoolingGeometry, budget: MemoryBudget = .default) throws {
        self.geometry = geometry
        map = try geometry.windowMap(budget: budget)
        windows = PoolingWindows(geometry)
    }

    public var domain: Shape { geometry.domain }
    public var codomain: Shape { geometry.codomain }

    /// The pooled values and, as PyTorch's `return_indices` gives them, the arg-max of each output as a
    /// flat index into its channel's spatial plane (−1 for a window with no input element).
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `x` does not end in ``domain``; a memory-budget error.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(_ x: Tensor<Scalar>, budget: MemoryBudget = .default) throws -> (values: Tensor<Scalar>, indices: [Int]) {
        let batch = try x.batchCount(sampleShape: domain)
        let outShape = try Shape(Array(x.shape.dims.dropLast(domain.rank)) + codomain.dims)
        try budget.check("the output \(outShape)", count: outShape.count,
                         elementBytes: MemoryLayout<Scalar>.stride + MemoryLayout<Int>.stride)
        var y = Tensor<Scalar>(shape: outShape)
        var idx = [Int](repeating: -1, count: outShape.count)
        guard outShape.count > 0 else { return (y, idx) }
        let (M, K, N) = (geometry.outputSize.reduce(1, *), geometry.kernelSize.reduce(1, *), geometry.inputSize.reduce(1, *))
        x.scalars.withUnsafeBufferPointer { xp in
            y.scalars.withUnsafeMutableBufferPointer { yp in
                idx.withUnsafeMutableBufferPointer { ip in
                    if let windows {
                        PoolingKernels.maxPool(windows, planes: batch * geometry.channels, xp.baseAddress!, yp.baseAddress!, ip.baseAddress!)
                    } else {
                        PoolingKernels.maxPool(map, windows: M, taps: K, inputPlane: N, planes: batch * geometry.channels,
                                               xp.baseAddress!, yp.baseAddress!, ip.baseAddress!)
                    }
                }
            }
        }
        return (y, idx)
    }

    /// The pooled values of `batch` samples without the arg-max (what a forward pass needs, and what the
    /// other libraries compute): the row kernel ``PoolingKernels/maxPoolValues(_:planes:_:_:)``, the same
    /// values as ``forward(_:budget:)`` bit for bit.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    package func applyValuesUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let planes = batch * geometry.channels
        guard let windows else {
            // Beyond three spatial dimensions: the flat-map kernel, its arg-max discarded.
            let (M, K, N) = (geometry.outputSize.reduce(1, *), geometry.kernelSize.reduce(1, *), geometry.inputSize.reduce(1, *))
            let index = UnsafeMutablePointer<Int>.allocate(capacity: max(1, planes * M))
            defer { index.deallocate() }
            PoolingKernels.maxPool(map, windows: M, taps: K, inputPlane: N, planes: planes, x, y, index)
            return
        }
        PoolingKernels.maxPoolValues(windows, planes: planes, x, y)
    }

    /// The Jacobian at one sample `x` (shape ``domain``, or with leading extents of 1): the selection of
    /// each window's arg-max, `σ(c·M + i) = c·N + argmax`.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `x` is not one sample of ``domain``.
    public func jacobian(at x: Tensor<Scalar>) throws -> Selection<Scalar> {
        guard try x.batchCount(sampleShape: domain) == 1 else {
            throw ConvAlgebraError.shapeMismatch("the Jacobian of max pooling needs one sample of shape \(domain), got \(x.shape)")
        }
        return try jacobians(at: x)[0]
    }

    /// The Jacobian at every sample of the batch `x`, in order.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `x` does not end in ``domain``.
    public func jacobians(at x: Tensor<Scalar>) throws -> [Selection<Scalar>] {
        let (_, idx) = try forward(x)
        let (M, N, m) = (geometry.outputSize.reduce(1, *), geometry.inputSize.reduce(1, *), codomain.count)
        let batch = m == 0 ? 0 : idx.count / m
        return (0..<batch).map { b in
            var s = [Int32](repeating: -1, count: m)
            for r in 0..<m {
                let a = idx[b * m + r]
                if a >= 0 { s[r] = Int32(truncatingIfNeeded: (r / M) * N + a) }
            }
            return Selection(unchecked: domain, codomain, s)
        }
    }

    /// Max pooling of every sample of `x` in the chosen form: `.direct` (and `.auto`) runs the comparisons; `.dense`
    /// and `.sparse` materialise each sample's Jacobian `J(x_b)` and apply it to that sample.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)``; a memory-budget error when materialising is refused.
    public func apply(_ x: Tensor<Scalar>, form: Form = .direct, budget: MemoryBudget = .default) throws -> Tensor<Scalar> {
        if form == .direct || form == .auto {
            let batch = try x.batchCount(sampleShape: domain)
            let outShape = try Shape(Array(x.shape.dims.dropLast(domain.rank)) + codomain.dims)
            try budget.check("the output \(outShape)", count: outShape.count, elementBytes: MemoryLayout<Scalar>.stride)
            var y = Tensor<Scalar>(shape: outShape)
            guard outShape.count > 0 else { return y }
            x.scalars.withUnsafeBufferPointer { xp in
                y.scalars.withUnsafeMutableBufferPointer { yp in applyValuesUnchecked(xp.baseAddress!, yp.baseAddress!, batch: batch) }
            }
            return y
        }
        let js = try jacobians(at: x)
        return try perSample(x, domain, codomain, budget: budget) { b, sample in
            js[b].minusInfinityWhereUnselected(try js[b].apply(sample, form: form, budget: budget))  // as the direct form
        }
    }

    /// The gradient with respect to the input at `x`: `dx_b = J(x_b)ᵀ dy_b` for every sample (PyTorch's
    /// `max_pool` backward: overlapping windows that chose the same element add up).
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `x` and `dy` are not batches of the same size of
    ///   ``domain`` and ``codomain``; a memory-budget error when materialising is refused.
    public func backward(_ dy: Tensor<Scalar>, at x: Tensor<Scalar>, form: Form = .direct,
                         budget: MemoryBudget = .default) throws -> Tensor<Scalar> {
        let js = try jacobians(at: x)
        let nb = try dy.batchCount(sampleShape: codomain)
        guard nb == js.count, Array(dy.shape.dims.dropLast(codomain.rank)) == Array(x.shape.dims.dropLast(domain.rank)) else {
            throw ConvAlgebraError.shapeMismatch(
                "the output gradient \(dy.shape) does not match max pooling of an input \(x.shape)")
        }
        return try perSample(dy, codomain, domain, budget: budget) { b, sample in
            try js[b].applyTransposed(sample, form: form, budget: budget)
        }
    }

    /// Applies `body(b, sample_b)` to each sample of `t` (sample shape `from`) and stacks the results (shape `to`).
    private func perSample(_ t: Tensor<Scalar>, _ from: Shape, _ to: Shape, budget: MemoryBudget,
                           _ body: (Int, Tensor<Scalar>) throws -> Tensor<Scalar>) throws -> Tensor<Scalar> {
        let batch = try t.batchCount(sampleShape: from)
        let outShape = try Shape(Array(t.shape.dims.dropLast(from.rank)) + to.dims)
        try budget.check("the output \(outShape)", count: outShape.count, elementBytes: MemoryLayout<Scalar>.stride)
        var out = [Scalar]()
        out.reserveCapacity(outShape.count)
        for b in 0..<batch {
            let sample = try Tensor(shape: from, scalars: Array(t.scalars[(b * from.count)..<((b + 1) * from.count)]))
            out.append(contentsOf: try body(b, sample).scalars)
        }
        return try Tensor(shape: outShape, scalars: out)
    }
}
