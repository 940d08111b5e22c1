import ConvAlgebra
import Testing
import _TestSupport

/// The one mechanism for transposes that swap a stencil's terms (``SwappedStencil``), checked on every type
/// that uses it: the materialised transpose is the base's transposed entry for entry, the fast direct kernel
/// each type keeps computes that same matrix, and `(Aᵀ)ᵀ` is the operator itself, as values.
@Suite struct SwappedStencilTests {
    /// Everything the swap promises, for the transpose `t` of `t.base`.
    private func expectSwapped<T: SwappedStencil & Equatable>(_ t: T, _ name: String,
                                                               sourceLocation: SourceLocation = #_sourceLocation) throws
        where T.Base: Equatable {
        let a = t.base
        // Identity laws on the values: Aᵀ is the base's transpose, and (Aᵀ)ᵀ gives back the base and then Aᵀ.
        #expect(a.transposed == t, "\(name): base.transposed", sourceLocation: sourceLocation)
        #expect(t.transposed == a, "\(name): (Aᵀ)ᵀ = A", sourceLocation: sourceLocation)
        #expect(t.transposed.transposed == t, "\(name): ((Aᵀ)ᵀ)ᵀ = Aᵀ", sourceLocation: sourceLocation)
        #expect(t.domain == a.codomain && t.codomain == a.domain, "\(name): shapes", sourceLocation: sourceLocation)
        #expect(t.termCount == a.termCount && t.taps == a.taps, "\(name): terms", sourceLocation: sourceLocation)
        // The dense matrix of the transpose is the transpose of the base's dense matrix, entry for entry...
        let baseDense = try a.dense(budget: .unlimited)
        #expect(baseDense.rows == a.codomain.count && baseDense.columns == a.domain.count, sourceLocation: sourceLocation)
        #expect(baseDense.entries.contains { $0 != 0 }, "\(name): a test operator with no entries proves nothing",
                sourceLocation: sourceLocation)
        expectMatricesEqual(try t.dense(budget: .unlimited), baseDense.transposed(), "\(name): dense(Aᵀ) vs dense(A)ᵀ",
                            sourceLocation: sourceLocation)
        // ... and so is what the type's own direct kernel computes (probed into NaN-filled columns).
        expectMatricesEqual(try probedMatrix(t), baseDense.transposed(), rtol: 1e-5, atol: 1e-6,
                            "\(name): the direct kernel of Aᵀ vs dense(A)ᵀ", sourceLocation: sourceLocation)
        try expectTransposeIsLiteral(a, sourceLocation: sourceLocation)
        try expectFormsAgree(t, sourceLocation: sourceLocation)
        try expectDotTest(a, sourceLocation: sourceLocation)
        try expectDotTest(t, sourceLocation: sourceLocation)
    }

    @Test(arguments: Precision.allCases)
    func selectionTranspose(precision: Precision) throws { try checkSelection(precision.scalarType) }

    private func checkSelection<S: BLASScalar>(_: S.Type) throws {
        // Overlapping windows, so that two outputs route back to one input (the transpose adds them).
        let pool = try MaxPooling<S>(inputShape: [2, 5, 4], kernelSize: [2], stride: [1])
        var rng = SplitMix64(seed: 31)
        let x: Tensor<S> = try randomBatch(1, of: pool.domain, using: &rng)
        let j = try pool.jacobian(at: x)
        let t: SelectionTranspose<S> = j.transposed
        try expectSwapped(t, "SelectionTranspose")
        let explicit = try Selection<S>(domain: Shape([4]), codomain: Shape([3]), sources: [2, -1, 2])
        try expectSwapped(explicit.transposed, "SelectionTranspose with a zero row and a repeated source")
    }

    @Test(arguments: Precision.allCases)
    func averagePoolingTranspose(precision: Precision) throws { try checkAverage(precision.scalarType) }

    private func checkAverage<S: BLASScalar>(_: S.Type) throws {
        for (size, kernel, stride, padding) in [([7], [3], [2], [1]), ([5, 6], [2], [2], [0]), ([3, 4, 5], [2], [1], [1])] {
            let p = try AveragePooling<S>(inputShape: [2] + size, kernelSize: kernel, stride: stride, padding: padding,
                                          ceilMode: true, countIncludePad: false)
            let t: AveragePoolingTranspose<S> = p.transposed
            try expectSwapped(t, "AveragePoolingTranspose \(size)")
        }
    }

    @Test(arguments: Precision.allCases)
    func nearestUpsamplingTranspose(precision: Precision) throws { try checkNearest(precision.scalarType) }

    private func checkNearest<S: BLASScalar>(_: S.Type) throws {
        // Up to three dimensions the transpose runs the box-sum kernel; four run the convolution's transpose.
        for (size, scale) in [([4], [3]), ([3, 2], [2, 3]), ([2, 2, 1, 2], [2])] {
            let u = try NearestUpsampling<S>(inputShape: [2] + size, scale: scale)
            let t: NearestUpsamplingTranspose<S> = u.transposed
            try expectSwapped(t, "NearestUpsamplingTranspose \(size) × \(scale)")
        }
    }

    @Test(arguments: Precision.allCases)
    func interpolationTranspose(precision: Precision) throws { try checkInterpolation(precision.scalarType) }

    private func checkInterpolation<S: BLASScalar>(_: S.Type) throws {
        for (size, scale) in [([5], [2]), ([3, 4], [2, 3]), ([1, 2, 2], [2])] {
            let i = try Interpolation<S>(inputShape: [2] + size, scale: scale)
            let t: InterpolationTranspose<S> = i.transposed
            try expectSwapped(t, "InterpolationTranspose \(size) × \(scale)")
        }
    }

    @Test(arguments: Precision.allCases)
    func transposedWeightGradient(precision: Precision) throws { try checkWeightGradient(precision.scalarType) }

    private func checkWeightGradient<S: BLASScalar>(_: S.Type) throws {
        var rng = SplitMix64(seed: 41)
        let conv = try ConvolutionLayer<S>(inputShape: [2, 7], weightShape: [4, 1, 3], weight: randomScalars(12, using: &rng),
                                           stride: [2], padding: .symmetric([1]), groups: 2)
        let b = try conv.weightGradient(at: randomScalars(conv.domain.count, using: &rng))
        let t: TransposedWeightGradient<S> = b.transposed
        try expectSwapped(t, "TransposedWeightGradient of a convolution")
        let deconv = try TransposedConvolutionLayer<S>(inputShape: [2, 3, 3], weightShape: [2, 3, 2, 2],
                                                       weight: randomScalars(24, using: &rng), stride: [2])
        let bt = try deconv.weightGradient(at: randomScalars(deconv.domain.count, using: &rng))
        try expectSwapped(bt.transposed, "TransposedWeightGradient of a transposed convolution")
    }

    /// The other users of the mechanism: ↑k = ↓kᵀ, the crop and the border fold.
    @Test func resamplingAndPaddingTransposes() throws {
        let d = try Downsample<Double>(factor: 3, phase: 1, inputLength: 11)
        try expectSwapped(d.transposed, "Upsample")
        #expect(d.transposed == (try Upsample<Double>(factor: 3, phase: 1, outputLength: 11)))
        let u = try Upsample<Float>(factor: 2, inputLength: 4)
        #expect(u.factor == 2 && u.phase == 0 && u.inputLength == 4 && u.outputLength == 8)
        try expectSwapped(u, "Upsample(factor:inputLength:)")
        let z = try ZeroPadding<Double>(inputSize: [3, 2], begin: [1, 0], end: [2, 1], channels: 2, hasChannelAxis: true)
        try expectSwapped(z.transposed, "Crop")
        let crop = try Crop<Double>(inputSize: [6, 3], begin: [1, 0], end: [2, 1], channels: 2, hasChannelAxis: true)
        #expect(crop == z.transposed && crop.geometry == z.geometry)
        for mode in [PaddingMode.circular, .reflect, .replicate] {
            let p = try BorderPadding<Float>(inputSize: [4, 3], begin: [2, 1], end: [1, 2], mode: mode)
            try expectSwapped(p.transposed, "BorderFold \(mode)")
        }
    }
}
