import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// Zero padding, N-D, per-dimension `begin`/`end` amounts; a channel axis passes through.
///
/// ```
/// y[j] = x[j − begin]   if 0 ≤ j − begin < n,   else 0        (per dimension)
/// ```
/// Shapes `(C,) n… → (C,) (n + begin + end)…`. Its transpose is a ``Crop`` that removes the same
/// amounts: `Pᵀ` is `P`'s 0/1 matrix read the other way, and the zeros it added are simply dropped.
/// - Complexity: one copy per padded sample.
public struct ZeroPadding<Scalar: BLASScalar>: PaddingStencil, Equatable {
    /// The padding geometry (its mode is `.zeros`).
    public let geometry: PaddingGeometry

    /// Zero padding of samples of `inputSize` (and `channels` when `hasChannelAxis`).
    /// - Throws: see ``PaddingGeometry/init(inputSize:begin:end:mode:channels:hasChannelAxis:)``.
    public init(inputSize: [Int], begin: [Int], end: [Int], channels: Int = 1, hasChannelAxis: Bool = false) throws {
        geometry = try PaddingGeometry(inputSize: inputSize, begin: begin, end: end, mode: .zeros,
                                       channels: channels, hasChannelAxis: hasChannelAxis)
    }

    package init(geometry: PaddingGeometry) {
        precondition(geometry.mode == .zeros, "internal: ZeroPadding needs a zeros-mode geometry")
        self.geometry = geometry
    }

    /// Zero padding's transpose is the crop that removes what it added.
    public var transposed: Crop<Scalar> { Crop(base: self) }
}

/// Cropping, N-D: removes `begin[d]` samples before and `end[d]` after along each spatial dimension.
///
/// ```
/// y[i] = x[i + begin]        (per dimension)
/// ```
/// Shapes `(C,) (n + begin + end)… → (C,) n…`. Its transpose is ``ZeroPadding`` with the same amounts.
/// - Complexity: one copy per kept sample.
public struct Crop<Scalar: BLASScalar>: SwappedStencil, Equatable {
    /// The zero padding this crop undoes (its geometry's `inputSize` is the cropped size).
    public let base: ZeroPadding<Scalar>

    /// Crops samples of `inputSize` (the larger shape) by `begin`/`end` per spatial dimension.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for negative amounts or amounts that remove more
    ///   than the whole extent.
    public init(inputSize: [Int], begin: [Int], end: [Int], channels: Int = 1, hasChannelAxis: Bool = false) throws {
        guard begin.count == inputSize.count, end.count == inputSize.count else {
            throw ConvAlgebraError.invalidArgument("a crop needs one begin and one end per spatial dimension (\(inputSize.count))")
        }
        let inner = (0..<inputSize.count).map { inputSize[$0] - begin[$0] - end[$0] }
        guard inner.allSatisfy({ $0 >= 0 }) else {
            throw ConvAlgebraError.invalidArgument("cropping begin \(begin), end \(end) removes more than the size \(inputSize)")
        }
        base = try ZeroPadding(inputSize: inner, begin: begin, end: end, channels: channels, hasChannelAxis: hasChannelAxis)
    }

    package init(base: ZeroPadding<Scalar>) { self.base = base }
}
