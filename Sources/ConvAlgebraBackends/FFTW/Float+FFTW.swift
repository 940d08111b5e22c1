import ConvAlgebraCore
import CFFTW

extension Float: FFTWScalar {
    @inline(__always)
    package static func planRealToComplex(_ n: Int, _ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) -> OpaquePointer? {
        fftwf_plan_dft_r2c_1d(Int32(n), input, UnsafeMutableRawPointer(output).assumingMemoryBound(to: fftwf_complex.self), FFTWPlanning.estimate)
    }

    @inline(__always)
    package static func planComplexToReal(_ n: Int, _ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) -> OpaquePointer? {
        fftwf_plan_dft_c2r_1d(Int32(n), UnsafeMutableRawPointer(input).assumingMemoryBound(to: fftwf_complex.self), output, FFTWPlanning.estimate)
    }

    @inline(__always)
    package static func executeRealToComplex(_ plan: OpaquePointer, _ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        fftwf_execute_dft_r2c(plan, input, UnsafeMutableRawPointer(output).assumingMemoryBound(to: fftwf_complex.self))
    }

    @inline(__always)
    package static func executeComplexToReal(_ plan: OpaquePointer, _ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        fftwf_execute_dft_c2r(plan, UnsafeMutableRawPointer(input).assumingMemoryBound(to: fftwf_complex.self), output)
    }

    @inline(__always)
    package static func destroyPlan(_ plan: OpaquePointer) { fftwf_destroy_plan(plan) }

    @inline(__always)
    package static func fftwAllocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        fftwf_malloc(max(count, 1) * MemoryLayout<Float>.stride)!.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    @inline(__always)
    package static func fftwFree(_ p: UnsafeMutablePointer<Float>) { fftwf_free(p) }
}
