import ConvAlgebra
import ConvAlgebraBenchmarking
import Testing

/// A benchmark case's parts: the contract's form words, the operator's shapes, and the rate of a result
/// (`GFLOP/s = FLOPs / median seconds / 10⁹`).
@Suite struct BenchmarkCaseTests {
    static func result(median: Double, flops: Double, materialise: Double? = nil, entries: Int? = nil) -> BenchmarkResult {
        BenchmarkResult(id: "x", suite: "s", op: "conv", form: .dense, inputShape: [2, 3], dtype: "float32", min: median / 2,
                        median: median, max: median * 2, repeats: 3, materialiseSeconds: materialise, storedEntries: entries,
                        flops: flops, note: nil)
    }

    @Test func formsAreTheContractsWords() {
        #expect(BenchmarkForm.allCases.map(\.rawValue) == ["direct", "dense", "sparse", "auto"])
    }

    @Test func gflopsIsFlopsPerMedianSecond() {
        #expect(Self.result(median: 0.5, flops: 3e9).gflops == 6)
        #expect(Self.result(median: 2e-3, flops: 1e6).gflops == 0.5)
        #expect(Self.result(median: 0, flops: 1e6).gflops == 0)
    }

    @Test func operatorShapesAreTheWrappedOnes() throws {
        let c = try Convolution<Float>(kernel: [1, 2, 3], inputLength: 10, mode: .full)
        #expect(BenchmarkOperator.linear(c).domain == c.domain && BenchmarkOperator.linear(c).codomain == c.codomain)
        let p = try MaxPooling<Float>(inputShape: [2, 6, 6], kernelSize: [2, 2])
        #expect(BenchmarkOperator.maxPool(p).domain == (try Shape([2, 6, 6])))
        #expect(BenchmarkOperator.maxPool(p).codomain == (try Shape([2, 3, 3])))
    }

    /// Every suite case builds an operator whose domain is the trailing part of its input shape.
    @Test func casesBuildOperatorsOnTheirInputShape() throws {
        for c in SuiteV1.cases().prefix(12) {
            let op = try c.build()
            #expect(Array(c.inputShape.suffix(op.domain.rank)) == op.domain.dims, "\(c.id ?? c.op)")
            #expect(c.flops > 0 && !c.forms.isEmpty)
        }
        let custom = BenchmarkCase(id: nil, suite: "single", op: "convolve", inputShape: [4, 10], flops: 1, forms: [.direct]) {
            .linear(try Convolution<Float>(kernel: [1], inputLength: 10, mode: .full))
        }
        let dims = try custom.build().domain.dims
        #expect(custom.id == nil && custom.inputShape == [4, 10] && dims == [10])
    }
}
