import ConvAlgebra
import _TestSupport
import Testing

struct PaddingCase: Sendable, CustomTestStringConvertible {
    var input: [Int]   // (C, n…)
    var begin: [Int]
    var end: [Int]
    var mode: PaddingMode
    var testDescription: String { "\(mode) \(input) +\(begin)/\(end)" }

    static let all: [PaddingCase] = PaddingMode.allCases.flatMap { m in [
        PaddingCase(input: [2, 5], begin: [3], end: [1], mode: m),
        PaddingCase(input: [1, 4], begin: [m == .reflect ? 3 : 4], end: [m == .reflect ? 3 : 4], mode: m),
        PaddingCase(input: [2, 3, 4], begin: [1, 0], end: [2, 3], mode: m),
        PaddingCase(input: [1, 2, 3, 3], begin: [1, 1, 2], end: [0, 1, 1], mode: m),
    ] }
}

@Suite struct PaddingTests {
    func op(_ c: PaddingCase) throws -> any LinearOperator<Double> {
        try PaddingGeometry(inputSize: Array(c.input.dropFirst()), begin: c.begin, end: c.end, mode: c.mode,
                            channels: c.input[0], hasChannelAxis: true).padding(Double.self)
    }

    @Test(arguments: PaddingCase.all)
    func matchesFPadAndMaterialisesAndTransposes(_ c: PaddingCase) throws {
        let p = try op(c)
        var rng = LayerRNG(seed: 21)
        let x: [Double] = rng.array(p.domain.count)
        let y = try p.apply(Tensor(shape: p.domain, scalars: x))
        let ref = LayerReference.pad(x, shape: c.input, begin: c.begin, end: c.end, mode: c.mode)
        #expect(y.shape.dims == ref.shape)
        #expect(y.scalars == ref.values)
        try expectFormsAgree(p); try expectFormsAgree(p.anyTransposed)
        try expectDotTest(p)
        try expectLiteralTranspose(p)
        let pf = try PaddingGeometry(inputSize: Array(c.input.dropFirst()), begin: c.begin, end: c.end, mode: c.mode,
                                     channels: c.input[0], hasChannelAxis: true).padding(Float.self)
        try expectFormsAgree(pf); try expectFormsAgree(pf.anyTransposed)
        // Every padded sample copies one input sample (or is an added zero): one entry per row at most.
        let s = try p.sparse(budget: .unlimited)
        // The counted terms (no enumeration) are the enumerated ones, for the padding and its transpose.
        let g = try PaddingGeometry(inputSize: Array(c.input.dropFirst()), begin: c.begin, end: c.end, mode: c.mode,
                                    channels: c.input[0], hasChannelAxis: true)
        var enumerated = 0
        g.forEachTerm { _, _ in enumerated += 1 }
        #expect(g.termCount == enumerated && s.nonzeroCount == enumerated)
        #expect((0..<s.rows).allSatisfy { s.rowOffsets[$0 + 1] - s.rowOffsets[$0] <= 1 })
        // The fold keeps the sum: Σ Pᵀ ỹ = Σ over copied samples of ỹ; for non-zero modes every sample is a copy.
        if c.mode != .zeros {
            let ones = Tensor<Double>(shape: p.codomain, repeating: 1)
            let folded = try p.transposed.apply(ones)
            #expect(folded.scalars.reduce(0, +) == Double(p.codomain.count))
        }
    }

    /// A padding by 2⁴⁰ is counted, not enumerated (its map alone would be 8 TB): what the budget checks and the
    /// rewriter's pricing ask before anything is allocated.
    @Test func aHugePaddingIsCountedWithoutEnumerating() throws {
        let b = try BorderPadding<Float>(inputSize: [4], begin: [1 << 40], end: [1 << 40], mode: .replicate)
        #expect(b.termCount == (1 << 41) + 4 && b.transposed.termCount == b.termCount)
        let z = try ZeroPadding<Float>(inputSize: [3, 4], begin: [1 << 40, 0], end: [0, 1 << 20], channels: 2, hasChannelAxis: true)
        #expect(z.termCount == 2 * 3 * 4 && z.transposed.termCount == z.termCount)
        expectThrows(.exceedsMemoryBudget) { try b.transposed.sparse(budget: MemoryBudget(bytes: 1 << 20)) }
    }

    @Test func closedTransposeTypes() throws {
        let z = try ZeroPadding<Double>(inputSize: [4, 3], begin: [1, 0], end: [0, 2], channels: 2, hasChannelAxis: true)
        let crop: Crop<Double> = z.transposed
        #expect(crop.transposed == z)
        #expect(crop.domain.dims == [2, 5, 5] && crop.codomain.dims == [2, 4, 3])
        let direct = try Crop<Double>(inputSize: [5, 5], begin: [1, 0], end: [0, 2], channels: 2, hasChannelAxis: true)
        #expect(direct == crop)
        for mode in [PaddingMode.circular, .reflect, .replicate] {
            let b = try BorderPadding<Float>(inputSize: [4], begin: [2], end: [1], mode: mode)
            let fold: BorderFold<Float> = b.transposed
            #expect(fold.transposed == b)
        }
        // The crop of zero padding by the same amounts is the identity.
        var rng = LayerRNG(seed: 2)
        let x = try rng.tensor([3, 2, 4, 3], Double.self)
        #expect(try crop.apply(z.apply(x)) == x)
    }

    @Test func pyTorchLimitsAreErrors() throws {
        #expect(throws: ConvAlgebraError.self) { try BorderPadding<Double>(inputSize: [3], begin: [3], end: [0], mode: .reflect) }
        #expect(throws: ConvAlgebraError.self) { try BorderPadding<Double>(inputSize: [3], begin: [0], end: [4], mode: .circular) }
        #expect(throws: ConvAlgebraError.self) { try BorderPadding<Double>(inputSize: [3], begin: [1], end: [1], mode: .zeros) }
        #expect(throws: ConvAlgebraError.self) { try ZeroPadding<Double>(inputSize: [3], begin: [-1], end: [0]) }
        #expect(throws: ConvAlgebraError.self) { try ZeroPadding<Double>(inputSize: [3, 3], begin: [1], end: [0]) }
        #expect(throws: ConvAlgebraError.self) { try Crop<Double>(inputSize: [3], begin: [2], end: [2]) }
        #expect(throws: ConvAlgebraError.self) { try BorderPadding<Double>(inputSize: [0], begin: [1], end: [0], mode: .replicate) }
        // The limits themselves are allowed.
        _ = try BorderPadding<Double>(inputSize: [3], begin: [2], end: [2], mode: .reflect)
        _ = try BorderPadding<Double>(inputSize: [3], begin: [3], end: [3], mode: .circular)
    }
}
