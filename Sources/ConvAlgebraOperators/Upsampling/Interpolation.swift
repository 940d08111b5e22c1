import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// Linear, bilinear and trilinear up-sampling, PyTorch's
/// `F.interpolate(x, scale_factor=k | size=L, mode='linear'|'bilinear'|'trilinear', align_corners=False)`.
///
/// Separable: along each spatial dimension of length `n`, output `j ∈ 0 ..< L` reads two neighbours
/// (aten/src/ATen/native/UpSample.h, `area_pixel_compute_source_index` and `guard_index_and_lambda`):
/// ```
/// src = max(0, σ·(j + 0.5) − 0.5),   σ = 1/k for an integer scale factor k (L = n·k),  σ = n/L for an output size L
/// i₀  = min(⌊src⌋, n − 1),   i₁ = i₀ + (i₀ < n − 1 ? 1 : 0),   λ = clamp(src − i₀, 0, 1)
/// y[j] = (1 − λ)·x[i₀] + λ·x[i₁]
/// ```
/// except that a dimension whose output is as long as its input (`L = n`) reads `x[j]` twice, `i₀ = i₁ = j`,
/// `λ = 0` (UpSampleKernel.cpp, `compute_source_index_and_lambda`: "scale_factor = 1, simply copy"), so a
/// `±∞` there gives `∞ + 0·∞ = NaN` in every form as in PyTorch, and `x[j + 1]` is not read at all.
/// (`compute_scales_value`: with `recompute_scale_factor=None` the kernel gets the user's factor, so `σ = 1/k`;
/// with `size` it is `n/L`, computed in the input's precision.) In N-D the weights multiply (`2^r` terms per
/// output). The index arithmetic runs in `Scalar`, as PyTorch's runs in the input's precision. Channels are
/// independent.
///
/// The transpose, ``InterpolationTranspose``, is the linear interpolation's adjoint:
/// `x̃[i] = Σ_j w(j, i)·y[j]` (PyTorch's `upsample_linear` backward).
///
/// Shapes: one sample `(C, *n) → (C, *L)`; batches lead.
/// - Complexity: direct form about `2·(1 + n/L + …)` multiply-adds per output (one dimension at a time); the sparse form has `C · 2^r · Π L` terms.
public struct Interpolation<Scalar: BLASScalar>: StencilOperator, Equatable {
    /// The channel count `C`.
    public let channels: Int
    /// The spatial input extents `n`.
    public let inputSize: [Int]
    /// The spatial output extents `L` (`n·k` for a scale factor `k`).
    public let outputSize: [Int]
    /// The source-index scale `σ` per dimension: `1/k` for a scale factor, `n/L` for an output size.
    public let sourceScale: [Scalar]
    /// One plane's two-tap (per dimension) windows: the terms of the materialised forms.
    package let plane: PoolingPlaneStencil<Scalar>
    /// The per-dimension tables of the direct (separable) form.
    package let axes: [InterpolationAxis<Scalar>]

    /// Linear interpolation of one sample of `inputShape` `(C, n…)` by integer `scale` factors (one per spatial
    /// dimension, or one for all): `F.interpolate(scale_factor=k)`.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for a factor below 1, an empty input, no channels or
    ///   a factor list of the wrong length; ``ConvAlgebraError/shapeMismatch(_:)`` for a shape without a spatial
    ///   dimension; an overflow or memory-budget error.
    public init(inputShape: [Int], scale: [Int], budget: MemoryBudget = .default) throws {
        let (channels, inputSize) = try LayerOptions.channelsAndSpatial(inputShape, layer: "interpolation")
        try Self.checkInput(channels, inputSize)
        let k = try Self.spread(scale, rank: inputSize.count)
        let out = try zip(inputSize, k).map { try Checked.multiply($0, $1, "the up-sampled size") }
        try self.init(channels: channels, inputSize: inputSize, outputSize: out,
                      sourceScale: k.map { Scalar(1.0 / Double($0)) }, budget: budget)
    }

    /// Linear interpolation of one sample of `inputShape` `(C, n…)` to the spatial output `size` `L` (one per
    /// spatial dimension, or one for all): `F.interpolate(size=L)`, `σ = n/L` (any `L ≥ 1`, also smaller than `n`).
    /// - Throws: as ``init(inputShape:scale:budget:)``, for a size below 1.
    public init(inputShape: [Int], size: [Int], budget: MemoryBudget = .default) throws {
        let (channels, inputSize) = try LayerOptions.channelsAndSpatial(inputShape, layer: "interpolation")
        try Self.checkInput(channels, inputSize)
        let out = try Self.spread(size, rank: inputSize.count, name: "size")
        try self.init(channels: channels, inputSize: inputSize, outputSize: out,
                      sourceScale: zip(inputSize, out).map { Scalar($0) / Scalar($1) }, budget: budget)
    }

    private init(channels: Int, inputSize: [Int], outputSize out: [Int], sourceScale: [Scalar], budget: MemoryBudget) throws {
        let r = inputSize.count
        self.channels = channels; self.inputSize = inputSize; self.outputSize = out; self.sourceScale = sourceScale
        let M = try Shape(out).count, N = try Shape(inputSize).count
        _ = try Shape([channels, M]); _ = try Shape([channels, N])
        guard N <= Int(Int32.max) else { throw ConvAlgebraError.overflow("an input plane exceeds 32-bit indices") }
        let terms = try Checked.multiply(M, 1 << r, "the interpolation terms")
        try budget.check("the interpolation weights", count: terms, elementBytes: 4 + MemoryLayout<Scalar>.stride)
        let tables = (0..<r).map { Self.table(inputLength: inputSize[$0], outputLength: out[$0], scale: sourceScale[$0]) }
        plane = Self.makePlane(inputSize, out, tables)
        axes = tables.map { t in
            var a = InterpolationAxis<Scalar>()
            for (i0, i1, w0, w1) in t { a.i0.append(i0); a.i1.append(i1); a.w0.append(w0); a.w1.append(w1) }
            return a
        }
    }

    /// The checks every resizing operator makes on its input: a channel and a non-empty plane.
    package static func checkInput(_ channels: Int, _ inputSize: [Int]) throws {
        guard channels >= 1 else { throw ConvAlgebraError.invalidArgument("up-sampling needs at least one channel, got \(channels)") }
        guard inputSize.allSatisfy({ $0 >= 1 }) else {
            throw ConvAlgebraError.invalidArgument("up-sampling needs a non-empty input, got spatial size \(inputSize)")
        }
    }

    /// One value for every spatial dimension, or one per dimension, each at least 1.
    package static func spread(_ scale: [Int], rank r: Int, name: String = "scale") throws -> [Int] {
        let k = scale.count == 1 ? Array(repeating: scale[0], count: r) : scale
        guard k.count == r else {
            throw ConvAlgebraError.invalidArgument("the \(name) has \(scale.count) values, but the input has \(r) spatial dimensions")
        }
        guard k.allSatisfy({ $0 >= 1 }) else {
            throw ConvAlgebraError.invalidArgument(name == "scale" ? "scale factors must be positive integers, got \(k)" : "the output \(name) must be positive, got \(k)")
        }
        return k
    }

    /// One dimension's table: for each output `j < L`, `(i₀, i₁, 1 − λ, λ)` at source scale `σ`.
    package static func table(inputLength n: Int, outputLength L: Int, scale s: Scalar) -> [(Int, Int, Scalar, Scalar)] {
        (0..<L).map { j in
            let (i0, i1, lambda) = source(j, inputLength: n, outputLength: L, scale: s)
            return (i0, i1, 1 - lambda, lambda)
        }
    }

    /// Output `j`'s two neighbours and the far one's weight, PyTorch's `compute_source_index_and_lambda`: an output
    /// as long as its input copies it, reading its own sample twice (`i₀ = i₁ = j`, `λ = 0`: "scale_factor = 1,
    /// simply copy"); otherwise `src = max(0, σ·(j + 0.5) − 0.5)`, `i₀ = min(⌊src⌋, n − 1)`,
    /// `i₁ = i₀ + (i₀ < n − 1 ? 1 : 0)`, `λ = clamp(src − i₀, 0, 1)`.
    package static func source(_ j: Int, inputLength n: Int, outputLength L: Int, scale s: Scalar) -> (Int, Int, Scalar) {
        if L == n { return (j, j, 0) }
        var src = s * (Scalar(j) + Scalar(0.5)) - Scalar(0.5)
        if src < 0 { src = 0 }   // linear modes bound a negative source index to 0
        let i0 = min(Int(src.rounded(.down)), n - 1)
        let lambda = min(max(src - Scalar(i0), 0), 1)
        return (i0, i0 + (i0 < n - 1 ? 1 : 0), lambda)
    }

    package static func makePlane(_ n: [Int], _ L: [Int], _ tables: [[(Int, Int, Scalar, Scalar)]]) -> PoolingPlaneStencil<Scalar> {
        let r = n.count
        var inStride = [Int](repeating: 1, count: r)
        for d in stride(from: r - 2, through: 0, by: -1) { inStride[d] = inStride[d + 1] * n[d + 1] }
        let M = L.reduce(1, *), T = 1 << r
        var offsets = [Int](repeating: 0, count: M + 1)
        var cols = [Int32](), weights = [Scalar]()
        cols.reserveCapacity(M * T); weights.reserveCapacity(M * T)
        var j = [Int](repeating: 0, count: r)
        for p in 0..<M {
            for corner in 0..<T {
                var col = 0, w: Scalar = 1
                for d in 0..<r {
                    let (i0, i1, w0, w1) = tables[d][j[d]]
                    // Bit r−1−d of the corner picks the far neighbour along dimension d (outer dims vary slowest).
                    let far = (corner >> (r - 1 - d)) & 1 == 1
                    col += (far ? i1 : i0) * inStride[d]
                    w *= far ? w1 : w0
                }
                cols.append(Int32(col)); weights.append(w)
            }
            offsets[p + 1] = cols.count
            var d = r - 1
            while d >= 0 { j[d] += 1; if j[d] < L[d] { break }; j[d] = 0; d -= 1 }
        }
        return PoolingPlaneStencil(inputPlane: n.reduce(1, *), outputPlane: M, rowOffsets: offsets, columns: cols, weights: weights)
    }

    /// The whole-number factor `L / n` of every axis, or nil when an axis's output length (from `size:`) is not a
    /// multiple of its input length.
    public var integerScale: [Int]? {
        let k = zip(outputSize, inputSize).map { $0 / max($1, 1) }
        return zip(k, zip(outputSize, inputSize)).allSatisfy { $0 * $1.1 == $1.0 } ? k : nil
    }

    public var domain: Shape { try! Shape([channels] + inputSize) }
    public var codomain: Shape { try! Shape([channels] + outputSize) }
    public var transposed: InterpolationTranspose<Scalar> { InterpolationTranspose(base: self) }
    public var taps: [Scalar] { [] }

    /// Terms `(c·M + j, c·N + i, −1, w(j, i))`, `2^r` per output (a repeated column at the border).
    public func forEachTerm(_ body: (Int, Int, Int, Scalar) -> Void) {
        plane.forEachTerm(channels: channels) { r, c, w in body(r, c, -1, w) }
    }

    /// The direct form interpolates one dimension at a time (`PoolingKernels`' separable kernel).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        PoolingKernels.separableLinear(axes, inputSize: inputSize, planes: batch * channels, x, y)
    }
}

/// The transpose of an ``Interpolation``: `x̃[c, i] = Σ_j w(j, i) · y[c, j]`, the same terms with rows and
/// columns swapped (PyTorch's linear up-sampling backward). Shapes `(C, *(n·k)) → (C, *n)`.
/// Shapes, terms, forms and `transposed` come from ``SwappedStencil``; this type adds only the direct kernel.
/// - Complexity: `2^r` multiply-adds per input of the transpose (a scatter per plane).
public struct InterpolationTranspose<Scalar: BLASScalar>: SwappedStencil, Equatable {
    /// The interpolation this is the transpose of.
    public let base: Interpolation<Scalar>

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        PoolingKernels.scatter(base.plane, planes: batch * base.channels, x, y)
    }
}
