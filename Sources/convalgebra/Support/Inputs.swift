import ConvAlgebra

/// Reading the arrays and the small values that several subcommands share.
enum Inputs {
    /// A `.npy` file named by an option; `what` names it in dtype errors (`W ('w.npy')`).
    struct Array: Sendable {
        var path: String
        var what: String
        var value: NPYArray

        /// The array as `S`, the input's dtype; with `cast` (apply's `--dtype`), converted to `S` when it has the
        /// other dtype, as NumPy's `astype` converts (float64 → float32 rounds to nearest).
        /// - Throws: naming both dtypes when they differ and `cast` is false (with `castHint`, the message says
        ///   how to cast); a memory-budget error for the converted copy.
        func tensor<S: BLASScalar>(_: S.Type, cast: Bool = false, castHint: Bool = false) throws -> Tensor<S> {
            switch (value, cast) {
            case (.float32(let t), true): return try Inputs.converted(t, to: S.self, what: what)
            case (.float64(let t), true): return try Inputs.converted(t, to: S.self, what: what)
            default:
                do { return try value.tensor(of: S.self, what: "\(what) ('\(path)')") } catch let ConvAlgebraError.invalidArgument(m) where castHint {
                    throw ConvAlgebraError.invalidArgument(m + "; pass --dtype float32 or --dtype float64 to cast X, W and B to one dtype")
                }
            }
        }
    }

    static func read(_ path: String?, what: String) throws -> Array? {
        guard let path else { return nil }
        return Array(path: path, what: what, value: try NPY.read(path: path))
    }

    /// `t` as a tensor of `S`: itself when it already is one, else each scalar converted (budgeted first).
    static func converted<A: BLASScalar, S: BLASScalar>(_ t: Tensor<A>, to _: S.Type, what: String) throws -> Tensor<S> {
        if let same = t as? Tensor<S> { return same }
        try MemoryBudget.default.check("\(what) cast to \(NPY.dtypeName(of: S.self))", count: t.shape.count,
                                       elementBytes: MemoryLayout<S>.stride)
        return try Tensor(shape: t.shape, scalars: t.scalars.map { S($0) })
    }

    /// `--dtype float32|float64`.
    static func dtype(_ text: String) throws -> String {
        guard ["float32", "float64"].contains(text) else {
            throw ConvAlgebraError.invalidArgument("unknown dtype '\(text)' (known: float32, float64)")
        }
        return text
    }

    /// `--form direct|dense|sparse`.
    static func form(_ text: String) throws -> Form {
        guard let f = Form(rawValue: text) else {
            throw ConvAlgebraError.invalidArgument(
                "unknown form '\(text)' (known: \(Form.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return f
    }

    /// Whether a tensor's trailing extents are `sample` (so that it is a batch of such samples).
    static func endsIn(_ shape: Shape, _ sample: Shape) -> Bool {
        shape.rank >= sample.rank && Swift.Array(shape.dims.suffix(sample.rank)) == sample.dims
    }

    /// A dtype of the `.npy` files, as `--dtype` spells it.
    enum DType: String, CaseIterable { case float32, float64 }

    /// The dtype of a command whose values come from `arrays` (the first one given fixes it), else from
    /// `--dtype`, else float32.
    /// - Throws: ``ConvAlgebraError/invalidArgument(_:)`` for an unknown `--dtype` or one the arrays contradict.
    static func dtype(given: String?, arrays: [Array?]) throws -> DType {
        let fixed = arrays.compactMap { $0 }.first.map { a -> (DType, Array) in
            switch a.value { case .float32: return (.float32, a); case .float64: return (.float64, a) }
        }
        guard let given else { return fixed?.0 ?? .float32 }
        guard let d = DType(rawValue: given) else {
            throw ConvAlgebraError.invalidArgument("unknown dtype '\(given)' (known: float32, float64)")
        }
        if let (f, a) = fixed, f != d {
            throw ConvAlgebraError.invalidArgument("--dtype \(given) contradicts \(a.what) ('\(a.path)'), which is \(f.rawValue)")
        }
        return d
    }

    /// The sample of `--input` as a batch of one (the op builders read an input as a batch): the file holds one
    /// sample of `domain` or a batch of one; nil when no input was given.
    /// - Throws: ``ConvAlgebraError/shapeMismatch(_:)`` for another shape; a dtype error as ``Array/tensor(_:)``.
    static func oneSample<S: BLASScalar>(_ x: Array?, of domain: Shape, as _: S.Type) throws -> Tensor<S>? {
        guard let given = try x?.tensor(S.self) else { return nil }
        guard given.shape == domain || given.shape.dims == [1] + domain.dims else {
            throw ConvAlgebraError.shapeMismatch(
                "--input must hold one sample of the domain \(domain) (or a batch of one), got shape \(given.shape)")
        }
        return try Tensor(shape: try Shape([1] + domain.dims), scalars: given.scalars)
    }
}
