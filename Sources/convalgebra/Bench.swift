import ArgumentParser
import Foundation
import ConvAlgebra
import ConvAlgebraBenchmarking

/// `convalgebra bench --suite v1 [--forms direct,dense,sparse] [--repeats R] [--json FILE]` and
/// `convalgebra bench OP --input-shape SHAPE [--weight-shape SHAPE] [op options] [--form F] [--dtype D]
/// [--repeats R] [--json FILE]` (CLI.md).
///
/// The suite form runs BENCHMARKS.md's cases (the library's ``SuiteV1``); the single form builds random
/// inputs and weights of the given shapes. Both warm up, time the applications to the whole batch (file
/// I/O and materialisation excluded; materialisation timed separately), print a table and write JSON.
/// Extensions of the contract: the form `auto` (``Planner``'s pick, with its reason; `--plan` and `--wisdom` as
/// for apply, but `--plan` defaults to measure here: a shape without wisdom is measured once and remembered),
/// `--cases` to run
/// only the suite cases with the given ids (or suite letters A, B, C), and
/// `--max-seconds` (the suite form caps a slow case's repeats at this much time, at least 3 repeats), and `--peak`
/// (the measured FP32 peak, ``MachinePeak``, alone or before the cases).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time operators applied to a batch: the benchmark suite, or one op on random inputs.")

    @Argument(help: "The op of the single form: \(OperatorFactory.names.joined(separator: ", ")).")
    var op: String?

    @Option(help: "The suite to run: v1, or fusion (nearest up-sampling ×2 + 3×3 conv, fused and unfused).")
    var suite: String?

    @Option(help: "Suite form: the forms to run, comma separated (direct,dense,sparse,auto; default all).")
    var forms: String?

    @Option(help: "Suite form: only these cases, comma separated: ids (mx-1d) or suite letters (A, B, C).")
    var cases: String?

    @Option(name: .customLong("input-shape"), parsing: .unconditional, help: "Single form: the input's shape, batch included (e.g. 8,64,56,56).")
    var inputShape: String?

    @Option(name: .customLong("weight-shape"), parsing: .unconditional, help: "Single form: the weight's shape (random values).")
    var weightShape: String?

    @Option(help: "Single form: direct, dense, sparse or auto.")
    var form = "direct"

    @Option(help: "Single form: float32 or float64.")
    var dtype = "float32"

    @Option(parsing: .unconditional, help: "Timed applications after the warm-up (1 … \(BenchLimits.largestRepeats)).")
    var repeats = 10

    @Option(name: .customLong("max-seconds"), parsing: .unconditional, help: "The time a slow case's repeats may take (at least 3 repeats; default 3 s for the suite, unlimited for the single form).")
    var maxSeconds: Double?

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @Flag(help: "Measure the FP32 peak of all cores (an FMA probe), print it, and put it in the JSON as peak_gflops.")
    var peak = false

    @Option(name: .customLong("memory-budget"), parsing: .unconditional, help: ArgumentHelp(MemoryBudgetOption.help, valueName: "bytes"))
    var memoryBudget: String?

    @OptionGroup(title: "Planning")
    var planning: PlanOptions

    @OptionGroup(title: "Op options (single form)")
    var options: OperatorOptions

    func run() throws {
        try MemoryBudgetOption.apply(memoryBudget)
        // A benchmark times `auto` as a tuned run would take it: without wisdom and without --plan, the planner
        // measures the candidates (FFTW's measure) and remembers them. On the cost model alone (estimate), a fresh
        // machine's suite C ran `auto` within 10 % of the best form at 21 of 32 points (Zen 4; the sparse form's
        // estimates 1.5-2.5 x its time); measured, at 31.
        try planning.apply(defaultMode: .measure)
        guard repeats >= 1 else { throw ConvAlgebraError.invalidArgument("--repeats must be at least 1, got \(repeats)") }
        try BenchLimits.check(repeats: repeats, maxSeconds: maxSeconds)
        let peakGFLOPs = peak ? MachinePeak.fp32GFLOPs() : nil
        let provenance = BenchmarkProvenance.current(peak: peakGFLOPs, measurePeak: json != nil)
        if let peakGFLOPs { print("FP32 peak (FMA probe, \(BenchmarkRunner.threads) cores): \(String(format: "%.1f", peakGFLOPs)) GFLOP/s") }
        let results: [BenchmarkResult]
        switch (suite, op) {
        case (nil, nil) where peak: results = []
        case (.some(let s), nil): results = try runSuite(s)
        case (nil, .some(let name)): results = try runSingle(name)
        case (.some, .some): throw ConvAlgebraError.invalidArgument("give either --suite or an OP, not both")
        case (nil, nil): throw ConvAlgebraError.invalidArgument("give --suite v1 or an OP with --input-shape")
        }
        if let json {
            let text = BenchmarkReport.json(results, threads: BenchmarkRunner.threads, peakGFLOPs: peakGFLOPs,
                                            provenance: provenance)
            try Array(text.utf8).withUnsafeBytes { try AtomicFile.write([$0], to: json) }
        }
    }

    /// `# convalgebra 0.4.0 (commit, its source), OpenBLAS …, CPU, threads, kernels`: the first line of the output,
    /// printed once the arguments are known to be good (a failure prints nothing on stdout); made once per run.
    static let provenanceLine = "# " + BenchmarkProvenance.current().summary

    private func parseForms(_ text: String) throws -> [Form] {
        try text.split(separator: ",").map { word in
            guard let f = Form(rawValue: String(word)) else {
                throw ConvAlgebraError.invalidArgument(
                    "unknown form '\(word)' (known: \(Form.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return f
        }
    }

    private func runSuite(_ name: String) throws -> [BenchmarkResult] {
        let suites = ["v1": SuiteV1.cases, "fusion": SuiteFusion.cases]
        guard let suite = suites[name] else { throw ConvAlgebraError.invalidArgument("unknown suite '\(name)' (known: fusion, v1)") }
        guard inputShape == nil, weightShape == nil, options.givenOptions.isEmpty else {
            throw ConvAlgebraError.invalidArgument("the suite form takes no op options, --input-shape or --weight-shape")
        }
        let wanted = try parseForms(forms ?? Form.allCases.map(\.rawValue).joined(separator: ","))
        let prefixes = cases.map { $0.split(separator: ",").map(String.init) }
        let all = suite()
        try BenchLimits.checkCases(prefixes, known: all.map { ($0.id, $0.suite) })
        let runs = all.filter { c in prefixes.map { p in p.contains { c.id == $0 || c.suite == $0 } } ?? true }
            .flatMap { c in c.forms.filter(wanted.contains).map { (c, $0) } }
        let progress = ProgressLine(total: runs.count)
        progress.row(Self.provenanceLine + "\n" + BenchmarkReport.table([]))
        // A case's forms are timed together, in blocks taken in turn (BenchmarkRunner.timeInBlocks).
        var results = [BenchmarkResult]()
        var index = 0
        while index < runs.count {
            let c = runs[index].0
            var end = index
            while end < runs.count, runs[end].0.id == c.id, runs[end].0.inputShape == c.inputShape { end += 1 }
            let forms = runs[index..<end].map(\.1)
            progress.show(end, "\(c.id ?? c.op) \(forms.map(\.rawValue).joined(separator: ","))")
            let rs = try BenchmarkRunner.run(c, forms: forms, repeats: repeats, timeBudget: maxSeconds ?? 3,
                                             settle: PlanTiming.settleBLAS)
            results += rs
            for r in rs { progress.row(String(BenchmarkReport.table([r]).split(separator: "\n").last!)) }
            index = end
        }
        progress.finish()
        return results
    }

    private func runSingle(_ name: String) throws -> [BenchmarkResult] {
        let definition = try OperatorFactory.definition(named: name)
        try OperatorFactory.checkOptions(options, for: definition)
        guard options.weight == nil, options.bias == nil else {
            throw ConvAlgebraError.invalidArgument("bench makes random data: give --weight-shape, not --weight or --bias")
        }
        guard let inputShape else { throw ConvAlgebraError.invalidArgument("bench \(name) needs --input-shape SHAPE (batch included)") }
        guard let f = Form(rawValue: form) else {
            throw ConvAlgebraError.invalidArgument(
                "unknown form '\(form)' (known: \(Form.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let shape = try CommaList.shape(inputShape, option: "--input-shape")
        let wShape = try weightShape.map { try CommaList.shape($0, option: "--weight-shape") }
        switch dtype {
        case "float32": return [try runSingle(Float.self, definition, name, shape, wShape, f)]
        case "float64": return [try runSingle(Double.self, definition, name, shape, wShape, f)]
        default: throw ConvAlgebraError.invalidArgument("unknown dtype '\(dtype)' (known: float32, float64)")
        }
    }

    private func runSingle<S: BLASScalar>(_: S.Type, _ definition: any OpDefinition.Type, _ name: String, _ shape: Shape,
                                          _ wShape: Shape?, _ form: Form) throws -> BenchmarkResult {
        try MemoryBudget.default.check("the benchmark input", count: shape.count, elementBytes: MemoryLayout<S>.stride)
        let domain = try definition.sampleShape(ofInput: shape, options)
        let batch = shape.dims.dropLast(domain.rank).reduce(1, *)
        let weight = try wShape.map { s -> Tensor<S> in
            try MemoryBudget.default.check("the benchmark weight", count: s.count, elementBytes: MemoryLayout<S>.stride)
            return try Tensor(shape: s, scalars: BenchmarkData.uniform(s.count, seed: 7))
        }
        // A max-pool's Jacobian depends on the input: give the builder one random sample.
        let sample = try Tensor<S>(shape: [1] + domain.dims, scalars: BenchmarkData.uniform(domain.count, seed: 99))
        let request = OperatorRequest(name: name, options: options, domain: domain, weight: weight, bias: nil,
                                      input: sample, purpose: .bench)
        let built = try definition.build(request)
        if built.forward == nil || built.isLinear && form != .direct {
            let r = try BenchmarkRunner.run([.linear(built.linear)], forms: [form], id: nil, suite: "single", op: name,
                                            inputShape: shape.dims, flops: BenchmarkData.usefulFlops(built.linear, batch: batch),
                                            repeats: repeats, timeBudget: maxSeconds ?? .infinity,
                                            settle: PlanTiming.settleBLAS)[0]
            print(Self.provenanceLine + "\n" + BenchmarkReport.table([r]))
            return r
        }
        // An op with its own forward (max-pool): time it on the whole batch, direct form only.
        guard form == .direct else {
            throw ConvAlgebraError.unsupported("\(name) is not linear: bench it in the direct form")
        }
        let x = try Tensor<S>(shape: shape, scalars: BenchmarkData.uniform(shape.count, seed: 99))
        var failure: Error? = nil
        let times = BenchmarkRunner.time(repeats: repeats, budget: maxSeconds ?? .infinity) {
            do { _ = try built.apply(x, form: .direct) } catch { failure = error }
        }
        if let failure { throw failure }
        let sorted = times.sorted()
        let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        let r = BenchmarkResult(id: nil, suite: "single", op: name, form: .direct, inputShape: shape.dims,
                                dtype: MemoryLayout<S>.size == 4 ? "float32" : "float64",
                                min: sorted.first!, median: median, max: sorted.last!, repeats: sorted.count,
                                materialiseSeconds: nil, storedEntries: nil,
                                flops: Double(batch) * Double(built.codomain.count) * windowSize(spatialRank: domain.rank - 1),
                                note: nil)
        print(Self.provenanceLine + "\n" + BenchmarkReport.table([r]))
        return r
    }

    /// A pool's window size `Π k` from `--kernel-size` (one value for every spatial dimension, or one each).
    private func windowSize(spatialRank: Int) -> Double {
        let k = (options.kernelSize ?? "1").split(separator: ",").compactMap { Double(String($0)) }
        guard !k.isEmpty else { return 1 }
        return k.count == 1 ? pow1(k[0], spatialRank) : k.reduce(1, *)
    }

    private func pow1(_ x: Double, _ n: Int) -> Double { (0..<max(n, 0)).reduce(1) { p, _ in p * x } }
}
