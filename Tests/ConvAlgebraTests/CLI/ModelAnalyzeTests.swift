import ConvAlgebra
import ConvAlgebraONNX
import Foundation
import Testing
import _TestSupport

/// `convalgebra model analyze` through the built binary: the table, the JSON keys and values against the
/// fixtures, progress on stderr, and one-line errors for bad models and options.
@Suite struct ModelAnalyzeTests {
    @Test func jsonMatchesTheFixtures() throws {
        let cli = try CLIRunner()
        let model = try ONNXFixtures.path("resblock", "onnx")
        let text = try cli.expectSuccess(["model", "analyze", model, "--smallest", "--json", "r.json", "--quiet"])
        #expect(text.contains("/stem/Conv") && text.contains("Lipschitz bound"))
        let doc = try AnalyzeTests.json(cli, "r.json")
        let layers = try #require(doc["layers"] as? [[String: Any]])
        let expected = try ONNXFixtures.layers("resblock")
        #expect(layers.map { $0["name"] as? String ?? "" } == expected.map { $0["name"] as? String ?? "" })
        for (l, e) in zip(layers, expected) {
            #expect(l["op"] as? String == e["op"] as? String)
            #expect(l["input_shape"] as? [Int] == e["input_shape"] as? [Int] && l["output_shape"] as? [Int] == e["output_shape"] as? [Int])
            #expect(l["nnz"] as? Int == e["nnz"] as? Int)
            #expect(ONNXFixtures.relative(try #require(l["spectral_norm"] as? Double), try #require(e["spectral_norm"] as? Double)) < 1e-10)
        }
        let bound = try #require(try ONNXFixtures.expected("resblock")["lipschitz_bound"] as? Double)
        #expect(ONNXFixtures.relative(try #require(doc["lipschitz_bound"] as? Double), bound) < 1e-10)
    }

    @Test func progressGoesToStandardError() throws {
        let cli = try CLIRunner()
        let r = try cli.run(["model", "analyze", try ONNXFixtures.path("generator", "onnx")])
        #expect(r.status == 0)
        #expect(r.stderrLines.count == 4 && r.stderrLines.allSatisfy { $0.hasPrefix("[") })
        #expect(r.stdout.contains("UNEVEN"))
    }

    @Test func badModelsAndOptionsFailWithOneLine() throws {
        let cli = try CLIRunner()
        let bad: [([String], String)] = [
            (["model", "analyze", try ONNXFixtures.path("truncated", "onnx")], "not an ONNX model"),
            (["model", "analyze", try ONNXFixtures.path("external", "onnx")], "external data"),
            (["model", "analyze", try ONNXFixtures.path("unsupported", "onnx")], "Softmax"),
            (["model", "analyze", "missing.onnx"], "missing.onnx"),
            (["model", "analyze", try ONNXFixtures.path("convnet", "onnx"), "--input-shape", "3,8"], "--input-shape"),
            (["model", "analyze", try ONNXFixtures.path("convnet", "onnx"), "--tolerance", "0"], "--tolerance"),
            (["model", "analyze", try ONNXFixtures.path("convnet", "onnx"), "--block-size", "0"], "--block-size"),
            (["model", "analyze", try ONNXFixtures.path("convnet", "onnx"), "--block-size", "4", "--max-basis", "6"], "--max-basis"),
        ]
        for (args, fragment) in bad {
            try cli.expectFailure(args + ["--json", "out.json"], output: "out.json", containing: fragment)
        }
    }

    @Test func exportDirWritesEveryLayersMatrix() throws {
        let cli = try CLIRunner()
        try cli.expectSuccess(["model", "analyze", try ONNXFixtures.path("convnet", "onnx"), "--quiet", "--export-dir", "m",
                               "--json", "c.json"])
        let doc = try AnalyzeTests.json(cli, "c.json")
        let layers = try #require(doc["layers"] as? [[String: Any]])
        for (l, e) in zip(layers, try ONNXFixtures.layers("convnet")) {
            let file = try #require(l["matrix_file"] as? String)
            let m = try NPZ.read(path: cli.path("m/" + file)).matrix(of: Double.self)
            let j = try ONNXFixtures.jacobian(e)
            expectMatricesEqual(try m.dense(), j, rtol: 0, atol: 1e-12 * (j.entries.map(abs).max() ?? 1), file)
        }
        #expect((layers.first?["matrix_file"] as? String) == "00_c1_Conv.npz")
        // A file where the directory should be: one error line.
        try cli.write(bytes: [1], "f")
        try cli.expectFailure(["model", "analyze", try ONNXFixtures.path("convnet", "onnx"), "--export-dir", "f"], containing: "not a directory")
    }

    @Test func skipKeepsGoingWithAnUnknownBound() throws {
        let cli = try CLIRunner()
        let text = try cli.expectSuccess(["model", "analyze", try ONNXFixtures.path("unsupported", "onnx"), "--skip", "--quiet",
                                          "--json", "s.json"])
        #expect(text.contains("skipped: soft (Softmax)"))
        let doc = try AnalyzeTests.json(cli, "s.json")
        #expect(doc["lipschitz_bound_complete"] as? Bool == false && doc["lipschitz_bound"] is NSNull)
    }
}
