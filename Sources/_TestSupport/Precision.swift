import ConvAlgebra
import Testing

/// The two scalar types, as a test argument: `@Test(arguments: Precision.allCases)`, then
/// `try check(precision.scalarType, …)` opens the existential into a generic `S: BLASScalar`.
public enum Precision: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case float, double

    /// `Float.self` or `Double.self`.
    public var scalarType: any BLASScalar.Type { self == .float ? Float.self : Double.self }

    public var testDescription: String { rawValue }
}
