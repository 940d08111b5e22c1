import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// Nearest-neighbour up-sampling by integer factors, PyTorch's `F.interpolate(scale_factor=k, mode='nearest')`.
///
/// ```
/// y[c, j] = x[c, ⌊j/k⌋]          (per spatial dimension)
/// ```
/// Built as the reference text writes it, `(1 … 1) * (↑k x)`: ``convolution`` is the depthwise
/// ``TransposedConvolution`` (stride `k`, an all-ones kernel of size `k` per dimension, `groups = C`), and the
/// direct form is its polyphase kernel, which never multiplies an inserted zero. The ones are fixed numbers,
/// not kernel taps, so the terms are kernel-free and the symbolic matrix prints `1`.
///
/// The transpose, ``NearestUpsamplingTranspose``, is the ``Convolution`` with the same ones kernel and stride
/// `k`: the `k`-box *sum* pooling, `Πk` times average pooling (PyTorch's nearest backward).
///
/// Shapes: one sample `(C, *n) → (C, *(n·k))`.
/// - Complexity: one copy per output; the sparse form has one entry per output.
public struct NearestUpsampling<Scalar: BLASScalar>: StencilOperator, Equatable {
    /// `(1 … 1) * (↑k ·)`: the transposed convolution this operator is.
    public let convolution: TransposedConvolution<Scalar>
    /// The integer scale factors `k`, one per spatial dimension.
    public let scale: [Int]
    /// The direct form's row kernel geometry (up to three spatial dimensions, padded with leading ones):
    /// the input extents and factors, and the transpose's `k`-box windows (kernel = stride = `k`).
    package let rowInputSize: [Int]?, rowScale: [Int]?, boxWindows: PoolingWindows?

    /// Nearest up-sampling of one sample of `inputShape` `(C, n…)` by integer `scale` factors (one per spatial
    /// dimension, or one for all).
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for a factor below 1, an empty input, no channels or
    ///   a factor list of the wrong length; ``ConvAlgebraError/shapeMismatch(_:)`` for a shape without a
    ///   spatial dimension; an overflow error.
    public init(inputShape: [Int], scale: [Int]) throws {
        let (channels, inputSize) = try LayerOptions.channelsAndSpatial(inputShape, layer: "up-sampling")
        try Interpolation<Scalar>.checkInput(channels, inputSize)
        let r = inputSize.count
        let k = try Interpolation<Scalar>.spread(scale, rank: r)
        let long = try zip(inputSize, k).map { try Checked.multiply($0, $1, "the up-sampled size") }
        // The forward convolution reads c = i·k + t (t < k) from the long side; its transpose writes y[i·k + t] = x[i].
        let g = try ConvolutionGeometry(inputSize: long, outputSize: inputSize, kernelSize: k, stride: k,
                                        offset: Array(repeating: 0, count: r), tapStep: Array(repeating: 1, count: r),
                                        inChannels: channels, outChannels: channels, groups: channels, hasChannelAxis: true)
        try MemoryBudget.default.check("the nearest up-sampling kernel (\(g.weightCount) ones)", count: g.weightCount, elementBytes: MemoryLayout<Scalar>.stride)
        convolution = try TransposedConvolution(geometry: g, taps: Array(repeating: 1, count: g.weightCount))
        self.scale = k
        if r <= 3 {
            let ones = Array(repeating: 1, count: 3 - r)
            rowInputSize = ones + inputSize
            rowScale = ones + k
            boxWindows = PoolingWindows(try PoolingGeometry(channels: channels, inputSize: long, kernelSize: k))
        } else {
            (rowInputSize, rowScale, boxWindows) = (nil, nil, nil)
        }
    }

    public var domain: Shape { convolution.domain }
    public var codomain: Shape { convolution.codomain }
    public var transposed: NearestUpsamplingTranspose<Scalar> { NearestUpsamplingTranspose(base: self) }
    public var taps: [Scalar] { [] }

    /// Terms `(c·M + j, c·N + src(j), −1, 1)`: the transposed convolution's terms with its (all-one) taps applied.
    public func forEachTerm(_ body: (Int, Int, Int, Scalar) -> Void) {
        let q = convolution.taps
        convolution.forEachTerm { r, c, t, a in body(r, c, -1, t >= 0 ? a * q[t] : a) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        if let rowInputSize, let rowScale {
            NearestUpsamplingKernels.upsample(inputSize: rowInputSize, scale: rowScale, planes: batch * domain.dims[0], x, y)
        } else {
            convolution.applyUnchecked(x, y, batch: batch)
        }
    }
}

/// The transpose of ``NearestUpsampling``: `x̃[c, i] = Σ_{j : ⌊j/k⌋ = i} y[c, j]`, the `k`-box sum pooling —
/// the ``Convolution`` with the all-ones kernel and stride `k`. Shapes `(C, *(n·k)) → (C, *n)`.
/// Shapes, terms, forms and `transposed` come from ``SwappedStencil``; this type adds only the direct kernel.
/// - Complexity: one add per input element.
public struct NearestUpsamplingTranspose<Scalar: BLASScalar>: SwappedStencil, Equatable {
    /// The up-sampling this is the transpose of.
    public let base: NearestUpsampling<Scalar>

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        if let box = base.boxWindows {
            PoolingKernels.windowSumValues(box, planes: batch * base.domain.dims[0], x, y)
        } else {
            base.convolution.transposed.applyUnchecked(x, y, batch: batch)
        }
    }
}
