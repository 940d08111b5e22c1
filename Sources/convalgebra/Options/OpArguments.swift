import ArgumentParser
import ConvAlgebra

/// What the op commands (`apply`, `show`, `analyze`) take besides their own options, the memory budget, the
/// planner's options and the op options, and the one way they begin: set the budget and the planner, find the
/// op, check the options it was given.
struct OpArguments: ParsableArguments {
    @Option(name: .customLong("memory-budget"), parsing: .unconditional, help: ArgumentHelp(MemoryBudgetOption.help, valueName: "bytes"))
    var memoryBudget: String?

    @OptionGroup(title: "Planning")
    var planning: PlanOptions

    @OptionGroup(title: "Op options")
    var options: OperatorOptions

    /// Sets ``MemoryBudget/limit`` from `--memory-budget` and the planner from `--plan` / `--wisdom`, then the
    /// definition of `op` with its options checked.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for a bad budget or mode, an unknown op or an option it
    ///   does not take.
    func definition(of op: String) throws -> any OpDefinition.Type {
        try MemoryBudgetOption.apply(memoryBudget)
        try planning.apply()
        let definition = try OperatorFactory.definition(named: op)
        try OperatorFactory.checkOptions(options, for: definition)
        return definition
    }
}
