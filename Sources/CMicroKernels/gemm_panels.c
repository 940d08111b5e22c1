// The dense form's GEMM `Y = X · Aᵀ` (row-major batch X: B × k, Y: B × m) with the operator's `Aᵀ` packed once into
// NR-column panels `[panel][p][NR]` (zero beyond m), and the batch read where it lies: a micro-tile of MR samples ×
// NR outputs broadcasts `X[b, p]` from the sample rows (no packing of the batch) against one panel row, so each
// accumulator is a vector of NR/V consecutive outputs of one sample, stored straight into Y's row.
//
// Per depth step: NR/V vector loads of the panel, MR broadcasts, MR·NR/V FMAs.
// AVX-512F: NR = 32 (two zmm), MR ≤ 14: 28 accumulators + 2 panel vectors of the 32 zmm registers.
// AVX2 + FMA: NR = 16 (two ymm), MR ≤ 6: 12 accumulators + 2 panel vectors + 1 broadcast of the 16 ymm.
//
// Blocking (`ca_gemm_panels_block`): depth blocks of `kc` (an MR × kc slab of X stays in L1 across the panels),
// panel blocks of `ncp` panels (kc × ncp·NR floats of Aᵀ stay in L2 across the samples). When a slab is reused by
// more than one panel it is first copied to a stack buffer with a row stride of kc + 16 floats: sample rows whose
// stride is a multiple of 4 KiB (1024 or 2048 inputs) would otherwise all fall in the same L1 sets (measured on
// 256 × 8192 × 2048, one Zen 4 core: 67 GFLOP/s in place, 99 copied; OpenBLAS 0.3.21: 98).
#include "CMicroKernels.h"
#include "ca_arch.h"
#include <string.h>
#if CA_X86
#include <immintrin.h>
#endif

#if defined(__clang__)
#define CA_UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__)
#define CA_UNROLL _Pragma("GCC unroll 16")
#else
#define CA_UNROLL
#endif

typedef void (*panel_kernel)(long k, const float *x, long ldx, const float *panel, long n, float *y, long ldy,
                             int accumulate);

#if CA_X86
#define CA_PANELS512(MR)                                                                                         \
__attribute__((target("avx512f")))                                                                              \
static void panels512_##MR(long k, const float *x, long ldx, const float *b, long n, float *y, long ldy,        \
                           int accumulate) {                                                                    \
    __m512 c0[MR], c1[MR];                                                                                      \
    CA_UNROLL for (int c = 0; c < MR; c++) { c0[c] = _mm512_setzero_ps(); c1[c] = _mm512_setzero_ps(); }        \
    for (long p = 0; p < k; p++, b += 32) {                                                                     \
        __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);                                           \
        CA_UNROLL for (int c = 0; c < MR; c++) {                                                                \
            __m512 a = _mm512_set1_ps(x[c * ldx + p]);                                                          \
            c0[c] = _mm512_fmadd_ps(a, b0, c0[c]); c1[c] = _mm512_fmadd_ps(a, b1, c1[c]);                       \
        }                                                                                                       \
    }                                                                                                           \
    __mmask16 v0 = n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);                                    \
    __mmask16 v1 = n >= 32 ? (__mmask16)0xFFFF : n <= 16 ? (__mmask16)0 : (__mmask16)((1u << (n - 16)) - 1);    \
    CA_UNROLL for (int c = 0; c < MR; c++) {                                                                    \
        float *row = y + c * ldy;                                                                               \
        if (accumulate) {                                                                                       \
            c0[c] = _mm512_add_ps(c0[c], _mm512_maskz_loadu_ps(v0, row));                                       \
            c1[c] = _mm512_add_ps(c1[c], _mm512_maskz_loadu_ps(v1, row + 16));                                  \
        }                                                                                                       \
        _mm512_mask_storeu_ps(row, v0, c0[c]); _mm512_mask_storeu_ps(row + 16, v1, c1[c]);                      \
    }                                                                                                           \
}
CA_PANELS512(1) CA_PANELS512(2) CA_PANELS512(3) CA_PANELS512(4) CA_PANELS512(5) CA_PANELS512(6)
CA_PANELS512(7) CA_PANELS512(8) CA_PANELS512(9) CA_PANELS512(10) CA_PANELS512(11) CA_PANELS512(12)
CA_PANELS512(13) CA_PANELS512(14)

static const panel_kernel panels512[CA_PANELS_MR_AVX512 + 1] = {
    0, panels512_1, panels512_2, panels512_3, panels512_4, panels512_5, panels512_6, panels512_7,
    panels512_8, panels512_9, panels512_10, panels512_11, panels512_12, panels512_13, panels512_14,
};

/// The AVX2 lane mask of the first `n` (≤ 8, may be ≤ 0) of 8 lanes.
__attribute__((target("avx2")))
static inline __m256i first_lanes8(long n) {
    long t = n < 0 ? 0 : n > 8 ? 8 : n;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)t), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

#define CA_PANELS256(MR)                                                                                         \
__attribute__((target("avx2,fma")))                                                                             \
static void panels256_##MR(long k, const float *x, long ldx, const float *b, long n, float *y, long ldy,        \
                           int accumulate) {                                                                    \
    __m256 c0[MR], c1[MR];                                                                                      \
    CA_UNROLL for (int c = 0; c < MR; c++) { c0[c] = _mm256_setzero_ps(); c1[c] = _mm256_setzero_ps(); }        \
    for (long p = 0; p < k; p++, b += 16) {                                                                     \
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);                                            \
        CA_UNROLL for (int c = 0; c < MR; c++) {                                                                \
            __m256 a = _mm256_broadcast_ss(x + c * ldx + p);                                                    \
            c0[c] = _mm256_fmadd_ps(a, b0, c0[c]); c1[c] = _mm256_fmadd_ps(a, b1, c1[c]);                       \
        }                                                                                                       \
    }                                                                                                           \
    __m256i v0 = first_lanes8(n), v1 = first_lanes8(n - 8);                                                     \
    CA_UNROLL for (int c = 0; c < MR; c++) {                                                                    \
        float *row = y + c * ldy;                                                                               \
        if (accumulate) {                                                                                       \
            c0[c] = _mm256_add_ps(c0[c], _mm256_maskload_ps(row, v0));                                          \
            c1[c] = _mm256_add_ps(c1[c], _mm256_maskload_ps(row + 8, v1));                                      \
        }                                                                                                       \
        _mm256_maskstore_ps(row, v0, c0[c]); _mm256_maskstore_ps(row + 8, v1, c1[c]);                           \
    }                                                                                                           \
}
CA_PANELS256(1) CA_PANELS256(2) CA_PANELS256(3) CA_PANELS256(4) CA_PANELS256(5) CA_PANELS256(6)

static const panel_kernel panels256[CA_PANELS_MR_AVX2 + 1] = {
    0, panels256_1, panels256_2, panels256_3, panels256_4, panels256_5, panels256_6,
};
#endif

/// Any `mr ≤ CA_PANELS_MR_PORTABLE`, panels `nr ≤ CA_PANELS_NR_AVX512` wide (the widest path's, so a panel packed
/// for a path this CPU cannot run is still read right), `n ≤ nr`; the loop over the panel row is the compiler's to
/// vectorise (NEON on aarch64).
static void panels_portable(long mr, long nr, long k, const float *x, long ldx, const float *b, long n, float *y,
                            long ldy, int accumulate) {
    float acc[CA_PANELS_MR_PORTABLE][CA_PANELS_NR_AVX512];
    memset(acc, 0, sizeof acc);
    for (long p = 0; p < k; p++, b += nr)
        for (long c = 0; c < mr; c++) {
            float a = x[c * ldx + p];
            for (long j = 0; j < n; j++) acc[c][j] += a * b[j];
        }
    for (long c = 0; c < mr; c++)
        for (long j = 0; j < n; j++) y[c * ldy + j] = accumulate ? y[c * ldy + j] + acc[c][j] : acc[c][j];
}

int ca_panels_tile(int isa, long *mr, long *nr) {
    switch (isa) {
#if CA_X86
    case CA_KERNEL_AVX512: *mr = CA_PANELS_MR_AVX512; *nr = CA_PANELS_NR_AVX512; return 1;
    case CA_KERNEL_AVX2: *mr = CA_PANELS_MR_AVX2; *nr = CA_PANELS_NR_AVX2; return 1;
#endif
    case CA_KERNEL_PORTABLE: *mr = CA_PANELS_MR_PORTABLE; *nr = CA_PANELS_NR_PORTABLE; return 1;
    default: return 0;
    }
}

void ca_panels_pack(long nr, long k, long m, const float *at, float *packed) {
    for (long j0 = 0; j0 < m; j0 += nr) {
        long w = m - j0 < nr ? m - j0 : nr;
        float *panel = packed + j0 * k;
        for (long p = 0; p < k; p++) {
            memcpy(panel + p * nr, at + p * m + j0, (size_t)w * sizeof(float));
            if (w < nr) memset(panel + p * nr + w, 0, (size_t)(nr - w) * sizeof(float));
        }
    }
}

/// One micro-tile of `mr` (≤ the path's MR) samples against a panel `nr` wide on path `isa`; an `isa` this CPU cannot
/// run takes the portable path.
static void panel_tile(int isa, long mr, long nr, long k, const float *x, long ldx, const float *b, long n, float *y,
                       long ldy, int accumulate) {
#if CA_X86
    if (isa == CA_KERNEL_AVX512 && ca_kernel_isa_supported(CA_KERNEL_AVX512)) {
        panels512[mr](k, x, ldx, b, n, y, ldy, accumulate);
        return;
    }
    if (isa == CA_KERNEL_AVX2 && ca_kernel_isa_supported(CA_KERNEL_AVX2)) {
        panels256[mr](k, x, ldx, b, n, y, ldy, accumulate);
        return;
    }
#endif
    for (long c0 = 0; c0 < mr; c0 += CA_PANELS_MR_PORTABLE) {
        long mc = mr - c0 < CA_PANELS_MR_PORTABLE ? mr - c0 : CA_PANELS_MR_PORTABLE;
        panels_portable(mc, nr, k, x + c0 * ldx, ldx, b, n, y + c0 * ldy, ldy, accumulate);
    }
}

void ca_panels_block(int isa, long height, long kc, long ncp, long k, long m, const float *packed, long rows,
                     const float *x, long ldx, long panel0, long panel1, float *y, long ldy) {
    long mr = 0, nr = 0;
    if (rows <= 0 || panel0 >= panel1 || ca_panels_tile(isa, &mr, &nr) == 0) return;
    if (height >= 1 && height < mr) mr = height;
    if (kc > CA_PANELS_KC_MAX) kc = CA_PANELS_KC_MAX;
    if (kc < 1) kc = 1;
    if (ncp < 1) ncp = 1;
    if (k <= 0) {
        for (long r = 0; r < rows; r++) {
            long j0 = panel0 * nr, j1 = panel1 * nr < m ? panel1 * nr : m;
            memset(y + r * ldy + j0, 0, (size_t)(j1 - j0) * sizeof(float));
        }
        return;
    }
    float slab[CA_PANELS_MR_AVX512 * (CA_PANELS_KC_MAX + 16)];
    const long lds = kc + 16;
    for (long p0 = 0; p0 < k; p0 += kc) {
        long depth = k - p0 < kc ? k - p0 : kc;
        for (long jb = panel0; jb < panel1; jb += ncp) {
            long je = jb + ncp < panel1 ? jb + ncp : panel1;
            for (long b0 = 0; b0 < rows; b0 += mr) {
                long tile = rows - b0 < mr ? rows - b0 : mr;
                const float *xs = x + b0 * ldx + p0;
                long ld = ldx;
                if (je - jb > 1) {
                    for (long r = 0; r < tile; r++) memcpy(slab + r * lds, xs + r * ldx, (size_t)depth * sizeof(float));
                    xs = slab;
                    ld = lds;
                }
                for (long j = jb; j < je; j++) {
                    long n = m - j * nr < nr ? m - j * nr : nr;
                    panel_tile(isa, tile, nr, depth, xs, ld, packed + j * nr * k + p0 * nr, n, y + b0 * ldy + j * nr,
                               ldy, p0 > 0);
                }
            }
        }
    }
}
