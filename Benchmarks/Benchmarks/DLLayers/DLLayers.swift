import Benchmark
import BenchmarkSupport
import ConvAlgebra
import ConvAlgebraBenchmarking

// Suite A, the DL layers in the direct form (BENCHMARKS.md, suite v1).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: SuiteBenchmarks.metrics,
        timeUnits: .microseconds,
        warmupIterations: 1,
        maxDuration: .seconds(2),
        maxIterations: 30
    )
    SuiteBenchmarks.register(SuiteV1.suiteA())
}
