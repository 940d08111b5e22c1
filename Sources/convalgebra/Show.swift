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

    func run() throws {
        let chain = try arguments.chain(of: op)
        guard !chain.hasBias else {
            throw ConvAlgebraError.invalidArgument("show prints the linear part of an op; --bias does not apply")
        }
        for stage in chain.stages { try ShowLimits.check(maxSize: maxSize, kernelSize: stage.options.kernelSize) }
        let sample = try CommaList.shape(domain, option: "--domain")
        // Numbers when a stage has a weight (in its dtype), else the symbolic entries.
        let weight = chain.arrays.compactMap { $0 }.first
        switch weight?.value {
        case .float32?: print(try matrix(chain, sample, numeric: true, Float.self))
        case .float64?: print(try matrix(chain, sample, numeric: true, Double.self))
        case nil: print(try matrix(chain, sample, numeric: false, Double.self))
        }
    }

    private func matrix<S: BLASScalar>(_ chain: OpChain, _ domain: Shape, numeric: Bool, _: S.Type) throws -> String {
        let built = try chain.build(domain: domain, input: Tensor<S>?.none, purpose: .show)
        let op = chain.name
        let a = transpose ? built.linear.anyTransposed : built.linear
        let (rows, columns) = a.matrixSize
        guard rows <= maxSize, columns <= maxSize else {
            throw ConvAlgebraError.invalidArgument(
                "the matrix of \(op)\(transpose ? "ᵀ" : "") on \(domain) is \(rows) × \(columns), larger than --max-size \(maxSize)")
        }
        let single = chain.stages.count == 1
        let layer = single ? chain.first.definition as? any LayerOp.Type : nil
        let channels = layer?.channelNames
        let header = MatrixHeader(
            op: op, domain: domain, transposed: transpose, rows: a.codomain, columns: a.domain,
            rowChannel: transpose ? channels?.domain : channels?.codomain,
            columnChannel: transpose ? channels?.codomain : channels?.domain,
            weightShape: single ? built.weightShape : nil, weightIndices: layer?.weightIndexNames)
        let blocks = latex ? nil : header.blocks
        let text: String, tapped: Bool
        if !numeric {
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
