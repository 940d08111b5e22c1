// The indirect-convolution micro-kernel: the GEMM micro-kernel of sgemm.c with op(A) read through pointers
// (6 output pixels, each a base into the padded input, plus one offset per (channel, tap)) instead of a packed
// column matrix. Per depth step: 1 offset load, 6 broadcasts, 2 weight loads, 12 FMAs.
#include "CMicroKernels.h"
#include "ca_arch.h"
#if CA_X86
#include <immintrin.h>

__attribute__((target("avx2,fma")))
static void conv_tile_avx2(long k, const float *const *bases, const long *offsets, const float *w, float *tile) {
    const float *b0 = bases[0], *b1 = bases[1], *b2 = bases[2], *b3 = bases[3], *b4 = bases[4], *b5 = bases[5];
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
           c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (long p = 0; p < k; p++) {
        long o = offsets[p];
        __m256 w0 = _mm256_loadu_ps(w), w1 = _mm256_loadu_ps(w + 8), x;
        x = _mm256_broadcast_ss(b0 + o); c00 = _mm256_fmadd_ps(x, w0, c00); c01 = _mm256_fmadd_ps(x, w1, c01);
        x = _mm256_broadcast_ss(b1 + o); c10 = _mm256_fmadd_ps(x, w0, c10); c11 = _mm256_fmadd_ps(x, w1, c11);
        x = _mm256_broadcast_ss(b2 + o); c20 = _mm256_fmadd_ps(x, w0, c20); c21 = _mm256_fmadd_ps(x, w1, c21);
        x = _mm256_broadcast_ss(b3 + o); c30 = _mm256_fmadd_ps(x, w0, c30); c31 = _mm256_fmadd_ps(x, w1, c31);
        x = _mm256_broadcast_ss(b4 + o); c40 = _mm256_fmadd_ps(x, w0, c40); c41 = _mm256_fmadd_ps(x, w1, c41);
        x = _mm256_broadcast_ss(b5 + o); c50 = _mm256_fmadd_ps(x, w0, c50); c51 = _mm256_fmadd_ps(x, w1, c51);
        w += 16;
    }
    _mm256_storeu_ps(tile + 0, c00);  _mm256_storeu_ps(tile + 8, c01);
    _mm256_storeu_ps(tile + 16, c10); _mm256_storeu_ps(tile + 24, c11);
    _mm256_storeu_ps(tile + 32, c20); _mm256_storeu_ps(tile + 40, c21);
    _mm256_storeu_ps(tile + 48, c30); _mm256_storeu_ps(tile + 56, c31);
    _mm256_storeu_ps(tile + 64, c40); _mm256_storeu_ps(tile + 72, c41);
    _mm256_storeu_ps(tile + 80, c50); _mm256_storeu_ps(tile + 88, c51);
}
#endif

static void conv_tile_portable(long k, const float *const *bases, const long *offsets, const float *w, float *tile) {
    float acc[6][16] = {{0}};
    for (long p = 0; p < k; p++, w += 16)
        for (int i = 0; i < 6; i++) {
            float a = bases[i][offsets[p]];
            for (int j = 0; j < 16; j++) acc[i][j] += a * w[j];
        }
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 16; j++) tile[i * 16 + j] = acc[i][j];
}

void ca_conv_tile_6x16(long k, const float *const *bases, const long *offsets, const float *w, float *tile) {
#if CA_X86
    if (ca_cpu_has_avx2_fma()) {
        conv_tile_avx2(k, bases, offsets, w, tile);
        return;
    }
#endif
    conv_tile_portable(k, bases, offsets, w, tile);
}
