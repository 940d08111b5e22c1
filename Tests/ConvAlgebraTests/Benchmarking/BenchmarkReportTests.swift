@testable import ConvAlgebraBenchmarking
import ConvAlgebra
import Foundation
import Testing

/// The report's JSON read back by Foundation's parser (an independent reader of the format): the contract's
/// keys and values, `null` for what is absent or not finite, and strings that survive any character; the
/// table has one line per result.
@Suite struct BenchmarkReportTests {
    static func result(id: String?, form: BenchmarkForm, median: Double, materialise: Double?, entries: Int?,
                       note: String?) -> BenchmarkResult {
        BenchmarkResult(id: id, suite: "C", op: "conv", form: form, inputShape: [8, 3, 16], dtype: "float64", min: median * 0.9,
                        median: median, max: median * 1.5, repeats: 5, materialiseSeconds: materialise, storedEntries: entries,
                        flops: 4e6, note: note)
    }

    static func parse(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func jsonCarriesTheContractsFields() throws {
        var transposed = Self.result(id: nil, form: .direct, median: 2e-3, materialise: nil, entries: nil, note: "kernel \"x\"")
        transposed.forwardConvolutionSeconds = 1e-3
        let results = [Self.result(id: "mx-2d", form: .sparse, median: 1e-3, materialise: 0.5, entries: 1000, note: nil), transposed]
        let doc = try Self.parse(BenchmarkReport.json(results, threads: 4, peakGFLOPs: 80.5))
        #expect(doc["threads"] as? Int == 4 && doc["peak_gflops"] as? Double == 80.5)
        let cases = try #require(doc["cases"] as? [[String: Any]])
        #expect(cases.count == 2)
        let a = cases[0], b = cases[1]
        #expect(a["id"] as? String == "mx-2d" && b["id"] is NSNull)
        #expect(a["form"] as? String == "sparse" && a["dtype"] as? String == "float64" && a["op"] as? String == "conv")
        #expect(a["input_shape"] as? [Int] == [8, 3, 16] && a["repeats"] as? Int == 5)
        let seconds = try #require(a["seconds"] as? [String: Double])
        // Foundation's parser on Linux may be one ulp off on long decimals: compare within rounding.
        func close(_ x: Double?, _ y: Double) -> Bool { x.map { abs($0 - y) <= 1e-15 * abs(y) } ?? false }
        #expect(close(seconds["min"], 1e-3 * 0.9) && close(seconds["median"], 1e-3) && close(seconds["max"], 1e-3 * 1.5))
        #expect(a["materialise_seconds"] as? Double == 0.5 && a["stored_entries"] as? Int == 1000)
        #expect(a["materialise_entries_per_second"] as? Double == 2000)
        #expect(close(a["gflops"] as? Double, 4e6 / 1e-3 / 1e9))
        #expect(b["materialise_seconds"] is NSNull && b["materialise_entries_per_second"] is NSNull)
        #expect(b["note"] as? String == "kernel \"x\"" && b["forward_conv_seconds"] as? Double == 1e-3)
        #expect(try Self.parse(BenchmarkReport.json([], threads: 1))["peak_gflops"] == nil)
    }

    @Test(arguments: ["plain", "quote \" and \\ backslash", "line\nbreak", "tab\tand \u{1} control", "ünïcödé ↑2"])
    func stringsSurviveTheRoundTrip(text: String) throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(JSONText.string(text).utf8), options: .fragmentsAllowed)
        #expect(parsed as? String == text)
    }

    @Test func nonFiniteNumbersAreNull() throws {
        #expect(JSONText.number(.infinity) == "null" && JSONText.number(.nan) == "null")
        let r = Self.result(id: "x", form: .dense, median: .infinity, materialise: .nan, entries: 3, note: nil)
        let c = try #require((try Self.parse(BenchmarkReport.json([r], threads: 1))["cases"] as? [[String: Any]])?.first)
        #expect((c["seconds"] as? [String: Any])?["median"] is NSNull && c["materialise_seconds"] is NSNull)
    }

    @Test func tableHasAHeaderAndOneLinePerResult() {
        let results = (1...3).map { Self.result(id: "c\($0)", form: .dense, median: Double($0) * 1e-3, materialise: nil, entries: nil, note: "n\($0)") }
        let lines = BenchmarkReport.table(results).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].contains("median ms") && lines[0].contains("GFLOP/s"))
        for (i, line) in lines.dropFirst().enumerated() {
            #expect(line.hasPrefix("c\(i + 1)") && line.contains("\(i + 1).000") && line.contains("n\(i + 1)"))
        }
    }

    @Test func fixedPointNumbersHaveTheirDigits() {
        #expect(BenchmarkReport.fixed(1.5, 3) == "1.500")
        #expect(BenchmarkReport.fixed(2.0, 2) == "2.00")
        #expect(BenchmarkReport.fixed(0.12345, 2) == "0.12")
        #expect(BenchmarkReport.fixed(.infinity, 2) == "-")
        #expect(BenchmarkReport.pad("ab", 4) == "ab  " && BenchmarkReport.lpad("ab", 4) == "  ab")
        #expect(BenchmarkReport.pad("abcd", 3) == "abcd ")
    }
}

/// The provenance a report carries: read back by Foundation's parser, every field as given.
@Suite struct BenchmarkProvenanceTests {
    @Test func jsonNamesTheBuildAndTheMachine() throws {
        let p = BenchmarkProvenance(version: "9.8.7", commit: "abc\"def", blas: "OpenBLAS 0.3.21 Zen", blasVersion: "0.3.21",
                                    machine: .current)
        let doc = try BenchmarkReportTests.parse(BenchmarkReport.json([], threads: 2, provenance: p))
        let o = try #require(doc["provenance"] as? [String: Any])
        #expect(o["convalgebra_version"] as? String == "9.8.7" && o["commit"] as? String == "abc\"def")
        #expect(o["openblas"] as? String == "OpenBLAS 0.3.21 Zen" && o["openblas_version"] as? String == "0.3.21")
        let m = try #require(o["machine"] as? [String: Any])
        #expect(m["cpu_model"] as? String == MachineProfile.current.cpuModel)
        #expect(m["threads"] as? Int == MachineProfile.current.threads)
        #expect(m["isa"] as? [String] == MachineProfile.current.isa.names)
        #expect(m["l1d"] as? Int == MachineProfile.current.caches.l1d.bytes)
        #expect(p.summary.hasPrefix("convalgebra 9.8.7 (abc\"def), OpenBLAS 0.3.21, "))
        #expect(o["commit_source"] is NSNull)
        let built = BenchmarkProvenance(version: "9.8.7", commit: String(repeating: "ab", count: 20) + "-dirty", commitSource: .build,
                                        blas: "OpenBLAS 0.3.21 Zen", blasVersion: "0.3.21", machine: .current)
        let b = try #require(try BenchmarkReportTests.parse(BenchmarkReport.json([], threads: 2, provenance: built))["provenance"] as? [String: Any])
        #expect(b["commit_source"] as? String == "build")
        #expect(built.summary.hasPrefix("convalgebra 9.8.7 (abababababab-dirty, build), OpenBLAS 0.3.21, "))
        #expect(try BenchmarkReportTests.parse(BenchmarkReport.json([], threads: 2))["provenance"] == nil)
    }

    @Test func currentReadsTheLinkedOpenBLAS() {
        let p = BenchmarkProvenance.current(commit: "")
        // No commit given: the build's when it was given one, else git's HEAD of the checkout (40 hex digits, the
        // build's perhaps marked -dirty), or nil outside one; looked for once per run.
        #expect(p.commit.map { $0.wholeMatch(of: /[0-9a-f]{40}(-dirty)?/) != nil } ?? true, "\(p.commit ?? "nil")")
        #expect(p.commit == BenchmarkProvenance.runCommit?.commit && p.commitSource == BenchmarkProvenance.runCommit?.source)
        if let built = ConvAlgebraVersion.commit { #expect(p.commit == built && p.commitSource == .build) }
        #expect(p.version == ConvAlgebraVersion.string)
        let given = BenchmarkProvenance.current(commit: "abc123")
        #expect(given.commit == "abc123" && given.commitSource == .given)
        #expect(p.blas.hasPrefix("OpenBLAS "))
        // The version is the word after "OpenBLAS", digits and dots.
        #expect(p.blasVersion.map { $0.wholeMatch(of: /[0-9]+(\.[0-9]+)+/) != nil } == true, "\(p.blas)")
    }
}
