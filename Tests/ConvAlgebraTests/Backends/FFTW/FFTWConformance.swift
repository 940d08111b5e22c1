@testable import ConvAlgebraBackends
import Foundation
import Testing

/// The checks every ``FFTWScalar`` conformance passes (`Float+FFTWTests`, `Double+FFTWTests`), against the
/// DFT's definition: the unnormalised backward transform of the forward one is `n·x`, a unit impulse
/// transforms to all ones, and a cosine of frequency `f` has `n/2` at bin `f` and nothing elsewhere.
enum FFTWConformance<T: FFTWScalar> {
    static var tolerance: Double { T.self == Float.self ? 1e-4 : 1e-11 }

    /// Runs the forward transform of `x` and the backward transform of the result, through freshly made plans.
    static func transforms(_ x: [T]) -> (spectrum: [T], back: [T]) {
        let n = x.count
        let real = T.fftwAllocate(n), complex = T.fftwAllocate(2 * (n / 2 + 1))
        defer { T.fftwFree(real); T.fftwFree(complex) }
        let plans = FFTWPlanning.lock.withLock {
            FFTWPlanning.Pair(forward: T.planRealToComplex(n, real, complex)!, backward: T.planComplexToReal(n, complex, real)!)
        }
        defer { FFTWPlanning.lock.withLock { T.destroyPlan(plans.forward); T.destroyPlan(plans.backward) } }
        for i in 0..<n { real[i] = x[i] }
        T.executeRealToComplex(plans.forward, real, complex)
        let spectrum = Array(UnsafeBufferPointer(start: complex, count: 2 * (n / 2 + 1)))
        T.executeComplexToReal(plans.backward, complex, real)
        return (spectrum, Array(UnsafeBufferPointer(start: real, count: n)))
    }

    static func roundTripIsNTimesTheInput(n: Int) {
        let x: [T] = (0..<n).map { T(sin(Double($0) * 1.3) + Double($0 % 3)) }
        let back = transforms(x).back
        for i in 0..<n { #expect(abs(Double(back[i]) - Double(n) * Double(x[i])) <= tolerance * Double(n) * 4, "\(i)") }
    }

    static func impulseHasAFlatSpectrum() {
        var x = [T](repeating: 0, count: 12); x[0] = 1
        let s = transforms(x).spectrum
        for bin in 0...6 {
            #expect(abs(Double(s[2 * bin]) - 1) <= tolerance && abs(Double(s[2 * bin + 1])) <= tolerance)
        }
    }

    static func cosineHasOneBin() {
        let n = 32, f = 5
        let x: [T] = (0..<n).map { T(cos(2 * Double.pi * Double(f * $0) / Double(n))) }
        let s = transforms(x).spectrum
        for bin in 0...(n / 2) {
            let expected = bin == f ? Double(n) / 2 : 0
            #expect(abs(Double(s[2 * bin]) - expected) <= tolerance * Double(n) && abs(Double(s[2 * bin + 1])) <= tolerance * Double(n), "bin \(bin)")
        }
    }
}
