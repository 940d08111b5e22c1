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
}
