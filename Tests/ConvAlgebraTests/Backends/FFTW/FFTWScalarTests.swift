@testable import ConvAlgebraBackends
import CFFTW
import Testing

/// The FFTW planning support: the flag is fftw3.h's `FFTW_ESTIMATE`, and plans made one at a time under the
/// lock from many tasks are sound to execute concurrently (the rule the lock exists for).
@Suite struct FFTWScalarTests {
    @Test func estimateIsFFTWsFlag() {
        #expect(FFTWPlanning.estimate == UInt32(FFTW_ESTIMATE))
    }

    /// 16 tasks each plan under the lock, transform a length-`n` impulse at their own position and check the
    /// round trip; executing outside the lock is allowed by FFTW.
    @Test func plansMadeUnderTheLockRunConcurrently() async {
        let ok = await withTaskGroup(of: Bool.self) { group in
            for t in 0..<16 {
                group.addTask {
                    let n = 16 + t
                    let real = Double.fftwAllocate(n), complex = Double.fftwAllocate(2 * (n / 2 + 1))
                    defer { Double.fftwFree(real); Double.fftwFree(complex) }
                    let pair = FFTWPlanning.lock.withLock {
                        FFTWPlanning.Pair(forward: Double.planRealToComplex(n, real, complex)!,
                                          backward: Double.planComplexToReal(n, complex, real)!)
                    }
                    defer { FFTWPlanning.lock.withLock { Double.destroyPlan(pair.forward); Double.destroyPlan(pair.backward) } }
                    for i in 0..<n { real[i] = i == t ? 1 : 0 }
                    Double.executeRealToComplex(pair.forward, real, complex)
                    Double.executeComplexToReal(pair.backward, complex, real)
                    return (0..<n).allSatisfy { abs(real[$0] - (($0 == t) ? Double(n) : 0)) < 1e-9 }
                }
            }
            var all = true
            for await r in group { all = all && r }
            return all
        }
        #expect(ok)
    }
}
