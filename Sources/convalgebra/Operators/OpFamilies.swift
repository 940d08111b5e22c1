import ConvAlgebra

// The two shapes of op the contract has, each with the part every op of it shares written once: where one
// sample sits in a batched X, and the checks of its domain. An op of a family writes only what is its own.

/// An op on 1-D signals (`convolve`, `downsample`, `upsample-zeros`): a sample is the last axis of X,
/// `(…, n) → (n)`, and every leading axis is batch.
protocol SignalOp: OpDefinition {
    /// The linear map on one sample of length `n`.
    static func linear<S: BLASScalar>(_ r: OperatorRequest<S>, length n: Int) throws -> any LinearOperator<S>
}

extension SignalOp {
    static func sampleShape(ofInput shape: Shape, _ options: OperatorOptions) throws -> Shape {
        guard let n = shape.dims.last else {
            throw ConvAlgebraError.shapeMismatch("\(name) needs X of shape (..., n), got a 0-d array")
        }
        return try Shape([n])
    }

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>) throws -> BuiltOperator<S> {
        guard r.domain.rank == 1 else {
            throw ConvAlgebraError.shapeMismatch(
                "\(name) works on 1-D samples: its domain must be one length, got \(r.domain)")
        }
        return BuiltOperator(linear: try linear(r, length: r.domain.dims[0]))
    }
}

/// A PyTorch layer (`conv`, `conv-transpose`, the pools, `upsample`): X is `(N, C, *S)` with 1 to 3 spatial
/// dimensions, and one sample is `(C, *S)`.
protocol LayerOp: OpDefinition {
    /// The op on one sample of `channels` channels of extents `spatial`.
    static func build<S: BLASScalar>(_ r: OperatorRequest<S>, channels: Int, spatial: [Int]) throws -> BuiltOperator<S>
    /// The names of the channel axes of the domain and the codomain, as `show` prints them (`C` by default).
    static var channelNames: (domain: String, codomain: String) { get }
    /// The index names of the weight's first two axes (`o`, `i` for conv), or `nil` for an op without a weight.
    static var weightIndexNames: [String]? { get }
}

extension LayerOp {
    static var channelNames: (domain: String, codomain: String) { ("C", "C") }
    static var weightIndexNames: [String]? { nil }

    static func sampleShape(ofInput shape: Shape, _ options: OperatorOptions) throws -> Shape {
        guard (3...5).contains(shape.rank) else {
            throw ConvAlgebraError.shapeMismatch(
                "\(name) needs X of shape (N, C, L), (N, C, H, W) or (N, C, D, H, W), got shape \(shape)")
        }
        return try Shape(Array(shape.dims.dropFirst()))
    }

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>) throws -> BuiltOperator<S> {
        guard (2...4).contains(r.domain.rank) else {
            throw ConvAlgebraError.shapeMismatch(
                "\(name) works on samples (C, *S) with 1 to 3 spatial dimensions, got \(r.domain)")
        }
        return try build(r, channels: r.domain.dims[0], spatial: Array(r.domain.dims.dropFirst()))
    }
}

/// The kernel of an op that takes one: `--weight`, or in `show` and `explain`, a symbolic one from `--kernel-size`
/// (whose values are unused: `symbolic()` prints the tap names `q0, q1, …`).
///
/// - Parameters:
///   - layout: the weight's shape as the contract writes it, for the messages: `(K,)`.
///   - symbolic: the all-ones kernel of the `--kernel-size` text.
/// - Throws: when both or neither are given, and for `--kernel-size` outside `show`.
func kernelWeight<S: BLASScalar>(_ r: OperatorRequest<S>, layout: String,
                                 symbolic: (String) throws -> Tensor<S>) throws -> Tensor<S> {
    switch (r.weight, r.options.kernelSize) {
    case (.some, .some):
        throw ConvAlgebraError.invalidArgument("give \(r.name) either --weight or --kernel-size, not both")
    case (.some(let w), nil):
        return w
    case (nil, .some(let text)) where r.purpose.takesSymbolicKernel:
        return try symbolic(text)
    case (nil, .some):
        throw ConvAlgebraError.invalidArgument(
            "--kernel-size gives \(r.name) a symbolic kernel, for show and explain only; give the kernel with --weight W.npy \(layout)")
    case (nil, nil):
        throw ConvAlgebraError.invalidArgument(
            "\(r.name) needs a kernel: --weight W.npy of shape \(layout)\(r.purpose.takesSymbolicKernel ? ", or --kernel-size K for a symbolic one" : "")")
    }
}

extension OperatorRequest.Purpose {
    /// Whether `--kernel-size` may stand in for `--weight` (the commands that describe an operator, not run it).
    var takesSymbolicKernel: Bool { self == .show || self == .explain }
}
