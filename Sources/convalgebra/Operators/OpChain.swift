import ArgumentParser
import ConvAlgebra

/// The operator an OP-taking command works on: one op, or a chain of ops applied one after another
/// (`upsample --scale 2 --then 'conv --weight w.npy --padding 1' --then 'max-pool --kernel-size 2'`).
///
/// Each stage is an op with its own options and arrays. The chain is built on one sample of the first stage's
/// domain; each later stage is built on the codomain of the one before, and its operator is the library's
/// ``Composed`` of the stages' linear maps, so its transpose is the reversed composition of their transposes and
/// its matrix the product of theirs. A max-pool stage is linearised at its own input: the chain's input sample
/// (`--input`, or the first sample of `apply`'s X) run through the stages before it.
struct OpChain {
    /// One op of the chain: its definition, its options and its loaded arrays.
    struct Stage {
        var definition: any OpDefinition.Type
        var options: OperatorOptions
        var weight: Inputs.Array?
        var bias: Inputs.Array?
        var name: String { definition.name }
    }

    var stages: [Stage]

    /// The op's name, or the stages' names joined by `→`.
    var name: String { stages.map(\.name).joined(separator: " → ") }
    var first: Stage { stages[0] }
    var isChain: Bool { stages.count > 1 }
    /// Whether a stage has a bias (the chain is affine).
    var hasBias: Bool { stages.contains { $0.bias != nil } }
    /// Whether a stage needs an input sample to be linearised (a max-pool).
    var needsInput: Bool { stages.contains { $0.name == MaxPoolOp.name } }
    /// The loaded weights and biases, in stage order (their dtype is the chain's).
    var arrays: [Inputs.Array?] { stages.flatMap { [$0.weight, $0.bias] } }

    /// The chain of `op` with its options, then of each `--then` text.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for an unknown op, an option a stage does not take or
    ///   cannot parse (naming the stage); the errors of reading a stage's arrays.
    init(op: String, options: OperatorOptions, then texts: [String]) throws {
        var stages = [try Self.stage(op, options)]
        for (i, text) in texts.enumerated() {
            let words = try Self.words(text)
            guard let op = words.first else {
                throw ConvAlgebraError.invalidArgument("--then '\(text)': stage \(i + 2) needs an op and its options")
            }
            _ = try Self.staged(i + 1, op) { try OperatorFactory.definition(named: op) }
            let options: OperatorOptions
            do { options = try OperatorOptions.parse(Array(words.dropFirst())) } catch {
                let message = OperatorOptions.fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                throw ConvAlgebraError.invalidArgument(
                    "stage \(i + 2) (\(op)): \(message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message)")
            }
            stages.append(try Self.staged(i + 1, op) { try Self.stage(op, options) })
        }
        self.stages = stages
    }

    /// Builds the chain on `domain`, one sample of its first stage's domain.
    ///
    /// - Parameter input: the command's input as a batch (its first sample linearises any max-pool stage).
    /// - Throws: the stage's own error, prefixed `stage i (op):` in a chain, when a stage refuses the shape it
    ///   receives (a channel count its weight does not take, a 1-D op after a layer, …).
    func build<S: BLASScalar>(domain: Shape, input: Tensor<S>?, purpose: OperatorRequest<S>.Purpose,
                              cast: Bool = false) throws -> BuiltOperator<S> {
        var domain = domain
        var x = input
        var built: [BuiltOperator<S>] = []
        let hint = purpose == .apply  // only apply takes --dtype to cast
        for (i, stage) in stages.enumerated() {
            let request = OperatorRequest(
                name: stage.name, options: stage.options, domain: domain, weight: try stage.weight?.tensor(S.self, cast: cast, castHint: hint),
                bias: try stage.bias?.tensor(S.self, cast: cast, castHint: hint), input: x, purpose: purpose)
            let b = try Self.staged(isChain ? i : nil, stage.name) { try stage.definition.build(request) }
            built.append(b)
            // The next stage's input: this stage applied to the first sample, when a later stage needs one.
            let later = stages[(i + 1)...].contains { $0.name == MaxPoolOp.name }
            x = try later ? x.flatMap { try Self.firstSample($0, of: domain) }.map { try b.apply($0, form: .direct) } : nil
            domain = b.codomain
        }
        guard isChain else { return built[0] }
        let linear = try Composed(built.map(\.linear))
        if built.allSatisfy({ $0.isLinear && $0.offset == nil }) { return BuiltOperator(linear: linear) }
        // Affine or not linear: apply the stages one by one (each in the chosen form, each adding its bias). An
        // empty offset marks an affine chain, so that --transpose names the bias as the reason it is refused.
        return BuiltOperator(linear: linear, offset: hasBias ? [] : nil, forward: { x, form in
            try built.reduce(x) { y, b in try b.apply(y, form: form) }
        }, isLinear: false)
    }

    // MARK: - Parts

    /// The stage of `op` with `options`: the definition, the options checked, the arrays read.
    private static func stage(_ op: String, _ options: OperatorOptions) throws -> Stage {
        let definition = try OperatorFactory.definition(named: op)
        try OperatorFactory.checkOptions(options, for: definition)
        return Stage(definition: definition, options: options, weight: try Inputs.read(options.weight, what: "W"),
                     bias: try Inputs.read(options.bias, what: "B"))
    }

    /// The first sample of a batch whose samples have shape `sample`, as a batch of one; nil when it has none.
    private static func firstSample<S>(_ x: Tensor<S>, of sample: Shape) throws -> Tensor<S>? {
        guard Inputs.endsIn(x.shape, sample), x.scalars.count >= sample.count, sample.count > 0 else { return nil }
        return try Tensor(shape: try Shape([1] + sample.dims), scalars: Array(x.scalars.prefix(sample.count)))
    }

    /// `body`'s errors prefixed with `stage n (op):` (`index` counts from 0; nil for a single op).
    private static func staged<T>(_ index: Int?, _ op: String, _ body: () throws -> T) throws -> T {
        guard let index else { return try body() }
        do { return try body() } catch let e as ConvAlgebraError {
            let p = "stage \(index + 1) (\(op)): "
            switch e {
            case .invalidArgument(let m): throw ConvAlgebraError.invalidArgument(p + m)
            case .shapeMismatch(let m): throw ConvAlgebraError.shapeMismatch(p + m)
            case .overflow(let m): throw ConvAlgebraError.overflow(p + m)
            case .malformedNPY(let m): throw ConvAlgebraError.malformedNPY(p + m)
            case .malformedFile(let m): throw ConvAlgebraError.malformedFile(p + m)
            case .io(let m): throw ConvAlgebraError.io(p + m)
            case .unsupported(let m): throw ConvAlgebraError.unsupported(p + m)
            case let .exceedsMemoryBudget(what, bytes, budget):
                throw ConvAlgebraError.exceedsMemoryBudget(what: p + what, bytes: bytes, budget: budget)
            }
        }
    }

    /// The words of a `--then` text: split at blanks, with '…' or "…" quoting a word that holds blanks.
    /// - Throws: for an unterminated quote.
    static func words(_ text: String) throws -> [String] {
        var words: [String] = [], word = "", quote: Character? = nil, inWord = false
        for c in text {
            if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c; inWord = true
            } else if c == " " || c == "\t" || c == "\n" {
                if inWord { words.append(word); word = ""; inWord = false }
            } else {
                word.append(c); inWord = true
            }
        }
        guard quote == nil else { throw ConvAlgebraError.invalidArgument("--then '\(text)': an unterminated quote") }
        if inWord { words.append(word) }
        return words
    }
}
