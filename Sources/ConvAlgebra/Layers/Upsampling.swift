/// The interpolation modes of ``Upsampling``.
public enum UpsamplingMode: String, CaseIterable, Sendable {
    /// Repeat each sample `k` times: `y[j] = x[⌊j/k⌋]`.
    case nearest
    /// Linear / bilinear / trilinear by the number of spatial dimensions, `align_corners=False`.
    case linear
}

/// PyTorch's `F.interpolate(x, scale_factor=k, mode=…, align_corners=False)` by integer factors, as operators.
public enum Upsampling {
    /// Nearest-neighbour up-sampling by `k` per spatial dimension, built as the reference text writes it:
    /// `↑k` then the all-ones kernel, `(1 … 1) * (↑k x)` — a depthwise ``TransposedConvolution`` (stride `k`,
    /// kernel of ones of size `k` per dimension, `groups = C`), so `y[c, j] = x[c, ⌊j/k⌋]`.
    ///
    /// For integer factors this is PyTorch's `nearest` (UpSample.h `nearest_idx`: `⌊j · (1/k)⌋`, which equals
    /// `⌊j/k⌋`). Its transpose is the ``Convolution`` with the same ones kernel, stride `k`: a `k`-box *sum*
    /// pooling, `Πk` times average pooling.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for a factor below 1, an empty input or no channels;
    ///   an overflow error.
    /// - Complexity: one copy per output (the polyphase transposed convolution never multiplies an inserted zero).
    public static func nearest<Scalar: BLASScalar>(channels: Int, inputSize: [Int], scale: [Int],
                                                   as: Scalar.Type = Scalar.self) throws -> TransposedConvolution<Scalar> {
        guard inputSize.count >= 1 else { throw ConvAlgebraError.invalidArgument("up-sampling needs at least one spatial dimension") }
        guard channels >= 1 else { throw ConvAlgebraError.invalidArgument("up-sampling needs at least one channel, got \(channels)") }
        guard inputSize.allSatisfy({ $0 >= 1 }) else {
            throw ConvAlgebraError.invalidArgument("up-sampling needs a non-empty input, got spatial size \(inputSize)")
        }
        let r = inputSize.count
        let k = try Interpolation<Scalar>.spread(scale, rank: r)
        let long = try zip(inputSize, k).map { try Checked.multiply($0, $1, "the up-sampled size") }
        // The forward convolution reads c = i·k + t (t < k) from the long side: its transpose writes y[i·k + t] = x[i].
        let g = try ConvolutionGeometry(inputSize: long, outputSize: inputSize, kernelSize: k, stride: k,
                                        offset: Array(repeating: 0, count: r), tapStep: Array(repeating: 1, count: r),
                                        inChannels: channels, outChannels: channels, groups: channels, hasChannelAxis: true)
        return try TransposedConvolution(geometry: g, taps: Array(repeating: 1, count: g.weightCount))
    }

    /// Linear (bilinear, trilinear) up-sampling by `k`: an ``Interpolation``.
    /// - Throws: see ``Interpolation/init(channels:inputSize:scale:budget:)``.
    public static func linear<Scalar: BLASScalar>(channels: Int, inputSize: [Int], scale: [Int],
                                                  as: Scalar.Type = Scalar.self) throws -> Interpolation<Scalar> {
        try Interpolation(channels: channels, inputSize: inputSize, scale: scale)
    }

    /// The up-sampling operator of `mode`, as an existential for code that picks the mode at run time.
    public static func make<Scalar: BLASScalar>(_ mode: UpsamplingMode, channels: Int, inputSize: [Int], scale: [Int],
                                                 as: Scalar.Type = Scalar.self) throws -> any LinearOperator<Scalar> {
        switch mode {
        case .nearest: return try nearest(channels: channels, inputSize: inputSize, scale: scale, as: Scalar.self)
        case .linear: return try linear(channels: channels, inputSize: inputSize, scale: scale, as: Scalar.self)
        }
    }
}
