import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// Circular, reflect or replicate padding, N-D, per-dimension `begin`/`end`; a channel axis passes through.
///
/// Padded position `j` copies the input sample `src(j)` chosen by the ``PaddingMode`` rule (per
/// dimension, combined over dimensions), so the matrix has exactly one 1 per row:
/// ```
/// y[j] = x[src(j)]
/// ```
/// Shapes `(C,) n… → (C,) (n + begin + end)…`. Its transpose is a ``BorderFold``: each border sample is
/// added back onto the sample it copied, `Pᵀ ỹ[c] = Σ_{j : src(j) = c} ỹ[j]`.
/// - Complexity: one copy per padded sample.
public struct BorderPadding<Scalar: BLASScalar>: PaddingStencil, Equatable {
    public let geometry: PaddingGeometry

    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for `.zeros` (use ``ZeroPadding``, whose transpose
    ///   is a ``Crop``) and the errors of ``PaddingGeometry/init(inputSize:begin:end:mode:channels:hasChannelAxis:)``.
    public init(inputSize: [Int], begin: [Int], end: [Int], mode: PaddingMode,
                channels: Int = 1, hasChannelAxis: Bool = false) throws {
        guard mode != .zeros else {
            throw ConvAlgebraError.invalidArgument("zero padding is a ZeroPadding, whose transpose is a Crop")
        }
        geometry = try PaddingGeometry(inputSize: inputSize, begin: begin, end: end, mode: mode,
                                       channels: channels, hasChannelAxis: hasChannelAxis)
    }

    package init(unchecked geometry: PaddingGeometry) { self.geometry = geometry }

    public var transposed: BorderFold<Scalar> { BorderFold(base: self) }
}

/// The transpose of a ``BorderPadding``: folds the border back onto the samples it copied.
///
/// ```
/// x[c] = Σ_{j : src(j) = c} ỹ[j]
/// ```
/// The same terms as the padding with rows and columns swapped (``SwappedStencil``); an interior sample receives itself
/// plus every border copy of it (for reflect, the mirror images; for circular, the wrapped ones).
/// Shapes `(C,) (n + begin + end)… → (C,) n…`. This is the gradient of padding in PyTorch's autograd.
/// - Complexity: one addition per padded sample.
public struct BorderFold<Scalar: BLASScalar>: SwappedStencil, Equatable {
    /// The padding this is the transpose of.
    public let base: BorderPadding<Scalar>
}
