import ConvAlgebraCore
import CMicroKernels
#if canImport(Glibc)
import Glibc
#endif

/// `C = op(A) · B` in FP32 with our own register-blocked micro-kernel (C target `CMicroKernels`), shaped for
/// convolutions: `m` = output channels (tens), `n` = pixels (thousands), `k` = `C_in · K` (hundreds).
///
/// Why not OpenBLAS for these shapes: measured side by side on this project's machine, OpenBLAS 0.3.21
/// reaches ~50 % of peak on 64 × 3136 × 576 with two threads (it splits the small `m`), while packing `op(A)`
/// once and giving each core its own range of columns keeps both cores in the 6 × 16 micro-kernel.
/// `Double` and CPUs without AVX2 + FMA keep OpenBLAS (``KernelScalar/convolutionGEMM``).
/// - Complexity: `2·m·n·k` FLOPs; packs `op(A)` once (`m·k` copies) and `B` once per row block of `m`
///   (`k·n` copies); scratch `⌈m/6⌉·6·k + workers·256·192` floats.
package enum MicroGEMM {
    /// Whether the AVX2 + FMA micro-kernel runs: the CPU has them, and the environment does not say
    /// `CONVALGEBRA_GEMM=openblas` (kept so the two GEMMs can be timed against each other in one binary).
    package static let isAccelerated: Bool = ca_cpu_has_avx2_fma() != 0
        && getenv("CONVALGEBRA_GEMM").map { String(cString: $0) } != "openblas"

    /// Columns below which one core does the whole product (two would spend more on hand-off than they save).
    package static let parallelColumns = 256

    /// `op(A)` packed for the micro-kernel (`⌈m/6⌉·6 × k`): built once where `A` is an operator's weights (a
    /// convolution plan keeps one per group), then multiplied by any number of `B`s.
    package struct PackedA: Sendable {
        package let m: Int, k: Int
        package let storage: [Float]

        package init(transposeA: Bool, m: Int, k: Int, a: UnsafePointer<Float>, lda: Int) {
            self.m = m; self.k = k
            storage = [Float](unsafeUninitializedCapacity: max(ca_sgemm_packed_a_count(m, k), 1)) { buffer, count in
                if m > 0 { ca_sgemm_pack_a(transposeA ? 1 : 0, m, k, a, lda, buffer.baseAddress!) }
                count = buffer.count
            }
        }
    }

    /// The B-panel scratch of every call (one block per worker of a call, reused by the next call).
    package static let scratch = ScratchPool()

    /// `C[i, j] = Σ_p op(A)[i, p] · B[p, j]`, row-major, `C` overwritten; threads over column ranges.
    /// Packs `op(A)` into pooled scratch first: where `A` is fixed, pack it once (``PackedA``) instead.
    package static func multiply(transposeA: Bool, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                         b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        scratch.with(Float.self, count: ca_sgemm_packed_a_count(m, k)) { packed in
            ca_sgemm_pack_a(transposeA ? 1 : 0, m, k, a, lda, packed)
            columns(m: m, n: n, k: k, packedA: UnsafePointer(packed), b: b, ldb: ldb, c: c, ldc: ldc)
        }
    }

    /// `C = op(A) · B` with `op(A)` packed once: no packing and, in the steady state, no allocation per call.
    package static func multiply(_ a: PackedA, n: Int, b: UnsafePointer<Float>, ldb: Int,
                                 c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard a.m > 0, n > 0 else { return }
        a.storage.withUnsafeBufferPointer { packed in
            columns(m: a.m, n: n, k: a.k, packedA: packed.baseAddress!, b: b, ldb: ldb, c: c, ldc: ldc)
        }
    }

    /// The columns split between the cores in equal shares of whole micro-tiles (no two write the same tile),
    /// each core with its own B-panel scratch from ``scratch``.
    private static func columns(m: Int, n: Int, k: Int, packedA: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let nr = Int(CA_SGEMM_NR)
        let tiles = (n + nr - 1) / nr
        let workers = n >= parallelColumns ? min(MachineProfile.current.threads, tiles) : 1
        let per = (tiles + workers - 1) / workers
        let scratchCount = ca_sgemm_b_scratch_count()
        scratch.with(Float.self, count: scratchCount * workers) { panels in
            Parallel.forEach(jobs: workers, work: m * n * k, threshold: 0) { w in
                let n0 = min(n, w * per * nr), n1 = min(n, (w + 1) * per * nr)
                if n0 < n1 { ca_sgemm_columns(m, k, n0, n1, packedA, b, ldb, c, ldc, panels + w * scratchCount) }
            }
        }
    }

    /// Runs `rounds` of the FMA probe on every core at once; returns the FLOPs done (`20 · lanes · rounds` per core, `ca_fma_probe_lanes()`).
    /// The caller times it: FLOPs / seconds is the machine's FP32 peak as this process sees it.
    package static func fmaProbe(rounds: Int) -> Double {
        let cores = MachineProfile.current.threads
        Parallel.forEach(jobs: cores, work: rounds, threshold: 0) { _ in
            let r = ca_fma_probe(rounds)
            if r.isNaN { print("") }  // keeps the result observable
        }
        return 20 * Double(ca_fma_probe_lanes()) * Double(rounds) * Double(cores)
    }
}
