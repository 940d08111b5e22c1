import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// How a padding operator fills the samples it adds outside the input, as PyTorch's `F.pad` and
/// `Conv*d(padding_mode:)` define them. All four are linear maps of the input.
///
/// Along one dimension of length `n`, padded position `j` (input coordinate `c = j − begin`) reads
/// ```
/// zeros:     x[c] if 0 ≤ c < n, else 0
/// circular:  x[c mod n]                      (PyTorch: begin, end ≤ n)
/// reflect:   x[−c] for c < 0, x[2(n−1) − c] for c ≥ n   (the edge is not repeated; begin, end < n)
/// replicate: x[clamp(c, 0, n−1)]
/// ```
public enum PaddingMode: String, CaseIterable, Hashable, Sendable {
    case zeros, circular, reflect, replicate
}

/// The padding of a convolution layer, as PyTorch and ONNX spell it.
public enum LayerPadding: Hashable, Sendable {
    /// Explicit amounts per spatial dimension: `begin[d]` samples before and `end[d]` after.
    case explicit(begin: [Int], end: [Int])
    /// PyTorch's `padding='same'`: per dimension `d·(K−1)` split as begin `⌊·/2⌋`, end the rest.
    /// Requires stride 1 (PyTorch: "padding='same' is not supported for strided convolutions").
    case same
    /// PyTorch's `padding='valid'`: no padding.
    case valid

    /// Symmetric padding from one value (every dimension) or one value per spatial dimension.
    public static func symmetric(_ values: [Int]) -> LayerPadding { .explicit(begin: values, end: values) }

    /// Padding from a list as the CLI takes it: one value (all dimensions, both sides), one per spatial
    /// dimension (symmetric), or `2·rank` values in ONNX order, all begins then all ends.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for any other length or a negative value.
    public static func parse(_ values: [Int], rank: Int) throws -> LayerPadding {
        guard values.allSatisfy({ $0 >= 0 }) else {
            throw ConvAlgebraError.invalidArgument("padding must be non-negative, got \(values)")
        }
        if values.count == 2 * rank && rank > 0 && values.count != 1 {
            return .explicit(begin: Array(values.prefix(rank)), end: Array(values.suffix(rank)))
        }
        let v = try LayerOptions.perDimension(values, rank: rank, name: "padding")
        return .explicit(begin: v, end: v)
    }

    /// The `(begin, end)` amounts for a kernel of `kernelSize` dilated by `dilation` with `stride`.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for a negative amount, a wrong list length, or
    ///   `same` with a stride other than 1.
    public func amounts(kernelSize: [Int], dilation: [Int], stride: [Int]) throws -> (begin: [Int], end: [Int]) {
        let r = kernelSize.count
        switch self {
        case .valid:
            return (Array(repeating: 0, count: r), Array(repeating: 0, count: r))
        case .same:
            guard stride.allSatisfy({ $0 == 1 }) else {
                throw ConvAlgebraError.invalidArgument("padding 'same' is not supported for strided convolutions (stride \(stride)), as in PyTorch")
            }
            var b = [Int](), e = [Int]()
            for d in 0..<r {
                let total = try Checked.multiply(dilation[d], kernelSize[d] - 1, "the 'same' padding")
                b.append(total / 2); e.append(total - total / 2)
            }
            return (b, e)
        case let .explicit(begin, end):
            let b = try LayerOptions.perDimension(begin, rank: r, name: "padding")
            let e = try LayerOptions.perDimension(end, rank: r, name: "padding")
            guard (b + e).allSatisfy({ $0 >= 0 }) else {
                throw ConvAlgebraError.invalidArgument("padding must be non-negative, got begin \(b), end \(e)")
            }
            return (b, e)
        }
    }
}

/// Checks shared by the layer constructors.
public enum LayerOptions {
    /// One value for every dimension, or exactly one value per dimension.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` naming `name` for any other length.
    public static func perDimension(_ values: [Int], rank: Int, name: String) throws -> [Int] {
        if values.count == 1 { return Array(repeating: values[0], count: rank) }
        guard values.count == rank else {
            throw ConvAlgebraError.invalidArgument(
                "\(name) needs one value or one per spatial dimension (\(rank)), got \(values.count): \(values)")
        }
        return values
    }

    /// `perDimension` plus a check that every value is at least 1.
    public static func positive(_ values: [Int], rank: Int, name: String) throws -> [Int] {
        let v = try perDimension(values, rank: rank, name: name)
        guard v.allSatisfy({ $0 >= 1 }) else {
            throw ConvAlgebraError.invalidArgument("\(name) must be positive, got \(values)")
        }
        return v
    }

    /// The convolution output size along one dimension,
    /// ```
    /// ⌊(n + p_b + p_e − d·(K−1) − 1) / s⌋ + 1
    /// ```
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` when the dilated kernel `d·(K−1)+1` is longer
    ///   than the padded input `n + p_b + p_e` (PyTorch: "Kernel size can't be greater than actual input size").
    public static func convolutionOutputSize(input n: Int, begin: Int, end: Int, kernel K: Int,
                                             dilation d: Int, stride s: Int) throws -> Int {
        let padded = try Checked.add(try Checked.add(n, begin, "the padded size"), end, "the padded size")
        let reach = try Checked.add(try Checked.multiply(d, K - 1, "the dilated kernel size"), 1, "the dilated kernel size")
        guard reach <= padded else {
            throw ConvAlgebraError.invalidArgument(
                "the dilated kernel size \(reach) (kernel \(K), dilation \(d)) is larger than the padded input size \(padded)")
        }
        return (padded - reach) / s + 1
    }

    /// Splits one sample's shape `(C, spatial…)`, as every layer takes it (`inputShape`), into its channel count
    /// and spatial extents; the layer checks the values.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when there is no spatial dimension.
    package static func channelsAndSpatial(_ inputShape: [Int], layer: String) throws -> (channels: Int, spatial: [Int]) {
        guard inputShape.count >= 2 else {
            throw ConvAlgebraError.shapeMismatch(
                "\(layer) needs one sample's shape (C, spatial…) with at least one spatial dimension, got \(inputShape)")
        }
        return (inputShape[0], Array(inputShape.dropFirst()))
    }

    /// Checks that `shape` is `[C] + spatial` with `rank` spatial dimensions of positive size.
    package static func checkSampleShape(_ shape: [Int], rank: Int, what: String) throws {
        guard shape.count == rank + 1 else {
            throw ConvAlgebraError.shapeMismatch("\(what) must be one sample's shape (C, spatial…) with \(rank) spatial dimensions, got \(shape)")
        }
        guard shape.allSatisfy({ $0 >= 1 }) else {
            throw ConvAlgebraError.invalidArgument("\(what) must have positive extents, got \(shape)")
        }
    }

    /// The checks both convolution layers make on their weight: a sample shape `(C, spatial…)` with at least one
    /// spatial dimension, a weight of rank `spatial + 2` with positive extents (`channels` names its first two
    /// axes, as `"C_out, C_in/groups"`), holding `weight.count` values, and positive `groups`.
    /// - Returns: the number of spatial dimensions.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` or ``ConvAlgebraError/invalidArgument(_:)`` naming what is wrong.
    package static func checkWeight(inputShape: [Int], weightShape: [Int], weightCount: Int, groups: Int,
                                    layer: String, channels: String) throws -> Int {
        let r = inputShape.count - 1
        guard r >= 1 else {
            throw ConvAlgebraError.shapeMismatch(
                "a \(layer) input sample must be (C, spatial…) with at least one spatial dimension, got \(inputShape)")
        }
        try checkSampleShape(inputShape, rank: r, what: "the input sample shape")
        guard weightShape.count == r + 2 else {
            throw ConvAlgebraError.shapeMismatch(
                "the weight must have rank \(r + 2) (\(channels), \(r) kernel sizes) for a \(r)-D input, got shape \(weightShape)")
        }
        guard weightShape.allSatisfy({ $0 >= 1 }) else {
            throw ConvAlgebraError.invalidArgument("the weight shape must have positive extents (kernel sizes, channels), got \(weightShape)")
        }
        let count = try Shape(weightShape).count
        guard weightCount == count else {
            throw ConvAlgebraError.shapeMismatch("a weight of shape \(weightShape) needs \(count) values, got \(weightCount)")
        }
        guard groups >= 1 else { throw ConvAlgebraError.invalidArgument("groups must be positive, got \(groups)") }
        return r
    }
}
