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

    /// A convolution enumerates a row range alone (what each process of `convalgebra-mpi` walks): the same terms,
    /// in the same order, as the whole enumeration filtered to the range, for ranges inside one output channel,
    /// across channels, empty, and whole.
    @Test func aConvolutionsRowRangeIsTheWholeEnumerationsRows() throws {
        var rng = SplitMix64(seed: 61)
        let geometries: [ConvolutionGeometry] = [
            try .dsp(kernelLength: 4, inputLength: 9, mode: .full, stride: 2, dilation: 1),
            try ConvolutionGeometry(inputSize: [5, 6], outputSize: [3, 6], kernelSize: [3, 3], stride: [2, 1], offset: [-1, -1],
                                    tapStep: [1, 2], inChannels: 4, outChannels: 6, groups: 2, hasChannelAxis: true),
            try ConvolutionGeometry(inputSize: [4, 5], outputSize: [4, 5], kernelSize: [3, 3], stride: [1, 1], offset: [-1, -1],
                                    tapStep: [1, 1], boundary: .circular, inChannels: 2, outChannels: 3, hasChannelAxis: true),
            try ConvolutionGeometry(inputSize: [3, 4, 3], outputSize: [2, 4, 3], kernelSize: [2, 3, 1], stride: [1, 1, 1],
                                    offset: [0, -1, 0], tapStep: [1, 1, 1], inChannels: 1, outChannels: 2, hasChannelAxis: true),
        ]
        for g in geometries {
            let op = try Convolution<Double>(geometry: g, taps: randomIntegerScalars(g.weightCount, using: &rng))
            var all: [[Int]] = []
            op.forEachTerm { r, c, t, _ in all.append([r, c, t]) }
            let m = op.matrixSize.rows, M = g.outputPlane
            var ranges = [0..<m, 0..<1, (m - 1)..<m, 2..<2, (m / 3)..<(2 * m / 3), (M + 1)..<(2 * M - 1), (M - 2)..<(M + 2)]
            for _ in 0..<8 {
                let a = Int.random(in: 0...m, using: &rng), b = Int.random(in: 0...m, using: &rng)
                ranges.append(min(a, b)..<max(a, b))
            }
            for range in ranges where range.lowerBound >= 0 && range.upperBound <= m {
                var part: [[Int]] = []
                op.forEachTerm(rows: range) { r, c, t, _ in part.append([r, c, t]) }
                #expect(part == all.filter { range.contains($0[0]) }, "\(g.inputSize) rows \(range)")
            }
        }
    }

    @Test func outOfRangeRowsAndChainsAreRefused() throws {
        let d = try Downsample<Double>(factor: 2, inputLength: 6)
        #expect(throws: ConvAlgebraError.self) { try d.sparseRowBlock(2..<4) }
        #expect(throws: ConvAlgebraError.self) { try Composed([d, d.anyTransposed]).sparseRowBlock(0..<1) }
    }
}
