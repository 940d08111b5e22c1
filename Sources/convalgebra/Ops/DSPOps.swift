import ConvAlgebra

// The 1-D DSP ops of the reference text: q * x (with numpy.convolve's modes, stride and dilation),
// ↓k and ↑k. Samples are the last axis of X; every leading axis is batch (``SignalOp``).

/// `convolve`: `y = ↓k((↑d q) * x)` in a numpy mode, `W` of shape `(K,)`.
enum ConvolveOp: SignalOp {
    static let name = "convolve"
    static let acceptedOptions: Set<String> = ["--mode", "--stride", "--dilation", "--weight", "--kernel-size"]

    static func linear<S: BLASScalar>(_ r: OperatorRequest<S>, length n: Int) throws -> any LinearOperator<S> {
        let o = r.options.window
        let w = try kernelWeight(r, layout: "(K,)") { text in
            let K = try CommaList.int(text, option: "--kernel-size", op: name)
            guard K >= 1 else { throw ConvAlgebraError.invalidArgument("--kernel-size must be at least 1, got \(K)") }
            try MemoryBudget.default.check("the symbolic kernel of \(K) taps", count: K, elementBytes: MemoryLayout<S>.stride)
            return Tensor(shape: try Shape([K]), repeating: 1)
        }
        guard w.shape.rank == 1 else {
            throw ConvAlgebraError.shapeMismatch("convolve needs a weight of shape (K,), got shape \(w.shape)")
        }
        return try Convolution(
            kernel: w.scalars, inputLength: n,
            mode: try CommaList.choice(r.options.resampling.mode, default: ConvolutionMode.full, noun: "mode", op: name),
            stride: try o.stride.map { try CommaList.int($0, option: "--stride", op: name) } ?? 1,
            dilation: try o.dilation.map { try CommaList.int($0, option: "--dilation", op: name) } ?? 1)
    }
}

/// `downsample --factor k [--phase p]`: `y[i] = x[i·k + p]`, length `⌈(n − p)/k⌉`.
enum DownsampleOp: SignalOp {
    static let name = "downsample"
    static let acceptedOptions: Set<String> = ["--factor", "--phase"]

    static func linear<S: BLASScalar>(_ r: OperatorRequest<S>, length n: Int) throws -> any LinearOperator<S> {
        try Downsample<S>(factor: try requiredFactor(r), phase: r.options.resampling.phase ?? 0, inputLength: n)
    }
}

/// `upsample-zeros --factor k`: `y[i·k] = x[i]`, zeros elsewhere, length `n·k`.
enum UpsampleZerosOp: SignalOp {
    static let name = "upsample-zeros"
    static let acceptedOptions: Set<String> = ["--factor"]

    static func linear<S: BLASScalar>(_ r: OperatorRequest<S>, length n: Int) throws -> any LinearOperator<S> {
        try Upsample<S>(factor: try requiredFactor(r), inputLength: n)
    }
}

/// `--factor k` of ↓k and ↑k: required, at least 1.
private func requiredFactor<S>(_ r: OperatorRequest<S>) throws -> Int {
    guard let k = r.options.resampling.factor else { throw ConvAlgebraError.invalidArgument("\(r.name) needs --factor k") }
    guard k >= 1 else { throw ConvAlgebraError.invalidArgument("--factor must be at least 1, got \(k)") }
    return k
}
