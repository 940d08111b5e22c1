// Generated from Guides/Sampling.md by `make snippets`: edit the document, not this file.
import ConvAlgebra

enum Guides_Sampling {
    static let blocks: [(String, @Sendable () throws -> Void)] = [
        ("Guides/Sampling.md:9", block1),
    ]

    /// Guides/Sampling.md, the block at line 9.
    static func block1() throws {
        let D = try Downsample<Double>(factor: 2, inputLength: 4)   // y[i] = x[2i]
        print(try D.symbolic())      // 1 0 0 0 / 0 0 1 0
        let U = D.transposed         // an Upsample, with the same phase: ↑2 = ↓2ᵀ
        print(try U.symbolic())      // 1 0 / 0 0 / 0 1 / 0 0
        _ = D
        _ = U
    }
}
