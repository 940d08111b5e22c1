import ConvAlgebra
import Testing
import _TestSupport

@Suite struct TensorFactoriesTests {
    @Test func zerosHasTheShapeAndOnlyZeros() throws {
        let z = try Tensor<Float>.zeros(shape: [2, 3, 4])
        #expect(z.shape.dims == [2, 3, 4] && z.scalars.count == 24 && z.scalars.allSatisfy { $0 == 0 })
        #expect(try Tensor<Double>.zeros(shape: [0, 5]).scalars.isEmpty)
        expectThrows(.invalidArgument) { try Tensor<Double>.zeros(shape: [-1]) }
        expectThrows(.overflow) { try Tensor<Double>.zeros(shape: [1 << 40, 1 << 40]) }
    }

    /// A size past the budget is refused before anything is allocated (2^40 doubles would be 8 TiB).
    @Test func sizesAreBudgetedBeforeAllocation() {
        expectThrows(.exceedsMemoryBudget) { try Tensor<Double>.zeros(shape: [1 << 20, 1 << 20]) }
        expectThrows(.exceedsMemoryBudget) { try Tensor<Float>.random(shape: [1 << 20, 1 << 20], seed: 1) }
        expectThrows(.exceedsMemoryBudget) { try Tensor<Float>.zeros(shape: [1024], budget: MemoryBudget(bytes: 4095)) }
    }

    /// Double values are the SplitMix64 stream's `nextSigned()`, the documented formula, one per output.
    @Test func doubleValuesAreTheSeededStream() throws {
        let t = try Tensor<Double>.random(shape: [3, 5], seed: 42)
        var rng = SplitMix64(seed: 42)
        #expect(t.scalars == (0..<15).map { _ in rng.nextSigned() })
        #expect(try Tensor<Double>.random(shape: [3, 5], seed: 42) == t)
        #expect(try Tensor<Double>.random(shape: [3, 5], seed: 43) != t)
    }

    /// Float values take the top 24 bits, so each is exact and the interval stays half-open.
    @Test func floatValuesAreTheTop24Bits() throws {
        let t = try Tensor<Float>.random(shape: [1000], seed: 7)
        var rng = SplitMix64(seed: 7)
        #expect(t.scalars == (0..<1000).map { _ in Float(rng.next() >> 40) * 0x1p-23 - 1 })
    }

    /// Uniform on [−1, 1): every value in range, and the sample's mean and variance near 0 and 1/3.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func valuesAreUniformOnMinusOneToOne(seed: UInt64) throws {
        for values in [try Tensor<Double>.random(shape: [20_000], seed: seed).scalars,
                       try Tensor<Float>.random(shape: [20_000], seed: seed).scalars.map(Double.init)] {
            #expect(values.allSatisfy { $0 >= -1 && $0 < 1 })
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
            #expect(abs(mean) < 0.02 && abs(variance - 1.0 / 3) < 0.02, "mean \(mean), variance \(variance)")
            #expect(values.contains { $0 < -0.99 } && values.contains { $0 > 0.99 })
        }
    }
}
