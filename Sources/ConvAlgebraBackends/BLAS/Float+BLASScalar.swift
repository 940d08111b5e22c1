import ConvAlgebraCore
import CBLAS
import CLAPACKE

extension Float: BLASScalar {
    public static var npyDescriptor: String { "<f4" }

    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        BLASLibrary.call {
            cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                        blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
        }
    }

    @inlinable
    public static func gemv(
        transpose: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        BLASLibrary.call {
            cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, blasint(m), blasint(n), alpha, a, blasint(lda),
                        x, 1, beta, y, 1)
        }
    }

    @inlinable
    public static func dot(count: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        BLASLibrary.call { cblas_sdot(blasint(count), x, 1, y, 1) }
    }

    @inlinable
    public static func singularValues(
        m: Int, n: Int, a: UnsafeMutablePointer<Float>, lda: Int, s: UnsafeMutablePointer<Float>
    ) -> Int {
        // LAPACKE's row-major wrapper checks ldvt ≥ n even with jobz = 'N' (no vectors are written).
        BLASLibrary.call {
            Int(LAPACKE_sgesdd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "N")), Int32(m), Int32(n), a,
                               Int32(lda), s, nil, Int32(max(1, m)), nil, Int32(max(1, n))))
        }
    }

    @inlinable
    public static func leastSquares(
        m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<Float>, lda: Int,
        b: UnsafeMutablePointer<Float>, ldb: Int, s: UnsafeMutablePointer<Float>, rcond: Float
    ) -> (info: Int, rank: Int) {
        var rank: Int32 = 0
        let info = BLASLibrary.call {
            LAPACKE_sgelsd(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(nrhs), a, Int32(lda),
                           b, Int32(ldb), s, rcond, &rank)
        }
        return (Int(info), Int(rank))
    }
}
