import ArgumentParser
import ConvAlgebra

/// What the op commands (`apply`, `show`, `analyze`, `export`, `explain`) take besides their own options: the memory
/// budget, the planner's options, the op options, the further stages of a chain (`--then`), and the one way they
/// begin: set the budget and the planner, find the op (or the chain's ops), check the options each was given.
struct OpArguments: ParsableArguments {
    @Option(name: .customLong("memory-budget"), parsing: .unconditional, help: ArgumentHelp(MemoryBudgetOption.help, valueName: "bytes"))
    var memoryBudget: String?

    @OptionGroup(title: "Planning")
    var planning: PlanOptions

    @OptionGroup(title: "Op options")
    var options: OperatorOptions

    @Option(name: .customLong("then"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("A further stage of a chain, applied after the ones before: an op and its options, quoted as one argument (e.g. --then 'conv --weight w.npy --padding 1'). Repeatable.",
                               valueName: "op options"))
    var then: [String] = []

    /// Sets ``MemoryBudget/limit`` from `--memory-budget` and the planner from `--plan` / `--wisdom`, then the chain of
    /// `op` and the `--then` stages, each with its options checked and its arrays read.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for a bad budget, an unknown op or an option a stage does
    ///   not take (naming the stage); the errors of reading a stage's arrays.
    func chain(of op: String) throws -> OpChain {
        try MemoryBudgetOption.apply(memoryBudget)
        try planning.apply()
        return try OpChain(op: op, options: options, then: then)
    }
}
