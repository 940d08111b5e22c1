import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraMatrices

/// A CSR matrix read from a file, in the precision the file stores: float32 or float64 values.
public enum AnyCSRMatrix: Sendable, Equatable {
    case float32(CSRMatrix<Float>)
    case float64(CSRMatrix<Double>)

    /// `(rows, columns)`.
    public var size: (rows: Int, columns: Int) {
        switch self {
        case .float32(let m): return (m.rows, m.columns)
        case .float64(let m): return (m.rows, m.columns)
        }
    }

    /// The matrix as `CSRMatrix<S>`, which must be its precision (no silent conversion).
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` naming both dtypes when they differ.
    public func matrix<S: BLASScalar>(of _: S.Type = S.self) throws -> CSRMatrix<S> {
        switch self {
        case .float32(let m as CSRMatrix<S>): return m
        case .float64(let m as CSRMatrix<S>): return m
        case .float32: throw ConvAlgebraError.invalidArgument("the matrix holds float32 values, not \(NPY.dtypeName(of: S.self))")
        case .float64: throw ConvAlgebraError.invalidArgument("the matrix holds float64 values, not \(NPY.dtypeName(of: S.self))")
        }
    }
}
