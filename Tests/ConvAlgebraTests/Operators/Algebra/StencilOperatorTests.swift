import ConvAlgebra
import Testing
import _TestSupport

/// One enumeration, many materialisations: dense, sparse and symbolic come from the same terms.
@Suite struct StencilOperatorTests {
    @Test(arguments: ConvolutionMode.allCases)
    func materialisationsAgreeWithTheTerms(mode: ConvolutionMode) throws {
        var rng = SplitMix64(seed: 4)
        for (n, K) in [(6, 3), (3, 7), (9, 4)] where !(mode == .valid && K > n) {
            let q: [Double] = randomIntegerScalars(K, using: &rng)
            let c = try Convolution(kernel: q, inputLength: n, mode: mode, stride: 2)
            var fromTerms = try DenseMatrix<Double>(zeros: c.codomain.count, c.domain.count)
            var count = 0
            c.forEachTerm { r, col, t, a in fromTerms[r, col] += a * q[t]; count += 1 }
            #expect(c.termCount == count)
            expectMatricesEqual(try c.dense(), fromTerms, "\(mode) n \(n) K \(K)")
            expectMatricesEqual(try c.symbolic().evaluated(taps: q), fromTerms, "\(mode) n \(n) K \(K): symbolic")
            let s = try c.sparse()
            #expect(s.nonzeroCount <= count)
            // Every entry of the CSR is a position some term writes: the pattern is the stencil's.
            var written = Set<Int>()
            c.forEachTerm { r, col, _, _ in written.insert(r * n + col) }
            #expect(s.nonzeroCount == written.count)
        }
    }

    /// A circular kernel longer than the input wraps several taps onto one entry: the sparse form
    /// sums them into one stored entry, and the symbolic entry lists them all.
    @Test func wrappedTapsAreSummed() throws {
        let c = try Convolution<Double>(kernel: [1, 2, 4, 8, 16], inputLength: 2, mode: .circular)
        #expect(c.termCount == 10)
        let s = try c.sparse()
        #expect(s.nonzeroCount == 4 && s.values.reduce(0, +) == 2 * 31)
        let sym = try c.symbolic()
        #expect(sym.entries.allSatisfy { !$0.terms.isEmpty })
        #expect(sym.entries.map { $0.terms.count }.reduce(0, +) == 10)
    }

    @Test func kernelFreeOperatorsUseConstants() throws {
        let d = try Downsample<Float>(factor: 3, inputLength: 7)
        #expect(d.taps.isEmpty)
        var terms: [(Int, Int, Int, Float)] = []
        d.forEachTerm { terms.append(($0, $1, $2, $3)) }
        #expect(terms.map(\.0) == [0, 1, 2] && terms.map(\.1) == [0, 3, 6] && terms.allSatisfy { $0.2 == -1 && $0.3 == 1 })
        #expect(try d.symbolic().entries.allSatisfy(\.isConstant))
    }
}
