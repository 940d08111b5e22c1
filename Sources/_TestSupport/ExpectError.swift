import ConvAlgebra
import Testing

/// The case of a ``ConvAlgebraError`` without its payload, to say which error a test expects.
public enum ConvAlgebraErrorCase: String, Sendable, CaseIterable {
    case invalidArgument, shapeMismatch, overflow, exceedsMemoryBudget, malformedNPY, io, unsupported, malformedFile

    public init(_ error: ConvAlgebraError) {
        switch error {
        case .invalidArgument: self = .invalidArgument
        case .shapeMismatch: self = .shapeMismatch
        case .overflow: self = .overflow
        case .exceedsMemoryBudget: self = .exceedsMemoryBudget
        case .malformedNPY: self = .malformedNPY
        case .io: self = .io
        case .unsupported: self = .unsupported
        case .malformedFile: self = .malformedFile
        }
    }
}

/// Expects `body` to throw a ``ConvAlgebraError`` of the `expected` case whose description is one
/// non-empty line (the CLI prints it as `error: …`).
///
/// A value returned instead, another error type or another case is an issue recorded at the caller.
/// - Returns: the error thrown, when it was a ``ConvAlgebraError``.
@discardableResult
public func expectThrows<T>(
    _ expected: ConvAlgebraErrorCase, _ comment: @autoclosure () -> String = "",
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> T
) -> ConvAlgebraError? {
    let prefix = comment().isEmpty ? "" : comment() + ": "
    do {
        let value = try body()
        Issue.record(Comment(rawValue: "\(prefix)expected ConvAlgebraError.\(expected), got the value \(value)"),
                     sourceLocation: sourceLocation)
        return nil
    } catch let error as ConvAlgebraError {
        let actual = ConvAlgebraErrorCase(error)
        #expect(actual == expected, "\(prefix)expected ConvAlgebraError.\(expected.rawValue), got .\(actual.rawValue): \(error)",
                sourceLocation: sourceLocation)
        let text = error.description
        #expect(!text.isEmpty && !text.contains("\n"), "\(prefix)the description is not one line: \(text.debugDescription)",
                sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record(Comment(rawValue: "\(prefix)expected ConvAlgebraError.\(expected), got \(type(of: error)): \(error)"),
                     sourceLocation: sourceLocation)
        return nil
    }
}
