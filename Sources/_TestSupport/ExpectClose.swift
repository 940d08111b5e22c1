import ConvAlgebra
import Testing

/// Expects `actual` and `expected` to have the same length and to agree element by element within
/// `atol + rtol·|expected|`; NaN never agrees.
///
/// On failure one issue is recorded at the caller, naming the number of differing elements and
/// the first few with their flat indices.
/// - Returns: whether the arrays agreed.
@discardableResult
public func expectAllClose<S: BLASScalar>(
    _ actual: [S], _ expected: [S], rtol: S = S.testRelativeTolerance, atol: S = S.testAbsoluteTolerance,
    _ comment: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation
) -> Bool {
    let prefix = comment().isEmpty ? "" : comment() + ": "
    guard actual.count == expected.count else {
        Issue.record(Comment(rawValue: "\(prefix)\(actual.count) elements, expected \(expected.count)"),
                     sourceLocation: sourceLocation)
        return false
    }
    var bad: [Int] = []
    for i in actual.indices where !isClose(actual[i], expected[i], rtol: rtol, atol: atol) { bad.append(i) }
    guard !bad.isEmpty else { return true }
    let shown = bad.prefix(6).map { "[\($0)] \(actual[$0]) vs \(expected[$0])" }.joined(separator: ", ")
    Issue.record(Comment(rawValue:
        "\(prefix)\(bad.count) of \(actual.count) elements differ (rtol \(rtol), atol \(atol)): \(shown)\(bad.count > 6 ? ", …" : "")"),
        sourceLocation: sourceLocation)
    return false
}

/// Expects two tensors to have the same shape and to agree element by element (see ``expectAllClose(_:_:rtol:atol:_:sourceLocation:)``).
@discardableResult
public func expectTensorsClose<S: BLASScalar>(
    _ actual: Tensor<S>, _ expected: Tensor<S>, rtol: S = S.testRelativeTolerance, atol: S = S.testAbsoluteTolerance,
    _ comment: @autoclosure () -> String = "", sourceLocation: SourceLocation = #_sourceLocation
) -> Bool {
    guard actual.shape == expected.shape else {
        let prefix = comment().isEmpty ? "" : comment() + ": "
        Issue.record(Comment(rawValue: "\(prefix)shape \(actual.shape), expected \(expected.shape)"),
                     sourceLocation: sourceLocation)
        return false
    }
    return expectAllClose(actual.scalars, expected.scalars, rtol: rtol, atol: atol, comment(), sourceLocation: sourceLocation)
}
