import ConvAlgebraCore
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// Gemm and MatMul with a constant weight (``DenseOperator``), and BatchNormalization (folded into the layer
/// before it, or a ``ChannelScaling``).
extension NetworkWalk {
    mutating func dense(_ node: ONNXNode) throws {
        let input = try data(node)
        let shape = input.state.shape
        guard shape.count == 2 else {
            throw ConvAlgebraError.unsupported("node '\(node.name)' (\(node.op)): an input of shape \(shape) (a batch of vectors is supported; flatten first)")
        }
        let n = shape[1]
        guard let b = try constant(node, 1), b.dims.count == 2 else {
            throw ConvAlgebraError.unsupported("node '\(node.name)' (\(node.op)): the second operand must be a constant matrix")
        }
        var w: [Double], m: Int
        if node.op == "Gemm" {
            guard try node.int("transA", default: 0) == 0 else {
                throw ConvAlgebraError.unsupported("node '\(node.name)' (Gemm): transA = 1 (the data must be the rows of A)")
            }
            let alpha = try node.float("alpha", default: 1)
            let transB = try node.int("transB", default: 0) != 0
            (w, m) = try weightRows(node, b, transposed: transB, n: n)
            if alpha != 1 { w = w.map { $0 * alpha } }
        } else {
            (w, m) = try weightRows(node, b, transposed: false, n: n)
        }
        let rows = m
        let make: @Sendable ([Double]) throws -> (any LinearOperator<Double>, Convolution<Double>?) = { values in
            (try DenseOperator(DenseMatrix(rows: rows, columns: n, entries: values)), nil)
        }
        let (op, _) = try make(w)
        try addLayer(node, input: input, op: node.op, linear: op,
                     weight: LayerWeight(values: w, shape: [m, n], outputAxis: 0, groups: 1), rebuild: make)
    }

    /// `W` (`m × n`, rows are outputs) from `B`: `Bᵀ` for `x·B` (B is `n × m`), `B` itself for `x·Bᵀ`.
    func weightRows(_ node: ONNXNode, _ b: ONNXTensor, transposed: Bool, n: Int) throws -> ([Double], Int) {
        let (r, c) = (b.dims[0], b.dims[1])
        if transposed {
            guard c == n else { throw ConvAlgebraError.shapeMismatch("node '\(node.name)' (\(node.op)): a \(r) × \(c) weight (transposed) on vectors of \(n)") }
            return (b.values, r)
        }
        guard r == n else { throw ConvAlgebraError.shapeMismatch("node '\(node.name)' (\(node.op)): a \(r) × \(c) weight on vectors of \(n)") }
        var w = [Double](repeating: 0, count: r * c)
        for i in 0..<r { for j in 0..<c { w[j * r + i] = b.values[i * c + j] } }
        return (w, c)
    }

    /// Inference-mode batch norm, `y = γ (x − μ)/√(σ² + ε) + β`: linear part `q[c] = γ[c]/√(σ²[c] + ε)` per channel.
    /// When its input is the output of a Conv, ConvTranspose or Gemm layer read by nothing else, the factors
    /// scale that layer's weight along its output channels and the two are one layer (`Conv+BatchNormalization`).
    mutating func batchNorm(_ node: ONNXNode) throws {
        let input = try data(node)
        guard try node.int("training_mode", default: 0) == 0 else {
            throw ConvAlgebraError.unsupported("node '\(node.name)' (BatchNormalization): training mode (batch statistics are not a fixed map)")
        }
        guard let gamma = try constant(node, 1), let _ = try constant(node, 2), let _ = try constant(node, 3),
              let variance = try constant(node, 4) else {
            throw ConvAlgebraError.invalidArgument("node '\(node.name)' (BatchNormalization) needs scale, bias, mean and variance")
        }
        let shape = input.state.shape
        let c = shape.count >= 2 ? shape[1] : 0
        guard gamma.values.count == c, variance.values.count == c else {
            throw ConvAlgebraError.shapeMismatch("node '\(node.name)' (BatchNormalization): \(gamma.values.count) factors for \(c) channels")
        }
        let eps = try node.float("epsilon", default: 1e-5)
        let q = (0..<c).map { gamma.values[$0] / (variance.values[$0] + eps).squareRoot() }
        guard q.allSatisfy(\.isFinite) else {
            throw ConvAlgebraError.invalidArgument("node '\(node.name)' (BatchNormalization): a non-finite factor (variance + ε ≤ 0?)")
        }
        if let i = input.state.producer, consumers[input.name] == 1, let weight = layers[i].weight, let rebuild = layers[i].rebuild {
            let folded = try fold(q, into: weight, node)
            let (op, conv) = try described(node) { try rebuild(folded) }
            layers[i].linear = op
            layers[i].convolution = conv
            layers[i].weight = LayerWeight(values: folded, shape: weight.shape, outputAxis: weight.outputAxis, groups: weight.groups)
            layers[i].op += "+BatchNormalization"
            layers[i].nodes.append(node.name)
            try setOutput(node, input.state)
            return
        }
        let op = try ChannelScaling<Double>(shape: Shape(Array(shape.dropFirst())), factors: q)
        try addLayer(node, input: input, op: "BatchNormalization", linear: op)
    }

    /// `weight` with every output channel `o` scaled by `q[o]`.
    func fold(_ q: [Double], into weight: LayerWeight, _ node: ONNXNode) throws -> [Double] {
        let dims = weight.shape
        let inner = dims.dropFirst(2).reduce(1, *)
        var w = weight.values
        if weight.outputAxis == 0 {
            guard dims[0] == q.count else { throw ConvAlgebraError.shapeMismatch("node '\(node.name)': \(q.count) batch-norm factors for \(dims[0]) outputs") }
            let row = w.count / dims[0]
            for o in 0..<dims[0] { for k in 0..<row { w[o * row + k] *= q[o] } }
        } else {
            // ConvTranspose (C_in, C_out/G, K…): output channel of (ci, j) is g·C_out/G + j, g = ci / (C_in/G).
            let (cin, per) = (dims[0], dims[1])
            guard per * weight.groups == q.count else { throw ConvAlgebraError.shapeMismatch("node '\(node.name)': \(q.count) batch-norm factors for \(per * weight.groups) outputs") }
            let perGroupIn = cin / weight.groups
            for ci in 0..<cin { for j in 0..<per { for k in 0..<inner { w[(ci * per + j) * inner + k] *= q[(ci / perGroupIn) * per + j] } } }
        }
        return w
    }
}
