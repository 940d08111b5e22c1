import ConvAlgebra

// The pooling family of PyTorch layers: max_pool / avg_pool 1d/2d/3d and F.interpolate (nearest, linear).
// X has shape (N, C, *S) with 1 to 3 spatial dimensions; one sample is (C, *S).

/// `avg-pool`: PyTorch `avg_pool1d/2d/3d` — linear, so every form, `--transpose` and `show` apply.
enum AvgPoolOp: OpDefinition {
    static let name = "avg-pool"
    static let acceptedOptions: Set<String> = ["--kernel-size", "--stride", "--padding", "--ceil-mode", "--count-include-pad"]

    static func sampleShape(ofInput shape: Shape, _ options: OperatorOptions) throws -> Shape {
        try layerSample(of: shape, op: name)
    }

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>) throws -> BuiltOperator<S> {
        let (channels, spatial) = try channelsAndSpatial(r.domain, op: name)
        let w = try poolWindows(r.options, rank: spatial.count, op: name, dilation: false)
        return BuiltOperator(linear: try AveragePooling<S>(
            channels: channels, inputSize: spatial, kernelSize: w.kernel, stride: w.stride, padding: w.padding,
            ceilMode: r.options.ceilMode, countIncludePad: r.options.countIncludePad ?? true))
    }
}

/// `max-pool`: PyTorch `max_pool1d/2d/3d`. Not linear: the direct form pools; the dense and sparse forms
/// apply each sample's Jacobian (its 0/1 selection matrix) at that sample. It has no transpose and no
/// matrix without an input, so `--transpose` and `show` are refused with a reason.
enum MaxPoolOp: OpDefinition {
    static let name = "max-pool"
    static let acceptedOptions: Set<String> = ["--kernel-size", "--stride", "--padding", "--dilation", "--ceil-mode"]

    static func sampleShape(ofInput shape: Shape, _ options: OperatorOptions) throws -> Shape {
        try layerSample(of: shape, op: name)
    }

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>) throws -> BuiltOperator<S> {
        let (channels, spatial) = try channelsAndSpatial(r.domain, op: name)
        let w = try poolWindows(r.options, rank: spatial.count, op: name, dilation: true)
        let pool = try MaxPooling<S>(channels: channels, inputSize: spatial, kernelSize: w.kernel, stride: w.stride,
                                     padding: w.padding, dilation: w.dilation, ceilMode: r.options.ceilMode)
        guard let x = r.input, x.shape.rank > pool.domain.rank,
              Array(x.shape.dims.suffix(pool.domain.rank)) == pool.domain.dims else {
            throw ConvAlgebraError.invalidArgument(
                "max-pool is not linear: its matrix is its Jacobian at an input, so it has no transpose or matrix on its own"
                + " (apply max-pool to X of shape (N, \(pool.domain.commaList)) instead; its dense and sparse forms use each sample's Jacobian)")
        }
        // The linear stand-in (what `show`/`analyze` would print) is the first sample's Jacobian; every form
        // of the forward map goes through `MaxPooling.apply`, which uses each sample's own.
        let first = try Tensor(shape: pool.domain, scalars: Array(x.scalars.prefix(pool.domain.count)))
        return BuiltOperator(linear: try pool.jacobian(at: first), forward: { x, form in try pool.apply(x, form: form) })
    }
}

/// `upsample --scale k --mode nearest|linear`: PyTorch `F.interpolate(scale_factor=k, align_corners=False)`
/// (linear = linear / bilinear / trilinear by the number of spatial dimensions); nearest is `↑k` then the
/// all-ones kernel. Linear, so every form, `--transpose` and `show` apply.
enum UpsampleOp: OpDefinition {
    static let name = "upsample"
    static let acceptedOptions: Set<String> = ["--scale", "--mode"]

    static func sampleShape(ofInput shape: Shape, _ options: OperatorOptions) throws -> Shape {
        try layerSample(of: shape, op: name)
    }

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>) throws -> BuiltOperator<S> {
        let (channels, spatial) = try channelsAndSpatial(r.domain, op: name)
        guard let text = r.options.scale else { throw ConvAlgebraError.invalidArgument("upsample needs --scale k") }
        let scale = try CommaList.perDimension(text, option: "--scale", rank: spatial.count)
        if let bad = scale.first(where: { $0 < 1 }) {
            throw ConvAlgebraError.invalidArgument("--scale must be a positive integer, got \(bad)")
        }
        let modeText = r.options.mode ?? UpsamplingMode.nearest.rawValue
        guard let mode = UpsamplingMode(rawValue: modeText) else {
            throw ConvAlgebraError.invalidArgument(
                "unknown mode '\(modeText)' for upsample (known: \(UpsamplingMode.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let op = try Upsampling.make(mode, channels: channels, inputSize: spatial, scale: scale, as: S.self)
        return BuiltOperator(linear: op)
    }
}

// MARK: - Shared parsing of the pooling ops

/// One sample of a layer input `(N, C, *S)`: `(C, *S)`, with 1 to 3 spatial dimensions.
private func layerSample(of shape: Shape, op: String) throws -> Shape {
    guard (3...5).contains(shape.rank) else {
        throw ConvAlgebraError.shapeMismatch(
            "\(op) needs X of shape (N, C, L), (N, C, H, W) or (N, C, D, H, W), got shape \(shape)")
    }
    return try Shape(Array(shape.dims.dropFirst()))
}

/// `(C, *S)` split into the channel count and the spatial extents.
private func channelsAndSpatial(_ domain: Shape, op: String) throws -> (Int, [Int]) {
    guard (2...4).contains(domain.rank) else {
        throw ConvAlgebraError.shapeMismatch("\(op) works on samples (C, *S) with 1 to 3 spatial dimensions, got \(domain)")
    }
    return (domain.dims[0], Array(domain.dims.dropFirst()))
}

/// `--kernel-size` (required), `--stride` (default: the kernel size), `--padding` (symmetric, default 0),
/// `--dilation` (max-pool, default 1), each one int or one per spatial dimension.
private func poolWindows(_ o: OperatorOptions, rank: Int, op: String, dilation: Bool)
    throws -> (kernel: [Int], stride: [Int], padding: [Int], dilation: [Int]) {
    guard let k = o.kernelSize else { throw ConvAlgebraError.invalidArgument("\(op) needs --kernel-size") }
    let kernel = try CommaList.perDimension(k, option: "--kernel-size", rank: rank)
    let stride = try o.stride.map { try CommaList.perDimension($0, option: "--stride", rank: rank) } ?? kernel
    var padding = Array(repeating: 0, count: rank)
    if let p = o.padding {
        guard case .explicit = try PaddingSpec(p) else {
            throw ConvAlgebraError.invalidArgument("\(op) takes a symmetric --padding: one int or one per spatial dimension, not '\(p)'")
        }
        padding = try CommaList.perDimension(p, option: "--padding", rank: rank)
    }
    let d = try o.dilation.map { try CommaList.perDimension($0, option: "--dilation", rank: rank) } ?? Array(repeating: 1, count: rank)
    return (kernel, stride, padding, dilation ? d : Array(repeating: 1, count: rank))
}
