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
/// - **Depth block `k_c`**: the vector operand's micro-panel (`k_c` rows of `n_r` floats) and the weights'
///   micro-panel (`k_c × m_r`) stay in L1 while the micro-kernel runs, with half of L1 left to what streams
///   through: `4·k_c·(n_r + m_r) ≤ L1d / 2`, so `k_c = ⌊L1d / (8·(n_r + m_r))⌋` (at least 16, at most `k`, and
///   the `k_c` blocks balanced). A depth block after the first adds into the stored rows (one more load per
///   output vector per block, `≈ 1/k_c` of the loads).
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

    /// The blocking for `channels` output channels per group and a depth of `depth` on `isa` with `caches`.
    package init(isa: MachineProfile.KernelISA, caches: MachineProfile.Caches, channels: Int, depth: Int) {
        let (maxMR, nr) = Self.registerTile(isa)
        let blocks = max(1, (channels + maxMR - 1) / maxMR)
        let mr = max(1, (channels + blocks - 1) / blocks)
        let l1 = max(caches.l1d.bytes, 1024), l2 = max(caches.l2.bytes, l1)
        let floatBytes = MemoryLayout<Float>.size
        let bound = max(16, l1 / (2 * floatBytes * (nr + mr)))
        let depthBlocks = max(1, (depth + bound - 1) / bound)
        let kc = max(1, (depth + depthBlocks - 1) / depthBlocks)
        let pixels = l2 / (2 * floatBytes * max(channels, 1))
        self.init(isa: isa, mr: mr, nr: nr, kc: kc, segmentsPerJob: max(1, pixels / nr))
    }

    package var description: String { "\(isa.rawValue) \(mr)×\(nr), kc \(kc)" }
}
