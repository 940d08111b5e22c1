import ConvAlgebra

// The convolution layers of PyTorch: conv1d/2d/3d and conv_transpose1d/2d/3d. X is (N, C_in, *S): the
// first axis is the batch, one sample is (C_in, *S) (``LayerOp``); the weight's rank fixes the number of
// spatial dims and the library checks it against the sample. All semantics live in ConvolutionLayer and
// TransposedConvolutionLayer; this file only spells the options, and what the two share is
// ``LayerArguments``.

/// `conv`: PyTorch conv (cross-correlation). W `(C_out, C_in/groups, *K)`, B `(C_out)`.
/// `--stride`, `--padding` (ints, 2·d ints in ONNX order, `same`, `valid`), `--dilation`, `--groups`,
/// `--padding-mode zeros|circular|reflect|replicate`.
enum ConvOp: LayerOp {
    static let name = "conv"
    static let acceptedOptions = layerOptions.union(["--padding-mode"])
    static let channelNames = (domain: "C_in", codomain: "C_out")
    static let weightIndexNames: [String]? = ["o", "i"]

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>, channels: Int, spatial: [Int]) throws -> BuiltOperator<S> {
        let a = try LayerArguments(r, spatialRank: spatial.count, layout: "(C_out, C_in/groups, *K)")
        let mode = try CommaList.choice(r.options.layer.paddingMode, default: PaddingMode.zeros, noun: "padding mode", op: name)
        let layer = try ConvolutionLayer<S>(inputShape: r.domain.dims, weight: a.weight, bias: a.bias, stride: a.stride,
                                            padding: a.padding, dilation: a.dilation, groups: a.groups, paddingMode: mode)
        return a.built(layer.linear, bias: layer.bias?.scalars)
    }
}

/// `conv-transpose`: PyTorch conv_transpose, the literal transpose of the conv whose output is X.
/// W `(C_in, C_out/groups, *K)`, B `(C_out)`. `--stride`, `--padding`, `--output-padding`, `--dilation`, `--groups`.
enum ConvTransposeOp: LayerOp {
    static let name = "conv-transpose"
    static let acceptedOptions = layerOptions.union(["--output-padding"])
    static let channelNames = (domain: "C_in", codomain: "C_out")
    static let weightIndexNames: [String]? = ["i", "o"]

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>, channels: Int, spatial: [Int]) throws -> BuiltOperator<S> {
        let a = try LayerArguments(r, spatialRank: spatial.count, layout: "(C_in, C_out/groups, *K)")
        let outputPadding = try layerInts(r.options.layer.outputPadding, "--output-padding", default: 0)
        let layer = try TransposedConvolutionLayer<S>(
            inputShape: r.domain.dims, weight: a.weight, bias: a.bias, stride: a.stride, padding: a.padding,
            outputPadding: outputPadding, dilation: a.dilation, groups: a.groups)
        return a.built(layer.linear, bias: layer.bias?.scalars)
    }
}

// MARK: - What the two layers share

/// The spellings both layers accept.
private let layerOptions: Set<String> = ["--stride", "--padding", "--dilation", "--groups", "--weight", "--bias", "--kernel-size"]

/// A per-dimension list as given (the library checks its length and values); `default` when absent.
private func layerInts(_ text: String?, _ option: String, default value: Int = 1) throws -> [Int] {
    try text.map { try CommaList.ints($0, option: option) } ?? [value]
}

/// The options both convolution layers take, read once: the kernel, the bias, stride, padding, dilation
/// and groups, as the library's initialisers take them (it checks their lengths and values).
struct LayerArguments<S: BLASScalar> {
    var weight: Tensor<S>
    var bias: Tensor<S>?
    var stride: [Int]
    var padding: LayerPadding
    var dilation: [Int]
    var groups: Int

    /// - Parameter layout: the weight's layout for the messages, `(C_out, C_in/groups, *K)`.
    /// - Throws: for a missing kernel, a bias that is not 1-D, and malformed lists.
    init(_ r: OperatorRequest<S>, spatialRank: Int, layout: String) throws {
        let o = r.options
        let groups = o.layer.groups ?? 1
        self.groups = groups
        weight = try kernelWeight(r, layout: layout) { text in
            // A symbolic kernel with as many output channels as input channels: `(C, C/groups, *K)`.
            let k = try CommaList.perDimension(text, option: "--kernel-size", rank: spatialRank)
            guard k.allSatisfy({ $0 >= 1 }) else { throw ConvAlgebraError.invalidArgument("--kernel-size must be positive, got '\(text)'") }
            let c = r.domain.dims[0]
            guard groups >= 1, c % groups == 0 else {
                throw ConvAlgebraError.invalidArgument("groups \(groups) must be positive and divide the channels \(c)")
            }
            return Tensor(shape: try Shape([c, c / groups] + k), repeating: 1)
        }
        if let b = r.bias {
            guard b.shape.rank == 1 else {
                throw ConvAlgebraError.shapeMismatch("\(r.name) needs a bias of shape (C_out,), got shape \(b.shape)")
            }
            bias = b
        }
        stride = try layerInts(o.window.stride, "--stride")
        padding = try Self.padding(o.window.padding, rank: spatialRank)
        dilation = try layerInts(o.window.dilation, "--dilation")
    }

    /// The layer's linear map, followed by its bias broadcast over each channel's plane.
    func built(_ linear: any LinearOperator<S>, bias: [S]?) -> BuiltOperator<S> {
        let offset = bias.map { b in
            let plane = linear.codomain.count / b.count
            return b.flatMap { Array(repeating: $0, count: plane) }
        }
        return BuiltOperator(linear: linear, offset: offset, weightShape: weight.shape.dims)
    }

    /// `--padding` as the library takes it: 1, d or 2·d ints (all begins then all ends), `same`, `valid`.
    private static func padding(_ text: String?, rank: Int) throws -> LayerPadding {
        guard let text else { return .valid }
        let spec = try PaddingSpec(text)
        switch spec {
        case .same: return .same
        case .valid: return .valid
        case .explicit:
            guard let (b, e) = try spec.beginsAndEnds(rank: rank) else { return .valid }
            return .explicit(begin: b, end: e)
        }
    }
}
