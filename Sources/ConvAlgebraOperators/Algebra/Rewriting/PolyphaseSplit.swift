import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The polyphase split of a strided convolution, `↓k (q * x) = Σ_p q_p * ↓k(shift_p x)`: the taps are grouped by
/// the input phase `p` they read, and each group is a stride-1 convolution of the phase-`p` component of `x`.
///
/// Derivation (per dimension; stride `k`, offset `o`, signed tap step `e`): tap `t` reads
/// `x[i·k + o + t·e] = x[(i + (o + t·e − p)/k)·k + p]` with `p = (o + t·e) mod k`, so the taps of one phase are
/// `t₀, t₀ + k′, t₀ + 2k′, …` (`k′ = k / gcd(|e|, k)`), a convolution of `↓k(shift_p x)` with offset
/// `(o + t₀·e − p)/k` and tap step `e·k′/k`. N-D: one term per tuple of phases; channels and groups are kept.
///
/// As a *form*: it does the same multiply-adds as the strided convolution (whose direct kernels already compute
/// only the kept outputs) plus a copy of each phase and an add per output and phase, so ``OperatorCost`` prices it
/// higher and the ``Rewriter`` shows it declined; it is taken when a cost model prices the stride-1 kernels lower.
public struct PolyphaseSplit: RewriteRule {
    public init() {}
    public var identity: String { "↓k (q * x) = Σ_p q_p * ↓k(shift_p x)" }

    public func match<S: BLASScalar>(_ factors: ArraySlice<any LinearOperator<S>>) -> RewriteMatch<S>? {
        guard let c = factors.first as? Convolution<S>, let split = try? Self.split(c) else { return nil }
        return RewriteMatch(consumed: 1, replacement: [split])
    }

    /// The sum of the phases' terms `q_p * ↓k(shift_p x)`, each a ``Composed`` of a ``Downsample`` and a stride-1
    /// ``Convolution``; nil for a stride-1 or circular convolution.
    /// - Complexity: O(K) per dimension to group the taps by phase (independent of the stride), then one term per
    ///   tuple of phases that some tap reads (at most the kernel's cells), each gathering its taps.
    public static func split<S: BLASScalar>(_ c: Convolution<S>) throws -> Sum<S>? {
        let g = c.geometry, r = g.rank
        guard g.boundary == .zero, g.stride.contains(where: { $0 > 1 }) else { return nil }
        // The phases' kernels hold the taps once between them.
        try MemoryBudget.default.check("the polyphase kernels", count: g.weightCount, elementBytes: MemoryLayout<S>.stride)
        // Per dimension, per phase p: the taps reading it (ascending), the phase-p length, offset and tap step.
        typealias Phase = (p: Int, taps: [Int], length: Int, offset: Int, step: Int)
        var perDim: [[Phase]] = []
        for d in 0..<r {
            let (n, _, K, k, o, e) = g.dimension(d)
            // Grouped from the taps, not by scanning the phases 0..<k: a stride can be ~2⁴¹ (the polyphase split is
            // priced whenever a composition's direct form is first run, before any budget check), the taps are few.
            var tapsOfPhase: [Int: [Int]] = [:]
            for t in 0..<K { let p = modulo(o + t * e, k); if p < n { tapsOfPhase[p, default: []].append(t) } }
            let phases: [Phase] = tapsOfPhase.keys.sorted().map { p in
                let taps = tapsOfPhase[p]!, t0 = taps[0]
                let step = taps.count > 1 ? (taps[1] - t0) * e / k : e
                return (p, taps, (n - p - 1) / k + 1, (o + t0 * e - p) / k, step == 0 ? 1 : step)
            }
            guard !phases.isEmpty else { return nil }
            perDim.append(phases)
        }
        var terms: [any LinearOperator<S>] = []
        let (cOut, cIn) = (g.outChannels, g.inChannelsPerGroup)
        var choice = Odometer(perDim.map(\.count))
        for _ in 0..<choice.count {
            defer { _ = choice.next() }
            let ph = (0..<r).map { perDim[$0][choice.index[$0]] }
            let down = try Downsample<S>(factors: sampleFactors(g, g.stride, channelValue: 1),
                                         phases: sampleFactors(g, ph.map(\.p), channelValue: 0), inputSize: c.domain.dims)
            let sub = try ConvolutionGeometry(
                inputSize: ph.map(\.length), outputSize: g.outputSize, kernelSize: ph.map(\.taps.count),
                stride: Array(repeating: 1, count: r), offset: ph.map(\.offset), tapStep: ph.map(\.step), boundary: .zero,
                inChannels: g.inChannels, outChannels: g.outChannels, groups: g.groups, hasChannelAxis: g.hasChannelAxis)
            // The sub-kernel: the taps of this phase tuple, gathered from W[co, ci, t…].
            let strides = Odometer.rowMajorStrides(g.kernelSize)
            let cells = Odometer.sums(sub.kernelSize) { d, j in ph[d].taps[j] * strides[d] }
            var w = [S](); w.reserveCapacity(sub.weightCount)
            for pair in 0..<(cOut * cIn) { for cell in cells { w.append(c.taps[pair * g.kernelPlane + cell]) } }
            let conv = try Convolution(geometry: sub, taps: w, tapsAreSymbols: c.tapsAreSymbols)
            terms.append(try Composed([down, conv], rewriting: false))
        }
        return try Sum(terms)
    }
}
