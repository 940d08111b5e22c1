#ifndef CMICROKERNELS_H
#define CMICROKERNELS_H

/// Register-blocked FP32 GEMM micro-kernels (AVX2 + FMA, chosen at run time, with a portable fallback),
/// for the shapes convolutions make: C (m × n) = op(A) (m × k) · B (k × n), row-major, m small (channels),
/// n large (pixels). The caller packs op(A) once (`ca_sgemm_pack_a`) and runs `ca_sgemm_columns` on
/// disjoint column ranges from several threads, each with its own B-panel scratch.

#ifdef __cplusplus
extern "C" {
#endif

/// Rows of a micro-tile, columns of a micro-tile, and the depth of one packed block.
enum { CA_SGEMM_MR = 6, CA_SGEMM_NR = 16, CA_SGEMM_KC = 256, CA_SGEMM_NC = 192 };

/// 1 when this CPU runs the AVX2 + FMA micro-kernel, 0 when the portable one is used.
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

/// Runs `iterations` rounds of 10 independent 8-lane FMAs (AVX2 + FMA when present): 160 FLOPs a round.
/// Used to measure the machine's FP32 peak per core; returns a value that depends on every FMA.
float ca_fma_probe(long iterations);

#ifdef __cplusplus
}
#endif

#endif
