import ConvAlgebra
import Foundation
import Testing

/// PyTorch fixtures for conv1d/2d/3d and conv_transpose1d/2d/3d, written by
/// `scripts/make_torch_fixtures_conv.py` (torch.nn.functional, nn.ConvNd for the padding modes, F.pad for
/// asymmetric padding, autograd for dx, dW, db). A missing manifest or file fails; nothing is skipped.
@Suite struct ConvolutionLayerFixtureTests {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let id: String
        let op: String
        let spatial_dims: Int
        let dtype: String
        let files: [String: String]
        let stride: [Int]
        let dilation: [Int]
        let groups: Int
        let bias: Bool
        let padding: [Int]?
        let padding_word: String?
        let padding_mode: String?
        let output_padding: [Int]?
        var testDescription: String { "\(id) \(dtype)" }
    }
    struct Manifest: Decodable { let cases: [Case] }

    static let directory: URL? = Bundle.module.url(forResource: "Fixtures", withExtension: nil)?
        .appendingPathComponent("torch-conv")

    static func loadCases() -> [Case] {
        guard let dir = directory, let data = try? Data(contentsOf: dir.appendingPathComponent("manifest.json")),
              let m = try? JSONDecoder().decode(Manifest.self, from: data) else { return [] }
        return m.cases
    }
    static let cases = loadCases()

    @Test func manifestIsPresentAndCoversEveryOption() {
        #expect(Self.directory != nil, "the Fixtures resource is missing from the test bundle")
        #expect(!Self.cases.isEmpty, "Fixtures/torch-conv/manifest.json is missing or unreadable: run scripts/make_torch_fixtures_conv.py")
        for op in ["conv", "conv_transpose"] {
            for d in 1...3 {
                for dtype in ["float32", "float64"] {
                    #expect(Self.cases.contains { $0.op == op && $0.spatial_dims == d && $0.dtype == dtype }, "no \(op) \(d)-D \(dtype) case")
                }
            }
        }
        let conv = Self.cases.filter { $0.op == "conv" }
        for mode in PaddingMode.allCases {
            #expect(conv.contains { $0.padding_mode == mode.rawValue }, "no \(mode) padding case")
        }
        #expect(conv.contains { $0.padding_word == "same" } && conv.contains { $0.padding_word == "valid" })
        #expect(conv.contains { ($0.padding?.count ?? 0) == 2 * $0.spatial_dims }, "no asymmetric padding case")
        #expect(Self.cases.contains { $0.groups > 1 } && Self.cases.contains { !$0.bias })
        #expect(Self.cases.contains { $0.stride.contains { $0 > 1 } } && Self.cases.contains { $0.dilation.contains { $0 > 1 } })
        #expect(Self.cases.contains { ($0.output_padding ?? []).contains { $0 > 0 } })
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
        let x = try load(c, "x", S.self), w = try load(c, "w", S.self), y = try load(c, "y", S.self)
        let dy = try load(c, "dy", S.self), dx = try load(c, "dx", S.self), dw = try load(c, "dw", S.self)
        let b = c.bias ? try load(c, "b", S.self) : nil
        let db = c.bias ? try load(c, "db", S.self).scalars : nil
        let sample = Array(x.shape.dims.dropFirst())
        let tol = S.self == Float.self ? 2e-5 : 1e-12
        let forward: (Form) throws -> Tensor<S>
        let backward: (Form) throws -> LayerGradients<S>
        if c.op == "conv" {
            let padding: LayerPadding = switch c.padding_word {
            case "same": .same
            case "valid": .valid
            default: try LayerPadding.parse(try #require(c.padding), rank: c.spatial_dims)
            }
            let mode = try #require(PaddingMode(rawValue: c.padding_mode ?? "zeros"))
            let layer = try ConvolutionLayer<S>(inputShape: sample, weight: w, bias: b, stride: c.stride, padding: padding,
                                                dilation: c.dilation, groups: c.groups, paddingMode: mode)
            forward = { try layer.forward(x, form: $0) }
            backward = { try layer.backward(input: x, outputGradient: dy, form: $0) }
        } else {
            let layer = try TransposedConvolutionLayer<S>(inputShape: sample, weight: w, bias: b, stride: c.stride,
                                                          padding: .symmetric(try #require(c.padding)),
                                                          outputPadding: try #require(c.output_padding),
                                                          dilation: c.dilation, groups: c.groups)
            forward = { try layer.forward(x, form: $0) }
            backward = { try layer.backward(input: x, outputGradient: dy, form: $0) }
        }
        for form in Form.allCases {
            let out = try forward(form)
            #expect(out.shape == y.shape, "\(c.id) output shape")
            expectClose(out.scalars, y.scalars, tol: tol, "\(c.id) forward \(form)")
            let g = try backward(form)
            expectClose(g.input.scalars, dx.scalars, tol: tol, "\(c.id) dx \(form)")
            expectClose(g.weight.scalars, dw.scalars, tol: tol, "\(c.id) dW \(form)")
            #expect(g.weight.shape == dw.shape)
            if let db { expectClose(try #require(g.bias).scalars, db, tol: tol, "\(c.id) db \(form)") } else { #expect(g.bias == nil) }
        }
    }
}
