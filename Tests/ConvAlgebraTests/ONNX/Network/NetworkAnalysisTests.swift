import ConvAlgebra
import ConvAlgebraONNX
import Foundation
import Testing

/// The per-layer analysis against NumPy's SVD of PyTorch's Jacobians: σ₁ by the dense SVD and by Lanczos, σ_min,
/// the reshaped-weight norm, the overlap of the transposed convolutions, the bound; and the report's JSON keys.
@Suite struct NetworkAnalysisTests {
    @Test(arguments: ONNXFixtures.models)
    func singularValuesMatchNumPy(_ name: String) throws {
        let a = try NetworkAnalysis(network: Network(model: try ONNXFixtures.model(name)), smallest: true)
        let expected = try ONNXFixtures.layers(name)
        for (l, e) in zip(a.layers, expected) {
            let sigma = try #require(e["spectral_norm"] as? Double), low = try #require(e["smallest_singular_value"] as? Double)
            #expect(l.method == "gesdd")
            #expect(ONNXFixtures.relative(l.spectralNorm, sigma) < 1e-10, "\(l.layer.name): \(l.spectralNorm) vs \(sigma)")
            // σ_min relative to σ₁ (a rank-deficient layer's is rounding).
            #expect(abs(try #require(l.smallestSingularValue) - low) < 1e-10 * sigma, "\(l.layer.name)")
            #expect(l.nnz == e["nnz"] as? Int)
            if let w = e["reshaped_weight_norm"] as? Double {
                #expect(ONNXFixtures.relative(try #require(l.reshapedWeightNorm), w) < 1e-10, "\(l.layer.name)")
            } else {
                #expect(l.reshapedWeightNorm == nil)
            }
        }
        let bound = try #require(try ONNXFixtures.expected(name)["lipschitz_bound"] as? Double)
        #expect(ONNXFixtures.relative(a.lipschitzBound, bound) < 1e-10)
    }

    @Test func blockLanczosMeetsItsToleranceOnEveryLayer() throws {
        for name in ONNXFixtures.models {
            let a = try NetworkAnalysis(network: Network(model: try ONNXFixtures.model(name)), tolerance: 1e-12, denseLimit: 0)
            for (l, e) in zip(a.layers, try ONNXFixtures.layers(name)) {
                #expect(l.method == "block-lanczos" && l.converged,
                        "\(name) \(l.layer.name): \(l.spectralNorm) ≤ σ₁ ≤ \(l.upperBound) after \(l.iterations ?? 0) steps, \(l.products ?? 0) vectors")
                let sigma = try #require(e["spectral_norm"] as? Double)
                #expect(ONNXFixtures.relative(l.spectralNorm, sigma) < 1e-8, "\(name) \(l.layer.name): \(l.spectralNorm) vs \(sigma)")
            }
        }
    }

    @Test func transposedConvolutionsReportTheirOverlap() throws {
        let a = try NetworkAnalysis(network: Network(model: try ONNXFixtures.model("generator")))
        let t1 = try #require(a.layers.first { $0.layer.name == "/t1/ConvTranspose" }?.overlap)
        let t2 = try #require(a.layers.first { $0.layer.name == "/t2/ConvTranspose" }?.overlap)
        #expect(!t2.isEven)                                        // kernel 3, stride 2: 1, 2 per axis → 1 … 4
        #expect(Set(t2.phaseCounts.flatMap { $0 }) == [1, 2, 4])
        #expect(t1.isEven)                                         // stride 1
        #expect(a.layers.filter { $0.overlap != nil }.count == 2)
    }

    /// Every convolution whose input is its output times the stride (stride 1 and 2 in the fixture) gets the largest
    /// singular value of the circular-padding operator with its taps, equal to the dense SVD of that operator; the
    /// others get none.
    @Test func circularSpectrumIsGivenWhereTheInputIsTheOutputTimesTheStride() throws {
        let a = try NetworkAnalysis(network: Network(model: try ONNXFixtures.model("convnet")))
        var strided = 0
        for l in a.layers {
            guard let conv = l.layer.convolution, conv.domain == l.layer.linear.domain else { continue }
            let g = conv.geometry
            guard zip(zip(g.inputSize, g.outputSize), g.stride).allSatisfy({ $0.1 * $1 == $0.0 }) else {
                #expect(l.circularNorm == nil, "\(l.layer.name)"); continue
            }
            let circular = try ConvolutionGeometry(inputSize: g.inputSize, outputSize: g.outputSize, kernelSize: g.kernelSize,
                                                   stride: g.stride, offset: g.offset, tapStep: g.tapStep, boundary: .circular,
                                                   inChannels: g.inChannels, outChannels: g.outChannels, groups: g.groups,
                                                   hasChannelAxis: true)
            let exact = try Convolution<Double>(geometry: circular, taps: conv.taps).singularSpectrum().spectralNorm
            #expect(ONNXFixtures.relative(try #require(l.circularNorm), exact) < 1e-10, "\(l.layer.name)")
            if g.stride.contains(where: { $0 > 1 }) { strided += 1 }
        }
        #expect(strided >= 1)
    }

    @Test func jsonHasTheContractKeys() throws {
        let a = try NetworkAnalysis(network: Network(model: try ONNXFixtures.model("resblock")), smallest: true)
        let text = NetworkReport.json(a, model: "resblock.onnx")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let layers = try #require(doc["layers"] as? [[String: Any]])
        #expect(layers.count == 10)
        for key in ["name", "op", "input_shape", "output_shape", "nnz", "spectral_norm", "reshaped_weight_norm",
                    "smallest_singular_value", "condition_number", "overlap", "method", "spectral_norm_seconds",
                    "spectral_norm_cpu_seconds"] {
            #expect(layers.allSatisfy { $0.keys.contains(key) }, "\(key)")
        }
        #expect(layers[0]["name"] as? String == "/stem/Conv" && layers[0]["input_shape"] as? [Int] == [4, 8, 8])
        #expect(layers.allSatisfy { ($0["spectral_norm_cpu_seconds"] as? Double ?? -1) >= 0 })
        #expect(ONNXFixtures.relative(try #require(doc["lipschitz_bound"] as? Double), a.lipschitzBound) < 1e-14)
        let table = NetworkReport.text(a, model: "resblock.onnx")
        #expect(table.contains("/Add_1") && table.contains("Lipschitz bound"))
    }

    @Test func progressIsOneLinePerLayer() throws {
        var lines: [String] = []
        _ = try NetworkAnalysis(network: Network(model: try ONNXFixtures.model("generator"))) { lines.append($0) }
        #expect(lines.count == 4 && lines[0].hasPrefix("[1/4] /t1/ConvTranspose"))
    }
}
