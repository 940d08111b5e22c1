@testable import ConvAlgebra
import ConvAlgebraBenchmarking
import Foundation
import Testing
import _TestSupport

/// Wisdom: keys that tell machines, thread counts, operators, batches and dtypes apart; a file that round-trips;
/// and files that are not wisdom ignored with one warning line, never a crash.
@Suite struct WisdomTests {
    static func plan(_ key: PlanKey, form: String = "sparse") -> Wisdom.Plan {
        Wisdom.Plan(operator: key.operator, batch: key.batch, dtype: key.dtype, form: form, candidate: form,
                    seconds: ["sparse": 1e-4, "dense": 2e-4, "direct/rowStencil": 3e-4])
    }

    static func temporary() -> String { NSTemporaryDirectory() + "convalgebra-wisdom-\(UUID().uuidString)/w.json" }

    @Test func keysTellEverythingApart() throws {
        let f = try FormChooserTests.op("mx-1d")
        let g = try #require(SuiteV1.matrixOperators().first { $0.id == "mx-1d" }).geometry
        let d: any LinearOperator<Double> = try Convolution<Double>(geometry: g, taps: BenchmarkData.uniform(g.weightCount, seed: 1))
        let key = try #require(PlanKey(f, batch: 16))
        var w = Wisdom()
        w.record(Self.plan(key), machine: "machine A", threads: 2)
        #expect(w.plan(for: key, machine: "machine A", threads: 2)?.form == "sparse")
        #expect(w.plan(for: key, machine: "machine B", threads: 2) == nil)
        #expect(w.plan(for: key, machine: "machine A", threads: 1) == nil)
        #expect(w.plan(for: try #require(PlanKey(f, batch: 17)), machine: "machine A", threads: 2) == nil)
        let doubleKey = try #require(PlanKey(d, batch: 16))
        #expect(doubleKey.dtype == "float64" && doubleKey.operator == key.operator)
        #expect(w.plan(for: doubleKey, machine: "machine A", threads: 2) == nil)
        // The transpose is another operator; an operator without a geometry has no key.
        #expect(try #require(PlanKey(f.anyTransposed, batch: 16)).operator != key.operator)
        #expect(PlanKey(try Composed([f, f.anyTransposed]), batch: 16) == nil)
        // Recording again replaces.
        w.record(Self.plan(key, form: "dense"), machine: "machine A", threads: 2)
        #expect(w.plan(for: key, machine: "machine A", threads: 2)?.form == "dense" && w.machines[0].plans.count == 1)
    }

    @Test func fileRoundTrips() throws {
        let path = Self.temporary()
        let key = try #require(PlanKey(try FormChooserTests.op("mx-fc"), batch: 256))
        var w = Wisdom()
        w.record(PlannerFixture.rates, machine: "m", threads: 2)
        w.record(Self.plan(key), machine: "m", threads: 2)
        w.record(Self.plan(key, form: "dense"), machine: "m", threads: 1)
        try WisdomStore.save(w, to: path)
        #expect(WisdomStore.load(path, warn: { Issue.record("warned: \($0)") }) == w)
        // Saving merges with what the file holds.
        var more = Wisdom()
        more.record(Self.plan(key), machine: "other", threads: 2)
        try WisdomStore.save(more, to: path)
        let both = WisdomStore.load(path, warn: { Issue.record("warned: \($0)") })
        #expect(both.plan(for: key, machine: "m", threads: 1)?.form == "dense" && both.plan(for: key, machine: "other", threads: 2) != nil)
        #expect(both.rates(machine: "m", threads: 2) == PlannerFixture.rates)
    }

    @Test(arguments: [
        "", "{", "not json at all", "[1, 2, 3]", "{\"format\": \"convalgebra-wisdom\"}",
        "{\"format\": \"something-else\", \"version\": 1, \"machines\": []}",
        "{\"format\": \"convalgebra-wisdom\", \"version\": 99, \"machines\": []}",
        "{\"format\": \"convalgebra-wisdom\", \"version\": 1, \"machines\": [{\"fingerprint\": 7}]}",
        String(repeating: "[", count: 100_000),
    ])
    func corruptFilesAreIgnoredWithOneWarning(text: String) throws {
        let path = Self.temporary()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        var warnings = [String]()
        let w = WisdomStore.load(path, warn: { warnings.append($0) })
        #expect(w == Wisdom())
        #expect(warnings.count == 1 && warnings[0].hasPrefix("warning: ") && !warnings[0].contains("\n"), "\(warnings)")
    }

    /// Entries a reader cannot believe are dropped one by one; the rest of the file is kept, without a warning.
    @Test func implausibleEntriesAreDropped() throws {
        let key = try #require(PlanKey(try FormChooserTests.op("mx-2d"), batch: 4))
        var bad = PlannerFixture.rates
        bad.bandwidth = -1
        var w = Wisdom()
        w.record(bad, machine: "m", threads: 2)
        w.record(Self.plan(key), machine: "m", threads: 2)
        var unknown = Self.plan(try #require(PlanKey(try FormChooserTests.op("mx-fc"), batch: 4)))
        unknown.candidate = "direct/quantum"
        unknown.form = "direct"
        w.record(unknown, machine: "m", threads: 2)
        let path = Self.temporary()
        try WisdomStore.save(w, to: path)
        let back = WisdomStore.load(path, warn: { Issue.record("warned: \($0)") })
        #expect(back.rates(machine: "m", threads: 2) == nil)
        #expect(back.plan(for: key, machine: "m", threads: 2) != nil && back.machines[0].plans.count == 1)
    }

    @Test func aMissingFileIsEmptyWisdomAndNoWarning() {
        #expect(WisdomStore.load(Self.temporary(), warn: { Issue.record("warned: \($0)") }) == Wisdom())
        #expect(WisdomStore.load("", warn: { Issue.record("warned: \($0)") }) == Wisdom())
    }

    @Test func thePathComesFromTheEnvironment() {
        func path(_ env: [String: String]) -> String? { WisdomStore.defaultPath(environment: { env[$0] }) }
        #expect(path(["CONVALGEBRA_WISDOM": "/w.json", "HOME": "/home/u"]) == "/w.json")
        #expect(path(["XDG_CACHE_HOME": "/cache", "HOME": "/home/u"]) == "/cache/convalgebra/wisdom.json")
        #expect(path(["XDG_CACHE_HOME": "relative", "HOME": "/home/u"]) == "/home/u/.cache/convalgebra/wisdom.json")
        #expect(path([:]) == nil)
    }
}
