import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The first noble identity, `↓k ((↑k q) * x) = q * (↓k x)`: a convolution whose taps are `k` apart (dilated by
/// `k`), followed by `↓k`, is `↓k` (at the phase the kept outputs read) followed by the undilated convolution on
/// `k`× fewer samples per dimension.
///
/// Derivation (per dimension; stride 1, zero boundary, `e = k·e′` the tap step, `o` the offset, `p` the phase):
/// ```
/// (↓k y)[j] = y[jk + p] = Σ_t q[t] x[jk + p + o + t·e′k] = Σ_t q[t] x[(j + o″ + t·e′)·k + p′]
///           p′ = (p + o) mod k,   o″ = (p + o − p′)/k
/// ```
/// and `x[c k + p′]` is inside `0 ..< n` exactly when `c` is inside `0 ..< ⌈(n − p′)/k⌉`, the length of `↓k`'s output.
public struct NobleDownsampling: RewriteRule {
    public init() {}
    public var identity: String { "↓k ((↑k q) * x) = q * (↓k x)" }

    public func match<S: BLASScalar>(_ factors: ArraySlice<any LinearOperator<S>>) -> RewriteMatch<S>? {
        guard factors.count >= 2, let c = factors.first as? Convolution<S>,
              let d = factors.dropFirst().first as? Downsample<S> else { return nil }
        let g = c.geometry
        guard g.boundary == .zero, g.stride.allSatisfy({ $0 == 1 }),
              let (k, p) = spatialSampling(d, over: g, shape: c.codomain), k.contains(where: { $0 > 1 }),
              zip(g.tapStep, k).allSatisfy({ $0 % $1 == 0 }) else { return nil }
        let newPhase = (0..<g.rank).map { modulo(p[$0] + g.offset[$0], k[$0]) }
        let newOffset = (0..<g.rank).map { (p[$0] + g.offset[$0] - newPhase[$0]) / k[$0] }
        guard let down = try? Downsample<S>(factors: sampleFactors(g, k, channelValue: 1),
                                            phases: sampleFactors(g, newPhase, channelValue: 0), inputSize: c.domain.dims),
              let ng = regeometry(g, inputSize: Array(down.outputSize.suffix(g.rank)), outputSize: Array(d.outputSize.suffix(g.rank)),
                                  offset: newOffset, tapStep: zip(g.tapStep, k).map { $0 / $1 }),
              let conv = try? Convolution(geometry: ng, taps: c.taps, tapsAreSymbols: c.tapsAreSymbols) else { return nil }
        return RewriteMatch(consumed: 2, replacement: [down, conv])
    }
}

/// The second noble identity, `(↑k q) * (↑k x) = ↑k (q * x)`: `↑k` followed by a convolution whose taps are `k`
/// apart is the undilated convolution on the short signal followed by `↑k` (at the phase the non-zero outputs
/// fall on): the inserted zeros are never multiplied.
///
/// Derivation (per dimension; `z = ↑k x` with phase `p`, tap step `e = k·e′`, offset `o`):
/// ```
/// y[i] = Σ_t q[t] z[i + o + t·e′k] ≠ 0 only for i ≡ r = (p − o) mod k;   y[jk + r] = Σ_t q[t] x[j + o″ + t·e′],
///        o″ = (r + o − p)/k
/// ```
/// so `y = ↑k` (phase `r`, length `m`) of the convolution with offset `o″` and tap step `e′` on `x`.
public struct NobleUpsampling: RewriteRule {
    public init() {}
    public var identity: String { "(↑k q) * (↑k x) = ↑k (q * x)" }

    public func match<S: BLASScalar>(_ factors: ArraySlice<any LinearOperator<S>>) -> RewriteMatch<S>? {
        guard factors.count >= 2, let u = factors.first as? Upsample<S>,
              let c = factors.dropFirst().first as? Convolution<S> else { return nil }
        let g = c.geometry
        guard g.boundary == .zero, g.stride.allSatisfy({ $0 == 1 }),
              let (k, p) = spatialSampling(u.base, over: g, shape: c.domain), k.contains(where: { $0 > 1 }),
              zip(g.tapStep, k).allSatisfy({ $0 % $1 == 0 }) else { return nil }
        let r = (0..<g.rank).map { modulo(p[$0] - g.offset[$0], k[$0]) }
        let newOffset = (0..<g.rank).map { (r[$0] + g.offset[$0] - p[$0]) / k[$0] }
        guard let after = try? Downsample<S>(factors: sampleFactors(g, k, channelValue: 1),
                                             phases: sampleFactors(g, r, channelValue: 0), inputSize: c.codomain.dims),
              let ng = regeometry(g, inputSize: Array(u.domain.dims.suffix(g.rank)), outputSize: Array(after.outputSize.suffix(g.rank)),
                                  offset: newOffset, tapStep: zip(g.tapStep, k).map { $0 / $1 }),
              let conv = try? Convolution(geometry: ng, taps: c.taps, tapsAreSymbols: c.tapsAreSymbols),
              c.codomain.count > 0 else { return nil }
        return RewriteMatch(consumed: 2, replacement: [conv, Upsample(base: after)])
    }
}
