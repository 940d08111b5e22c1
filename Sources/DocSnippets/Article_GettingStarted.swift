// Generated from Sources/ConvAlgebra/ConvAlgebra.docc/GettingStarted.md by `make snippets`: edit the document, not this file.
import ConvAlgebra

enum Article_GettingStarted {
    static let blocks: [(String, @Sendable () throws -> Void)] = [
        ("Sources/ConvAlgebra/ConvAlgebra.docc/GettingStarted.md:22", block1),
        ("Sources/ConvAlgebra/ConvAlgebra.docc/GettingStarted.md:39", block2),
        ("Sources/ConvAlgebra/ConvAlgebra.docc/GettingStarted.md:53", block3),
    ]

    /// Sources/ConvAlgebra/ConvAlgebra.docc/GettingStarted.md, the block at line 22.
    static func block1() throws {
        let q: [Double] = [1, 2, 3]
        let conv = try Convolution(kernel: q, inputLength: 6, mode: .same)    // numpy.convolve(x, q, 'same')
        let x = try Tensor<Double>(shape: [2, 6], scalars: [1, 0, 0, 0, 0, 0,
                                                            0, 1, 2, 3, 4, 5])
        let direct = try conv.apply(x, form: .direct)    // matrix-free
        let dense = try conv.apply(x, form: .dense)      // the 6 × 6 matrix, one GEMM for the batch
        let sparse = try conv.apply(x, form: .sparse)    // its CSR matrix, one sparse product
        print(direct.scalars == dense.scalars, direct.scalars == sparse.scalars)
        print(direct)
        _ = q
        _ = conv
        _ = x
        _ = direct
        _ = dense
        _ = sparse
    }

    /// Sources/ConvAlgebra/ConvAlgebra.docc/GettingStarted.md, the block at line 39.
    static func block2() throws {
        let strided = try Convolution(kernel: [1.0, 2, 3], inputLength: 4, mode: .same, stride: 2)   // ↓2(q * x)
        print(try strided.symbolic())
        // q1  q0   0   0
        //  0  q2  q1  q0
        let transposed = strided.transposed                 // a TransposedConvolution
        print(try transposed.dense() == strided.dense().transposed())   // true
        _ = strided
        _ = transposed
    }

    /// Sources/ConvAlgebra/ConvAlgebra.docc/GettingStarted.md, the block at line 53.
    static func block3() throws {
        var random = SplitMix64(seed: 42)
        let w = try Tensor<Float>(shape: [4, 3, 3, 3], scalars: random.uniform(4 * 3 * 3 * 3))
        let layer = try ConvolutionLayer<Float>(inputShape: [3, 8, 8], weight: w, stride: [2], padding: .symmetric([1]))
        let images = try Tensor<Float>(shape: [5, 3, 8, 8], scalars: random.uniform(5 * 3 * 8 * 8))
        print(try layer.forward(images).shape)              // (5, 4, 4, 4)
        print(try layer.linear.sparse().nonzeroCount)       // the non-zeros of its 64 × 192 matrix
        _ = random
        _ = w
        _ = layer
        _ = images
    }
}
