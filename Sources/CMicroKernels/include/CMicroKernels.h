#ifndef CMICROKERNELS_H
#define CMICROKERNELS_H

#include "ca_csr.h"

/// Register-blocked FP32 GEMM micro-kernels (AVX2 + FMA on x86-64, chosen at run time, with a portable C path
/// everywhere else and on request),
/// for the shapes convolutions make: C (m × n) = op(A) (m × k) · B (k × n), row-major, m small (channels),
/// n large (pixels). The caller packs op(A) once (`ca_sgemm_pack_a`) and runs `ca_sgemm_columns` on
/// disjoint column ranges from several threads, each with its own B-panel scratch.

#ifdef __cplusplus
extern "C" {
#endif

/// Rows of a micro-tile, columns of a micro-tile, and the depth of one packed block.
enum { CA_SGEMM_MR = 6, CA_SGEMM_NR = 16, CA_SGEMM_KC = 256, CA_SGEMM_NC = 192 };

/// Instruction sets, as the bits of `ca_cpu_features()`.
enum { CA_ISA_SSE2 = 1, CA_ISA_AVX = 2, CA_ISA_AVX2 = 4, CA_ISA_FMA = 8, CA_ISA_AVX512F = 16, CA_ISA_NEON = 32 };

/// The instruction sets this CPU has *and* the OS enables, as `CA_ISA_*` bits, read once (thread-safe).
/// x86-64: cpuid for the CPU, xgetbv (XCR0) for the OS's saving of YMM / ZMM state, so AVX, AVX2, FMA and
/// AVX-512F are reported only when the OS saves the registers they use. aarch64: `CA_ISA_NEON`, always.
/// Other architectures: 0. Independent of `CONVALGEBRA_ISA`.
int ca_cpu_features(void);

/// The micro-kernels' instruction-set paths, in increasing order of width.
enum { CA_KERNEL_PORTABLE = 0, CA_KERNEL_AVX2 = 1, CA_KERNEL_AVX512 = 2 };

/// What the environment variable `CONVALGEBRA_ISA` asks for: `CA_KERNEL_PORTABLE`, `CA_KERNEL_AVX2` or
/// `CA_KERNEL_AVX512` for `portable`, `avx2`, `avx512` (any case); -1 when unset or anything else (`auto`: the
/// best available). Read once, at the first call (thread-safe).
int ca_isa_requested(void);

/// 1 when `CONVALGEBRA_ISA` is `portable`: the kernels then take the portable C path whatever the CPU has.
int ca_isa_forced_portable(void);

/// 1 when this CPU (and OS) can run the `CA_KERNEL_*` path `isa`: portable always; AVX2 with AVX2 and FMA;
/// AVX-512 with AVX2, FMA and AVX-512F. Independent of `CONVALGEBRA_ISA`: tests run every supported path.
int ca_kernel_isa_supported(int isa);

/// The path the kernels run by default: the widest supported one, at most what `CONVALGEBRA_ISA` asks for (a
/// request the CPU cannot run falls to the widest narrower one). Read once (thread-safe).
int ca_kernel_isa(void);

/// CPUs in the calling thread's affinity mask (`sched_getaffinity`, the set `taskset` and cpusets restrict),
/// or 0 when it cannot be read (not Linux, or the call failed). Not cached: affinity can change.
long ca_cpu_affinity_count(void);

/// 1 when `ca_kernel_isa()` is AVX2 or wider (the 6 × 16 kernels' AVX2 + FMA path runs).
int ca_cpu_has_avx2_fma(void);

/// Floats `ca_sgemm_pack_a` writes: `ceil(m / MR) · MR · k`.
long ca_sgemm_packed_a_count(long m, long k);

/// Floats of B-panel scratch one `ca_sgemm_columns` call needs: `KC · NC`.
long ca_sgemm_b_scratch_count(void);

/// Packs op(A) (`m × k`; `A[i·lda + p]`, or `A[p·lda + i]` when `transpose_a`) into MR-row panels per KC block,
/// zero-filled to a multiple of MR rows.
void ca_sgemm_pack_a(int transpose_a, long m, long k, const float *a, long lda, float *packed);

/// `C[i, j] = Σ_p op(A)[i, p] · B[p, j]` for `j ∈ [n0, n1)`, with op(A) packed by `ca_sgemm_pack_a`.
/// `C` is overwritten (beta = 0). `b_scratch` holds `ca_sgemm_b_scratch_count()` floats.
void ca_sgemm_columns(long m, long k, long n0, long n1, const float *packed_a,
                      const float *b, long ldb, float *c, long ldc, float *b_scratch);

/// Indirect convolution tile: `tile[i·16 + j] = Σ_p bases[i][offsets[p]] · w[p·16 + j]` for 6 output pixels `i`
/// (each with its own base pointer into a zero-padded input) and 16 output channels `j` (weights packed as
/// `k` rows of 16). No column matrix: the taps are read where they lie.
void ca_conv_tile_6x16(long k, const float *const *bases, const long *offsets, const float *w, float *tile);

/// The pixel-vector tile of `ca_conv_rows` on path `isa`: at most `*mr` output channels × `*nr` pixels of one row.
/// Returns 0 (and leaves them) for a path this build does not have.
enum { CA_ROWS_MR_AVX512 = 14, CA_ROWS_NR_AVX512 = 32, CA_ROWS_MR_AVX2 = 6, CA_ROWS_NR_AVX2 = 16,
       CA_ROWS_MR_PORTABLE = 8, CA_ROWS_NR_PORTABLE = 16 };
int ca_rows_tile(int isa, long *mr, long *nr);

/// Pixel-vector indirect convolution: for `c < mr` output channels and `j < n` consecutive output pixels,
/// `y[c·ldy + j] (+)= Σ_(p<k) w[p·ldw + c] · x_j[offsets[p]]` (`+=` when `accumulate`), stored as vectors into
/// the output rows. The `n ≤ nr` pixels are two vectors of `V = nr/2` lanes; lane `i` of vector `v` reads
/// `x = src[2v] + i` when `i < split[v]`, else `src[2v+1] + i` (a vector that crosses into the next output row
/// reads that row's input from the second pointer). `mr` at most the tile of `isa` (`ca_rows_tile`); an `isa` the
/// CPU cannot run, or a larger `mr`, runs the portable path. `fetchNext` (nonzero): also prefetch, into L1, the
/// input of the next row segment (`nr` floats further along the same rows), for the segment's first call.
void ca_conv_rows(int isa, long mr, long k, const float *const *src, const long *split, const long *offsets,
                  const float *w, long ldw, long n, float *y, long ldy, int accumulate, int fetchNext);

/// The dense form's micro-tile on path `isa` (`ca_panels_block`): at most `*mr` samples × `*nr` outputs. Returns 0
/// (and leaves them) for a path this build does not have. `CA_PANELS_KC_MAX` bounds a depth block.
enum { CA_PANELS_MR_AVX512 = 14, CA_PANELS_NR_AVX512 = 32, CA_PANELS_MR_AVX2 = 6, CA_PANELS_NR_AVX2 = 16,
       CA_PANELS_MR_PORTABLE = 8, CA_PANELS_NR_PORTABLE = 16, CA_PANELS_KC_MAX = 512 };
int ca_panels_tile(int isa, long *mr, long *nr);

/// Packs `Aᵀ` (`k × m`, row-major, leading dimension `m`) into `ceil(m / nr)` panels of `k` rows of `nr` floats,
/// zero beyond column `m`: panel `j` starts at `packed + j·nr·k` (`ceil(m / nr)·nr·k` floats in all).
void ca_panels_pack(long nr, long k, long m, const float *at, float *packed);

/// `Y[b, j] = Σ_(p<k) X[b, p] · Aᵀ[p, j]` for the `rows` samples `b` of `x` (leading dimension `ldx`) and the
/// outputs `j` of panels `[panel0, panel1)` (`j < m`), `Aᵀ` packed by `ca_panels_pack` with the `nr` of path `isa`;
/// `Y` (leading dimension `ldy`) overwritten. Tiles of `height` samples (at most the path's MR), depth blocks of
/// `kc` (≤ `CA_PANELS_KC_MAX`), panel blocks of `ncp` panels.
/// Disjoint (rows, panels) rectangles may run on separate threads. An `isa` the CPU cannot run takes the
/// portable path with that path's panel width, so pack and block must name the same `isa`.
void ca_panels_block(int isa, long height, long kc, long ncp, long k, long m, const float *packed, long rows,
                     const float *x, long ldx, long panel0, long panel1, float *y, long ldy);

/// `y[2a] = even[a]`, `y[2a + 1] = odd[a]` for `a < n`, by whole vectors on path `isa` (the portable loop for a
/// path the CPU cannot run): two phase rows of a stride-2 sub-pixel transpose zipped into one output row.
void ca_zip2(int isa, long n, const float *even, const float *odd, float *y);

/// `phases[r][a] = x[a·s + r]` for `r < s`, `a·s + r < n`: a row of `n` floats split into its `s` phase rows (the
/// transpose of zipping them), by whole vectors for `s = 2` on path `isa` (the portable loop otherwise).
void ca_unzip(int isa, long n, long s, const float *x, float *const *phases);

/// A plane's `rows` rows padded and split by phase (`ca_unzip`): split row `r` (`rowLength` floats from
/// `xp + r·rowLength`) is zero except where row `rowSources[r] ≥ 0`'s run of `n` samples from `x + rowSources[r]`
/// lands, phase run `i` (`i < runs`: residue `residues[i]` of the run, `counts[i]` samples) from `starts[i]`, the
/// runs in increasing `starts`. `to` is scratch for `s` pointers.
void ca_pad_split_rows(int isa, long rows, const long *rowSources, const float *x, long n, long s, long rowLength,
                       long runs, const long *residues, const long *starts, const long *counts, float **to, float *xp);

/// The FP32 lanes of the probes' FMAs: 16 where the hardware has AVX-512F, else 8.
int ca_fma_probe_lanes(void);

/// Runs `iterations` rounds of 10 independent FP32 FMAs of `ca_fma_probe_lanes()` lanes: `20 · lanes` FLOPs a
/// round. Used to measure the machine's FP32 peak per core; returns a value that depends on every FMA. The widest
/// path (AVX-512F, else AVX2 + FMA) runs whenever `ca_cpu_features()` has it, whatever `CONVALGEBRA_ISA` says: the peak is the hardware's (OpenBLAS reaches it
/// even when our kernels are forced portable). Elsewhere a portable loop of the same FLOPs.
float ca_fma_probe(long iterations);

/// As `ca_fma_probe` in FP64: 10 independent FMAs of `lanes / 2` doubles a round, `10 · lanes` FLOPs a round.
double ca_fma_probe_f64(long iterations);

#ifdef __cplusplus
}
#endif

#endif
