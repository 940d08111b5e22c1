import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The interpolation modes of ``Upsampling``.
public enum UpsamplingMode: String, CaseIterable, Sendable {
    /// Repeat each sample `k` times: `y[j] = x[⌊j/k⌋]`.
    case nearest
    /// Linear / bilinear / trilinear by the number of spatial dimensions, `align_corners=False`.
    case linear
}

/// PyTorch's `F.interpolate(x, scale_factor=k, mode=…, align_corners=False)` by integer factors, as operators.
public enum Upsampling {
    /// Nearest-neighbour up-sampling by `k`, built as the reference text writes it, `(1 … 1) * (↑k x)`: a
    /// ``NearestUpsampling`` (a depthwise transposed convolution with an all-ones kernel).
    ///
    /// For integer factors this is PyTorch's `nearest` (UpSample.h `nearest_idx`: `⌊j · (1/k)⌋`, which equals
    /// `⌊j/k⌋`, checked against PyTorch for `k < 40`).
    /// - Throws: see ``NearestUpsampling/init(channels:inputSize:scale:)``.
    public static func nearest<Scalar: BLASScalar>(channels: Int, inputSize: [Int], scale: [Int],
                                                   as: Scalar.Type = Scalar.self) throws -> NearestUpsampling<Scalar> {
        try NearestUpsampling(channels: channels, inputSize: inputSize, scale: scale)
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
