#ifndef CA_CSR_H
#define CA_CSR_H

#ifdef __cplusplus
extern "C" {
#endif

/// One block of the blocked CSR × dense product in FP32 (`SparseKernels.blocked`): samples `b0 ..< b0 + nb` of the
/// row-major batch `x` (`n` scalars each) are transposed into `xt[c·L + l]`, every row `r` of the CSR matrix
/// (`rowOffsets`, `columnIndices`, `values`; `m` rows) accumulates `yt[r·L + l] = Σ_e a_e · xt[c_e·L + l]`, and
/// the block is transposed back into `y[(b0 + l)·m + r]`. `L` is 8, 16 or 32; `nb ≤ L`; `xt` holds `n·L`
/// floats, `yt` `m·L`. Lanes past `nb` are zero in `xt` and not copied out.
/// Only where `ca_cpu_has_avx2_fma()` is 1 (8 × 8 register transposes, one FMA per non-zero and 8 lanes);
/// returns 0 without touching anything otherwise, and the caller runs its portable path.
int ca_csr_block_f32(const long *rowOffsets, const int *columnIndices, const float *values, long m, long n,
                     const float *x, float *y, long b0, long nb, float *xt, float *yt, long L);

#ifdef __cplusplus
}
#endif

#endif
