import ConvAlgebraCore
import ConvAlgebraKernels
import ConvAlgebraMatrices
import ConvAlgebraOperators
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides how an operator is applied to a batch, in the manner of FFTW's planner: the form (direct, dense,
/// sparse) and, for a convolution's direct form, the kernel; from wisdom when this machine has measured the
/// plan before, else by ``mode``: the cost model (``PlanningMode/estimate``), timing every candidate once
/// (``PlanningMode/measure``, remembered in the wisdom), or only wisdom (``PlanningMode/wisdomOnly``).
///
/// ```swift
/// Planner.mode = .measure                    // time the candidates the first time a shape is seen
/// let decision = Planner.decide(conv, batch: 256)
/// let y = try conv.apply(x, form: decision.form)   // a direct kernel chosen is already installed
/// print(decision)                            // dense (measure): dense 0.11 ms, sparse 0.25 ms, …
/// ```
///
/// The wisdom file (``WisdomStore``) is read once per process, and written after each measurement and after
/// the rates are measured (silently skipped when it cannot be written; ``saveWisdom()`` throws instead). The
/// machine is ``MachineProfile/fingerprint`` with ``MachineProfile/threads``. Thread-safe.
public enum Planner {
    private struct State {
        var mode: PlanningMode = .estimate
        var path: String?? = nil
        var wisdom: Wisdom? = nil
        var rates: CostModel? = nil
        var stopwatch: Stopwatch = .live()
        var warn: @Sendable (String) -> Void = { line in
            let bytes = Array((line + "\n").utf8)
            _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        }
    }

    private static let state = Locked(State())

    /// How a plan without wisdom is decided; ``PlanningMode/estimate`` unless set.
    public static var mode: PlanningMode {
        get { state.withLock { $0.mode } }
        set { state.withLock { $0.mode = newValue } }
    }

    /// The wisdom file (``WisdomStore/defaultPath(environment:)`` unless set; empty: none). Setting it drops the
    /// wisdom read from the previous one (the rates held stay: they are the machine's, not the file's).
    public static var wisdomPath: String {
        get { state.withLock { resolvedPath($0) } }
        set { state.withLock { $0.path = .some(newValue); $0.wisdom = nil } }
    }

    /// The rates held or in the wisdom, nil when neither has them (nothing is measured).
    public static var knownRates: CostModel? {
        if let held = state.withLock({ $0.rates }) { return held }
        let profile = MachineProfile.current
        return wisdom.rates(machine: profile.fingerprint, threads: profile.threads)
    }

    /// Uses `rates` for this process from now on (a caller that measured or chose them; tests).
    public static func hold(_ rates: CostModel) {
        state.withLock { $0.rates = rates }
    }

    /// How candidates and the calibration are timed (``Stopwatch/live(repeats:budget:settle:)`` unless set; tests set
    /// a ``Stopwatch/fixed(_:fallback:)``).
    public static var stopwatch: Stopwatch {
        get { state.withLock { $0.stopwatch } }
        set { state.withLock { $0.stopwatch = newValue } }
    }

    /// Where warnings go (a corrupt wisdom file): one line each, on stderr unless set.
    public static var warn: @Sendable (String) -> Void {
        get { state.withLock { $0.warn } }
        set { state.withLock { $0.warn = newValue } }
    }

    // MARK: - Wisdom and rates

    /// The wisdom read from ``wisdomPath`` (once; later reads return what is held, with this process's additions).
    public static var wisdom: Wisdom {
        if let held = state.withLock({ $0.wisdom }) { return held }
        let (path, warn) = state.withLock { (resolvedPath($0), $0.warn) }
        let loaded = WisdomStore.load(path, warn: warn)
        return state.withLock { s in
            if s.wisdom == nil { s.wisdom = loaded }
            return s.wisdom!
        }
    }

    /// This machine's rates: held, else from the wisdom, else measured now (``CostModel/calibrated(profile:stopwatch:peak:)``)
    /// and saved to the wisdom.
    public static func rates() -> CostModel {
        if let known = knownRates {
            hold(known)
            return known
        }
        return recalibrate(save: true)
    }

    /// Measures the rates now, holds them, and adds them to the wisdom (written to the file when `save`,
    /// silently skipped when that fails).
    @discardableResult
    public static func recalibrate(save: Bool) -> CostModel {
        let profile = MachineProfile.current
        let measured = CostModel.calibrated(profile: profile, stopwatch: stopwatch)
        remember { $0.record(measured, machine: profile.fingerprint, threads: profile.threads) }
        state.withLock { $0.rates = measured }
        if save { try? saveWisdom() }
        return measured
    }

    /// Writes the wisdom held (merged with the file's current content) to ``wisdomPath``.
    /// - Throws: ``ConvAlgebraError/io(_:)`` when it cannot be written.
    public static func saveWisdom() throws {
        try WisdomStore.save(wisdom, to: wisdomPath)
    }

    /// Adds to the wisdom held.
    package static func remember(_ change: (inout Wisdom) -> Void) {
        var w = wisdom
        change(&w)
        state.withLock { $0.wisdom = w }
    }

    /// Forgets the wisdom and rates held and every setting (tests).
    package static func reset() {
        state.withLock { $0 = State() }
    }

    private static func resolvedPath(_ s: State) -> String {
        switch s.path {
        case .some(let set): return set ?? ""
        case .none: return WisdomStore.defaultPath() ?? ""
        }
    }

    // MARK: - Deciding

    /// The form (and kernel) for applying `op` to `batch` samples: the wisdom's when this machine measured it,
    /// else decided by `mode` (default ``mode``). A direct kernel chosen by measurement or wisdom is installed in
    /// the operator's plan cache, so the next apply runs it.
    public static func decide<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int, mode: PlanningMode? = nil) -> PlanDecision {
        let mode = mode ?? self.mode
        guard FormChooser.storedEntries(op) != nil else {
            return PlanDecision(form: .direct, candidate: "direct", kernel: nil, source: .fixed, candidates: [],
                                reason: "no stencil to count non-zeros: direct")
        }
        let profile = MachineProfile.current
        let key = PlanKey(op, batch: batch)
        if let key, let known = wisdom.plan(for: key, machine: profile.fingerprint, threads: profile.threads) {
            return fromWisdom(known, op)
        }
        switch mode {
        case .wisdomOnly:
            return PlanDecision(form: .direct, candidate: "direct", kernel: directKernel(op), source: .fixed, candidates: [],
                                reason: "wisdom-only, and no wisdom for this operator, batch and dtype on this machine: direct")
        case .estimate:
            return estimate(op, batch: batch, model: rates())
        case .measure:
            let decision = measureAndRemember(op, batch: batch)
            try? saveWisdom()
            return decision
        }
    }

    /// Measures the candidates of `forms` (``measure(_:batch:stopwatch:forms:budget:)``), whatever the wisdom
    /// says, and adds the result to the wisdom held (``saveWisdom()`` writes it).
    public static func measureAndRemember<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int,
                                                         forms: Set<Form> = Set(Form.concrete)) -> PlanDecision {
        let decision = measure(op, batch: batch, stopwatch: stopwatch, forms: forms)
        let profile = MachineProfile.current
        if let key = PlanKey(op, batch: batch), decision.source == .measure {
            let seconds = Dictionary(decision.candidates.compactMap { c in c.measured.map { (c.name, $0) } },
                                     uniquingKeysWith: min)
            remember {
                $0.record(Wisdom.Plan(operator: key.operator, batch: key.batch, dtype: key.dtype,
                                      form: decision.form.rawValue, candidate: decision.candidate, seconds: seconds),
                          machine: profile.fingerprint, threads: profile.threads)
            }
        }
        return decision
    }

    /// For the direct form: installs the fastest direct kernel the wisdom measured for `op` at `batch` on this
    /// machine, and returns its name (nil when the wisdom has no direct timing for it: the builder's kernel runs).
    @discardableResult
    public static func useMeasuredKernel<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int) -> String? {
        let profile = MachineProfile.current
        guard let key = PlanKey(op, batch: batch),
              let plan = wisdom.plan(for: key, machine: profile.fingerprint, threads: profile.threads),
              let fastest = plan.seconds.filter({ $0.key.hasPrefix("direct/") }).min(by: { $0.value < $1.value })
        else { return nil }
        install(fastest.key, in: op)
        return directKernel(op)
    }

    /// For the dense form: the GEMM the wisdom measured fastest for `op` at `batch` on this machine (nil when the
    /// wisdom has no dense timing for it: ``DenseBatchProduct/Kernel/preferred`` runs).
    public static func measuredDenseKernel<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int) -> DenseBatchProduct<S>.Kernel? {
        let profile = MachineProfile.current
        guard let key = PlanKey(op, batch: batch),
              let plan = wisdom.plan(for: key, machine: profile.fingerprint, threads: profile.threads),
              let fastest = plan.seconds.filter({ denseKernel(ofCandidate: $0.key, S.self) != nil }).min(by: { $0.value < $1.value })
        else { return nil }
        return denseKernel(ofCandidate: fastest.key, S.self)
    }

    /// The cost model's decision (``FormChooser``) on `model`'s rates, with every form's estimate.
    public static func estimate<S: BLASScalar>(_ op: any LinearOperator<S>, batch: Int, model: CostModel) -> PlanDecision {
        let choice = FormChooser.choose(op, batch: batch, model: model)
        let candidates = Form.concrete.compactMap { f in
            choice.estimates[f].map { PlanDecision.Candidate(name: f.rawValue, form: f, estimate: $0) }
        }
        return PlanDecision(form: choice.form, candidate: choice.form.rawValue,
                            kernel: choice.form == .direct ? directKernel(op) : nil, source: .estimate,
                            candidates: candidates, reason: choice.reason)
    }

    /// The form a candidate name stands for (`direct/gemm` → direct, `dense/blas` → dense), nil for a name this
    /// version does not know.
    package static func form(ofCandidate name: String) -> Form? {
        if name.hasPrefix("direct/") {
            return ConvolutionPlanBuilder.Candidate(String(name.dropFirst("direct/".count))) != nil ? .direct : nil
        }
        if name.hasPrefix("dense/") { return denseKernel(ofCandidate: name, Float.self) != nil ? .dense : nil }
        return Form(rawValue: name).flatMap { $0 == .auto ? nil : $0 }
    }

    private static func fromWisdom<S: BLASScalar>(_ plan: Wisdom.Plan, _ op: any LinearOperator<S>) -> PlanDecision {
        let form = Form(rawValue: plan.form) ?? .direct
        if plan.candidate.hasPrefix("direct/") { install(plan.candidate, in: op) }
        if plan.candidate.hasPrefix("dense/") { installDense(plan.candidate, in: op) }
        let candidates = plan.seconds.sorted { $0.key < $1.key }.map { name, t in
            PlanDecision.Candidate(name: name, form: Planner.form(ofCandidate: name) ?? .direct, measured: t)
        }
        return PlanDecision(form: form, candidate: plan.candidate, kernel: form == .direct ? directKernel(op) : nil,
                            source: .wisdom, candidates: candidates,
                            reason: "wisdom measured on this machine: " + timings(candidates))
    }

    /// `name time` for each measured candidate, fastest first.
    package static func timings(_ candidates: [PlanDecision.Candidate]) -> String {
        candidates.filter { $0.measured != nil }.sorted { $0.measured! < $1.measured! }
            .map { "\($0.name) \(FormChooser.microseconds($0.measured!))" }.joined(separator: ", ")
    }

    /// The direct kernel the operator's plan runs now, for a convolution.
    package static func directKernel<S: BLASScalar>(_ op: any LinearOperator<S>) -> String? {
        if let c = op as? Convolution<S> { return c.directPlan.kernel.name }
        if let t = op as? TransposedConvolution<S> { return t.directPlan.kernel.name }
        return nil
    }
}
