import CBuildInfo

/// The library's version: the one place it is written.
///
/// `convalgebra --version` prints it, `convalgebra machine --json` and the benchmark results record it, and
/// CHANGELOG.md's newest section names it. A release is the commit on main that sets it, tagged with the same
/// string (`git tag 0.4.0`), so `.package(url: …, from: "0.4.0")` resolves to that commit.
public enum ConvAlgebraVersion {
    /// The semantic version, `major.minor.patch`.
    public static let string = "0.4.0"

    /// The git commit this binary was built from, when its build was given one: `CONVALGEBRA_COMMIT` in the
    /// environment of `swift build` (every `make` target sets it: `git rev-parse HEAD`, with `-dirty` when the work
    /// tree differed), compiled in; nil for a build given none.
    public static let commit: String? = ca_build_commit().map { String(cString: $0) }
}
