import ConvAlgebraCore

/// How the planner times something: ``times`` returns the seconds one run of each candidate takes, timed
/// together; ``time(_:_:)`` times one.
///
/// ``live(repeats:budget:settle:)`` runs each candidate once to warm up, then up to `repeats` more times within a
/// time budget, in ``rounds`` blocks taken in turn (A B C A B C A B C, a warm-up before each block but for a
/// candidate so slow that the budget cuts its repeats), and returns
/// each one's fastest run (the one least disturbed by other processes, as FFTW's `measure` does), each run counted
/// as the smaller of its wall time and the process's CPU time (`CLOCK_PROCESS_CPUTIME_ID`). On an idle machine that
/// is the wall time (a run on `P` threads uses about `P ×` its wall time of CPU). On a loaded one the wall time
/// holds the waits for a core, and on two cores shared by thirty processes none of a few runs escapes them: rates
/// calibrated that way (load 30) came out 5× (GEMM) to 2,600× (the row stencil's tap) too slow, and `auto` then
/// chose the dense form where it was 20× slower. The CPU time bounds the error: at most `P ×` the undisturbed wall
/// time, for a kernel on `P` threads whose wall time the load inflated. The blocks taken in turn keep a burst of
/// load from landing on one candidate's runs only: timed one after another, a calibration on a loaded host kept
/// the direct form of mx-small-mc at B = 16 where it ran 1.7 × the dense form's time. Tests inject a stopwatch
/// that answers from a table by label (a candidate's name), so what the planner keeps is deterministic and no
/// test asserts a timing.
public struct Stopwatch: Sendable {
    /// A candidate to time: its label and one run of it.
    public typealias Candidate = (label: String, body: () -> Void)

    /// The seconds one run of each candidate takes, in their order.
    public var times: @Sendable (_ candidates: [Candidate]) -> [Double]

    /// A stopwatch from its timing of all candidates at once.
    public init(times: @escaping @Sendable (_ candidates: [Candidate]) -> [Double]) { self.times = times }

    /// A stopwatch that times one candidate at a time, in turn.
    public init(time: @escaping @Sendable (_ label: String, _ body: () -> Void) -> Double) {
        times = { candidates in candidates.map { time($0.label, $0.body) } }
    }

    /// The seconds one run of `body` takes.
    public func time(_ label: String, _ body: () -> Void) -> Double {
        withoutActuallyEscaping(body) { times([(label, $0)])[0] }
    }

    /// The blocks ``live(repeats:budget:settle:)`` splits each candidate's runs into.
    public static let rounds = 3

    /// The fastest of up to `repeats` runs of each candidate after a warm-up, at most about `budget` seconds a
    /// candidate (at least ``rounds`` runs), in ``rounds`` blocks taken in turn; each run the smaller of its wall
    /// time (the continuous clock) and its process CPU time, less the cost of reading the clocks; a run shorter
    /// than 100 × that cost is timed in batches of runs that long. `settle`, when given, runs before each
    /// candidate's warm-up and each block, untimed: the `convalgebra` command passes
    /// ``BLASLibrary/stopIdleThreads()`` there, since a candidate on threaded OpenBLAS (`dense/blas`,
    /// `direct/gemm/openblas`) leaves its workers spinning for about 0.1 s, through the next candidate's runs
    /// (at calibration the sparse form of mx-1d-s2 at B = 4096, timed right after `dense/blas`, measured 1.49 ms
    /// where it runs in 1.1-1.2 ms, and lost to the direct form's 1.42). It waits for BLAS calls in progress on
    /// other threads (``BLASLibrary/call(_:)``).
    public static func live(repeats: Int = 7, budget: Double = 0.25, settle: (@Sendable () -> Void)? = nil) -> Stopwatch {
        let clock = ContinuousClock(), start = clock.now
        return live(repeats: repeats, budget: budget, wall: { seconds(clock.now - start) }, cpu: ProcessClock.seconds,
                    settle: settle)
    }

    /// ``live(repeats:budget:settle:)`` on the given clocks (seconds since any origin), for tests.
    package static func live(repeats: Int, budget: Double, wall: @escaping @Sendable () -> Double,
                             cpu: @escaping @Sendable () -> Double, settle: (@Sendable () -> Void)? = nil) -> Stopwatch {
        Stopwatch { candidates in
            // One sample: `k` runs between two readings of both clocks, less what the readings cost (`cost`).
            func sample(_ body: () -> Void, _ k: Int, cost: (wall: Double, cpu: Double)) -> Double {
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
            // Each candidate's warm-up sizes its samples (k runs each, to last 100 × the readings' cost: their
            // error then 1 % at most) and their number within the budget.
            let floor = 100 * max(cost.wall, cost.cpu, 0)
            // A candidate whose runs the budget cuts below `repeats` runs at least budget / repeats a run (36 ms by
            // default): it skips the blocks' warm-ups, since refilling the caches is a tiny part of such a run
            // (1 MiB of L2 at tens of GB/s: tens of µs), and they would double its time (dense at mx-2d-mc B = 4096:
            // 0.66 s a run).
            let plans = candidates.map { candidate -> (k: Int, n: Int, warmBlocks: Bool) in
                settle?()
                let warm = sample(candidate.body, 1, cost: cost)
                let k = warm >= floor ? 1 : min(1 << 16, Int((floor / max(warm, floor / Double(1 << 16))).rounded(.up)))
                let perSample = max(warm, 0) * Double(k)
                let fit = perSample > 0 ? Int(min(budget / perSample, Double(repeats))) : repeats
                return (k, max(rounds, min(repeats, fit)), fit >= repeats)
            }
            var best = [Double](repeating: .infinity, count: candidates.count)
            for round in 0..<rounds {
                for (i, candidate) in candidates.enumerated() {
                    let (k, n, warmBlocks) = plans[i]
                    let share = n * (round + 1) / rounds - n * round / rounds
                    guard share > 0 else { continue }
                    settle?()
                    if warmBlocks { candidate.body() }  // the block's warm-up: the others ran since this one's last run
                    for _ in 0..<share { best[i] = min(best[i], sample(candidate.body, k, cost: cost)) }
                }
            }
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
