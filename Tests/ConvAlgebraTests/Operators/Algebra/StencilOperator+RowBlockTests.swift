import ConvAlgebra
import Testing
import _TestSupport

/// The row blocks of a stencil operator, built alone, stack to its whole sparse matrix (what each process of
/// `convalgebra-mpi` builds), for the forward operators and their literal transposes.
@Suite struct StencilOperatorRowBlockTests {
    /// Splits the rows into `parts` blocks (the last ones may be empty) and stacks the blocks' CSR arrays.
    private func stacked<Op: LinearOperator>(_ op: Op, parts: Int) throws -> CSRMatrix<Op.Scalar> {
        let m = op.matrixSize.rows, step = (m + parts - 1) / parts
        var offsets = [0], columns: [Int32] = [], values: [Op.Scalar] = []
        for p in 0..<parts {
            let lo = min(p * step, m), hi = min(lo + step, m)
            let block = try op.sparseRowBlock(lo..<hi)
            #expect(block.rows == hi - lo && block.columns == op.matrixSize.columns)
            offsets += block.rowOffsets.dropFirst().map { $0 + offsets.last! }
            columns += block.columnIndices
            values += block.values
        }
        return try CSRMatrix(rows: m, columns: op.matrixSize.columns, rowOffsets: offsets, columnIndices: columns, values: values)
    }

    @Test(arguments: [1, 2, 3, 7])
    func blocksStackToTheSparseMatrix(parts: Int) throws {
        var rng = SplitMix64(seed: 16)
        let w = try Tensor<Double>(shape: Shape([3, 2, 3, 3]), scalars: randomIntegerScalars(54, using: &rng))
        let conv = try ConvolutionLayer(inputShape: [2, 5, 6], weight: w, stride: [2, 1], padding: .explicit(begin: [1, 1], end: [1, 1])).linear
        let ops: [any LinearOperator<Double>] = [
            conv, conv.anyTransposed,
            try Convolution<Double>(kernel: randomIntegerScalars(4, using: &rng), inputLength: 9, mode: .full, stride: 2),
            try Downsample<Double>(factor: 3, phase: 1, inputLength: 10),
            try Downsample<Double>(factor: 3, phase: 1, inputLength: 10).anyTransposed,
            try AveragePooling<Double>(inputShape: [2, 7], kernelSize: [3], stride: [2], padding: [1]),
        ]
        for op in ops {
            #expect(try stacked(op, parts: parts) == op.sparse(), "\(type(of: op)) in \(parts) blocks")
        }
    }

    @Test func outOfRangeRowsAndChainsAreRefused() throws {
        let d = try Downsample<Double>(factor: 2, inputLength: 6)
        #expect(throws: ConvAlgebraError.self) { try d.sparseRowBlock(2..<4) }
        #expect(throws: ConvAlgebraError.self) { try Composed([d, d.anyTransposed]).sparseRowBlock(0..<1) }
    }
}
