import ConvAlgebraCore

/// How the planner times something: `time(label, body)` returns the seconds one run of `body` takes.
///
/// ``live(repeats:budget:settle:)`` runs `body` once to warm up, then up to `repeats` more times within a time budget, and returns
/// the fastest run (the one least disturbed by other processes, as FFTW's `measure` does), each run counted as
/// the smaller of its wall time and the process's CPU time (`CLOCK_PROCESS_CPUTIME_ID`). On an idle machine that is the
/// wall time (a run on `P` threads uses about `P ×` its wall time of CPU). On a loaded one the wall time holds
/// the waits for a core, and on two cores shared by thirty processes none of a few runs escapes them: rates
/// calibrated that way (load 30) came out 5× (GEMM) to 2,600× (the row stencil's tap) too slow, and
/// `auto` then chose the dense form where it was 20× slower. The CPU time bounds the error: at most `P ×` the
/// undisturbed wall time, for a kernel on `P` threads whose wall time the load inflated. Tests inject a
/// stopwatch that answers from a table by `label` (a candidate's name), so what the planner keeps is
/// deterministic and no test asserts a timing.
public struct Stopwatch: Sendable {
    public var time: @Sendable (_ label: String, _ body: () -> Void) -> Double

    public init(time: @escaping @Sendable (_ label: String, _ body: () -> Void) -> Double) { self.time = time }

    /// The fastest of up to `repeats` runs after a warm-up, at most about `budget` seconds in all (at least
    /// 2 runs), each the smaller of its wall time (the continuous clock) and its process CPU time, less the cost
    /// of reading the clocks; a run shorter than 100 × that cost is timed in batches of runs that long. `settle`, when
    /// given, runs before each candidate's warm-up, untimed: the `convalgebra` command passes
    /// ``BLASLibrary/stopIdleThreads()`` there, since a candidate on threaded OpenBLAS (`dense/blas`,
    /// `direct/gemm/openblas`) leaves its workers spinning for about 0.1 s, through the next candidate's runs
    /// (at calibration the sparse form of mx-1d-s2 at B = 4096, timed right after `dense/blas`, measured 1.49 ms
    /// where it runs in 1.1-1.2 ms, and lost to the direct form's 1.42). A library whose other threads may be in a
    /// BLAS call meanwhile must not pass that one.
    public static func live(repeats: Int = 7, budget: Double = 0.25, settle: (@Sendable () -> Void)? = nil) -> Stopwatch {
        let clock = ContinuousClock(), start = clock.now
        return live(repeats: repeats, budget: budget, wall: { seconds(clock.now - start) }, cpu: ProcessClock.seconds,
                    settle: settle)
    }

    /// ``live(repeats:budget:settle:)`` on the given clocks (seconds since any origin), for tests.
    package static func live(repeats: Int, budget: Double, wall: @escaping @Sendable () -> Double,
                             cpu: @escaping @Sendable () -> Double, settle: (@Sendable () -> Void)? = nil) -> Stopwatch {
        Stopwatch { _, body in
            settle?()
            // One sample: `k` runs between two readings of both clocks, less what the readings cost (`cost`).
            func sample(_ k: Int, cost: (wall: Double, cpu: Double)) -> Double {
                let (w0, c0) = (wall(), cpu())
                for _ in 0..<k { body() }
                let (w, c) = (wall() - w0 - cost.wall, cpu() - c0 - cost.cpu)
                return max(0, min(w, c)) / Double(max(k, 1))
            }
            // The readings' own cost, the least of a few with nothing between: reading the process CPU clock is a
            // system call (about 0.5 µs in a KVM guest), which made every sub-microsecond candidate of mx-fc at
            // B = 1 measure 1 µs and the planner keep OpenBLAS's 1.1 µs over the panel GEMM's 0.45 µs.
            var cost = (wall: Double.infinity, cpu: Double.infinity)
            for _ in 0..<3 {
                let (w0, c0) = (wall(), cpu())
                let (w1, c1) = (wall(), cpu())
                cost = (min(cost.wall, w1 - w0), min(cost.cpu, c1 - c0))
            }
            let warm = sample(1, cost: cost)
            // Runs a sample so that it lasts 100 × the readings' cost (their error then 1 % at most).
            let floor = 100 * max(cost.wall, cost.cpu, 0)
            let k = warm >= floor ? 1 : min(1 << 16, Int((floor / max(warm, floor / Double(1 << 16))).rounded(.up)))
            let perSample = max(warm, 0) * Double(k)
            let n = perSample > 0 ? max(2, min(repeats, Int(budget / perSample))) : repeats
            var best = Double.infinity
            for _ in 0..<n { best = min(best, sample(k, cost: cost)) }
            return best
        }
    }

    /// A stopwatch that answers `table[label]` (running nothing), for tests; `fallback` for a label not in it.
    public static func fixed(_ table: [String: Double], fallback: Double = 1) -> Stopwatch {
        Stopwatch { label, _ in table[label] ?? fallback }
    }

    package static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
