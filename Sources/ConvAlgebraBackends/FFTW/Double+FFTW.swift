import ConvAlgebraCore
import CFFTW

extension Double: FFTWScalar {
    @inline(__always)
    package static func planRealToComplex(_ n: Int, _ input: UnsafeMutablePointer<Double>, _ output: UnsafeMutablePointer<Double>) -> OpaquePointer? {
        fftw_plan_dft_r2c_1d(Int32(n), input, UnsafeMutableRawPointer(output).assumingMemoryBound(to: fftw_complex.self), FFTWPlanning.estimate)
    }

    @inline(__always)
    package static func planComplexToReal(_ n: Int, _ input: UnsafeMutablePointer<Double>, _ output: UnsafeMutablePointer<Double>) -> OpaquePointer? {
        fftw_plan_dft_c2r_1d(Int32(n), UnsafeMutableRawPointer(input).assumingMemoryBound(to: fftw_complex.self), output, FFTWPlanning.estimate)
    }

    @inline(__always)
    package static func executeRealToComplex(_ plan: OpaquePointer, _ input: UnsafeMutablePointer<Double>, _ output: UnsafeMutablePointer<Double>) {
        fftw_execute_dft_r2c(plan, input, UnsafeMutableRawPointer(output).assumingMemoryBound(to: fftw_complex.self))
    }

    @inline(__always)
    package static func executeComplexToReal(_ plan: OpaquePointer, _ input: UnsafeMutablePointer<Double>, _ output: UnsafeMutablePointer<Double>) {
        fftw_execute_dft_c2r(plan, UnsafeMutableRawPointer(input).assumingMemoryBound(to: fftw_complex.self), output)
    }

    @inline(__always)
    package static func destroyPlan(_ plan: OpaquePointer) { fftw_destroy_plan(plan) }

    @inline(__always)
    package static func fftwAllocate(_ count: Int) -> UnsafeMutablePointer<Double> {
        fftw_malloc(max(count, 1) * MemoryLayout<Double>.stride)!.bindMemory(to: Double.self, capacity: max(count, 1))
    }

    @inline(__always)
    package static func fftwFree(_ p: UnsafeMutablePointer<Double>) { fftw_free(p) }
}
