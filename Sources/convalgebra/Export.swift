import ArgumentParser
import ConvAlgebra

/// `convalgebra export OP [op options] --domain SHAPE --output FILE [--format npz|mtx|npy] [--transpose]
/// [--input X.npy] [--dtype float32|float64]`.
///
/// Builds the op on one sample of shape `--domain` through the same factory as `apply` and writes its matrix
/// (or its transpose's) with ``MatrixFormat``: `npz` = SciPy's `save_npz` CSR layout, `mtx` = Matrix Market
/// coordinate real general, `npy` = the dense matrix (budgeted). Rows are the C-order flattening of the
/// codomain `(C, spatial…)`, columns that of the domain, so `matrix @ x.reshape(-1)` is `apply` on one
/// sample. A max-pool exports its Jacobian at the sample in `--input`. The file is written atomically.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the matrix of an operator on one sample: SciPy .npz (CSR), Matrix Market .mtx or dense .npy.",
        discussion: """
            OPs: \(OperatorFactory.names.joined(separator: ", ")).
            Rows are the codomain's elements, columns the domain's, each flattened in C order (channels first). \
            The format follows the extension of --output unless --format is given. The values are float32 unless \
            the weight or input is float64 or --dtype float64 is given.
            """)

    @Argument(help: "The op: \(OperatorFactory.names.joined(separator: ", ")).")
    var op: String

    @Option(parsing: .unconditional, help: "One sample's shape in the forward operator's domain, comma separated (e.g. 3,8,8).")
    var domain: String

    @Option(help: "Where to write the matrix; written only when everything succeeded.")
    var output: String

    @Option(help: "npz (SciPy CSR), mtx (Matrix Market) or npy (dense); default: from the extension of --output.")
    var format: String?

    @Flag(help: "Export the transpose's matrix.")
    var transpose = false

    @Option(help: "One input sample (.npy): a max-pool is exported as its Jacobian there.")
    var input: String?

    @Option(help: "float32 or float64, the values' dtype when no weight or input fixes it (default float32).")
    var dtype: String?

    @OptionGroup var arguments: OpArguments

    func run() throws {
        let chain = try arguments.chain(of: op)
        guard !chain.hasBias else {
            throw ConvAlgebraError.invalidArgument("export writes the linear part of an op; --bias does not apply")
        }
        let format = try self.format.map { name in
            guard let f = MatrixFormat(rawValue: name) else {
                throw ConvAlgebraError.invalidArgument(
                    "unknown format '\(name)' (known: \(MatrixFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return f
        } ?? MatrixFormat(path: output)
        if chain.needsInput && input == nil {
            throw ConvAlgebraError.invalidArgument(
                "max-pool is not linear: export its Jacobian at one sample given with --input X.npy")
        }
        let sample = try CommaList.shape(domain, option: "--domain")
        let x = try Inputs.read(input, what: "X")
        switch try Inputs.dtype(given: dtype, arrays: [x] + chain.arrays) {
        case .float32: try export(chain, sample, x, format, Float.self)
        case .float64: try export(chain, sample, x, format, Double.self)
        }
    }

    private func export<S: BLASScalar>(_ chain: OpChain, _ domain: Shape, _ x: Inputs.Array?, _ format: MatrixFormat,
                                       _: S.Type) throws {
        let input = try Inputs.oneSample(x, of: domain, as: S.self)
        let built = try chain.build(domain: domain, input: input, purpose: .export)
        let a = transpose ? built.linear.anyTransposed : built.linear
        if format.isSparse {
            try format.write(try a.sparse(budget: .default), to: output)
        } else {
            try format.write(try a.dense(budget: .default), to: output)
        }
    }
}
