import ArgumentParser
import CPETSc
import ConvAlgebra

/// `convalgebra-mpi analyze OP --domain SHAPE [--largest k] [--smallest k] [--all] [--transpose] [--json FILE]
/// [op options] [-svd_… PETSc options]`: the extreme singular values of an operator assembled by rows over the
/// processes, by SLEPc (``DistributedSVD``), and the condition number `σ_max / σ_min` when both ends were asked for.
///
/// `--json` writes `{"largest": [σ1 ≥ σ2 ≥ …], "smallest": [ascending], "converged": c, "ranks": p, …}` where `c`
/// is the number of requested values SLEPc reported converged (a shortfall is an error, never a silent answer), and
/// `smallest_below_rounding_floor` counts the smallest values below `rounding_floor` = `√n·ε·σ₁` (numerically 0).
///
/// - Complexity: the assembly's, then that of each solve (``DistributedSVD``).
struct MPIAnalyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "The largest and smallest singular values and the condition number of an operator, by SLEPc over MPI.",
        discussion: """
            OPs: \(OperatorFactory.names.filter { $0 != MaxPoolOp.name }.joined(separator: ", ")).
            Largest: gram (LOBPCG on AᵀA, no factorisation, started from the circular spectrum's waves for a \
            conv; options -largest_eps_…) or sinvert (AᵀA shifted to τ², τ just above a rigorous bound of ‖A‖₂: a \
            conv's symbol, else row and column sums; MUMPS Cholesky). Smallest: gram (LOBPCG on AᵀA for its \
            smallest eigenvalues from the waves, at most 100 iterations, then σ as the singular values of A V, not \
            √θ; no factorisation; options -smallest_eps_…; fails clearly when the start is not exact), or for a \
            square operator one MUMPS LU of A (options -inverse_…), then inverse-gram (LOBPCG on (AᵀA)⁻¹ from the \
            waves; options -smallest_eps_…) or inverse-lanczos (Lanczos on A⁻¹); of a rectangular one: AᵀA shifted \
            to 0. auto (the default) takes gram for both ends of a circular conv whose waves are exact singular \
            vectors (one input channel per group, stride 1; inverse-lanczos if the smallest's does not converge), \
            the factorisations otherwise (from a multi-channel circular conv's waves gram and inverse-gram \
            converged to wrong values). The LU \
            is ordered by AMD (Debian's MUMPS has no METIS). -svd_type cyclic|cross and any -svd_… option override \
            them.
            """)

    @Argument(help: "The op: \(OperatorFactory.names.joined(separator: ", ")).")
    var op: String

    @Option(parsing: .unconditional, help: "One sample's shape in the operator's domain, comma separated (e.g. 3,8,8).")
    var domain: String

    @Option(help: "How many of the largest singular values.")
    var largest = 1

    @Option(help: "How many of the smallest singular values.")
    var smallest = 1

    @Flag(help: "All singular values by ScaLAPACK (a dense copy: mid-size operators only), as \"singular_values\".")
    var all = false

    @Flag(help: "Analyse the transpose (assembled literally); its singular values are the operator's.")
    var transpose = false

    @Option(help: "auto (gram for a circular conv of one input channel per group and stride 1, else sinvert), gram (LOBPCG on AᵀA from the waves; wrong values seen for multi-channel circular convs) or sinvert (shift-and-invert with a Cholesky of AᵀA − τ²I).")
    var largestMethod = "auto"

    @Option(help: "auto (gram for a circular conv of one input channel per group and stride 1, else inverse-lanczos), gram (LOBPCG on AᵀA from exact waves, then the Ritz values of A; no factorisation), or for square operators inverse-gram (LOBPCG on (AᵀA)⁻¹ from the waves; wrong values seen for multi-channel circular convs) or inverse-lanczos (Lanczos on A⁻¹).")
    var smallestMethod = "auto"

    @Option(help: "Write the results as JSON to this file.")
    var json: String?

    @OptionGroup var arguments: OpArguments

    /// A convolution's (or its transpose's) symbol bound of ‖A‖₂ (``ConvolutionNormBound``), the same on every
    /// process (the largest of theirs); nil for the other families.
    static func symbolBound(_ op: any LinearOperator<Double>) throws -> Double? {
        let local: Double?
        if let c = op as? Convolution<Double> { local = try c.spectralNormBound().upper }
        else if let t = op as? TransposedConvolution<Double> { local = try t.spectralNormBound().upper }
        else { local = nil }
        return local.map(PETScRuntime.maximum)
    }

    /// Whether the circular spectrum's waves are `op`'s singular vectors (up to a block's power steps): a circular
    /// convolution analysed as itself, to which the FFT method applies exactly. The first condition of
    /// ``smallestWavesAreExact(_:transposed:)``, under which `auto` picks the block eigensolvers (a multi-channel
    /// conv's candidate frequencies, ranked by estimates, led them to wrong values); otherwise the factorisations, which converge
    /// in a few iterations from anywhere (LOBPCG from the Dirichlet-enveloped waves of a zero-padded conv took 193
    /// to thousands of iterations at 9·10⁴ rows: the spectrum's clusters).
    static func wavesAreExact(_ op: any LinearOperator<Double>, transposed: Bool) -> Bool {
        guard !transposed, let c = op as? Convolution<Double> else { return false }
        return CircularConvolutionSpectrum.applicability(c.geometry) == .exact
    }

    /// Whether the circular spectrum's waves of the *smallest* singular values are exact singular vectors too: a
    /// circular conv (``wavesAreExact(_:transposed:)``) whose frequency blocks have one column (one input channel
    /// per group, stride 1), where the bottom right singular vector of a block is `1`, not power steps' estimate.
    /// `auto` then takes ``DistributedSVD/SmallestMethod/gram``, which converges from them at once and from little
    /// else.
    static func smallestWavesAreExact(_ op: any LinearOperator<Double>, transposed: Bool) -> Bool {
        guard wavesAreExact(op, transposed: transposed), let c = op as? Convolution<Double> else { return false }
        return c.geometry.inChannelsPerGroup == 1 && c.geometry.stride.allSatisfy { $0 == 1 }
    }

    /// This process's part (the matrix's `columns`) of the circular spectrum's waves of the `k + 1` frequencies with
    /// the largest (or smallest) singular values, for a convolution analysed as itself (not `--transpose`: its
    /// domain is the convolution's); none otherwise, or when the FFT method does not apply.
    static func startVectors(_ op: any LinearOperator<Double>, transposed: Bool, columns: Range<Int>, k: Int, smallest: Bool) throws -> [[Double]] {
        guard !transposed, let c = op as? Convolution<Double> else { return [] }
        return try CircularConvolutionSpectrum.startVectors(geometry: c.geometry, taps: c.taps, frequencies: k + 1,
                                                            smallest: smallest, positions: columns)
    }

    func run() throws {
        guard largest >= 0, smallest >= 0, largest + smallest > 0 || all else {
            throw ConvAlgebraError.invalidArgument("ask for at least one value: --largest k, --smallest k (k ≥ 0) or --all")
        }
        let operand = try MPIOperand(op: op, arguments: arguments, purpose: .analyze)
        let built = try operand.build(domain: try CommaList.shape(domain, option: "--domain"))
        let a = try DistributedMatrix(built.linear, transposed: transpose)
        let count = min(a.rowCount, a.columnCount)
        guard largest <= count, smallest <= count else {
            throw ConvAlgebraError.invalidArgument("the \(a.rowCount) × \(a.columnCount) matrix has \(count) singular values; asked for \(max(largest, smallest))")
        }
        let linear = built.linear, transposed = transpose
        let bottomExact = Self.smallestWavesAreExact(linear, transposed: transposed)
        // gram for the largest only where the waves are exact too: from a multi-channel circular conv's waves LOBPCG
        // converged at once to wrong eigenpairs (4 → 4 channels at 20 × 20: σ₁ 7.079 for 7.168; at 500 × 500 6.830
        // for 7.169, 4.7·10⁻²): startVectors' candidates, the best blocks by Frobenius norm, missed the top one.
        guard let topMethod = largestMethod == "auto" ? (bottomExact ? .gram : .sinvert) : DistributedSVD.LargestMethod(rawValue: largestMethod) else {
            throw ConvAlgebraError.invalidArgument("unknown --largest-method '\(largestMethod)' (known: auto, \(DistributedSVD.LargestMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        // Likewise inverse-gram from the waves of a 4 → 4 circular conv converged at once to wrong eigenpairs (12 × 12:
        // 0.136 for σ_min 0.111), so auto takes inverse-lanczos (a random start) wherever gram does not apply.
        guard let bottomMethod = smallestMethod == "auto" ? (bottomExact ? .gram : .inverseLanczos)
                : DistributedSVD.SmallestMethod(rawValue: smallestMethod) else {
            throw ConvAlgebraError.invalidArgument("unknown --smallest-method '\(smallestMethod)' (known: auto, \(DistributedSVD.SmallestMethod.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let top = largest > 0
            ? try DistributedSVD.largest(a, largest, method: topMethod, symbolBound: { try Self.symbolBound(linear) },
                                         start: { try Self.startVectors(linear, transposed: transposed, columns: a.columns, k: largest, smallest: false) })
            : nil
        let bottom = smallest > 0
            ? try DistributedSVD.smallest(a, smallest, method: bottomMethod, fallback: smallestMethod == "auto" ? .inverseLanczos : nil,
                                          norm: { try top?.bound ?? DistributedSVD.normBound(a, symbolBound: { try Self.symbolBound(linear) }).bound },
                                          start: { try Self.startVectors(linear, transposed: transposed, columns: a.columns, k: smallest, smallest: true) }) {
                a.rowCount >= a.columnCount ? a : try DistributedMatrix(built.linear, transposed: !transpose)
            } : nil
        let every = all ? try DistributedSVD.all(a) : nil
        let norm = top?.values.first ?? every?.values.last
        let minimum = bottom?.values.first ?? every?.values.first
        let condition = norm.flatMap { n in minimum.map { $0 > 0 ? n / $0 : .infinity } }
        // The rounding floor √n·ε·‖A‖: a computed σ below it is "numerically 0" (a zero-padded conv's σ_min decays
        // exponentially with the side; at 10⁶ rows the LU's Lanczos printed 3·10⁻³⁴ and 8·10⁻⁴¹ for it), not digits.
        let floor = norm.map { Double(a.columnCount).squareRoot() * Double.ulpOfOne * $0 }
        let belowFloor = floor.map { f in (bottom?.values ?? []).filter { $0 < f }.count } ?? 0
        var fields: [(String, String)] = [
            ("op", JSONText.string(op)),
            ("domain", JSONText.array(built.domain.dims.map(String.init))),
            ("codomain", JSONText.array(built.codomain.dims.map(String.init))),
            ("largest", JSONText.array((top?.values ?? []).map(JSONText.number))),
            ("smallest", JSONText.array((bottom?.values ?? []).map(JSONText.number))),
            ("converged", String((top?.values.count ?? 0) + (bottom?.values.count ?? 0))),
            ("spectral_norm", norm.map(JSONText.number) ?? "null"),
            ("condition_number", condition.map { $0.isFinite ? JSONText.number($0) : "null" } ?? "null"),
            ("rounding_floor", floor.map(JSONText.number) ?? "null"),
            ("smallest_below_rounding_floor", String(belowFloor)),
            ("method", JSONText.string([top, bottom, every].compactMap { $0?.method }.joined(separator: " + "))),
            ("largest_method", top.map { JSONText.string($0.method) } ?? "null"),
            ("smallest_method", bottom.map { JSONText.string($0.method) } ?? "null"),
            ("smallest_note", bottom?.note.map(JSONText.string) ?? "null"),
            ("smallest_residual", bottom?.residual.map(JSONText.number) ?? "null"),
            ("iterations", JSONText.array([top, bottom].compactMap { $0.map { String($0.iterations) } })),
            ("largest_seconds", top.map { JSONText.number($0.seconds) } ?? "null"),
            ("smallest_seconds", bottom.map { JSONText.number($0.seconds) } ?? "null"),
            ("spectral_norm_upper_bound", top?.bound.map(JSONText.number) ?? "null"),
            ("bound", top?.boundKind.map(JSONText.string) ?? "null"),
            ("target", top?.target.map(JSONText.number) ?? "null"),
            ("phase_seconds", "{" + JSONText.members([
                ("assembly", JSONText.number(a.seconds)),
                ("largest_bound", top.map { JSONText.number($0.boundSeconds) } ?? "null"),
                ("largest_setup", top.map { JSONText.number($0.setupSeconds) } ?? "null"),
                ("largest_solve", top.map { JSONText.number($0.solveSeconds) } ?? "null"),
                ("smallest_setup", bottom.map { JSONText.number($0.setupSeconds) } ?? "null"),
                ("smallest_solve", bottom.map { JSONText.number($0.solveSeconds) } ?? "null"),
                ("smallest_ritz", bottom.map { JSONText.number($0.ritzSeconds) } ?? "null"),
            ]).joined(separator: ", ") + "}"),
        ]
        if let every { fields.append(("singular_values", JSONText.array(every.values.map(JSONText.number)))) }
        if let json {
            try RunReport(matrix: a, fields: fields).write(to: json)
        }
        let entries = a.globalEntries
        guard PETScRuntime.rank == 0 else { return }
        var lines = ["\(op) on \(built.domain) → \(built.codomain): \(a.rowCount) × \(a.columnCount), \(entries) entries, \(PETScRuntime.size) processes"]
        if let top {
            lines.append("largest singular values: " + top.values.map { "\($0)" }.joined(separator: ", "))
            lines.append("upper bound of ‖A‖₂ (\(top.boundKind ?? "")): \(top.bound ?? 0)")
        }
        if let bottom {
            lines.append("smallest singular values: " + bottom.values.map { "\($0)" }.joined(separator: ", "))
            if let note = bottom.note { lines.append("note: " + note) }
        }
        if let every { lines.append("all \(every.values.count) singular values (ScaLAPACK): from \(every.values.first ?? 0) to \(every.values.last ?? 0)") }
        if let condition { lines.append("condition number: \(condition)") }
        if belowFloor > 0, let floor {
            lines.append("note: \(belowFloor) of the smallest values lie below the rounding floor √n·ε·σ₁ = \(floor): the operator is numerically singular; those values (and the condition number) carry no digits")
        }
        print(lines.joined(separator: "\n"))
    }
}
