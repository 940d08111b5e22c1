import ConvAlgebraCore
import CMicroKernels

/// The dense form's FP32 GEMM `Y = X · Aᵀ` on a row-major batch (`X`: `B × k`, `Y`: `B × m`), with the operator's
/// `Aᵀ` (`k × m`) packed once into `n_r`-column panels and the batch read where it lies (C target
/// `CMicroKernels`, `gemm_panels.c`): a micro-tile of `m_r` samples × `n_r` outputs broadcasts `X[b, p]` from the
/// sample rows against one panel row, so nothing of the batch is packed and each output row is stored as vectors.
///
/// Why our own GEMM and not only OpenBLAS's: one core of the kernel runs within 2–3 % of one core's FMA peak on the
/// dense shapes of the suite, as fast as OpenBLAS 0.3.21 or faster (one Zen 4 core, 256 × 32 × 288: 114 against 96
/// GFLOP/s; 256 × 8192 × 2048: 99 against 98); but OpenBLAS 0.3.21 splits a product with few outputs between its
/// threads so that two threads ran slower than one (256 × 32 × 288: 92 µs on two, 49 µs on one). Here the work is
/// cut into (sample tiles × panels) rectangles claimed from the ``WorkerPool``, split first along the larger of
/// the two operands (the batch `B·k` or the packed matrix), so that each job streams its own part of it once and
/// only the smaller is read by every job (256 × 8192 × 2048: 8 row jobs read the 64 MiB matrix 8 times).
///
/// The blocking comes from the machine profile: a depth block `k_c` keeps an `m_r × k_c` slab of the batch in
/// three quarters of L1 (copied to a padded slab when more than one panel reuses it), a panel block keeps
/// `k_c × n_c` of `Aᵀ` in half of L2.
///
/// - Complexity: packing `O(k·m)` once; each product `2·B·m·k` FLOPs, reading `Aᵀ` once per `n_c`-wide panel
///   block per job and each sample's row once per panel block.
package struct PanelGEMM: Sendable {
    /// Outputs `m` (columns of `Y`, of `Aᵀ`) and depth `k` (columns of `X`, rows of `Aᵀ`).
    package let outputs: Int, depth: Int
    /// The kernel path and its tile: at most `mr` samples × `nr` outputs.
    package let isa: MachineProfile.KernelISA
    package let mr: Int, nr: Int
    /// The depth block and the panels per panel block.
    package let kc: Int, panelsPerBlock: Int
    /// `⌈m / n_r⌉` panels of `k` rows of `n_r` floats, from a cache-line boundary.
    package let packed: Packed
    /// The floats of the packed panels.
    package var packedCount: Int { packed.count }

    /// The panel count `⌈m / n_r⌉` and the floats the packed `Aᵀ` takes, for budgeting before anything is packed.
    package static func packedCount(outputs m: Int, depth k: Int,
                                    isa: MachineProfile.KernelISA = .current) throws -> Int {
        let nr = tile(isa).nr
        return try Checked.multiply((m + nr - 1) / nr * nr, k, "the packed dense matrix")
    }

    /// Packs `Aᵀ` (`depth × outputs`, row-major, leading dimension `outputs`) for path `isa` with blocking for `caches`.
    package init(transposed at: UnsafePointer<Float>, depth k: Int, outputs m: Int,
                 isa: MachineProfile.KernelISA = .current, caches: MachineProfile.Caches = MachineProfile.current.caches) {
        (outputs, depth, self.isa) = (m, k, isa)
        (mr, nr) = Self.tile(isa)
        let floatBytes = MemoryLayout<Float>.size
        let l1 = max(caches.l1d.bytes, 1024), l2 = max(caches.l2.bytes, l1)
        let bound = min(Int(CA_PANELS_KC_MAX), max(16, 3 * l1 / 4 / (floatBytes * mr) - 16))
        let depthBlocks = max(1, (k + bound - 1) / bound)
        kc = max(1, (k + depthBlocks - 1) / depthBlocks)
        panelsPerBlock = max(1, l2 / 2 / (kc * nr * floatBytes))
        let width = nr, count = (m + nr - 1) / nr * nr * k
        packed = Packed(count: count)
        if count > 0 { ca_panels_pack(width, k, m, at, packed.base) }
    }

    /// Floats from a cache-line boundary, owned: the kernel loads each panel row as whole vectors, and from an
    /// array's storage (16 bytes past a malloc'd block's start, plus the array's header) each 64-byte load
    /// straddled two lines. The dense product of mx-small-mc (256 × 1024 × 1024) ran 2.93 ms or 2.54 ms from one
    /// process to the next (two Zen 4 cores), by where malloc put the array.
    package final class Packed: @unchecked Sendable {
        package let base: UnsafeMutablePointer<Float>
        let count: Int

        init(count: Int) {
            self.count = count
            let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
            base = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
        }

        deinit { base.deallocate() }
    }

    /// The kernel's name with its parameters, as plans and bench notes report it.
    package var name: String { "panelGEMM(\(isa.rawValue) \(mr)×\(nr), kc \(kc))" }

    /// `Aᵀ[p, j]` unpacked (`depth × outputs`, row-major).
    package var transposedEntries: [Float] {
        var at = [Float](repeating: 0, count: depth * outputs)
        for j in 0..<outputs { for p in 0..<depth { at[p * outputs + j] = packed.base[(j / nr) * nr * depth + p * nr + j % nr] } }
        return at
    }

    /// `Y = X · Aᵀ` for `batch` samples (`x`: `batch × depth`, `y`: `batch × outputs`, both contiguous), `y`
    /// overwritten; nothing is allocated. Rectangles of whole sample tiles × panels run on the ``WorkerPool``.
    package func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int) {
        apply(x, ldx: depth, y, ldy: outputs, batch: batch)
    }

    /// ``apply(_:_:batch:)`` with sample `b` at `x + b·ldx` (`ldx ≥ depth`) and its outputs at `y + b·ldy`
    /// (`ldy ≥ outputs`): a group's slice of a wider batch.
    package func apply(_ x: UnsafePointer<Float>, ldx: Int, _ y: UnsafeMutablePointer<Float>, ldy: Int, batch: Int) {
        guard batch > 0, outputs > 0 else { return }
        let panelCount = (outputs + nr - 1) / nr
        // Sample tiles of balanced height (16 samples: two of 8, not 14 + 2).
        let tiles = (batch + mr - 1) / mr
        let height = (batch + tiles - 1) / tiles
        let rowTiles = (batch + height - 1) / height
        let threads = WorkerPool.shared.threads
        let work = batch * outputs * max(depth, 1)
        let (rowJobs, panelJobs): (Int, Int)
        if threads == 1 || work < Self.parallelWork {
            (rowJobs, panelJobs) = (1, 1)
        } else if packed.count > batch * depth {
            // The matrix outweighs the batch: each job reads its own panels once and the (smaller) batch again.
            let wanted = 4 * threads
            let p = min(panelCount, wanted)
            (rowJobs, panelJobs) = (min(rowTiles, (wanted + p - 1) / p), p)
        } else {
            // The batch outweighs the matrix: each job reads its own samples once and the matrix again.
            let wanted = 4 * threads
            let r = min(rowTiles, wanted)
            (rowJobs, panelJobs) = (r, min(panelCount, (wanted + r - 1) / r))
        }
        withExtendedLifetime(packed) {
            let panels = UnsafePointer(packed.base)
            Parallel.forEach(jobs: rowJobs * panelJobs, work: work, threshold: 0) { job in
                let (rj, pj) = job.quotientAndRemainder(dividingBy: panelJobs)
                let t0 = rowTiles * rj / rowJobs, t1 = rowTiles * (rj + 1) / rowJobs
                let b0 = t0 * height, b1 = min(batch, t1 * height)
                let p0 = panelCount * pj / panelJobs, p1 = panelCount * (pj + 1) / panelJobs
                guard b0 < b1, p0 < p1 else { return }
                ca_panels_block(Int32(isa.code), height, kc, panelsPerBlock, depth, outputs, panels, b1 - b0,
                                x + b0 * ldx, ldx, p0, p1, y + b0 * ldy, ldy)
            }
        }
    }

    /// Multiply-adds below which one core does the whole product (the hand-off to a second costs about as much).
    package static let parallelWork = 1 << 16

    /// Whether `outputs` fill their panels at least half on path `isa` (`⌈m/n_r⌉·n_r ≤ 2m`): below that the packed
    /// matrix and the FLOPs would be mostly padding (`m = 1`: 32 times the matrix), and OpenBLAS applies it instead.
    package static func padsLittle(outputs m: Int, isa: MachineProfile.KernelISA = .current) -> Bool {
        let nr = tile(isa).nr
        return m > 0 && (m + nr - 1) / nr * nr <= 2 * m
    }

    /// The path's micro-tile (`ca_panels_tile`).
    package static func tile(_ isa: MachineProfile.KernelISA) -> (mr: Int, nr: Int) {
        var mr = 0, nr = 0
        _ = ca_panels_tile(Int32(isa.code), &mr, &nr)
        return (mr, nr)
    }

    /// Whether the kernel runs on path `isa` with a tile of its own (not the portable loop): the paths where it is
    /// the dense form's default over OpenBLAS.
    package static func isAccelerated(_ isa: MachineProfile.KernelISA) -> Bool { isa != .portable && isa.isSupported }
}
