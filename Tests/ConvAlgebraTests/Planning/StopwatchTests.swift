@testable import ConvAlgebra
import Synchronization
import Testing

/// What the live stopwatch counts: a run is the smaller of its wall time and the process's CPU time, so time
/// spent waiting for a core on a loaded machine is not charged to the candidate, while a run on several threads
/// (more CPU than wall time) is charged its wall time. Clocks injected: nothing is timed for real.
@Suite struct StopwatchTests {
    /// Two clocks the body advances by the given amounts per run.
    final class Clocks: Sendable {
        let wall = Mutex(0.0), cpu = Mutex(0.0)
        let (wallStep, cpuSteps): (Double, [Double])
        let runs = Mutex(0)
        init(wallStep: Double, cpuSteps: [Double]) { (self.wallStep, self.cpuSteps) = (wallStep, cpuSteps) }
        func body() {
            let r = runs.withLock { r in defer { r += 1 }; return r }
            wall.withLock { $0 += wallStep }
            cpu.withLock { $0 += cpuSteps[r % cpuSteps.count] }
        }
        var stopwatch: Stopwatch {
            Stopwatch.live(repeats: 5, budget: 1, wall: { self.wall.withLock { $0 } }, cpu: { self.cpu.withLock { $0 } })
        }
    }

    /// Waiting for a core (wall 10 ms, CPU 1–3 ms): the least CPU time is the answer.
    @Test func waitingIsNotCharged() {
        let c = Clocks(wallStep: 0.010, cpuSteps: [0.003, 0.001, 0.002])
        #expect(abs(c.stopwatch.time("loaded") { c.body() } - 0.001) < 1e-12)
        #expect(c.runs.withLock { $0 } >= 3)
    }

    /// Two threads on an idle machine (wall 4 ms, CPU 8 ms): the wall time is the answer.
    @Test func parallelRunsAreChargedTheirWallTime() {
        let c = Clocks(wallStep: 0.004, cpuSteps: [0.008])
        #expect(abs(c.stopwatch.time("threads") { c.body() } - 0.004) < 1e-12)
    }

    /// `settle` runs before each candidate's warm-up and before each of its blocks, untimed (the CLI stops
    /// OpenBLAS's idle workers there): its clock advance is charged to no run.
    @Test func settleRunsBeforeEachCandidateAndBlock() {
        let c = Clocks(wallStep: 0.004, cpuSteps: [0.008])
        let settled = Mutex([Int]())
        let stopwatch = Stopwatch.live(repeats: 5, budget: 1, wall: { c.wall.withLock { $0 } }, cpu: { c.cpu.withLock { $0 } },
                                       settle: {
                                           settled.withLock { $0.append(c.runs.withLock { $0 }) }
                                           c.wall.withLock { $0 += 1 }; c.cpu.withLock { $0 += 1 }
                                       })
        #expect(abs(stopwatch.time("a") { c.body() } - 0.004) < 1e-12)
        // One candidate, 5 runs in blocks of 1, 2, 2 after a warm-up; each block after its own warm-up.
        #expect(settled.withLock { $0 } == [0, 1, 3, 6])
        let runs = c.runs.withLock { $0 }
        #expect(runs == 9, "a warm-up, then blocks of 1 + 1, 1 + 2 and 1 + 2 runs")
    }

    /// Candidates timed together run in blocks taken in turn (A B A B A B after their warm-ups), so that a burst
    /// of load lands on both; each gets the fastest of its own runs.
    @Test func candidatesRunInBlocksTakenInTurn() {
        let c = Clocks(wallStep: 0.004, cpuSteps: [0.008])
        let order = Mutex([String]())
        let stopwatch = Stopwatch.live(repeats: 3, budget: 1, wall: { c.wall.withLock { $0 } }, cpu: { c.cpu.withLock { $0 } })
        let times = stopwatch.times([
            ("a", { order.withLock { $0.append("a") }; c.body() }),
            ("b", { order.withLock { $0.append("b") }; c.body(); c.body() }),
        ])
        #expect(times.count == 2)
        #expect(abs(times[0] - 0.004) < 1e-12 && abs(times[1] - 0.008) < 1e-12, "\(times)")
        // Warm-ups, then per round: a's warm-up and its run, b's warm-up and its run.
        #expect(order.withLock { $0 }.joined() == "ab" + String(repeating: "aabb", count: Stopwatch.rounds))
    }

    /// A candidate so slow that the budget cuts its repeats (here 1 s a run, a budget of 2 s for 5 repeats) runs
    /// its blocks without their warm-ups, at least ``Stopwatch/rounds`` runs.
    @Test func aSlowCandidateSkipsTheBlocksWarmUps() {
        let c = Clocks(wallStep: 1, cpuSteps: [1])
        let order = Mutex([String]())
        let stopwatch = Stopwatch.live(repeats: 5, budget: 2, wall: { c.wall.withLock { $0 } }, cpu: { c.cpu.withLock { $0 } })
        let times = stopwatch.times([("slow", { order.withLock { $0.append("s") }; c.body() })])
        #expect(times == [1])
        #expect(order.withLock { $0 }.count == 1 + Stopwatch.rounds, "a warm-up, then one run a block")
    }

    /// A stopwatch made from a one-candidate timing times several one after another, in their order.
    @Test func oneAtATimeStopwatchTimesEachInTurn() {
        let seen = Mutex([String]())
        let stopwatch = Stopwatch { label, body in body(); seen.withLock { $0.append(label) }; return label == "x" ? 1 : 2 }
        #expect(stopwatch.times([("x", {}), ("y", {})]) == [1, 2])
        #expect(seen.withLock { $0 } == ["x", "y"])
    }

    /// Reading a clock costs time (each reading here advances its clock by 0.5 µs, a body run both by 0.4 µs):
    /// the readings' cost is measured and taken off, and a short body is timed in batches.
    @Test func theClocksCostIsNotCharged() {
        final class CostlyClocks: Sendable {
            let wall = Mutex(0.0), cpu = Mutex(0.0), runs = Mutex(0)
            func readWall() -> Double { wall.withLock { v in defer { v += 0.5e-6 }; return v } }
            func readCPU() -> Double { cpu.withLock { v in defer { v += 0.5e-6 }; return v } }
            func body() { runs.withLock { $0 += 1 }; wall.withLock { $0 += 0.4e-6 }; cpu.withLock { $0 += 0.4e-6 } }
        }
        let c = CostlyClocks()
        let stopwatch = Stopwatch.live(repeats: 5, budget: 1, wall: { c.readWall() }, cpu: { c.readCPU() })
        let t = stopwatch.time("sub-µs") { c.body() }
        #expect(abs(t - 0.4e-6) < 1e-9, "\(t)")
        #expect(c.runs.withLock { $0 } > 100, "batched: a sample lasts 100 × the readings' cost")
    }

    /// The process clock moves with work done: it is the clock `live` reads.
    @Test func processClockCountsWork() {
        let start = ProcessClock.seconds()
        var x = 0.0
        for i in 0..<2_000_000 { x += Double(i).squareRoot() }
        #expect(x > 0)
        #expect(ProcessClock.seconds() > start)
    }
}
