import ConvAlgebra

/// How the command times what it measures: OpenBLAS's idle workers are stopped (``BLASLibrary/stopIdleThreads()``)
/// before each candidate a plan measures (``Stopwatch``) and before each block of a benchmark's timed runs
/// (`BenchmarkRunner.timeInBlocks`); the stop waits for any BLAS call in progress (``BLASLibrary/call(_:)``).
/// Shared with `convalgebra-mpi`, which compiles this folder but not the `@main` root.
enum PlanTiming {
    /// Stops OpenBLAS's idle workers: the `settle` hook of ``Stopwatch/live(repeats:budget:settle:)`` and of the
    /// benchmark runner.
    static let settleBLAS: @Sendable () -> Void = { BLASLibrary.stopIdleThreads() }
}
