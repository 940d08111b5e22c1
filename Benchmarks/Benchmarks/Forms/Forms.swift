import Benchmark
import BenchmarkSupport
import ConvAlgebra
import ConvAlgebraBenchmarking

// Suite C, the matrix-vs-direct crossover: direct, dense, sparse and auto at B = 1, 16, 256, 4096 (BENCHMARKS.md, suite v1).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: SuiteBenchmarks.metrics,
        timeUnits: .microseconds,
        warmupIterations: 1,
        maxDuration: .seconds(2),
        maxIterations: 30
    )
    SuiteBenchmarks.register(SuiteV1.suiteC())
}
