import ConvAlgebra

/// How the command times what a plan measures (``Stopwatch``): OpenBLAS's idle workers are stopped before each
/// candidate (``BLASLibrary/stopIdleThreads()``), which is safe here because the command calls BLAS from one
/// thread only. Shared with `convalgebra-mpi`, which compiles this folder but not the `@main` root.
enum PlanTiming {
    /// Stops OpenBLAS's idle workers (the `settle` hook of ``Stopwatch/live(repeats:budget:settle:)``).
    static let settleBLAS: @Sendable () -> Void = { BLASLibrary.stopIdleThreads() }
}
