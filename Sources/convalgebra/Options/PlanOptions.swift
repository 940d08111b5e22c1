import ArgumentParser
import ConvAlgebra

/// `--plan estimate|measure|wisdom-only` and `--wisdom FILE` (apply, show, analyze, bench): how the planner
/// decides what `--form auto` runs and which direct kernel a convolution takes (``Planner``).
struct PlanOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "How --form auto decides without wisdom: estimate (the cost model on this machine's measured rates), measure (time the candidates once, remember them in the wisdom file) or wisdom-only.",
        valueName: "mode"))
    var plan: String?

    @Option(help: ArgumentHelp(
        "The wisdom file (default: $CONVALGEBRA_WISDOM, else $XDG_CACHE_HOME or ~/.cache /convalgebra/wisdom.json; empty: none).",
        valueName: "file"))
    var wisdom: String?

    /// Sets ``Planner/mode`` and ``Planner/wisdomPath`` from the options given; without `--plan`, the mode is
    /// `defaultMode` when given (`bench`: measure), else the planner's own default (estimate).
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for an unknown mode.
    func apply(defaultMode: PlanningMode? = nil) throws {
        if let plan {
            guard let mode = PlanningMode(rawValue: plan) else {
                throw ConvAlgebraError.invalidArgument(
                    "unknown --plan '\(plan)' (known: \(PlanningMode.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            Planner.mode = mode
        } else if let defaultMode {
            Planner.mode = defaultMode
        }
        if let wisdom { Planner.wisdomPath = wisdom }
    }
}
