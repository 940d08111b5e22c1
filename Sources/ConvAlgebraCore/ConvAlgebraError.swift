/// The one error type of the library: every check on user input throws one of these.
///
/// Descriptions are single lines meant to be shown to a person as they are (the CLI prints
/// `error: <description>`), and name the sizes involved.
public enum ConvAlgebraError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An argument outside its domain: a zero factor, a negative phase, an unknown mode.
    case invalidArgument(String)
    /// Two shapes that must agree do not.
    case shapeMismatch(String)
    /// A size whose computation overflows `Int`.
    case overflow(String)
    /// An allocation that would exceed the memory budget: what it is, its bytes, the budget's. It names no other
    /// way out: only a caller that knows the alternatives can (`LinearOperator.apply(_:form:budget:)` adds the
    /// forms that would fit to `what`).
    case exceedsMemoryBudget(what: String, bytes: Int, budget: Int)
    /// A file that is not a valid NPY file of a supported dtype.
    case malformedNPY(String)
    /// A file-system failure.
    case io(String)
    /// A file that is not a valid archive or matrix file of its format (a ZIP / `.npz` archive, a Matrix Market
    /// file); the message names the file and what is wrong.
    case malformedFile(String)
    /// An operation that this operator does not support (for example a symbolic product of two kernels).
    case unsupported(String)

    public var description: String {
        switch self {
        case .invalidArgument(let m), .shapeMismatch(let m), .overflow(let m), .io(let m), .unsupported(let m), .malformedFile(let m):
            return m
        case .malformedNPY(let m):
            return "malformed NPY: \(m)"
        case let .exceedsMemoryBudget(what, bytes, budget):
            return "\(what) needs \(bytes) bytes, over the memory budget of \(budget) bytes"
        }
    }
}
