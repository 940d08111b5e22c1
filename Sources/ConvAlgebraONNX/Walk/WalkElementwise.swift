import ConvAlgebraCore
import ConvAlgebraOperators

/// Add (bias or residual), Mul/Div by a scalar, the activations, and layout-only reshapes.
extension NetworkWalk {
    /// Add or Sub. With a constant operand it is a bias: the data passes through. Two data operands that are
    /// linear maps `A`, `B` of one tensor give the layer `A ± B` (`I + F` for a residual block), exact; otherwise the
    /// bound adds the two branches' bounds.
    mutating func add(_ node: ONNXNode) throws {
        let dataIn = node.inputs.filter { tensors[$0] != nil }
        if dataIn.count == 1 {
            guard let c = node.inputs.first(where: { constants[$0] != nil }).flatMap({ constants[$0] }),
                  let s = tensors[dataIn[0]] else { return try unsupported(node) }
            guard c.values.count <= s.shape.reduce(1, *) else {
                throw ConvAlgebraError.unsupported("node '\(node.name)' (\(node.op)): a constant \(c.dims) that broadcasts the data \(s.shape)")
            }
            if node.op == "Sub" && node.inputs[0] != dataIn[0] {
                return try scaled(node, by: -1, input: (dataIn[0], s), note: "c − x")
            }
            var out = s
            out.producer = nil   // a bias between a layer and a batch norm: the norm still folds, but only directly
            return try setOutput(node, out)
        }
        guard dataIn.count == 2, let a = tensors[node.inputs[0]], let b = tensors[node.inputs[1]] else { return try unsupported(node) }
        guard a.shape == b.shape else {
            throw ConvAlgebraError.unsupported("node '\(node.name)' (\(node.op)): broadcasting \(a.shape) and \(b.shape)")
        }
        if a.origin == b.origin, let origin = tensors[a.origin] {
            let sample = try Shape(Array(origin.shape.dropFirst()))
            func branch(_ chain: [Int]) throws -> any LinearOperator<Double> {
                chain.isEmpty ? Identity<Double>(shape: sample) : try Composed(chain.map { layers[$0].linear })
            }
            var second = try branch(b.chain)
            if node.op == "Sub" { second = negated(second) }
            let op = try described(node) { try Sum([try branch(a.chain), second]) }
            let kind = a.chain.isEmpty || b.chain.isEmpty ? "\(node.op)(residual)" : "\(node.op)(branches)"
            return try addLayer(node, input: (a.origin, origin), op: kind, linear: op)
        }
        let out = node.outputs.first ?? ""
        try setOutput(node, TensorState(shape: a.shape, bound: .sum([a.bound, b.bound]), origin: out, chain: [], producer: nil))
        notes.append(NetworkNote(name: node.name, op: node.op, kind: .passThrough, lipschitz: nil,
                                 detail: "branches from different tensors: the bound adds the branches' bounds"))
    }

    /// `−A` (an existential opened for ``Scaled``).
    private func negated<Op: LinearOperator>(_ op: Op) -> any LinearOperator<Op.Scalar> { Scaled(-1, op) }

    /// Mul or Div of the data by a scalar constant.
    mutating func scale(_ node: ONNXNode) throws {
        let dataIn = node.inputs.filter { tensors[$0] != nil }
        guard dataIn.count == 1, let s = tensors[dataIn[0]],
              let c = node.inputs.first(where: { constants[$0] != nil }).flatMap({ constants[$0] }), c.values.count == 1 else {
            return try unsupported(node)
        }
        if node.op == "Div" && node.inputs[0] != dataIn[0] { return try unsupported(node) }   // c / x is not linear
        let v = node.op == "Div" ? 1 / c.values[0] : c.values[0]
        try scaled(node, by: v, input: (dataIn[0], s), note: node.op == "Div" ? "x / \(c.values[0])" : "\(c.values[0]) · x")
    }

    private mutating func scaled(_ node: ONNXNode, by v: Double, input: (name: String, state: TensorState), note: String) throws {
        try nonLinear(node, kind: .activation, lipschitz: abs(v), detail: "\(note): Lipschitz |\(v)|")
    }

    /// The activations, with their Lipschitz constants (the largest slope): ReLU 1, LeakyReLU `max(1, |α|)`,
    /// sigmoid 1/4, tanh 1, clip 1, ELU `max(1, α)`, softplus 1, hard sigmoid `α`.
    mutating func activation(_ node: ONNXNode) throws {
        let (lip, why): (Double, String)
        switch node.op {
        case "Relu": (lip, why) = (1, "ReLU: slope 0 or 1")
        case "LeakyRelu":
            let a = try node.float("alpha", default: 0.01)
            (lip, why) = (Swift.max(1, abs(a)), "LeakyReLU(α = \(a)): max(1, |α|)")
        case "Sigmoid": (lip, why) = (0.25, "sigmoid: σ'(0) = 1/4")
        case "Tanh": (lip, why) = (1, "tanh: tanh'(0) = 1")
        case "Clip": (lip, why) = (1, "clip: slope 0 or 1")
        case "Elu":
            let a = try node.float("alpha", default: 1)
            (lip, why) = (Swift.max(1, abs(a)), "ELU(α = \(a)): max(1, |α|)")
        case "Softplus": (lip, why) = (1, "softplus: slope below 1")
        default:
            let a = try node.float("alpha", default: 0.2)
            (lip, why) = (abs(a), "hard sigmoid: |α|")
        }
        try nonLinear(node, kind: .activation, lipschitz: lip, detail: why)
    }

    /// Flatten, Reshape, Squeeze, Unsqueeze of the data: layout only (the same elements in the same C order)
    /// when the batch stays the leading extent; the chain restarts at the reshaped tensor.
    mutating func layout(_ node: ONNXNode) throws {
        let input = try data(node)
        let shape = input.state.shape
        var out: [Int]
        switch node.op {
        case "Flatten":
            var axis = try node.int("axis", default: 1)
            if axis < 0 { axis += shape.count }
            guard axis >= 0, axis <= shape.count else { throw ConvAlgebraError.invalidArgument("\(node.describe("axis")) is out of range") }
            out = [shape[..<axis].reduce(1, *), shape[axis...].reduce(1, *)]
        case "Reshape":
            guard let t = try constant(node, 1) else { throw ConvAlgebraError.invalidArgument("node '\(node.name)' (Reshape) has no shape") }
            out = try reshaped(shape, try t.integers("the shape of node '\(node.name)'"), node)
        default:
            var axes = try node.ints("axes")
            if axes == nil { axes = try constant(node, 1)?.integers("the axes of node '\(node.name)'") }
            out = try squeezed(shape, axes: axes, unsqueeze: node.op == "Unsqueeze", node)
        }
        guard out.first == 1, out.reduce(1, *) == shape.reduce(1, *) else {
            throw ConvAlgebraError.unsupported("node '\(node.name)' (\(node.op)): \(shape) → \(out) moves the batch axis (only layout-only reshapes are supported)")
        }
        let name = node.outputs.first ?? ""
        notes.append(NetworkNote(name: node.name, op: node.op, kind: .layout, lipschitz: 1, detail: "layout only: \(Array(shape.dropFirst())) → \(Array(out.dropFirst()))"))
        try setOutput(node, TensorState(shape: out, bound: input.state.bound, origin: name, chain: [], producer: nil))
    }
}
