import ConvAlgebraCore
import ConvAlgebraBackends

/// The weighted windows of a channel-independent pooling-family operator on one spatial plane:
/// output `p` is `y[p] = Σ_e w[e] · x[col[e]]` over `e ∈ rowOffsets[p] ..< rowOffsets[p+1]`.
///
/// Average pooling, linear interpolation and (per sample) max-pool selection are all this shape: a
/// CSR matrix of one plane, applied to every channel plane alike. The operator's terms are those of
/// the plane repeated per channel on the block diagonal, `A = I_C ⊗ P`.
package struct PoolingPlaneStencil<Scalar: BLASScalar>: Sendable, Equatable {
    package let inputPlane: Int
    package let outputPlane: Int
    /// `outputPlane + 1` offsets into `columns` and `weights`.
    package let rowOffsets: [Int]
    package let columns: [Int32]
    package let weights: [Scalar]

    package init(inputPlane: Int, outputPlane: Int, rowOffsets: [Int], columns: [Int32], weights: [Scalar]) {
        self.inputPlane = inputPlane
        self.outputPlane = outputPlane
        self.rowOffsets = rowOffsets
        self.columns = columns
        self.weights = weights
    }

    package var termCount: Int { weights.count }

    /// Calls `body(row, column, weight)` for every term of `I_C ⊗ P`, rows ascending.
    package func forEachTerm(channels: Int, _ body: (Int, Int, Scalar) -> Void) {
        for ch in 0..<channels {
            let r0 = ch * outputPlane, c0 = ch * inputPlane
            for p in 0..<outputPlane {
                for e in rowOffsets[p]..<rowOffsets[p + 1] { body(r0 + p, c0 + Int(columns[e]), weights[e]) }
            }
        }
    }

    /// The number of terms of `I_C ⊗ P`, overflow-checked.
    package func termCount(channels: Int) throws -> Int {
        try Checked.multiply(channels, termCount, "the number of terms")
    }
}
