import ConvAlgebraCore

/// How the planner times something: `time(label, body)` returns the seconds one run of `body` takes.
///
/// ``live(repeats:budget:)`` runs `body` once to warm up, then up to `repeats` more times within a time budget, and returns
/// the fastest run (the one least disturbed by other processes, as FFTW's `measure` does). Tests inject a
/// stopwatch that answers from a table by `label` (a candidate's name), so what the planner keeps is
/// deterministic and no test asserts a timing.
public struct Stopwatch: Sendable {
    public var time: @Sendable (_ label: String, _ body: () -> Void) -> Double

    public init(time: @escaping @Sendable (_ label: String, _ body: () -> Void) -> Double) { self.time = time }

    /// The fastest of up to `repeats` runs after a warm-up, at most about `budget` seconds in all (at least
    /// 2 runs), on the continuous clock.
    public static func live(repeats: Int = 7, budget: Double = 0.25) -> Stopwatch {
        Stopwatch { _, body in
            let clock = ContinuousClock()
            let warm = seconds(clock.measure(body))
            let n = warm > 0 ? max(2, min(repeats, Int(budget / warm))) : repeats
            var best = Double.infinity
            for _ in 0..<n { best = min(best, seconds(clock.measure(body))) }
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
