import ConvAlgebraCore
import ConvAlgebraBackends
#if arch(x86_64) && canImport(_Builtin_intrinsics)
import _Builtin_intrinsics.intel

#endif

/// How a pooling window is reduced, for ``PoolingKernels/reduceRows(_:_:planes:_:_:)``: a scalar fold in the
/// window's row-major tap order, and the same fold on eight adjacent outputs at once.
///
/// A vector lane performs exactly the scalar fold's operations in the same order, so both give the same
/// bits; a reduction whose vector form cannot honour a rule (max pooling's NaN) reports the block, and
/// the kernel redoes it with the scalar fold.
package protocol WindowReduction {
    associatedtype T: KernelScalar
    /// The fold's start value (the reduction of an empty window, before ``finish(_:at:)``).
    static var identity: T { get }
    /// Whether ``combine(_:_:_:)`` may flag a block to be redone by the scalar fold.
    static var mayFlag: Bool { get }
    /// Whether the fold may be bracketed differently and give the same bits (`max` with the first of equal
    /// values kept is associative; floating-point sums are not).
    static var associative: Bool { get }
    static func combine(_ acc: inout T, _ v: T)
    /// Folds `v` into `acc` lane by lane; may mark lanes of `flag` (which starts all zero bits; a marked lane
    /// stays marked).
    static func combine(_ acc: inout SIMD8<T>, _ v: SIMD8<T>, _ flag: inout SIMD8<T>)
    /// Marks the lanes of `flag` that are marked in `other`.
    static func merge(_ flag: inout SIMD8<T>, _ other: SIMD8<T>)
    /// Whether any lane of `flag` was marked.
    static func flagged(_ flag: SIMD8<T>) -> Bool
    /// The output value from the folded window of output `o` (flat index in its plane).
    func finish(_ acc: T, at o: Int) -> T
    /// The outputs `o ..< o + 8` from their folded windows.
    func finish(_ acc: SIMD8<T>, at o: Int) -> SIMD8<T>
}

/// Max pooling's fold, PyTorch's rule (aten/src/ATen/native/cpu/MaxPoolKernel.cpp): take `v` when
/// `v > acc || isnan(v)`, starting from `−∞`.
///
/// The vector form folds `acc = v > acc ? v : acc` (one `maxps`, which keeps the first of equal values as
/// the scalar rule does: `+0` and `−0` keep their order) and marks the lanes that met a NaN (`cmpunordps` of
/// the mark and the value);
/// the scalar fold then redoes the block, so the NaN that wins is the window's last, as in PyTorch.
/// (Spelled with SSE intrinsics: the generic SIMD comparisons compile to lane-by-lane loops inside the
/// row kernel, 30× slower.)
package struct MaxReduction<T: KernelScalar>: WindowReduction {
    package static var identity: T { -T.infinity }
    package static var mayFlag: Bool { true }
    package static var associative: Bool { true }

    @inline(__always)
    package static func combine(_ acc: inout T, _ v: T) {
        if v > acc || v.isNaN { acc = v }
    }

    @inline(__always)
    package static func combine(_ acc: inout SIMD8<T>, _ v: SIMD8<T>, _ flag: inout SIMD8<T>) {
        #if arch(x86_64) && canImport(_Builtin_intrinsics)
        if T.self == Float.self {
            let a = unsafeBitCast(acc, to: SIMD8<Float>.self), x = unsafeBitCast(v, to: SIMD8<Float>.self)
            let f = unsafeBitCast(flag, to: SIMD8<Float>.self)
            // _mm_max_ps(x, a) = x > a ? x : a, lane by lane.
            acc = unsafeBitCast(SIMD8(lowHalf: _mm_max_ps(x.lowHalf, a.lowHalf), highHalf: _mm_max_ps(x.highHalf, a.highHalf)),
                                to: SIMD8<T>.self)
            // cmpunordps(f, x) is all ones (a NaN) when f or x is a NaN: one instruction keeps the mark.
            flag = unsafeBitCast(SIMD8(lowHalf: _mm_cmpunord_ps(f.lowHalf, x.lowHalf), highHalf: _mm_cmpunord_ps(f.highHalf, x.highHalf)),
                                 to: SIMD8<T>.self)
            return
        }
        if T.self == Double.self {
            let a = unsafeBitCast(acc, to: SIMD8<Double>.self), x = unsafeBitCast(v, to: SIMD8<Double>.self)
            let f = unsafeBitCast(flag, to: SIMD8<Double>.self)
            @inline(__always) func max4(_ x: SIMD4<Double>, _ a: SIMD4<Double>) -> SIMD4<Double> {
                SIMD4(lowHalf: _mm_max_pd(x.lowHalf, a.lowHalf), highHalf: _mm_max_pd(x.highHalf, a.highHalf))
            }
            @inline(__always) func nan4(_ f: SIMD4<Double>, _ x: SIMD4<Double>) -> SIMD4<Double> {
                SIMD4(lowHalf: _mm_cmpunord_pd(f.lowHalf, x.lowHalf), highHalf: _mm_cmpunord_pd(f.highHalf, x.highHalf))
            }
            acc = unsafeBitCast(SIMD8(lowHalf: max4(x.lowHalf, a.lowHalf), highHalf: max4(x.highHalf, a.highHalf)), to: SIMD8<T>.self)
            flag = unsafeBitCast(SIMD8(lowHalf: nan4(f.lowHalf, x.lowHalf), highHalf: nan4(f.highHalf, x.highHalf)), to: SIMD8<T>.self)
            return
        }
        #endif
        for l in 0..<8 {
            if v[l] > acc[l] { acc[l] = v[l] }
            if v[l].isNaN { flag[l] = .nan }
        }
    }

    @inline(__always)
    package static func merge(_ flag: inout SIMD8<T>, _ other: SIMD8<T>) {
        // A marked lane is a NaN (all one bits on x86): the vector fold's mark does it.
        var unused = flag
        combine(&unused, other, &flag)
    }

    @inline(__always)
    package static func flagged(_ flag: SIMD8<T>) -> Bool {
        #if arch(x86_64) && canImport(_Builtin_intrinsics)
        // A marked lane is all one bits: its sign bit is set.
        if T.self == Float.self {
            let f = unsafeBitCast(flag, to: SIMD8<Float>.self)
            return _mm_movemask_ps(_mm_or_ps(f.lowHalf, f.highHalf)) != 0
        }
        if T.self == Double.self {
            let f = unsafeBitCast(flag, to: SIMD8<Double>.self)
            return _mm_movemask_pd(_mm_or_pd(_mm_or_pd(f.lowHalf.lowHalf, f.lowHalf.highHalf),
                                             _mm_or_pd(f.highHalf.lowHalf, f.highHalf.highHalf))) != 0
        }
        #endif
        for l in 0..<8 where flag[l].isNaN { return true }
        return false
    }

    @inline(__always) package func finish(_ acc: T, at o: Int) -> T { acc }
    @inline(__always) package func finish(_ acc: SIMD8<T>, at o: Int) -> SIMD8<T> { acc }
}

/// A window sum in row-major tap order: never flags a block, not associative (floating-point addition).
/// The two sums below differ only in ``WindowReduction/finish(_:at:)``.
package protocol SumWindowReduction: WindowReduction {}

extension SumWindowReduction {
    package static var identity: T { 0 }
    package static var mayFlag: Bool { false }
    package static var associative: Bool { false }

    @inline(__always)
    package static func combine(_ acc: inout T, _ v: T) { acc += v }

    @inline(__always)
    package static func combine(_ acc: inout SIMD8<T>, _ v: SIMD8<T>, _ flag: inout SIMD8<T>) { acc += v }

    @inline(__always) package static func merge(_ flag: inout SIMD8<T>, _ other: SIMD8<T>) {}
    @inline(__always) package static func flagged(_ flag: SIMD8<T>) -> Bool { false }
}

/// Average pooling's fold: the window sum in row-major tap order (as PyTorch's `cpu_avg_pool`), times the
/// output's weight `1/D(o)`.
package struct WeightedSumReduction<T: KernelScalar>: SumWindowReduction {
    /// `1/D(o)` per output of a plane.
    package let weight: UnsafePointer<T>

    @inline(__always) package func finish(_ acc: T, at o: Int) -> T { acc * weight[o] }
    @inline(__always) package func finish(_ acc: SIMD8<T>, at o: Int) -> SIMD8<T> { acc * weight.lanes(o) }
}

/// The plain window sum in row-major tap order (nearest up-sampling's transpose, the `k`-box sum).
package struct SumReduction<T: KernelScalar>: SumWindowReduction {
    @inline(__always) package func finish(_ acc: T, at o: Int) -> T { acc }
    @inline(__always) package func finish(_ acc: SIMD8<T>, at o: Int) -> SIMD8<T> { acc }
}
