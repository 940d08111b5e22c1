import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// `I A = A`: an identity factor is dropped (never the only one).
public struct DropIdentity: RewriteRule {
    public init() {}
    public var identity: String { "I A = A" }

    public func match<S: BLASScalar>(_ factors: ArraySlice<any LinearOperator<S>>) -> RewriteMatch<S>? {
        guard factors.first is Identity<S> else { return nil }
        return RewriteMatch(consumed: 1, replacement: [])
    }
}

/// `↓k ↑k = I`: up-sampling by `k` then down-sampling by `k` with the same phase gives every sample back
/// (`↓k` keeps exactly the positions `↑k` wrote), in any number of dimensions.
public struct CancelSampling: RewriteRule {
    public init() {}
    public var identity: String { "↓k ↑k = I" }

    public func match<S: BLASScalar>(_ factors: ArraySlice<any LinearOperator<S>>) -> RewriteMatch<S>? {
        guard factors.count >= 2, let u = factors.first as? Upsample<S>,
              let d = factors.dropFirst().first as? Downsample<S>, d == u.base else { return nil }
        return RewriteMatch(consumed: 2, replacement: [])
    }
}

/// `↑k ↓k = M_p`: down-sampling then up-sampling with the same factor and phase keeps the samples at phase `p`
/// and zeroes the others, one ``PhaseMask`` (one pass instead of two).
public struct MaskSampling: RewriteRule {
    public init() {}
    public var identity: String { "↑k ↓k = mask" }

    public func match<S: BLASScalar>(_ factors: ArraySlice<any LinearOperator<S>>) -> RewriteMatch<S>? {
        guard factors.count >= 2, let d = factors.first as? Downsample<S>,
              let u = factors.dropFirst().first as? Upsample<S>, u.base == d else { return nil }
        return RewriteMatch(consumed: 2, replacement: [PhaseMask(sampling: d)])
    }
}

/// The spatial factors and phases of a sampling over a convolution's samples: the factors after the channel axis
/// (which must be kept whole: factor 1, phase 0), or all of them for a 1-D DSP signal. Nil when the shapes differ.
func spatialSampling<S>(_ d: Downsample<S>, over g: ConvolutionGeometry, shape: Shape) -> (factors: [Int], phases: [Int])? {
    guard d.inputSize == shape.dims else { return nil }
    if g.hasChannelAxis {
        guard d.factors[0] == 1, d.phases[0] == 0 else { return nil }
        return (Array(d.factors.dropFirst()), Array(d.phases.dropFirst()))
    }
    return (d.factors, d.phases)
}

/// The sample extents of a geometry's side with its channel axis, as ``Downsample`` takes them.
func sampleFactors(_ g: ConvolutionGeometry, _ spatial: [Int], channelValue: Int) -> [Int] {
    g.hasChannelAxis ? [channelValue] + spatial : spatial
}

/// A copy of `g` with new sizes, offsets, tap steps, kernel and channels (the rest kept); nil when invalid.
func regeometry(_ g: ConvolutionGeometry, inputSize: [Int], outputSize: [Int], kernelSize: [Int]? = nil, stride: [Int]? = nil,
                offset: [Int], tapStep: [Int], inChannels: Int? = nil, outChannels: Int? = nil) -> ConvolutionGeometry? {
    try? ConvolutionGeometry(inputSize: inputSize, outputSize: outputSize, kernelSize: kernelSize ?? g.kernelSize,
                             stride: stride ?? g.stride, offset: offset, tapStep: tapStep, boundary: g.boundary,
                             inChannels: inChannels ?? g.inChannels, outChannels: outChannels ?? g.outChannels,
                             groups: g.groups, hasChannelAxis: g.hasChannelAxis)
}

/// Non-negative `a mod k`.
func modulo(_ a: Int, _ k: Int) -> Int { let r = a % k; return r < 0 ? r + k : r }
