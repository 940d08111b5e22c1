// Generated from Guides/ConvolutionLayer.md by `make snippets`: edit the document, not this file.
import ConvAlgebra

enum Guides_ConvolutionLayer {
    static let blocks: [(String, @Sendable () throws -> Void)] = [
        ("Guides/ConvolutionLayer.md:15", block1),
    ]

    /// Guides/ConvolutionLayer.md, the block at line 15.
    static func block1() throws {
        var random = SplitMix64(seed: 1)
        let x = try Tensor<Float>.random(shape: [2, 3, 32, 32], seed: 3)  // N = 2 samples, uniform on [−1, 1)
        let w = try Tensor<Float>.random(shape: [8, 3, 3, 3], seed: 1)     // (C_out, C_in/groups, K_h, K_w)
        let b = try Tensor<Float>.zeros(shape: [8])                         // the bias is a Tensor of shape (C_out)
        let conv = try ConvolutionLayer<Float>(inputShape: [3, 32, 32], weight: w, bias: b,
                                               stride: [2], padding: .symmetric([1]), groups: 1, paddingMode: .reflect)
        let y = try conv.forward(x)                    // A x (+ b with a bias), shape (2, 8, 16, 16)
        let A = try conv.linear.sparse()               // the linear part as a CSR matrix, 2048 × 3072
        let dy = try Tensor<Float>(shape: y.shape, scalars: random.uniform(y.shape.count))
        let g = try conv.backward(input: x, outputGradient: dy)   // dx = Aᵀ dy, dW = Σ B(x)ᵀ dy, db = Σ dy
        print(y.shape, A.rows, A.columns, g.input.shape)
        let wt = try Tensor<Float>.random(shape: [64, 3, 4, 4], seed: 2)  // (C_in, C_out/groups, K_h, K_w)
        let up = try TransposedConvolutionLayer<Float>(inputShape: [64, 28, 28], weight: wt, stride: [2],
                                                       padding: .symmetric([1]))
        print(up.codomain)                             // 3 × 56 × 56
        // up.linear == up.forwardConvolution.transposed: its matrix is the conv's, transposed entry for entry.
        _ = random
        _ = x
        _ = w
        _ = b
        _ = conv
        _ = y
        _ = A
        _ = dy
        _ = g
        _ = wt
        _ = up
    }
}
