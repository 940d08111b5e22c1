import ConvAlgebraCore
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// The graph walk: the nodes in order, each mapped onto the project's operators (``Network``'s layers), the
/// activations and max pools noted with their Lipschitz constants, shape computations folded to constants.
///
/// Per tensor it keeps one sample's shape (the batch is 1 throughout), the Lipschitz bound's expression, and the
/// chain of linear layers since the last non-linear step (its *origin*): an `Add` whose two inputs are linear
/// maps of one origin is the exact operator `A + B` (`I + F` for a residual block), a layer of its own.
/// Batch norm folds into the layer before it when that layer's output feeds nothing else.
struct NetworkWalk {
    struct TensorState {
        /// The full shape, batch first (always 1).
        var shape: [Int]
        var bound: LipschitzBound
        /// The tensor the chain starts from, and the layers applied since, in order.
        var origin: String
        var chain: [Int]
        /// The layer whose output this is (for batch-norm folding).
        var producer: Int?
    }

    let model: ONNXModel
    let skipUnsupported: Bool
    let budget: MemoryBudget
    let inputSample: [Int]
    var tensors: [String: TensorState] = [:]
    var constants: [String: ONNXTensor]
    var layers: [NetworkLayer] = []
    var notes: [NetworkNote] = []
    /// How many nodes (and graph outputs) read each tensor.
    let consumers: [String: Int]
    /// The data tensors' values at the given input (``ForwardValues``), nil when no input is given: MaxPool is then
    /// noted with its Lipschitz constant instead of linearised.
    var values: [String: [Double]]?

    init(model: ONNXModel, inputShape: [Int]?, at input: [Double]? = nil, skipUnsupported: Bool, budget: MemoryBudget) throws {
        self.model = model
        self.skipUnsupported = skipUnsupported
        self.budget = budget
        let full = try model.inputShape(given: inputShape)
        _ = try Shape(full)   // overflow-checked count
        inputSample = Array(full.dropFirst())
        constants = model.initializers
        let name = model.inputNames[0]
        tensors[name] = TensorState(shape: full, bound: .input, origin: name, chain: [], producer: nil)
        if let x = input {
            guard x.count == inputSample.reduce(1, *) else {
                throw ConvAlgebraError.shapeMismatch("the input has \(x.count) values, the model's input \(inputSample) needs \(inputSample.reduce(1, *))")
            }
            values = [name: x]
        }
        var c: [String: Int] = [:]
        for n in model.nodes { for i in n.inputs where !i.isEmpty { c[i, default: 0] += 1 } }
        for o in model.outputNames { c[o, default: 0] += 1 }
        consumers = c
    }

    mutating func run() throws {
        for node in model.nodes {
            for i in node.inputs where !i.isEmpty && tensors[i] == nil && constants[i] == nil {
                throw ConvAlgebraError.invalidArgument(
                    "node '\(node.name)' (\(node.op)) reads '\(i)', which no earlier node produces (the graph is out of order or truncated)")
            }
            guard node.domain.isEmpty || node.domain == "ai.onnx" else { try unsupported(node); continue }
            let dataInputs = node.inputs.filter { !$0.isEmpty && tensors[$0] != nil }
            if dataInputs.isEmpty || node.op == "Shape" {
                if try fold(node) { continue }
            }
            try map(node)
        }
    }

    /// Maps one node that reads the data onto operators, notes or the chain.
    mutating func map(_ node: ONNXNode) throws {
        let before = layers.count
        switch node.op {
        case "Conv": try convolution(node)
        case "ConvTranspose": try transposedConvolution(node)
        case "AveragePool", "GlobalAveragePool": try averagePool(node)
        case "MaxPool", "GlobalMaxPool": try maxPool(node)
        case "Pad": try pad(node)
        case "Resize", "Upsample": try resize(node)
        case "Gemm", "MatMul": try dense(node)
        case "BatchNormalization": try batchNorm(node)
        case "Add", "Sub": try add(node)
        case "Mul", "Div": try scale(node)
        case "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "Elu", "Softplus", "HardSigmoid": try activation(node)
        case "Flatten", "Reshape", "Squeeze", "Unsqueeze": try layout(node)
        case "Identity", "Dropout": try passThrough(node)
        default: try unsupported(node)
        }
        if values != nil && !node.op.hasSuffix("MaxPool") { try evaluate(node, layer: layers.count > before ? layers.count - 1 : nil) }
    }

    // MARK: - Helpers

    /// The state of the node's `index`-th input, which must be data (not a constant).
    func data(_ node: ONNXNode, _ index: Int = 0) throws -> (name: String, state: TensorState) {
        guard index < node.inputs.count, let s = tensors[node.inputs[index]] else {
            throw ConvAlgebraError.unsupported(
                "node '\(node.name)' (\(node.op)): input \(index) must be the data flowing through the network")
        }
        return (node.inputs[index], s)
    }

    /// The node's `index`-th input as a constant (nil when omitted).
    func constant(_ node: ONNXNode, _ index: Int) throws -> ONNXTensor? {
        guard index < node.inputs.count, !node.inputs[index].isEmpty else { return nil }
        guard let c = constants[node.inputs[index]] else {
            throw ConvAlgebraError.unsupported(
                "node '\(node.name)' (\(node.op)): input \(index) ('\(node.inputs[index])') must be a constant (an initializer or a folded shape computation)")
        }
        return c
    }

    /// Records a new layer fed by `input`, and its output tensor.
    mutating func addLayer(_ node: ONNXNode, input: (name: String, state: TensorState), op: String,
                           linear: any LinearOperator<Double>, weight: LayerWeight? = nil,
                           transposedGeometry: ConvolutionGeometry? = nil, convolution: Convolution<Double>? = nil,
                           rebuild: (@Sendable ([Double]) throws -> (any LinearOperator<Double>, Convolution<Double>?))? = nil) throws {
        let inSample = Array(input.state.shape.dropFirst())
        guard linear.domain.dims == inSample else {
            throw ConvAlgebraError.shapeMismatch(
                "node '\(node.name)' (\(node.op)): its operator reads \(linear.domain.dims), the input has \(inSample)")
        }
        let index = layers.count
        layers.append(NetworkLayer(
            name: node.name, op: op, nodes: [node.name], inputShape: inSample, outputShape: linear.codomain.dims,
            linear: linear, weight: weight, transposedGeometry: transposedGeometry, convolution: convolution, rebuild: rebuild))
        try setOutput(node, TensorState(shape: [1] + linear.codomain.dims, bound: .layer(index, input.state.bound),
                                        origin: input.state.origin, chain: input.state.chain + [index], producer: index))
    }

    /// Sets the node's first output.
    mutating func setOutput(_ node: ONNXNode, _ state: TensorState) throws {
        guard let out = node.outputs.first, !out.isEmpty else {
            throw ConvAlgebraError.invalidArgument("node '\(node.name)' (\(node.op)) has no output")
        }
        tensors[out] = state
    }

    /// A non-linear step: the output starts a new chain, its bound is the input's times `lipschitz`.
    mutating func nonLinear(_ node: ONNXNode, kind: NetworkNote.Kind, lipschitz: Double?, detail: String,
                            shape: [Int]? = nil) throws {
        let (_, s) = try data(node)
        let out = node.outputs.first ?? ""
        let bound: LipschitzBound = lipschitz.map { .constant($0, s.bound) } ?? .unknown(node.name, s.bound)
        notes.append(NetworkNote(name: node.name, op: node.op, kind: kind, lipschitz: lipschitz, detail: detail))
        try setOutput(node, TensorState(shape: shape ?? s.shape, bound: bound, origin: out, chain: [], producer: nil))
    }

    mutating func passThrough(_ node: ONNXNode) throws {
        var s = try data(node).state
        s.producer = nil
        try setOutput(node, s)
    }

    mutating func unsupported(_ node: ONNXNode) throws {
        guard skipUnsupported, (try? data(node)) != nil else {
            throw ConvAlgebraError.unsupported(
                "op '\(node.op)' at node '\(node.name)' is not supported" + (skipUnsupported ? " (it reads no data to skip)" : " (--skip treats it as an unknown shape-preserving map)"))
        }
        try nonLinear(node, kind: .skipped, lipschitz: nil, detail: "unsupported op, skipped: assumed to keep the shape; the bound is unknown")
    }

    /// Spatial lists: one value per spatial axis of a rank-`r` input, or `default`.
    func spatial(_ node: ONNXNode, _ key: String, rank r: Int, default value: Int) throws -> [Int] {
        guard let v = try node.ints(key) else { return Array(repeating: value, count: r) }
        guard v.count == r else {
            throw ConvAlgebraError.invalidArgument("\(node.describe(key)) needs \(r) values (one per spatial axis), got \(v)")
        }
        return v
    }
}
