// Generated from Sources/ConvAlgebra/ConvAlgebra.docc/AnalysingAnOperator.md by `make snippets`: edit the document, not this file.
import ConvAlgebra

enum Article_AnalysingAnOperator {
    static let blocks: [(String, @Sendable () throws -> Void)] = [
        ("Sources/ConvAlgebra/ConvAlgebra.docc/AnalysingAnOperator.md:22", block1),
        ("Sources/ConvAlgebra/ConvAlgebra.docc/AnalysingAnOperator.md:42", block2),
        ("Sources/ConvAlgebra/ConvAlgebra.docc/AnalysingAnOperator.md:56", block3),
    ]

    /// Sources/ConvAlgebra/ConvAlgebra.docc/AnalysingAnOperator.md, the block at line 22.
    static func block1() throws {
        let strided = try Convolution(kernel: [1.0, 2, 1], inputLength: 16, mode: .same, stride: 2)
        let report = try OperatorAnalysis(of: strided)
        print(report.method, report.spectralNorm, report.rank ?? -1, report.conditionNumber ?? .infinity)
        print(report.nullity ?? -1)   // 16 inputs, 8 outputs: a null space of dimension 8 at least
        _ = strided
        _ = report
    }

    /// Sources/ConvAlgebra/ConvAlgebra.docc/AnalysingAnOperator.md, the block at line 42.
    static func block2() throws {
        let conv = try Convolution(kernel: [0.25, 0.5, 0.25], inputLength: 8, mode: .same)
        let x = try Tensor<Double>(shape: [8], scalars: [0, 1, 0, 0, 2, 0, 0, 1])
        let y = try conv.apply(x)
        let recovered = try conv.leastSquares(y)
        print(recovered.rank, recovered.solution)
        _ = conv
        _ = x
        _ = y
        _ = recovered
    }

    /// Sources/ConvAlgebra/ConvAlgebra.docc/AnalysingAnOperator.md, the block at line 56.
    static func block3() throws {
        // The transposed convolution of a 3 × 3, stride-2 convolution on a 24 × 24 plane (kernel size not a multiple of the stride).
        let geometry = try DLGeometry.convolution(inChannels: 1, outChannels: 1, inputSize: [24, 24], kernelSize: [3, 3],
                                                  stride: [2, 2], padding: [1, 1], dilation: [1, 1])
        let overlap = try OverlapPattern(transposedConvolution: geometry)
        print(overlap.isEven, overlap.phaseCounts)   // false: the four output phases get 4, 2, 2 and 1 taps
        _ = geometry
        _ = overlap
    }
}
