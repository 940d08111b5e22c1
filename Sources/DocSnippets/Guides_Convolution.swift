// Generated from Guides/Convolution.md by `make snippets`: edit the document, not this file.
import ConvAlgebra

enum Guides_Convolution {
    static let blocks: [(String, @Sendable () throws -> Void)] = [
        ("Guides/Convolution.md:12", block1),
        ("Guides/Convolution.md:25", block2),
    ]

    /// Guides/Convolution.md, the block at line 12.
    static func block1() throws {
        let (q0, q1, q2) = (1.0, 2.0, 3.0)   // symbolic() names the taps q0, q1, q2 whatever their values
        let C = try Convolution(kernel: [q0, q1, q2], inputLength: 4, mode: .same)
        print(try C.symbolic())
        // q1  q0   0   0
        // q2  q1  q0   0
        //  0  q2  q1  q0
        //  0   0  q2  q1
        let T = C.transposed              // TransposedConvolution: the same terms, rows and columns swapped
        _ = C
        _ = T
    }

    /// Guides/Convolution.md, the block at line 25.
    static func block2() throws {
        let q = [1.0, 2.0, 3.0]
        print(try Convolution<Double>(kernel: q, inputLength: 8, mode: .same, stride: 2).explain().notation)   // y = ↓2 (q * x)
        print(try TransposedConvolution<Double>(kernel: q, stride: 2, inputLength: 4).explain().notation)      // y = q * (↑2 x) = (↓2 (q̃ *))ᵀ x
        _ = q
    }
}
