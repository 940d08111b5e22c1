import ConvAlgebraCore
import ConvAlgebraBackends

/// How a dense `m × n` matrix `A` is held in row-major entries: as `A` itself (``DenseMatrix``, leading dimension
/// `n`) or as its transpose `Aᵀ` (``DenseBatchProduct``, leading dimension `m`). Both apply to a batch through
/// ``apply(_:rows:columns:_:_:batch:)``, which makes the BLAS calls that layout needs.
package enum DenseLayout: Sendable {
    case matrix
    case transposed

    /// `y_b = A · x_b` for every sample `b` of a row-major batch (`x`: `batch × n`, `y`: `batch × m`), `A` held in
    /// `entries` in this layout: one GEMV for one sample, else one GEMM `Y = X · Aᵀ` —
    /// `gemm(NoTrans, Trans)` on `A`, `gemm(NoTrans, NoTrans)` on `Aᵀ`. Nothing is copied or allocated.
    /// - Complexity: `2 · batch · m · n` FLOPs; reads the matrix once per GEMM block.
    package func apply<Scalar: BLASScalar>(_ entries: [Scalar], rows m: Int, columns n: Int,
                                            _ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        guard batch > 0, m > 0 else { return }
        guard n > 0 else { y.update(repeating: 0, count: batch * m); return }
        let isA = self == .matrix
        let lead = isA ? n : m  // entries hold A (m × n) or Aᵀ (n × m), row-major
        entries.withUnsafeBufferPointer { a in
            if batch == 1 {
                // GEMM with one row still packs the whole matrix into its panels (measured 3–5× slower than
                // NumPy's GEMV on 1024 × 1024); GEMV streams it once.
                Scalar.gemv(transpose: !isA, m: isA ? m : n, n: isA ? n : m, alpha: 1, a: a.baseAddress!, lda: lead,
                            x: x, beta: 0, y: y)
            } else {
                Scalar.gemm(transposeA: false, transposeB: isA, m: batch, n: m, k: n,
                            alpha: 1, a: x, lda: n, b: a.baseAddress!, ldb: lead, beta: 0, c: y, ldc: m)
            }
        }
    }
}
