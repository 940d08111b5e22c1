import ConvAlgebraCore
import ConvAlgebraBackends

/// A scalar the fast kernels are written for: a ``BLASScalar`` that is also a SIMD lane type.
///
/// Public entry points are generic over ``BLASScalar``; called from another module they run
/// unspecialised, where every multiply-add goes through a witness table (~25× slower). The fast
/// kernels therefore switch once on the concrete type (``KernelDispatch``) and from there on run
/// code the optimiser has specialised for `Float` or `Double`. `Codable` is spelled out because `SIMDScalar`'s
/// storage types are `SIMD`, which is `Codable` over `Self` (without it every build warns, downstream ones too).
package protocol KernelScalar: FFTWScalar, SIMDScalar, Codable {
    /// `C = op(A) · B` (row-major, `C` overwritten) for the convolution kernels' shapes: few rows, many columns.
    static func convolutionGEMM(transposeA: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Self>, lda: Int,
                                b: UnsafePointer<Self>, ldb: Int, c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension Float: KernelScalar {
    /// ``MicroGEMM`` where the CPU has AVX2 + FMA, OpenBLAS otherwise.
    @inline(__always)
    package static func convolutionGEMM(transposeA: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if MicroGEMM.isAccelerated {
            MicroGEMM.multiply(transposeA: transposeA, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
        } else {
            gemm(transposeA: transposeA, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: lda,
                 b: b, ldb: ldb, beta: 0, c: c, ldc: ldc)
        }
    }
}

extension Double: KernelScalar {
    /// OpenBLAS (the micro-kernel is FP32 only).
    @inline(__always)
    package static func convolutionGEMM(transposeA: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Double>, lda: Int,
                                b: UnsafePointer<Double>, ldb: Int, c: UnsafeMutablePointer<Double>, ldc: Int) {
        gemm(transposeA: transposeA, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: lda,
             b: b, ldb: ldb, beta: 0, c: c, ldc: ldc)
    }
}

/// The 8-lane vector the interior loops accumulate in (two SSE/AVX registers of `Float`, four of `Double`).
package typealias Lanes<T: KernelScalar> = SIMD8<T>

extension UnsafePointer where Pointee: KernelScalar {
    /// Eight consecutive scalars from `self + i` (no alignment needed).
    @inline(__always)
    package func lanes(_ i: Int) -> SIMD8<Pointee> {
        UnsafeRawPointer(self + i).loadUnaligned(as: SIMD8<Pointee>.self)
    }

    /// Eight scalars `self[i], self[i + s], …, self[i + 7s]` (a strided gather).
    @inline(__always)
    package func lanes(_ i: Int, stride s: Int) -> SIMD8<Pointee> {
        SIMD8(self[i], self[i + s], self[i + 2 * s], self[i + 3 * s],
              self[i + 4 * s], self[i + 5 * s], self[i + 6 * s], self[i + 7 * s])
    }
}

extension UnsafeMutablePointer where Pointee: KernelScalar {
    @inline(__always)
    package func lanes(_ i: Int) -> SIMD8<Pointee> {
        UnsafeRawPointer(self + i).loadUnaligned(as: SIMD8<Pointee>.self)
    }

    /// Stores eight lanes at `self + i, self + i + s, …` (contiguous when `s == 1`).
    @inline(__always)
    package func store(_ v: SIMD8<Pointee>, at i: Int, stride s: Int = 1) {
        if s == 1 {
            UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: SIMD8<Pointee>.self)
        } else {
            for l in 0..<8 { self[i + l * s] = v[l] }
        }
    }
}

/// Switches a generic call once on the concrete scalar type.
package enum KernelDispatch {
    /// Reinterprets a pointer whose memory is bound to `S` as one to `T` when `S == T`.
    @inline(__always)
    package static func cast<S, T>(_ p: UnsafePointer<S>, to _: T.Type) -> UnsafePointer<T> {
        UnsafeRawPointer(p).assumingMemoryBound(to: T.self)
    }

    @inline(__always)
    package static func cast<S, T>(_ p: UnsafeMutablePointer<S>, to _: T.Type) -> UnsafeMutablePointer<T> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: T.self)
    }
}
