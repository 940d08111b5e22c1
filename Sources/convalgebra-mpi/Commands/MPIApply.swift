import ArgumentParser
import CPETSc
import ConvAlgebra

/// `convalgebra-mpi apply OP --input X.npy --output Y.npy [--transpose --domain SHAPE] [--chunk B] [op options]`:
/// `convalgebra apply` on PETSc. The operator `A` (one sample, m × n; `Aᵀ` with `--transpose`) is assembled by
/// rows over the processes (``DistributedMatrix``); each process reads its rows of every sample of X (``NPYSlab``),
/// `Y = A · X` is PETSc's `MatMatMult` of the AIJ matrix and the dense n × B batch, `chunk` samples at a time with
/// the product's structure reused (`MAT_REUSE_MATRIX`) between chunks, and each process writes its rows of Y
/// (``DistributedNPYWriter``), in X's dtype, the bias added. The values are `convalgebra apply`'s up to the order
/// of the sums (float64; float32 files are computed in float64 and rounded once).
///
/// - Complexity: assembly O(t) per process for its t terms (O(T), all terms, for a family that cannot enumerate a
///   row range alone); the product O(nnz · B / p) per process; memory O(nnz / p + (m + n) · chunk / p) per process
///   of p.
struct MPIApply: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Apply an operator (or its transpose) to a batch read from a .npy file, on PETSc over MPI.",
        discussion: """
            OPs: \(OperatorFactory.names.filter { $0 != MaxPoolOp.name }.joined(separator: ", ")) (max-pool is not linear).
            Takes convalgebra apply's op options; PETSc options (-log_view, …) pass through.
            """)

    @Argument(help: "The op: \(OperatorFactory.names.joined(separator: ", ")).")
    var op: String

    @Option(help: "The input batch X (.npy, float32 or float64).")
    var input: String

    @Option(help: "Where to write Y (.npy); written only when everything succeeded.")
    var output: String

    @Flag(help: "Apply the transpose of the operator built on --domain; X has its output shape per sample.")
    var transpose = false

    @Option(parsing: .unconditional, help: "One sample's shape in the forward operator's domain, comma separated (e.g. 3,8,8).")
    var domain: String?

    @Option(help: "Samples per MatMatMult (the product's structure is reused between chunks).")
    var chunk = 64

    @Option(help: "Write the assembly and apply times, rows, entries and peak RSS of every process as JSON here.")
    var timings: String?

    @OptionGroup var arguments: OpArguments

    func run() throws {
        guard chunk >= 1 else { throw ConvAlgebraError.invalidArgument("--chunk must be at least 1, got \(chunk)") }
        guard !transpose || domain != nil else {
            throw ConvAlgebraError.invalidArgument(
                "--transpose needs --domain SHAPE: one sample's shape in the forward operator's domain")
        }
        let operand = try MPIOperand(op: op, arguments: arguments, purpose: .apply)
        let sample = try domain.map { try CommaList.shape($0, option: "--domain") }
        let x = try PETScRuntime.agreeing { try NPYSlab(path: input) }
        let xShape = try Shape(x.shape)
        let forward = try sample ?? operand.chain.first.definition.sampleShape(ofInput: xShape, operand.chain.first.options)
        let built = try operand.build(domain: forward)
        let (sampleIn, sampleOut) = transpose ? (built.codomain, built.domain) : (built.domain, built.codomain)
        guard Inputs.endsIn(xShape, sampleIn) else {
            throw ConvAlgebraError.shapeMismatch(transpose
                ? "with --transpose, X's samples must have the forward output shape \(sampleIn) of \(op) on domain \(forward), but X has shape \(xShape)"
                : "X has shape \(xShape), which does not end in the sample shape \(sampleIn) of \(op)")
        }
        if transpose && built.offset != nil {
            throw ConvAlgebraError.invalidArgument("\(op) with --bias is affine, not linear, so it has no transpose; drop --bias")
        }
        let batch = sampleIn.count == 0 ? 0 : xShape.count / sampleIn.count
        let a = try DistributedMatrix(built.linear, transposed: transpose)
        let outShape = Array(xShape.dims.dropLast(sampleIn.rank)) + sampleOut.dims
        let writer = try DistributedNPYWriter(path: output, shape: outShape, float32: x.isFloat32)
        let start = PETScRuntime.now
        var product = BatchProduct(a)
        defer { product.destroy() }
        for lo in stride(from: 0, to: batch, by: chunk) {
            let samples = lo..<min(lo + chunk, batch)
            try product.multiply(samples: samples) { p, lda in
                try PETScRuntime.agreeing { try x.read(samples: samples, sampleCount: a.columnCount, rows: a.columns, into: p, stride: lda) }
            } result: { y, lda in
                if let offset = built.offset, !transpose {
                    for j in 0..<samples.count { for i in 0..<a.rows.count { y[j * lda + i] += offset[a.rows.lowerBound + i] } }
                }
                try PETScRuntime.agreeing {
                    try writer.write(samples: samples, sampleCount: a.rowCount, rows: a.rows, from: y, stride: lda)
                }
            }
        }
        let seconds = PETScRuntime.maximum(PETScRuntime.now - start)
        try writer.commit()
        if let timings {
            try RunReport(matrix: a, fields: [("batch", String(batch)), ("apply_seconds", JSONText.number(seconds))]).write(to: timings)
        }
    }
}
