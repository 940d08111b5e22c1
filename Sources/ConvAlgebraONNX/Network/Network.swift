import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraOperators

/// One linear layer of a network: the exact operator of one sample (`float64`), with what the analysis needs
/// beside it (the weight for the reshaped-weight norm, the geometry of a transposed convolution for the overlap).
public struct NetworkLayer: Sendable {
    /// The ONNX node name of the layer's first node (the convolution, for a convolution with a folded batch norm).
    public let name: String
    /// The op, with the folded ones: `Conv`, `Conv+BatchNormalization`, `Add(residual)`, …
    public internal(set) var op: String
    /// Every node folded into the layer, in order.
    public internal(set) var nodes: [String]
    /// One sample's input and output shapes (without the batch).
    public let inputShape: [Int]
    public let outputShape: [Int]
    /// The layer's linear map (its bias, and a batch norm's shift, are constant offsets and do not enter it).
    public internal(set) var linear: any LinearOperator<Double>
    /// The weight as the layer stores it, with `axis` its output-channel axis (0 for Conv and Gemm, 1 for
    /// ConvTranspose): PyTorch's `spectral_norm` reshapes it with `dim = axis`. Nil for layers without weights.
    public internal(set) var weight: LayerWeight?
    /// The forward-convolution geometry of a transposed convolution (for ``OverlapPattern``).
    public let transposedGeometry: ConvolutionGeometry?
    /// The geometry of a convolution applied as one ``Convolution`` (for the circular-padding FFT spectrum).
    public internal(set) var convolution: Convolution<Double>?
    /// Rebuilds ``linear`` (and ``convolution``) from a new weight, when batch norm folds into it.
    let rebuild: (@Sendable ([Double]) throws -> (any LinearOperator<Double>, Convolution<Double>?))?
}

/// A layer's weight, row-major, and its output-channel axis.
public struct LayerWeight: Sendable, Equatable {
    public let values: [Double]
    public let shape: [Int]
    public let outputAxis: Int
    /// The number of groups (a transposed convolution's output channel of weight row `(ci, j)` depends on `ci`'s group).
    public let groups: Int
}

/// A step of the network that is not a linear layer: an activation, a max pool, a layout change, a skipped op.
public struct NetworkNote: Sendable, Equatable {
    public enum Kind: String, Sendable { case activation, maxPool, layout, constant, skipped, passThrough }
    public let name: String, op: String, kind: Kind
    /// The Lipschitz constant the bound uses for it (nil for a skipped op: the bound is then incomplete).
    public let lipschitz: Double?
    /// Why, in a phrase (`max(1, |α|)`, `√4: an input lies in up to 4 windows`, …).
    public let detail: String
}

/// The product bound on a network's Lipschitz constant, as an expression over the tensors: the data input
/// has constant 1; a layer multiplies by its spectral norm, an activation or max pool by its constant; an
/// `Add` of two branches adds theirs (`Lip(f + g) ≤ Lip f + Lip g`), except when both branches are linear maps
/// of one tensor, when the `Add` is a layer of its own (`I + F`, `F + G`) whose exact norm multiplies.
public indirect enum LipschitzBound: Sendable {
    case input
    case layer(Int, LipschitzBound)
    case constant(Double, LipschitzBound)
    case sum([LipschitzBound])
    /// A skipped op: no bound.
    case unknown(String, LipschitzBound)

    /// The bound's value from the layers' spectral norms (NaN when an op was skipped).
    public func value(norms: [Double]) -> Double {
        switch self {
        case .input: return 1
        case let .layer(i, x): return norms[i] * x.value(norms: norms)
        case let .constant(c, x): return c * x.value(norms: norms)
        case let .sum(xs): return xs.reduce(0) { $0 + $1.value(norms: norms) }
        case .unknown: return .nan
        }
    }
}

/// A whole network as the project's operators: every linear layer's exact matrix (``NetworkLayer``), the
/// non-linear steps (``NetworkNote``) and the Lipschitz bound's expression.
///
/// ```
/// let net = try Network(model: ONNXModel(contentsOf: "model.onnx"))
/// for layer in net.layers { print(layer.name, layer.op, layer.inputShape, "→", layer.outputShape) }
/// ```
public struct Network: Sendable {
    /// One input sample's shape (without the batch).
    public let inputShape: [Int]
    public let layers: [NetworkLayer]
    public let notes: [NetworkNote]
    /// The bound of each graph output, in the model's output order.
    public let bounds: [LipschitzBound]

    /// The product bound on the Lipschitz constant (ℓ2 → ℓ2) from the layers' norms: the largest over the outputs;
    /// NaN when a skipped op leaves it unknown.
    public func lipschitzBound(norms: [Double]) -> Double {
        bounds.map { $0.value(norms: norms) }.reduce(-Double.infinity) { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }
    }

    /// Walks `model`'s graph (see ``NetworkWalk``).
    /// - Parameters:
    ///   - inputShape: one sample's shape (without the batch), replacing the declared one.
    ///   - input: one input sample (row-major, `inputShape`'s count): each MaxPool becomes the linear layer of its
    ///     Jacobian at the value the network feeds it from this input (the selection of each window's arg-max,
    ///     PyTorch's tie rule); nil notes MaxPool with its Lipschitz constant `√m` instead.
    ///   - skipUnsupported: record unsupported ops as skipped (shape-preserving, no Lipschitz constant) instead
    ///     of failing.
    /// - Throws: ``ConvAlgebraError/unsupported(_:)`` naming the op and node of the first unsupported node;
    ///   attribute, shape and memory-budget errors naming the node.
    public init(model: ONNXModel, inputShape: [Int]? = nil, at input: [Double]? = nil, skipUnsupported: Bool = false,
                budget: MemoryBudget = .default) throws {
        var walk = try NetworkWalk(model: model, inputShape: inputShape, at: input, skipUnsupported: skipUnsupported, budget: budget)
        try walk.run()
        self.inputShape = walk.inputSample
        layers = walk.layers
        notes = walk.notes
        bounds = try model.outputNames.map { name in
            guard let t = walk.tensors[name] else {
                throw ConvAlgebraError.invalidArgument("graph output '\(name)' is produced by no node")
            }
            return t.bound
        }
    }
}
