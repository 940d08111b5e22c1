import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// Rewrites a chain of operators (application order) with the identities of the algebra, taking a rewrite only
/// when ``OperatorCost`` says the result does strictly less work; the result is the same operator (the same
/// matrix) by construction of each ``RewriteRule``.
///
/// The rules, in the order they are tried at each position:
/// `I A = A` (``DropIdentity``), `↓k ↑k = I` (``CancelSampling``), `↑k ↓k = mask` (``MaskSampling``), the noble
/// identities `↓k ((↑k q) * x) = q * (↓k x)` (``NobleDownsampling``) and `(↑k q) * (↑k x) = ↑k (q * x)`
/// (``NobleUpsampling``), the reference's fusion of nearest up-sampling and a convolution into one transposed
/// convolution with kernel `(1 … 1) * q` (``NearestUpsamplingFusion``), a chain of stride-1 convolutions into one
/// (``ConvolutionChainFusion``), and the polyphase split of a strided convolution (``PolyphaseSplit``). The
/// transpose identities `(↓k)ᵀ = ↑k`, `(AB)ᵀ = BᵀAᵀ` and `(Aᵀ)ᵀ = A` need no rewrite: they are how
/// ``LinearOperator/transposed`` is built.
///
/// Each pass scans the chain from its input end and takes the first cheaper rewrite; passes repeat until none
/// applies (at most ``maxPasses``). Steps that were considered but not cheaper are reported from the last pass.
/// - Complexity: per pass, one match per (position, rule), each pricing its factors (no materialisation).
public struct Rewriter: Sendable {
    public var rules: [any RewriteRule]
    public static let maxPasses = 64

    /// The standard rules, in the order above.
    public static let standard = Rewriter(rules: [
        DropIdentity(), CancelSampling(), MaskSampling(), NobleDownsampling(), NobleUpsampling(),
        NearestUpsamplingFusion(), ConvolutionChainFusion(), PolyphaseSplit(),
    ])

    public init(rules: [any RewriteRule]) { self.rules = rules }

    /// The chain after rewriting, and every step taken (and, from the last pass, considered but not taken).
    public func rewrite<S: BLASScalar>(_ factors: [any LinearOperator<S>]) -> Rewriting<S> {
        var current = factors, taken: [RewriteStep] = [], declined: [RewriteStep] = []
        for _ in 0..<Self.maxPasses {
            declined = []
            var changed = false
            scan: for i in current.indices {
                for rule in rules {
                    guard let m = rule.match(current[i...]), m.consumed >= 1, i + m.consumed <= current.count else { continue }
                    let old = current[i..<(i + m.consumed)]
                    let (before, after) = (OperatorCost.work(old), OperatorCost.work(m.replacement))
                    let step = RewriteStep(identity: rule.identity, before: Notation.chain(Array(old), "·"),
                                           after: m.notation ?? (m.replacement.isEmpty ? "·" : Notation.chain(m.replacement, "·")),
                                           costBefore: before, costAfter: after, applied: after < before)
                    let next = Array(current[..<i]) + m.replacement + Array(current[(i + m.consumed)...])
                    // A chain never becomes empty: a lone identity stays.
                    guard step.applied, !next.isEmpty else { if !next.isEmpty { declined.append(step) }; continue }
                    current = next
                    taken.append(step)
                    changed = true
                    break scan
                }
            }
            if !changed { break }
        }
        return Rewriting(original: factors, factors: current, steps: taken + declined)
    }
}

/// The result of a ``Rewriter`` run.
public struct Rewriting<S: BLASScalar> {
    /// The chain as given (application order).
    public let original: [any LinearOperator<S>]
    /// The chain after rewriting: the same operator (the same matrix).
    public let factors: [any LinearOperator<S>]
    /// The rewrites taken, in order, then those considered in the last pass but not cheaper.
    public let steps: [RewriteStep]

    /// The rewritten chain as one operator (the factor itself when one is left).
    public var result: any LinearOperator<S> {
        factors.count == 1 ? factors[0] : try! Composed(factors, rewriting: false)
    }

    /// Whether any rewrite was taken.
    public var changed: Bool { steps.contains { $0.applied } }
}
