// Generated from Sources/ConvAlgebra/ConvAlgebra.docc/FromPyTorch.md by `make snippets`: edit the document, not this file.
import ConvAlgebra

enum Article_FromPyTorch {
    static let blocks: [(String, @Sendable () throws -> Void)] = [
        ("Sources/ConvAlgebra/ConvAlgebra.docc/FromPyTorch.md:100", block1),
    ]

    /// Sources/ConvAlgebra/ConvAlgebra.docc/FromPyTorch.md, the block at line 100.
    static func block1() throws {
        let pool = try AveragePooling<Double>(inputShape: [1, 4, 4], kernelSize: [2, 2])
        let matrix = try pool.dense()                 // 4 × 16: each row averages one 2 × 2 window
        print(matrix.rows, matrix.columns, try pool.transposed.dense() == matrix.transposed())
        _ = pool
        _ = matrix
    }
}
