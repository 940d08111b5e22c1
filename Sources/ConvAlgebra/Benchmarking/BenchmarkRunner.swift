/// Times benchmark cases: a warm-up, then repeated applications of the operator to the whole batch,
/// input and output allocated once, outside the timing; materialisation timed separately.
public enum BenchmarkRunner {
    /// Runs `c` in `form`. Slow cases run fewer repeats: at most `timeBudget` seconds after the warm-up,
    /// never fewer than 3 (the single-op CLI form passes `timeBudget: .infinity` to run exactly `repeats`).
    /// - Throws: ``ConvAlgebraError/unsupported(_:)`` for a form the case does not run in; materialisation errors.
    public static func run(_ c: BenchmarkCase, form: BenchmarkForm, repeats: Int, timeBudget: Double = 3) throws -> BenchmarkResult {
        try run(c.build(), id: c.id, suite: c.suite, op: c.op, inputShape: c.inputShape, flops: c.flops,
                form: form, repeats: repeats, timeBudget: timeBudget)
    }

    /// Runs `op` on a random input of `inputShape` (batch dims first) in `form`.
    public static func run<S: BLASScalar>(
        _ op: BenchmarkOperator<S>, id: String?, suite: String, op name: String, inputShape: [Int], flops: Double,
        form: BenchmarkForm, repeats: Int, timeBudget: Double = 3, budget: MemoryBudget = .default
    ) throws -> BenchmarkResult {
        let inShape = try Shape(inputShape)
        let domain = op.domain, codomain = op.codomain
        guard inShape.rank >= domain.rank, Array(inputShape.suffix(domain.rank)) == domain.dims else {
            throw ConvAlgebraError.shapeMismatch("input shape \(inShape) does not end in the operator's sample shape \(domain)")
        }
        let batch = inputShape.dropLast(domain.rank).reduce(1, *)
        let outCount = try Checked.multiply(batch, codomain.count, "the output size")
        try budget.check("the benchmark input", count: inShape.count, elementBytes: MemoryLayout<S>.stride)
        try budget.check("the benchmark output", count: outCount, elementBytes: MemoryLayout<S>.stride)
        let x: [S] = BenchmarkData.uniform(inShape.count, seed: 99)
        var y = [S](repeating: 0, count: max(outCount, 1))
        var materialise: Double? = nil, stored: Int? = nil, note: String? = nil
        let body: (UnsafePointer<S>, UnsafeMutablePointer<S>) -> Void
        switch op {
        case .maxPool(let pool):
            guard form == .direct else {
                throw ConvAlgebraError.unsupported("max pooling is benchmarked in the direct form only, not \(form.rawValue)")
            }
            var index = [Int](repeating: 0, count: max(outCount, 1))
            let g = pool.geometry
            let (M, K, N) = (g.outputSize.reduce(1, *), g.kernelSize.reduce(1, *), g.inputSize.reduce(1, *))
            body = { xp, yp in
                index.withUnsafeMutableBufferPointer { ip in
                    PoolingKernels.maxPool(pool.map, windows: M, taps: K, inputPlane: N, planes: batch * g.channels,
                                           xp, yp, ip.baseAddress!)
                }
            }
        case .linear(let a):
            var chosen = form
            if form == .auto {
                let choice = FormChooser.choose(a, batch: batch)
                chosen = BenchmarkForm(rawValue: choice.form.rawValue)!
                note = "\(choice.form.rawValue): \(choice.reason)"
            }
            switch chosen {
            case .dense:
                let clock = ContinuousClock(), start = clock.now
                let dense = try a.dense(budget: budget)
                materialise = seconds(clock.now - start)
                stored = dense.entries.count
                body = { xp, yp in dense.applyUnchecked(xp, yp, batch: batch) }
            case .sparse:
                let clock = ContinuousClock(), start = clock.now
                let sparse = try a.sparse(budget: budget)
                materialise = seconds(clock.now - start)
                stored = sparse.nonzeroCount
                body = { xp, yp in sparse.applyUnchecked(xp, yp, batch: batch) }
            default:
                if form == .direct { note = directNote(a) }
                body = { xp, yp in a.applyUnchecked(xp, yp, batch: batch) }
            }
        }
        let times = x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { yp in
                time(repeats: repeats, budget: timeBudget) { body(xp.baseAddress!, yp.baseAddress!) }
            }
        }
        let sorted = times.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        return BenchmarkResult(id: id, suite: suite, op: name, form: form, inputShape: inputShape,
                               dtype: MemoryLayout<S>.size == 4 ? "float32" : "float64",
                               min: sorted.first!, median: median, max: sorted.last!, repeats: sorted.count,
                               materialiseSeconds: materialise, storedEntries: stored, flops: flops, note: note)
    }

    /// One warm-up, then `repeats` timed runs (fewer, but at least 3, when they would exceed `budget` seconds).
    public static func time(repeats: Int, budget: Double, _ body: () -> Void) -> [Double] {
        let clock = ContinuousClock()
        let warm = seconds(clock.measure(body))
        var n = max(1, repeats)
        if budget.isFinite, warm > 0 { n = min(n, max(3, Int(budget / warm))) }
        return (0..<n).map { _ in seconds(clock.measure(body)) }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// The direct kernel a convolution uses, for the report.
    static func directNote<S: BLASScalar>(_ a: any LinearOperator<S>) -> String? {
        if let c = a as? Convolution<S> { return ConvolutionKernels.choose(c.geometry).kernel.rawValue }
        if let t = a as? TransposedConvolution<S> { return ConvolutionKernels.choose(t.geometry).kernel.rawValue }
        return nil
    }

    /// The number of threads the kernels use (the machine's cores).
    public static var threads: Int { ProcessInfoLite.activeProcessorCount }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum ProcessInfoLite {
    static var activeProcessorCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
