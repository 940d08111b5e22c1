import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// One identity of the algebra as a rewrite: a run of adjacent factors of a chain (application order) replaced
/// by an equal run.
///
/// A rule only builds the replacement; it is equal to what it replaces **by construction** (the derivation is
/// in each rule's documentation, and the tests materialise both sides in 1-D, 2-D and 3-D and compare them
/// entry for entry). Whether it is taken is the ``Rewriter``'s decision, by ``OperatorCost``.
public protocol RewriteRule: Sendable {
    /// The identity, in the reference's notation: `↓k ↑k = I`.
    var identity: String { get }

    /// The replacement of the factors at the start of `factors`, or nil when the rule does not match there.
    func match<S: BLASScalar>(_ factors: ArraySlice<any LinearOperator<S>>) -> RewriteMatch<S>?
}

/// What a rule replaces: the first `consumed` factors, by `replacement` (application order; may be empty when
/// the factors cancel).
public struct RewriteMatch<S: BLASScalar> {
    public let consumed: Int
    public let replacement: [any LinearOperator<S>]
    /// The replacement in the reference's notation when the rule can say more than its factors' generic one
    /// (a fused kernel written `(1 1) * q`); nil for ``Notation/chain(_:_:kernel:)`` of the replacement.
    public let notation: String?

    public init(consumed: Int, replacement: [any LinearOperator<S>], notation: String? = nil) {
        self.consumed = consumed
        self.replacement = replacement
        self.notation = notation
    }
}

/// One rewrite the ``Rewriter`` considered: the rule, the factors before and after in the reference's
/// notation, their ``OperatorCost`` work per sample, and whether it was taken (only when strictly cheaper).
public struct RewriteStep: Sendable, Equatable {
    public let identity: String
    public let before: String
    public let after: String
    public let costBefore: Double
    public let costAfter: Double
    public let applied: Bool
}
