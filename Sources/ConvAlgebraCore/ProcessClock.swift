#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's CPU clock: the seconds every thread of the process has run (`CLOCK_PROCESS_CPUTIME_ID`).
///
/// On a shared machine a wall-clock timing also holds the time the process waited for a core; the CPU time is
/// the run's own work (plus whatever its threads spun). Timings that must not be inflated by the load (the
/// planner's, the benchmark's CPU column) read it next to the wall clock.
/// - Complexity: O(1), one system call.
package enum ProcessClock {
    /// The process's CPU time so far, seconds.
    package static func seconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
