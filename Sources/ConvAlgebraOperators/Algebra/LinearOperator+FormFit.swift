import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// Whether one form of an operator fits a memory budget, from the sizes its budget checks compare, computed
/// without materialising anything: what a memory-budget error of ``LinearOperator/apply(_:form:budget:)`` names as
/// the forms that would fit.
package enum FormFit: Equatable, Sendable {
    /// Every allocation the form budgets fits; the associated value is the largest, in bytes.
    case fits(Int)
    /// One allocation is over the budget: its bytes (`Int.max` when the size overflows).
    case exceeds(Int)
    /// Not known without building it (a sparse product's terms, say): never named as fitting.
    case unknown
}

extension LinearOperator {
    /// Whether `form` fits `budget` for `batch` samples: the largest single allocation among those its budget
    /// checks compare (the budget is per allocation, ``MemoryBudget``).
    ///
    /// - every form: the output, `batch · codomain.count` scalars;
    /// - direct: a ``Composed``'s two intermediate buffers, `2 · batch ·` the widest intermediate;
    /// - dense: the `m × n` matrix (and for a ``Composed``, each factor's CSR matrix it multiplies);
    /// - sparse: the row offsets, `m + 1` indices, and `nnz` terms of two indices and two scalars each, with
    ///   `nnz` known in O(the parameters) for convolutions, ↓k/↑k, paddings and phase masks (an enumeration for
    ///   the others would take time in proportion to the terms, so their sparse form is ``FormFit/unknown``).
    /// - Complexity: O(the factors + the convolutions' output extents); nothing is allocated.
    package func fit(_ form: Form, batch: Int, budget: MemoryBudget) -> FormFit {
        let s = MemoryLayout<Scalar>.stride
        func bytes(_ factors: Int...) -> Int {
            factors.reduce(1) { p, f in let (r, o) = p.multipliedReportingOverflow(by: f); return o ? .max : r }
        }
        var largest = bytes(batch, codomain.count, s)
        var known = true
        func need(_ b: Int?) { if let b { largest = Swift.max(largest, b) } else { known = false } }
        let chain = self as? Composed<Scalar>
        switch resolved(form) {
        case .direct, .auto:
            if let chain { need((try? chain.scratchCount(batch: batch)).map { bytes($0, s) } ?? .max) }
        case .dense:
            let (m, n) = matrixSize
            need(bytes(m, n, s))
            if let chain { for f in chain.factors { need(f.sparseBytes) } } else if !(self is any StencilOperator) { need(nil) }
        case .sparse:
            if let chain { for f in chain.factors { need(f.sparseOffsetBytes) }; need(nil) } else { need(sparseBytes) }
        }
        if largest == .max || largest > budget.bytes { return .exceeds(largest) }
        return known ? .fits(largest) : .unknown
    }

    /// The bytes of the CSR matrix's row offsets, `(m + 1) · 8`: what any sparse form checks first (a transposed
    /// convolution's builder also holds its forward's, `(n + 1) · 8`).
    private var sparseOffsetBytes: Int {
        let rows = self is TransposedConvolution<Scalar> ? Swift.max(matrixSize.rows, matrixSize.columns) : matrixSize.rows
        let (r, o) = (rows &+ 1).multipliedReportingOverflow(by: MemoryLayout<Int>.stride)
        return o || rows == .max ? .max : r
    }

    /// The larger of the row offsets and the terms of the CSR matrix, or nil when the term count is not known
    /// without enumerating the terms.
    private var sparseBytes: Int? {
        guard let nnz = cheapTermCount else { return nil }
        let (t, o) = nnz.multipliedReportingOverflow(by: 2 * MemoryLayout<Int32>.stride + 2 * MemoryLayout<Scalar>.stride)
        return Swift.max(sparseOffsetBytes, o ? .max : t)
    }

    /// The stencil's term count where it is a formula in the parameters (or a loop over one output extent per
    /// dimension), nil where ``StencilOperator/termCount`` would enumerate every term.
    private var cheapTermCount: Int? {
        switch self {
        case let c as Convolution<Scalar>: return c.termCount
        case let t as TransposedConvolution<Scalar>: return t.termCount
        case let d as Downsample<Scalar>: return d.termCount
        case let u as Upsample<Scalar>: return u.termCount
        case let p as ZeroPadding<Scalar>: return p.termCount
        case let c as Crop<Scalar>: return c.termCount
        case let p as BorderPadding<Scalar>: return p.termCount
        case let f as BorderFold<Scalar>: return f.termCount
        case let p as PhaseMask<Scalar>: return p.termCount
        default: return nil
        }
    }

    /// The end of a memory-budget error of `refused`: the other forms that fit, with the bytes each needs, or
    /// that none does (with what is known of each), in one parenthesis.
    package func budgetHint(refused: Form, batch: Int, budget: MemoryBudget) -> String {
        let others = Form.concrete.filter { $0 != resolved(refused) }
        let fits = others.compactMap { f -> (Form, Int)? in
            if case .fits(let b) = fit(f, batch: batch, budget: budget) { return (f, b) } else { return nil }
        }
        switch fits.count {
        case 0:
            let each = others.map { f -> String in
                switch fit(f, batch: batch, budget: budget) {
                case .exceeds(let b): return "\(f) \(b == .max ? "overflows" : "needs at least \(b) bytes")"
                default: return "\(f) unknown without building it"
                }
            }
            return "no other form is known to fit: " + each.joined(separator: ", ")
        case 1: return "the \(fits[0].0) form fits: \(fits[0].1) bytes"
        default: return "the \(fits[0].0) and \(fits[1].0) forms fit: \(fits[0].1) and \(fits[1].1) bytes"
        }
    }
}
