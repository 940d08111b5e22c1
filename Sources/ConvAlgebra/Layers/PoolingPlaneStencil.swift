/// The weighted windows of a channel-independent pooling-family operator on one spatial plane:
/// output `p` is `y[p] = Σ_e w[e] · x[col[e]]` over `e ∈ rowOffsets[p] ..< rowOffsets[p+1]`.
///
/// Average pooling, linear interpolation and (per sample) max-pool selection are all this shape: a
/// CSR matrix of one plane, applied to every channel plane alike. The operator's terms are those of
/// the plane repeated per channel on the block diagonal, `A = I_C ⊗ P`.
struct PoolingPlaneStencil<Scalar: BLASScalar>: Sendable, Equatable {
    let inputPlane: Int
    let outputPlane: Int
    /// `outputPlane + 1` offsets into `columns` and `weights`.
    let rowOffsets: [Int]
    let columns: [Int32]
    let weights: [Scalar]

    var termCount: Int { weights.count }

    /// Calls `body(row, column, weight)` for every term of `I_C ⊗ P`, rows ascending.
    func forEachTerm(channels: Int, _ body: (Int, Int, Scalar) -> Void) {
        for ch in 0..<channels {
            let r0 = ch * outputPlane, c0 = ch * inputPlane
            for p in 0..<outputPlane {
                for e in rowOffsets[p]..<rowOffsets[p + 1] { body(r0 + p, c0 + Int(columns[e]), weights[e]) }
            }
        }
    }

    /// The number of terms of `I_C ⊗ P`, overflow-checked.
    func termCount(channels: Int) throws -> Int {
        try Checked.multiply(channels, termCount, "the number of terms")
    }
}
