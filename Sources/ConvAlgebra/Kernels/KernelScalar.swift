/// A scalar the fast kernels are written for: a ``BLASScalar`` that is also a SIMD lane type.
///
/// Public entry points are generic over ``BLASScalar``; called from another module they run
/// unspecialised, where every multiply-add goes through a witness table (~25× slower). The fast
/// kernels therefore switch once on the concrete type (``KernelDispatch``) and from there on run
/// code the optimiser has specialised for `Float` or `Double`.
protocol KernelScalar: BLASScalar, SIMDScalar {}

extension Float: KernelScalar {}
extension Double: KernelScalar {}

/// The 8-lane vector the interior loops accumulate in (two SSE/AVX registers of `Float`, four of `Double`).
typealias Lanes<T: KernelScalar> = SIMD8<T>

extension UnsafePointer where Pointee: KernelScalar {
    /// Eight consecutive scalars from `self + i` (no alignment needed).
    @inline(__always)
    func lanes(_ i: Int) -> SIMD8<Pointee> {
        UnsafeRawPointer(self + i).loadUnaligned(as: SIMD8<Pointee>.self)
    }

    /// Eight scalars `self[i], self[i + s], …, self[i + 7s]` (a strided gather).
    @inline(__always)
    func lanes(_ i: Int, stride s: Int) -> SIMD8<Pointee> {
        SIMD8(self[i], self[i + s], self[i + 2 * s], self[i + 3 * s],
              self[i + 4 * s], self[i + 5 * s], self[i + 6 * s], self[i + 7 * s])
    }
}

extension UnsafeMutablePointer where Pointee: KernelScalar {
    @inline(__always)
    func lanes(_ i: Int) -> SIMD8<Pointee> {
        UnsafeRawPointer(self + i).loadUnaligned(as: SIMD8<Pointee>.self)
    }

    /// Stores eight lanes at `self + i, self + i + s, …` (contiguous when `s == 1`).
    @inline(__always)
    func store(_ v: SIMD8<Pointee>, at i: Int, stride s: Int = 1) {
        if s == 1 {
            UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: SIMD8<Pointee>.self)
        } else {
            for l in 0..<8 { self[i + l * s] = v[l] }
        }
    }
}

/// Switches a generic call once on the concrete scalar type.
enum KernelDispatch {
    /// Reinterprets a pointer whose memory is bound to `S` as one to `T` when `S == T`.
    @inline(__always)
    static func cast<S, T>(_ p: UnsafePointer<S>, to _: T.Type) -> UnsafePointer<T> {
        UnsafeRawPointer(p).assumingMemoryBound(to: T.self)
    }

    @inline(__always)
    static func cast<S, T>(_ p: UnsafeMutablePointer<S>, to _: T.Type) -> UnsafeMutablePointer<T> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: T.self)
    }
}
