import ConvAlgebraCore
import CBLAS
import CLAPACKE

extension Double: BLASScalar {
    public static var npyDescriptor: String { "<f8" }

    @inlinable
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        BLASLibrary.call {
            cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                        blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
        }
    }

    @inlinable
    public static func gemv(
        transpose: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
        x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>
    ) {
        BLASLibrary.call {
            cblas_dgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, blasint(m), blasint(n), alpha, a, blasint(lda),
                        x, 1, beta, y, 1)
        }
    }

    @inlinable
    public static func dot(count: Int, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>) -> Double {
        BLASLibrary.call { cblas_ddot(blasint(count), x, 1, y, 1) }
    }

    @inlinable
    public static func singularValues(
        m: Int, n: Int, a: UnsafeMutablePointer<Double>, lda: Int, s: UnsafeMutablePointer<Double>
    ) -> Int {
        // LAPACKE's row-major wrapper checks ldvt ≥ n even with jobz = 'N' (no vectors are written).
        BLASLibrary.call {
            Int(LAPACKE_dgesdd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "N")), Int32(m), Int32(n), a,
                               Int32(lda), s, nil, Int32(max(1, m)), nil, Int32(max(1, n))))
        }
    }

    @inlinable
    public static func leastSquares(
        m: Int, n: Int, nrhs: Int, a: UnsafeMutablePointer<Double>, lda: Int,
        b: UnsafeMutablePointer<Double>, ldb: Int, s: UnsafeMutablePointer<Double>, rcond: Double
    ) -> (info: Int, rank: Int) {
        var rank: Int32 = 0
        let info = BLASLibrary.call {
            LAPACKE_dgelsd(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(nrhs), a, Int32(lda),
                           b, Int32(ldb), s, rcond, &rank)
        }
        return (Int(info), Int(rank))
    }
}
