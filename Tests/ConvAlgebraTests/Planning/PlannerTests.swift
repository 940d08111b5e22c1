@testable import ConvAlgebra
import ConvAlgebraBenchmarking
import Foundation
import Synchronization
import Testing
import _TestSupport

/// The planner's decisions with injected timings (nothing is timed for real): measure keeps the fastest
/// candidate and installs its kernel, the wisdom it writes is used by the next decision, and wisdom-only never
/// measures. Serialized: the planner's settings are the process's.
@Suite(.serialized) struct PlannerTests {
    static func op(_ id: String) throws -> any LinearOperator<Float> { try FormChooserTests.op(id) }

    /// A fresh wisdom file for one test, and the planner pointed at it.
    static func freshWisdom() -> String {
        PlannerFixture.install()
        let path = NSTemporaryDirectory() + "convalgebra-planner-\(UUID().uuidString)/wisdom.json"
        Planner.wisdomPath = path
        return path
    }

    @Test(arguments: [("sparse", Form.sparse), ("dense", .dense), ("dense/blas", .dense), ("direct/rowStencil", .direct),
                      ("direct/gemm", .direct)])
    func measurePicksTheFastestCandidate(fastest: String, form: Form) throws {
        let op = try Self.op("mx-1d")
        var table = ["dense": 3.0, "dense/blas": 3.5, "sparse": 2.0, "direct/rowStencil": 4.0, "direct/gemm": 5.0,
                     "direct/gemm/openblas": 6.0, "direct/fft": 7.0]
        table[fastest] = 0.5
        let decision = Planner.measure(op, batch: 16, stopwatch: .fixed(table))
        // OpenBLAS's GEMM is a dense candidate of its own only where the preferred one is the panel GEMM.
        let blasTimed = decision.candidates.contains { $0.name == "dense/blas" }
        #expect(blasTimed == (DenseBatchProduct<Float>.Kernel.preferred == .panels))
        if fastest == "dense/blas" && !blasTimed { return }
        #expect(decision.form == form && decision.candidate == fastest && decision.source == .measure, "\(decision)")
        #expect(Set(decision.candidates.map(\.name)).isSuperset(of: ["dense", "sparse", "direct/rowStencil", "direct/gemm"]))
        #expect(decision.candidates.allSatisfy { $0.measured == table[$0.name] })
        if fastest.hasPrefix("direct/") {
            // The winning kernel is the operator's plan from now on.
            let family = try #require(ConvolutionPlanBuilder.Candidate(String(fastest.dropFirst(7)))).family
            #expect((op as! Convolution<Float>).directPlan.kernel.family == family)
        }
    }

    /// Every candidate of a transposed convolution runs when timed (a direct kernel through an apply of a copy of
    /// the operator holding its plan), and the fastest direct kernel's plan, as timed, is the operator's after:
    /// its direct form computes what the dense form does.
    @Test func measureRunsEveryCandidateOfATransposedConvolution() throws {
        let op = try Self.op("mx-ct")
        let t = try #require(op as? TransposedConvolution<Float>)
        let kernels = ConvolutionPlanBuilder.candidates(t.geometry, direction: .transpose, scalarBytes: 4)
        let fastest = try #require(kernels.last)
        let ran = Mutex([String]())
        let stopwatch = Stopwatch { label, body in
            body()
            ran.withLock { $0.append(label) }
            return label == "direct/\(fastest)" ? 0.1 : 1
        }
        let decision = Planner.measure(op, batch: 3, stopwatch: stopwatch)
        #expect(decision.candidate == "direct/\(fastest)" && decision.form == .direct, "\(decision)")
        #expect(Set(ran.withLock { $0 }) == Set(decision.candidates.map(\.name)))
        #expect(Set(kernels.map { "direct/\($0)" }).isSubset(of: Set(ran.withLock { $0 })))
        #expect(t.directPlan.candidate == fastest)
        let x = try Tensor<Float>(shape: [3] + op.domain.dims, scalars: BenchmarkData.uniform(3 * op.domain.count, seed: 8))
        expectTensorsClose(try op.apply(x, form: .direct), try op.apply(x, form: .dense), "direct/\(fastest)")
    }

    /// The installed kernel computes what the builder's own does (the forms agree on every candidate).
    @Test func everyInstalledKernelAgrees() throws {
        let op = try Self.op("mx-2d-mc") as! Convolution<Float>
        let x = try Tensor<Float>(shape: [3] + op.domain.dims, scalars: BenchmarkData.uniform(3 * op.domain.count, seed: 5))
        let reference = try op.apply(x, form: .dense)
        for c in ConvolutionPlanBuilder.candidates(op.geometry, direction: .forward, scalarBytes: 4) {
            Planner.install("direct/\(c)", in: op)
            #expect(op.directPlan.candidate == c)
            expectTensorsClose(try op.apply(x, form: .direct), reference, "\(c)")
        }
    }

    /// A dense GEMM measured fastest is remembered, and installed: the operator's dense form runs it, and
    /// computes what the direct form does.
    @Test func theMeasuredDenseKernelIsInstalled() throws {
        _ = Self.freshWisdom()
        Planner.stopwatch = .fixed(["dense/blas": 0.1], fallback: 1)
        defer { Planner.stopwatch = .live() }
        let op = try Self.op("mx-fc")
        let decision = Planner.decide(op, batch: 16, mode: .measure)
        guard DenseBatchProduct<Float>.Kernel.preferred == .panels else {
            #expect(decision.candidate != "dense/blas")
            return
        }
        #expect(decision.form == .dense && decision.candidate == "dense/blas", "\(decision)")
        #expect(Planner.measuredDenseKernel(op, batch: 16) == .blas)
        #expect(Planner.form(ofCandidate: "dense/blas") == .dense && Planner.form(ofCandidate: "dense/fastest") == nil)
        let x = try Tensor<Float>(shape: [16] + op.domain.dims, scalars: BenchmarkData.uniform(16 * op.domain.count, seed: 3))
        expectTensorsClose(try op.apply(x, form: .dense), try op.apply(x, form: .direct), "dense/blas installed")
    }

    @Test func measuredPlansAreRememberedAndReused() throws {
        let path = Self.freshWisdom()
        Planner.stopwatch = .fixed(["sparse": 0.1], fallback: 1)
        defer { Planner.stopwatch = .live() }
        let op = try Self.op("mx-1d-long")
        let measured = Planner.decide(op, batch: 256, mode: .measure)
        #expect(measured.form == .sparse && measured.source == .measure)
        #expect(FileManager.default.fileExists(atPath: path))
        // A new process reads the file: drop what is held, then decide in estimate mode.
        Planner.wisdomPath = path
        let reused = Planner.decide(try Self.op("mx-1d-long"), batch: 256, mode: .estimate)
        #expect(reused.form == .sparse && reused.source == .wisdom, "\(reused)")
        #expect(reused.candidates.first { $0.name == "sparse" }?.measured == 0.1)
        // Another batch has no wisdom: the cost model decides.
        #expect(Planner.decide(op, batch: 16, mode: .estimate).source == .estimate)
    }

    /// `auto` follows the wisdom even where the cost model would choose otherwise.
    @Test func autoUsesWisdomWhenPresent() throws {
        let path = Self.freshWisdom()
        let op = try Self.op("mx-2d")  // very sparse: the model never picks dense
        let key = try #require(PlanKey(op, batch: 16))
        var w = Wisdom()
        w.record(Wisdom.Plan(operator: key.operator, batch: 16, dtype: "float32", form: "dense", candidate: "dense",
                             seconds: ["dense": 1e-6, "sparse": 1e-3]),
                 machine: MachineProfile.current.fingerprint, threads: MachineProfile.current.threads)
        try WisdomStore.save(w, to: path)
        Planner.wisdomPath = path
        #expect(Planner.decide(op, batch: 16, mode: .estimate).form == .dense)
        #expect(Planner.estimate(op, batch: 16, model: FormChooserTests.typical).form != .dense)
        // The bench's auto form follows it too.
        let c = SuiteV1.suiteC(batches: [16]).first { $0.id == "mx-2d" }!
        let r = try BenchmarkRunner.run(c, forms: [.auto], repeats: 1)[0]
        #expect((r.note ?? "").hasPrefix("dense") && (r.note ?? "").contains("wisdom"), "\(r.note ?? "")")
    }

    @Test func wisdomOnlyNeverMeasures() throws {
        _ = Self.freshWisdom()
        Planner.stopwatch = Stopwatch { label, _ in Issue.record("timed \(label)"); return 1 }
        defer { Planner.stopwatch = .live() }
        let d = Planner.decide(try Self.op("mx-ct"), batch: 16, mode: .wisdomOnly)
        #expect(d.form == .direct && d.source == .fixed && d.kernel != nil)
    }

    /// The estimate mode lists every form's estimate and picks the smallest.
    @Test func estimateExplainsItself() throws {
        let d = Planner.estimate(try Self.op("mx-fc"), batch: 4096, model: FormChooserTests.typical)
        #expect(d.source == .estimate && d.candidates.count == 3)
        let best = try #require(d.candidates.min { $0.estimate! < $1.estimate! })
        #expect(best.form == d.form && d.description.hasPrefix(d.form.rawValue))
    }

    @Test func candidateNamesRoundTrip() {
        for name in ["direct/gemm", "direct/rowStencil", "direct/fft", "direct/gemm/openblas", "dense", "sparse"] {
            #expect(Planner.form(ofCandidate: name) != nil, "\(name)")
        }
        for name in ["direct/warp", "auto", "direct/rowStencil/openblas", "", "direct/"] {
            #expect(Planner.form(ofCandidate: name) == nil, "\(name)")
        }
    }
}
