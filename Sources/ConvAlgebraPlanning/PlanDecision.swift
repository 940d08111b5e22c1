import ConvAlgebraOperators

/// What ``Planner`` chose for one operator and batch, among which candidates, and why: what `explain` and the
/// bench notes print.
public struct PlanDecision: Sendable, CustomStringConvertible {
    /// Where the decision came from.
    public enum Source: String, Sendable {
        /// The cost model (``FormChooser``, ``CostModel``).
        case estimate
        /// Timing the candidates now.
        case measure
        /// A decision read back from the wisdom file (measured earlier on this machine).
        case wisdom
        /// No choice to make (an operator without a stencil, or no wisdom in `wisdom-only` mode): direct.
        case fixed
    }

    /// One way to apply the operator: a form, and for the direct form of a convolution a kernel candidate
    /// (`direct/gemm`, `direct/rowStencil`, `direct/gemm/openblas`, `direct/fft`), with what is known of its time.
    public struct Candidate: Sendable, Equatable {
        /// `dense`, `sparse`, `direct`, or `direct/<kernel candidate>`.
        public let name: String
        public let form: Form
        /// The cost model's seconds (forms only), nil when not estimated.
        public let estimate: Double?
        /// The measured seconds, nil when not measured.
        public let measured: Double?

        public init(name: String, form: Form, estimate: Double? = nil, measured: Double? = nil) {
            self.name = name
            self.form = form
            self.estimate = estimate
            self.measured = measured
        }
    }

    /// The form to apply.
    public let form: Form
    /// The winning candidate's name (``Candidate/name``).
    public let candidate: String
    /// The direct kernel the operator's plan runs (``form`` direct on a convolution), with its parameters.
    public let kernel: String?
    public let source: Source
    /// Every candidate considered, in the order considered.
    public let candidates: [Candidate]
    /// One line: why this one.
    public let reason: String

    public init(form: Form, candidate: String, kernel: String?, source: Source, candidates: [Candidate], reason: String) {
        self.form = form
        self.candidate = candidate
        self.kernel = kernel
        self.source = source
        self.candidates = candidates
        self.reason = reason
    }

    /// `dense (measure): dense 1.2 ms, sparse 3.4 ms, direct/gemm 2.0 ms` and the like.
    public var description: String {
        "\(form.rawValue)" + (kernel.map { " [\($0)]" } ?? "") + " (\(source.rawValue)): \(reason)"
    }
}
