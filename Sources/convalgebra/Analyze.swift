import ArgumentParser
import ConvAlgebra

/// `convalgebra analyze OP --domain SHAPE [op options as in apply] [--weight W.npy] [--input X.npy]
/// [--method auto|gesdd|power|fft] [--json FILE]`.
///
/// Builds the op on one sample of shape `--domain` through the same factory as `apply` (a max-pool: its
/// Jacobian at the sample in `--input`), analyses its linear part with ``OperatorAnalysis`` and prints
/// ``AnalysisReport``'s text; `--json` also writes the contract's keys (atomically, as every output).
struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Singular values, spectral norm, condition number, rank and null space of an operator.",
        discussion: """
            OPs: \(OperatorFactory.names.joined(separator: ", ")).
            --method auto picks gesdd when the dense matrix fits the memory budget, fft for a circular-padded \
            convolution whose input size is its output size times the stride, power iteration otherwise. With --bias the linear part is analysed.
            """)

    @Argument(help: "The op: \(OperatorFactory.names.joined(separator: ", ")).")
    var op: String

    @Option(parsing: .unconditional, help: "One sample's shape in the operator's domain, comma separated (e.g. 3,8,8).")
    var domain: String

    @Option(help: "One input sample (.npy): a max-pool is analysed through its Jacobian there.")
    var input: String?

    @Option(help: "auto, gesdd (all singular values, dense), power (spectral norm by power iteration) or fft (circular convolutions).")
    var method = "auto"

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Option(parsing: .unconditional, help: "Power iteration: stop when the relative change of the estimate reaches this.")
    var tolerance = 1e-7

    @Option(parsing: .unconditional, help: "Power iteration: the most steps.")
    var maxIterations = 2000

    @Option(help: "--method power: lanczos (Golub–Kahan bidiagonalisation, the default) or power (plain power iteration on AᵀA).")
    var iteration = "lanczos"

    @OptionGroup var arguments: OpArguments

    func run() throws {
        let chain = try arguments.chain(of: op)
        guard let method = AnalysisMethod(rawValue: method) else {
            throw ConvAlgebraError.invalidArgument(
                "unknown method '\(self.method)' (known: \(AnalysisMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let iteration = PowerIteration.Algorithm(rawValue: iteration) else {
            throw ConvAlgebraError.invalidArgument("unknown iteration '\(self.iteration)' (known: lanczos, power)")
        }
        guard tolerance > 0, tolerance.isFinite else {
            throw ConvAlgebraError.invalidArgument("--tolerance must be positive, got \(tolerance)")
        }
        guard maxIterations >= 1 else {
            throw ConvAlgebraError.invalidArgument("--max-iterations must be at least 1, got \(maxIterations)")
        }
        if chain.needsInput && input == nil {
            throw ConvAlgebraError.invalidArgument(
                "max-pool is not linear: analyze its Jacobian at one sample given with --input X.npy")
        }
        let sample = try CommaList.shape(domain, option: "--domain")
        let x = try Inputs.read(input, what: "X")
        // The dtype: the input's, else the first weight's or bias's (read and checked like apply's, though only
        // the linear part is analysed), else float64.
        switch [x, chain.arrays.compactMap { $0 }.first].compactMap({ $0 }).first?.value {
        case .float32?: try run(chain, sample, x, method, iteration, Float.self)
        default: try run(chain, sample, x, method, iteration, Double.self)
        }
    }

    private func run<S: BLASScalar>(_ chain: OpChain, _ domain: Shape, _ x: Inputs.Array?, _ method: AnalysisMethod,
                                    _ iteration: PowerIteration.Algorithm, _: S.Type) throws {
        let input = try Inputs.oneSample(x, of: domain, as: S.self)
        let built = try chain.build(domain: domain, input: input, purpose: .analyze)
        let op = chain.name
        let linear = built.isLinear && !chain.needsInput
        if !linear && input == nil {
            throw ConvAlgebraError.invalidArgument("\(op) is not linear: analyze its Jacobian at one sample given with --input X.npy")
        }
        var analysis = try OperatorAnalysis(
            of: built.linear, method: method, budget: .default,
            power: PowerIteration(tolerance: tolerance, maxIterations: maxIterations, algorithm: iteration))
        // PyTorch's spectral_norm reshapes the conv weight with dim 0, the conv-transpose weight with dim 1.
        let weightDim: Int? = chain.isChain ? nil : op == "conv" ? 0 : op == "conv-transpose" ? 1 : nil
        if let weightDim, let wt = try chain.first.weight?.tensor(S.self) {
            analysis.reshapedWeightNorm = try ReshapedWeightNorm.value(weight: wt.scalars, shape: wt.shape.dims, dim: weightDim)
        } else {
            analysis.reshapedWeightNorm = nil
        }
        var text = AnalysisReport.text(analysis, name: op)
        if !linear { text += "\nnote: \(op) is not linear; this is its Jacobian at the sample in --input" }
        if chain.hasBias { text += "\nnote: the bias is a constant offset; the analysis is of the linear part" }
        if let json {
            let bytes = Array(AnalysisJSON.encode(analysis, op: op).utf8)
            try bytes.withUnsafeBytes { try AtomicFile.write([$0], to: json) }
        }
        print(text)
    }
}

/// The `--json` document of `analyze`: the contract's keys, plus the power iteration's and the FFT
/// approximation's details when they apply. Non-finite numbers are written as `null`.
enum AnalysisJSON {
    static func encode(_ a: OperatorAnalysis, op: String) -> String {
        var fields: [(String, String)] = [
            ("op", string(op)),
            ("domain", JSONText.array(a.domain.dims.map(String.init))),
            ("codomain", JSONText.array(a.codomain.dims.map(String.init))),
            ("method", string(a.method.rawValue)),
        ]
        if let s = a.spectrum { fields.append(("singular_values", JSONText.array(s.values.map(number)))) }
        fields.append(("spectral_norm", number(a.spectralNorm)))
        fields.append(("condition_number", a.conditionNumber.map(number) ?? "null"))
        fields.append(("rank", a.rank.map(String.init) ?? "null"))
        fields.append(("nullity", a.nullity.map(String.init) ?? "null"))
        if let s = a.spectrum { fields.append(("rank_tolerance", number(s.rankTolerance))) }
        if let w = a.reshapedWeightNorm { fields.append(("reshaped_weight_norm", number(w))) }
        if let p = a.powerEstimate {
            fields.append(("iteration", string(p.algorithm.rawValue)))
            fields.append(("iterations", String(p.iterations)))
            fields.append(("converged", p.converged ? "true" : "false"))
            fields.append(("tolerance", number(p.tolerance)))
            fields.append(("max_iterations", String(p.maxIterations)))
            fields.append(("relative_change", number(p.relativeChange)))
        }
        if a.method == .fft {
            fields.append(("approximation", a.isApproximation ? "true" : "false"))
            if let g = a.approximationGap { fields.append(("approximation_gap", number(g))) }
        }
        return "{\n" + JSONText.members(fields).map { "  " + $0 }.joined(separator: ",\n") + "\n}\n"
    }

    static func number(_ x: Double) -> String { JSONText.number(x) }
    static func string(_ s: String) -> String { JSONText.string(s) }
}
