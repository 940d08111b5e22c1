import ArgumentParser
import CPETSc
import ConvAlgebra

/// `convalgebra-mpi lstsq OP --domain SHAPE --input B.npy --output X.npy [op options] [-ksp_… PETSc options]`:
/// deconvolution. For every sample `b` of B (shape `(…, codomain)`) the least-squares solution
/// `x = argmin ‖A x + bias − b‖₂` of the operator on `--domain`, by LSQR over the processes
/// (``LeastSquaresSolve``); X has shape `(…, domain)` and B's dtype. Each process reads its rows of every `b` and
/// writes its part of every `x`.
///
/// - Complexity: per sample, LSQR's iterations × O(nnz / p) per process.
struct MPILeastSquares: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lstsq",
        abstract: "Least squares min ‖A x − b‖ for every sample b of a batch (deconvolution), by PETSc's LSQR over MPI.")

    @Argument(help: "The op: \(OperatorFactory.names.joined(separator: ", ")).")
    var op: String

    @Option(parsing: .unconditional, help: "One sample's shape in the operator's domain (the shape of each x), comma separated.")
    var domain: String

    @Option(help: "The batch B (.npy): samples of the operator's output shape.")
    var input: String

    @Option(help: "Where to write X (.npy); written only when every sample was solved.")
    var output: String

    @OptionGroup var arguments: OpArguments

    func run() throws {
        let operand = try MPIOperand(op: op, arguments: arguments, purpose: .analyze)
        let built = try operand.build(domain: try CommaList.shape(domain, option: "--domain"))
        let slab = try PETScRuntime.agreeing { try NPYSlab(path: input) }
        let shape = try Shape(slab.shape)
        guard Inputs.endsIn(shape, built.codomain) else {
            throw ConvAlgebraError.shapeMismatch(
                "B has shape \(shape), which does not end in the output shape \(built.codomain) of \(op) on domain \(built.domain)")
        }
        let a = try DistributedMatrix(built.linear)
        let batch = built.codomain.count == 0 ? 0 : shape.count / built.codomain.count
        let writer = try DistributedNPYWriter(path: output, shape: Array(shape.dims.dropLast(built.codomain.rank)) + built.domain.dims,
                                              float32: slab.isFloat32)
        var solver = try LeastSquaresSolve(a)
        defer { solver.destroy() }
        for s in 0..<batch {
            _ = try solver.solve { b in
                try PETScRuntime.agreeing { try slab.read(samples: s..<(s + 1), sampleCount: a.rowCount, rows: a.rows, into: b, stride: a.rows.count) }
                if let offset = built.offset { for i in 0..<a.rows.count { b[i] -= offset[a.rows.lowerBound + i] } }
            } result: { x in
                try PETScRuntime.agreeing {
                    try writer.write(samples: s..<(s + 1), sampleCount: a.columnCount, rows: a.columns, from: x, stride: a.columns.count)
                }
            }
        }
        try writer.commit()
    }
}
