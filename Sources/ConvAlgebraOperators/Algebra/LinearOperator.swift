import ConvAlgebraCore
import ConvAlgebraBackends
import ConvAlgebraKernels
import ConvAlgebraMatrices

/// A linear map between the samples of two shapes, with a literal transpose.
///
/// The one primitive an operator writes is ``applyUnchecked(_:_:batch:)``: the direct,
/// matrix-free form applied to a contiguous batch. Its transpose is a value of a named type
/// (``Downsample/transposed`` is an ``Upsample``; a ``Convolution``'s is a
/// ``TransposedConvolution``), and transposing twice gives back the operator itself.
///
/// Materialisation (``dense(budget:)``, ``sparse(budget:)``, ``symbolic()``) comes for free to any
/// ``StencilOperator``; composites (``Composed``) build theirs from their factors.
public protocol LinearOperator<Scalar>: Sendable {
    associatedtype Scalar: BLASScalar
    associatedtype Transpose: LinearOperator where Transpose.Scalar == Scalar, Transpose.Transpose == Self

    /// The shape of one input sample.
    var domain: Shape { get }
    /// The shape of one output sample.
    var codomain: Shape { get }
    /// The transpose `Aᵀ`: domain and codomain swapped, `⟨A x, y⟩ = ⟨x, Aᵀ y⟩`.
    var transposed: Transpose { get }

    /// The direct form: `y_b = A x_b` for `batch` samples stored one after another.
    ///
    /// Unchecked: `x` holds `batch · domain.count` scalars and `y` room for `batch · codomain.count`.
    /// Every output element is written. Public entry points check sizes, then call this.
    func applyUnchecked(_ x: UnsafePointer<Scalar>, _ y: UnsafeMutablePointer<Scalar>, batch: Int)

    /// The CSR matrix of the operator for one sample (`codomain.count × domain.count`).
    func sparse(budget: MemoryBudget) throws -> CSRMatrix<Scalar>

    /// The dense matrix of the operator for one sample, refused when over `budget`.
    func dense(budget: MemoryBudget) throws -> DenseMatrix<Scalar>

    /// The matrix with entries as linear forms in the kernel taps (`q0+q1`, …).
    func symbolic() throws -> SymbolicMatrix

    /// Where the operator keeps its plans (``PlanCache``): the direct form's kernel plan, and the dense and
    /// sparse matrices ``apply(_:form:budget:)`` materialises, each built once. `nil` (the default) for an
    /// operator that keeps none, whose dense and sparse forms are materialised on every call.
    var planCache: PlanCache? { get }
}

/// How an operator is applied to a batch: one of the three forms, or `auto` to have one picked.
///
/// The one form enum of the package: the library's `apply`, the layers, the CLI's `--form` and the
/// benchmarks (`direct|dense|sparse|auto`, written by its raw value into the bench JSON) all take it.
///
/// `auto` is resolved by whoever holds the information to choose. ``FormChooser`` (ConvAlgebraPlanning)
/// weighs the three forms with the machine's rates and the kernel plans for a matrix built once and
/// applied many times; the benchmark runner and the CLI ask it. This layer cannot import Planning (its
/// imports only point down), so ``LinearOperator/apply(_:form:budget:)`` resolves `auto` with the one rule
/// it can state without a cost model, ``LinearOperator/resolved(_:)``: the direct form, because `apply`
/// materialises the dense and sparse matrices afresh on every call, so in one call those forms pay a build
/// of at least one pass over every entry (`m·n` for dense) and its memory on top of the product, while the
/// direct form needs neither. A caller that keeps a materialised matrix should choose with ``FormChooser``.
public enum Form: String, CaseIterable, Sendable {
    /// Matrix-free loops.
    case direct
    /// One GEMM with the materialised dense matrix.
    case dense
    /// One CSR-times-dense product with the materialised sparse matrix.
    case sparse
    /// Not a form of its own: a request to pick one of the three (see the type's discussion).
    case auto

    /// The three forms an operator is applied in (everything but ``auto``).
    public static let concrete: [Form] = [.direct, .dense, .sparse]
}

/// The key of a materialised form in an operator's ``PlanCache``: the form and the operator's type (a
/// convolution and its transpose share one cache, and their matrices differ).
private struct MaterialisedForm: Hashable, Sendable {
    let form: Form
    let operatorType: ObjectIdentifier
}

extension LinearOperator {
    public var planCache: PlanCache? { nil }

    /// The matrix of `form`, built by `make` once per operator that keeps a ``planCache`` (the budget was
    /// checked when it was built), else built now.
    func materialised<Matrix: Sendable>(_ form: Form, _ make: () throws -> Matrix) throws -> Matrix {
        guard let cache = planCache else { return try make() }
        return try cache.plan(for: MaterialisedForm(form: form, operatorType: ObjectIdentifier(Self.self)), make)
    }

    /// Keeps `matrix` as the operator's materialised `form` (a planner installing the dense kernel it measured
    /// fastest); nothing happens for an operator without a ``planCache``.
    package func installMaterialised<Matrix: Sendable>(_ form: Form, _ matrix: Matrix) {
        planCache?.replace(matrix, for: MaterialisedForm(form: form, operatorType: ObjectIdentifier(Self.self)))
    }
}

extension LinearOperator {
    /// The transpose as an existential, for code that holds operators of mixed types.
    public var anyTransposed: any LinearOperator<Scalar> { transposed }

    /// The dense matrix under the default memory budget (half the physical memory).
    public func dense() throws -> DenseMatrix<Scalar> { try dense(budget: .default) }

    /// The CSR matrix under the default memory budget.
    public func sparse() throws -> CSRMatrix<Scalar> { try sparse(budget: .default) }

    /// The matrix size `(rows, columns)` = `(codomain.count, domain.count)`.
    public var matrixSize: (rows: Int, columns: Int) { (codomain.count, domain.count) }

    /// `form` itself, or for ``Form/auto`` the form this layer picks without a cost model: ``Form/direct``
    /// (the reason is in ``Form``'s discussion).
    public func resolved(_ form: Form) -> Form { form == .auto ? .direct : form }

    /// Applies the operator to every sample of `x` in the chosen form.
    ///
    /// `x` has shape `batch dims + domain` (any number of leading batch extents); the result has shape
    /// `batch dims + codomain`. The dense and sparse forms materialise the operator for one sample,
    /// then apply it to the whole batch at once; ``Form/auto`` runs the form ``resolved(_:)`` picks.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `x` does not end in `domain`;
    ///   a memory-budget error when the output, the direct form's intermediates or a materialisation is refused,
    ///   whose `what` ends with the other forms that fit the budget and their bytes, or says that none is known to
    ///   (from the sizes each form's checks compare; nothing is built to find out).
    public func apply(_ x: Tensor<Scalar>, form: Form = .direct, budget: MemoryBudget = .default) throws -> Tensor<Scalar> {
        let batch = try x.batchCount(sampleShape: domain)
        do { return try applyChecked(x, form: form, batch: batch, budget: budget) } catch let ConvAlgebraError.exceedsMemoryBudget(what, bytes, limit) {
            // The forms that would fit instead, from the sizes their own checks compare (none is built to find out).
            throw ConvAlgebraError.exceedsMemoryBudget(what: "\(what) (\(budgetHint(refused: form, batch: batch, budget: budget)))",
                                                       bytes: bytes, budget: limit)
        }
    }

    /// ``apply(_:form:budget:)`` once the batch is known: each allocation budgeted, then made.
    private func applyChecked(_ x: Tensor<Scalar>, form: Form, batch: Int, budget: MemoryBudget) throws -> Tensor<Scalar> {
        let leading = Array(x.shape.dims.dropLast(domain.rank))
        let outShape = try Shape(leading + codomain.dims)
        try budget.check("the output \(outShape)", count: outShape.count, elementBytes: MemoryLayout<Scalar>.stride)
        var y = Tensor<Scalar>(shape: outShape)
        guard outShape.count > 0 else { return y }
        switch resolved(form) {
        case .direct, .auto:
            if let chain = self as? Composed<Scalar> {  // its intermediates, budgeted before they are allocated
                try budget.check("the intermediate results of the direct form", count: chain.scratchCount(batch: batch),
                                 elementBytes: MemoryLayout<Scalar>.stride)
            }
            x.scalars.withUnsafeBufferPointer { xp in
                y.scalars.withUnsafeMutableBufferPointer { yp in
                    applyUnchecked(xp.baseAddress ?? UnsafePointer(bitPattern: 8)!, yp.baseAddress!, batch: batch)
                }
            }
        case .dense, .sparse:
            // The materialised matrix (built once where the operator keeps a plan cache), one product for the
            // batch, then the samples holding NaN or ±∞ again in the direct form (one semantics for every form).
            let product: (UnsafePointer<Scalar>, UnsafeMutablePointer<Scalar>, Int) -> Void
            if form == .dense {
                let a = try materialised(.dense) { try DenseBatchProduct(dense(budget: budget), budget: budget) }
                product = { a.applyUnchecked($0, $1, batch: $2) }
            } else {
                let a = try materialised(.sparse) { try sparse(budget: budget) }
                product = { a.applyUnchecked($0, $1, batch: $2) }
            }
            x.scalars.withUnsafeBufferPointer { xp in
                y.scalars.withUnsafeMutableBufferPointer { yp in
                    let (xb, yb) = (xp.baseAddress ?? UnsafePointer(bitPattern: 8)!, yp.baseAddress!)
                    product(xb, yb, batch)
                    recomputeNonFiniteSamplesDirectly(xb, yb, batch: batch)
                }
            }
        }
        return y
    }

    /// Applies the transpose, `Aᵀ y`, in the chosen form (the dense and sparse forms use the literal
    /// transpose of the materialised matrix).
    public func applyTransposed(_ y: Tensor<Scalar>, form: Form = .direct, budget: MemoryBudget = .default) throws -> Tensor<Scalar> {
        try transposed.apply(y, form: form, budget: budget)
    }

    /// The gradient with respect to the input of `y = A x`, given the output gradient `dy`: `dx = Aᵀ dy`
    /// (``applyTransposed(_:form:budget:)``). For average pooling this is PyTorch's `avg_pool_backward`, for
    /// nearest up-sampling the `k`-box sums, for linear interpolation `upsample_linear`'s backward.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` when `dy` does not end in ``codomain``; a memory-budget
    ///   error when materialising is refused.
    public func backward(_ dy: Tensor<Scalar>, form: Form = .direct, budget: MemoryBudget = .default) throws -> Tensor<Scalar> {
        try applyTransposed(dy, form: form, budget: budget)
    }
}
