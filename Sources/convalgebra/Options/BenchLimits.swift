import ConvAlgebra

/// The bounds of `bench`'s own options, checked before anything runs.
///
/// `--repeats` is bounded (the timings are kept, one `Double` each, and 2⁶³ − 1 repeats never end) and
/// `--max-seconds` must be a positive finite number of seconds, at most a day: `nan`, `inf`, `0` and negative
/// values used to be accepted and ran unbounded. Case ids and suite letters that name no case are errors, not
/// an empty table.
enum BenchLimits {
    /// The most timed applications: a million timings, 8 MB.
    static let largestRepeats = 1_000_000
    /// The longest `--max-seconds`: a day.
    static let longestSeconds = 86_400.0

    static func check(repeats: Int, maxSeconds: Double?) throws {
        guard repeats <= largestRepeats else {
            throw ConvAlgebraError.invalidArgument(
                "--repeats must be at most \(largestRepeats), got \(repeats) (bound the time with --max-seconds instead)")
        }
        if let s = maxSeconds {
            guard s.isFinite, s > 0, s <= longestSeconds else {
                throw ConvAlgebraError.invalidArgument(
                    "--max-seconds must be a positive number of seconds, at most \(Int(longestSeconds)), got \(s)")
            }
        }
    }

    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` naming the first wanted id or suite letter that is no case's.
    static func checkCases(_ wanted: [String]?, known: [(id: String?, suite: String)]) throws {
        guard let wanted else { return }
        guard !wanted.isEmpty else { throw ConvAlgebraError.invalidArgument("--cases needs at least one case id or suite letter") }
        for w in wanted where !known.contains(where: { $0.id == w || $0.suite == w }) {
            let suites = Set(known.map(\.suite)).sorted().joined(separator: ", ")
            throw ConvAlgebraError.invalidArgument(
                "--cases: no case has the id or suite '\(w)' (suites: \(suites); ids: \(known.compactMap(\.id).joined(separator: ", ")))")
        }
    }
}
