import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// PyTorch's `conv_transpose1d` / `2d` / `3d` (any number of spatial dimensions), built as what it is: the
/// literal transpose of the convolution whose output has this layer's input shape, plus a bias.
///
/// ```
/// y[co', c] = b[co'] + Σ_{(ci', i, t) : i·s − p + t·d = c} W[ci', co' mod (C_out/G), t] · x[ci', i]
/// ```
/// The forward convolution (``forwardConvolution``) maps `(C_out, L_out…) → (C_in, L…)` with weight
/// `(C_in, C_out/G, K…)` — PyTorch's conv-transpose weight layout is exactly that convolution's layout —
/// stride `s`, padding `p`, dilation `d`. Per dimension the layer's output size is
/// ```
/// L_out = (L − 1)·s − p_b − p_e + d·(K − 1) + output_padding + 1
/// ```
/// `output_padding` (< stride or < dilation, PyTorch's rule) fixes the forward convolution's domain, which
/// `L` alone leaves ambiguous when `s > 1`. So ``linear`` is a ``TransposedConvolution`` whose dense matrix is
/// the transpose of ``forwardConvolution``'s, entry for entry, and whose direct form is polyphase (it never
/// multiplies an inserted zero of `↑s`).
/// - Complexity: direct form `2 · C_in · ∏L · C_out/G · ∏K` FLOPs per sample.
public struct TransposedConvolutionLayer<Scalar: BLASScalar>: Sendable {
    /// One input sample's shape `(C_in, L…)`.
    public let inputShape: [Int]
    /// The weight's shape `(C_in, C_out/G, K…)`.
    public let weightShape: [Int]
    /// The weight's scalars, row-major.
    public let weight: [Scalar]
    /// The bias, shape `(C_out)`, or `nil`.
    public let bias: Tensor<Scalar>?
    public let stride: [Int]
    public let dilation: [Int]
    public let outputPadding: [Int]
    public let groups: Int
    /// The geometry of the forward convolution `(C_out, L_out…) → (C_in, L…)`.
    public let geometry: ConvolutionGeometry

    /// PyTorch's `nn.ConvTranspose1d/2d/3d` on one sample of `inputShape`.
    /// - Parameters:
    ///   - inputShape: one sample's shape `(C_in, L…)`, as every layer of the library takes it.
    ///   - weight: shape `(C_in, C_out/G, K…)`, PyTorch's conv-transpose layout.
    ///   - bias: shape `(C_out)`, or `nil`.
    ///   - padding: symmetric amounts (one value or one per dimension) or explicit begin/end lists;
    ///     `same` is refused as in PyTorch, `valid` is 0.
    ///   - outputPadding: one value or one per dimension, each smaller than the stride or the dilation.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` for a weight of the wrong rank or channel count, a bias
    ///   of the wrong length; ``ConvAlgebraError/invalidArgument(_:)`` for non-positive strides, dilations,
    ///   groups or kernel sizes, negative padding, bad output padding, groups that do not divide the channels,
    ///   or a non-positive output size.
    public init(inputShape: [Int], weight weightTensor: Tensor<Scalar>, bias: Tensor<Scalar>? = nil,
                stride: [Int] = [1], padding: LayerPadding = .valid, outputPadding: [Int] = [0],
                dilation: [Int] = [1], groups: Int = 1) throws {
        let (weightShape, weight) = (weightTensor.shape.dims, weightTensor.scalars)
        let r = try LayerOptions.checkWeight(inputShape: inputShape, weightShape: weightShape, weightCount: weight.count,
                                             groups: groups, layer: "transposed convolution", channels: "C_in, C_out/groups")
        let cin = inputShape[0]
        guard cin % groups == 0 else {
            throw ConvAlgebraError.invalidArgument("groups \(groups) must divide the input channels \(cin)")
        }
        guard weightShape[0] == cin else {
            throw ConvAlgebraError.shapeMismatch(
                "the weight \(weightShape) expects \(weightShape[0]) input channels (its first extent), but the input has \(cin)")
        }
        let cout = try Checked.multiply(weightShape[1], groups, "the output channel count")
        try LayerBias.check(bias, channels: cout)
        let kernel = Array(weightShape.dropFirst(2))
        let s = try LayerOptions.positive(stride, rank: r, name: "stride")
        let d = try LayerOptions.positive(dilation, rank: r, name: "dilation")
        let op = try LayerOptions.perDimension(outputPadding, rank: r, name: "output padding")
        for k in 0..<r where op[k] < 0 || (op[k] >= s[k] && op[k] >= d[k]) {
            throw ConvAlgebraError.invalidArgument(
                "output padding \(op[k]) must be non-negative and smaller than either the stride \(s[k]) or the dilation \(d[k]), as in PyTorch")
        }
        if padding == .same {
            throw ConvAlgebraError.invalidArgument("padding 'same' is not supported for transposed convolutions, as in PyTorch")
        }
        let (pb, pe) = try padding.amounts(kernelSize: kernel, dilation: d, stride: s)
        let spatial = Array(inputShape.dropFirst())
        var out = [Int]()
        for k in 0..<r {
            // (L − 1)·s − p_b − p_e + d·(K − 1) + op + 1, overflow-checked.
            let grow = try Checked.add(try Checked.multiply(spatial[k] - 1, s[k], "the output size"),
                                       try Checked.multiply(d[k], kernel[k] - 1, "the output size"), "the output size")
            let L = (try? Checked.add(grow - pb[k], op[k] + 1 - pe[k], "the output size")) ?? .min  // grow, p ≥ 0, op < Int.max: only a very negative sum overflows
            guard L >= 1 else {
                throw ConvAlgebraError.invalidArgument(
                    "the output size \(L) in dimension \(k) is not positive (input \(spatial[k]), stride \(s[k]), padding \(pb[k])+\(pe[k]), dilation \(d[k]), kernel \(kernel[k]))")
            }
            out.append(L)
        }
        geometry = try ConvolutionGeometry(
            inputSize: out, outputSize: spatial, kernelSize: kernel, stride: s, offset: pb.map { -$0 }, tapStep: d,
            boundary: .zero, inChannels: cout, outChannels: cin, groups: groups, hasChannelAxis: true)
        self.inputShape = inputShape; self.weightShape = weightShape; self.weight = weight; self.bias = bias
        self.stride = s; self.dilation = d; self.outputPadding = op; self.groups = groups
        forwardConvolution = try Convolution(geometry: geometry, taps: weight)
    }

    // MARK: - Operators

    /// The convolution this layer is the transpose of: `(C_out, L_out…) → (C_in, L…)`.
    /// Stored, so its plans (shared with ``linear``, its transpose) are built once per layer.
    public let forwardConvolution: Convolution<Scalar>

    /// The linear part, `forwardConvolution.transposed`.
    public var linear: TransposedConvolution<Scalar> { forwardConvolution.transposed }

    public var domain: Shape { geometry.codomain }
    public var codomain: Shape { geometry.domain }
    /// One output sample's shape `(C_out, L_out…)`.
    public var outputShape: [Int] { codomain.dims }

    // MARK: - Forward and backward

    /// `Aᵀ x + b` for every sample of `x` (shape `batch… × (C_in, L…)`), in the chosen form.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)``; a memory-budget error in the dense/sparse forms.
    public func forward(_ x: Tensor<Scalar>, form: Form = .direct, budget: MemoryBudget = .default) throws -> Tensor<Scalar> {
        try LayerBias.apply(linear, x, bias: bias?.scalars, form: form, budget: budget)
    }

    /// The weight-gradient operator at one input sample `x`: `W ↦ conv_transpose(x; W)`.
    public func weightGradient(at x: [Scalar]) throws -> WeightGradient<Scalar> {
        try WeightGradient(geometry: geometry, direction: .transposedConvolution, input: x)
    }

    /// Back-propagation at the input batch `x` given `dy`:
    /// ```
    /// dx = (Aᵀ)ᵀ dy = A dy (the forward convolution),   dW = Σ_batch B(x_b)ᵀ dy_b,   db = Σ dy
    /// ```
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` for shapes that do not match; a memory-budget error.
    public func backward(input x: Tensor<Scalar>, outputGradient dy: Tensor<Scalar>, form: Form = .direct,
                         budget: MemoryBudget = .default) throws -> LayerGradients<Scalar> {
        try LayerGradients(input: x, outputGradient: dy, domain: domain, codomain: codomain, geometry: geometry,
                           direction: .transposedConvolution, weightShape: weightShape, hasBias: bias != nil,
                           inputGradient: { try forwardConvolution.apply(dy, form: form, budget: budget) },
                           kernelInput: { x })
    }
}
