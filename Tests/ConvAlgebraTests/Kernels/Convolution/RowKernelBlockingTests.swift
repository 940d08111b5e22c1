@testable import ConvAlgebra
import Testing

/// The blocking of the pixel-vector kernel follows its derivation from the register file and the caches.
@Suite struct RowKernelBlockingTests {
    static func caches(l1: Int, l2: Int) -> MachineProfile.Caches {
        .init(l1d: .init(bytes: l1, source: .assumed), l2: .init(bytes: l2, source: .assumed), l3: nil,
              lineBytes: 64, lineSource: .assumed)
    }

    @Test(arguments: MachineProfile.KernelISA.allCases)
    func registerTileAndBalancedChannelBlocks(isa: MachineProfile.KernelISA) {
        let (maxMR, nr) = RowKernelBlocking.registerTile(isa)
        #expect(maxMR >= 1 && nr >= 2 && nr % 2 == 0)
        for channels in [1, 5, maxMR, maxMR + 1, 64, 128, 1000] {
            let b = RowKernelBlocking(isa: isa, caches: Self.caches(l1: 32 << 10, l2: 1 << 20), channels: channels, depth: 576)
            let blocks = (channels + b.mr - 1) / b.mr
            #expect(b.mr <= maxMR && b.nr == nr)
            #expect(blocks == (channels + maxMR - 1) / maxMR, "as few blocks as the register file allows")
            #expect(blocks * b.mr - channels < blocks, "balanced: no block more than one channel short (\(channels))")
        }
    }

    @Test(arguments: [16 << 10, 32 << 10, 48 << 10, 64 << 10])
    func depthBlockFitsThreeQuartersOfL1(l1: Int) {
        for isa in MachineProfile.KernelISA.allCases {
            for depth in [9, 100, 576, 2304] {
                let b = RowKernelBlocking(isa: isa, caches: Self.caches(l1: l1, l2: 2 << 20), channels: 64, depth: depth)
                #expect(b.kc >= 1 && b.kc <= depth)
                #expect(b.kc == depth || 4 * b.kc * (b.nr + b.mr) <= 3 * l1 / 4, "\(b) with L1 \(l1)")
                let blocks = (depth + b.kc - 1) / b.kc
                #expect(blocks * b.kc - depth < blocks, "balanced depth blocks: \(b), depth \(depth)")
                let bigger = RowKernelBlocking(isa: isa, caches: Self.caches(l1: 2 * l1, l2: 2 << 20), channels: 64, depth: depth)
                #expect(bigger.kc >= b.kc, "a larger L1 never shrinks the depth block")
            }
        }
    }

    /// The taps' overlapping windows: a 3×3 kernel's input micro-panel takes ~a third of a 1×1's per row of
    /// depth, so its depth block is larger; a 1×1 kernel's window is exactly `n_r` floats a row.
    @Test func overlappingTapsGiveDeeperBlocks() throws {
        let caches = Self.caches(l1: 32 << 10, l2: 1 << 20)
        let r1 = try ConvolutionPlanTests.resnet()
        let pointwise = try ConvolutionPlanTests.conv([56, 56], [56, 56], [1, 1], offset: [0, 0], cin: 576, cout: 64)
        let a = RowKernelBlocking(isa: .avx512, caches: caches, geometry: r1)
        let b = RowKernelBlocking(isa: .avx512, caches: caches, geometry: pointwise)
        #expect(b == RowKernelBlocking(isa: .avx512, caches: caches, channels: 64, depth: 576), "1×1: F/K = n_r")
        #expect(a.kc > b.kc && a.mr == b.mr)
        let window = 3.0 * (32 + 2) / 9  // F/K of a 3×3 stride-1 kernel with n_r = 32
        #expect(4 * Double(a.kc) * (window + Double(a.mr)) <= 0.75 * Double(32 << 10))
    }

    @Test func jobOutputFitsHalfOfL2() {
        for l2 in [256 << 10, 1 << 20, 2 << 20] {
            let b = RowKernelBlocking(isa: .avx512, caches: Self.caches(l1: 32 << 10, l2: l2), channels: 64, depth: 576)
            #expect(4 * 64 * b.segmentsPerJob * b.nr <= l2 / 2)
            #expect(4 * 64 * (b.segmentsPerJob + 1) * b.nr > l2 / 2, "the largest job that fits")
        }
    }
}
