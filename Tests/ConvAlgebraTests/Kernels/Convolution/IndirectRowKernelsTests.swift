@testable import ConvAlgebra
import Testing

/// The pixel-vector indirect kernel against the reference loops on every instruction-set path this CPU has
/// (`MachineProfile.KernelISA.supported`: portable, AVX2 + FMA, AVX-512F on an AVX-512 machine), whatever
/// `CONVALGEBRA_ISA` says; with the machine's caches and with tiny ones (depth blocks of 16, one tile a job),
/// so the blocking edges (several depth blocks accumulating, a partial last depth block) run too.
@Suite struct IndirectRowKernelsTests {
    /// Tiny caches: `k_c` falls to its floor of 16 and every job is one tile.
    static let tinyCaches = MachineProfile.Caches(l1d: .init(bytes: 256, source: .assumed),
                                                  l2: .init(bytes: 1024, source: .assumed), l3: nil,
                                                  lineBytes: 64, lineSource: .assumed)

    /// Rows narrower than a tile (every tile crosses rows), a stride along the last dimension of 2 and 3 (the
    /// phase-split input), a row exactly one AVX-512 vector wide, a plane whose last tile is partial, and channels
    /// that leave a partial block on every path; every one of them is taken on every path.
    static let cases: [ConvolutionGeometry] = (try? [
        Im2colGEMMKernelsTests.tapped([20, 20], [20, 20], [3, 3], offset: [-1, -1], cin: 3, cout: 29),
        Im2colGEMMKernelsTests.tapped([40, 61], [20, 20], [3, 5], stride: [2, 3], offset: [-1, -2], cin: 2, cout: 16),
        Im2colGEMMKernelsTests.tapped([25, 16], [25, 16], [3, 3], offset: [-1, -1], cin: 2, cout: 16),
        Im2colGEMMKernelsTests.tapped([601], [300], [4], stride: [2], offset: [-1], step: [2], cin: 3, cout: 45),
    ]) ?? []

    /// The indirect kernel's cases that `isa` takes (output rows at least one vector wide, or one row), and ours.
    static func cases(_ isa: MachineProfile.KernelISA) -> [ConvolutionGeometry] {
        Im2colGEMMKernelsTests.indirectCases.filter { IndirectRowKernels.applies($0, isa: isa) } + cases
    }

    @Test(arguments: MachineProfile.KernelISA.supported, [false, true])
    func agreesWithReference(isa: MachineProfile.KernelISA, tiny: Bool) {
        #expect(Self.cases.allSatisfy { IndirectRowKernels.applies($0, isa: isa) })
        #expect(Self.cases(isa).count > Self.cases.count + 3, "most of the indirect kernel's cases are taken")
        for g in Self.cases(isa) {
            for batch in [1, 3] {
                var rng = ConvolutionKernelsTests.Generator(seed: UInt64(g.weightCount * 31 + batch))
                let w = (0..<g.weightCount).map { _ in Float.random(in: -1...1, using: &rng) }
                let x = (0..<(batch * g.domain.count)).map { _ in Float.random(in: -1...1, using: &rng) }
                var fast = [Float](repeating: .nan, count: batch * g.codomain.count), ref = fast
                let p = IndirectRowKernels.Prepared(g, w, isa: isa,
                                                    caches: tiny ? Self.tinyCaches : MachineProfile.current.caches)
                x.withUnsafeBufferPointer { xp in
                    fast.withUnsafeMutableBufferPointer { yp in
                        p.run(g, xp.baseAddress!, yp.baseAddress!, batch: batch, scratch: ScratchPool())
                    }
                }
                StencilKernels.referenceForward(g, w, x, &ref, batch: batch)
                let tol: Float = 1e-4 * Float(g.inChannelsPerGroup * g.kernelPlane)
                #expect(zip(fast, ref).allSatisfy { abs($0 - $1) <= tol }, "\(isa) \(p.blocking) on \(g), batch \(batch)")
                let depth = g.inChannelsPerGroup * g.kernelPlane
                if tiny { #expect(p.blocking.kc <= 16 && (depth <= 16 || p.blocking.kc < depth), "several depth blocks") }
            }
        }
    }

    /// The sub-pixel transpose: phases of unequal widths (an odd row) and row groups of unequal heights (an odd
    /// column: a band's last row in one row group only), a stride of 1 along the last dimension (each
    /// row a copy) and of 3 with a kernel of 2 (a phase no tap reaches is zero), a dilation sharing a factor with
    /// the stride, the convolution form, groups with channels that leave partial blocks, 1-D and 3-D; phase rows
    /// narrower than a tile (every tile crosses rows).
    static let transposedCases: [ConvolutionGeometry] = (try? [
        Im2colGEMMKernelsTests.tapped([40, 41], [20, 20], [3, 3], stride: [2, 2], offset: [-1, -1], cin: 16, cout: 5),
        Im2colGEMMKernelsTests.tapped([41, 40], [21, 20], [3, 3], stride: [2, 2], offset: [-1, -1], cin: 16, cout: 5),
        Im2colGEMMKernelsTests.tapped([40, 36], [20, 36], [3, 3], stride: [2, 1], offset: [-1, -1], cin: 16, cout: 4),
        Im2colGEMMKernelsTests.tapped([60, 51], [20, 17], [2, 2], stride: [3, 3], offset: [0, 0], cin: 16, cout: 3),
        Im2colGEMMKernelsTests.tapped([40, 40], [20, 20], [3, 3], stride: [2, 2], offset: [-2, -2], step: [2, 2], cin: 16, cout: 4),
        Im2colGEMMKernelsTests.tapped([36, 34], [18, 17], [3, 3], stride: [2, 2], offset: [1, 1], step: [-1, -1], cin: 20, cout: 7),
        Im2colGEMMKernelsTests.tapped([40, 40], [20, 20], [4, 4], stride: [2, 2], offset: [-1, -1], cin: 34, cout: 6, groups: 2),
        Im2colGEMMKernelsTests.tapped([8, 8, 40], [4, 4, 20], [2, 2, 3], stride: [2, 2, 2], offset: [0, 0, -1], cin: 16, cout: 2),
        Im2colGEMMKernelsTests.tapped([801], [400], [5], stride: [2], offset: [-2], cin: 32, cout: 8, groups: 2),
    ]) ?? []

    /// `x̃ = Aᵀ y` by ``IndirectRowKernels/SubPixel`` against the reference loops on every path, with the machine's
    /// caches and tiny ones (bands of one phase row, several depth blocks); and against the forward pixel-vector
    /// kernel by the dot test `⟨A x, y⟩ = ⟨x, Aᵀ y⟩`.
    @Test(arguments: MachineProfile.KernelISA.supported, [false, true])
    func subPixelAgreesWithReference(isa: MachineProfile.KernelISA, tiny: Bool) {
        #expect(Self.transposedCases.count == 9)
        #expect(Self.transposedCases.allSatisfy { IndirectRowKernels.applies($0, isa: isa, transposed: true) })
        let cases = Self.transposedCases
            + Im2colGEMMKernelsTests.transposedCases.filter { IndirectRowKernels.applies($0, isa: isa, transposed: true) }
        let caches = tiny ? Self.tinyCaches : MachineProfile.current.caches
        for g in cases {
            for batch in [1, 3] {
                var rng = ConvolutionKernelsTests.Generator(seed: UInt64(g.weightCount * 17 + batch))
                let w = (0..<g.weightCount).map { _ in Float.random(in: -1...1, using: &rng) }
                let y = (0..<(batch * g.codomain.count)).map { _ in Float.random(in: -1...1, using: &rng) }
                let x = (0..<(batch * g.domain.count)).map { _ in Float.random(in: -1...1, using: &rng) }
                var fast = [Float](repeating: .nan, count: x.count), ref = fast, ax = y
                let p = IndirectRowKernels.SubPixel(g, w, isa: isa, caches: caches)
                #expect(p.phases == g.stride.reduce(1, *))
                let pool = ScratchPool()
                y.withUnsafeBufferPointer { yp in
                    fast.withUnsafeMutableBufferPointer { p.run(g, yp.baseAddress!, $0.baseAddress!, batch: batch, scratch: pool) }
                }
                StencilKernels.referenceTranspose(g, w, y, &ref, batch: batch)
                let tol: Float = 1e-4 * Float(g.outChannelsPerGroup * g.kernelPlane)
                #expect(zip(fast, ref).allSatisfy { abs($0 - $1) <= tol }, "\(isa) \(p.blocking) on \(g), batch \(batch)")
                if tiny { #expect(p.blocking.kc <= 16, "several depth blocks") }
                if IndirectRowKernels.applies(g, isa: isa) {
                    let forward = IndirectRowKernels.Prepared(g, w, isa: isa, caches: caches)
                    x.withUnsafeBufferPointer { xp in
                        ax.withUnsafeMutableBufferPointer { forward.run(g, xp.baseAddress!, $0.baseAddress!, batch: batch, scratch: pool) }
                    }
                    let lhs = zip(ax, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                    let rhs = zip(x, fast).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                    #expect(abs(lhs - rhs) <= 1e-4 * max(1, abs(lhs)) * Double(g.kernelPlane), "dot test on \(g)")
                }
            }
        }
    }

    @Test func planChoosesTheProfilesPath() throws {
        let g = try ConvolutionPlanTests.resnet()
        let plan = ConvolutionPlan<Float>.of(g)
        guard plan.microKernel else { return #expect(plan.kernel == .im2colGEMM(.openBLAS)) }
        let expected = RowKernelBlocking(isa: .current, caches: MachineProfile.current.caches, geometry: g)
        #expect(plan.kernel == .indirectRows(expected))
        #expect(expected.isa == MachineProfile.current.kernelISA)
    }
}

