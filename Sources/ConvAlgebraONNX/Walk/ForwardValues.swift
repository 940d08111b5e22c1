import Foundation
import ConvAlgebraCore
import ConvAlgebraOperators

/// The network's values at a given input (`Network(model:at:)`), carried through the walk so that each MaxPool
/// can be linearised where it is evaluated: its Jacobian there is the selection of each window's arg-max.
///
/// Each node's output is computed from its inputs in `float64` by ONNX's definition: a linear layer by its
/// operator plus its constant offset (Conv/ConvTranspose bias per channel, Gemm's `β·C`), batch norm by
/// `γ (x − μ)/√(σ² + ε) + β` per channel, Add/Sub/Mul/Div with NumPy broadcasting, the activations by their
/// formulas, layout ops unchanged. A node the evaluation does not cover (a skipped op, Pad with a non-zero
/// constant) leaves its output unknown, and the MaxPools after it fall back to their Lipschitz constant.
extension NetworkWalk {
    /// Computes the output value of `node` (just mapped; `layer` is the layer it added, if any).
    mutating func evaluate(_ node: ONNXNode, layer: Int?) throws {
        guard let out = node.outputs.first, !out.isEmpty, values != nil else { return }
        let y = try outputValue(node, layer: layer)
        values![out] = y
    }

    private func outputValue(_ node: ONNXNode, layer: Int?) throws -> [Double]? {
        guard let first = node.inputs.first, let x = value(first) else { return nil }
        switch node.op {
        case "Conv", "ConvTranspose", "Gemm", "MatMul", "AveragePool", "GlobalAveragePool", "Resize", "Upsample", "Pad":
            guard let k = layer else { return nil }
            var y = try applied(layers[k].linear, x)
            if node.op == "Pad", let c = try constant(node, 2), c.values.contains(where: { $0 != 0 }) { return nil }
            if node.op.hasPrefix("Conv"), let bias = try constant(node, 2) {
                let plane = y.count / Swift.max(1, bias.values.count)
                for i in y.indices { y[i] += bias.values[i / plane] }
            }
            if node.op == "Gemm", let c = try constant(node, 2), let out = node.outputs.first, let shape = tensors[out]?.shape {
                let beta = try node.float("beta", default: 1)
                guard let b = broadcast(c.values, c.dims, to: shape) else { return nil }
                for i in y.indices { y[i] += beta * b[i] }
            }
            return y
        case "BatchNormalization":
            guard let g = try constant(node, 1), let b = try constant(node, 2), let mu = try constant(node, 3),
                  let v = try constant(node, 4) else { return nil }
            let eps = try node.float("epsilon", default: 1e-5)
            let plane = x.count / Swift.max(1, g.values.count)
            return x.indices.map { i in
                let c = i / plane
                return g.values[c] * (x[i] - mu.values[c]) / (v.values[c] + eps).squareRoot() + b.values[c]
            }
        case "Add", "Sub", "Mul", "Div":
            guard let out = node.outputs.first, let shape = tensors[out]?.shape, node.inputs.count == 2,
                  let a = operand(node.inputs[0], to: shape), let b = operand(node.inputs[1], to: shape) else { return nil }
            switch node.op {
            case "Add": return zip(a, b).map { $0 + $1 }
            case "Sub": return zip(a, b).map { $0 - $1 }
            case "Mul": return zip(a, b).map { $0 * $1 }
            default: return zip(a, b).map { $0 / $1 }
            }
        case "Relu": return x.map { Swift.max(0, $0) }
        case "LeakyRelu":
            let a = try node.float("alpha", default: 0.01)
            return x.map { $0 >= 0 ? $0 : a * $0 }
        case "Sigmoid": return x.map { 1 / (1 + exp(-$0)) }
        case "Tanh": return x.map { tanh($0) }
        case "Elu":
            let a = try node.float("alpha", default: 1)
            return x.map { $0 >= 0 ? $0 : a * (exp($0) - 1) }
        case "Softplus": return x.map { $0 > 30 ? $0 : log1p(exp($0)) }
        case "HardSigmoid":
            let (a, b) = (try node.float("alpha", default: 0.2), try node.float("beta", default: 0.5))
            return x.map { Swift.min(1, Swift.max(0, a * $0 + b)) }
        case "Clip":
            let lo = try constant(node, 1)?.values.first ?? (try node.float("min", default: -.infinity))
            let hi = try constant(node, 2)?.values.first ?? (try node.float("max", default: .infinity))
            return x.map { Swift.min(hi, Swift.max(lo, $0)) }
        case "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Identity", "Dropout":
            return x
        default:
            return nil
        }
    }

    /// The value of a data tensor (nil when it is unknown or not data).
    func value(_ name: String) -> [Double]? { values?[name] }

    /// A binary op's operand as a tensor of `shape`: a data value of that size, or a constant broadcast to it.
    private func operand(_ name: String, to shape: [Int]) -> [Double]? {
        if let v = value(name) { return v.count == shape.reduce(1, *) ? v : nil }
        guard let c = constants[name] else { return nil }
        return broadcast(c.values, c.dims, to: shape)
    }

    /// NumPy broadcasting of `values` (shape `dims`) to `shape`, or nil when the shapes do not broadcast.
    func broadcast(_ values: [Double], _ dims: [Int], to shape: [Int]) -> [Double]? {
        guard dims.count <= shape.count else { return nil }
        let d = Array(repeating: 1, count: shape.count - dims.count) + dims
        guard zip(d, shape).allSatisfy({ $0 == $1 || $0 == 1 }), values.count == d.reduce(1, *) else { return nil }
        if d == shape { return values }
        var strides = [Int](repeating: 0, count: d.count), s = 1
        for k in stride(from: d.count - 1, through: 0, by: -1) { strides[k] = d[k] == 1 ? 0 : s; s *= d[k] }
        let total = shape.reduce(1, *)
        var out = [Double](repeating: 0, count: total)
        for i in 0..<total {
            var rest = i, src = 0
            for k in stride(from: shape.count - 1, through: 0, by: -1) { src += (rest % shape[k]) * strides[k]; rest /= shape[k] }
            out[i] = values[src]
        }
        return out
    }

    /// `A x` for one sample.
    func applied(_ a: any LinearOperator<Double>, _ x: [Double]) throws -> [Double] {
        guard x.count == a.domain.count else {
            throw ConvAlgebraError.shapeMismatch("a value of \(x.count) elements for an operator on \(a.domain.dims)")
        }
        try budget.check("a layer's value at the input", count: a.codomain.count, elementBytes: MemoryLayout<Double>.stride)
        var y = [Double](repeating: 0, count: a.codomain.count)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
            a.applyUnchecked(xp.baseAddress!, yp.baseAddress!, batch: 1) } }
        return y
    }
}
