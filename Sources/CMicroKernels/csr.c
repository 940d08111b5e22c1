// The blocked CSR × dense product's block step in FP32 with AVX2 + FMA (see ca_csr.h). Swift code in this package
// compiles for the x86-64 baseline (SSE2, no FMA), so its SIMD8 multiply-adds run as pairs of 4-lane multiplies and
// adds; here each non-zero is one broadcast and L/8 FMAs, and the transposes go by 8 × 8 register tiles.
#include "ca_arch.h"
#include "CMicroKernels.h"
#include "ca_csr.h"
#include <string.h>

#if CA_X86
#include <immintrin.h>

#define CA_AVX2 __attribute__((target("avx2,fma")))

// The transpose of the 8 × 8 tile whose rows are r[0..7].
CA_AVX2 static inline void transpose8(__m256 r[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0)), s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0)), s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    r[0] = _mm256_permute2f128_ps(s0, s4, 0x20); r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    r[2] = _mm256_permute2f128_ps(s2, s6, 0x20); r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    r[4] = _mm256_permute2f128_ps(s0, s4, 0x31); r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    r[6] = _mm256_permute2f128_ps(s2, s6, 0x31); r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// xt[c·L + l] = x[l·n + c] for l < nb; lanes nb ..< L zero.
CA_AVX2 static void transpose_in(const float *x, long n, long nb, float *xt, long L) {
    if (nb < L) memset(xt, 0, sizeof(float) * (size_t)(n * L));
    long l = 0;
    for (; l + 8 <= nb; l += 8) {
        long c = 0;
        for (; c + 8 <= n; c += 8) {
            __m256 r[8];
            for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(x + (l + i) * n + c);
            transpose8(r);
            for (int i = 0; i < 8; i++) _mm256_storeu_ps(xt + (c + i) * L + l, r[i]);
        }
        for (; c < n; c++)
            for (int i = 0; i < 8; i++) xt[c * L + l + i] = x[(l + i) * n + c];
    }
    for (; l < nb; l++)
        for (long c = 0; c < n; c++) xt[c * L + l] = x[l * n + c];
}

// y[l·m + r] = yt[r·L + l] for l < nb.
CA_AVX2 static void transpose_out(const float *yt, long m, long nb, float *y, long L) {
    long l = 0;
    for (; l + 8 <= nb; l += 8) {
        long r = 0;
        for (; r + 8 <= m; r += 8) {
            __m256 v[8];
            for (int i = 0; i < 8; i++) v[i] = _mm256_loadu_ps(yt + (r + i) * L + l);
            transpose8(v);
            for (int i = 0; i < 8; i++) _mm256_storeu_ps(y + (l + i) * m + r, v[i]);
        }
        for (; r < m; r++)
            for (int i = 0; i < 8; i++) y[(l + i) * m + r] = yt[r * L + l + i];
    }
    for (; l < nb; l++)
        for (long r = 0; r < m; r++) y[l * m + r] = yt[r * L + l];
}

// yt[r·L ..] = Σ_e a_e · xt[c_e·L ..]: L/8 accumulators per row; for L = 8 and 16 two sets alternate between
// successive non-zeros, so that a long row does not wait on one FMA chain.
CA_AVX2 static void multiply(const long *off, const int *col, const float *val, long m, const float *xt, float *yt, long L) {
    for (long r = 0; r < m; r++) {
        long e = off[r], end = off[r + 1];
        if (L == 8) {
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
            for (; e + 2 <= end; e += 2) {
                a0 = _mm256_fmadd_ps(_mm256_set1_ps(val[e]), _mm256_loadu_ps(xt + (long)col[e] * 8), a0);
                a1 = _mm256_fmadd_ps(_mm256_set1_ps(val[e + 1]), _mm256_loadu_ps(xt + (long)col[e + 1] * 8), a1);
            }
            if (e < end) a0 = _mm256_fmadd_ps(_mm256_set1_ps(val[e]), _mm256_loadu_ps(xt + (long)col[e] * 8), a0);
            _mm256_storeu_ps(yt + r * 8, _mm256_add_ps(a0, a1));
        } else if (L == 16) {
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), b0 = _mm256_setzero_ps(), b1 = _mm256_setzero_ps();
            for (; e + 2 <= end; e += 2) {
                const float *p = xt + (long)col[e] * 16, *q = xt + (long)col[e + 1] * 16;
                __m256 v = _mm256_set1_ps(val[e]), w = _mm256_set1_ps(val[e + 1]);
                a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(p), a0);
                a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(p + 8), a1);
                b0 = _mm256_fmadd_ps(w, _mm256_loadu_ps(q), b0);
                b1 = _mm256_fmadd_ps(w, _mm256_loadu_ps(q + 8), b1);
            }
            if (e < end) {
                const float *p = xt + (long)col[e] * 16;
                __m256 v = _mm256_set1_ps(val[e]);
                a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(p), a0);
                a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(p + 8), a1);
            }
            _mm256_storeu_ps(yt + r * 16, _mm256_add_ps(a0, b0));
            _mm256_storeu_ps(yt + r * 16 + 8, _mm256_add_ps(a1, b1));
        } else {
            __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
            for (; e < end; e++) {
                const float *p = xt + (long)col[e] * 32;
                __m256 v = _mm256_set1_ps(val[e]);
                a0 = _mm256_fmadd_ps(v, _mm256_loadu_ps(p), a0);
                a1 = _mm256_fmadd_ps(v, _mm256_loadu_ps(p + 8), a1);
                a2 = _mm256_fmadd_ps(v, _mm256_loadu_ps(p + 16), a2);
                a3 = _mm256_fmadd_ps(v, _mm256_loadu_ps(p + 24), a3);
            }
            _mm256_storeu_ps(yt + r * 32, a0);
            _mm256_storeu_ps(yt + r * 32 + 8, a1);
            _mm256_storeu_ps(yt + r * 32 + 16, a2);
            _mm256_storeu_ps(yt + r * 32 + 24, a3);
        }
    }
}

CA_AVX2 static void block_avx2(const long *off, const int *col, const float *val, long m, long n,
                               const float *x, float *y, long b0, long nb, float *xt, float *yt, long L) {
    transpose_in(x + b0 * n, n, nb, xt, L);
    multiply(off, col, val, m, xt, yt, L);
    transpose_out(yt, m, nb, y + b0 * m, L);
}
#endif

int ca_csr_block_f32(const long *rowOffsets, const int *columnIndices, const float *values, long m, long n,
                     const float *x, float *y, long b0, long nb, float *xt, float *yt, long L) {
#if CA_X86
    if ((L == 8 || L == 16 || L == 32) && nb <= L && ca_cpu_has_avx2_fma()) {
        block_avx2(rowOffsets, columnIndices, values, m, n, x, y, b0, nb, xt, yt, L);
        return 1;
    }
#endif
    (void)rowOffsets; (void)columnIndices; (void)values; (void)m; (void)n; (void)x; (void)y;
    (void)b0; (void)nb; (void)xt; (void)yt; (void)L;
    return 0;
}
