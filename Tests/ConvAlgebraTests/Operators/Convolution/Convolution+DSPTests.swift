import ConvAlgebra
import Testing
import _TestSupport

// The reference text's kernel q = (q0, q1, q2), entry by entry.
private let q0 = SymbolicEntry(tap: 0), q1 = SymbolicEntry(tap: 1), q2 = SymbolicEntry(tap: 2)
private let o = SymbolicEntry.zero

/// The DSP constructors `Convolution(kernel:inputLength:mode:stride:dilation:)`: numpy modes,
/// `↓k (q * x)` and `(↑d q) * x`, checked against the reference text and against their definitions as
/// compositions of the primitives.
@Suite struct ConvolutionDSPTests {
    static let modes = ConvolutionMode.allCases

    // MARK: - The reference text

    @Test func referenceMatrixOfQConvolvedWithX() throws {
        // "q * x = (q1 q0 0 0 / q2 q1 q0 0 / 0 q2 q1 q0 / 0 0 q2 q1) x" for K = 3, n = 4.
        let c = try Convolution<Double>(kernel: [0.5, -2, 3], inputLength: 4, mode: .same)
        let expected = SymbolicMatrix([[q1, q0, o, o], [q2, q1, q0, o], [o, q2, q1, q0], [o, o, q2, q1]])
        expectMatricesEqual(try c.symbolic(), expected)
        #expect(c.domain.dims == [4] && c.codomain.dims == [4])
    }

    @Test func referenceMatrixPrintsAsInTheText() throws {
        let c = try Convolution<Float>(kernel: [1, 2, 3], inputLength: 4, mode: .same)
        #expect(try c.symbolic().description == "q1  q0   0   0\nq2  q1  q0   0\n 0  q2  q1  q0\n 0   0  q2  q1")
    }

    @Test func symbolicMatrixEvaluatesToTheDenseMatrix() throws {
        var rng = SplitMix64(seed: 11)
        for mode in Self.modes {
            let q: [Double] = randomScalars(4, using: &rng)
            let c = try Convolution(kernel: q, inputLength: 7, mode: mode, stride: 2, dilation: 2)
            expectMatricesEqual(try c.symbolic().evaluated(taps: q), try c.dense(), "\(mode)")
        }
    }

    // MARK: - Lengths and the definitions of the modes

    @Test(arguments: modes, [1, 2, 3, 4, 6, 9])
    func lengthsFollowNumPy(mode: ConvolutionMode, K: Int) throws {
        for n in [1, 2, 5, 8] {
            for d in [1, 2] {
                let Kd = (K - 1) * d + 1
                if mode == .valid && Kd > n {
                    expectThrows(.invalidArgument, "valid, K_d \(Kd) > n \(n)") {
                        try Convolution<Double>(kernel: Array(repeating: 1, count: K), inputLength: n, mode: mode, dilation: d)
                    }
                    continue
                }
                for k in [1, 2, 3] {
                    let c = try Convolution<Double>(kernel: Array(repeating: 1, count: K), inputLength: n, mode: mode,
                                                    stride: k, dilation: d)
                    let unstrided = switch mode {
                    case .full: n + Kd - 1
                    case .same: max(n, Kd)
                    case .valid: n - Kd + 1
                    case .circular: n
                    }
                    #expect(c.codomain.dims == [(unstrided + k - 1) / k], "mode \(mode) n \(n) K \(K) d \(d) k \(k)")
                    #expect(c.domain.dims == [n])
                }
            }
        }
    }

    /// `same` is the centred window of `full`, `valid` the window where the kernel is inside, both
    /// as compositions with ↓1 of a phase: checks the offsets against the full-mode matrix.
    @Test(arguments: [1, 2, 3, 4, 7], [1, 3, 4, 6, 9])
    func sameAndValidAreWindowsOfFull(K: Int, n: Int) throws {
        var rng = SplitMix64(seed: UInt64(K * 100 + n))
        let q: [Double] = randomIntegerScalars(K, using: &rng)
        let full = try Convolution(kernel: q, inputLength: n, mode: .full).dense()
        let same = try Convolution(kernel: q, inputLength: n, mode: .same).dense()
        let start = (min(n, K) - 1) / 2
        #expect(same.rows == max(n, K))
        for r in 0..<same.rows { for c in 0..<n { #expect(same[r, c] == full[r + start, c], "same (\(r), \(c))") } }
        if K <= n {
            let valid = try Convolution(kernel: q, inputLength: n, mode: .valid).dense()
            #expect(valid.rows == n - K + 1)
            for r in 0..<valid.rows { for c in 0..<n { #expect(valid[r, c] == full[r + K - 1, c], "valid (\(r), \(c))") } }
        }
    }

    /// Circular mode is the full-mode convolution folded modulo n and re-centred, `CLI.md`'s
    /// `y[i] = Σ_t q[t] x[(i + (K−1)//2 − t) mod n]`, which equals `same` in the interior.
    @Test(arguments: [1, 2, 3, 4, 8], [1, 2, 3, 5, 8])
    func circularIsFullFoldedModuloN(K: Int, n: Int) throws {
        var rng = SplitMix64(seed: UInt64(K * 31 + n))
        let q: [Double] = randomIntegerScalars(K, using: &rng)
        let full = try Convolution(kernel: q, inputLength: n, mode: .full).dense()
        let circular = try Convolution(kernel: q, inputLength: n, mode: .circular).dense()
        var folded = try DenseMatrix<Double>(zeros: n, n)
        let shift = (K - 1) / 2
        for r in 0..<full.rows {
            let i = ((r - shift) % n + n) % n
            for c in 0..<n { folded[i, c] += full[r, c] }
        }
        expectMatricesEqual(circular, folded, "K \(K) n \(n)")
    }

    // MARK: - Strided and dilated forms are their compositions

    @Test(arguments: modes, [2, 3, 4])
    func stridedIsConvolutionThenDownsample(mode: ConvolutionMode, k: Int) throws {
        var rng = SplitMix64(seed: UInt64(k))
        for (n, K, d) in [(9, 3, 1), (8, 4, 2), (5, 1, 1), (10, 2, 3)] {
            let q: [Double] = randomIntegerScalars(K, using: &rng)
            let strided = try Convolution(kernel: q, inputLength: n, mode: mode, stride: k, dilation: d)
            let c = try Convolution(kernel: q, inputLength: n, mode: mode, dilation: d)
            let composed = try c.then(Downsample(factor: k, inputLength: c.codomain.count))
            expectMatricesEqual(try strided.dense(), try composed.dense(), "\(mode) n \(n) K \(K) d \(d) k \(k): dense")
            expectMatricesEqual(try strided.sparse(), try composed.sparse(), "\(mode) n \(n) K \(K) d \(d) k \(k): sparse")
            expectMatricesEqual(try strided.symbolic(), try composed.symbolic(), "\(mode) n \(n) K \(K) d \(d) k \(k): symbolic")
        }
    }

    /// `(↑d q) * x`: the dilated convolution equals the plain convolution with the zero-interleaved kernel
    /// `↑d q` of length `(K−1)·d + 1` (the reference text's definition, and `CLI.md`'s centring).
    @Test(arguments: modes, [2, 3])
    func dilatedIsConvolutionWithUpsampledKernel(mode: ConvolutionMode, d: Int) throws {
        var rng = SplitMix64(seed: UInt64(d * 7))
        for (n, K) in [(12, 3), (9, 2), (16, 4), (5, 3)] {
            let q: [Double] = randomIntegerScalars(K, using: &rng)
            let upKernel = try Upsample<Double>(factor: d, inputLength: K).apply(Tensor(shape: [K], scalars: q))
                .scalars.prefix((K - 1) * d + 1)
            let Kd = upKernel.count
            if mode == .valid && Kd > n {
                expectThrows(.invalidArgument) { try Convolution(kernel: q, inputLength: n, mode: mode, dilation: d) }
                continue
            }
            let dilated = try Convolution(kernel: q, inputLength: n, mode: mode, dilation: d)
            let plain = try Convolution(kernel: Array(upKernel), inputLength: n, mode: mode)
            expectMatricesEqual(try dilated.dense(), try plain.dense(), "\(mode) n \(n) K \(K) d \(d)")
        }
    }

    // MARK: - Forms, dot test, transpose

    @Test(arguments: modes, Precision.allCases)
    func formsAgreeAndDotTestHolds(mode: ConvolutionMode, precision: Precision) throws {
        try check(precision.scalarType, mode: mode)
    }

    private func check<S: BLASScalar>(_: S.Type, mode: ConvolutionMode) throws {
        var rng = SplitMix64(seed: 5)
        for (n, K) in [(1, 1), (6, 3), (7, 4), (16, 5), (3, 8), (33, 2)] {
            for k in [1, 2, 3] {
                for d in [1, 2] {
                    if mode == .valid && (K - 1) * d + 1 > n { continue }  // the error is checked in lengthsFollowNumPy
                    let q: [S] = randomScalars(K, using: &rng)
                    let c = try Convolution(kernel: q, inputLength: n, mode: mode, stride: k, dilation: d)
                    try expectFormsAgree(c)
                    try expectFormsAgree(c.transposed)
                    try expectDotTest(c)
                    try expectDotTest(c, form: .sparse)
                    try expectTransposeIsLiteral(c)
                    expectMatricesEqual(try probedMatrix(c), try c.dense(), rtol: S.testRelativeTolerance,
                                        atol: S.testAbsoluteTolerance, "probed direct form vs dense, n \(n) K \(K) k \(k) d \(d)")
                }
            }
        }
    }

    @Test func multiDimensionalBatchesApplySampleBySample() throws {
        var rng = SplitMix64(seed: 3)
        let c = try Convolution<Double>(kernel: randomScalars(3, using: &rng), inputLength: 5, mode: .same, stride: 2)
        let x: Tensor<Double> = try randomTensor([2, 3, 5], using: &rng)
        for form in Form.allCases {
            let y = try c.apply(x, form: form)
            #expect(y.shape.dims == [2, 3, 3])
            for s in 0..<6 {
                let one = try c.apply(Tensor(shape: [5], scalars: Array(x.scalars[(s * 5)..<(s * 5 + 5)])), form: form)
                expectAllClose(Array(y.scalars[(s * 3)..<(s * 3 + 3)]), one.scalars, "\(form) sample \(s)")
            }
        }
    }

    // MARK: - Bad input

    @Test func badArgumentsThrow() {
        expectThrows(.invalidArgument, "kernel longer than a valid-mode input") {
            try Convolution<Double>(kernel: [1, 2, 3, 4], inputLength: 3, mode: .valid)
        }
        expectThrows(.invalidArgument, "dilated kernel longer than a valid-mode input") {
            try Convolution<Double>(kernel: [1, 2], inputLength: 3, mode: .valid, dilation: 3)
        }
        expectThrows(.invalidArgument, "empty kernel") { try Convolution<Float>(kernel: [], inputLength: 3) }
        expectThrows(.invalidArgument, "stride 0") { try Convolution<Float>(kernel: [1], inputLength: 3, stride: 0) }
        expectThrows(.invalidArgument, "negative stride") { try Convolution<Float>(kernel: [1], inputLength: 3, stride: -2) }
        expectThrows(.invalidArgument, "dilation 0") { try Convolution<Float>(kernel: [1, 1], inputLength: 3, dilation: 0) }
        expectThrows(.invalidArgument, "empty input") { try Convolution<Float>(kernel: [1], inputLength: 0) }
        expectThrows(.overflow, "a dilated kernel length that overflows") {
            try Convolution<Float>(kernel: [1, 1, 1], inputLength: 3, dilation: Int.max / 2 + 1)
        }
    }

    @Test func shapeMismatchOnApplyThrows() throws {
        let c = try Convolution<Double>(kernel: [1, 2, 3], inputLength: 5, mode: .same)
        for form in Form.allCases {
            expectThrows(.shapeMismatch, "\(form)") { try c.apply(Tensor(shape: Shape([2, 4]), repeating: 1), form: form) }
            expectThrows(.shapeMismatch, "\(form), transposed") { try c.applyTransposed(Tensor(shape: Shape([6]), repeating: 1), form: form) }
        }
    }

    // MARK: - Kernel fusion

    @Test func fusedKernelOfOnesAndQIsTheReferenceKernel() {
        // "(1 1) * q = (q0, q0+q1, q1+q2, q2)".
        #expect(KernelFusion.fused([1, 1], symbolicKernelLength: 3) == [q0, q0 + q1, q1 + q2, q2])
        #expect(KernelFusion.fused([1, 1], symbolicKernelLength: 3).map(\.description) == ["q0", "q0+q1", "q1+q2", "q2"])
    }

    @Test(arguments: [1, 2, 3, 5], [1, 3, 4])
    func fusedKernelConvolvesLikeTheTwoKernelsInTurn(A: Int, B: Int) throws {
        var rng = SplitMix64(seed: UInt64(A * 10 + B))
        let a: [Double] = randomScalars(A, using: &rng), b: [Double] = randomScalars(B, using: &rng)
        let n = 7
        let inTurn = try Convolution(kernel: b, inputLength: n, mode: .full)
            .then(Convolution(kernel: a, inputLength: n + B - 1, mode: .full))
        let fused = try Convolution(kernel: KernelFusion.fused(a, b), inputLength: n, mode: .full)
        expectMatricesEqual(try fused.dense(), try inTurn.dense(), rtol: 1e-12, atol: 1e-12)
        #expect(KernelFusion.fused(a, b).count == A + B - 1)
        let symbolic = KernelFusion.fused(a, symbolicKernelLength: B)
        expectAllClose(symbolic.map { $0.value(taps: b) }, KernelFusion.fused(a, b), rtol: 1e-12, atol: 1e-12)
        #expect(KernelFusion.fused([Double](), b).isEmpty)
    }
}
