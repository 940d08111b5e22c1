import ConvAlgebra
import ConvAlgebraBenchmarking
import Foundation
import Testing

/// `convalgebra bench` through the binary: the single form and the suite form write the contract's JSON,
/// and bad arguments give one `error:` line. (No timing is asserted, only the document's structure.)
@Suite struct BenchTests {
    static func cases(_ path: String) throws -> (threads: Int, cases: [[String: Any]]) {
        let data = try #require(FileManager.default.contents(atPath: path))
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (try #require(doc["threads"] as? Int), try #require(doc["cases"] as? [[String: Any]]))
    }

    @Test(arguments: ["direct", "dense", "sparse", "auto"])
    func singleFormWritesOneCase(form: String) throws {
        let cli = try CLIRunner()
        let r = try cli.run(["bench", "convolve", "--input-shape", "4,64", "--weight-shape", "5", "--mode", "same",
                             "--form", form, "--repeats", "3", "--json", "b.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let (threads, cases) = try Self.cases(cli.path("b.json"))
        #expect(threads >= 1)
        let c = try #require(cases.first)
        #expect(cases.count == 1)
        #expect(c["id"] is NSNull && c["op"] as? String == "convolve" && c["form"] as? String == form)
        #expect(c["input_shape"] as? [Int] == [4, 64] && c["dtype"] as? String == "float32")
        let s = try #require(c["seconds"] as? [String: Double])
        #expect(s["min"]! <= s["median"]! && s["median"]! <= s["max"]!)
        #expect((c["materialise_seconds"] is NSNull) == (form == "direct" || (form == "auto" && (c["note"] as? String ?? "").hasPrefix("direct"))))
        #expect(c["flops"] as? Double == 2.0 * 4 * 64 * 5)
        #expect(c["gflops"] is Double)
    }

    @Test func suiteFormRunsTheSelectedCases() throws {
        let cli = try CLIRunner()
        let r = try cli.run(["bench", "--suite", "v1", "--cases", "mx-fc", "--forms", "direct,dense",
                             "--repeats", "1", "--max-seconds", "0.5", "--json", "s.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let (_, cases) = try Self.cases(cli.path("s.json"))
        #expect(cases.count == 2 * SuiteV1.matrixBatches.count)
        #expect(Set(cases.compactMap { $0["id"] as? String }) == ["mx-fc"])
        #expect(Set(cases.compactMap { $0["form"] as? String }) == ["direct", "dense"])
        // Piped, not a terminal: no progress line on stderr; stdout is the provenance line, the header and one
        // row per result, and the JSON names the version.
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2 + cases.count && lines.first?.hasPrefix("# convalgebra \(ConvAlgebraVersion.string)") == true)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: cli.path("s.json")))) as? [String: Any])
        #expect((doc["provenance"] as? [String: Any])?["convalgebra_version"] as? String == ConvAlgebraVersion.string)
    }

    @Test(arguments: [
        ["bench", "--suite", "v2"],
        ["bench"],
        ["bench", "convolve", "--input-shape", "4,64", "--weight-shape", "5", "--form", "diagonal"],
        ["bench", "convolve", "--input-shape", "4,64", "--weight-shape", "5", "--dtype", "float16"],
        ["bench", "convolve", "--weight-shape", "5"],
        ["bench", "convolve", "--input-shape", "4,64", "--weight-shape", "5", "--repeats", "0"],
        ["bench", "--suite", "v1", "--forms", "fast"],
    ])
    func badArgumentsGiveOneErrorLine(_ arguments: [String]) throws {
        let cli = try CLIRunner()
        let r = try cli.run(arguments)
        #expect(r.status != 0)
        #expect(r.stderrLines.count == 1 && r.stderr.hasPrefix("error: "), "\(r.stderr)")
    }
}
