import ConvAlgebra
import Foundation
import Testing

/// PyTorch fixtures for `F.interpolate(x, size=L, mode=…, align_corners=False)` and its backward, written by
/// `scripts/make_torch_fixtures_resize.py`. A missing manifest or file fails the test; nothing is skipped.
@Suite struct TorchResizeFixtureTests {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let id: String
        let mode: String
        let torch_mode: String
        let input_size: [Int]
        let size: [Int]
        let dtype: String
        let files: [String: String]
        var testDescription: String { "\(id) \(dtype)" }
    }
    static let set = FixtureSet<Case>(name: "torch-resize")
    static let directory = set.directory
    static let cases = set.cases

    @Test func manifestCoversEveryModeAndRank() {
        #expect(!Self.cases.isEmpty, "Fixtures/torch-resize/manifest.json is missing: run scripts/make_torch_fixtures_resize.py")
        for d in 1...3 {
            for mode in ["nearest", "linear"] {
                #expect(Self.cases.contains { $0.input_size.count == d && $0.mode == mode && $0.size != $0.input_size }, "no \(mode) \(d)-D case")
            }
        }
    }

    @Test(arguments: cases)
    func matchesPyTorch(_ c: Case) throws {
        if c.dtype == "float32" { try check(c, Float.self) } else { try check(c, Double.self) }
    }

    func load<S: BLASScalar>(_ c: Case, _ role: String, _: S.Type) throws -> Tensor<S> {
        try Self.set.tensor(c.files, role, id: c.id, S.self)
    }

    func check<S: BLASScalar>(_ c: Case, _: S.Type) throws {
        let x = try load(c, "x", S.self), y = try load(c, "y", S.self)
        let dy = try load(c, "dy", S.self), dx = try load(c, "dx", S.self)
        let shape = Array(x.shape.dims.dropFirst())
        // PyTorch's own mode name (bilinear, trilinear), which checks the rank, and the general one.
        let modes = [try #require(UpsamplingMode(rawValue: c.torch_mode)), try #require(UpsamplingMode(rawValue: c.mode))]
        var ops = try modes.map { try Upsampling.make($0, inputShape: shape, size: c.size, as: S.self) }
        if c.mode == "nearest" { ops.append(try NearestResize<S>(inputShape: shape, size: c.size)) }
        let tol: S = S.self == Float.self ? 2e-6 : 1e-13
        for op in ops {
            for form in Form.allCases {
                let out = try op.apply(x, form: form)
                #expect(out.shape == y.shape, "\(c.id) \(type(of: op)) shape")
                #expect(maxError(out.scalars, y.scalars) <= tol, "\(c.id) \(type(of: op)) forward \(form)")
                #expect(maxError(try op.anyTransposed.apply(dy, form: form).scalars, dx.scalars) <= tol,
                        "\(c.id) \(type(of: op)) backward \(form)")
            }
        }
    }

    func maxError<S: BLASScalar>(_ a: [S], _ b: [S]) -> S {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }
}
