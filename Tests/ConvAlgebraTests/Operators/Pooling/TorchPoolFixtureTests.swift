import ConvAlgebra
import Foundation
import Testing

/// PyTorch fixtures for the pooling family, written by `scripts/make_torch_fixtures_pool.py`
/// (torch.nn.functional avg_pool / max_pool with indices and autograd backward / interpolate).
/// A missing manifest or file fails the test; nothing is skipped.
@Suite struct TorchPoolFixtureTests {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let id: String
        let op: String
        let spatial_dims: Int
        let dtype: String
        let files: [String: String]
        let kernel_size: [Int]?
        let stride: [Int]?
        let padding: [Int]?
        let dilation: [Int]?
        let ceil_mode: Bool?
        let count_include_pad: Bool?
        let divisor_override: Int?
        let mode: String?
        let scale: Int?
        var testDescription: String { "\(id) \(dtype)" }
    }
    struct Manifest: Decodable { let cases: [Case] }

    static let directory: URL? = Bundle.module.url(forResource: "Fixtures", withExtension: nil)?
        .appendingPathComponent("torch-pool")

    static func loadCases() -> [Case] {
        guard let dir = directory, let data = try? Data(contentsOf: dir.appendingPathComponent("manifest.json")),
              let m = try? JSONDecoder().decode(Manifest.self, from: data) else { return [] }
        return m.cases
    }
    static let cases = loadCases()

    @Test func manifestIsPresentAndCoversEveryOp() {
        #expect(Self.directory != nil, "the Fixtures resource is missing from the test bundle")
        #expect(!Self.cases.isEmpty, "Fixtures/torch-pool/manifest.json is missing or unreadable: run scripts/make_torch_fixtures_pool.py")
        for op in ["avg_pool", "max_pool", "interpolate"] {
            for d in 1...3 {
                for dtype in ["float32", "float64"] {
                    #expect(Self.cases.contains { $0.op == op && $0.spatial_dims == d && $0.dtype == dtype }, "no \(op) \(d)-D \(dtype) case")
                }
            }
        }
    }

    @Test(arguments: cases)
    func matchesPyTorch(_ c: Case) throws {
        if c.dtype == "float32" { try check(c, Float.self) } else { try check(c, Double.self) }
    }

    func load<S: BLASScalar>(_ c: Case, _ role: String, _: S.Type) throws -> Tensor<S> {
        let dir = try #require(Self.directory)
        let name = try #require(c.files[role], "case \(c.id) has no \(role) file")
        return try NPY.read(path: dir.appendingPathComponent(name).path).tensor(of: S.self, what: "\(c.id) \(role)")
    }

    func check<S: BLASScalar>(_ c: Case, _: S.Type) throws {
        let x = try load(c, "x", S.self), y = try load(c, "y", S.self)
        let dy = try load(c, "dy", S.self), dx = try load(c, "dx", S.self)
        let channels = x.shape.dims[1], spatial = Array(x.shape.dims.dropFirst(2))
        let tol = S.self == Float.self ? 2e-6 : 1e-13
        switch c.op {
        case "avg_pool":
            let op = try AveragePooling<S>(inputShape: [channels] + spatial, kernelSize: c.kernel_size!, stride: c.stride,
                                           padding: c.padding!, ceilMode: c.ceil_mode!, countIncludePad: c.count_include_pad!,
                                           divisorOverride: c.divisor_override)
            for form in Form.allCases {
                let out = try op.apply(x, form: form)
                #expect(out.shape == y.shape)
                #expect(poolMaxError(out.scalars, y.scalars) <= tol, "\(c.id) forward \(form)")
                #expect(poolMaxError(try op.backward(dy, form: form).scalars, dx.scalars) <= tol, "\(c.id) backward \(form)")
            }
        case "max_pool":
            let op = try MaxPooling<S>(inputShape: [channels] + spatial, kernelSize: c.kernel_size!, stride: c.stride,
                                       padding: c.padding!, dilation: c.dilation!, ceilMode: c.ceil_mode!)
            let indices = try load(c, "indices", Double.self)
            let (out, idx) = try op.forward(x)
            #expect(out.shape == y.shape)
            #expect(poolMaxError(out.scalars, y.scalars) == 0, "\(c.id) forward (a max is exact)")
            #expect(idx == indices.scalars.map { Int($0) }, "\(c.id) indices")
            // A dense matrix multiplies its zeros too, and 0·NaN = NaN: with NaN in x the GEMM spreads it to
            // every output of the sample, so the dense forward is compared only on NaN-free inputs.
            let hasNaN = x.scalars.contains { $0.isNaN }
            for form in Form.allCases where !(hasNaN && form == .dense) {
                #expect(poolMaxError(try op.apply(x, form: form).scalars, y.scalars) == 0, "\(c.id) forward \(form)")
            }
            for form in Form.allCases {
                #expect(poolMaxError(try op.backward(dy, at: x, form: form).scalars, dx.scalars) <= tol, "\(c.id) backward \(form)")
            }
        case "interpolate":
            let mode = try #require(UpsamplingMode(rawValue: c.mode ?? ""))
            let op = try Upsampling.make(mode, inputShape: [channels] + spatial, scale: [c.scale!], as: S.self)
            for form in Form.allCases {
                let out = try op.apply(x, form: form)
                #expect(out.shape == y.shape)
                #expect(poolMaxError(out.scalars, y.scalars) <= tol, "\(c.id) forward \(form)")
                #expect(poolMaxError(try op.applyTransposed(dy, form: form).scalars, dx.scalars) <= tol, "\(c.id) backward \(form)")
            }
        default:
            Issue.record("unknown op \(c.op) in case \(c.id)")
        }
    }
}
