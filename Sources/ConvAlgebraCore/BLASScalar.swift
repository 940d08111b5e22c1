/// A real floating-point scalar that the library computes in: `Float` or `Double`.
///
/// Every generic routine of the library dispatches through this one protocol to the
/// single- (`s`) or double-precision (`d`) routine of CBLAS and LAPACKE. Each conformance
/// lives in its own file (`Float+BLASScalar.swift`, `Double+BLASScalar.swift`) and is a set of
/// one-line forwarders, as in swift-numerics.
public protocol BLASScalar: BinaryFloatingPoint, Sendable, CustomStringConvertible
where Self.RawSignificand: FixedWidthInteger {
    /// The NumPy dtype descriptor of this scalar, little-endian: `<f4` or `<f8`.
    static var npyDescriptor: String { get }

    /// Row-major general matrix product `C ← α·op(A)·op(B) + β·C` (`cblas_?gemm`).
    ///
    /// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`; `lda`, `ldb`, `ldc` are row strides.
    /// - Complexity: `2·m·n·k` FLOPs.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// Row-major matrix–vector product `y ← α·op(A)·x + β·y` (`cblas_?gemv`), unit strides.
    ///
    /// `A` is `m × n` with row stride `lda`; `op(A)` is `A` (`x` has `n` scalars, `y` has `m`) or `Aᵀ`
    /// (`x` has `m`, `y` has `n`).
    /// - Complexity: `2·m·n` FLOPs; streams `A` once.
    static func gemv(
        transpose: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
        x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)

    /// Dot product of two contiguous vectors (`cblas_?dot`).
    static func dot(count: Int, _ x: UnsafePointer<Self>, _ y: UnsafePointer<Self>) -> Self

    /// Divide-and-conquer SVD of a row-major `m × n` matrix, singular values only (`LAPACKE_?gesdd`, `jobz = 'N'`).
    ///
    /// `a` is overwritten. Returns LAPACK's `info` (0 on success).
    static func singularValues(
        m: Int, n: Int, a: UnsafeMutablePointer<Self>, lda: Int, s: UnsafeMutablePointer<Self>) -> Int

    /// Minimum-norm least squares `min ‖A·X − B‖` by SVD (`LAPACKE_?gelsd`), row-major.
    ///
    /// `b` holds `max(m, n) × nrhs` and returns the solution in its first `n` rows; singular values
    /// below `rcond·σ₁` count as zero. Returns `(info, rank)`.
    static func leastSquares(
        m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<Self>, lda: Int,
        b: UnsafeMutablePointer<Self>, ldb: Int, s: UnsafeMutablePointer<Self>, rcond: Self) -> (info: Int, rank: Int)
}
