import ConvAlgebra
import Testing
import _TestSupport

/// `Convolution` and its transpose over general geometries: N-D, channels, groups, circular
/// boundary, cross-correlation (`tapStep > 0`), as the DL layers will build them.
@Suite struct ConvolutionTests {
    /// A named geometry to run every check on.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let make: @Sendable () throws -> ConvolutionGeometry
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "1-D correlation, pad 1") {
            try ConvolutionGeometry(inputSize: [7], outputSize: [7], kernelSize: [3], stride: [1], offset: [-1], tapStep: [1])
        },
        Case(name: "1-D stride 2, dilation 2, 2→3 channels") {
            try ConvolutionGeometry(inputSize: [9], outputSize: [4], kernelSize: [3], stride: [2], offset: [-1], tapStep: [2],
                                    inChannels: 2, outChannels: 3, hasChannelAxis: true)
        },
        Case(name: "2-D 3×3 pad 1, 2→2") {
            try ConvolutionGeometry(inputSize: [5, 4], outputSize: [5, 4], kernelSize: [3, 3], stride: [1, 1], offset: [-1, -1],
                                    tapStep: [1, 1], inChannels: 2, outChannels: 2, hasChannelAxis: true)
        },
        Case(name: "2-D stride 2, groups 2, 4→2") {
            try ConvolutionGeometry(inputSize: [6, 5], outputSize: [3, 3], kernelSize: [2, 3], stride: [2, 2], offset: [0, -1],
                                    tapStep: [1, 1], inChannels: 4, outChannels: 2, groups: 2, hasChannelAxis: true)
        },
        Case(name: "2-D circular") {
            try ConvolutionGeometry(inputSize: [4, 3], outputSize: [4, 3], kernelSize: [3, 2], stride: [1, 1], offset: [-1, 0],
                                    tapStep: [1, 1], boundary: .circular, inChannels: 1, outChannels: 2, hasChannelAxis: true)
        },
        Case(name: "3-D depthwise") {
            try ConvolutionGeometry(inputSize: [3, 4, 3], outputSize: [3, 4, 3], kernelSize: [3, 3, 1], stride: [1, 1, 1],
                                    offset: [-1, -1, 0], tapStep: [1, 1, 1], inChannels: 2, outChannels: 2, groups: 2,
                                    hasChannelAxis: true)
        },
        Case(name: "1-D circular stride 3, kernel longer than the input") {
            try ConvolutionGeometry(inputSize: [4], outputSize: [2], kernelSize: [6], stride: [3], offset: [2], tapStep: [-1],
                                    boundary: .circular)
        },
    ]

    @Test(arguments: cases, Precision.allCases)
    func formsAgreeAndDotTestHolds(case c: Case, precision: Precision) throws {
        try check(precision.scalarType, c.make())
    }

    private func check<S: BLASScalar>(_: S.Type, _ g: ConvolutionGeometry) throws {
        var rng = SplitMix64(seed: 23)
        let conv = try Convolution<S>(geometry: g, taps: randomScalars(g.weightCount, using: &rng))
        #expect(conv.domain == g.domain && conv.codomain == g.codomain)
        try expectFormsAgree(conv)
        try expectFormsAgree(conv.transposed)
        try expectDotTest(conv)
        try expectDotTest(conv, form: .dense)
        try expectTransposeIsLiteral(conv)
        expectMatricesEqual(try probedMatrix(conv), try conv.dense(), rtol: S.testRelativeTolerance, atol: S.testAbsoluteTolerance,
                            "probed direct form vs dense")
        expectMatricesEqual(try probedMatrix(conv.transposed), try conv.transposed.dense(), rtol: S.testRelativeTolerance,
                            atol: S.testAbsoluteTolerance, "probed direct transpose vs dense transpose")
        #expect(conv.transposed.transposed == conv)
    }

    /// Every entry of the matrix is the sum of the taps the geometry's index map sends there: built
    /// from ``ConvolutionGeometry/inputIndex(_:output:tap:)`` alone (1-D, one channel).
    @Test(arguments: [ConvolutionGeometry.Boundary.zero, .circular], [1, 2, 3])
    func matrixFollowsTheIndexMap(boundary: ConvolutionGeometry.Boundary, s: Int) throws {
        var rng = SplitMix64(seed: UInt64(s))
        for (n, m, K, o, e) in [(8, 4, 3, -1, 1), (6, 6, 4, 2, -1), (5, 3, 2, 0, 2), (3, 3, 5, 0, -1)] {
            let g = try ConvolutionGeometry(inputSize: [n], outputSize: [m], kernelSize: [K], stride: [s], offset: [o],
                                            tapStep: [e], boundary: boundary)
            let q: [Double] = randomIntegerScalars(K, using: &rng)
            var expected = try DenseMatrix<Double>(zeros: m, n)
            for i in 0..<m {
                for t in 0..<K {
                    var c = i * s + o + t * e
                    if boundary == .circular { c = ((c % n) + n) % n }
                    if c >= 0 && c < n { expected[i, c] += q[t] }
                    #expect(g.inputIndex(0, output: i, tap: t) == (c >= 0 && c < n ? c : -1))
                }
            }
            expectMatricesEqual(try Convolution(geometry: g, taps: q).dense(), expected, "n \(n) m \(m) K \(K) o \(o) e \(e)")
        }
    }

    @Test func equalityComparesGeometryAndTaps() throws {
        let a = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 6, mode: .same)
        #expect(a == (try Convolution<Double>(kernel: [1, 2, 3], inputLength: 6, mode: .same)))
        #expect(a != (try Convolution<Double>(kernel: [1, 2, 4], inputLength: 6, mode: .same)))
        #expect(a != (try Convolution<Double>(kernel: [1, 2, 3], inputLength: 6, mode: .circular)))
        #expect(a != (try Convolution<Double>(kernel: [1, 2, 3], inputLength: 6, mode: .same, stride: 2)))
    }

    @Test func tapsThatDoNotFillTheWeightThrow() throws {
        let g = try ConvolutionGeometry(inputSize: [5, 5], outputSize: [3, 3], kernelSize: [3, 3], stride: [1, 1], offset: [0, 0],
                                        tapStep: [1, 1], inChannels: 2, outChannels: 3, hasChannelAxis: true)
        #expect(g.weightShape == [3, 2, 3, 3] && g.weightCount == 54)
        expectThrows(.shapeMismatch) { try Convolution<Float>(geometry: g, taps: Array(repeating: 1, count: 53)) }
        expectThrows(.shapeMismatch) { try TransposedConvolution<Float>(geometry: g, taps: []) }
    }
}
