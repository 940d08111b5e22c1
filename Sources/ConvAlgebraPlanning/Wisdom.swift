import ConvAlgebraCore
import ConvAlgebraOperators

/// What the planner has learnt about machines (FFTW's wisdom): per machine and thread count, the measured
/// ``CostModel`` rates and the plans measured for (operator, batch, dtype).
///
/// The file is JSON (``WisdomStore`` reads and writes it):
/// ```
/// {"format": "convalgebra-wisdom", "version": 1,
///  "machines": [{"fingerprint": "x86_64 | AMD EPYC 9R14 | … | cores 2", "threads": 2,
///                "rates": {"gemmPeak": …, …} or null,
///                "plans": [{"operator": "conv c1->1 g1 in1024 out1024 k9 s1 o-4 e-1 zero", "batch": 256,
///                           "dtype": "float32", "form": "dense", "candidate": "dense",
///                           "seconds": {"dense": 0.00012, "sparse": 0.00031, "direct/rowStencil": 0.0002}}]}]}
/// ```
/// A machine is its ``MachineProfile/fingerprint``; an operator its kind and geometry (``PlanKey``), never its
/// weights (a plan's time does not depend on the values). Entries a reader does not understand (an unknown
/// candidate, an implausible rate) are dropped one by one, so a newer or damaged file loses only those.
public struct Wisdom: Sendable, Equatable, Codable {
    public static let formatName = "convalgebra-wisdom"
    public static let currentVersion = 1

    public var format = Wisdom.formatName
    public var version = Wisdom.currentVersion
    public var machines: [Machine] = []

    public init() {}

    /// One machine at one thread count.
    public struct Machine: Sendable, Equatable, Codable {
        public var fingerprint: String
        public var threads: Int
        public var rates: CostModel?
        public var plans: [Plan]
    }

    /// One measured plan.
    public struct Plan: Sendable, Equatable, Codable {
        /// ``PlanKey/operator``.
        public var `operator`: String
        public var batch: Int
        public var dtype: String
        /// The winning form and candidate (``PlanDecision/Candidate/name``).
        public var form: String
        public var candidate: String
        /// Every candidate's measured seconds.
        public var seconds: [String: Double]

        public init(operator: String, batch: Int, dtype: String, form: String, candidate: String, seconds: [String: Double]) {
            self.operator = `operator`
            self.batch = batch
            self.dtype = dtype
            self.form = form
            self.candidate = candidate
            self.seconds = seconds
        }
    }

    /// The plan measured for `key` on `machine` with `threads` threads, nil when there is none.
    public func plan(for key: PlanKey, machine: String, threads: Int) -> Plan? {
        entry(machine, threads)?.plans.first { $0.operator == key.operator && $0.batch == key.batch && $0.dtype == key.dtype }
    }

    /// The rates measured on `machine` with `threads` threads.
    public func rates(machine: String, threads: Int) -> CostModel? { entry(machine, threads)?.rates }

    /// Remembers `plan` for `key` (replacing an earlier one).
    public mutating func record(_ plan: Plan, machine: String, threads: Int) {
        var m = entry(machine, threads) ?? Machine(fingerprint: machine, threads: threads, rates: nil, plans: [])
        m.plans.removeAll { $0.operator == plan.operator && $0.batch == plan.batch && $0.dtype == plan.dtype }
        m.plans.append(plan)
        store(m)
    }

    /// Remembers the rates of `machine` at `threads` threads.
    public mutating func record(_ rates: CostModel, machine: String, threads: Int) {
        var m = entry(machine, threads) ?? Machine(fingerprint: machine, threads: threads, rates: nil, plans: [])
        m.rates = rates
        store(m)
    }

    /// This wisdom with everything `newer` knows added, `newer` winning where both know a plan or rates.
    public func merging(_ newer: Wisdom) -> Wisdom {
        var out = self
        for m in newer.machines {
            if let r = m.rates { out.record(r, machine: m.fingerprint, threads: m.threads) }
            for p in m.plans { out.record(p, machine: m.fingerprint, threads: m.threads) }
        }
        return out
    }

    /// The entries that can be believed: the right format, plausible rates, known forms and candidates,
    /// positive batches, finite non-negative times. Nil for a document of another format or a newer version.
    public func validated() -> Wisdom? {
        guard format == Wisdom.formatName, version == Wisdom.currentVersion else { return nil }
        var out = Wisdom()
        for m in machines where m.threads >= 1 && !m.fingerprint.isEmpty {
            let plans = m.plans.filter { p in
                guard let form = Form(rawValue: p.form), form != .auto, p.batch >= 1,
                      p.dtype == "float32" || p.dtype == "float64",
                      Planner.form(ofCandidate: p.candidate) == form else { return false }
                return p.seconds.values.allSatisfy { $0 >= 0 && $0.isFinite }
            }
            out.store(Machine(fingerprint: m.fingerprint, threads: m.threads,
                              rates: m.rates.flatMap { $0.isPlausible ? $0 : nil }, plans: plans))
        }
        return out
    }

    private func entry(_ machine: String, _ threads: Int) -> Machine? {
        machines.first { $0.fingerprint == machine && $0.threads == threads }
    }

    private mutating func store(_ m: Machine) {
        if let i = machines.firstIndex(where: { $0.fingerprint == m.fingerprint && $0.threads == m.threads }) {
            machines[i] = m
        } else {
            machines.append(m)
        }
    }
}
