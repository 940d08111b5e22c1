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

/// 1 when the environment variable `CONVALGEBRA_ISA` is `portable` (any case): the kernels then take the
/// portable C path even where AVX2 + FMA are present. `avx2`, `auto`, unset or any other value: 0 (best
/// available). Read once, at the first call (thread-safe).
int ca_isa_forced_portable(void);

/// CPUs in the calling thread's affinity mask (`sched_getaffinity`, the set `taskset` and cpusets restrict),
/// or 0 when it cannot be read (not Linux, or the call failed). Not cached: affinity can change.
long ca_cpu_affinity_count(void);

/// 1 when the micro-kernels run their AVX2 + FMA path: x86-64, `ca_cpu_features()` has AVX2 and FMA, and
/// `ca_isa_forced_portable()` is 0. 0 when the portable path runs. Read once (thread-safe).
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

/// Runs `iterations` rounds of 10 independent 8-lane FP32 FMAs: 160 FLOPs a round. Used to measure the machine's
/// FP32 peak per core; returns a value that depends on every FMA. The AVX2 + FMA path runs whenever
/// `ca_cpu_features()` has both, whatever `CONVALGEBRA_ISA` says: the peak is the hardware's (OpenBLAS reaches it
/// even when our kernels are forced portable). Elsewhere a portable loop of the same FLOPs.
float ca_fma_probe(long iterations);

/// As `ca_fma_probe` in FP64: 10 independent 4-lane FMAs a round (AVX2 + FMA), 80 FLOPs a round.
double ca_fma_probe_f64(long iterations);

#ifdef __cplusplus
}
#endif

#endif
