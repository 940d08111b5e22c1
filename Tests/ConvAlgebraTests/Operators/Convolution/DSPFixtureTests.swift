import ConvAlgebra
import Foundation
import Testing
import _TestSupport

/// NumPy fixtures for the DSP operators, written by `scripts/make_fixtures.py` (`make fixtures`):
/// `numpy.convolve` in every mode with stride and dilation, circular by `CLI.md`'s formula, `↓k` with a
/// phase, `↑k`, `q * (↑k x)`, `numpy.repeat`, and `Aᵀ y` from a matrix built explicitly in NumPy.
/// A missing manifest or file fails the test; nothing is skipped.
@Suite struct DSPFixtureTests {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let id: String
        let op: String
        let dtype: String
        let files: [String: String]
        let n: Int
        let K: Int?
        let mode: String?
        let stride: Int?
        let dilation: Int?
        let factor: Int?
        let phase: Int?
        var testDescription: String { "\(id) \(dtype)" }
    }

    struct Manifest: Decodable { let cases: [Case] }

    static let directory: URL? = Bundle.module.url(forResource: "Fixtures", withExtension: nil)?
        .appendingPathComponent("dsp")

    /// The cases of the manifest, or none when it cannot be read (``manifestIsPresentAndComplete()`` then fails).
    static let cases: [Case] = {
        guard let dir = directory, let data = try? Data(contentsOf: dir.appendingPathComponent("manifest.json")),
              let m = try? JSONDecoder().decode(Manifest.self, from: data) else { return [] }
        return m.cases
    }()

    static let ops = ["convolve", "downsample", "upsample_zeros", "nearest_upsample", "transposed_convolution", "convolve_transpose"]

    @Test func manifestIsPresentAndComplete() throws {
        let dir = try #require(Self.directory, "the Fixtures resource is missing from the test bundle")
        try #require(!Self.cases.isEmpty, "Fixtures/dsp/manifest.json is missing or unreadable: run `make fixtures`")
        for op in Self.ops {
            for dtype in ["float32", "float64"] {
                #expect(Self.cases.contains { $0.op == op && $0.dtype == dtype }, "no \(op) \(dtype) case")
            }
        }
        for mode in ConvolutionMode.allCases {
            for op in ["convolve", "transposed_convolution", "convolve_transpose"] {
                #expect(Self.cases.contains { $0.op == op && $0.mode == mode.rawValue }, "no \(op) \(mode) case")
            }
            #expect(Self.cases.contains { $0.op == "convolve" && $0.mode == mode.rawValue && ($0.stride ?? 1) > 1 && ($0.dilation ?? 1) > 1 },
                    "no strided and dilated \(mode) case")
        }
        #expect(Self.cases.contains { $0.op == "convolve" && ($0.K ?? 0) > $0.n }, "no case with a kernel longer than the input")
        #expect(Self.cases.contains { $0.op == "convolve" && ($0.K ?? 1) % 2 == 0 }, "no even kernel")
        for c in Self.cases {
            for (role, name) in c.files {
                #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path), "\(c.id): \(role) file \(name) is missing")
            }
        }
    }

    @Test(arguments: cases)
    func matchesNumPy(_ c: Case) throws {
        switch c.dtype {
        case "float32": try check(c, Float.self)
        case "float64": try check(c, Double.self)
        default: Issue.record("\(c.id): unknown dtype \(c.dtype)")
        }
    }

    private func load<S: BLASScalar>(_ c: Case, _ role: String, _: S.Type) throws -> Tensor<S> {
        let dir = try #require(Self.directory)
        let name = try #require(c.files[role], "case \(c.id) has no \(role) file")
        return try NPY.read(path: dir.appendingPathComponent(name).path).tensor(of: S.self, what: "\(c.id) \(role)")
    }

    private func mode(_ c: Case) throws -> ConvolutionMode {
        try #require(ConvolutionMode(rawValue: c.mode ?? ""), "\(c.id): unknown mode \(c.mode ?? "none")")
    }

    /// Applies `op` in every form and compares with the expected output, shapes included.
    private func expectMatches<Op: LinearOperator>(_ op: Op, _ x: Tensor<Op.Scalar>, _ y: Tensor<Op.Scalar>, _ c: Case,
                                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        for form in Form.allCases {
            expectTensorsClose(try op.apply(x, form: form, budget: .unlimited), y, "\(c.id) \(c.dtype) \(form)",
                               sourceLocation: sourceLocation)
        }
    }

    private func check<S: BLASScalar>(_ c: Case, _: S.Type) throws {
        switch c.op {
        case "convolve":
            let x = try load(c, "x", S.self), q = try load(c, "q", S.self), y = try load(c, "y", S.self)
            let op = try Convolution(kernel: q.scalars, inputLength: c.n, mode: mode(c), stride: c.stride ?? 1,
                                     dilation: c.dilation ?? 1)
            try expectMatches(op, x, y, c)
        case "downsample":
            let x = try load(c, "x", S.self), y = try load(c, "y", S.self)
            try expectMatches(try Downsample<S>(factor: #require(c.factor), phase: c.phase ?? 0, inputLength: c.n), x, y, c)
        case "upsample_zeros":
            let x = try load(c, "x", S.self), y = try load(c, "y", S.self)
            try expectMatches(try Upsample<S>(factor: #require(c.factor), inputLength: c.n), x, y, c)
        case "nearest_upsample":
            let x = try load(c, "x", S.self), y = try load(c, "y", S.self)
            try expectMatches(try TransposedConvolution<S>.nearestNeighbourUpsampling(factor: #require(c.factor), inputLength: c.n),
                              x, y, c)
        case "transposed_convolution":
            let x = try load(c, "x", S.self), q = try load(c, "q", S.self), y = try load(c, "y", S.self)
            let op = try TransposedConvolution(kernel: q.scalars, stride: #require(c.stride), inputLength: c.n, mode: mode(c),
                                               dilation: c.dilation ?? 1)
            try expectMatches(op, x, y, c)
        case "convolve_transpose":
            let y = try load(c, "y", S.self), q = try load(c, "q", S.self), x = try load(c, "x", S.self)
            let a = try load(c, "matrix", S.self)
            let conv = try Convolution(kernel: q.scalars, inputLength: c.n, mode: mode(c), stride: c.stride ?? 1,
                                       dilation: c.dilation ?? 1)
            // The operator's matrix is NumPy's, entry for entry (up to the rounding of the sums of wrapped taps).
            let dense = try conv.dense(budget: .unlimited)
            #expect(a.shape.dims == [dense.rows, dense.columns], "\(c.id): matrix shape")
            expectAllClose(dense.entries, a.scalars, "\(c.id) \(c.dtype): the dense matrix vs NumPy's A")
            try expectMatches(conv.transposed, y, x, c)
            for form in Form.allCases {
                expectTensorsClose(try conv.applyTransposed(y, form: form, budget: .unlimited), x, "\(c.id) applyTransposed \(form)")
            }
        default:
            Issue.record("\(c.id): unknown op \(c.op)")
        }
    }
}
