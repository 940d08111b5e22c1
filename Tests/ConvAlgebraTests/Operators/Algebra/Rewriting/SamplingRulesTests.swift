import ConvAlgebra
import Testing
import _TestSupport

/// `↓k ↑k = I`, `↑k ↓k = mask`, `I A = A` and the transpose identities `(↓k)ᵀ = ↑k`, `(AB)ᵀ = BᵀAᵀ`, `(Aᵀ)ᵀ = A`,
/// each materialised in 1-D, 2-D and 3-D.
@Suite struct SamplingRulesTests {
    /// Samplings of 1-D, 2-D and 3-D samples (a channel axis kept whole in the latter two), with phases.
    private func samplings() throws -> [Downsample<Double>] {
        [try Downsample(factors: [3], phases: [1], inputSize: [10]),
         try Downsample(factors: [1, 2, 3], phases: [0, 1, 2], inputSize: [2, 5, 7]),
         try Downsample(factors: [1, 2, 2, 3], phases: [0, 1, 0, 1], inputSize: [2, 4, 5, 6])]
    }

    @Test func downThenUpCancelsToTheIdentity() throws {
        for d in try samplings() {
            let replacement = try expectProved(CancelSampling(), [d.transposed, d], "↓k ↑k on \(d.inputSize)")
            #expect(replacement.isEmpty)
        }
    }

    @Test func upAfterDownIsThePhaseMask() throws {
        for d in try samplings() {
            let replacement = try expectProved(MaskSampling(), [d, d.transposed], "↑k ↓k on \(d.inputSize)")
            let mask = try #require(replacement.first as? PhaseMask<Double>)
            // The mask is diagonal with ones exactly at the kept positions.
            let m = try mask.dense()
            let kept = Set(d.sourceIndices())
            for r in 0..<m.rows { for c in 0..<m.columns { #expect(m[r, c] == (r == c && kept.contains(r) ? 1 : 0)) } }
            #expect(mask.transposed == mask)
        }
    }

    @Test func theIdentityFactorIsDropped() throws {
        let d = try samplings()[1]
        let rewritten = Rewriter.standard.rewrite([Identity<Double>(shape: d.domain), d])
        #expect(rewritten.factors.count == 1 && rewritten.factors[0] is Downsample<Double>)
        expectMatricesEqual(try rewritten.result.dense(), try d.dense())
        // Never the only factor.
        #expect(Rewriter.standard.rewrite([Identity<Double>(shape: d.domain)]).factors.count == 1)
    }

    @Test func downsamplingTransposesToUpsampling() throws {
        for d in try samplings() {
            let up = d.transposed
            #expect(up.domain == d.codomain && up.codomain == d.domain)
            expectMatricesEqual(try up.dense(), try d.dense().transposed())
            #expect(up.transposed == d)
        }
    }

    @Test func theTransposeOfAProductIsTheReversedProductOfTransposes() throws {
        let chains: [[any LinearOperator<Double>]] = [
            [try Convolution<Double>(kernel: [1, 2, 3], inputLength: 9, mode: .same), try Downsample<Double>(factor: 2, inputLength: 9)],
            [try layerConvolution([2, 5, 6], out: 3, kernel: [3, 2], padding: [1]) as Convolution<Double>,
             try Downsample<Double>(factors: [1, 2, 2], phases: [0, 1, 0], inputSize: [3, 5, 7])],
            [try Upsample<Double>(factors: [1, 2, 1, 2], inputSize: [2, 2, 3, 2]),
             try layerConvolution([2, 4, 3, 4], out: 2, kernel: [2, 2, 2], padding: [1]) as Convolution<Double>],
        ]
        for chain in chains {
            let ab = try Composed(chain, rewriting: false)
            let t = ab.transposed
            expectMatricesEqual(try t.dense(), try ab.dense().transposed(), "(AB)ᵀ = BᵀAᵀ")
            expectMatricesEqual(try Composed(chain.reversed().map { $0.anyTransposed }, rewriting: false).dense(), try t.dense())
            // (Aᵀ)ᵀ = A, factor by factor and for the product.
            expectMatricesEqual(try t.transposed.dense(), try ab.dense(), "(Aᵀ)ᵀ = A")
            for f in chain { expectMatricesEqual(try f.anyTransposed.anyTransposed.dense(), try f.dense()) }
        }
    }
}
