// Generated from README.md by `make snippets`: edit the document, not this file.
import ConvAlgebra

enum README {
    static let blocks: [(String, @Sendable () throws -> Void)] = [
        ("README.md:28", block1),
    ]

    /// README.md, the block at line 28.
    static func block1() throws {

        // A strided convolution ↓2(q * x) on 8 samples, 'same' mode, as one operator.
        let q: [Double] = [1, 2, 3]
        let strided = try Convolution(kernel: q, inputLength: 8, mode: .same, stride: 2)
        print(try strided.symbolic())             // rows of q2 q1 q0, two columns apart

        // Its transpose is a transposed convolution, literally: the same matrix, transposed.
        let transposed = strided.transposed       // a TransposedConvolution<Double>
        let isTranspose = try transposed.dense() == strided.dense().transposed()

        // Apply it to a batch of 32 samples with one GEMM (dense form); the direct form agrees.
        let x = try Tensor<Double>(shape: [32, 8], scalars: (0..<256).map { Double($0 % 7) })
        let viaGEMM = try strided.apply(x, form: .dense)
        let direct = try strided.apply(x, form: .direct)
        _ = q
        _ = strided
        _ = transposed
        _ = isTranspose
        _ = x
        _ = viaGEMM
        _ = direct
    }
}
