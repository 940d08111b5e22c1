import ConvAlgebraCore
import ConvAlgebraKernels
import ConvAlgebraOperators

/// Conv and ConvTranspose: ONNX's attributes (with their defaults) onto ``ConvolutionLayer`` and
/// ``TransposedConvolutionLayer``.
extension NetworkWalk {
    /// The begin and end paddings of a window op over `spatial` (`pads` in ONNX order, all begins then all ends,
    /// or `auto_pad`): `SAME_UPPER` / `SAME_LOWER` give an output of `⌈n/s⌉` with the odd sample at the end / the
    /// begin, `VALID` none.
    func windowPadding(_ node: ONNXNode, spatial: [Int], kernel: [Int], stride: [Int], dilation: [Int]) throws -> (begin: [Int], end: [Int]) {
        let r = spatial.count
        let auto = try node.string("auto_pad", default: "NOTSET")
        switch auto {
        case "NOTSET", "":
            guard let p = try node.ints("pads") else { return (Array(repeating: 0, count: r), Array(repeating: 0, count: r)) }
            guard p.count == 2 * r, p.allSatisfy({ $0 >= 0 }) else {
                throw ConvAlgebraError.invalidArgument("\(node.describe("pads")) needs \(2 * r) non-negative values (all begins, then all ends), got \(p)")
            }
            return (Array(p.prefix(r)), Array(p.suffix(r)))
        case "VALID":
            return (Array(repeating: 0, count: r), Array(repeating: 0, count: r))
        case "SAME_UPPER", "SAME_LOWER":
            var b = [Int](), e = [Int]()
            for d in 0..<r {
                let out = (spatial[d] + stride[d] - 1) / stride[d]
                let total = Swift.max(0, (out - 1) * stride[d] + (kernel[d] - 1) * dilation[d] + 1 - spatial[d])
                let small = total / 2, large = total - small
                b.append(auto == "SAME_UPPER" ? small : large); e.append(auto == "SAME_UPPER" ? large : small)
            }
            return (b, e)
        default:
            throw ConvAlgebraError.invalidArgument("\(node.describe("auto_pad")) is '\(auto)' (known: NOTSET, SAME_UPPER, SAME_LOWER, VALID)")
        }
    }

    /// The kernel's spatial extents: `kernel_shape`, which must agree with the weight when given.
    func kernelShape(_ node: ONNXNode, weight: ONNXTensor) throws -> [Int] {
        guard weight.dims.count >= 3 else {
            throw ConvAlgebraError.shapeMismatch("node '\(node.name)' (\(node.op)): the weight \(weight.dims) needs at least 3 axes")
        }
        let k = Array(weight.dims.dropFirst(2))
        if let given = try node.ints("kernel_shape"), given != k {
            throw ConvAlgebraError.shapeMismatch("\(node.describe("kernel_shape")) is \(given), the weight's kernel is \(k)")
        }
        return k
    }

    /// What Conv and ConvTranspose read alike: the data input, the weight and the window attributes.
    struct ConvolutionAttributes {
        let input: (name: String, state: TensorState)
        let weight: ONNXTensor
        /// One sample's shape `(C, n…)` and its spatial rank.
        let sample: [Int], rank: Int
        let kernel: [Int], stride: [Int], dilation: [Int], groups: Int
    }

    /// Builds a layer's operator (and the ``Convolution`` it applies, if one) from a weight's values.
    typealias LayerConstructor = @Sendable ([Double]) throws -> (any LinearOperator<Double>, Convolution<Double>?)

    /// The attributes Conv and ConvTranspose share, read from `node` with ONNX's defaults.
    func convolutionAttributes(_ node: ONNXNode) throws -> ConvolutionAttributes {
        let input = try data(node)
        guard let w = try constant(node, 1) else {
            throw ConvAlgebraError.invalidArgument("node '\(node.name)' (\(node.op)) has no weight")
        }
        let sample = Array(input.state.shape.dropFirst())
        let r = sample.count - 1
        let kernel = try kernelShape(node, weight: w)
        guard kernel.count == r else {
            throw ConvAlgebraError.shapeMismatch("node '\(node.name)' (\(node.op)): a \(kernel.count)-D kernel on an input of shape \(sample)")
        }
        return ConvolutionAttributes(
            input: input, weight: w, sample: sample, rank: r, kernel: kernel,
            stride: try spatial(node, "strides", rank: r, default: 1), dilation: try spatial(node, "dilations", rank: r, default: 1),
            groups: try node.int("group", default: 1))
    }

    /// Records a Conv or ConvTranspose layer built by `make` from the weight: its weight (`outputAxis` 0 for Conv,
    /// 1 for ConvTranspose) and its geometry (the convolution, or a transposed convolution's forward one).
    mutating func addConvolution(_ node: ONNXNode, _ a: ConvolutionAttributes, outputAxis: Int, make: @escaping LayerConstructor) throws {
        let (linear, conv) = try described(node) { try make(a.weight.values) }
        try addLayer(node, input: a.input, op: node.op, linear: linear,
                     weight: LayerWeight(values: a.weight.values, shape: a.weight.dims, outputAxis: outputAxis, groups: a.groups),
                     transposedGeometry: (linear as? TransposedConvolution<Double>)?.geometry, convolution: conv, rebuild: make)
    }

    mutating func convolution(_ node: ONNXNode) throws {
        let a = try convolutionAttributes(node)
        let (b, e) = try windowPadding(node, spatial: Array(a.sample.dropFirst()), kernel: a.kernel, stride: a.stride, dilation: a.dilation)
        let (sample, shape, stride, dilation, groups) = (a.sample, a.weight.dims, a.stride, a.dilation, a.groups)
        try addConvolution(node, a, outputAxis: 0) { values in
            let layer = try ConvolutionLayer<Double>(inputShape: sample, weight: try Tensor(shape: shape, scalars: values), stride: stride,
                                                     padding: .explicit(begin: b, end: e), dilation: dilation, groups: groups)
            return (layer.linear, layer.convolution)
        }
    }

    mutating func transposedConvolution(_ node: ONNXNode) throws {
        let a = try convolutionAttributes(node)
        let (r, kernel, stride, dilation) = (a.rank, a.kernel, a.stride, a.dilation)
        var outputPadding = try spatial(node, "output_padding", rank: r, default: 0)
        let n = Array(a.sample.dropFirst())
        let auto = try node.string("auto_pad", default: "NOTSET")
        var b: [Int], e: [Int]
        var outputShape = try node.ints("output_shape")
        if let o = outputShape, o.count == r + 2 { outputShape = Array(o.suffix(r)) }
        if outputShape == nil, auto == "SAME_UPPER" || auto == "SAME_LOWER" { outputShape = zip(n, stride).map { $0 * $1 } }
        if let out = outputShape {
            // ONNX: total = s·(n − 1) + output_padding + (K − 1)·d + 1 − output_shape, split by auto_pad.
            guard out.count == r else { throw ConvAlgebraError.invalidArgument("\(node.describe("output_shape")) needs \(r) values, got \(out)") }
            b = []; e = []
            for d in 0..<r {
                var total = stride[d] * (n[d] - 1) + outputPadding[d] + (kernel[d] - 1) * dilation[d] + 1 - out[d]
                if total < 0 { outputPadding[d] -= total; total = 0 }   // the output is longer: the extra is output padding
                let small = total / 2, large = total - small
                b.append(auto == "SAME_UPPER" ? small : large); e.append(auto == "SAME_UPPER" ? large : small)
            }
        } else {
            (b, e) = try windowPadding(node, spatial: n, kernel: kernel, stride: stride, dilation: dilation)
        }
        let (sample, shape, groups, pb, pe, op) = (a.sample, a.weight.dims, a.groups, b, e, outputPadding)
        try addConvolution(node, a, outputAxis: 1) { values in
            let layer = try TransposedConvolutionLayer<Double>(
                inputShape: sample, weight: try Tensor(shape: shape, scalars: values), stride: stride,
                padding: .explicit(begin: pb, end: pe), outputPadding: op, dilation: dilation, groups: groups)
            return (layer.linear, nil)
        }
    }

    /// Runs `body`, prefixing any error with the node.
    func described<T>(_ node: ONNXNode, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as ConvAlgebraError {
            switch e {
            case .invalidArgument(let m): throw ConvAlgebraError.invalidArgument("node '\(node.name)' (\(node.op)): \(m)")
            case .shapeMismatch(let m): throw ConvAlgebraError.shapeMismatch("node '\(node.name)' (\(node.op)): \(m)")
            case .unsupported(let m): throw ConvAlgebraError.unsupported("node '\(node.name)' (\(node.op)): \(m)")
            default: throw e
            }
        }
    }
}
