import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// `b * (a * x) = (b * a) * x`: two stride-1 convolutions with nothing between are one convolution with the
/// convolved kernel (channels: `W[co, ci] = Σ_m W_b[co, m] * W_a[m, ci]`), taken where that is cheaper (a 3-tap
/// kernel twice is 6 multiply-adds per output, once fused 5; a 3×3 twice is 18, fused 25: not taken).
///
/// Derivation (per dimension, offsets `o_a, o_b`, signed tap steps `e_a, e_b`, `g = gcd(|e_a|, |e_b|)`):
/// ```
/// y[i] = Σ_{t_b} q_b[t_b] (a x)[i + o_b + t_b e_b] = Σ_{t_b, t_a} q_b[t_b] q_a[t_a] x[i + o_a + o_b + t_a e_a + t_b e_b]
/// ```
/// one convolution with taps at the offsets `δ = t_a e_a + t_b e_b` (step `g`). It equals the chain only where `b`
/// reads `a`'s output inside `0 ..< m_a` or where `a` has no tap inside the input (a `full` `a`): outside, the chain
/// reads a zero that the fused kernel would not — so the rule checks every such position and declines otherwise.
/// One group each (grouped chains mix channels differently).
public struct ConvolutionChainFusion: RewriteRule {
    public init() {}
    public var identity: String { "q₂ * (q₁ * x) = (q₂ * q₁) * x" }

    public func match<S: BLASScalar>(_ factors: ArraySlice<any LinearOperator<S>>) -> RewriteMatch<S>? {
        guard factors.count >= 2, let a = factors.first as? Convolution<S>,
              let b = factors.dropFirst().first as? Convolution<S> else { return nil }
        let (ga, gb) = (a.geometry, b.geometry), r = ga.rank
        guard ga.boundary == .zero, gb.boundary == .zero, ga.stride.allSatisfy({ $0 == 1 }), gb.stride.allSatisfy({ $0 == 1 }),
              ga.groups == 1, gb.groups == 1, ga.hasChannelAxis == gb.hasChannelAxis, gb.rank == r, a.codomain == b.domain,
              (0..<r).allSatisfy({ Self.readsOnlyDefinedSamples(ga, gb, $0) }) else { return nil }
        let step = (0..<r).map { gcd(abs(ga.tapStep[$0]), abs(gb.tapStep[$0])) }
        let sign = (0..<r).map { gb.tapStep[$0] < 0 ? -1 : 1 }
        // δ range per dimension, and the fused tap of δ: (δ − low)/g for a positive step, (high − δ)/g for a negative one.
        let reach = (0..<r).map { d -> (lo: Int, hi: Int) in
            let ends = [0, (ga.kernelSize[d] - 1) * ga.tapStep[d]].map { x in [0, (gb.kernelSize[d] - 1) * gb.tapStep[d]].map { x + $0 } }.flatMap { $0 }
            return (ends.min()!, ends.max()!)
        }
        let size = (0..<r).map { (reach[$0].hi - reach[$0].lo) / step[$0] + 1 }
        guard let fusedGeometry = regeometry(
                ga, inputSize: ga.inputSize, outputSize: gb.outputSize, kernelSize: size,
                offset: (0..<r).map { ga.offset[$0] + gb.offset[$0] + (sign[$0] > 0 ? reach[$0].lo : reach[$0].hi) },
                tapStep: (0..<r).map { sign[$0] * step[$0] }, inChannels: ga.inChannels, outChannels: gb.outChannels),
              (try? MemoryBudget.default.check("the fused kernel", count: fusedGeometry.weightCount, elementBytes: MemoryLayout<S>.stride)) != nil
        else { return nil }
        let strides = Odometer.rowMajorStrides(size)
        let (ta, tb) = (Odometer.indices(ga.kernelSize), Odometer.indices(gb.kernelSize))
        let (ci, cm, co, K) = (ga.inChannels, ga.outChannels, gb.outChannels, fusedGeometry.kernelPlane)
        var v = [S](repeating: 0, count: fusedGeometry.weightCount)
        for (ib, tbi) in tb.enumerated() {
            for (ia, tai) in ta.enumerated() {
                let cell = (0..<r).reduce(0) { acc, d in
                    let delta = tai[d] * ga.tapStep[d] + tbi[d] * gb.tapStep[d]
                    return acc + (sign[d] > 0 ? delta - reach[d].lo : reach[d].hi - delta) / step[d] * strides[d]
                }
                for o in 0..<co {
                    for m in 0..<cm {
                        let wb = b.taps[(o * cm + m) * gb.kernelPlane + ib]
                        for i in 0..<ci { v[(o * ci + i) * K + cell] += wb * a.taps[(m * ci + i) * ga.kernelPlane + ia] }
                    }
                }
            }
        }
        guard let fused = try? Convolution(geometry: fusedGeometry, taps: v, tapsAreSymbols: a.tapsAreSymbols) else { return nil }
        return RewriteMatch(consumed: 2, replacement: [fused])
    }

    /// Whether every position `b` reads along dimension `d` outside `a`'s outputs is one where `a` has no tap
    /// inside its input (so the chain's zero is the fused kernel's zero too).
    static func readsOnlyDefinedSamples(_ a: ConvolutionGeometry, _ b: ConvolutionGeometry, _ d: Int) -> Bool {
        let (_, mb, kb, _, ob, eb) = b.dimension(d)
        guard mb > 0 else { return true }
        let span = [0, (kb - 1) * eb]
        let (lo, hi) = (ob + span.min()!, mb - 1 + ob + span.max()!)
        let ma = a.outputSize[d]
        for j in lo...hi where j < 0 || j >= ma {
            if !a.validTaps(d, output: j).isEmpty { return false }
        }
        return true
    }
}

func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
