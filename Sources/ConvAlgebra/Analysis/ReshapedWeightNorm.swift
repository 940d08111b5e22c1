/// The spectral norm of a convolution's weight reshaped to a matrix: what PyTorch's `spectral_norm` bounds.
///
/// PyTorch's `torch.nn.utils.spectral_norm` normalises `W.reshape(W.shape[dim], −1)` with `dim = 0` for
/// convolutions (`C_out × (C_in/G · ∏K)`) and `dim = 1` for transposed convolutions (rows the layer's output
/// channels per group, `C_out/G × (C_in · ∏K)`). That number is not the operator's norm ‖A‖₂: for a
/// stride-1 convolution ‖A‖₂ can exceed it by up to a factor `√∏K` (each input sample is read by every
/// tap), and for strided ones it can be smaller. ``OperatorAnalysis`` prints both side by side.
enum ReshapedWeightNorm {
    /// The reshaped-weight spectral norm of a convolution (`dim = 0`) or of its transpose (`dim = 1`).
    /// - Throws: LAPACK or memory-budget errors.
    /// - Complexity: one SVD of a `C_out × (C_in/G·∏K)` matrix (or `C_out/G × (C_in·∏K)`).
    static func value<S: BLASScalar>(geometry g: ConvolutionGeometry, taps: [S], transposedLayer: Bool,
                                     budget: MemoryBudget) throws -> Double {
        let w = taps.map(Double.init)
        // The stored weight is the forward convolution's W[co, ci, τ] (C_out_f × C_in_f/G × K).
        let (rowsF, colsF, K) = (g.outChannels, g.inChannelsPerGroup, g.kernelPlane)
        let matrix: DenseMatrix<Double>
        if !transposedLayer {
            matrix = try DenseMatrix(rows: rowsF, columns: colsF * K, entries: w)
        } else {
            // conv_transpose's weight is (C_in_T, C_out_T/G, K) = the same array; dim 1 to the front:
            // M[j, (co, τ)] = W[co, j, τ].
            var m = try DenseMatrix<Double>(zeros: colsF, rowsF * K, budget: budget)
            for co in 0..<rowsF { for j in 0..<colsF { for tau in 0..<K { m[j, co * K + tau] = w[(co * colsF + j) * K + tau] } } }
            matrix = m
        }
        return try matrix.spectralNorm(budget: budget)
    }
}

extension Convolution {
    /// `‖W.reshape(C_out, −1)‖₂`, the quantity PyTorch's `spectral_norm` bounds; see ``ReshapedWeightNorm``.
    /// - Throws: LAPACK or memory-budget errors.
    public func reshapedWeightNorm(budget: MemoryBudget = .default) throws -> Double {
        try ReshapedWeightNorm.value(geometry: geometry, taps: taps, transposedLayer: false, budget: budget)
    }
}

extension TransposedConvolution {
    /// `‖W.transpose(0, 1).reshape(C_out/G, −1)‖₂` (PyTorch's `dim = 1` for transposed convolutions).
    /// - Throws: LAPACK or memory-budget errors.
    public func reshapedWeightNorm(budget: MemoryBudget = .default) throws -> Double {
        try ReshapedWeightNorm.value(geometry: geometry, taps: taps, transposedLayer: true, budget: budget)
    }
}
