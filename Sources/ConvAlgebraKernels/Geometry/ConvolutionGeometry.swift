import ConvAlgebraCore
import ConvAlgebraBackends

/// The index geometry shared by every kernel-based operator: which input sample each kernel tap
/// reads for each output sample, per spatial dimension, plus the channel grouping.
///
/// For output index `i` and tap `t` along one dimension the input index is
/// ```
/// c = i·s + o + t·e        (s = stride, o = offset, e = signed tap step)
/// ```
/// `e = −d` is a true convolution `(↑d q) * x` (DSP), `e = +d` a cross-correlation (DL layers).
/// Outside `0 ..< n` the input is zero (`.zero`) or wraps modulo `n` (`.circular`).
/// With channels (PyTorch's layout, weight `W[co, ci, k…]`, `G` groups):
/// ```
/// y[co, i] = Σ_{ci < C_in/G} Σ_t W[co, ci, t] · x[g·C_in/G + ci, i·s + o + t·e],   g = co / (C_out/G)
/// ```
/// A strided operator lists only its kept outputs, so its direct form never computes a discarded
/// sample, and the transpose (the same terms, read the other way) never multiplies an inserted zero.
public struct ConvolutionGeometry: Hashable, Sendable {
    public enum Boundary: String, Hashable, Sendable { case zero, circular }

    public let inputSize: [Int]
    public let outputSize: [Int]
    public let kernelSize: [Int]
    public let stride: [Int]
    public let offset: [Int]
    /// The signed distance between the input samples read by adjacent taps.
    public let tapStep: [Int]
    public let boundary: Boundary
    public let inChannels: Int
    public let outChannels: Int
    public let groups: Int
    /// Whether sample shapes carry a leading channel axis (DL layers) or not (1-D DSP).
    public let hasChannelAxis: Bool

    /// Element counts, checked for overflow once here.
    public let inputPlane: Int, outputPlane: Int, kernelPlane: Int, weightCount: Int

    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for non-positive strides, kernel sizes, channel
    ///   counts or groups, groups that do not divide the channels, circular wrap of an empty input; an
    ///   overflow error for sizes that do not fit in `Int`.
    public init(inputSize: [Int], outputSize: [Int], kernelSize: [Int], stride: [Int], offset: [Int], tapStep: [Int],
                boundary: Boundary = .zero, inChannels: Int = 1, outChannels: Int = 1, groups: Int = 1,
                hasChannelAxis: Bool = false) throws {
        let r = inputSize.count
        guard r >= 1, [outputSize.count, kernelSize.count, stride.count, offset.count, tapStep.count].allSatisfy({ $0 == r }) else {
            throw ConvAlgebraError.invalidArgument("geometry lists must all have one entry per spatial dimension")
        }
        guard stride.allSatisfy({ $0 >= 1 }) else { throw ConvAlgebraError.invalidArgument("strides must be positive, got \(stride)") }
        guard kernelSize.allSatisfy({ $0 >= 1 }) else { throw ConvAlgebraError.invalidArgument("kernel sizes must be positive, got \(kernelSize)") }
        guard inputSize.allSatisfy({ $0 >= 0 }), outputSize.allSatisfy({ $0 >= 0 }) else {
            throw ConvAlgebraError.invalidArgument("sizes must be non-negative")
        }
        guard tapStep.allSatisfy({ $0 != 0 }) else { throw ConvAlgebraError.invalidArgument("dilations must be positive") }
        guard inChannels >= 1, outChannels >= 1 else { throw ConvAlgebraError.invalidArgument("channel counts must be positive") }
        guard groups >= 1 else { throw ConvAlgebraError.invalidArgument("groups must be positive, got \(groups)") }
        guard inChannels % groups == 0, outChannels % groups == 0 else {
            throw ConvAlgebraError.invalidArgument(
                "groups \(groups) must divide both the input channels \(inChannels) and the output channels \(outChannels)")
        }
        if boundary == .circular, inputSize.contains(0) {
            throw ConvAlgebraError.invalidArgument("a circular boundary needs a non-empty input")
        }
        self.inputSize = inputSize; self.outputSize = outputSize; self.kernelSize = kernelSize
        self.stride = stride; self.offset = offset; self.tapStep = tapStep; self.boundary = boundary
        self.inChannels = inChannels; self.outChannels = outChannels; self.groups = groups
        self.hasChannelAxis = hasChannelAxis
        inputPlane = try Shape(inputSize).count
        outputPlane = try Shape(outputSize).count
        kernelPlane = try Shape(kernelSize).count
        weightCount = try Shape([outChannels, inChannels / groups, kernelPlane]).count
        _ = try Shape([inChannels, inputPlane]).count
        _ = try Shape([outChannels, outputPlane]).count
        // Every index c = i·s + o + t·e must be representable.
        for d in 0..<r {
            let reach = try Checked.add(try Checked.multiply(outputSize[d], stride[d], "an index"),
                                        try Checked.multiply(kernelSize[d], abs(tapStep[d]), "an index"), "an index")
            _ = try Checked.add(reach, abs(offset[d]), "an index")
        }
    }

    public var rank: Int { inputSize.count }
    public var inChannelsPerGroup: Int { inChannels / groups }
    public var outChannelsPerGroup: Int { outChannels / groups }

    public var domain: Shape { try! Shape(hasChannelAxis ? [inChannels] + inputSize : inputSize) }
    public var codomain: Shape { try! Shape(hasChannelAxis ? [outChannels] + outputSize : outputSize) }
    /// PyTorch's conv weight shape `(C_out, C_in/G, k…)` (without channels for 1-D DSP: `(K)`).
    public var weightShape: [Int] { hasChannelAxis ? [outChannels, inChannelsPerGroup] + kernelSize : kernelSize }

    /// Dimension `d`'s input and output lengths, kernel size, stride, offset and tap step.
    @inlinable
    public func dimension(_ d: Int) -> (n: Int, m: Int, k: Int, s: Int, o: Int, e: Int) {
        (inputSize[d], outputSize[d], kernelSize[d], stride[d], offset[d], tapStep[d])
    }

    /// The input index read by tap `t` for output `i` along dimension `d`, or −1 for a zero sample.
    @inlinable
    public func inputIndex(_ d: Int, output i: Int, tap t: Int) -> Int {
        let c = i * stride[d] + offset[d] + t * tapStep[d]
        let n = inputSize[d]
        if c >= 0 && c < n { return c }
        if boundary == .zero { return -1 }
        let w = c % n
        return w < 0 ? w + n : w
    }

    /// The flat spatial map `T[p·K + τ]` = flat input position read by spatial tap `τ` at flat output
    /// position `p`, or −1: the "named index map" of every direct and materialised form.
    /// - Complexity: `outputPlane · kernelPlane` entries.
    package func spatialMap(budget: MemoryBudget = .default) throws -> [Int32] {
        let count = try Checked.multiply(outputPlane, kernelPlane, "the index map")
        try budget.check("the index map", count: count, elementBytes: 4)
        guard inputPlane <= Int(Int32.max) else { throw ConvAlgebraError.overflow("an input plane exceeds 32-bit indices") }
        return Self.indexTable(extents: outputSize, taps: kernelSize, targets: inputSize) { d, i, t in
            inputIndex(d, output: i, tap: t)
        }
    }

    /// The table of a separable index map, by an ``Odometer`` over (position multi-index, tap multi-index):
    /// `table[p·∏taps + τ]` = the flat target `Σ_d index(d, p_d, τ_d) · stride_d` (row-major over `targets`),
    /// or −1 when any dimension's `index` is −1. One entry for rank 0. The index map of the reference loops
    /// (``spatialMap(budget:)``) and the outer-row tables of ``RowPlan``.
    package static func indexTable(extents: [Int], taps: [Int], targets: [Int],
                                   index: (Int, Int, Int) -> Int) -> [Int32] {
        let r = extents.count
        let positions = extents.reduce(1, *), tapCount = taps.reduce(1, *)
        var table = [Int32](repeating: -1, count: positions * tapCount)
        guard positions > 0, tapCount > 0 else { return table }
        // Per-dimension tables first: the odometer then only adds.
        let perDim: [[Int]] = (0..<r).map { d in
            var t = [Int](repeating: -1, count: extents[d] * taps[d])
            for i in 0..<extents[d] { for k in 0..<taps[d] { t[i * taps[d] + k] = index(d, i, k) } }
            return t
        }
        let strideOf = Odometer.rowMajorStrides(targets)
        var p = Odometer(extents), w = 0
        for _ in 0..<positions {
            var t = Odometer(taps)
            for _ in 0..<tapCount {
                var flat = 0, ok = true
                for d in 0..<r {
                    let c = perDim[d][p.index[d] * taps[d] + t.index[d]]
                    if c < 0 { ok = false; break }
                    flat += c * strideOf[d]
                }
                table[w] = ok ? Int32(flat) : -1
                w += 1
                _ = t.next()
            }
            _ = p.next()
        }
        return table
    }

    /// The taps `lo ..< hi` that read inside the input for output `i` along dimension `d` (all of them
    /// for a circular boundary): solving `0 ≤ i·s + o + t·e < n` for `t` in O(1).
    public func validTaps(_ d: Int, output i: Int) -> Range<Int> {
        let K = kernelSize[d]
        if boundary == .circular { return 0..<K }
        let base = i * stride[d] + offset[d], n = inputSize[d], e = tapStep[d]
        let lo: Int, hi: Int
        if e > 0 {
            lo = IntegerArithmetic.ceilDiv(-base, e); hi = IntegerArithmetic.floorDiv(n - 1 - base, e)
        } else {
            lo = IntegerArithmetic.ceilDiv(base - (n - 1), -e); hi = IntegerArithmetic.floorDiv(base, -e)
        }
        let a = max(lo, 0), b = min(hi, K - 1)
        return a <= b ? a..<(b + 1) : 0..<0
    }

    /// The exact number of terms (non-zero stencil entries before merging duplicates), computed per
    /// dimension without enumerating: a term is valid iff it is valid along every dimension.
    /// Saturates at `Int.max`.
    public var termCount: Int {
        var count = outChannels.multipliedReportingOverflow(by: inChannelsPerGroup)
        for d in 0..<rank {
            var perDim = 0
            for i in 0..<outputSize[d] { perDim += validTaps(d, output: i).count }
            count = count.partialValue.multipliedReportingOverflow(by: perDim)
            if count.overflow { return .max }
        }
        return count.overflow ? .max : count.partialValue
    }

    /// Calls `body(row, column, tap)` for every term of the forward operator (spatial position outermost,
    /// so the valid taps are found once per position for all channels).
    ///
    /// Visits only valid taps (per-dimension ranges from ``validTaps(_:output:)``), so its cost is the
    /// number of terms, and it allocates nothing proportional to the operator.
    package func forEachTerm(_ body: (Int, Int, Int) -> Void) {
        forEachTerm(rows: 0..<(outChannels * outputPlane), body)
    }

    /// The terms of ``forEachTerm(_:)`` whose row `co·M + p` (output channel `co`, flat output position `p`)
    /// lies in `rows`, in the same order, visiting only the positions of those rows: what one process of a
    /// distributed assembly builds. A range inside one channel visits its positions alone; one that spans
    /// channels visits every position once and keeps the channels in range.
    /// - Complexity: O(positions visited · K) to find the valid taps, plus O(1) per term emitted.
    package func forEachTerm(rows: Range<Int>, _ body: (Int, Int, Int) -> Void) {
        let r = rank
        let (M, N, K) = (outputPlane, inputPlane, kernelPlane)
        let (cig, cog) = (inChannelsPerGroup, outChannelsPerGroup)
        let rows = rows.clamped(to: 0..<(outChannels * M))
        guard M > 0, K > 0, !rows.isEmpty else { return }
        let firstChannel = rows.lowerBound / M, lastChannel = (rows.upperBound - 1) / M
        let positions = firstChannel == lastChannel
            ? (rows.lowerBound - firstChannel * M)..<(rows.upperBound - firstChannel * M) : 0..<M
        let inStride = Odometer.rowMajorStrides(inputSize), kStride = Odometer.rowMajorStrides(kernelSize)
        var p = Odometer(outputSize)
        var rest = positions.lowerBound
        for d in Swift.stride(from: r - 1, through: 0, by: -1) { p.index[d] = rest % outputSize[d]; rest /= outputSize[d] }
        var ranges = [Range<Int>](repeating: 0..<0, count: r)
        // (flat input position, flat tap) of the valid taps of the current output position.
        var cells: [(c: Int, tau: Int)] = []
        for flatP in positions {
            defer { _ = p.next() }
            for d in 0..<r { ranges[d] = validTaps(d, output: p.index[d]) }
            cells.removeAll(keepingCapacity: true)
            // The valid taps: an odometer over the ranges' lengths, offset by their lower bounds.
            var t = Odometer(ranges.map(\.count))
            for _ in 0..<t.count {
                var c = 0, tau = 0
                for d in 0..<r {
                    let tap = ranges[d].lowerBound + t.index[d]
                    c += inputIndex(d, output: p.index[d], tap: tap) * inStride[d]; tau += tap * kStride[d]
                }
                cells.append((c, tau))
                _ = t.next()
            }
            guard !cells.isEmpty else { continue }
            for co in firstChannel...lastChannel {
                let g = co / cog, row = co * M + flatP
                guard rows.contains(row) else { continue }
                for ci in 0..<cig {
                    let col0 = (g * cig + ci) * N, tap0 = (co * cig + ci) * K
                    for cell in cells { body(row, col0 + cell.c, tap0 + cell.tau) }
                }
            }
        }
    }
}
