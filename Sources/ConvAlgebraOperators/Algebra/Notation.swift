import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// An operator written in the reference text's notation (docs/Notation.md): `q * x`, `↓k`, `↑k = ↓kᵀ`, the
/// transposed convolution `q * (↑k x) = (↓k (q̃ *))ᵀ x`, nearest up-sampling `(1 … 1) * (↑k x)`.
///
/// ``expression(_:applied:kernel:)`` writes the operator applied to an argument (`x`, or a factor's
/// expression), so a chain reads as the nested application of its factors: `q * ((1 1) * (↑2 x))`.
/// `q` always names the kernel that *convolves* in the formula: a DSP kernel as given, PyTorch's
/// conv weight flipped (`conv` correlates: `W ⋆ x = flip(W) * x`), and PyTorch's conv-transpose weight as given.
public enum Notation {
    /// `y = …` for `op` applied to `x`.
    public static func equation<S: BLASScalar>(_ op: any LinearOperator<S>) -> String {
        "y = " + expression(op, applied: "x")
    }

    /// The operator applied to `arg`; `kernel` names the kernel (`q`, or `q₁`, `q₂` in a chain).
    public static func expression<S: BLASScalar>(_ op: any LinearOperator<S>, applied arg: String, kernel: String = "q") -> String {
        switch op {
        case let c as Convolution<S>:
            // The transpose of nearest up-sampling: the k-box sum.
            if let k = nearestUpsamplingFactors(c.transposed) { return "\(down(k)) (\(box(k)) * \(wrap(arg)))" }
            return convolution(c.geometry, arg, kernel)
        case let t as TransposedConvolution<S>:
            if let k = nearestUpsamplingFactors(t) { return "\(box(k)) * (\(up(k)) \(wrap(arg)))" }
            return transposedConvolution(t.geometry, arg, kernel)
        case let u as NearestUpsampling<S>:
            return "\(box(u.scale)) * (\(up(u.scale)) \(wrap(arg)))"
        case let u as NearestUpsamplingTranspose<S>:
            return "\(down(u.base.scale)) (\(box(u.base.scale)) * \(wrap(arg)))"
        case let i as Interpolation<S>:
            guard let k = i.integerScale else { return "Λ[\(sizes(i.inputSize))→\(sizes(i.outputSize))] \(wrap(arg))" }
            return "Λ\(subscripted(k)) * (\(up(k)) \(wrap(arg)))"
        case let i as InterpolationTranspose<S>:
            guard let k = i.base.integerScale else {
                return "Λ[\(sizes(i.base.inputSize))→\(sizes(i.base.outputSize))]ᵀ \(wrap(arg))"
            }
            return "\(down(k)) (Λ\(subscripted(k)) * \(wrap(arg)))"
        case let d as Downsample<S>:
            return sampling(down(d.factors), phaseText(d.factors, d.phases), arg, transpose: false)
        case let u as Upsample<S>:
            return sampling(up(u.factors), phaseText(u.factors, u.phases), arg, transpose: true)
        case let m as PhaseMask<S>:
            return "\(up(m.sampling.factors)) \(down(m.sampling.factors)) \(wrap(arg))"
        case let p as AveragePooling<S>:
            return "\(poolStride(p.geometry))(\(box(p.geometry.kernelSize)) * \(pad(p.geometry.padding, arg)) / \(divisor(p)))"
        case let p as AveragePoolingTranspose<S>:
            return "(\(expression(p.base, applied: "·")))ᵀ \(wrap(arg))"
        case let z as ZeroPadding<S>:
            return "pad(\(amounts(z.geometry.begin, z.geometry.end))) \(wrap(arg))"
        case let c as Crop<S>:
            return "crop(\(amounts(c.base.geometry.begin, c.base.geometry.end))) \(wrap(arg))"
        case let b as BorderPadding<S>:
            return "pad_\(b.geometry.mode.rawValue)(\(amounts(b.geometry.begin, b.geometry.end))) \(wrap(arg))"
        case let f as BorderFold<S>:
            return "pad_\(f.base.geometry.mode.rawValue)(\(amounts(f.base.geometry.begin, f.base.geometry.end)))ᵀ \(wrap(arg))"
        case is Selection<S>:
            return "S \(wrap(arg))"
        case is SelectionTranspose<S>:
            return "Sᵀ \(wrap(arg))"
        case let w as WeightGradient<S>:
            return "(\(kernel) ↦ \(convolution(w.geometry, "x₀", kernel))) \(wrap(arg))"
        case let w as TransposedWeightGradient<S>:
            return "(\(kernel) ↦ \(convolution(w.base.geometry, "x₀", kernel)))ᵀ \(wrap(arg))"
        case is Identity<S>:
            return arg
        case let s as Sum<S>:
            return "Σ[" + s.terms.map { expression($0, applied: arg, kernel: kernel) }.joined(separator: " + ") + "]"
        case let c as Composed<S>:
            return chain(c.factors, arg, kernel: kernel)
        default:
            if let s = op as? any ScaledOperator<S> { return "\(s.scaleText) · " + wrap(expression(s.scaledBase, applied: arg, kernel: kernel)) }
            return "A \(wrap(arg))"
        }
    }

    /// The factors applied in turn; kernels are numbered `q₁, q₂, …` in application order when more than one
    /// factor has one (`kernel` names them: `q̃` in a transpose's line).
    public static func chain<S: BLASScalar>(_ factors: [any LinearOperator<S>], _ arg: String = "x", kernel: String = "q") -> String {
        let kernels = factors.filter { hasKernel($0) }.count
        var expr = arg, k = 0
        for f in factors {
            var name = kernel
            if hasKernel(f) { k += 1; if kernels > 1 { name = kernel + subscriptDigits(k) } }
            expr = expression(f, applied: expr, kernel: name)
        }
        return expr
    }

    /// Whether the operator's formula names a learnable kernel `q`.
    public static func hasKernel<S: BLASScalar>(_ op: any LinearOperator<S>) -> Bool {
        if let t = op as? TransposedConvolution<S> { return nearestUpsamplingFactors(t) == nil }
        if let c = op as? Convolution<S> { return nearestUpsamplingFactors(c.transposed) == nil }
        return op is WeightGradient<S> || op is TransposedWeightGradient<S>
    }

    // MARK: - Convolutions

    /// `↓s ((↑d q) * pad(p) x)`; circular boundaries convolve circularly (`⊛`).
    static func convolution(_ g: ConvolutionGeometry, _ arg: String, _ q: String) -> String {
        let star = g.boundary == .circular ? "⊛" : "*"
        let dilation = g.tapStep.map(abs)
        let kernel = dilation.allSatisfy { $0 == 1 } ? q : "(\(up(dilation)) \(q))"
        let input = g.hasChannelAxis && g.boundary == .zero ? pad(layerPadding(g), arg) : wrap(arg)
        let inner = "\(kernel) \(star) \(input)".trimmingSuffixSpaces
        return g.stride.allSatisfy({ $0 == 1 }) ? inner : "\(down(g.stride)) (\(inner))"
    }

    /// `q * (↑s x)`, the transpose of `↓s (q̃ * ·)` (cropped by the forward padding).
    static func transposedConvolution(_ g: ConvolutionGeometry, _ arg: String, _ q: String) -> String {
        let star = g.boundary == .circular ? "⊛" : "*"
        let dilation = g.tapStep.map(abs)
        let kernel = dilation.allSatisfy { $0 == 1 } ? q : "(\(up(dilation)) \(q))"
        let upsampled = g.stride.allSatisfy({ $0 == 1 }) ? wrap(arg) : "(\(up(g.stride)) \(wrap(arg)))"
        let inner = "\(kernel) \(star) \(upsampled)"
        guard g.hasChannelAxis, g.boundary == .zero else { return inner }
        let p = layerPadding(g)
        return p.begin.allSatisfy({ $0 == 0 }) && p.end.allSatisfy({ $0 == 0 }) ? inner : "crop(\(amounts(p.begin, p.end))) (\(inner))"
    }

    /// The transpose of a transposed convolution written as the reference derives it: `(↓s (q̃ *))ᵀ x`.
    public static func transposedForm(_ g: ConvolutionGeometry, kernel q: String = "q\u{303}") -> String {
        "(" + convolution(g, "", q) + ")ᵀ x"
    }

    /// The zero padding a layer geometry reads past its input: `−o` before, the reach past the end after (written
    /// as much as the begin when it reads less: padding that is never read does not change the operator).
    static func layerPadding(_ g: ConvolutionGeometry) -> (begin: [Int], end: [Int]) {
        let begin = g.offset.map { max(-$0, 0) }
        let end = (0..<g.rank).map { d -> Int in
            let (n, m, k, s, o, e) = g.dimension(d)
            guard m > 0 else { return begin[d] }
            let reach = max((m - 1) * s + o + (k - 1) * abs(e) - (n - 1), 0)
            return reach < begin[d] ? begin[d] : reach
        }
        return (begin, end)
    }

    // MARK: - Pieces

    static func sampling(_ op: String, _ phase: String?, _ arg: String, transpose: Bool) -> String {
        guard let p = phase else { return "\(op) \(wrap(arg))" }
        return transpose ? "shift₋\(subscriptDigits(p)) (\(op) \(wrap(arg)))" : "\(op) (shift\(subscriptDigits(p)) \(wrap(arg)))"
    }

    /// The phases as `shift_p` writes them (leading axes kept whole dropped), or nil for phase 0.
    static func phaseText(_ factors: [Int], _ phases: [Int]) -> String? {
        guard phases.contains(where: { $0 != 0 }) else { return nil }
        var (k, p) = (factors, phases)
        while k.count > 1, k[0] == 1, p[0] == 0 { k.removeFirst(); p.removeFirst() }
        return p.count == 1 ? String(p[0]) : "(" + p.map(String.init).joined(separator: ",") + ")"
    }

    static func pad(_ p: (begin: [Int], end: [Int]), _ arg: String) -> String {
        p.begin.allSatisfy({ $0 == 0 }) && p.end.allSatisfy({ $0 == 0 }) ? wrap(arg) : "pad(\(amounts(p.begin, p.end))) \(wrap(arg))".trimmingSuffixSpaces
    }

    static func pad(_ symmetric: [Int], _ arg: String) -> String { pad((symmetric, symmetric), arg) }

    static func poolStride(_ g: PoolingGeometry) -> String {
        g.stride.allSatisfy({ $0 == 1 }) ? "" : "\(down(g.stride)) "
    }

    static func divisor<S>(_ p: AveragePooling<S>) -> String {
        if let d = p.divisorOverride { return String(d) }
        return p.countIncludePad || p.geometry.padding.allSatisfy({ $0 == 0 }) ? String(p.geometry.kernelSize.reduce(1, *)) : "|window ∩ x|"
    }

    /// `(1 1)` for a box of 2, `(1 1)⊗(1 1 1)` for a 2×3 box.
    public static func box(_ k: [Int]) -> String {
        let sizes = k.allSatisfy({ $0 == k[0] }) && k.count > 1 ? [k[0]] : k
        let one = sizes.map { "(" + Array(repeating: "1", count: $0).joined(separator: " ") + ")" }
        return k.count > 1 && sizes.count == 1 ? one[0] + "^⊗\(k.count)" : one.joined(separator: "⊗")
    }

    public static func down(_ k: [Int]) -> String { "↓" + compact(k) }
    public static func up(_ k: [Int]) -> String { "↑" + compact(k) }

    /// `2` for `[2, 2]` or `[1, 2, 2]` (a channel axis kept whole), `(1,2,3)` otherwise.
    static func compact(_ values: [Int]) -> String {
        var v = values
        while v.count > 1, v[0] == 1, v.dropFirst().contains(where: { $0 != 1 }) { v.removeFirst() }
        return v.allSatisfy({ $0 == v[0] }) ? String(v[0]) : "(" + v.map(String.init).joined(separator: ",") + ")"
    }

    /// Padding amounts: `1` when every axis pads 1 on both sides, `(1,2)` per axis, `1,2; 0,1` begin,end per axis.
    static func amounts(_ begin: [Int], _ end: [Int]) -> String {
        if begin == end { return begin.allSatisfy({ $0 == begin[0] }) ? String(begin[0]) : "(" + begin.map(String.init).joined(separator: ",") + ")" }
        return zip(begin, end).map { "\($0),\($1)" }.joined(separator: "; ")
    }

    static func subscripted(_ k: [Int]) -> String { subscriptDigits(compact(k)) }

    /// `x` and single tokens as they are, anything longer in parentheses.
    public static func wrap(_ arg: String) -> String {
        arg.contains(" ") && !(arg.hasPrefix("(") && arg.hasSuffix(")") && balanced(arg.dropFirst().dropLast())) ? "(\(arg))" : arg
    }

    private static func balanced(_ s: Substring) -> Bool {
        var depth = 0
        for ch in s { if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1; if depth < 0 { return false } } }
        return depth == 0
    }

    package static func subscriptDigits(_ n: Int) -> String { subscriptDigits(String(n)) }

    static func subscriptDigits(_ s: String) -> String {
        let digits = Array("₀₁₂₃₄₅₆₇₈₉")
        return String(s.map { c in c.wholeNumberValue.map { digits[$0] } ?? (c == "," ? "," : c) })
    }
}

/// A scaled operator seen without its base type (``Scaled`` is generic over the base), for the notation.
public protocol ScaledOperator<Scalar>: LinearOperator {
    var scaledBase: any LinearOperator<Scalar> { get }
    var scaleText: String { get }
}

extension Scaled: ScaledOperator {
    public var scaledBase: any LinearOperator<Scalar> { base }
    public var scaleText: String { "\(scale)" }
}

/// A ``TransposedConvolution`` that is nearest-neighbour up-sampling, `(1 … 1) * (↑k x)`: an all-ones kernel of
/// size `k` and stride `k` per dimension, offset 0, one channel per group (what
/// ``TransposedConvolution/nearestNeighbourUpsampling(factor:inputLength:)`` and ``NearestUpsampling`` build).
package func nearestUpsamplingFactors<S: BLASScalar>(_ t: TransposedConvolution<S>) -> [Int]? {
    let g = t.geometry
    guard g.kernelSize == g.stride, g.offset.allSatisfy({ $0 == 0 }), g.tapStep.allSatisfy({ $0 == 1 }),
          g.boundary == .zero, g.inChannels == g.outChannels, g.groups == g.inChannels,
          zip(g.inputSize, zip(g.outputSize, g.stride)).allSatisfy({ $0 == $1.0 * $1.1 }),
          t.taps.allSatisfy({ $0 == 1 }) else { return nil }
    return g.stride
}

extension Notation {
    /// Max pooling, the reference's "non-linear down-sampler": `y = ↓s (max[K] (pad₋∞(p) x))`, its window's
    /// maximum (dilated by `d`) at every `s`-th position; padding reads −∞.
    public static func maxPooling(kernel: [Int], stride: [Int], padding: [Int], dilation: [Int]) -> String {
        var window = "max[" + compactWindow(kernel) + "]"
        if dilation.contains(where: { $0 != 1 }) { window += "(\(up(dilation)))" }
        let input = padding.allSatisfy({ $0 == 0 }) ? "x" : "pad₋∞(\(compact(padding))) x"
        let inner = "\(window) \(wrap(input))"
        return "y = " + (stride.allSatisfy({ $0 == 1 }) ? inner : "\(down(stride)) (\(inner))")
    }

    /// `3×3` for a 3×3 window, `3` for a 1-D one.
    static func compactWindow(_ k: [Int]) -> String { k.map(String.init).joined(separator: "×") }
}

extension String {
    /// The string without trailing spaces (an operator written without its argument: `(↓2 (q *))ᵀ`).
    var trimmingSuffixSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

/// Axis lengths as `4×6`, for a resize whose ratio is not a whole number.
private func sizes(_ n: [Int]) -> String { n.map(String.init).joined(separator: "×") }
