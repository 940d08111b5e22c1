import ConvAlgebraCore
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// Gathers the facts of an ``Explanation`` from the operator, the ``Rewriter``, ``FormChooser`` and the plans.
enum ExplanationBuilder {
    static func explain<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int, budget: MemoryBudget) -> Explanation {
        let given = (op as? Composed<S>)?.factors ?? [op]
        let rewriting = (op as? Composed<S>)?.rewriting ?? Rewriter.standard.rewrite(given)
        let rewritten = (op as? Composed<S>).map { $0.rewritten } ?? rewriting.factors
        var choice = FormChooser.choose(op, batch: batch)
        if op is Composed<S> {
            // A chain has no stencil of its own: its direct form runs the rewritten factors, each priced by the planner.
            let parts = rewritten.map { FormChooser.choose($0, batch: batch).estimates[.direct] }
            if parts.allSatisfy({ $0 != nil }) {
                choice = FormChooser.Choice(form: .direct, reason: "a chain: its direct form runs the rewritten factors, "
                                            + "each priced by the planner's direct estimate", estimates: [.direct: parts.reduce(0) { $0 + $1! }])
            }
        }
        let (nnz, source) = nonzeros(op, budget: budget)
        return Explanation(
            notation: notation(op), kernels: kernels(given) + (rewriting.changed ? kernels(rewritten, fused: true) : []),
            domain: op.domain, codomain: op.codomain, nonzeros: nnz, nonzerosSource: source,
            transpose: notation(op.anyTransposed, kernel: "q\u{303}", flipped: "q"), batch: batch, form: choice.form, formReason: choice.reason,
            estimates: choice.estimates, directKernels: rewritten.map(directKernel),
            work: OperatorCost.work(given), rewrittenWork: OperatorCost.work(rewritten),
            factors: given.map { Notation.expression($0, applied: "·") },
            rewrittenFactors: rewritten.map { Notation.expression($0, applied: "·") },
            rewrittenNotation: Notation.chain(rewritten), rewrites: rewriting.steps)
    }

    /// `y = …`, and for a transposed convolution also the reference's derivation `= (↓k (q̃ *))ᵀ x`.
    /// `kernel` names the convolving kernel, `flipped` its flip (`q`, `q̃`; swapped for the transpose's line).
    static func notation<S: BLASScalar>(_ op: any LinearOperator<S>, kernel: String = "q", flipped: String = "q\u{303}") -> String {
        let y = "y = " + Notation.expression(op, applied: "x", kernel: kernel)
        if let t = op as? TransposedConvolution<S>, Notation.hasKernel(t) {
            return y + " = " + Notation.transposedForm(t.geometry, kernel: flipped)
        }
        return y
    }

    /// The kernels' meaning: `q = flip(W)` for a layer's correlation, the DSP taps as given, fused kernels.
    static func kernels<S: BLASScalar>(_ factors: [any LinearOperator<S>], fused: Bool = false) -> [String] {
        let named = factors.filter { Notation.hasKernel($0) }
        return named.enumerated().map { i, f in
            let name = named.count > 1 ? "q" + Notation.subscriptDigits(i + 1) : "q"
            let (g, transposed): (ConvolutionGeometry, Bool) = switch f {
            case let t as TransposedConvolution<S>: (t.geometry, true)
            case let c as Convolution<S>: (c.geometry, false)
            case let w as WeightGradient<S>: (w.geometry, false)
            default: ((f as! TransposedWeightGradient<S>).base.geometry, false)
            }
            let shape = "(" + g.weightShape.map(String.init).joined(separator: ", ") + ")"
            if fused { return "(after rewriting) \(name): a kernel of shape \(shape), made by the rewrite below" }
            var text = ""
            // A forward tap step > 0 correlates: the convolving kernel is the weight flipped; a transposed
            // convolution of such a geometry convolves with the weight itself.
            let flipped = (g.tapStep.first ?? 1) > 0 ? !transposed : transposed
            if !g.hasChannelAxis {
                // A DSP kernel: the taps as given (reversed for the transpose of a convolution).
                let names = (0..<g.weightCount).map { "q\($0)" }
                let shown = g.weightCount <= 8 ? " = (" + (flipped ? names.reversed() : names).joined(separator: " ") + ")" : ""
                text += "\(name)\(shown), \(flipped ? "the reversed kernel" : "the kernel as given") of \(g.weightCount) taps"
            } else {
                text += flipped ? "\(name) = flip(W), W of shape \(shape)" : "\(name) = W, of shape \(shape)"
            }
            if g.groups > 1 { text += ", \(g.groups) groups" }
            return text
        }
    }

    /// The stored entries: the stencil's count when its terms are at distinct positions (no materialising: a
    /// zero-boundary convolution, its transpose, the kernel-free stencils), else the CSR matrix built under
    /// `budget` (a circular wrap or linear interpolation's clamped edges put two terms on one entry).
    static func nonzeros<S: BLASScalar>(_ op: any LinearOperator<S>, budget: MemoryBudget) -> (Int?, String) {
        let geometry = (op as? Convolution<S>)?.geometry ?? (op as? TransposedConvolution<S>)?.geometry
        let merges = geometry.map { $0.boundary != .zero } ?? (op is Interpolation<S> || op is InterpolationTranspose<S>)
        if !merges, let n = FormChooser.storedEntries(op) { return (n, "counted from the stencil, not materialised") }
        do {
            return (try op.sparse(budget: budget).nonzeroCount, "of the CSR matrix, materialised under the memory budget")
        } catch {
            return (nil, "not computed: \(error)")
        }
    }

    /// The kernel a convolution's plan runs (built once and cached by the operator), else the operator's loops.
    static func directKernel<S: BLASScalar>(_ op: any LinearOperator<S>) -> String {
        if let c = op as? Convolution<S> { return c.directPlan.kernel.name }
        if let t = op as? TransposedConvolution<S> { return t.directPlan.kernel.name }
        if op is NearestUpsampling<S> { return "nearest up-sampling rows" }
        return "the loops of " + Notation.expression(op, applied: "·")
    }
}
