import ConvAlgebra

// The convolution layers of PyTorch: conv1d/2d/3d and conv_transpose1d/2d/3d. X is (N, C_in, *S): the
// first axis is the batch, one sample is (C_in, *S); the weight's rank fixes the number of spatial dims
// and the library checks it against the sample. All semantics live in ConvolutionLayer and
// TransposedConvolutionLayer; this file only spells the options.

/// `conv`: PyTorch conv (cross-correlation). W `(C_out, C_in/groups, *K)`, B `(C_out)`.
/// `--stride`, `--padding` (ints, 2·d ints in ONNX order, `same`, `valid`), `--dilation`, `--groups`,
/// `--padding-mode zeros|circular|reflect|replicate`.
enum ConvOp: OpDefinition {
    static let name = "conv"
    static let acceptedOptions: Set<String> = [
        "--stride", "--padding", "--dilation", "--groups", "--padding-mode", "--weight", "--bias", "--kernel-size",
    ]

    static func sampleShape(ofInput shape: Shape, _ options: OperatorOptions) throws -> Shape {
        try layerSample(of: shape, op: name)
    }

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>) throws -> BuiltOperator<S> {
        let w = try layerWeight(r, op: name, layout: "(C_out, C_in/groups, *K)")
        let rank = try spatialRank(r.domain, op: name)
        let o = r.options
        let mode = try o.paddingMode.map { text in
            guard let m = PaddingMode(rawValue: text) else {
                throw ConvAlgebraError.invalidArgument(
                    "unknown padding mode '\(text)' for conv (known: \(PaddingMode.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return m
        } ?? .zeros
        let layer = try ConvolutionLayer<S>(
            inputShape: r.domain.dims, weight: w, bias: try layerBias(r, op: name), stride: try ints(o.stride, "--stride"),
            padding: try layerPadding(o.padding, rank: rank), dilation: try ints(o.dilation, "--dilation"),
            groups: o.groups ?? 1, paddingMode: mode)
        return BuiltOperator(linear: layer.linear, offset: layer.bias.map { expand($0, plane: layer.codomain.count / $0.count) })
    }
}

/// `conv-transpose`: PyTorch conv_transpose, the literal transpose of the conv whose output is X.
/// W `(C_in, C_out/groups, *K)`, B `(C_out)`. `--stride`, `--padding`, `--output-padding`, `--dilation`, `--groups`.
enum ConvTransposeOp: OpDefinition {
    static let name = "conv-transpose"
    static let acceptedOptions: Set<String> = [
        "--stride", "--padding", "--output-padding", "--dilation", "--groups", "--weight", "--bias", "--kernel-size",
    ]

    static func sampleShape(ofInput shape: Shape, _ options: OperatorOptions) throws -> Shape {
        try layerSample(of: shape, op: name)
    }

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>) throws -> BuiltOperator<S> {
        let w = try layerWeight(r, op: name, layout: "(C_in, C_out/groups, *K)")
        let rank = try spatialRank(r.domain, op: name)
        let o = r.options
        let layer = try TransposedConvolutionLayer<S>(
            inputShape: r.domain.dims, weight: w, bias: try layerBias(r, op: name), stride: try ints(o.stride, "--stride"),
            padding: try layerPadding(o.padding, rank: rank), outputPadding: try ints(o.outputPadding, "--output-padding", default: 0),
            dilation: try ints(o.dilation, "--dilation"), groups: o.groups ?? 1)
        return BuiltOperator(linear: layer.linear, offset: layer.bias.map { expand($0, plane: layer.codomain.count / $0.count) })
    }
}

// MARK: - Shared spelling of the layer options

/// One sample of `(N, C, *S)`: everything after the batch axis.
private func layerSample(of shape: Shape, op: String) throws -> Shape {
    guard shape.rank >= 3 else {
        throw ConvAlgebraError.shapeMismatch("\(op) needs X of shape (N, C, *spatial) with 1 to 3 spatial dims, got shape \(shape)")
    }
    return try Shape(Array(shape.dims.dropFirst()))
}

/// The number of spatial dims of a sample `(C, *S)`.
private func spatialRank(_ domain: Shape, op: String) throws -> Int {
    guard domain.rank >= 2 else {
        throw ConvAlgebraError.shapeMismatch("\(op) works on samples (C, *spatial); the domain \(domain) has no spatial dim")
    }
    return domain.rank - 1
}

/// The weight: `--weight`, or in `show`, a symbolic one from `--kernel-size K[,K…]` with as many output
/// channels as input channels (`(C, C/groups, *K)`; its values are unused: `symbolic()` prints the taps
/// `q0, q1, …` numbered in PyTorch's weight layout).
private func layerWeight<S: BLASScalar>(_ r: OperatorRequest<S>, op: String, layout: String) throws -> Tensor<S> {
    switch (r.weight, r.options.kernelSize) {
    case (.some, .some):
        throw ConvAlgebraError.invalidArgument("give \(op) either --weight or --kernel-size, not both")
    case (.some(let w), nil):
        return w
    case (nil, .some(let text)) where r.purpose == .show:
        let rank = try spatialRank(r.domain, op: op)
        let k = try CommaList.perDimension(text, option: "--kernel-size", rank: rank)
        guard k.allSatisfy({ $0 >= 1 }) else { throw ConvAlgebraError.invalidArgument("--kernel-size must be positive, got '\(text)'") }
        let c = r.domain.dims[0], g = r.options.groups ?? 1
        guard g >= 1, c % g == 0 else {
            throw ConvAlgebraError.invalidArgument("groups \(g) must be positive and divide the channels \(c)")
        }
        return Tensor(shape: try Shape([c, c / g] + k), repeating: 1)
    case (nil, .some):
        throw ConvAlgebraError.invalidArgument(
            "--kernel-size gives \(op) a symbolic kernel, for show only; give the kernel with --weight W.npy \(layout)")
    case (nil, nil):
        throw ConvAlgebraError.invalidArgument(
            "\(op) needs a kernel: --weight W.npy of shape \(layout)\(r.purpose == .show ? ", or --kernel-size K for a symbolic one" : "")")
    }
}

private func layerBias<S: BLASScalar>(_ r: OperatorRequest<S>, op: String) throws -> [S]? {
    guard let b = r.bias else { return nil }
    guard b.shape.rank == 1 else {
        throw ConvAlgebraError.shapeMismatch("\(op) needs a bias of shape (C_out,), got shape \(b.shape)")
    }
    return b.scalars
}

/// A per-dimension list as given (the library checks its length and values); `default` when absent.
private func ints(_ text: String?, _ option: String, default value: Int = 1) throws -> [Int] {
    try text.map { try CommaList.ints($0, option: option) } ?? [value]
}

/// `--padding` as the library takes it: 1, d or 2·d ints (all begins then all ends), `same`, `valid`.
private func layerPadding(_ text: String?, rank: Int) throws -> LayerPadding {
    guard let text else { return .valid }
    switch try PaddingSpec(text) {
    case .same: return .same
    case .valid: return .valid
    case .explicit(let v):
        guard let (b, e) = try PaddingSpec.explicit(v).beginsAndEnds(rank: rank) else { return .valid }
        return .explicit(begin: b, end: e)
    }
}

/// The bias broadcast over one output sample: `b[c]` repeated over each channel's plane.
private func expand<S: BLASScalar>(_ bias: [S], plane: Int) -> [S] {
    bias.flatMap { Array(repeating: $0, count: plane) }
}
