import ConvAlgebraCore
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators

/// What `operator.explain()` says about an operator: its structure in the reference text's notation
/// (docs/Notation.md), its shapes, non-zeros and density, its transpose, the form ``FormChooser`` would apply it
/// in and the direct kernel its plan runs, with the estimated cost, and for a chain the factors before and after
/// the ``Rewriter``.
///
/// ``description`` is the text `convalgebra explain` prints; the fields are the same facts, structured.
public struct Explanation: Sendable, CustomStringConvertible {
    /// The first line: `y = ↓2 (q * x)`, `y = q * (↑2 x) = (↓2 (q̃ *))ᵀ x`, a chain's nested factors.
    public let notation: String
    /// What the kernel symbols stand for (`q = flip(W), W (4, 4, 3, 3)`, `(1 1) * q = (q0, q0+q1, q1+q2, q2)`).
    public let kernels: [String]
    public let domain: Shape
    public let codomain: Shape
    /// The stored entries of the matrix, and how they were found (the stencil's count, without materialising; the
    /// CSR matrix of a chain, materialised under the budget), or nil with the reason.
    public let nonzeros: Int?
    public let nonzerosSource: String
    /// The transpose in the same notation.
    public let transpose: String
    /// The batch the form was chosen for.
    public let batch: Int
    /// ``FormChooser``'s choice, its reason, and the estimates in seconds (empty when it has no stencil to count).
    public let form: Form
    public let formReason: String
    public let estimates: [Form: Double]
    /// The direct kernel each factor's plan runs (`ConvolutionPlan`'s kernel), in application order; a factor
    /// without a convolution plan is listed by its notation with `loops`.
    public let directKernels: [String]
    /// ``OperatorCost``'s work per sample (multiply-adds and moves), as given and after rewriting.
    public let work: Double
    public let rewrittenWork: Double
    /// For a chain (or an operator a rule applies to): the factors as given and after rewriting, in the notation,
    /// application order, and the rewrites considered.
    public let factors: [String]
    public let rewrittenFactors: [String]
    public let rewrittenNotation: String
    public let rewrites: [RewriteStep]

    /// The matrix density `nnz / (m·n)`.
    public var density: Double? {
        guard let nnz = nonzeros else { return nil }
        let size = Double(domain.count) * Double(codomain.count)
        return size > 0 ? Double(nnz) / size : 0
    }

    /// The estimated seconds of the chosen form (nil without estimates).
    public var estimatedSeconds: Double? { estimates[form] }

    public var description: String {
        var lines = [notation]
        lines += kernels.map { "  where " + $0 }
        lines.append("domain \(domain) → codomain \(codomain): a \(codomain.count) × \(domain.count) matrix")
        if let nnz = nonzeros, let d = density {
            lines.append("nnz \(nnz) (\(nonzerosSource)), density \(Self.percent(d))")
        } else {
            lines.append("nnz: \(nonzerosSource)")
        }
        lines.append("transpose: " + transpose)
        var form = "form (batch \(batch)): \(self.form.rawValue)"
        if let t = estimatedSeconds { form += ", estimated \(Self.time(t))" }
        lines.append(form + " — " + formReason)
        lines.append("direct kernel: " + directKernels.joined(separator: " → "))
        if factors.count > 1 { lines.append("factors (application order): " + factors.joined(separator: " ; ")) }
        for s in rewrites {
            lines.append("\(s.applied ? "rewrite" : "declined") \(s.identity): \(s.before) ⇒ \(s.after)"
                         + " (work \(Self.count(s.costBefore)) → \(Self.count(s.costAfter))\(s.applied ? "" : ": not cheaper"))")
        }
        if factors.count > 1 || rewrites.contains(where: \.applied) {
            lines.append("after rewriting: " + rewrittenFactors.joined(separator: " ; "))
            lines.append("  y = " + rewrittenNotation)
        }
        lines.append("work per sample: \(Self.count(work)) multiply-adds and moves" + (rewrittenWork < work ? ", \(Self.count(rewrittenWork)) after rewriting" : ""))
        return lines.joined(separator: "\n")
    }

    static func percent(_ d: Double) -> String {
        d >= 0.001 ? String(Double(Int((d * 1000).rounded())) / 10) + " %" : "\(Int((d * 1e6).rounded())) ppm"
    }

    static func time(_ t: Double) -> String {
        t >= 1e-3 ? "\(Double(Int((t * 1e5).rounded())) / 100) ms" : "\(Double(Int((t * 1e8).rounded())) / 100) µs"
    }

    static func count(_ w: Double) -> String {
        w >= 1e6 ? "\(Double(Int((w / 1e4).rounded())) / 100)M" : w >= 1e3 ? "\(Double(Int((w / 10).rounded())) / 100)k" : "\(Int(w.rounded()))"
    }
}

extension LinearOperator {
    /// The operator explained (``Explanation``): the notation, shapes, non-zeros (counted from the stencil when
    /// possible, else the CSR matrix materialised under `budget`), the transpose, the form for `batch` samples and
    /// the direct kernel, and for a chain the rewrites.
    public func explain(batch: Int = 1, budget: MemoryBudget = .default) -> Explanation {
        ExplanationBuilder.explain(self, batch: batch, budget: budget)
    }
}
