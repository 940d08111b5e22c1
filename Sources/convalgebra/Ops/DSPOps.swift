import ConvAlgebra

// The 1-D DSP ops of the reference text: q * x (with numpy.convolve's modes, stride and dilation),
// ↓k and ↑k. Samples are the last axis of X; every leading axis is batch.

/// `convolve`: `y = ↓k((↑d q) * x)` in a numpy mode, `W` of shape `(K,)`.
enum ConvolveOp: OpDefinition {
    static let name = "convolve"
    static let acceptedOptions: Set<String> = ["--mode", "--stride", "--dilation", "--weight", "--kernel-size"]

    static func sampleShape(ofInput shape: Shape, _ options: OperatorOptions) throws -> Shape {
        try lastAxis(of: shape, op: name)
    }

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>) throws -> BuiltOperator<S> {
        let n = try oneDimensional(r.domain, op: name)
        let o = r.options
        let mode = try o.mode.map { text in
            guard let m = ConvolutionMode(rawValue: text) else {
                throw ConvAlgebraError.invalidArgument(
                    "unknown mode '\(text)' for convolve (known: \(ConvolutionMode.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return m
        } ?? .full
        let stride = try o.stride.map { try CommaList.int($0, option: "--stride", op: name) } ?? 1
        let dilation = try o.dilation.map { try CommaList.int($0, option: "--dilation", op: name) } ?? 1
        let taps = try kernel(r)
        return BuiltOperator(linear: try Convolution(kernel: taps, inputLength: n, mode: mode, stride: stride, dilation: dilation))
    }

    /// The taps: `--weight` (shape `(K,)`), or in `show`, `K` symbolic taps from `--kernel-size K` (their
    /// values are unused: `symbolic()` prints tap names).
    private static func kernel<S: BLASScalar>(_ r: OperatorRequest<S>) throws -> [S] {
        switch (r.weight, r.options.kernelSize) {
        case (.some, .some):
            throw ConvAlgebraError.invalidArgument("give convolve either --weight or --kernel-size, not both")
        case (.some(let w), nil):
            guard w.shape.rank == 1 else {
                throw ConvAlgebraError.shapeMismatch("convolve needs a weight of shape (K,), got shape \(w.shape)")
            }
            return w.scalars
        case (nil, .some(let k)) where r.purpose == .show:
            let K = try CommaList.int(k, option: "--kernel-size", op: name)
            guard K >= 1 else { throw ConvAlgebraError.invalidArgument("--kernel-size must be at least 1, got \(K)") }
            try MemoryBudget.default.check("the symbolic kernel of \(K) taps", count: K, elementBytes: MemoryLayout<S>.stride)
            return Array(repeating: 1, count: K)
        case (nil, .some):
            throw ConvAlgebraError.invalidArgument(
                "--kernel-size gives convolve a symbolic kernel, for show only; give the kernel with --weight W.npy")
        case (nil, nil):
            throw ConvAlgebraError.invalidArgument(
                "convolve needs a kernel: --weight W.npy of shape (K,)\(r.purpose == .show ? ", or --kernel-size K for a symbolic one" : "")")
        }
    }
}

/// `downsample --factor k [--phase p]`: `y[i] = x[i·k + p]`, length `⌈(n − p)/k⌉`.
enum DownsampleOp: OpDefinition {
    static let name = "downsample"
    static let acceptedOptions: Set<String> = ["--factor", "--phase"]

    static func sampleShape(ofInput shape: Shape, _ options: OperatorOptions) throws -> Shape {
        try lastAxis(of: shape, op: name)
    }

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>) throws -> BuiltOperator<S> {
        let n = try oneDimensional(r.domain, op: name)
        let k = try requiredFactor(r.options, op: name)
        return BuiltOperator(linear: try Downsample<S>(factor: k, phase: r.options.phase ?? 0, inputLength: n))
    }
}

/// `upsample-zeros --factor k`: `y[i·k] = x[i]`, zeros elsewhere, length `n·k`.
enum UpsampleZerosOp: OpDefinition {
    static let name = "upsample-zeros"
    static let acceptedOptions: Set<String> = ["--factor"]

    static func sampleShape(ofInput shape: Shape, _ options: OperatorOptions) throws -> Shape {
        try lastAxis(of: shape, op: name)
    }

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>) throws -> BuiltOperator<S> {
        let n = try oneDimensional(r.domain, op: name)
        let k = try requiredFactor(r.options, op: name)
        return BuiltOperator(linear: try Upsample<S>(factor: k, inputLength: n))
    }
}

// MARK: - Shared checks of the 1-D ops

/// The last axis of a batched 1-D input: `(…, n) → (n)`.
private func lastAxis(of shape: Shape, op: String) throws -> Shape {
    guard let n = shape.dims.last else {
        throw ConvAlgebraError.shapeMismatch("\(op) needs X of shape (..., n), got a 0-d array")
    }
    return try Shape([n])
}

/// The length of a 1-D sample shape.
private func oneDimensional(_ domain: Shape, op: String) throws -> Int {
    guard domain.rank == 1 else {
        throw ConvAlgebraError.shapeMismatch("\(op) works on 1-D samples: its domain must be one length, got \(domain)")
    }
    return domain.dims[0]
}

private func requiredFactor(_ o: OperatorOptions, op: String) throws -> Int {
    guard let k = o.factor else { throw ConvAlgebraError.invalidArgument("\(op) needs --factor k") }
    guard k >= 1 else { throw ConvAlgebraError.invalidArgument("--factor must be at least 1, got \(k)") }
    return k
}
