import ArgumentParser
import ConvAlgebra

/// `convalgebra explain OP [op options] --domain SHAPE [--transpose] [--batch B] [--input X.npy] [--json FILE]`.
///
/// Builds the op on one sample of shape `--domain` through the same factory as `apply`/`show`/`analyze` and prints
/// ``Explanation``: the structure in the reference text's notation on the first line (`y = ↓2 (q * x)`), then the
/// shapes, nnz and density, the transpose, the form and direct kernel the plan would take with its estimated cost,
/// and for a chain the factors before and after rewriting. Like `show`, it takes a symbolic kernel from
/// `--kernel-size` when no `--weight` is given. A max-pool is explained with its Jacobian at `--input` (or at the
/// zero sample, whose arg-max is each window's first element).
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain an operator: its structure in the reference's notation (y = ↓2 (q * x)), shapes, nnz, transpose, form, kernel and cost.",
        discussion: """
            OPs: \(OperatorFactory.names.joined(separator: ", ")). The notation is defined in docs/Notation.md.
            """)

    @Argument(help: "The op: \(OperatorFactory.names.joined(separator: ", ")).")
    var op: String

    @Option(parsing: .unconditional, help: "One sample's shape in the forward operator's domain, comma separated (e.g. 3,8,8).")
    var domain: String

    @Flag(help: "Explain the transpose.")
    var transpose = false

    @Option(parsing: .unconditional, help: "The batch the form and its cost are estimated for (default 1).")
    var batch = 1

    @Option(help: "One input sample (.npy): a max-pool is explained through its Jacobian there.")
    var input: String?

    @Option(help: "Write the explanation as JSON to this file.")
    var json: String?

    @OptionGroup var arguments: OpArguments
    var options: OperatorOptions { arguments.options }

    func run() throws {
        let chain = try arguments.chain(of: op)
        guard !chain.hasBias else {
            throw ConvAlgebraError.invalidArgument("explain describes the linear part of \(chain.isChain ? "a chain" : "an op"); --bias does not apply")
        }
        guard (1...(1 << 40)).contains(batch) else {
            throw ConvAlgebraError.invalidArgument("--batch must be between 1 and 2^40, got \(batch)")
        }
        let sample = try CommaList.shape(domain, option: "--domain")
        let x = try Inputs.read(input, what: "X")
        // The dtype, as every op command reads its arrays: the input's, else the first weight's, else float64.
        switch [x, chain.arrays.compactMap { $0 }.first].compactMap({ $0 }).first?.value {
        case .float32?: try explain(chain, sample, x, Float.self)
        default: try explain(chain, sample, x, Double.self)
        }
    }

    /// One op or a chain (`--then`, the library's `Composed` of the stages, with its factors before and after
    /// rewriting), built by `OpChain.build` like every other op command. A max-pool
    /// (or a chain holding one) without `--input` is linearised at the zero sample.
    private func explain<S: BLASScalar>(_ chain: OpChain, _ domain: Shape, _ x: Inputs.Array?, _: S.Type) throws {
        var input = try Inputs.oneSample(x, of: domain, as: S.self)
        if input == nil && chain.needsInput {
            try MemoryBudget.default.check("the zero sample", count: domain.count, elementBytes: MemoryLayout<S>.stride)
            input = Tensor(shape: try Shape([1] + domain.dims), repeating: 0)
        }
        let built = try chain.build(domain: domain, input: input, purpose: .explain)
        if transpose && !built.isLinear {
            throw ConvAlgebraError.invalidArgument("\(chain.name) is not linear, so it has no transpose")
        }
        let explanation = (transpose ? built.linear.anyTransposed : built.linear).explain(batch: batch, budget: .default)
        var text = explanation.description
        if chain.needsInput {
            let at = x == nil ? "the zero sample (the first element of each window)" : "--input"
            if !chain.isChain {
                let request = OperatorRequest<S>(name: op, options: options, domain: domain, weight: nil, bias: nil,
                                                 input: nil, purpose: .explain)
                let w = try PoolWindows(request, rank: domain.rank - 1)
                let head = Notation.maxPooling(kernel: w.kernel, stride: w.stride, padding: w.padding, dilation: w.dilation)
                text = head + "\n  linear at \(at): " + text
            } else {
                text += "\n  (the max-pool stages are linear at \(at))"
            }
        }
        if let json {
            let bytes = Array(ExplainJSON.encode(explanation, op: chain.name, transpose: transpose).utf8)
            try bytes.withUnsafeBytes { try AtomicFile.write([$0], to: json) }
        }
        print(text)
    }
}

/// The `--json` document of `explain`: the ``Explanation``'s fields. Non-finite numbers are written as `null`.
enum ExplainJSON {
    static func encode(_ e: Explanation, op: String, transpose: Bool) -> String {
        let s = JSONText.string, n = JSONText.number
        func strings(_ a: [String]) -> String { JSONText.array(a.map(s)) }
        let steps = e.rewrites.map { step in
            "{" + JSONText.members([
                ("identity", s(step.identity)), ("before", s(step.before)), ("after", s(step.after)),
                ("cost_before", n(step.costBefore)), ("cost_after", n(step.costAfter)), ("applied", step.applied ? "true" : "false"),
            ]).joined(separator: ", ") + "}"
        }
        let estimates = "{" + JSONText.members(Form.concrete.compactMap { f in e.estimates[f].map { (f.rawValue, n($0)) } })
            .joined(separator: ", ") + "}"
        let fields: [(String, String)] = [
            ("op", s(op)), ("transpose", transpose ? "true" : "false"), ("notation", s(e.notation)), ("kernels", strings(e.kernels)),
            ("domain", JSONText.array(e.domain.dims.map(String.init))), ("codomain", JSONText.array(e.codomain.dims.map(String.init))),
            ("nnz", e.nonzeros.map(String.init) ?? "null"), ("nnz_source", s(e.nonzerosSource)), ("density", e.density.map(n) ?? "null"),
            ("transpose_notation", s(e.transpose)), ("batch", String(e.batch)), ("form", s(e.form.rawValue)),
            ("form_reason", s(e.formReason)), ("estimates_seconds", estimates), ("direct_kernels", strings(e.directKernels)),
            ("work", n(e.work)), ("rewritten_work", n(e.rewrittenWork)), ("factors", strings(e.factors)),
            ("rewritten_factors", strings(e.rewrittenFactors)), ("rewritten_notation", s(e.rewrittenNotation)),
            ("rewrites", "[" + steps.joined(separator: ", ") + "]"),
        ]
        return "{\n" + JSONText.members(fields).map { "  " + $0 }.joined(separator: ",\n") + "\n}\n"
    }
}
