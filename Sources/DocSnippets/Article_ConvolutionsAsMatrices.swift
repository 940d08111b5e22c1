// Generated from Sources/ConvAlgebra/ConvAlgebra.docc/ConvolutionsAsMatrices.md by `make snippets`: edit the document, not this file.
import ConvAlgebra

enum Article_ConvolutionsAsMatrices {
    static let blocks: [(String, @Sendable () throws -> Void)] = [
        ("Sources/ConvAlgebra/ConvAlgebra.docc/ConvolutionsAsMatrices.md:31", block1),
        ("Sources/ConvAlgebra/ConvAlgebra.docc/ConvolutionsAsMatrices.md:63", block2),
        ("Sources/ConvAlgebra/ConvAlgebra.docc/ConvolutionsAsMatrices.md:153", block3),
    ]

    /// Sources/ConvAlgebra/ConvAlgebra.docc/ConvolutionsAsMatrices.md, the block at line 31.
    static func block1() throws {
        let (q0, q1, q2) = (1.0, 2.0, 3.0)
        let convolution = try Convolution(kernel: [q0, q1, q2], inputLength: 4, mode: .same)
        print(try convolution.symbolic())
        _ = convolution
    }

    /// Sources/ConvAlgebra/ConvAlgebra.docc/ConvolutionsAsMatrices.md, the block at line 63.
    static func block2() throws {
        let down = try Downsample<Double>(factor: 2, inputLength: 4)
        let up = down.transposed                           // an Upsample: ↑2 = ↓2ᵀ
        print(try up.dense() == down.dense().transposed())  // true
        _ = down
        _ = up
    }

    /// Sources/ConvAlgebra/ConvAlgebra.docc/ConvolutionsAsMatrices.md, the block at line 153.
    static func block3() throws {
        let q: [Double] = [1, 2, 3]
        let upThenConvolve = try TransposedConvolution(kernel: q, stride: 2, inputLength: 2, mode: .same)   // q * (↑2 x)
        let stridedCorrelation = upThenConvolve.transposed                                                 // ↓2 (q*)ᵀ
        print(try upThenConvolve.symbolic())
        print(try upThenConvolve.dense() == stridedCorrelation.dense().transposed())                      // true
        _ = q
        _ = upThenConvolve
        _ = stridedCorrelation
    }
}
