#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

package enum ProcessInfoLite {
    /// Read once: glibc's `sysconf(_SC_NPROCESSORS_ONLN)` parses `/sys/devices/system/cpu/online` on every
    /// call (measured 10 µs), which kernels asking per call paid on every apply.
    package static let activeProcessorCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}
