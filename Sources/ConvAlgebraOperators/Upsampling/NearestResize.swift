import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// Nearest-neighbour resizing to an output size, PyTorch's `F.interpolate(x, size=L, mode='nearest')`: each
/// output copies one input, a 0/1 selection with one entry per row.
///
/// Per spatial dimension of length `n` (UpSample.h, `nearest_idx` and `nearest_neighbor_compute_source_index`;
/// the scale is computed in `float` whatever the input's dtype, and so it is here):
/// ```
/// y[c, j] = x[c, src(j)],   src(j) = min(⌊float(j) · float(n/L)⌋, n − 1)
/// ```
/// When `L = n·k` this is ``NearestUpsampling`` (`⌊j/k⌋`, checked by the tests); for other `L` it is not a
/// convolution, so this type is its own stencil: one plane's selection, gathered (direct form) or materialised.
///
/// The transpose, ``NearestResizeTranspose``, adds each output back into the input it copied
/// (`x̃[c, i] = Σ_{j : src(j) = i} y[c, j]`, PyTorch's nearest backward).
///
/// Shapes: one sample `(C, *n) → (C, *L)`; batches lead.
/// - Complexity: one copy per output; the sparse form has `C · Π L` entries.
public struct NearestResize<Scalar: BLASScalar>: StencilOperator, Equatable {
    /// The channel count `C`.
    public let channels: Int
    /// The spatial input extents `n`.
    public let inputSize: [Int]
    /// The spatial output extents `L`.
    public let outputSize: [Int]
    /// One plane's selection: one term of weight 1 per output.
    package let plane: PoolingPlaneStencil<Scalar>

    /// Nearest resizing of one sample of `inputShape` `(C, n…)` to the spatial `size` (one per spatial
    /// dimension, or one for all; smaller than `n` is allowed, as in PyTorch).
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for a size below 1, an empty input, no channels or a
    ///   list of the wrong length; ``ConvAlgebraError/shapeMismatch(_:)`` for a shape without a spatial
    ///   dimension; an overflow or memory-budget error.
    public init(inputShape: [Int], size: [Int], budget: MemoryBudget = .default) throws {
        let (channels, inputSize) = try LayerOptions.channelsAndSpatial(inputShape, layer: "nearest resizing")
        try Interpolation<Scalar>.checkInput(channels, inputSize)
        let out = try Interpolation<Scalar>.spread(size, rank: inputSize.count, name: "size")
        let M = try Shape(out).count, N = try Shape(inputSize).count
        _ = try Shape([channels, M]); _ = try Shape([channels, N])
        guard N <= Int(Int32.max) else { throw ConvAlgebraError.overflow("an input plane exceeds 32-bit indices") }
        try budget.check("the nearest resizing map", count: M, elementBytes: 4 + MemoryLayout<Scalar>.stride + MemoryLayout<Int>.stride)
        self.channels = channels; self.inputSize = inputSize; self.outputSize = out
        let sources = (0..<inputSize.count).map { Self.sources(inputLength: inputSize[$0], outputLength: out[$0]) }
        var inStride = [Int](repeating: 1, count: inputSize.count)
        for d in stride(from: inputSize.count - 2, through: 0, by: -1) { inStride[d] = inStride[d + 1] * inputSize[d + 1] }
        var columns = [Int32](repeating: 0, count: M)
        var j = [Int](repeating: 0, count: out.count)
        for p in 0..<M {
            var col = 0
            for d in 0..<out.count { col += sources[d][j[d]] * inStride[d] }
            columns[p] = Int32(col)
            var d = out.count - 1
            while d >= 0 { j[d] += 1; if j[d] < out[d] { break }; j[d] = 0; d -= 1 }
        }
        plane = PoolingPlaneStencil(inputPlane: N, outputPlane: M, rowOffsets: Array(0...M), columns: columns,
                                    weights: Array(repeating: 1, count: M))
    }

    /// One dimension's source indices `src(j)`, in `float` as PyTorch computes them for every dtype.
    package static func sources(inputLength n: Int, outputLength L: Int) -> [Int] {
        let scale = Float(n) / Float(L)
        return (0..<L).map { min(Int((Float($0) * scale).rounded(.down)), n - 1) }
    }

    public var domain: Shape { try! Shape([channels] + inputSize) }
    public var codomain: Shape { try! Shape([channels] + outputSize) }
    public var transposed: NearestResizeTranspose<Scalar> { NearestResizeTranspose(base: self) }
    public var taps: [Scalar] { [] }
    public var termCount: Int { channels * plane.termCount }

    /// Terms `(c·M + j, c·N + src(j), −1, 1)`.
    public func forEachTerm(_ body: (Int, Int, Int, Scalar) -> Void) {
        plane.forEachTerm(channels: channels) { r, c, w in body(r, c, -1, w) }
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        PoolingKernels.gather(plane, planes: batch * channels, x, y)
    }
}

/// The transpose of ``NearestResize``: `x̃[c, i] = Σ_{j : src(j) = i} y[c, j]`. Shapes `(C, *L) → (C, *n)`.
/// Shapes, terms, forms and `transposed` come from ``SwappedStencil``; this type adds only the direct kernel.
/// - Complexity: one add per input element of the transpose.
public struct NearestResizeTranspose<Scalar: BLASScalar>: SwappedStencil, Equatable {
    /// The resizing this is the transpose of.
    public let base: NearestResize<Scalar>

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        PoolingKernels.scatter(base.plane, planes: batch * base.channels, x, y)
    }
}
