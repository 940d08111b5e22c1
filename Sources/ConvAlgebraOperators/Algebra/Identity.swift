import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The identity operator on samples of one shape, `I x = x`; its own transpose.
/// - Complexity: one copy per element.
public struct Identity<Scalar: BLASScalar>: StencilOperator, Equatable {
    public let shape: Shape

    public init(shape: Shape) { self.shape = shape }

    public var domain: Shape { shape }
    public var codomain: Shape { shape }
    public var transposed: Identity { self }
    public var taps: [Scalar] { [] }

    public func forEachTerm(_ body: (Int, Int, Int, Scalar) -> Void) {
        for i in 0..<shape.count { body(i, i, -1, 1) }
    }

    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        y.update(from: x, count: batch * shape.count)
    }
}
