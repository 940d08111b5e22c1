@testable import ConvAlgebraAnalysis
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

    /// Few values are all listed; many are cut to `maxValues` at each end around an ellipsis.
    @Test func longSpectraAreElided() throws {
        let a = try OperatorAnalysis(of: Convolution<Double>(kernel: [1, 3, 1], inputLength: 30, mode: .same))
        let line = { (text: String) in text.split(separator: "\n").first { $0.hasPrefix("singular values") }.map(String.init) ?? "" }
        let all = line(AnalysisReport.text(a, name: "q", maxValues: 20))
        #expect(all.hasPrefix("singular values (30, descending)") && !all.contains("…"))
        #expect(all.split(separator: ":")[1].split(separator: " ").count == 30)
        let cut = line(AnalysisReport.text(a, name: "q", maxValues: 3))
        #expect(cut.split(separator: ":")[1].split(separator: " ").count == 3 + 1 + 3)
        #expect(AnalysisReport.text(a, name: "myop").hasPrefix("myop: (30) → (30), a 30 × 30 matrix"))
    }

    /// `‖a − b‖ / ‖b‖`, and `‖a‖` when `b` is zero.
    @Test func relativeErrorIsTheRelativeEuclideanDistance() {
        #expect(AnalysisReport.relativeError([1.0, 2, 3], [1.0, 2, 3]) == 0)
        #expect(AnalysisReport.relativeError([3.0, 4], [0.0, 0]) == 5)
        #expect(abs(AnalysisReport.relativeError([Float(1), 1], [0, 2]) - 2.0.squareRoot() / 2) < 1e-12)
        #expect(AnalysisReport.relativeError([2.0], [1.0]) == 1)
    }
}
