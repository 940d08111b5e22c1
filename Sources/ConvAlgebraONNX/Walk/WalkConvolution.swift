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

    mutating func convolution(_ node: ONNXNode) throws {
        let input = try data(node)
        guard let w = try constant(node, 1) else {
            throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Conv) has no weight")
        }
        let sample = Array(input.state.shape.dropFirst())
        let r = sample.count - 1
        let kernel = try kernelShape(node, weight: w)
        guard kernel.count == r else {
            throw ConvAlgebraError.shapeMismatch("node '\(node.name)' (Conv): a \(kernel.count)-D kernel on an input of shape \(sample)")
        }
        let stride = try spatial(node, "strides", rank: r, default: 1)
        let dilation = try spatial(node, "dilations", rank: r, default: 1)
        let groups = try node.int("group", default: 1)
        let (b, e) = try windowPadding(node, spatial: Array(sample.dropFirst()), kernel: kernel, stride: stride, dilation: dilation)
        let weightShape = w.dims
        let make: @Sendable ([Double]) throws -> (any LinearOperator<Double>, Convolution<Double>?) = { values in
            let layer = try ConvolutionLayer<Double>(inputShape: sample, weight: try Tensor(shape: weightShape, scalars: values), stride: stride,
                                                     padding: .explicit(begin: b, end: e), dilation: dilation, groups: groups)
            return (layer.linear, layer.convolution)
        }
        let (op, conv) = try described(node) { try make(w.values) }
        try addLayer(node, input: input, op: "Conv", linear: op,
                     weight: LayerWeight(values: w.values, shape: weightShape, outputAxis: 0, groups: groups),
                     convolution: conv, rebuild: make)
    }

    mutating func transposedConvolution(_ node: ONNXNode) throws {
        let input = try data(node)
        guard let w = try constant(node, 1) else {
            throw ConvAlgebraError.invalidArgument("node '\(node.name)' (ConvTranspose) has no weight")
        }
        let sample = Array(input.state.shape.dropFirst())
        let r = sample.count - 1
        let kernel = try kernelShape(node, weight: w)
        guard kernel.count == r else {
            throw ConvAlgebraError.shapeMismatch("node '\(node.name)' (ConvTranspose): a \(kernel.count)-D kernel on an input of shape \(sample)")
        }
        let stride = try spatial(node, "strides", rank: r, default: 1)
        let dilation = try spatial(node, "dilations", rank: r, default: 1)
        let groups = try node.int("group", default: 1)
        var outputPadding = try spatial(node, "output_padding", rank: r, default: 0)
        let n = Array(sample.dropFirst())
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
        let weightShape = w.dims
        let (pb, pe, op) = (b, e, outputPadding)
        let make: @Sendable ([Double]) throws -> (any LinearOperator<Double>, Convolution<Double>?) = { values in
            let layer = try TransposedConvolutionLayer<Double>(
                inputShape: sample, weight: try Tensor(shape: weightShape, scalars: values), stride: stride,
                padding: .explicit(begin: pb, end: pe), outputPadding: op, dilation: dilation, groups: groups)
            return (layer.linear, nil)
        }
        let (linear, _) = try described(node) { try make(w.values) }
        let geometry = (linear as! TransposedConvolution<Double>).geometry
        try addLayer(node, input: input, op: "ConvTranspose", linear: linear,
                     weight: LayerWeight(values: w.values, shape: weightShape, outputAxis: 1, groups: groups),
                     transposedGeometry: geometry, rebuild: make)
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
