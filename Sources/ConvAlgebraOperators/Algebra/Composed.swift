import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The composition of linear operators, `A = F_{k−1} ⋯ F_1 F_0`.
///
/// Factors are stored in **application order**: `factors[0]` acts on the input first. Nested
/// compositions flatten, adjacent shapes are checked when the composition is made, and the
/// transpose is the reversed composition of transposes, `(BA)ᵀ = AᵀBᵀ`, so `(Aᵀ)ᵀ` has the
/// original factors again.
///
/// Composing applies the algebra's identities: the direct form runs the chain as the ``Rewriter`` leaves it
/// (``rewritten``, built once per composition and kept in its ``PlanCache``) — `↓k ↑k` cancels, a dilated
/// convolution before `↓k` runs on the down-sampled input, nearest up-sampling and a convolution run as one
/// transposed convolution — each rewrite taken only when cheaper and equal by construction. ``factors`` stay as
/// given (what ``Notation`` and `explain` show as "before"); the matrices are their product.
///
/// ```
/// let strided = try Convolution(kernel: q, inputLength: 8, mode: .same).then(Downsample(factor: 2, inputLength: 8))
/// ```
public struct Composed<Scalar: BLASScalar>: LinearOperator {
    /// The factors in application order: `factors[0]` is applied first.
    public let factors: [any LinearOperator<Scalar>]
    /// Whether the direct form runs the rewritten chain (``rewritten``) or the factors as given.
    public let rewrites: Bool
    /// The rewritten chain, and the materialised matrices ``apply(_:form:budget:)`` builds, each built once.
    public let plans = PlanCache()
    public var planCache: PlanCache? { plans }

    /// Composes `factors` (application order), flattening nested compositions.
    /// - Parameter rewriting: whether the direct form runs the chain as ``Rewriter/standard`` rewrites it (the
    ///   default) or the factors as given (to time the unfused chain, or to test a rule against it).
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when a factor's codomain is not the next one's domain,
    ///   ``ConvAlgebraError/invalidArgument(_:)`` for an empty list.
    public init(_ factors: [any LinearOperator<Scalar>], rewriting: Bool = true) throws {
        rewrites = rewriting
        var flat: [any LinearOperator<Scalar>] = []
        for f in factors {
            if let c = f as? Composed<Scalar> { flat.append(contentsOf: c.factors) } else { flat.append(f) }
        }
        guard !flat.isEmpty else { throw ConvAlgebraError.invalidArgument("a composition needs at least one factor") }
        for (a, b) in zip(flat, flat.dropFirst()) where a.codomain != b.domain {
            throw ConvAlgebraError.shapeMismatch(
                "cannot compose: an operator with codomain \(a.codomain) is followed by one with domain \(b.domain)")
        }
        self.factors = flat
    }

    public var domain: Shape { factors[0].domain }
    public var codomain: Shape { factors[factors.count - 1].codomain }

    /// `(F_{k−1} ⋯ F_0)ᵀ = F_0ᵀ ⋯ F_{k−1}ᵀ`: the transposed factors in reverse application order.
    public var transposed: Composed<Scalar> {
        try! Composed(factors.reversed().map { $0.anyTransposed }, rewriting: rewrites)
    }

    /// What ``Rewriter/standard`` makes of the factors, built on first use and kept in ``plans``.
    public var rewriting: Rewriting<Scalar> {
        plans.plan(for: RewrittenChain()) { RewritingBox(Rewriter.standard.rewrite(factors)) }.rewriting
    }

    /// The chain the direct form runs: ``rewriting``'s factors, or ``factors`` when composed without rewriting.
    public var rewritten: [any LinearOperator<Scalar>] { rewrites ? rewriting.factors : factors }

    /// The scalars of the two ping-pong buffers ``applyUnchecked(_:_:batch:)`` allocates for `batch` samples,
    /// `2 · batch · max(intermediate size)` (0 for one factor): what ``LinearOperator/apply(_:form:budget:)``
    /// checks against the budget before the direct form runs (an intermediate can be far larger than the input
    /// and the output, e.g. a replicate padding by 2⁴⁰ before a convolution of stride 2⁴¹).
    /// - Throws: an overflow error when the count is not representable.
    package func scratchCount(batch: Int) throws -> Int {
        let factors = rewritten
        guard factors.count > 1 else { return 0 }
        let widest = factors.dropLast().map { $0.codomain.count }.max()!
        return try Checked.multiply(Checked.multiply(widest, batch, "the intermediate results of \(batch) samples"), 2,
                                    "the intermediate results of \(batch) samples")
    }

    /// Applies the factors of ``rewritten`` in turn through two ping-pong scratch buffers.
    /// - Complexity: the sum of the factors' costs; scratch of `2 · batch · max(intermediate size)` scalars.
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let factors = rewritten
        if factors.count == 1 { factors[0].applyUnchecked(x, y, batch: batch); return }
        let widest = factors.dropLast().map { $0.codomain.count }.max()! * batch
        var a = [Scalar](repeating: 0, count: widest), b = [Scalar](repeating: 0, count: widest)
        a.withUnsafeMutableBufferPointer { pa in
            b.withUnsafeMutableBufferPointer { pb in
                var src = UnsafePointer(pa.baseAddress!), dst = pb.baseAddress!
                factors[0].applyUnchecked(x, pa.baseAddress!, batch: batch)
                for f in factors.dropFirst().dropLast() {
                    f.applyUnchecked(src, dst, batch: batch)
                    let t = UnsafeMutablePointer(mutating: src)
                    src = UnsafePointer(dst)
                    dst = t
                }
                factors[factors.count - 1].applyUnchecked(src, y, batch: batch)
            }
        }
    }

    /// The product of the factors' CSR matrices.
    public func sparse(budget: MemoryBudget) throws -> CSRMatrix<Scalar> {
        var m = try factors[0].sparse(budget: budget)
        for f in factors.dropFirst() { m = try f.sparse(budget: budget).multiplied(by: m, budget: budget) }
        return m
    }

    /// The dense matrix of the product: the budget is checked first, then the inner factors are multiplied
    /// as CSR matrices and the last product is written straight into the dense matrix.
    public func dense(budget: MemoryBudget) throws -> DenseMatrix<Scalar> {
        let (m, n) = matrixSize
        try budget.check("a dense \(m) × \(n) matrix", count: Checked.multiply(m, n, "a \(m) × \(n) matrix"),
                         elementBytes: MemoryLayout<Scalar>.stride)
        // The inner factors multiply as CSR; the last product is accumulated straight into the dense matrix.
        guard factors.count > 1 else { return try factors[0].dense(budget: budget) }
        var inner = try factors[0].sparse(budget: budget)
        for f in factors.dropFirst().dropLast() { inner = try f.sparse(budget: budget).multiplied(by: inner, budget: budget) }
        return try factors[factors.count - 1].sparse(budget: budget).denseProduct(with: inner, budget: budget)
    }

    /// The product of the factors' symbolic matrices; defined when at most one factor depends on a kernel
    /// in each product (as in every derivation of the reference text).
    public func symbolic() throws -> SymbolicMatrix {
        var m = try factors[0].symbolic()
        for f in factors.dropFirst() { m = try f.symbolic().multiplied(by: m) }
        return m
    }
}

/// The key of the rewritten chain in a composition's ``PlanCache``.
private struct RewrittenChain: Hashable, Sendable {}

/// A ``Rewriting`` kept in a plan cache (its factors are `Sendable` operators).
private struct RewritingBox<Scalar: BLASScalar>: @unchecked Sendable {
    let rewriting: Rewriting<Scalar>
    init(_ r: Rewriting<Scalar>) { rewriting = r }
}

extension LinearOperator {
    /// The composition "`self`, then `next`": the operator `next · self`.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `self.codomain != next.domain`.
    public func then<Next: LinearOperator>(_ next: Next) throws -> Composed<Scalar> where Next.Scalar == Scalar {
        try Composed([self, next])
    }
}
