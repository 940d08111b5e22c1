import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// The transpose of a stencil operator `A` whose terms are `A`'s with row and column swapped:
///
/// ```
/// Aᵀ[c, r] += a · q[t]   for every term (r, c, t, a) of A
/// ```
/// The swap determines everything about the transpose except its speed: domain and codomain, the taps, the
/// terms, and with them the dense, sparse and symbolic matrices (`A`'s transposed entry for entry, as they
/// come from the same enumeration), and `(Aᵀ)ᵀ = A` itself. All of that is implemented here, once. What the
/// swap cannot give is a fast direct kernel for `Aᵀ` (a scatter, a box sum, a weight-gradient
/// accumulation), so a conforming type writes only ``base`` and
/// ``LinearOperator/applyUnchecked(_:_:batch:)``:
///
/// ```
/// public struct SelectionTranspose<Scalar: BLASScalar>: SwappedStencil, Equatable {
///     public let base: Selection<Scalar>
///     public func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int) { … }
/// }
/// ```
///
/// A protocol rather than one generic `SwappedTerms<Base>` struct: such a struct's transpose is `Base`, so
/// `LinearOperator`'s `Transpose.Transpose == Self` would need `Base.Transpose == SwappedTerms<Base>`, a
/// self-referential requirement Swift rejects; and each family's transpose kernel belongs in a named type
/// next to it. Operators whose transpose is another primitive (a strided ``Convolution``'s is a
/// ``TransposedConvolution`` with stride and input dilation swapped, `Downsample`'s an `Upsample`) name
/// that primitive instead.
public protocol SwappedStencil: StencilOperator where Transpose == Base {
    /// The operator this is the transpose of.
    associatedtype Base: StencilOperator where Base.Scalar == Scalar, Base.Transpose == Self

    /// The operator this is the transpose of.
    var base: Base { get }
}

extension SwappedStencil {
    /// The base's codomain.
    public var domain: Shape { base.codomain }
    /// The base's domain.
    public var codomain: Shape { base.domain }
    /// `(Aᵀ)ᵀ = A`: the base itself, not a wrapper of a wrapper.
    public var transposed: Base { base }
    public var taps: [Scalar] { base.taps }
    public var tapsAreSymbols: Bool { base.tapsAreSymbols }
    /// The base's term count (its analytic count where it has one).
    public var termCount: Int { base.termCount }

    /// Terms `(c, r, t, a)` for every term `(r, c, t, a)` of ``base``.
    public func forEachTerm(_ body: (_ row: Int, _ column: Int, _ tap: Int, _ coefficient: Scalar) -> Void) {
        base.forEachTerm { r, c, t, a in body(c, r, t, a) }
    }
}
