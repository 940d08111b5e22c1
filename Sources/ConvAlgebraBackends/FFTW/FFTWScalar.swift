import ConvAlgebraCore
/// A scalar with FFTW's real-to-complex / complex-to-real 1-D transforms (`fftwf_*` for `Float`,
/// `fftw_*` for `Double`); one file per conformance of one-line forwarders, as for ``BLASScalar``.
///
/// Complex buffers are interleaved `(re, im)` scalars, `n/2 + 1` pairs for a length-`n` transform.
/// Plans are made with `FFTW_ESTIMATE` on buffers from ``fftwAllocate(_:)`` (so every later buffer has
/// the planning alignment, as the new-array execute functions require). Making and destroying plans is
/// not thread-safe in FFTW: callers hold ``FFTWPlanning/lock``; executing is.
package protocol FFTWScalar: BLASScalar {
    static func planRealToComplex(_ n: Int, _ input: UnsafeMutablePointer<Self>, _ output: UnsafeMutablePointer<Self>) -> OpaquePointer?
    static func planComplexToReal(_ n: Int, _ input: UnsafeMutablePointer<Self>, _ output: UnsafeMutablePointer<Self>) -> OpaquePointer?
    static func executeRealToComplex(_ plan: OpaquePointer, _ input: UnsafeMutablePointer<Self>, _ output: UnsafeMutablePointer<Self>)
    static func executeComplexToReal(_ plan: OpaquePointer, _ input: UnsafeMutablePointer<Self>, _ output: UnsafeMutablePointer<Self>)
    static func destroyPlan(_ plan: OpaquePointer)
    static func fftwAllocate(_ count: Int) -> UnsafeMutablePointer<Self>
    static func fftwFree(_ p: UnsafeMutablePointer<Self>)
}

/// The lock around FFTW's planner (not thread-safe), and FFTW's `FFTW_ESTIMATE` flag.
package enum FFTWPlanning {
    package static let lock = Locked<Void>(())
    /// `FFTW_ESTIMATE` (`1U << 6` in fftw3.h): a heuristic plan, made in microseconds without timing runs.
    package static let estimate: UInt32 = 1 << 6

    /// A forward and a backward plan; FFTW plans are immutable once made, so sharing them is sound.
    package struct Pair: @unchecked Sendable {
        package let forward: OpaquePointer
        package let backward: OpaquePointer
        package init(forward: OpaquePointer, backward: OpaquePointer) { self.forward = forward; self.backward = backward }
    }
}
