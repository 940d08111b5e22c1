import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// PyTorch's `conv1d` / `conv2d` / `conv3d` (any number of spatial dimensions): a cross-correlation with
/// stride, padding, dilation, groups, bias and a padding mode, as an affine map `forward(x) = A x + b`.
///
/// ```
/// y[co, i] = b[co] + Σ_{ci < C_in/G} Σ_t W[co, ci, t] · x̃[g·C_in/G + ci, i·s − p_b + t·d],   g = co / (C_out/G)
/// ```
/// where `x̃` is `x` padded by `(p_b, p_e)` per dimension in the padding mode. Per dimension the output size is
/// `⌊(n + p_b + p_e − d·(K−1) − 1)/s⌋ + 1`. Shapes: input `(C_in, n…)`, weight `(C_out, C_in/G, K…)`,
/// bias `(C_out)`, output `(C_out, m…)`; batches are leading extents.
///
/// The linear part ``linear`` is one ``Convolution`` (a ``ConvolutionGeometry`` with tap step `+d` and offset
/// `−p_b`) for zeros padding (added zeros are never read) and for circular padding (the geometry's circular
/// boundary wraps exactly as circular padding does, since PyTorch limits the amounts to `≤ n`); for reflect and
/// replicate it is the composition ``padding`` then ``paddedConvolution``. Its transpose is the literal
/// transpose (a ``TransposedConvolution``, or `convᵀ` then the border fold).
/// - Complexity: direct form `2 · C_out · ∏m · C_in/G · ∏K` FLOPs per sample.
public struct ConvolutionLayer<Scalar: BLASScalar>: Sendable {
    /// One input sample's shape `(C_in, n…)`.
    public let inputShape: [Int]
    /// The weight's shape `(C_out, C_in/G, K…)`.
    public let weightShape: [Int]
    /// The weight's scalars, row-major.
    public let weight: [Scalar]
    /// The bias, shape `(C_out)`, or `nil` for a layer without bias.
    public let bias: Tensor<Scalar>?
    public let stride: [Int]
    public let dilation: [Int]
    public let groups: Int
    public let paddingMode: PaddingMode
    /// The padding of the input: amounts and mode (channels pass through).
    public let paddingGeometry: PaddingGeometry
    /// The geometry of ``linear`` when it is one convolution (zeros, circular); for reflect and replicate,
    /// the valid convolution over the padded input (``paddedGeometry``).
    public let geometry: ConvolutionGeometry
    /// The valid convolution over the padded input, `p = 0`: the second factor of `pad.then(conv)`.
    public let paddedGeometry: ConvolutionGeometry

    /// PyTorch's `nn.Conv1d/2d/3d` on one sample of `inputShape` (what `F.conv2d(x, weight, bias, …)` computes).
    ///
    /// ```swift
    /// let conv = try ConvolutionLayer(inputShape: [3, 32, 32], weight: .random(shape: [8, 3, 3, 3], seed: 1),
    ///                                 bias: Tensor<Float>.zeros(shape: [8]), padding: .symmetric([1]))
    /// ```
    /// - Parameters:
    ///   - inputShape: one sample's shape `(C_in, n…)`, one to any number of spatial dimensions (a batch leads it
    ///     when applied), as every layer of the library takes it.
    ///   - weight: shape `(C_out, C_in/G, K…)`.
    ///   - bias: shape `(C_out)`, or `nil`.
    ///   - stride, dilation: one value or one per spatial dimension, all ≥ 1.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` for a weight of the wrong rank or channel count or a
    ///   bias of the wrong shape; ``ConvAlgebraError/invalidArgument(_:)`` for non-positive strides,
    ///   dilations, groups or kernel sizes, negative padding, `same` with a stride, groups that do not
    ///   divide the channels, a dilated kernel larger than the padded input, and padding amounts over
    ///   PyTorch's limits for the mode.
    public init(inputShape: [Int], weight weightTensor: Tensor<Scalar>, bias: Tensor<Scalar>? = nil,
                stride: [Int] = [1], padding: LayerPadding = .valid, dilation: [Int] = [1], groups: Int = 1,
                paddingMode: PaddingMode = .zeros) throws {
        let (weightShape, weight) = (weightTensor.shape.dims, weightTensor.scalars)
        let r = try LayerOptions.checkWeight(inputShape: inputShape, weightShape: weightShape, weightCount: weight.count,
                                             groups: groups, layer: "convolution", channels: "C_out, C_in/groups")
        let cin = inputShape[0], cout = weightShape[0], kernel = Array(weightShape.dropFirst(2))
        guard cin % groups == 0, cout % groups == 0 else {
            throw ConvAlgebraError.invalidArgument(
                "groups \(groups) must divide the input channels \(cin) and the output channels \(cout)")
        }
        guard weightShape[1] * groups == cin else {
            throw ConvAlgebraError.shapeMismatch(
                "the weight \(weightShape) expects \(weightShape[1] * groups) input channels (\(weightShape[1]) per group × \(groups) groups), but the input has \(cin)")
        }
        try LayerBias.check(bias, channels: cout)
        let s = try LayerOptions.positive(stride, rank: r, name: "stride")
        let d = try LayerOptions.positive(dilation, rank: r, name: "dilation")
        let (pb, pe) = try padding.amounts(kernelSize: kernel, dilation: d, stride: s)
        let spatial = Array(inputShape.dropFirst())
        let out = try (0..<r).map {
            try LayerOptions.convolutionOutputSize(input: spatial[$0], begin: pb[$0], end: pe[$0], kernel: kernel[$0],
                                                   dilation: d[$0], stride: s[$0])
        }
        let pad = try PaddingGeometry(inputSize: spatial, begin: pb, end: pe, mode: paddingMode,
                                      channels: cin, hasChannelAxis: true)
        let padded = try ConvolutionGeometry(
            inputSize: pad.paddedSize, outputSize: out, kernelSize: kernel, stride: s, offset: Array(repeating: 0, count: r),
            tapStep: d, boundary: .zero, inChannels: cin, outChannels: cout, groups: groups, hasChannelAxis: true)
        switch paddingMode {
        case .zeros, .circular:
            geometry = try ConvolutionGeometry(
                inputSize: spatial, outputSize: out, kernelSize: kernel, stride: s, offset: pb.map { -$0 },
                tapStep: d, boundary: paddingMode == .zeros ? .zero : .circular,
                inChannels: cin, outChannels: cout, groups: groups, hasChannelAxis: true)
        case .reflect, .replicate:
            geometry = padded
        }
        self.inputShape = inputShape; self.weightShape = weightShape; self.weight = weight; self.bias = bias
        self.stride = s; self.dilation = d; self.groups = groups; self.paddingMode = paddingMode
        self.paddingGeometry = pad; self.paddedGeometry = padded
        convolution = try Convolution(geometry: geometry, taps: weight)
    }

    // MARK: - Operators

    /// Whether the padding is a separate factor of ``linear`` (reflect, replicate).
    public var padsExplicitly: Bool { paddingMode == .reflect || paddingMode == .replicate }

    /// The padding as an operator: ``ZeroPadding`` or ``BorderPadding`` by mode.
    public var padding: any LinearOperator<Scalar> { paddingGeometry.padding(Scalar.self) }

    /// The valid convolution over the padded input: `linear == padding.then(paddedConvolution)` for every mode.
    public var paddedConvolution: Convolution<Scalar> { try! Convolution(geometry: paddedGeometry, taps: weight) }

    /// The convolution over ``geometry`` (for zeros and circular padding, this is ``linear`` itself): stored, so
    /// its plans (``Convolution/plans``) are built once per layer, not once per access.
    public let convolution: Convolution<Scalar>

    /// The linear part `A` of `forward(x) = A x + b`.
    public var linear: any LinearOperator<Scalar> {
        padsExplicitly ? try! Composed([padding, convolution]) : convolution
    }

    public var domain: Shape { paddingGeometry.unpaddedShape }
    public var codomain: Shape { geometry.codomain }
    /// One output sample's shape `(C_out, m…)`.
    public var outputShape: [Int] { codomain.dims }

    // MARK: - Forward

    /// `A x + b` for every sample of `x` (shape `batch… × (C_in, n…)`), in the chosen form.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` for an input that does not end in ``inputShape``;
    ///   ``ConvAlgebraError/exceedsMemoryBudget(what:bytes:budget:)`` when the dense or sparse matrix is refused.
    public func forward(_ x: Tensor<Scalar>, form: Form = .direct, budget: MemoryBudget = .default) throws -> Tensor<Scalar> {
        try LayerBias.apply(linear, x, bias: bias?.scalars, form: form, budget: budget)
    }

    /// The weight-gradient operator at one input sample `x`: `W ↦ conv(x; W)` (without bias). For reflect and
    /// replicate padding it is built on the padded sample, since the kernel sees `pad(x)`.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `x` is not one sample of ``inputShape``.
    public func weightGradient(at x: [Scalar]) throws -> WeightGradient<Scalar> {
        guard x.count == domain.count else {
            throw ConvAlgebraError.shapeMismatch("the weight-gradient operator needs one sample of shape \(domain), got \(x.count) values")
        }
        if padsExplicitly {
            let p = try padding.apply(Tensor(shape: domain, scalars: x))
            return try WeightGradient(geometry: geometry, input: p.scalars)
        }
        return try WeightGradient(geometry: geometry, input: x)
    }
}
