/// How ``Planner`` decides a plan it has no wisdom for (FFTW's planner flags).
public enum PlanningMode: String, CaseIterable, Sendable {
    /// The cost model on this machine's measured rates (FFTW_ESTIMATE): no operator is timed.
    case estimate
    /// Time every candidate form and kernel on the real shape once, keep the fastest, and remember it in the
    /// wisdom (FFTW_MEASURE).
    case measure
    /// Only what the wisdom says; without wisdom for the plan, the direct form with the builder's kernel, and
    /// nothing is measured or written (FFTW_WISDOM_ONLY, which returns no plan instead).
    case wisdomOnly = "wisdom-only"
}
