import ConvAlgebra

/// The operator of a `convalgebra-mpi` command: the op and its options parsed exactly as `convalgebra` parses them
/// (``OpArguments``, ``OpChain``), built in float64 (PETSc's scalar; float32 weights are cast), and refused when
/// the distributed path cannot assemble it by rows: a max-pool (not linear) and a chain (`--then`: a ``Composed``
/// has no enumeration of its terms).
struct MPIOperand {
    let chain: OpChain
    let purpose: OperatorRequest<Double>.Purpose

    init(op: String, arguments: OpArguments, purpose: OperatorRequest<Double>.Purpose) throws {
        chain = try arguments.chain(of: op)
        self.purpose = purpose
        guard !chain.isChain else {
            throw ConvAlgebraError.unsupported(
                "convalgebra-mpi takes one op, not a chain (--then): a composition has no enumeration of its terms to assemble by rows")
        }
        guard !chain.needsInput else {
            throw ConvAlgebraError.unsupported("\(op) is not linear; convalgebra-mpi assembles linear operators (use convalgebra for max-pool)")
        }
    }

    /// The op built on one sample of `domain`, in float64.
    func build(domain: Shape) throws -> BuiltOperator<Double> {
        try chain.build(domain: domain, input: nil, purpose: purpose, cast: true)
    }
}
