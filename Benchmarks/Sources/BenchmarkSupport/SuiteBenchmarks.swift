import Benchmark
import ConvAlgebra
import ConvAlgebraBenchmarking

/// Registers the cases of the library's suite v1 (``SuiteV1``) as package-benchmark benchmarks.
///
/// Names are the case ids (`c2d-s2`), and for the matrix study `id/form/B=batch` (`mx-1d/dense/B=256`).
/// The operator, its input and (dense, sparse) its matrix are built on the benchmark's first run, before
/// `startMeasurement()`, and kept; each measured iteration applies the operator to the whole batch.
public enum SuiteBenchmarks {
    /// The metrics every suite records: time, throughput (applications per second) and allocations.
    public static let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal, .memoryLeaked, .peakMemoryResident]

    public static func register(_ cases: [BenchmarkCase]) {
        for c in cases {
            for form in c.forms {
                let name = c.suite == "C" ? "\(c.id ?? c.op)/\(form.rawValue)/B=\(c.inputShape[0])" : (c.id ?? c.op)
                let prepared = Lazy { try BenchmarkRunner.prepare(c.build(), inputShape: c.inputShape, form: form) }
                Benchmark(name) { benchmark in
                    let p = try prepared.value()
                    benchmark.startMeasurement()
                    for _ in benchmark.scaledIterations {
                        p.run()
                        blackHole(p.output.baseAddress)
                    }
                }
            }
        }
    }
}

/// A value built on first use (benchmarks only register at start-up; building every operator then would
/// hold every matrix of the suite in memory at once).
final class Lazy<T>: @unchecked Sendable {
    private var stored: T?
    private let make: () throws -> T

    init(_ make: @escaping () throws -> T) { self.make = make }

    func value() throws -> T {
        if let stored { return stored }
        let v = try make()
        stored = v
        return v
    }
}
