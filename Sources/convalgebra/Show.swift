import ArgumentParser
import ConvAlgebra

/// `convalgebra show OP --domain SHAPE [op options] [--kernel-size K | --weight W.npy] [--transpose] [--latex]`.
///
/// Prints the matrix of the op on one sample of shape `--domain` (or of its transpose), one row a line, under a
/// header (``MatrixHeader``; `--no-header` omits it) that names the shapes the rows and columns flatten. A
/// layer's channel blocks are separated (`|` between column blocks, a rule between row blocks). Without
/// `--weight` the entries are symbolic, as the reference text writes them: `q0`, `q0+q1`, `0` for a 1-D
/// kernel (`convolve` takes its length from `--kernel-size`), `q[o,i,ky,kx]` for a layer's weight; with
/// `--weight` they are numbers.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the operator matrix of one sample, symbolic (q0, q0+q1, 0) or numeric.",
        discussion: "OPs: \(OperatorFactory.names.joined(separator: ", ")).")

    @Argument(help: "The op: \(OperatorFactory.names.joined(separator: ", ")).")
    var op: String

    @Option(parsing: .unconditional, help: "One sample's shape in the forward operator's domain, comma separated.")
    var domain: String

    @Flag(help: "Print the transpose's matrix.")
    var transpose = false

    @Flag(help: "Print a LaTeX pmatrix.")
    var latex = false

    @Flag(help: "Omit the header (the '#' lines naming the rows' and columns' shapes and the taps).")
    var noHeader = false

    @Option(parsing: .unconditional, help: "Refuse matrices with more rows or columns than this.")
    var maxSize = 64

    @OptionGroup var arguments: OpArguments
    var options: OperatorOptions { arguments.options }

    func run() throws {
        let definition = try arguments.definition(of: op)
        guard options.bias == nil else {
            throw ConvAlgebraError.invalidArgument("show prints the linear part of an op; --bias does not apply")
        }
        try ShowLimits.check(maxSize: maxSize, kernelSize: options.kernelSize)
        let sample = try CommaList.shape(domain, option: "--domain")
        let weight = try Inputs.read(options.weight, what: "W")
        switch weight?.value {
        case .float32?: print(try matrix(definition, sample, weight, Float.self))
        case .float64?, nil: print(try matrix(definition, sample, weight, Double.self))
        }
    }

    private func matrix<S: BLASScalar>(_ definition: any OpDefinition.Type, _ domain: Shape, _ w: Inputs.Array?,
                                       _: S.Type) throws -> String {
        let request = OperatorRequest<S>(
            name: op, options: options, domain: domain, weight: try w?.tensor(S.self), bias: nil, input: nil,
            purpose: .show)
        let built = try definition.build(request)
        let a = transpose ? built.linear.anyTransposed : built.linear
        let (rows, columns) = a.matrixSize
        guard rows <= maxSize, columns <= maxSize else {
            throw ConvAlgebraError.invalidArgument(
                "the matrix of \(op)\(transpose ? "ᵀ" : "") on \(domain) is \(rows) × \(columns), larger than --max-size \(maxSize)")
        }
        let layer = definition as? any LayerOp.Type
        let channels = layer?.channelNames
        let header = MatrixHeader(
            op: op, domain: domain, transposed: transpose, rows: a.codomain, columns: a.domain,
            rowChannel: transpose ? channels?.domain : channels?.codomain,
            columnChannel: transpose ? channels?.codomain : channels?.domain,
            weightShape: built.weightShape, weightIndices: layer?.weightIndexNames)
        let blocks = latex ? nil : header.blocks
        let text: String, tapped: Bool
        if w == nil {
            let s = try a.symbolic(), name = header.tapName(latex: latex)
            tapped = s.entries.contains { !$0.isConstant }
            text = MatrixText.format(rows: rows, columns: columns, latex: latex, blocks: blocks) {
                s[$0, $1].formatted(latex: latex, tapName: name)
            }
        } else {
            let d = try a.dense(budget: .default)
            tapped = false
            text = MatrixText.format(rows: rows, columns: columns, latex: latex, blocks: blocks) { MatrixText.number(d[$0, $1]) }
        }
        if noHeader { return text }
        return (header.lines(latex: latex, tapped: tapped) + [text]).joined(separator: "\n")
    }
}
