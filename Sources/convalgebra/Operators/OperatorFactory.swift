import ConvAlgebra

/// Routes op names to their definitions: the one place that lists the CLI's ops.
enum OperatorFactory {
    /// Every op, in the order `--help` lists them. Add a new op's type (a ``SignalOp`` or a ``LayerOp``) here.
    static let all: [any OpDefinition.Type] = [
        ConvolveOp.self,
        DownsampleOp.self,
        UpsampleZerosOp.self,
        ConvOp.self,
        ConvTransposeOp.self,
        MaxPoolOp.self,
        AvgPoolOp.self,
        UpsampleOp.self,
    ]

    static var names: [String] { all.map { $0.name } }

    /// The definition of `name`.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` naming the known ops.
    static func definition(named name: String) throws -> any OpDefinition.Type {
        guard let op = all.first(where: { $0.name == name }) else {
            throw ConvAlgebraError.invalidArgument("unknown op '\(name)' (known: \(names.joined(separator: ", ")))")
        }
        return op
    }

    /// Rejects every given option the op does not read (``OperatorOptions/givenOptions``), listing the ones it does.
    static func checkOptions(_ options: OperatorOptions, for op: any OpDefinition.Type) throws {
        let rejected = options.givenOptions.filter { !op.acceptedOptions.contains($0) }
        guard rejected.isEmpty else {
            let takes = op.acceptedOptions.sorted()
            throw ConvAlgebraError.invalidArgument(
                "\(rejected.joined(separator: ", ")) \(rejected.count == 1 ? "does" : "do") not apply to \(op.name)"
                + " (it takes \(takes.isEmpty ? "no op options" : takes.joined(separator: ", ")))")
        }
    }
}
