import ConvAlgebraCore
import ConvAlgebraKernels
import ConvAlgebraOperators

/// What a measured plan is for, besides the machine and the threads: the operator (its kind and geometry,
/// not its weights), the batch and the scalar type.
public struct PlanKey: Sendable, Hashable {
    /// `conv …` or `conv-transpose …` followed by the geometry: channels and groups, input and output sizes,
    /// kernel, stride, offset, tap step and boundary.
    public let `operator`: String
    public let batch: Int
    /// `float32` or `float64`.
    public let dtype: String

    /// The key of `op` applied to `batch` samples; nil for an operator the planner keeps no wisdom for (only
    /// convolutions and their transposes are described by a geometry; other operators are estimated).
    public init?<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int) {
        let geometry: ConvolutionGeometry, kind: String
        if let c = op as? Convolution<S> { (geometry, kind) = (c.geometry, "conv") }
        else if let t = op as? TransposedConvolution<S> { (geometry, kind) = (t.geometry, "conv-transpose") }
        else { return nil }
        guard S.self == Float.self || S.self == Double.self else { return nil }
        self.operator = kind + " " + Self.describe(geometry)
        self.batch = max(batch, 1)
        dtype = S.self == Float.self ? "float32" : "float64"
    }

    /// `c16->16 g1 in16x16 out16x16 k3x3 s1x1 o-1x-1 e1x1 zero` (with `nochannel` for a DSP geometry).
    static func describe(_ g: ConvolutionGeometry) -> String {
        func dims(_ a: [Int]) -> String { a.map(String.init).joined(separator: "x") }
        return "c\(g.inChannels)->\(g.outChannels) g\(g.groups) in\(dims(g.inputSize)) out\(dims(g.outputSize)) "
            + "k\(dims(g.kernelSize)) s\(dims(g.stride)) o\(dims(g.offset)) e\(dims(g.tapStep)) \(g.boundary.rawValue)"
            + (g.hasChannelAxis ? "" : " nochannel")
    }
}
