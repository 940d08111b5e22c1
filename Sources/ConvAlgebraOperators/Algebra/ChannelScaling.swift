import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// One factor per channel, `y[c, i] = q[c] · x[c, i]`: the linear part of an inference-mode batch norm
/// (`q[c] = γ[c] / √(var[c] + ε)`) that has no layer before it to fold into. A diagonal matrix, so its own
/// transpose and `‖A‖₂ = max |q[c]|`.
/// - Complexity: one multiply per element.
public struct ChannelScaling<Scalar: BLASScalar>: StencilOperator, Equatable {
    /// One sample's shape `(C, spatial…)`.
    public let shape: Shape
    /// The factors `q`, one per channel.
    public let taps: [Scalar]

    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `factors` has not one value per channel (`shape[0]`).
    public init(shape: Shape, factors: [Scalar]) throws {
        guard shape.rank >= 1, shape.dims[0] == factors.count else {
            throw ConvAlgebraError.shapeMismatch("a channel scaling of \(shape) needs one factor per channel, got \(factors.count)")
        }
        self.shape = shape
        taps = factors
    }

    public var domain: Shape { shape }
    public var codomain: Shape { shape }
    public var transposed: ChannelScaling { self }
    public var termCount: Int { shape.count }

    public func forEachTerm(_ body: (Int, Int, Int, Scalar) -> Void) {
        let plane = taps.isEmpty ? 0 : shape.count / taps.count
        for i in 0..<shape.count { body(i, i, i / plane, 1) }
    }

    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        let plane = taps.isEmpty ? 0 : shape.count / taps.count
        var k = 0
        for _ in 0..<batch {
            for c in 0..<taps.count {
                for _ in 0..<plane { y[k] = taps[c] * x[k]; k += 1 }
            }
        }
    }
}
