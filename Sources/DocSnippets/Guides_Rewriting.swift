// Generated from Guides/Rewriting.md by `make snippets`: edit the document, not this file.
import ConvAlgebra

enum Guides_Rewriting {
    static let blocks: [(String, @Sendable () throws -> Void)] = [
        ("Guides/Rewriting.md:16", block1),
    ]

    /// Guides/Rewriting.md, the block at line 16.
    static func block1() throws {
        let (q0, q1, q2) = (1.0, 2.0, 3.0)   // any taps
        let up = try TransposedConvolution<Double>.nearestNeighbourUpsampling(factor: 2, inputLength: 6)
        let conv = try Convolution<Double>(kernel: [q0, q1, q2], inputLength: 12, mode: .same)
        let chain = try up.then(conv)          // a Composed: its direct form runs the rewritten chain
        print(chain.explain())
        // y = q * ((1 1) * (↑2 x))
        //   where q = (q0 q1 q2), the kernel as given of 3 taps
        //   where (after rewriting) q: a kernel of shape (4), made by the rewrite below
        // domain (6) → codomain (12): a 12 × 6 matrix
        // nnz … (of the CSR matrix, materialised under the memory budget), density …
        // transpose: y = ↓2 ((1 1) * (q̃ * x))
        // form (batch 1): direct, estimated … — a chain: its direct form runs the rewritten factors, each priced by …
        // direct kernel: rowStencilPolyphase(2 phases)
        // factors (application order): (1 1) * (↑2 ·) ; q * ·
        // rewrite q * ((1 … 1) * (↑k x)) = ((1 … 1) * q) * (↑k x): q * ((1 1) * (↑2 ·)) ⇒ ((1 1) * q) * (↑2 ·), (1 1) * q = (q0, q0+q1, q1+q2, q2) (work … → …)
        // after rewriting: q * (↑2 ·)
        //   y = q * (↑2 x)
        // work per sample: … multiply-adds and moves, … after rewriting
        _ = up
        _ = conv
        _ = chain
    }
}
