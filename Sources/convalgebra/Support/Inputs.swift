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
}
