// Generated from Sources/ConvAlgebra/ConvAlgebra.docc/ChoosingAForm.md by `make snippets`: edit the document, not this file.
import ConvAlgebra

enum Article_ChoosingAForm {
    static let blocks: [(String, @Sendable () throws -> Void)] = [
        ("Sources/ConvAlgebra/ConvAlgebra.docc/ChoosingAForm.md:56", block1),
    ]

    /// Sources/ConvAlgebra/ConvAlgebra.docc/ChoosingAForm.md, the block at line 56.
    static func block1() throws {
        let blur = try Convolution(kernel: [1.0, 4, 6, 4, 1], inputLength: 256, mode: .same)
        for batch in [1, 64, 4096] {
            let choice = FormChooser.choose(blur, batch: batch)
            print(batch, choice.form, choice.reason)
        }
        _ = blur
    }
}
