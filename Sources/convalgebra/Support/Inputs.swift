import ConvAlgebra

/// Reading the arrays and the small values that several subcommands share.
enum Inputs {
    /// A `.npy` file named by an option; `what` names it in dtype errors (`W ('w.npy')`).
    struct Array: Sendable {
        var path: String
        var what: String
        var value: NPYArray

        /// The array as `S`, the input's dtype. - Throws: naming both dtypes when they differ.
        func tensor<S: BLASScalar>(_: S.Type) throws -> Tensor<S> {
            try value.tensor(of: S.self, what: "\(what) ('\(path)')")
        }
    }

    static func read(_ path: String?, what: String) throws -> Array? {
        guard let path else { return nil }
        return Array(path: path, what: what, value: try NPY.read(path: path))
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
