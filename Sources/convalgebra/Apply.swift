import ArgumentParser
import ConvAlgebra

/// `convalgebra apply OP --input X.npy --output Y.npy [--weight W.npy] [--bias B.npy]
/// [--form direct|dense|sparse|auto] [--plan estimate|measure|wisdom-only] [--wisdom FILE]
/// [--transpose --domain SHAPE] [op options]`.
///
/// Reads `X`, builds the op for one sample (the trailing extents of `X`, or `--domain`), applies it (or,
/// with `--transpose`, its transpose) to every sample in the chosen form, and writes `Y` in `X`'s dtype
/// through the atomic NPY writer, so an error never leaves an output file behind.
struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply an operator (or its transpose) to a batch read from a .npy file.",
        discussion: """
            OPs: \(OperatorFactory.names.joined(separator: ", ")).
            Leading axes of X are batch; X, W and B must share one dtype (float32 or float64), which Y keeps,
            unless --dtype casts all three to one.
            The dense and sparse forms materialise the operator for one sample and apply it to the whole batch.
            """)

    @Argument(help: "The op: \(OperatorFactory.names.joined(separator: ", ")).")
    var op: String

    @Option(help: "The input batch X (.npy).")
    var input: String

    @Option(help: "Where to write Y (.npy); written only when everything succeeded.")
    var output: String

    @Option(help: "direct (matrix-free), dense (GEMM), sparse (CSR) or auto (the planner's pick for the batch, see --plan).")
    var form = "direct"

    @Flag(help: "Apply the transpose of the operator built on --domain; X has its output shape per sample.")
    var transpose = false

    @Option(parsing: .unconditional, help: "One sample's shape in the forward operator's domain, comma separated (e.g. 3,8,8).")
    var domain: String?

    @Option(help: "Cast X, W and B to float32 or float64 before applying (Y has that dtype); without it they must share one.")
    var dtype: String?

    @OptionGroup var arguments: OpArguments

    func run() throws {
        let chain = try arguments.chain(of: op)
        let form = try Inputs.form(form)
        guard !transpose || domain != nil else {
            throw ConvAlgebraError.invalidArgument(
                "--transpose needs --domain SHAPE: one sample's shape in the forward operator's domain")
        }
        let sample = try domain.map { try CommaList.shape($0, option: "--domain") }
        let cast = try dtype.map(Inputs.dtype)
        guard let x = try Inputs.read(input, what: "X") else { return }
        switch cast ?? x.value.dtypeName {
        case "float32": try run(chain, x.tensor(Float.self, cast: cast != nil), form, sample)
        default: try run(chain, x.tensor(Double.self, cast: cast != nil), form, sample)
        }
    }

    private func run<S: BLASScalar>(_ chain: OpChain, _ x: Tensor<S>, _ form: Form, _ sample: Shape?) throws {
        let domain = try sample ?? chain.first.definition.sampleShape(ofInput: x.shape, chain.first.options)
        let built = try chain.build(domain: domain, input: x, purpose: .apply, cast: dtype != nil)
        let op = chain.name
        // `auto` is the planner's pick for this batch (a max-pool, not linear, runs its direct form); the direct
        // form of a convolution runs the kernel measured fastest for this batch when the wisdom has one.
        let linear = transpose ? built.linear.anyTransposed : built.linear
        let batch = x.shape.count / max(transpose ? built.codomain.count : built.domain.count, 1)
        let form = form != .auto ? form : !built.isLinear ? .direct : Planner.decide(linear, batch: batch).form
        if form == .direct && built.isLinear { Planner.useMeasuredKernel(linear, batch: batch) }
        let y: Tensor<S>
        if transpose {
            guard Inputs.endsIn(x.shape, built.codomain) else {
                throw ConvAlgebraError.shapeMismatch(
                    "with --transpose, X's samples must have the forward output shape \(built.codomain) of \(op) on domain \(domain), but X has shape \(x.shape)")
            }
            y = try built.applyTransposed(x, form: form, op: op)
        } else {
            guard Inputs.endsIn(x.shape, built.domain) else {
                throw ConvAlgebraError.shapeMismatch(
                    "X has shape \(x.shape), which does not end in the sample shape \(built.domain) of \(op)")
            }
            y = try built.apply(x, form: form)
        }
        try NPY.write(y, to: output)
    }
}
