import ConvAlgebra

/// The reference text, "Convolutions from a DSP perspective", replayed: each matrix it prints,
/// materialised symbolically by the library, and each identity it states, checked.
struct ReferenceTour {
    var failures = 0

    mutating func check(_ claim: String, _ holds: Bool) {
        print(holds ? "  ✓ \(claim)" : "  ✗ \(claim)  — FAILED")
        if !holds { failures += 1 }
    }

    func show(_ title: String, _ m: SymbolicMatrix) {
        print("\n\(title)  (\(m.rows)×\(m.columns))")
        print(m.formatted().split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
    }

    mutating func run() throws {
        print("== The reference text's operators, materialised symbolically ==")
        let q: [Double] = [1, 2, 3]   // numeric taps only matter for the numeric checks
        let C = try Convolution(kernel: q, inputLength: 4, mode: .same)
        let D = try Downsample<Double>(factor: 2, inputLength: 4)
        let U = try Upsample<Double>(factor: 2, inputLength: 2)
        show("q * x   (K = 3, n = 4, 'same')", try C.symbolic())
        show("↓2 x", try D.symbolic())
        show("↑2 x", try U.symbolic())
        check("↑2 = (↓2)ᵀ entry for entry", try U.symbolic() == D.symbolic().transposed())
        check("Downsample.transposed is the Upsample itself (a value, not a wrapper)", D.transposed == U)
        for (k, n) in [(3, 7), (4, 9), (2, 5)] {
            let d = try Downsample<Double>(factor: k, phase: k - 1, inputLength: n)
            check("↑\(k) = (↓\(k))ᵀ with phase \(k - 1), n = \(n)",
                  try d.transposed.symbolic() == d.symbolic().transposed())
        }

        print("\n== The transposed convolution, step by step: q * (↑2 x) = (↓2 (q*)ᵀ)ᵀ x ==")
        let T = try TransposedConvolution(kernel: q, stride: 2, inputLength: 2, mode: .same)
        let step1 = try U.then(C).symbolic()
        let step2 = try C.transposed.symbolic().transposed().multiplied(by: D.symbolic().transposed())
        let step3 = try C.transposed.then(D).symbolic().transposed()
        show("q * (↑2 x): the 'same' convolution times ↑2", step1)
        show("(q*)ᵀ, the correlation matrix of the second line", try C.transposed.symbolic())
        show("(↓2 (q*)ᵀ)ᵀ", step3)
        check("q * (↑2 x) = ((q*)ᵀ)ᵀ (↓2)ᵀ x", step1 == step2)
        check("((q*)ᵀ)ᵀ (↓2)ᵀ = (↓2 (q*)ᵀ)ᵀ", step2 == step3)
        check("TransposedConvolution(stride: 2) materialises to exactly that matrix", try T.symbolic() == step3)
        check("its dense matrix is the transpose of the strided operator's, entry for entry",
              try T.dense(budget: .default) == C.transposed.then(D).dense(budget: .default).transposed())
        check("transposing twice gives the operator back (value equality)", T.transposed.transposed == T)

        print("\n== Strided and dilated convolutions ==")
        let S = try Convolution(kernel: q, inputLength: 6, mode: .same, stride: 2)
        let Dl = try Convolution(kernel: q, inputLength: 6, mode: .same, dilation: 2)
        show("↓2 (q * x), n = 6", try S.symbolic())
        show("(↑2 q) * x, n = 6", try Dl.symbolic())
        let S6 = try Convolution(kernel: q, inputLength: 6, mode: .same).then(Downsample(factor: 2, inputLength: 6))
        check("the strided convolution is ↓2 ∘ (q *), yet computes only the kept outputs", try S.symbolic() == S6.symbolic())

        print("\n== Nearest-neighbour up-sampling fuses into one transposed convolution ==")
        let fusedSym = KernelFusion.fused([1, 1], symbolicKernelLength: 3)
        print("    (1 1) * q = (" + fusedSym.map(\.description).joined(separator: ", ") + ")")
        let nn = try TransposedConvolution<Double>.nearestNeighbourUpsampling(factor: 2, inputLength: 3)
        let conv3 = try Convolution(kernel: q, inputLength: 6, mode: .same)
        let chain = try nn.then(conv3)
        let fused = try TransposedConvolution(kernel: KernelFusion.fused([1, 1], q), stride: 2, inputLength: 3, mode: .same)
        show("q * NN×2(x): nearest ×2 then the 3-tap 'same' convolution", try chain.symbolic())
        let fusedSymbolicMatrix = try TransposedConvolution(kernel: [0, 0, 0, 0] as [Double], stride: 2, inputLength: 3, mode: .same).symbolic()
        let substituted = SymbolicMatrix(zeros: fusedSymbolicMatrix.rows, fusedSymbolicMatrix.columns).entries.indices.map { i -> SymbolicEntry in
            fusedSymbolicMatrix.entries[i].terms.reduce(SymbolicEntry(constant: fusedSymbolicMatrix.entries[i].constant)) {
                $0 + fusedSym[$1.tap].scaled(by: $1.coefficient)
            }
        }
        check("symbolically: it is the transposed convolution with the 4-tap kernel (1 1) * q",
              try chain.symbolic().entries == substituted)
        check("numerically: the same dense matrix", try chain.dense(budget: .default) == fused.dense(budget: .default))
    }
}
