import ConvAlgebra
import Testing

/// The readable report of an analysis and the demo.
@Suite struct AnalysisReportTests {
    @Test func reportsAreReadable() throws {
        let text = AnalysisReport.text(try OperatorAnalysis(of: Convolution<Double>(kernel: [1, 2, 1], inputLength: 16, mode: .same, stride: 2)),
                                       name: "convolve")
        #expect(text.contains("method: gesdd"))
        #expect(text.contains("nullity: 8"))
        #expect(text.contains("aliasing: stride 2"))
        let demo = try AnalysisReport.demo()
        #expect(demo.contains("UNEVEN") && demo.contains("even:"))
        #expect(demo.contains("‖Aᵀ y − x‖") && demo.contains("‖A⁺ y − x‖"))
    }
}
