import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators
import ConvAlgebraPlanning
import ConvAlgebraIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
/// Times benchmark cases: a warm-up, then repeated applications of the operator to the whole batch,
/// input and output allocated once, outside the timing; materialisation timed separately.
public enum BenchmarkRunner {
    /// Runs `c` in each of `forms`, their timed runs in blocks taken in turn (``timeInBlocks(repeats:budget:settle:_:)``),
    /// each form on an operator of its own (a kernel the planner installs for one form stays out of another's
    /// timing). Slow cases run fewer repeats: at most `timeBudget` seconds a form after its warm-up, never fewer
    /// than 3 (the single-op CLI form passes `timeBudget: .infinity` to run exactly `repeats`).
    /// - Throws: ``ConvAlgebraError/unsupported(_:)`` for a form the case does not run in; materialisation errors.
    public static func run(_ c: BenchmarkCase, forms: [BenchmarkForm], repeats: Int, timeBudget: Double = 3,
                           settle: (@Sendable () -> Void)? = nil) throws -> [BenchmarkResult] {
        try run(forms.map { _ in try c.build() }, forms: forms, id: c.id, suite: c.suite, op: c.op,
                inputShape: c.inputShape, flops: c.flops, repeats: repeats, timeBudget: timeBudget, settle: settle)
    }

    /// Runs `ops[i]` in `forms[i]` on the same random input of `inputShape`, timed in blocks taken in turn; a
    /// transposed convolution in the direct form also times the convolution it transposes, in the same turns
    /// (its ratio to it is a target: both timings then see the same load on the machine).
    public static func run<S: BLASScalar>(
        _ ops: [BenchmarkOperator<S>], forms: [BenchmarkForm], id: String?, suite: String, op name: String,
        inputShape: [Int], flops: Double, repeats: Int, timeBudget: Double = 3, budget: MemoryBudget = .default,
        settle: (@Sendable () -> Void)? = nil
    ) throws -> [BenchmarkResult] {
        precondition(ops.count == forms.count && !ops.isEmpty, "one operator a form")
        let prepared = try zip(ops, forms).map { try prepare($0, inputShape: inputShape, form: $1, budget: budget) }
        var forward: (index: Int, application: PreparedApplication<S>)? = nil
        for (i, (op, form)) in zip(ops, forms).enumerated() where form == .direct && forward == nil {
            guard case .linear(let a) = op, let t = a as? TransposedConvolution<S> else { continue }
            let batch = prepared[i].batch
            forward = (i, try prepare(.linear(t.transposed), inputShape: [batch] + t.codomain.dims, form: .direct, budget: budget))
        }
        let applications = prepared + (forward.map { [$0.application] } ?? [])
        let timings = timeInBlocks(repeats: repeats, budget: timeBudget, settle: settle, applications.map { p in { p.run() } })
        return prepared.indices.map { i in
            let p = prepared[i], sorted = timings[i].wall.sorted()
            var result = BenchmarkResult(id: id, suite: suite, op: name, form: forms[i], inputShape: inputShape,
                                         dtype: MemoryLayout<S>.size == 4 ? "float32" : "float64",
                                         min: sorted.first!, median: median(sorted), max: sorted.last!, repeats: sorted.count,
                                         materialiseSeconds: p.materialiseSeconds, storedEntries: p.storedEntries,
                                         flops: flops, note: p.note)
            result.cpuMin = timings[i].cpu.min()
            if let forward, forward.index == i { result.forwardConvolutionSeconds = median(timings.last!.wall.sorted()) }
            return result
        }
    }

    /// Builds what one timed application needs: random input, output buffer, and for the matrix forms the
    /// materialised matrix (timed here, once). `run()` then applies the operator to the whole batch.
    /// - Throws: shape, memory-budget and materialisation errors; ``ConvAlgebraError/unsupported(_:)`` for
    ///   max pooling in a matrix form.
    public static func prepare<S: BLASScalar>(_ op: BenchmarkOperator<S>, inputShape: [Int], form: BenchmarkForm,
                                              budget: MemoryBudget = .default) throws -> PreparedApplication<S> {
        let inShape = try Shape(inputShape)
        let domain = op.domain, codomain = op.codomain
        guard inShape.rank >= domain.rank, Array(inputShape.suffix(domain.rank)) == domain.dims else {
            throw ConvAlgebraError.shapeMismatch("input shape \(inShape) does not end in the operator's sample shape \(domain)")
        }
        let batch = inputShape.dropLast(domain.rank).reduce(1, *)
        let outCount = try Checked.multiply(batch, codomain.count, "the output size")
        try budget.check("the benchmark input", count: inShape.count, elementBytes: MemoryLayout<S>.stride)
        try budget.check("the benchmark output", count: outCount, elementBytes: MemoryLayout<S>.stride)
        let p = PreparedApplication<S>(input: BenchmarkData.uniform(inShape.count, seed: 99), outputCount: outCount, batch: batch)
        switch op {
        case .maxPool(let pool):
            guard form == .direct else {
                throw ConvAlgebraError.unsupported("max pooling is benchmarked in the direct form only, not \(form.rawValue)")
            }
            let index = UnsafeMutablePointer<Int>.allocate(capacity: max(outCount, 1))
            p.onDeinit = { index.deallocate() }
            let g = pool.geometry
            let (M, K, N) = (g.outputSize.reduce(1, *), g.kernelSize.reduce(1, *), g.inputSize.reduce(1, *))
            // The kernel of MaxPooling.apply(form: .direct), into buffers allocated once: values only, as the peers
            // compute them (the arg-max is the Jacobian's business).
            p.body = { xp, yp in
                if pool.windows != nil {
                    pool.applyValuesUnchecked(xp, yp, batch: batch)
                } else {
                    PoolingKernels.maxPool(pool.map, windows: M, taps: K, inputPlane: N, planes: batch * g.channels, xp, yp, index)
                }
            }
        case .linear(let a):
            var chosen = form
            if form == .auto {
                let decision = Planner.decide(a, batch: batch)
                chosen = decision.form
                p.note = "\(decision.form.rawValue): \(decision.reason)" + (decision.kernel.map { " [kernel \($0)]" } ?? "")
                    + " (\(decision.source.rawValue))"
            } else if form == .direct {
                // The direct kernel measured fastest for this batch, when the wisdom has one (else the builder's).
                Planner.useMeasuredKernel(a, batch: batch)
            }
            let clock = ContinuousClock(), start = clock.now
            switch chosen {
            case .dense:
                // The GEMM the wisdom measured fastest for this batch, when it has one (else the preferred).
                let dense = try DenseBatchProduct(a.dense(budget: budget), budget: budget,
                                                  kernel: Planner.measuredDenseKernel(a, batch: batch))
                p.materialiseSeconds = seconds(clock.now - start)
                p.storedEntries = dense.storedCount
                p.note = (p.note.map { $0 + " " } ?? "") + "[dense kernel \(dense.kernelName)]"
                p.body = { xp, yp in dense.applyUnchecked(xp, yp, batch: batch) }
            case .sparse:
                let sparse = try a.sparse(budget: budget)
                p.materialiseSeconds = seconds(clock.now - start)
                p.storedEntries = sparse.nonzeroCount
                p.body = { xp, yp in sparse.applyUnchecked(xp, yp, batch: batch) }
            default:
                if form == .direct { p.note = directNote(a) }
                p.body = { xp, yp in a.applyUnchecked(xp, yp, batch: batch) }
            }
        }
        return p
    }

    package static func median(_ sorted: [Double]) -> Double {
        sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// One warm-up, then `repeats` timed runs; with a finite `budget`, fewer (but at least 3) when they would exceed
    /// `budget` seconds, and more for a fast case (up to `100 × repeats`) until they fill ``fastCaseSeconds``: the
    /// median of ten runs of a few microseconds moved by ±40 % between processes (a worker's wake-up is as long
    /// as the run), that of a few hundred by a few per cent. A budget of `.infinity` runs exactly `repeats`.
    public static func time(repeats: Int, budget: Double, _ body: () -> Void) -> [Double] {
        let clock = ContinuousClock()
        let warm = seconds(clock.measure(body))
        return (0..<repeatCount(repeats: repeats, budget: budget, warmUp: warm)).map { _ in seconds(clock.measure(body)) }
    }

    /// The timed runs ``time(repeats:budget:_:)`` makes after a warm-up of `warmUp` seconds.
    package static func repeatCount(repeats: Int, budget: Double, warmUp warm: Double) -> Int {
        var n = max(1, repeats)
        if budget.isFinite, warm > 0 {
            n = min(n, max(3, Int(budget / warm)))
            n = max(n, min(100 * n, Int(min(fastCaseSeconds, budget) / warm)))
        }
        return n
    }

    /// The least time the timed runs of a suite case fill (``time(repeats:budget:_:)``).
    public static let fastCaseSeconds = 0.05

    /// The timed runs of several bodies (the forms of a case), each as many as ``time(repeats:budget:_:)`` would
    /// make of it alone (counted from a first warm-up), in ``blockRounds`` blocks a body taken in turn (A B C A B
    /// C A B C), each block after a warm-up of its own; with the process CPU time of each run beside its wall time (all threads: on a loaded
    /// machine the CPU time is what the run itself used, where the wall time also holds the waits). The load of
    /// the shared machine drifts over seconds (the same binary's median moved 1.7 × between runs minutes
    /// apart): timed one after another, each body saw its own load, and a ratio between them (`auto` to the form
    /// it picked, a transposed convolution to its forward) moved with it. Within a block the body's data stay
    /// warm in the caches, as a peer's do in its own loop. `settle` runs before each block, untimed: the
    /// `convalgebra` command passes ``BLASLibrary/stopIdleThreads()``, since a previous block's threaded BLAS would
    /// otherwise spin beside this one (safe beside BLAS calls on other threads: it waits for them, see
    /// ``BLASLibrary/call(_:)``).
    public static func timeInBlocks(repeats: Int, budget: Double, settle: (@Sendable () -> Void)? = nil,
                                    _ bodies: [() -> Void]) -> [(wall: [Double], cpu: [Double])] {
        let clock = ContinuousClock()
        var wall = [[Double]](repeating: [], count: bodies.count), cpu = wall
        var counts = [Int]()
        for body in bodies {
            settle?()
            counts.append(repeatCount(repeats: repeats, budget: budget, warmUp: seconds(clock.measure(body))))
        }
        for round in 0..<blockRounds {
            for (i, body) in bodies.enumerated() {
                let n = counts[i] * (round + 1) / blockRounds - counts[i] * round / blockRounds
                guard n > 0 else { continue }
                settle?()
                body()  // the block's warm-up: the other bodies ran since this one's last run
                for _ in 0..<n {
                    let start = processCPUSeconds()
                    wall[i].append(seconds(clock.measure(body)))
                    cpu[i].append(processCPUSeconds() - start)
                }
            }
        }
        return zip(wall, cpu).map { ($0, $1) }
    }

    /// The blocks ``timeInBlocks(repeats:budget:settle:_:)`` splits each body's runs into.
    public static let blockRounds = Stopwatch.rounds

    /// The process's CPU time (every thread), seconds (``ProcessClock``).
    static func processCPUSeconds() -> Double { ProcessClock.seconds() }

    package static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// The direct kernel a convolution uses, for the report: read from the operator's (cached) plan.
    package static func directNote<S: BLASScalar>(_ a: any LinearOperator<S>) -> String? {
        if let c = a as? Convolution<S> { return c.directPlan.kernel.name }
        if let t = a as? TransposedConvolution<S> { return t.directPlan.kernel.name }
        if let c = a as? Composed<S> {  // the chain the direct form runs (after rewriting)
            return c.rewritten.map { directNote($0) ?? Notation.expression($0, applied: "·") }.joined(separator: " → ")
        }
        return nil
    }

    /// The number of threads the kernels use (the machine's cores).
    public static var threads: Int { MachineProfile.current.threads }
}

/// One benchmark application, ready to run: input and output allocated, matrix materialised.
/// Not thread-safe: one benchmark loop uses it at a time.
public final class PreparedApplication<S: BLASScalar>: @unchecked Sendable {
    /// The input batch (random, fixed).
    public let input: UnsafeMutableBufferPointer<S>
    /// The output batch, rewritten by every ``run()``.
    public let output: UnsafeMutableBufferPointer<S>
    /// The number of samples.
    public let batch: Int
    /// Seconds the materialisation took (dense, sparse, or auto's pick), nil for direct.
    public internal(set) var materialiseSeconds: Double?
    /// Stored entries of the materialised matrix.
    public internal(set) var storedEntries: Int?
    /// The direct kernel, or auto's pick and reason.
    public internal(set) var note: String?
    package var body: (UnsafePointer<S>, UnsafeMutablePointer<S>) -> Void = { _, _ in }
    package var onDeinit: () -> Void = {}

    /// The buffers start on a cache line, as PyTorch's allocator and NumPy's large arrays do: from malloc, where a
    /// block lands off a line varies from process to process, and a kernel's whole-vector loads and stores then
    /// straddle two lines or not (the dense form's panels ran 2.54 or 2.93 ms by it).
    package init(input: [S], outputCount: Int, batch: Int) {
        self.input = Self.allocate(max(input.count, 1))
        _ = self.input.initialize(from: input)
        output = Self.allocate(max(outputCount, 1))
        output.initialize(repeating: 0)
        self.batch = batch
    }

    private static func allocate(_ count: Int) -> UnsafeMutableBufferPointer<S> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<S>.stride, alignment: 64)
        return UnsafeMutableBufferPointer(start: raw.bindMemory(to: S.self, capacity: count), count: count)
    }

    deinit {
        UnsafeMutableRawPointer(input.baseAddress!).deallocate()
        UnsafeMutableRawPointer(output.baseAddress!).deallocate()
        onDeinit()
    }

    /// Applies the operator to the whole batch once.
    public func run() {
        body(UnsafePointer(input.baseAddress!), output.baseAddress!)
    }
}
