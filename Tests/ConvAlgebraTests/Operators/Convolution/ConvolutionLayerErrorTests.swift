import ConvAlgebra
import Testing

@Suite struct ConvolutionLayerErrorTests {
    typealias Layer = ConvolutionLayer<Double>
    typealias TLayer = TransposedConvolutionLayer<Double>

    func conv(input: [Int] = [4, 8, 8], weight: [Int] = [2, 2, 3, 3], bias: Int? = nil, stride: [Int] = [1],
              padding: LayerPadding = .valid, dilation: [Int] = [1], groups: Int = 2, mode: PaddingMode = .zeros) throws -> Layer {
        let count = weight.reduce(1) { $0 * max($1, 0) }
        return try Layer(inputShape: input, weightShape: weight, weight: Array(repeating: 0.5, count: count),
                         bias: bias.map { Array(repeating: 1, count: $0) }, stride: stride, padding: padding,
                         dilation: dilation, groups: groups, paddingMode: mode)
    }

    func convT(input: [Int] = [4, 5, 5], weight: [Int] = [4, 3, 3, 3], bias: Int? = nil, stride: [Int] = [2],
               padding: [Int] = [1], outputPadding: [Int] = [0], dilation: [Int] = [1], groups: Int = 2) throws -> TLayer {
        let count = weight.reduce(1) { $0 * max($1, 0) }
        return try TLayer(inputShape: input, weightShape: weight, weight: Array(repeating: 0.5, count: count),
                          bias: bias.map { Array(repeating: 1, count: $0) }, stride: stride, padding: .symmetric(padding),
                          outputPadding: outputPadding, dilation: dilation, groups: groups)
    }

    @Test func validConfigurationsBuild() throws {
        #expect(try conv().outputShape == [2, 6, 6])
        #expect(try conv(bias: 2).outputShape == [2, 6, 6])
        #expect(try convT(bias: 6).outputShape == [6, 9, 9])
    }

    @Test func badConvolutionArgumentsThrow() {
        let bad: [() throws -> Layer] = [
            { try self.conv(weight: [2, 2, 3]) },                 // weight of the wrong rank
            { try self.conv(weight: [2, 3, 3, 3]) },              // wrong channel count per group
            { try self.conv(input: [3, 8, 8], weight: [2, 4, 3, 3], groups: 1) }, // C_in/G = 4 but 3 channels
            { try self.conv(bias: 3) },                           // bias of the wrong length
            { try self.conv(stride: [0]) }, { try self.conv(stride: [-1, 1]) },
            { try self.conv(dilation: [0]) }, { try self.conv(groups: 0) }, { try self.conv(groups: -2) },
            { try self.conv(weight: [2, 2, 0, 3]) },              // zero kernel size
            { try self.conv(weight: [2, 2, -3, 3]) },             // negative kernel size
            { try self.conv(padding: .symmetric([-1])) }, { try self.conv(padding: .explicit(begin: [0, 0], end: [0, -2])) },
            { try self.conv(weight: [3, 2, 3, 3], groups: 2) },   // groups not dividing C_out
            { try self.conv(input: [3, 8, 8], weight: [2, 1, 3, 3], groups: 2) }, // groups not dividing C_in
            { try self.conv(weight: [2, 2, 9, 3]) },              // kernel larger than the (unpadded) input
            { try self.conv(weight: [2, 2, 5, 3], padding: .symmetric([2]), dilation: [3, 1]) }, // dilated kernel 13 > 12
            { try self.conv(stride: [2], padding: .same) },       // 'same' with a stride
            { try self.conv(padding: .symmetric([8]), mode: .reflect) }, // reflect needs pad < n
            { try self.conv(padding: .symmetric([9]), mode: .circular) }, // circular needs pad ≤ n
            { try self.conv(stride: [1, 1, 1]) },                 // a list of the wrong length
            { try self.conv(input: [4]) },                        // no spatial dimension
            { try self.conv(input: [4, 0, 8]) },                  // empty input
        ]
        for (i, make) in bad.enumerated() {
            #expect(throws: ConvAlgebraError.self, "case \(i)") { _ = try make() }
        }
    }

    @Test func badTransposedConvolutionArgumentsThrow() {
        let bad: [() throws -> TLayer] = [
            { try self.convT(weight: [4, 3, 3]) },                // wrong rank
            { try self.convT(weight: [3, 3, 3, 3]) },             // first extent ≠ C_in
            { try self.convT(bias: 3) },                          // bias length ≠ C_out = 6
            { try self.convT(stride: [0]) }, { try self.convT(dilation: [-1]) }, { try self.convT(groups: 0) },
            { try self.convT(groups: 3) },                        // groups not dividing C_in
            { try self.convT(weight: [4, 3, 0, 3]) },
            { try self.convT(padding: [-1]) },
            { try self.convT(outputPadding: [2]) },               // ≥ stride 2 and ≥ dilation 1
            { try self.convT(outputPadding: [-1]) },
            { try self.convT(stride: [1], padding: [4]) },        // output size 5 − 8 + 2 = −1
        ]
        for (i, make) in bad.enumerated() {
            #expect(throws: ConvAlgebraError.self, "case \(i)") { _ = try make() }
        }
        #expect(throws: ConvAlgebraError.self) {
            try TLayer(inputShape: [4, 5, 5], weightShape: [4, 3, 3, 3], weight: Array(repeating: 0, count: 108), padding: .same)
        }
        // output padding below the dilation is allowed even at stride 1.
        #expect(throws: Never.self) { _ = try self.convT(stride: [1], outputPadding: [1], dilation: [2]) }
    }

    @Test func badInputsToForwardAndBackwardThrow() throws {
        let l = try conv(bias: 2)
        #expect(throws: ConvAlgebraError.self) { try l.forward(Tensor<Double>(shape: try Shape([1, 4, 8, 7]), repeating: 0)) }
        #expect(throws: ConvAlgebraError.self) { try l.forward(Tensor<Double>(shape: try Shape([1, 3, 8, 8]), repeating: 0)) }
        #expect(throws: ConvAlgebraError.self) {
            try l.backward(input: Tensor<Double>(shape: try Shape([2, 4, 8, 8]), repeating: 0), outputGradient: Tensor<Double>(shape: try Shape([3, 2, 6, 6]), repeating: 0))
        }
        #expect(throws: ConvAlgebraError.self) { try l.weightGradient(at: [1, 2, 3]) }
        let t = try convT()
        #expect(throws: ConvAlgebraError.self) {
            try t.backward(input: Tensor<Double>(shape: try Shape([1, 4, 5, 5]), repeating: 0), outputGradient: Tensor<Double>(shape: try Shape([1, 6, 8, 9]), repeating: 0))
        }
    }

    @Test func denseOverTheBudgetIsRefusedWhileSparseAndDirectRun() throws {
        // 4 → 4 channels, 3×3, over 32×32: a 4096 × 4096 matrix (128 MiB in Double); budget 16 MiB.
        var rng = LayerRNG(seed: 31)
        let w: [Double] = rng.array(4 * 4 * 9)
        let layer = try Layer(inputShape: [4, 32, 32], weightShape: [4, 4, 3, 3], weight: w, padding: .symmetric([1]))
        let budget = MemoryBudget(bytes: 16 << 20)
        let x = try rng.tensor([2, 4, 32, 32], Double.self)
        #expect {
            _ = try layer.forward(x, form: .dense, budget: budget)
        } throws: { e in
            guard case .exceedsMemoryBudget(_, let bytes, let limit)? = e as? ConvAlgebraError else { return false }
            return bytes == 4096 * 4096 * 8 && limit == 16 << 20
        }
        #expect(throws: ConvAlgebraError.self) { try layer.linear.dense(budget: budget) }
        let sparse = try layer.forward(x, form: .sparse, budget: budget)
        let direct = try layer.forward(x, form: .direct, budget: budget)
        expectClose(sparse.scalars, direct.scalars, tol: 1e-12, "sparse vs direct under the budget")
        // The same refusal through the composite (reflect) and the transposed layer.
        let reflect = try Layer(inputShape: [4, 32, 32], weightShape: [4, 4, 3, 3], weight: w, padding: .symmetric([1]), paddingMode: .reflect)
        #expect(throws: ConvAlgebraError.self) { try reflect.forward(x, form: .dense, budget: budget) }
        _ = try reflect.forward(x, form: .sparse, budget: budget)
        let t = try TLayer(inputShape: [4, 16, 16], weightShape: [4, 4, 4, 4], weight: rng.array(256), stride: [2], padding: .symmetric([1]))
        let xt = try rng.tensor([1, 4, 16, 16], Double.self)
        #expect(throws: ConvAlgebraError.self) { try t.forward(xt, form: .dense, budget: MemoryBudget(bytes: 4 << 20)) }
        expectClose(try t.forward(xt, form: .sparse, budget: MemoryBudget(bytes: 4 << 20)).scalars, try t.forward(xt).scalars,
                    tol: 1e-12, "transposed sparse vs direct")
    }

    @Test func denseOverTheDefaultBudgetIsRefused() throws {
        // 1 → 1 channel, 3×3 over 256×256: a 65536² matrix, 32 GiB in Double, over the default budget
        // (half the physical memory) on this machine and any machine with less than 64 GiB.
        #expect(MemoryBudget.default.bytes < 32 << 30)
        let layer = try ConvolutionLayer<Double>(inputShape: [1, 256, 256], weightShape: [1, 1, 3, 3],
                                                weight: Array(repeating: 1, count: 9), padding: .same)
        let x = Tensor<Double>(shape: try Shape([1, 1, 256, 256]), repeating: 1)
        #expect(throws: ConvAlgebraError.self) { try layer.forward(x, form: .dense) }
        let direct = try layer.forward(x)
        let sparse = try layer.forward(x, form: .sparse)
        #expect(direct == sparse)
        #expect(direct.scalars[257] == 9 && direct.scalars[0] == 4)
    }
}
