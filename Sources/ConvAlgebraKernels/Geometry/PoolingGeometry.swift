import ConvAlgebraCore
import ConvAlgebraBackends

/// The window geometry of PyTorch's `avg_pool` / `max_pool` 1d/2d/3d on one sample `(C, *S)`.
///
/// Along each spatial dimension, output `i` reads the window of input indices
/// ```
/// c = i·s − p + t·d,   t = 0 ..< k          (s = stride, p = padding, d = dilation)
/// ```
/// Indices outside `0 ..< n` are padding: zeros for average pooling, `−∞` for max pooling.
/// Channels are independent (a depthwise operator: `groups = C`).
///
/// The output length is PyTorch's `pooling_output_shape` (aten/src/ATen/native/Pool.h):
/// ```
/// L = ⌊(n + 2p − d·(k−1) − 1 + (ceil ? s−1 : 0)) / s⌋ + 1
/// if ceil and (L−1)·s ≥ n + p: L −= 1     // the last window must start inside the input or the left padding
/// ```
public struct PoolingGeometry: Hashable, Sendable {
    /// The channel count `C` (each channel is pooled on its own).
    public let channels: Int
    /// The spatial input extents `n` per dimension.
    public let inputSize: [Int]
    /// The window extents `k`.
    public let kernelSize: [Int]
    /// The strides `s` (PyTorch's default: the kernel size).
    public let stride: [Int]
    /// The symmetric paddings `p`.
    public let padding: [Int]
    /// The dilations `d` (max pooling only; 1 for average pooling).
    public let dilation: [Int]
    /// Whether the output length rounds up (PyTorch's `ceil_mode`).
    public let ceilMode: Bool
    /// The spatial output extents `L`.
    public let outputSize: [Int]

    /// A pooling geometry; every list holds one value per spatial dimension, or a single value used for all.
    ///
    /// - Parameters:
    ///   - stride: `nil` means the kernel size, as in PyTorch.
    ///   - padding: at most half the kernel size, `p ≤ ⌊k/2⌋`, whatever the dilation: PyTorch checks this in
    ///     every pooling (`max_pool1d`, `pool2d_shape_check`, `pool3d_shape_check`), besides the weaker
    ///     `p ≤ (d·(k−1)+1)/2` of `pooling_output_shape`.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for a zero or negative kernel size, stride or
    ///   dilation, negative padding, padding above half the kernel size, an empty input, an output
    ///   with no window (the kernel larger than the padded input), or lists of the wrong length.
    public init(channels: Int, inputSize: [Int], kernelSize: [Int], stride: [Int]? = nil, padding: [Int] = [0],
                dilation: [Int] = [1], ceilMode: Bool = false) throws {
        let r = inputSize.count
        guard r >= 1 else { throw ConvAlgebraError.invalidArgument("pooling needs at least one spatial dimension") }
        guard channels >= 1 else { throw ConvAlgebraError.invalidArgument("pooling needs at least one channel, got \(channels)") }
        func spread(_ v: [Int], _ name: String) throws -> [Int] {
            if v.count == r { return v }
            if v.count == 1 { return Array(repeating: v[0], count: r) }
            throw ConvAlgebraError.invalidArgument(
                "the \(name) has \(v.count) values, but the input has \(r) spatial dimensions")
        }
        let k = try spread(kernelSize, "kernel size"), s = try spread(stride ?? k, "stride")
        let p = try spread(padding, "padding"), d = try spread(dilation, "dilation")
        guard k.allSatisfy({ $0 >= 1 }) else { throw ConvAlgebraError.invalidArgument("kernel sizes must be positive, got \(k)") }
        guard s.allSatisfy({ $0 >= 1 }) else { throw ConvAlgebraError.invalidArgument("strides must be positive, got \(s)") }
        guard d.allSatisfy({ $0 >= 1 }) else { throw ConvAlgebraError.invalidArgument("dilations must be positive, got \(d)") }
        guard p.allSatisfy({ $0 >= 0 }) else { throw ConvAlgebraError.invalidArgument("paddings must be non-negative, got \(p)") }
        guard inputSize.allSatisfy({ $0 >= 1 }) else {
            throw ConvAlgebraError.invalidArgument("pooling needs a non-empty input, got spatial size \(inputSize)")
        }
        var out = [Int]()
        for i in 0..<r {
            let effective = try Checked.add(try Checked.multiply(d[i], k[i] - 1, "the effective kernel size"), 1, "the effective kernel size")
            // pool2d/pool3d_shape_check and max_pool1d: `kW / 2 >= padW` (the dilation does not widen it).
            let limit = k[i] / 2
            guard p[i] <= limit else {
                throw ConvAlgebraError.invalidArgument(
                    "padding \(p[i]) is more than half of the kernel (kernel size \(k[i]), dilation \(d[i])): at most \(limit) is allowed")
            }
            let L = try Self.outputLength(inputLength: inputSize[i], kernelSize: k[i], stride: s[i], padding: p[i],
                                          dilation: d[i], ceilMode: ceilMode)
            guard L >= 1 else {
                throw ConvAlgebraError.invalidArgument(
                    "the kernel (effective size \(effective)) is larger than the padded input (\(inputSize[i]) + 2·\(p[i])) along dimension \(i)")
            }
            out.append(L)
        }
        self.channels = channels; self.inputSize = inputSize; self.kernelSize = k; self.stride = s
        self.padding = p; self.dilation = d; self.ceilMode = ceilMode; self.outputSize = out
        _ = try Shape([channels] + inputSize)
        _ = try Shape([channels] + out)
        _ = try Shape(k)
        _ = try ConvolutionGeometry(inputSize: inputSize, outputSize: out, kernelSize: k, stride: s, offset: p.map { -$0 }, tapStep: d)  // planeGeometry's try! cannot fail
        try MemoryBudget.default.check("the pooling window bounds of \(out)", count: try Checked.multiply(try out.reduce(0) { try Checked.add($0, $1, "the pooling window bounds") }, 2, "the pooling window bounds"), elementBytes: MemoryLayout<Int>.stride)  // PoolingWindows' start/count lists, before an operator allocates them
    }

    /// PyTorch's `pooling_output_shape_pad_lr` with `pad_l = pad_r = p` (aten/src/ATen/native/Pool.h).
    ///
    /// `⌊(n + 2p − d·(k−1) − 1 + (ceil ? s−1 : 0)) / s⌋ + 1` (floor division, as `div_rtn`), minus one in
    /// ceil mode when the last window would start at or past `n + p`, i.e. entirely in the right padding.
    public static func outputLength(inputLength n: Int, kernelSize k: Int, stride s: Int, padding p: Int,
                                    dilation d: Int, ceilMode: Bool) throws -> Int {
        let numerator = try Checked.add(n, 2 * p - d * (k - 1) - 1 + (ceilMode ? s - 1 : 0), "the pooled length")
        var L = floorDivide(numerator, s) + 1
        if ceilMode && (L - 1) * s >= n + p { L -= 1 }
        return L
    }

    package static func floorDivide(_ a: Int, _ b: Int) -> Int { IntegerArithmetic.floorDiv(a, b) }

    /// The number of spatial dimensions.
    public var rank: Int { inputSize.count }
    /// One sample's input shape `(C, *n)`.
    public var domain: Shape { try! Shape([channels] + inputSize) }
    /// One sample's output shape `(C, *L)`.
    public var codomain: Shape { try! Shape([channels] + outputSize) }

    /// The single-channel index geometry `c = i·s + (−p) + t·d` (a correlation: tap step `+d`), whose
    /// flat index map lists each window's input positions in PyTorch's loop order (row-major taps).
    package var planeGeometry: ConvolutionGeometry {
        try! ConvolutionGeometry(inputSize: inputSize, outputSize: outputSize, kernelSize: kernelSize, stride: stride,
                                 offset: padding.map { -$0 }, tapStep: dilation)
    }

    /// The flat spatial map of ``planeGeometry``: entry `p·K + τ` is the input position of tap `τ` of
    /// window `p`, or −1 in the padding.
    package func windowMap(budget: MemoryBudget = .default) throws -> [Int32] {
        try planeGeometry.spatialMap(budget: budget)
    }
}

/// The in-range part of every window, per dimension, padded to three dimensions (`D, H, W`; missing
/// leading dimensions have extent 1): output `i` along a dimension reads `count[i]` inputs
/// `start[i], start[i] + d, …` — the loop bounds of PyTorch's kernels (`while (ih0 < 0) ih0 += dilation`).
package struct PoolingWindows: Sendable, Equatable {
    package let inputSize: [Int], outputSize: [Int], dilation: [Int]
    package let start: [[Int]], count: [[Int]]
    /// The window extents `k`, strides `s` and paddings `p`, padded to three dimensions like the rest.
    package let kernelSize: [Int], stride: [Int], padding: [Int]
    /// The outputs along the last dimension whose whole window lies inside the input
    /// (`0 ≤ i·s − p` and `i·s − p + (k−1)·d < n`): the row kernels' vector interior.
    package let interior: Range<Int>

    /// `nil` beyond three spatial dimensions (the flat-map kernels handle those).
    package init?(_ g: PoolingGeometry) {
        guard g.rank <= 3 else { return nil }
        let pad = 3 - g.rank
        let n = Array(repeating: 1, count: pad) + g.inputSize, L = Array(repeating: 1, count: pad) + g.outputSize
        let k = Array(repeating: 1, count: pad) + g.kernelSize, s = Array(repeating: 1, count: pad) + g.stride
        let p = Array(repeating: 0, count: pad) + g.padding, d = Array(repeating: 1, count: pad) + g.dilation
        var start = [[Int]](), count = [[Int]]()
        for a in 0..<3 {
            var st = [Int](), ct = [Int]()
            for i in 0..<L[a] {
                let i0 = i * s[a] - p[a]
                // First tap at or after 0, last tap before n.
                let tFirst = i0 >= 0 ? 0 : (-i0 + d[a] - 1) / d[a]
                let tLast = min(k[a] - 1, i0 > n[a] - 1 ? -1 : (n[a] - 1 - i0) / d[a])
                st.append(i0 + tFirst * d[a]); ct.append(max(0, tLast - tFirst + 1))
            }
            start.append(st); count.append(ct)
        }
        inputSize = n; outputSize = L; dilation = d
        self.start = start; self.count = count
        kernelSize = k; stride = s; padding = p
        // First i with i·s ≥ p; one past the last i with i·s − p + (k−1)·d ≤ n − 1 (floor division: the
        // numerator is negative when the effective window is longer than the input plus its left padding).
        let lo = min((p[2] + s[2] - 1) / s[2], L[2])
        let hi = PoolingGeometry.floorDivide(n[2] - 1 + p[2] - (k[2] - 1) * d[2], s[2]) + 1
        interior = lo..<max(lo, min(hi, L[2]))
    }
}
