// Register-blocked FP32 GEMM after BLIS (Van Zee & van de Geijn, 2015): op(A) packed into MR-row panels,
// B packed per (KC × NC) block into NR-column panels, an MR × NR micro-kernel holding C in registers.
// The AVX2 kernel keeps 12 ymm accumulators (6 rows × 2 × 8 columns): per depth step 2 loads of B,
// 6 broadcasts of A and 12 FMAs. Function-level target attributes (not -mavx2) keep the library portable:
// the CPU is asked once at run time (cpu.c). The AVX2 kernel exists only on x86-64; every architecture has the
// portable kernel (on aarch64 clang vectorises its inner loop over the 16 columns with NEON, which is baseline).
#include "CMicroKernels.h"
#include "ca_arch.h"
#include <string.h>
#if CA_X86
#include <immintrin.h>
#endif

enum { MR = CA_SGEMM_MR, NR = CA_SGEMM_NR, KC = CA_SGEMM_KC, NC = CA_SGEMM_NC };

long ca_sgemm_packed_a_count(long m, long k) { return (m + MR - 1) / MR * MR * k; }
long ca_sgemm_b_scratch_count(void) { return (long)KC * NC; }

void ca_sgemm_pack_a(int transpose_a, long m, long k, const float *a, long lda, float *packed) {
    long mp = (m + MR - 1) / MR * MR;
    for (long p0 = 0; p0 < k; p0 += KC) {
        long kc = k - p0 < KC ? k - p0 : KC;
        float *block = packed + p0 * mp;
        for (long i0 = 0; i0 < mp; i0 += MR) {
            float *panel = block + i0 * kc;
            for (long p = 0; p < kc; p++)
                for (long i = 0; i < MR; i++) {
                    long r = i0 + i;
                    panel[p * MR + i] = r < m ? (transpose_a ? a[(p0 + p) * lda + r] : a[r * lda + p0 + p]) : 0.0f;
                }
        }
    }
}

/// B[p0 .. p0+kc, j0 .. j0+nc] into NR-column panels `[panel][p][NR]`, zero beyond `nc`.
static void pack_b(long kc, long nc, const float *b, long ldb, float *packed) {
    for (long j = 0; j < nc; j += NR) {
        long w = nc - j < NR ? nc - j : NR;
        float *panel = packed + j * kc;
        if (w == NR) {
            for (long p = 0; p < kc; p++) memcpy(panel + p * NR, b + p * ldb + j, NR * sizeof(float));
        } else {
            for (long p = 0; p < kc; p++) {
                memcpy(panel + p * NR, b + p * ldb + j, (size_t)w * sizeof(float));
                memset(panel + p * NR + w, 0, (size_t)(NR - w) * sizeof(float));
            }
        }
    }
}

#if CA_X86
__attribute__((target("avx2,fma")))
static void kernel_avx2(long kc, const float *restrict a, const float *restrict b, float *restrict c, long ldc,
                        int accumulate) {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
           c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (long p = 0; p < kc; p++) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), x;
        x = _mm256_broadcast_ss(a + 0); c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01);
        x = _mm256_broadcast_ss(a + 1); c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11);
        x = _mm256_broadcast_ss(a + 2); c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21);
        x = _mm256_broadcast_ss(a + 3); c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31);
        x = _mm256_broadcast_ss(a + 4); c40 = _mm256_fmadd_ps(x, b0, c40); c41 = _mm256_fmadd_ps(x, b1, c41);
        x = _mm256_broadcast_ss(a + 5); c50 = _mm256_fmadd_ps(x, b0, c50); c51 = _mm256_fmadd_ps(x, b1, c51);
        a += MR; b += NR;
    }
#define CA_STORE(r, lo, hi) do { float *row = c + (r) * ldc; \
        if (accumulate) { lo = _mm256_add_ps(lo, _mm256_loadu_ps(row)); hi = _mm256_add_ps(hi, _mm256_loadu_ps(row + 8)); } \
        _mm256_storeu_ps(row, lo); _mm256_storeu_ps(row + 8, hi); } while (0)
    CA_STORE(0, c00, c01); CA_STORE(1, c10, c11); CA_STORE(2, c20, c21);
    CA_STORE(3, c30, c31); CA_STORE(4, c40, c41); CA_STORE(5, c50, c51);
#undef CA_STORE
}
#endif

static void kernel_portable(long kc, const float *restrict a, const float *restrict b, float *restrict c, long ldc,
                            int accumulate) {
    float acc[MR][NR];
    memset(acc, 0, sizeof acc);
    for (long p = 0; p < kc; p++, a += MR, b += NR)
        for (int i = 0; i < MR; i++)
            for (int j = 0; j < NR; j++) acc[i][j] += a[i] * b[j];
    for (int i = 0; i < MR; i++)
        for (int j = 0; j < NR; j++) c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

void ca_sgemm_columns(long m, long k, long n0, long n1, const float *packed_a,
                      const float *b, long ldb, float *c, long ldc, float *b_scratch) {
#if CA_X86
    void (*kernel)(long, const float *, const float *, float *, long, int) =
        ca_cpu_has_avx2_fma() ? kernel_avx2 : kernel_portable;
#else
    void (*kernel)(long, const float *, const float *, float *, long, int) = kernel_portable;
#endif
    long mp = (m + MR - 1) / MR * MR;
    float edge[MR * NR];
    if (k == 0) {
        for (long i = 0; i < m; i++) memset(c + i * ldc + n0, 0, (size_t)(n1 - n0) * sizeof(float));
        return;
    }
    for (long j0 = n0; j0 < n1; j0 += NC) {
        long nc = n1 - j0 < NC ? n1 - j0 : NC;
        for (long p0 = 0; p0 < k; p0 += KC) {
            long kc = k - p0 < KC ? k - p0 : KC;
            int accumulate = p0 > 0;
            pack_b(kc, nc, b + p0 * ldb + j0, ldb, b_scratch);
            const float *block = packed_a + p0 * mp;
            for (long j = 0; j < nc; j += NR) {
                long w = nc - j < NR ? nc - j : NR;
                const float *bp = b_scratch + j * kc;
                for (long i0 = 0; i0 < m; i0 += MR) {
                    long h = m - i0 < MR ? m - i0 : MR;
                    float *ct = c + i0 * ldc + j0 + j;
                    if (h == MR && w == NR) {
                        kernel(kc, block + i0 * kc, bp, ct, ldc, accumulate);
                    } else {
                        // Edge tile: compute the whole MR × NR tile aside, write back its valid part.
                        for (long i = 0; i < h; i++)
                            for (long jj = 0; jj < w; jj++) edge[i * NR + jj] = accumulate ? ct[i * ldc + jj] : 0.0f;
                        kernel(kc, block + i0 * kc, bp, edge, NR, 1);
                        for (long i = 0; i < h; i++) memcpy(ct + i * ldc, edge + i * NR, (size_t)w * sizeof(float));
                    }
                }
            }
        }
    }
}
