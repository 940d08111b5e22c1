import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The transpose of an ``AveragePooling``: each output spreads back over its window.
///
/// ```
/// x̃[c, i₀ + t] = Σ_{i : i₀(i) + t in range} y[c, i] / D(i)
/// ```
/// the same terms as the pooling with rows and columns swapped; it is PyTorch's average-pooling
/// backward (`cpu_avg_pool_backward`). Shapes: `(C, *L) → (C, *n)`.
/// Shapes, terms, forms and `transposed` come from ``SwappedStencil``; this type adds only the direct kernel.
/// - Complexity: `planes · nnz(P)` additions and `planes · Π L` multiplications (a scatter over each plane).
public struct AveragePoolingTranspose<Scalar: BLASScalar>: SwappedStencil, Equatable {
    /// The pooling this is the transpose of.
    public let base: AveragePooling<Scalar>

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) {
        if let windows = base.windows {
            PoolingKernels.windowScatterValues(windows, weight: base.outputWeight, planes: batch * base.geometry.channels, x, y)
        } else {
            PoolingKernels.scatter(base.plane, planes: batch * base.geometry.channels, x, y)
        }
    }
}
