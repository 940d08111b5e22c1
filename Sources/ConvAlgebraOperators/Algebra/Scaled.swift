import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// A scalar multiple of an operator, `αA`.
///
/// Scalars are absorbed: scaling a ``Scaled`` multiplies the factors, `α(βA) = (αβ)A`, and the
/// transpose keeps the scalar, `(αA)ᵀ = αAᵀ`, so `((αA)ᵀ)ᵀ` is `αA` again.
/// - Complexity: the base's cost plus one multiply per output.
public struct Scaled<Base: LinearOperator>: LinearOperator {
    public typealias Scalar = Base.Scalar
    /// The scalar `α`.
    public let scale: Scalar
    /// The operator `A`.
    public let base: Base

    public init(_ scale: Scalar, _ base: Base) {
        self.scale = scale
        self.base = base
    }

    public var domain: Shape { base.domain }
    public var codomain: Shape { base.codomain }
    public var transposed: Scaled<Base.Transpose> { Scaled<Base.Transpose>(scale, base.transposed) }

    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        base.applyUnchecked(x, y, batch: batch)
        let n = batch * codomain.count
        for i in 0..<n { y[i] *= scale }
    }

    public func sparse(budget: MemoryBudget) throws -> CSRMatrix<Scalar> {
        var m = try base.sparse(budget: budget)
        for i in m.values.indices { m.values[i] *= scale }
        return m
    }

    public func dense(budget: MemoryBudget) throws -> DenseMatrix<Scalar> {
        var m = try base.dense(budget: budget)
        for i in m.entries.indices { m.entries[i] *= scale }
        return m
    }

    public func symbolic() throws -> SymbolicMatrix {
        var m = try base.symbolic()
        for i in m.entries.indices { m.entries[i] = m.entries[i].scaled(by: Double(scale)) }
        return m
    }
}

extension LinearOperator {
    /// The operator `α · self`.
    public func scaled(by alpha: Scalar) -> Scaled<Self> { Scaled(alpha, self) }
}

extension Scaled {
    /// `α(βA) = (αβ)A`: scaling a scaled operator multiplies the scalars instead of nesting.
    public func scaled(by alpha: Scalar) -> Scaled<Base> { Scaled(alpha * scale, base) }
}
