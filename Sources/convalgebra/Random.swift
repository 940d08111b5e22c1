import ArgumentParser
import ConvAlgebra

/// `convalgebra random --shape SHAPE --output FILE.npy [--seed N] [--dtype float32|float64]`.
///
/// Writes an array of the given shape filled with numbers uniform in `[−1, 1)` from a seeded ``SplitMix64``
/// (the same seed gives the same file on every machine), so the other commands can be tried without NumPy.
struct Random: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a .npy array of uniform random numbers in [-1, 1) (to try the other commands without NumPy).")

    @Option(parsing: .unconditional, help: "The array's shape, comma separated (e.g. 4,3,32,32).")
    var shape: String

    @Option(help: "The .npy file to write.")
    var output: String

    @Option(parsing: .unconditional, help: "The generator's seed (a non-negative integer; the same seed, the same numbers).")
    var seed: UInt64 = 0

    @Option(help: "float32 or float64.")
    var dtype = "float32"

    @Option(name: .customLong("memory-budget"), parsing: .unconditional, help: ArgumentHelp(MemoryBudgetOption.help, valueName: "bytes"))
    var memoryBudget: String?

    func run() throws {
        try MemoryBudgetOption.apply(memoryBudget)
        let s = try CommaList.shape(shape, option: "--shape")
        switch dtype {
        case "float32": try write(Float.self, s)
        case "float64": try write(Double.self, s)
        default: throw ConvAlgebraError.invalidArgument("unknown dtype '\(dtype)' (known: float32, float64)")
        }
    }

    private func write<S: BLASScalar>(_: S.Type, _ s: Shape) throws {
        try MemoryBudget.default.check("the random array", count: s.count, elementBytes: MemoryLayout<S>.stride)
        var generator = SplitMix64(seed: seed)
        try NPY.write(try Tensor<S>(shape: s, scalars: generator.uniform(s.count)), to: output)
    }
}
