import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The interpolation modes of ``Upsampling``, PyTorch's `mode` names.
public enum UpsamplingMode: String, CaseIterable, Sendable {
    /// Repeat each sample: `y[j] = x[⌊j/k⌋]` (or `x[⌊j·n/L⌋]` for an output size `L`).
    case nearest
    /// Linear / bilinear / trilinear by the number of spatial dimensions, `align_corners=False`.
    case linear
    /// Linear in two spatial dimensions: PyTorch's `bilinear`, which needs a 4-D input `(N, C, H, W)`.
    case bilinear
    /// Linear in three spatial dimensions: PyTorch's `trilinear`, which needs a 5-D input `(N, C, D, H, W)`.
    case trilinear

    /// The number of spatial dimensions the mode requires (PyTorch's check in `F.interpolate`), or `nil` for
    /// any: `nearest` and our `linear`, which is linear, bilinear or trilinear by the input.
    public var spatialRank: Int? {
        switch self {
        case .nearest, .linear: return nil
        case .bilinear: return 2
        case .trilinear: return 3
        }
    }

    /// Checks a mode against one sample's shape `(C, spatial…)`, as `F.interpolate` checks its input.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` naming the mode, the spatial rank it needs and the input's.
    public func check(inputShape: [Int]) throws {
        guard let r = spatialRank, inputShape.count - 1 != r else { return }
        throw ConvAlgebraError.invalidArgument(
            "mode '\(rawValue)' needs \(r) spatial dimensions (a \(r + 2)-D input (N, C, …)), as in PyTorch, but the sample shape \(inputShape) has \(max(inputShape.count - 1, 0)); use 'linear' for any number")
    }
}

/// PyTorch's `F.interpolate(x, scale_factor=k | size=L, mode=…, align_corners=False)` and `nn.Upsample`, as
/// operators on one sample of `inputShape` `(C, spatial…)`.
public enum Upsampling {
    /// Nearest-neighbour up-sampling by integer factors `k`, built as the reference text writes it,
    /// `(1 … 1) * (↑k x)`: a ``NearestUpsampling`` (a depthwise transposed convolution with an all-ones kernel).
    ///
    /// For integer factors this is PyTorch's `nearest` (UpSample.h `nearest_idx`: `⌊j · (1/k)⌋`, which equals
    /// `⌊j/k⌋`, checked against PyTorch for `k < 40`).
    /// - Throws: see ``NearestUpsampling/init(inputShape:scale:)``.
    public static func nearest<Scalar: BLASScalar>(inputShape: [Int], scale: [Int],
                                                   as: Scalar.Type = Scalar.self) throws -> NearestUpsampling<Scalar> {
        try NearestUpsampling(inputShape: inputShape, scale: scale)
    }

    /// Nearest-neighbour resizing to the spatial output `size`: a ``NearestResize``.
    /// - Throws: see ``NearestResize/init(inputShape:size:budget:)``.
    public static func nearest<Scalar: BLASScalar>(inputShape: [Int], size: [Int],
                                                   as: Scalar.Type = Scalar.self) throws -> NearestResize<Scalar> {
        try NearestResize(inputShape: inputShape, size: size)
    }

    /// Linear (bilinear, trilinear) up-sampling by integer factors `k`: an ``Interpolation``.
    /// - Throws: see ``Interpolation/init(inputShape:scale:budget:)``.
    public static func linear<Scalar: BLASScalar>(inputShape: [Int], scale: [Int],
                                                  as: Scalar.Type = Scalar.self) throws -> Interpolation<Scalar> {
        try Interpolation(inputShape: inputShape, scale: scale)
    }

    /// Linear (bilinear, trilinear) resizing to the spatial output `size`: an ``Interpolation`` with `σ = n/L`.
    /// - Throws: see ``Interpolation/init(inputShape:size:budget:)``.
    public static func linear<Scalar: BLASScalar>(inputShape: [Int], size: [Int],
                                                  as: Scalar.Type = Scalar.self) throws -> Interpolation<Scalar> {
        try Interpolation(inputShape: inputShape, size: size)
    }

    /// PyTorch's `bilinear`: ``linear(inputShape:scale:as:)`` on a sample with two spatial dimensions.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for another number of spatial dimensions; as `linear`.
    public static func bilinear<Scalar: BLASScalar>(inputShape: [Int], scale: [Int],
                                                    as: Scalar.Type = Scalar.self) throws -> Interpolation<Scalar> {
        try UpsamplingMode.bilinear.check(inputShape: inputShape)
        return try linear(inputShape: inputShape, scale: scale, as: Scalar.self)
    }

    /// PyTorch's `bilinear` to an output size. - Throws: as ``bilinear(inputShape:scale:as:)``.
    public static func bilinear<Scalar: BLASScalar>(inputShape: [Int], size: [Int],
                                                    as: Scalar.Type = Scalar.self) throws -> Interpolation<Scalar> {
        try UpsamplingMode.bilinear.check(inputShape: inputShape)
        return try linear(inputShape: inputShape, size: size, as: Scalar.self)
    }

    /// PyTorch's `trilinear`: ``linear(inputShape:scale:as:)`` on a sample with three spatial dimensions.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for another number of spatial dimensions; as `linear`.
    public static func trilinear<Scalar: BLASScalar>(inputShape: [Int], scale: [Int],
                                                     as: Scalar.Type = Scalar.self) throws -> Interpolation<Scalar> {
        try UpsamplingMode.trilinear.check(inputShape: inputShape)
        return try linear(inputShape: inputShape, scale: scale, as: Scalar.self)
    }

    /// PyTorch's `trilinear` to an output size. - Throws: as ``trilinear(inputShape:scale:as:)``.
    public static func trilinear<Scalar: BLASScalar>(inputShape: [Int], size: [Int],
                                                     as: Scalar.Type = Scalar.self) throws -> Interpolation<Scalar> {
        try UpsamplingMode.trilinear.check(inputShape: inputShape)
        return try linear(inputShape: inputShape, size: size, as: Scalar.self)
    }

    /// The up-sampling operator of `mode` by integer factors, as an existential for code that picks the mode at run time.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for `bilinear`/`trilinear` on the wrong number of
    ///   spatial dimensions; the operator's errors.
    public static func make<Scalar: BLASScalar>(_ mode: UpsamplingMode, inputShape: [Int], scale: [Int],
                                                 as: Scalar.Type = Scalar.self) throws -> any LinearOperator<Scalar> {
        try mode.check(inputShape: inputShape)
        switch mode {
        case .nearest: return try nearest(inputShape: inputShape, scale: scale, as: Scalar.self)
        case .linear, .bilinear, .trilinear: return try linear(inputShape: inputShape, scale: scale, as: Scalar.self)
        }
    }

    /// The resizing operator of `mode` to the spatial output `size` (`F.interpolate(size=…)`). Nearest resizing
    /// to whole multiples of the input is the ``NearestUpsampling`` by those factors (the same matrix, a faster
    /// kernel); otherwise a ``NearestResize``.
    /// - Throws: as ``make(_:inputShape:scale:as:)``.
    public static func make<Scalar: BLASScalar>(_ mode: UpsamplingMode, inputShape: [Int], size: [Int],
                                                 as: Scalar.Type = Scalar.self) throws -> any LinearOperator<Scalar> {
        try mode.check(inputShape: inputShape)
        switch mode {
        case .nearest:
            let spatial = Array(inputShape.dropFirst())
            let L = try Interpolation<Scalar>.spread(size, rank: max(spatial.count, 1), name: "size")
            if spatial.count == L.count, spatial.allSatisfy({ $0 >= 1 }), zip(L, spatial).allSatisfy({ $0 % $1 == 0 }) {
                return try nearest(inputShape: inputShape, scale: zip(L, spatial).map { $0 / $1 }, as: Scalar.self)
            }
            return try nearest(inputShape: inputShape, size: size, as: Scalar.self)
        case .linear, .bilinear, .trilinear: return try linear(inputShape: inputShape, size: size, as: Scalar.self)
        }
    }
}
