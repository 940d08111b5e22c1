import ConvAlgebraCore
import ConvAlgebraKernels
import ConvAlgebraOperators

/// AveragePool, GlobalAveragePool (linear: ``AveragePooling``) and MaxPool (noted with its Lipschitz constant).
extension NetworkWalk {
    /// The window attributes of a pool over the input's spatial extents `n`.
    func poolWindows(_ node: ONNXNode, spatial n: [Int]) throws -> (kernel: [Int], stride: [Int], dilation: [Int], begin: [Int], end: [Int], ceil: Bool) {
        let r = n.count
        if node.op.hasPrefix("Global") {
            let zeros = Array(repeating: 0, count: r), ones = Array(repeating: 1, count: r)
            return (n, ones, ones, zeros, zeros, false)
        }
        guard let kernel = try node.ints("kernel_shape"), kernel.count == r, kernel.allSatisfy({ $0 >= 1 }) else {
            throw ConvAlgebraError.invalidArgument("\(node.describe("kernel_shape")) must give \(r) positive extents")
        }
        let stride = try spatial(node, "strides", rank: r, default: 1)
        let dilation = try spatial(node, "dilations", rank: r, default: 1)
        let (b, e) = try windowPadding(node, spatial: n, kernel: kernel, stride: stride, dilation: dilation)
        return (kernel, stride, dilation, b, e, try node.int("ceil_mode", default: 0) != 0)
    }

    mutating func averagePool(_ node: ONNXNode) throws {
        let input = try data(node)
        let sample = Array(input.state.shape.dropFirst())
        guard sample.count >= 2 else { throw ConvAlgebraError.shapeMismatch("node '\(node.name)' (\(node.op)): the input \(sample) has no spatial axes") }
        let (c, n) = (sample[0], Array(sample.dropFirst()))
        let w = try poolWindows(node, spatial: n)
        guard w.dilation.allSatisfy({ $0 == 1 }) else {
            throw ConvAlgebraError.unsupported("node '\(node.name)' (AveragePool): dilated average pooling is not supported")
        }
        let includePad = try node.int("count_include_pad", default: 0) != 0
        let op: any LinearOperator<Double> = try described(node) {
            if w.begin == w.end, zip(w.begin, w.kernel).allSatisfy({ $0 <= $1 / 2 }) {
                return try AveragePooling<Double>(inputShape: [c] + n, kernelSize: w.kernel, stride: w.stride,
                                                  padding: w.begin, ceilMode: w.ceil, countIncludePad: includePad, budget: budget)
            }
            // Asymmetric (or over-half) padding: the zeros are an explicit factor, counted in every window.
            guard includePad else {
                throw ConvAlgebraError.unsupported(
                    "asymmetric padding \(w.begin)/\(w.end) with count_include_pad = 0 (a window's divisor would depend on which side it overhangs)")
            }
            let pad = try ZeroPadding<Double>(inputSize: n, begin: w.begin, end: w.end, channels: c, hasChannelAxis: true)
            let padded = Array(pad.codomain.dims.dropFirst())
            let pool = try AveragePooling<Double>(inputShape: [c] + padded, kernelSize: w.kernel, stride: w.stride,
                                                  ceilMode: w.ceil, budget: budget)
            return try pad.then(pool)
        }
        try addLayer(node, input: input, op: node.op, linear: op)
    }

    /// Max pooling is the selection of each window's arg-max, a 0/1 matrix with one entry per output: at any input
    /// its ℓ2 norm is at most `√m`, `m` the most windows any input lies in, and an input that wins all of its
    /// windows attains it. So the Lipschitz constant is `√m`: 1 when the windows do not overlap (kernel ≤ stride),
    /// 2 for ResNet's 3×3 / 2 pool (an input in up to 2 × 2 windows).
    mutating func maxPool(_ node: ONNXNode) throws {
        let input = try data(node)
        let sample = Array(input.state.shape.dropFirst())
        guard sample.count >= 2 else { throw ConvAlgebraError.shapeMismatch("node '\(node.name)' (\(node.op)): the input \(sample) has no spatial axes") }
        let n = Array(sample.dropFirst())
        let w = try poolWindows(node, spatial: n)
        var out = [Int](), multiplicity = 1
        for d in 0..<n.count {
            let eff = (w.kernel[d] - 1) * w.dilation[d] + 1
            let span = n[d] + w.begin[d] + w.end[d] - eff
            guard span >= 0 else {
                throw ConvAlgebraError.invalidArgument("node '\(node.name)' (MaxPool): the window (\(eff)) is larger than the padded input along axis \(d)")
            }
            var L = (w.ceil ? (span + w.stride[d] - 1) / w.stride[d] : span / w.stride[d]) + 1
            if w.ceil && (L - 1) * w.stride[d] >= n[d] + w.begin[d] { L -= 1 }
            try budget.check("the window counts of node '\(node.name)'", count: n[d], elementBytes: MemoryLayout<Int>.stride)
            var count = [Int](repeating: 0, count: n[d])
            for i in 0..<L {
                for t in 0..<w.kernel[d] {
                    let c = i * w.stride[d] - w.begin[d] + t * w.dilation[d]
                    if c >= 0 && c < n[d] { count[c] += 1 }
                }
            }
            multiplicity *= Swift.max(1, count.max() ?? 1)
            out.append(L)
        }
        let lip = Double(multiplicity).squareRoot()
        var why = ""
        if values != nil {
            if let x = value(input.name) {
                if w.begin == w.end {
                    if try linearisedMaxPool(node, input: input, windows: w, at: x) { return }
                    why = " (not linearised: PyTorch's window geometry rejects these windows)"
                } else {
                    why = " (not linearised: asymmetric padding \(w.begin)/\(w.end))"
                }
            } else {
                why = " (not linearised: its input's value is unknown after an op the evaluation does not cover)"
            }
        }
        try nonLinear(node, kind: .maxPool, lipschitz: lip,
                      detail: (multiplicity == 1 ? "windows do not overlap: Lipschitz 1"
                        : "an input lies in up to \(multiplicity) windows: Lipschitz √\(multiplicity)") + why,
                      shape: [1, sample[0]] + out)
        if let o = node.outputs.first { values?[o] = nil }
    }

    /// MaxPool at the value `x` of its input: the layer `J(x)`, the 0/1 selection of each window's arg-max
    /// (``MaxPooling/jacobian(at:)``, PyTorch's rule for ties: the first maximum in row-major window order), and its
    /// output value `J(x) x`. False when PyTorch's geometry rejects the windows (the caller notes the Lipschitz bound).
    private mutating func linearisedMaxPool(_ node: ONNXNode, input: (name: String, state: TensorState),
                                            windows w: (kernel: [Int], stride: [Int], dilation: [Int], begin: [Int], end: [Int], ceil: Bool),
                                            at x: [Double]) throws -> Bool {
        let sample = Array(input.state.shape.dropFirst())
        guard let pool = try? MaxPooling<Double>(inputShape: sample, kernelSize: w.kernel, stride: w.stride, padding: w.begin,
                                                 dilation: w.dilation, ceilMode: w.ceil, budget: budget) else { return false }
        let jacobian = try pool.jacobian(at: try Tensor(shape: sample, scalars: x))
        try addLayer(node, input: input, op: node.op + "(Jacobian)", linear: jacobian)
        let y = try applied(jacobian, x)
        if let o = node.outputs.first { values?[o] = y }
        return true
    }
}
