import ConvAlgebraCore
import CMicroKernels

/// The register tile and the cache blocking of the pixel-vector kernel (`ca_conv_rows`) on one instruction-set
/// path, derived from the path's register file and the machine's caches (``MachineProfile/caches``), after
/// BLIS's analytical model (Low, Igual, Smith, Quintana-Ortí, "Analytical modeling is enough for high-performance
/// BLIS", ACM TOMS 43(2), 2016). In GEMM terms the convolution is `Y (C_out × pixels) = W (C_out × k) · X̂ (k ×
/// pixels)` with `k = C_in/G · K`; `W` is the broadcast operand (BLIS's A), the input rows the vector operand
/// (BLIS's B, read in place through the tap offsets instead of packed).
///
/// - **Register tile `m_r × n_r`** (output channels × pixels of one row): `n_r = 2·V` (two vectors of `V` lanes)
///   and the largest `m_r` with `2·m_r + 2 ≤ R` accumulators and operands in the `R` vector registers:
///   AVX-512F `R = 32, V = 16 → 14 × 32`; AVX2 `R = 16, V = 8 → 6 × 16` (one more register for the broadcast).
///   `2·m_r` independent accumulators cover the FMA latency × throughput (4 × 2 on current cores) with room to
///   spare. These are properties of the instruction set, not of one CPU. Where the channels are not a multiple
///   of `m_r`, the blocks are balanced: `⌈C/⌈C/m_r⌉⌉` channels each, so no block is nearly empty.
/// - **Depth block `k_c`**: the vector operand's micro-panel and the weights' micro-panel (`k_c × m_r`) stay in
///   L1 while the micro-kernel runs, in at most three quarters of it (BLIS leaves `(W − 2)/W` of a `W`-way L1 to
///   the micro-panels; `W = 8` is the common case, and the profile has no associativity). The vector operand is
///   not packed, so its micro-panel is not `k_c · n_r` floats: the `K` taps of one input channel read
///   overlapping windows of the same rows, `F = Π_(d<last) k_d · (min(k_last, s_last)·n_r + (k_last − 1)·|e_last|)`
///   floats for `K` rows of depth (`F/K = n_r` for a 1×1 kernel, `≈ n_r/3 + ...` for 3×3). So
///   `4·k_c·(F/K + m_r) ≤ ¾·L1d`, `k_c = ⌊3·L1d / (16·(F/K + m_r))⌋` (at least 16, at most `k`, the blocks
///   balanced). Measured on a Zen 4 core (32 KiB L1d, c2d-r1's 3×3 64 → 64): `k_c` 64 → 92 %, 192 → 96 % of the
///   1-block rate; `k_c = k_c(n_r)` of the packed-panel rule (`4·k_c·(n_r + m_r) ≤ L1/2`, 83 here) cost 4-10 %.
///   A depth block after the first adds into the stored rows (one more load per output vector per block).
/// - **Weights block `m_c`**: all `C_out/G` channels' `k_c`-deep weights (`4·k_c·C_out/G` bytes) stay in L2 across the
///   row segments of one job; the pixels per job are bounded so that the job's output rows (`4·C_out/G·pixels`)
///   stay in half of L2 between depth blocks: `pixels ≤ L2 / (8·C_out/G)`, rounded to whole `n_r` segments.
/// - Complexity: O(1).
package struct RowKernelBlocking: Hashable, Sendable, CustomStringConvertible {
    /// The instruction-set path the kernel runs.
    package let isa: MachineProfile.KernelISA
    /// Output channels per micro-tile (the balanced block size, ≤ the path's maximum).
    package let mr: Int
    /// Pixels per micro-tile (one row segment).
    package let nr: Int
    /// Depth (rows of `W`, i.e. (input channel, tap) pairs) per block.
    package let kc: Int
    /// Row segments of `nr` pixels per job at most (the L2 bound on a job's output).
    package let segmentsPerJob: Int

    package init(isa: MachineProfile.KernelISA, mr: Int, nr: Int, kc: Int, segmentsPerJob: Int) {
        self.isa = isa; self.mr = mr; self.nr = nr; self.kc = kc; self.segmentsPerJob = segmentsPerJob
    }

    /// The largest register tile of `isa` (`ca_rows_tile`).
    package static func registerTile(_ isa: MachineProfile.KernelISA) -> (mr: Int, nr: Int) {
        var mr = 0, nr = 0
        guard ca_rows_tile(Int32(isa.code), &mr, &nr) != 0 else {
            _ = ca_rows_tile(Int32(CA_KERNEL_PORTABLE), &mr, &nr)
            return (mr, nr)
        }
        return (mr, nr)
    }

    /// The blocking of `g`'s forward (its output channels per group, its depth `C_in/G · K`, its window).
    package init(isa: MachineProfile.KernelISA, caches: MachineProfile.Caches, geometry g: ConvolutionGeometry) {
        let last = g.rank - 1, nr = Self.registerTile(isa).nr
        let lastFloats = min(g.kernelSize[last], g.stride[last]) * nr + (g.kernelSize[last] - 1) * abs(g.tapStep[last])
        let window = g.kernelSize.dropLast().reduce(1, *) * lastFloats
        self.init(isa: isa, caches: caches, channels: g.outChannelsPerGroup, depth: g.inChannelsPerGroup * g.kernelPlane,
                  inputPerRow: Double(window) / Double(max(g.kernelPlane, 1)))
    }

    /// The blocking for `channels` output channels per group and a depth of `depth` on `isa` with `caches`, the
    /// input micro-panel taking `inputPerRow` floats of L1 per row of depth (`F/K`; nil: `n_r`, no tap overlap).
    package init(isa: MachineProfile.KernelISA, caches: MachineProfile.Caches, channels: Int, depth: Int,
                 inputPerRow: Double? = nil) {
        let (maxMR, nr) = Self.registerTile(isa)
        let blocks = max(1, (channels + maxMR - 1) / maxMR)
        let mr = max(1, (channels + blocks - 1) / blocks)
        let l1 = max(caches.l1d.bytes, 64), l2 = max(caches.l2.bytes, l1)
        let floatBytes = MemoryLayout<Float>.size
        let perRow = Double(floatBytes) * ((inputPerRow ?? Double(nr)) + Double(mr))
        let bound = max(16, Int(0.75 * Double(l1) / perRow))
        let depthBlocks = max(1, (depth + bound - 1) / bound)
        let kc = max(1, (depth + depthBlocks - 1) / depthBlocks)
        let pixels = l2 / (2 * floatBytes * max(channels, 1))
        self.init(isa: isa, mr: mr, nr: nr, kc: kc, segmentsPerJob: max(1, pixels / nr))
    }

    package var description: String { "\(isa.rawValue) \(mr)×\(nr), kc \(kc)" }
}
