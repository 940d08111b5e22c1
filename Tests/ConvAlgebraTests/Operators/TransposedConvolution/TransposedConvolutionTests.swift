import ConvAlgebra
import Testing
import _TestSupport

private let q0 = SymbolicEntry(tap: 0), q1 = SymbolicEntry(tap: 1), q2 = SymbolicEntry(tap: 2)
private let o = SymbolicEntry.zero, one = SymbolicEntry(constant: 1)

/// The transposed convolution `q * (↑k x)`: the reference text's derivation step by step, the
/// transpose of the strided operator it comes from, and nearest-neighbour up-sampling fused into it.
@Suite struct TransposedConvolutionTests {
    // MARK: - The derivation in the reference text (K = 3, k = 2, n = 2, `same`)

    /// The matrices of the text, from its entries.
    static let C = SymbolicMatrix([[q1, q0, o, o], [q2, q1, q0, o], [o, q2, q1, q0], [o, o, q2, q1]])
    static let CT = SymbolicMatrix([[q1, q2, o, o], [q0, q1, q2, o], [o, q0, q1, q2], [o, o, q0, q1]])
    static let U = SymbolicMatrix([[one, o], [o, o], [o, one], [o, o]])
    static let D = SymbolicMatrix([[one, o, o, o], [o, o, one, o]])

    @Test func everyStepOfTheDerivationIsTheTransposedConvolution() throws {
        let q: [Double] = [2, -1, 0.5]
        let conv = try Convolution(kernel: q, inputLength: 4, mode: .same)
        let down = try Downsample<Double>(factor: 2, inputLength: 4)
        let up = try Upsample<Double>(factor: 2, inputLength: 2)
        let t = try TransposedConvolution(kernel: q, stride: 2, inputLength: 2, mode: .same)

        // The factors are the text's matrices.
        expectMatricesEqual(try conv.symbolic(), Self.C, "q*")
        expectMatricesEqual(try conv.transposed.symbolic(), Self.CT, "(q*)ᵀ")
        expectMatricesEqual(try up.symbolic(), Self.U, "↑2")
        expectMatricesEqual(try down.symbolic(), Self.D, "↓2")
        expectMatricesEqual(Self.CT.transposed(), Self.C, "the text's (q*)ᵀ is the transpose of q*")

        // q * (↑k x) = C·U = (Cᵀ)ᵀ·(↓2)ᵀ = (↓2·Cᵀ)ᵀ.
        let step1 = try Self.C.multiplied(by: Self.U)
        let step2 = try Self.CT.transposed().multiplied(by: Self.D.transposed())
        let step3 = try Self.D.multiplied(by: Self.CT).transposed()
        let result = try t.symbolic()
        expectMatricesEqual(result, step1, "C·U")
        expectMatricesEqual(result, step2, "(Cᵀ)ᵀ·Dᵀ")
        expectMatricesEqual(result, step3, "(D·Cᵀ)ᵀ")
        // C·U keeps columns 0 and 2 of C.
        expectMatricesEqual(result, SymbolicMatrix([[q1, o], [q2, q0], [o, q1], [o, q2]]), "columns 0 and 2 of C")

        // The same steps built from the library's operators.
        expectMatricesEqual(try up.then(conv).symbolic(), result, "↑2 then q*")
        expectMatricesEqual(try conv.transposed.then(down).transposed.symbolic(), result, "(↓2 (q*)ᵀ)ᵀ")
        #expect(t.domain.dims == [2] && t.codomain.dims == [4])
    }

    // MARK: - The transpose of the strided operator it is derived from

    static let modes = ConvolutionMode.allCases

    @Test(arguments: modes, [1, 2, 3])
    func isTheTransposeOfTheStridedOperator(mode: ConvolutionMode, k: Int) throws {
        var rng = SplitMix64(seed: UInt64(k * 13))
        for K in [1, 2, 3, 4, 5] {
            for n in [1, 2, 3, 5] {
                for d in [1, 2] {
                    let L = n * k, Kd = (K - 1) * d + 1
                    let q: [Double] = randomIntegerScalars(K, using: &rng)
                    let label = "\(mode) K \(K) n \(n) k \(k) d \(d)"
                    if mode == .valid && Kd > L {
                        expectThrows(.invalidArgument, label) {
                            try TransposedConvolution(kernel: q, stride: k, inputLength: n, mode: mode, dilation: d)
                        }
                        continue
                    }
                    let t = try TransposedConvolution(kernel: q, stride: k, inputLength: n, mode: mode, dilation: d)
                    let conv = try Convolution(kernel: q, inputLength: L, mode: mode, dilation: d)
                    // (↓k (q*)ᵀ)ᵀ, as the text derives it.
                    let strided = try conv.transposed.then(Downsample(factor: k, inputLength: L))
                    let derived = strided.transposed
                    expectMatricesEqual(try t.dense(), try derived.dense(), "\(label): dense")
                    expectMatricesEqual(try t.sparse(), try derived.sparse(), "\(label): sparse")
                    expectMatricesEqual(try t.symbolic(), try derived.symbolic(), "\(label): symbolic")
                    // Its transpose is the strided correlation ↓k (q*)ᵀ itself.
                    expectMatricesEqual(try t.transposed.dense(), try strided.dense(), "\(label): transposed, dense")
                    expectMatricesEqual(try t.transposed.sparse(), try strided.sparse(), "\(label): transposed, sparse")
                    // And literally q * (↑k x).
                    let literal = try Upsample<Double>(factor: k, inputLength: n).then(conv)
                    expectMatricesEqual(try t.dense(), try literal.dense(), "\(label): q * (↑k x)")
                }
            }
        }
    }

    @Test(arguments: modes, Precision.allCases)
    func formsAgreeAndDotTestHolds(mode: ConvolutionMode, precision: Precision) throws {
        try check(precision.scalarType, mode: mode)
    }

    private func check<S: BLASScalar>(_: S.Type, mode: ConvolutionMode) throws {
        var rng = SplitMix64(seed: 17)
        for (n, K) in [(1, 1), (3, 3), (4, 4), (8, 5), (2, 7), (17, 2)] {
            for k in [1, 2, 3] {
                for d in [1, 2] {
                    if mode == .valid && (K - 1) * d + 1 > n * k { continue }
                    let q: [S] = randomScalars(K, using: &rng)
                    let t = try TransposedConvolution(kernel: q, stride: k, inputLength: n, mode: mode, dilation: d)
                    try expectFormsAgree(t)
                    try expectFormsAgree(t.transposed)
                    try expectDotTest(t)
                    try expectTransposeIsLiteral(t)
                    expectMatricesEqual(try probedMatrix(t), try t.dense(), rtol: S.testRelativeTolerance,
                                        atol: S.testAbsoluteTolerance, "probed vs dense, n \(n) K \(K) k \(k) d \(d)")
                }
            }
        }
    }

    // MARK: - Transposing twice

    @Test(arguments: modes)
    func transposingTwiceGivesTheOperatorBack(mode: ConvolutionMode) throws {
        let c = try Convolution<Double>(kernel: [1, 2, 3, 4], inputLength: 9, mode: mode, stride: 2, dilation: 2)
        #expect(c.transposed.transposed == c)
        let t = try TransposedConvolution<Float>(kernel: [1, -1, 2], stride: 3, inputLength: 4, mode: mode)
        #expect(t.transposed.transposed == t)
        let back: TransposedConvolution<Float> = t.transposed.transposed
        #expect(back.geometry == t.geometry && back.taps == t.taps)
        #expect(try TransposedConvolution(geometry: c.geometry, taps: c.taps) == c.transposed)
    }

    // MARK: - Nearest-neighbour up-sampling, and its fusion with a convolution

    @Test(arguments: [1, 2, 3], [1, 2, 5])
    func nearestNeighbourUpsamplingRepeatsSamples(k: Int, n: Int) throws {
        var rng = SplitMix64(seed: UInt64(k * 5 + n))
        let nn = try TransposedConvolution<Double>.nearestNeighbourUpsampling(factor: k, inputLength: n)
        let x: Tensor<Double> = try randomBatch(2, of: Shape([n]), using: &rng)
        for form in Form.allCases {
            let y = try nn.apply(x, form: form)
            #expect(y.shape.dims == [2, n * k])
            let repeated = x.scalars.flatMap { Array(repeating: $0, count: k) }
            #expect(y.scalars == repeated, "\(form)")
        }
        try expectFormsAgree(nn)
        try expectDotTest(nn)
    }

    /// The reference text's last section: "we can replace a repeat upsampler with factor 2 and a
    /// convolution with a kernel of size 3 by a transposed convolution with kernel size 4",
    /// the kernel being `(1 1) * q = (q0, q0+q1, q1+q2, q2)`.
    ///
    /// From `n = 2` on: for `n = 1` the up-sampled signal has 2 samples, shorter than either kernel, and
    /// numpy's `same` length `max(2n, K)` then differs between the 3-tap and the 4-tap kernel.
    @Test(arguments: [2, 3, 4, 6, 9])
    func nearestNeighbourThenConvolutionIsOneTransposedConvolution(n: Int) throws {
        // Symbolically.
        let fusedSymbolic = KernelFusion.fused([1, 1], symbolicKernelLength: 3)
        let nnD = try TransposedConvolution<Double>.nearestNeighbourUpsampling(factor: 2, inputLength: n)
        let convD = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 2 * n, mode: .same)
        let fusedD = try TransposedConvolution<Double>(kernel: [1, 2, 3, 4], stride: 2, inputLength: n, mode: .same)
        let inTurn = try convD.symbolic().multiplied(by: constantSymbolicMatrix(try nnD.dense()))
        let fused = substituting(fusedSymbolic, into: try fusedD.symbolic())
        expectMatricesEqual(fused, inTurn, "n \(n)")
        #expect(fused.entries.contains(q0 + q1) && fused.entries.contains(q1 + q2))

        // Numerically, both precisions.
        try checkFusion(Float.self, n: n)
        try checkFusion(Double.self, n: n)
    }

    private func checkFusion<S: BLASScalar>(_: S.Type, n: Int) throws {
        var rng = SplitMix64(seed: UInt64(n))
        let q: [S] = randomScalars(3, using: &rng)
        let nn = try TransposedConvolution<S>.nearestNeighbourUpsampling(factor: 2, inputLength: n)
        let inTurn = try nn.then(Convolution(kernel: q, inputLength: 2 * n, mode: .same))
        let fused = try TransposedConvolution(kernel: KernelFusion.fused([1, 1], q), stride: 2, inputLength: n, mode: .same)
        expectMatricesEqual(try fused.dense(), try inTurn.dense(), rtol: S.testRelativeTolerance, atol: S.testAbsoluteTolerance)
        let x: Tensor<S> = try randomBatch(3, of: Shape([n]), using: &rng)
        for form in Form.allCases {
            expectTensorsClose(try fused.apply(x, form: form), try inTurn.apply(x, form: .direct), "\(S.self) \(form)")
        }
    }

    // MARK: - Bad input

    @Test func badArgumentsThrow() {
        expectThrows(.invalidArgument, "stride 0") { try TransposedConvolution<Double>(kernel: [1, 2], stride: 0, inputLength: 3) }
        expectThrows(.invalidArgument, "negative stride") { try TransposedConvolution<Double>(kernel: [1], stride: -1, inputLength: 3) }
        expectThrows(.invalidArgument, "empty kernel") { try TransposedConvolution<Double>(kernel: [], stride: 2, inputLength: 3) }
        expectThrows(.invalidArgument, "dilation 0") {
            try TransposedConvolution<Double>(kernel: [1, 2], stride: 2, inputLength: 3, dilation: 0)
        }
        expectThrows(.invalidArgument, "empty input") { try TransposedConvolution<Double>(kernel: [1], stride: 2, inputLength: 0) }
        expectThrows(.invalidArgument, "kernel longer than the up-sampled valid-mode input") {
            try TransposedConvolution<Double>(kernel: [1, 2, 3, 4, 5], stride: 2, inputLength: 2, mode: .valid)
        }
        expectThrows(.overflow, "an up-sampled length that overflows") {
            try TransposedConvolution<Double>(kernel: [1], stride: Int.max, inputLength: 2)
        }
        expectThrows(.invalidArgument, "nearest-neighbour factor 0") {
            try TransposedConvolution<Double>.nearestNeighbourUpsampling(factor: 0, inputLength: 2)
        }
        expectThrows(.invalidArgument, "nearest-neighbour on nothing") {
            try TransposedConvolution<Double>.nearestNeighbourUpsampling(factor: 2, inputLength: 0)
        }
        expectThrows(.shapeMismatch, "taps that do not fill the weight") {
            try TransposedConvolution<Double>(geometry: ConvolutionGeometry.dsp(kernelLength: 3, inputLength: 4, mode: .full),
                                              taps: [1, 2])
        }
    }

    @Test func shapeMismatchOnApplyThrows() throws {
        let t = try TransposedConvolution<Float>(kernel: [1, 2, 3], stride: 2, inputLength: 3, mode: .full)
        for form in Form.allCases {
            expectThrows(.shapeMismatch, "\(form)") { try t.apply(Tensor(shape: Shape([2, 6]), repeating: 1), form: form) }
        }
    }
}
