import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The index geometry of N-D padding: which input sample each padded sample reads.
///
/// Along dimension `d` (input length `n`, `begin`, `end` added samples), padded position `j` reads the
/// input at `src_d(j)` given by the ``PaddingMode`` rule on `c = j − begin` (or nothing: a zero). A
/// padded sample reads the flat input `Σ_d src_d(j_d)·stride_d`; channels (when present) pass through.
/// Every padded sample reads at most one input sample, so the operator matrix has at most one 1 per row:
/// ```
/// P[j, src(j)] = 1            (padding:  y = P x)
/// Pᵀ x̃ [c] = Σ_{j : src(j) = c} x̃[j]   (its transpose folds the border back onto the samples it copied)
/// ```
/// Zero padding's transpose is a ``Crop``; circular, reflect and replicate padding's is a ``BorderFold``.
public struct PaddingGeometry: Hashable, Sendable {
    /// The unpadded spatial extents `n`.
    public let inputSize: [Int]
    public let begin: [Int]
    public let end: [Int]
    public let mode: PaddingMode
    /// The channel count (1 without a channel axis).
    public let channels: Int
    /// Whether sample shapes carry a leading channel axis that passes through unchanged.
    public let hasChannelAxis: Bool
    /// Element counts of one unpadded and one padded plane, checked for overflow once here.
    public let inputPlane: Int, paddedPlane: Int

    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for list lengths that differ, negative amounts,
    ///   an empty input with a non-zero mode, and PyTorch's limits: reflect needs `begin, end < n`,
    ///   circular `begin, end ≤ n`; an overflow error for sizes that do not fit in `Int`.
    public init(inputSize: [Int], begin: [Int], end: [Int], mode: PaddingMode = .zeros,
                channels: Int = 1, hasChannelAxis: Bool = false) throws {
        let r = inputSize.count
        guard begin.count == r, end.count == r else {
            throw ConvAlgebraError.invalidArgument(
                "padding needs one begin and one end per spatial dimension (\(r)), got begin \(begin), end \(end)")
        }
        guard (begin + end).allSatisfy({ $0 >= 0 }) else {
            throw ConvAlgebraError.invalidArgument("padding must be non-negative, got begin \(begin), end \(end)")
        }
        guard inputSize.allSatisfy({ $0 >= 0 }) else { throw ConvAlgebraError.invalidArgument("sizes must be non-negative, got \(inputSize)") }
        guard channels >= 1 else { throw ConvAlgebraError.invalidArgument("the channel count must be positive, got \(channels)") }
        guard hasChannelAxis || channels == 1 else { throw ConvAlgebraError.invalidArgument("channels need a channel axis") }
        for d in 0..<r {
            let n = inputSize[d], b = begin[d], e = end[d]
            switch mode {
            case .zeros: break
            case .replicate:
                guard n >= 1 || b + e == 0 else {
                    throw ConvAlgebraError.invalidArgument("replicate padding needs a non-empty input, dimension \(d) has size 0")
                }
            case .reflect:
                guard b < n || b == 0, e < n || e == 0 else {
                    throw ConvAlgebraError.invalidArgument(
                        "reflect padding (\(b), \(e)) must be smaller than the input size \(n) in dimension \(d), as in PyTorch")
                }
            case .circular:
                guard b <= n, e <= n else {
                    throw ConvAlgebraError.invalidArgument(
                        "circular padding (\(b), \(e)) must be at most the input size \(n) in dimension \(d), as in PyTorch")
                }
            }
        }
        self.inputSize = inputSize; self.begin = begin; self.end = end; self.mode = mode
        self.channels = channels; self.hasChannelAxis = hasChannelAxis
        inputPlane = try Shape(inputSize).count
        let padded = try (0..<r).map { try Checked.add(try Checked.add(inputSize[$0], begin[$0], "a padded size"), end[$0], "a padded size") }
        paddedPlane = try Shape(padded).count
        _ = try Shape([channels, paddedPlane])
    }

    public var rank: Int { inputSize.count }
    /// The padded spatial extents `n + begin + end`.
    public var paddedSize: [Int] { (0..<rank).map { inputSize[$0] + begin[$0] + end[$0] } }

    public var unpaddedShape: Shape { try! Shape(hasChannelAxis ? [channels] + inputSize : inputSize) }
    public var paddedShape: Shape { try! Shape(hasChannelAxis ? [channels] + paddedSize : paddedSize) }

    /// The input index read by padded position `j` along dimension `d`, or −1 for an added zero.
    @inlinable
    public func sourceIndex(_ d: Int, padded j: Int) -> Int {
        let n = inputSize[d], c = j - begin[d]
        if c >= 0 && c < n { return c }
        switch mode {
        case .zeros: return -1
        case .circular: let w = c % n; return w < 0 ? w + n : w
        case .reflect: return c < 0 ? -c : 2 * (n - 1) - c
        case .replicate: return c < 0 ? 0 : n - 1
        }
    }

    /// The flat map `S[p]` = flat input position read by flat padded position `p`, or −1.
    /// - Complexity: `paddedPlane` entries.
    package func sourceMap() -> [Int32] {
        let r = rank, out = paddedSize
        var map = [Int32](repeating: -1, count: paddedPlane)
        guard paddedPlane > 0 else { return map }
        let tables: [[Int]] = (0..<r).map { d in (0..<out[d]).map { sourceIndex(d, padded: $0) } }
        var inStride = [Int](repeating: 1, count: r)
        for d in Swift.stride(from: r - 2, through: 0, by: -1) { inStride[d] = inStride[d + 1] * inputSize[d + 1] }
        var j = [Int](repeating: 0, count: r)
        for p in 0..<paddedPlane {
            var flat = 0, ok = true
            for d in 0..<r {
                let c = tables[d][j[d]]
                if c < 0 { ok = false; break }
                flat += c * inStride[d]
            }
            if ok { map[p] = Int32(truncatingIfNeeded: flat) }
            var d = r - 1
            while d >= 0 { j[d] += 1; if j[d] < out[d] { break }; j[d] = 0; d -= 1 }
        }
        return map
    }

    /// The number of copied samples, counted without enumerating (so that the budget checks and
    /// ``OperatorCost`` see a padding by 2⁴⁰ in O(1)): zero padding copies every input sample once, the other modes
    /// fill every padded sample (none when the input is empty: its padded plane is then empty too).
    public var termCount: Int { channels * (mode == .zeros ? inputPlane : paddedPlane) }

    /// Calls `body(paddedIndex, inputIndex)` for every copied sample (flat over channels), padded rows ascending.
    package func forEachTerm(_ body: (Int, Int) -> Void) {
        let map = sourceMap()
        for ch in 0..<channels {
            let r0 = ch * paddedPlane, c0 = ch * inputPlane
            for p in 0..<paddedPlane where map[p] >= 0 { body(r0 + p, c0 + Int(map[p])) }
        }
    }

    /// The padding operator of this geometry: a ``ZeroPadding`` or a ``BorderPadding`` by mode.
    public func padding<Scalar: BLASScalar>(_: Scalar.Type = Scalar.self) -> any LinearOperator<Scalar> {
        mode == .zeros ? ZeroPadding<Scalar>(geometry: self) as any LinearOperator<Scalar>
                       : BorderPadding<Scalar>(unchecked: self)
    }

    // MARK: - Direct forms

    /// `y[p] = x[S[p]]` (0 where `S[p] = −1`), plane by plane.
    /// - Complexity: `batch · channels · paddedPlane` copies.
    package func gather<S: BLASScalar>(_ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, batch: Int) {
        forEachPlane(batch: batch) { m, job in
            let xp = x + job * inputPlane, yp = y + job * paddedPlane
            for p in 0..<paddedPlane { let c = Int(m[p]); yp[p] = c >= 0 ? xp[c] : 0 }
        }
    }

    /// `x[c] = Σ_{p : S[p] = c} ỹ[p]`: the transpose of ``gather(_:_:batch:)``, plane by plane.
    /// - Complexity: `batch · channels · paddedPlane` additions.
    package func fold<S: BLASScalar>(_ yPadded: UnsafePointer<S>, _ x: UnsafeMutablePointer<S>, batch: Int) {
        forEachPlane(batch: batch) { m, job in
            let yp = yPadded + job * paddedPlane, xp = x + job * inputPlane
            xp.update(repeating: 0, count: inputPlane)
            for p in 0..<paddedPlane { let c = Int(m[p]); if c >= 0 { xp[c] += yp[p] } }
        }
    }

    /// Runs `body(S, plane)` for each of the `batch · channels` planes, across cores when they are many.
    private func forEachPlane(batch: Int, _ body: (UnsafeBufferPointer<Int32>, Int) -> Void) {
        let map = sourceMap()
        map.withUnsafeBufferPointer { m in
            Parallel.forEach(jobs: batch * channels, work: batch * channels * paddedPlane) { job in body(m, job) }
        }
    }
}

// MARK: - The operators

/// A padding operator: `y[j] = x[src(j)]` over a ``PaddingGeometry`` (``ZeroPadding``, ``BorderPadding``).
///
/// Everything but the construction and the transpose's type follows from the geometry, and is written
/// here once: the shapes, the terms `(j, src(j), −1, 1)` and the direct form (``PaddingGeometry``'s gather).
/// The transposes (``Crop``, ``BorderFold``) are the same terms swapped, ``SwappedStencil``s, whose direct
/// form is the geometry's fold.
public protocol PaddingStencil: StencilOperator {
    /// The padding geometry.
    var geometry: PaddingGeometry { get }
}

extension PaddingStencil {
    public var domain: Shape { geometry.unpaddedShape }
    public var codomain: Shape { geometry.paddedShape }
    public var taps: [Scalar] { [] }
    /// The geometry's count, without enumerating.
    public var termCount: Int { geometry.termCount }

    /// Terms `(j, src(j), −1, 1)` for every padded sample that copies an input sample.
    public func forEachTerm(_ body: (Int, Int, Int, Scalar) -> Void) {
        geometry.forEachTerm { p, c in body(p, c, -1, 1) }
    }

    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        geometry.gather(x, y, batch: batch)
    }
}

extension SwappedStencil where Base: PaddingStencil {
    /// The geometry of the padding this is the transpose of.
    public var geometry: PaddingGeometry { base.geometry }

    /// The geometry's fold: each padded sample added back onto the input sample it copied.
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        base.geometry.fold(x, y, batch: batch)
    }
}
