import ConvAlgebra

/// One CLI op (`convolve`, `downsample`, …): its name, the options it reads, how it finds one sample in
/// a batched input, and how it builds its operator from the parsed options.
///
/// To add an op: write a type conforming to its family (``SignalOp`` or ``LayerOp``, which find the sample
/// and check the domain) in a per-family file under `Ops/` and list it in ``OperatorFactory/all``.
/// Everything else (option strictness, dtype dispatch, `--transpose --domain`, the three forms, `show`)
/// comes from the framework.
protocol OpDefinition: Sendable {
    /// The name on the command line.
    static var name: String { get }
    /// The spellings of the ``OperatorOptions`` this op reads; any other given option is an error.
    static var acceptedOptions: Set<String> { get }
    /// The shape of one sample of a batched input `X` (for `convolve` the last axis; for the layers
    /// `(C, *S)`, everything after the batch axis).
    /// - Throws: ``ConvAlgebraError`` when `X` cannot hold a sample of this op.
    static func sampleShape(ofInput shape: Shape, _ options: OperatorOptions) throws -> Shape
    /// Builds the operator on `request.domain` (one sample).
    static func build<S: BLASScalar>(_ request: OperatorRequest<S>) throws -> BuiltOperator<S>
}

/// Everything an op builder may use: the options, the loaded arrays (already checked to have the
/// input's dtype), one sample's shape, and what the operator is for.
struct OperatorRequest<S: BLASScalar> {
    enum Purpose: Sendable { case apply, show, bench, analyze, export, explain }

    var name: String
    var options: OperatorOptions
    /// One sample's shape in the forward operator's domain.
    var domain: Shape
    /// `--weight`, if given.
    var weight: Tensor<S>?
    /// `--bias`, if given.
    var bias: Tensor<S>?
    /// The batched input `X` when there is one (a max-pool's Jacobian depends on it).
    var input: Tensor<S>?
    var purpose: Purpose
}

/// What an op builds: a linear map of one sample, optionally followed by a constant per-sample offset (a
/// bias), or a non-linear map with a linear stand-in (a max-pool and its Jacobian).
struct BuiltOperator<S: BLASScalar> {
    /// The linear map of one sample: what `show` prints, `--transpose` transposes, and the dense and sparse
    /// forms materialise.
    var linear: any LinearOperator<S>
    /// Added to every output sample after the linear part (a bias broadcast over positions),
    /// `linear.codomain.count` scalars; `nil` for none.
    var offset: [S]? = nil
    /// Replaces the forward application in every form (a max-pool; a layer with its own fast forward);
    /// `nil` applies ``linear`` in the chosen form, then ``offset``. When it is not exactly ``linear``
    /// (a max-pool, or a forward that adds a bias itself), set ``isLinear`` to false.
    var forward: ((Tensor<S>, Form) throws -> Tensor<S>)? = nil
    /// Whether the op is linear, so that `--transpose` may apply ``linear``'s transpose (false for a
    /// max-pool, whose ``linear`` is only its Jacobian at one input).
    var isLinear = true
    /// The weight's shape when the op has a multi-axis weight (the layers): `show` names the taps by it.
    var weightShape: [Int]? = nil

    var domain: Shape { linear.domain }
    var codomain: Shape { linear.codomain }

    /// The operator applied to every sample of `x`.
    /// - Throws: shape and memory-budget errors of the library.
    func apply(_ x: Tensor<S>, form: Form) throws -> Tensor<S> {
        if let forward { return try forward(x, form) }
        var y = try linear.apply(x, form: form)
        if let offset, !offset.isEmpty {
            y.scalars.withUnsafeMutableBufferPointer { p in
                var i = 0
                while i < p.count { for j in 0..<offset.count { p[i + j] += offset[j] }; i += offset.count }
            }
        }
        return y
    }

    /// The transpose applied to every sample of `x`, whose samples have the forward codomain's shape.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for an affine op (a bias has no transpose) or a
    ///   non-linear one.
    func applyTransposed(_ x: Tensor<S>, form: Form, op: String) throws -> Tensor<S> {
        guard offset == nil else {
            throw ConvAlgebraError.invalidArgument("\(op) with --bias is affine, not linear, so it has no transpose; drop --bias")
        }
        guard isLinear else {
            throw ConvAlgebraError.invalidArgument("\(op) is not linear, so it has no transpose")
        }
        return try linear.anyTransposed.apply(x, form: form)
    }
}
