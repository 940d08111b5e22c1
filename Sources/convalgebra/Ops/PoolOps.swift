import ConvAlgebra

// The pooling family of PyTorch layers: max_pool / avg_pool 1d/2d/3d and F.interpolate (nearest, linear).
// X has shape (N, C, *S) with 1 to 3 spatial dimensions; one sample is (C, *S) (``LayerOp``).

/// `avg-pool`: PyTorch `avg_pool1d/2d/3d` — linear, so every form, `--transpose` and `show` apply.
enum AvgPoolOp: LayerOp {
    static let name = "avg-pool"
    static let acceptedOptions = PoolWindows.options.union(["--count-include-pad"])

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>, channels: Int, spatial: [Int]) throws -> BuiltOperator<S> {
        let w = try PoolWindows(r, rank: spatial.count)
        return BuiltOperator(linear: try AveragePooling<S>(
            inputShape: [channels] + spatial, kernelSize: w.kernel, stride: w.stride, padding: w.padding,
            ceilMode: w.ceilMode, countIncludePad: r.options.window.countIncludePad ?? true))
    }
}

/// `max-pool`: PyTorch `max_pool1d/2d/3d`. Not linear: the direct form pools; the dense and sparse forms
/// apply each sample's Jacobian (its 0/1 selection matrix) at that sample. It has no transpose and no
/// matrix without an input, so `--transpose` and `show` are refused with a reason.
enum MaxPoolOp: LayerOp {
    static let name = "max-pool"
    static let acceptedOptions = PoolWindows.options.union(["--dilation"])

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>, channels: Int, spatial: [Int]) throws -> BuiltOperator<S> {
        let w = try PoolWindows(r, rank: spatial.count)
        let pool = try MaxPooling<S>(inputShape: [channels] + spatial, kernelSize: w.kernel, stride: w.stride,
                                     padding: w.padding, dilation: w.dilation, ceilMode: w.ceilMode)
        guard let x = r.input, Inputs.endsIn(x.shape, pool.domain), x.shape.rank > pool.domain.rank else {
            throw ConvAlgebraError.invalidArgument(
                "max-pool is not linear: its matrix is its Jacobian at an input, so it has no transpose or matrix on its own"
                + " (apply max-pool to X of shape (N, \(pool.domain.commaList)) instead; its dense and sparse forms use each sample's Jacobian)")
        }
        // The linear stand-in (what `show`/`analyze` would print) is the first sample's Jacobian; every form
        // of the forward map goes through `MaxPooling.apply`, which uses each sample's own.
        let first = try Tensor(shape: pool.domain, scalars: Array(x.scalars.prefix(pool.domain.count)))
        return BuiltOperator(linear: try pool.jacobian(at: first), forward: { x, form in try pool.apply(x, form: form) },
                             isLinear: false)
    }
}

/// `upsample (--scale k | --scale-factor k | --size L) --mode nearest|linear|bilinear|trilinear`: PyTorch
/// `F.interpolate(scale_factor=k | size=L, align_corners=False)` (linear = linear / bilinear / trilinear by the
/// number of spatial dimensions; bilinear and trilinear are checked against it, as PyTorch checks them); nearest by
/// an integer factor is `↑k` then the all-ones kernel. Linear, so every form, `--transpose` and `show` apply.
enum UpsampleOp: LayerOp {
    static let name = "upsample"
    static let acceptedOptions: Set<String> = ["--scale", "--size", "--mode"]

    static func build<S: BLASScalar>(_ r: OperatorRequest<S>, channels: Int, spatial: [Int]) throws -> BuiltOperator<S> {
        let o = r.options.resampling
        let mode = try CommaList.choice(o.mode, default: UpsamplingMode.nearest, noun: "mode", op: name)
        let shape = [channels] + spatial
        switch (o.scale, o.size) {
        case let (text?, nil):
            let scale = try CommaList.perDimension(text, option: "--scale", rank: spatial.count)
            if let bad = scale.first(where: { $0 < 1 }) {
                throw ConvAlgebraError.invalidArgument("--scale must be a positive integer, got \(bad)")
            }
            return BuiltOperator(linear: try Upsampling.make(mode, inputShape: shape, scale: scale, as: S.self))
        case let (nil, text?):
            let size = try CommaList.perDimension(text, option: "--size", rank: spatial.count)
            if let bad = size.first(where: { $0 < 1 }) {
                throw ConvAlgebraError.invalidArgument("--size must be a positive integer, got \(bad)")
            }
            return BuiltOperator(linear: try Upsampling.make(mode, inputShape: shape, size: size, as: S.self))
        case (_?, _?):
            throw ConvAlgebraError.invalidArgument("upsample takes --scale (--scale-factor) or --size, not both (as PyTorch: only one of size or scale_factor)")
        case (nil, nil):
            throw ConvAlgebraError.invalidArgument("upsample needs --scale k (alias --scale-factor) or --size L")
        }
    }
}

// MARK: - What the pools share

/// The window of a pool: `--kernel-size` (required), `--stride` (default: the kernel size), `--padding`
/// (symmetric, default 0), `--dilation` (default 1; only max-pool accepts it), each one int or one per
/// spatial dimension, and `--ceil-mode`.
struct PoolWindows {
    /// The spellings both pools accept.
    static var options: Set<String> { ["--kernel-size", "--stride", "--padding", "--ceil-mode"] }

    var kernel: [Int]
    var stride: [Int]
    var padding: [Int]
    var dilation: [Int]
    var ceilMode: Bool

    /// - Throws: for a missing `--kernel-size`, a `same`/`valid` or one-sided padding, and malformed lists.
    init<S>(_ r: OperatorRequest<S>, rank: Int) throws {
        let o = r.options.window
        func list(_ text: String?, _ option: String) throws -> [Int]? {
            try text.map { try CommaList.perDimension($0, option: option, rank: rank) }
        }
        guard let k = try list(o.kernelSize, "--kernel-size") else {
            throw ConvAlgebraError.invalidArgument("\(r.name) needs --kernel-size")
        }
        kernel = k
        stride = try list(o.stride, "--stride") ?? k
        if let p = o.padding {
            guard case .explicit = try PaddingSpec(p) else {
                throw ConvAlgebraError.invalidArgument(
                    "\(r.name) takes a symmetric --padding: one int or one per spatial dimension, not '\(p)'")
            }
        }
        padding = try list(o.padding, "--padding") ?? Array(repeating: 0, count: rank)
        dilation = try list(o.dilation, "--dilation") ?? Array(repeating: 1, count: rank)
        ceilMode = o.ceilMode
    }
}
