import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The rewriter's cost model: the work of one application to one sample, counted without materialising.
///
/// ```
/// work = multiply-adds + (elements read + elements written) · moveCost
/// ```
/// A kernel operator's multiply-adds are its stencil's terms (``ConvolutionGeometry/termCount``: only the taps
/// that land inside the input, so a strided convolution counts its kept outputs and a transposed one never an
/// inserted zero); a kernel-free stencil (`↓k`, `↑k`, a mask, a padding, nearest up-sampling) only moves data.
/// A composition costs the sum of its factors plus the intermediate they write and read; a sum, its terms plus
/// one add per output and term. The same model decides every rewrite, so a rewrite is taken only when it does
/// strictly less of this work. (The planner's ``FormChooser`` prices the forms of one operator on this machine;
/// this count is machine-free on purpose: a rewrite changes the FLOPs, not the rates.)
public enum OperatorCost {
    /// The cost of moving one element relative to one multiply-add (a load and a store vs. one FMA).
    public static let moveCost = 0.5

    /// The work of one application of `op` to one sample.
    public static func work<S: BLASScalar>(_ op: any LinearOperator<S>) -> Double {
        let io = Double(op.domain.count + op.codomain.count) * moveCost
        switch op {
        case let c as Convolution<S>: return Double(c.geometry.termCount) + io
        case let t as TransposedConvolution<S>:
            if nearestUpsamplingFactors(t) != nil { return io }
            return Double(t.geometry.termCount) + io
        case let c as Composed<S>: return work(c.factors)
        case let s as Sum<S>:
            return s.terms.reduce(0) { $0 + work($1) } + Double((s.terms.count - 1) * s.codomain.count) * (1 + moveCost)
        case is Identity<S>: return io
        case is Downsample<S>, is Upsample<S>, is PhaseMask<S>, is NearestUpsampling<S>, is ZeroPadding<S>, is Crop<S>,
             is BorderPadding<S>, is Selection<S>:
            return io
        default:
            if let s = op as? any ScaledOperator<S> { return work(s.scaledBase) + Double(op.codomain.count) }
            if let st = op as? any StencilOperator { return Double(st.termCount) + io }
            return Double(op.domain.count) * Double(op.codomain.count) + io
        }
    }

    /// The work of applying `factors` in turn (application order).
    public static func work<S: BLASScalar>(_ factors: some Collection<any LinearOperator<S>>) -> Double {
        factors.reduce(0) { $0 + work($1) }
    }
}
