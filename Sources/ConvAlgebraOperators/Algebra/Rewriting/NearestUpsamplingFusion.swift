import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The reference text's fusion: nearest-neighbour up-sampling by `k`, `(1 … 1) * (↑k x)`, followed by a stride-1
/// convolution `q`, is **one transposed convolution** with the kernel `(1 … 1) * q` (per dimension: the N-D box is
/// separable), `(1 1) * (q0 q1 q2) = (q0, q0+q1, q1+q2, q2)`.
///
/// Derivation (per dimension; `z = ↑k x`, the box `u[j] = Σ_{s<k} z[j − s]` is nearest up-sampling on all of ℤ,
/// zero outside `0 ..< nk` exactly as the convolution's zero padding reads it; `o`, `e` the convolution's offset
/// and signed tap step):
/// ```
/// y[i] = Σ_t q[t] u[i + o + t·e] = Σ_{t,s} q[t] z[i + o + t·e − s]   ⇒   y[i] += q[t] · x[c]  for  i = c·k − o − t·e + s
/// ```
/// which is the transpose of a stride-`k` convolution with offset `−o + min_t(−t·e)`, tap step 1 and the taps
/// `V[τ] = Σ_{−t·e + s − min = τ} q[t]` (length `(K − 1)|e| + k`). Channels: the box is depthwise, so
/// `V[c_in, c_out, τ]` collects `W[c_out, c_in, t]` (the transposed convolution's weight layout), groups kept. The
/// output is the convolution's, whatever its padding (PyTorch's `padding`, `same`), so the matrices are equal.
public struct NearestUpsamplingFusion: RewriteRule {
    public init() {}
    public var identity: String { "q * ((1 … 1) * (↑k x)) = ((1 … 1) * q) * (↑k x)" }

    public func match<S: BLASScalar>(_ factors: ArraySlice<any LinearOperator<S>>) -> RewriteMatch<S>? {
        guard factors.count >= 2, let c = factors.dropFirst().first as? Convolution<S>,
              let k = Self.nearestFactors(factors.first!) else { return nil }
        let g = c.geometry
        guard g.boundary == .zero, g.stride.allSatisfy({ $0 == 1 }), factors.first!.codomain == c.domain, k.count == g.rank,
              let fused = Self.fused(c, k) else { return nil }
        let kernel = "(\(Notation.box(k)) * q)"
        var notation = "\(kernel) * (\(Notation.up(k)) ·)"
        if g.rank == 1, g.weightCount == g.kernelSize[0], g.kernelSize[0] <= 8 {
            let entries = KernelFusion.fused(Array(repeating: 1.0, count: k[0]), symbolicKernelLength: g.kernelSize[0])
            notation += ", \(Notation.box(k)) * q = (" + entries.map { "\($0)" }.joined(separator: ", ") + ")"
        }
        return RewriteMatch(consumed: 2, replacement: [fused], notation: notation)
    }

    /// The factors of a nearest up-sampling operator (``NearestUpsampling``, or the transposed convolution with the
    /// ones kernel of ``TransposedConvolution/nearestNeighbourUpsampling(factor:inputLength:)``).
    static func nearestFactors<S: BLASScalar>(_ op: any LinearOperator<S>) -> [Int]? {
        if let n = op as? NearestUpsampling<S> { return n.scale }
        if let t = op as? TransposedConvolution<S> { return nearestUpsamplingFactors(t) }
        return nil
    }

    /// The transposed convolution `((1 … 1) * q) * (↑k ·)` equal to nearest up-sampling by `k` then `c`.
    static func fused<S: BLASScalar>(_ c: Convolution<S>, _ k: [Int]) -> TransposedConvolution<S>? {
        let g = c.geometry, r = g.rank
        let shortSize = zip(g.inputSize, k).map { $0 / $1 }
        let lowest = (0..<r).map { g.tapStep[$0] > 0 ? -(g.kernelSize[$0] - 1) * g.tapStep[$0] : 0 }
        let size = (0..<r).map { (g.kernelSize[$0] - 1) * abs(g.tapStep[$0]) + k[$0] }
        guard let base = regeometry(g, inputSize: g.outputSize, outputSize: shortSize, kernelSize: size, stride: k,
                                    offset: (0..<r).map { -g.offset[$0] + lowest[$0] }, tapStep: Array(repeating: 1, count: r),
                                    inChannels: g.outChannels, outChannels: g.inChannels),
              // The fused kernel, and the box's flat offsets (Πk ≤ its cells) beside it.
              (try? MemoryBudget.default.check("the fused kernel", count: base.weightCount,
                                               elementBytes: MemoryLayout<S>.stride + MemoryLayout<Int>.stride)) != nil
        else { return nil }
        var v = [S](repeating: 0, count: base.weightCount)
        let (cin, cout, G) = (g.inChannels / g.groups, g.outChannels / g.groups, g.groups)
        let fusedStrides = Odometer.rowMajorStrides(size)
        // The fused tap of (t, s): τ_d = −t_d·e_d + s_d − lowest_d, per dimension.
        // The box's cells as flat offsets, once (one Int each, not an index array per cell and tap).
        let taps = Odometer.indices(g.kernelSize), box = Odometer.sums(k) { d, s in s * fusedStrides[d] }
        for (tFlat, t) in taps.enumerated() {
            let reach = (0..<r).reduce(0) { $0 + (-t[$1] * g.tapStep[$1] - lowest[$1]) * fusedStrides[$1] }
            for grp in 0..<G {
                for ol in 0..<cout {
                    for il in 0..<cin {
                        let w = c.taps[((grp * cout + ol) * cin + il) * g.kernelPlane + tFlat]
                        let row = ((grp * cin + il) * cout + ol) * base.kernelPlane
                        for s in box { v[row + reach + s] += w }
                    }
                }
            }
        }
        return try? TransposedConvolution(geometry: base, taps: v, tapsAreSymbols: c.tapsAreSymbols)
    }
}
