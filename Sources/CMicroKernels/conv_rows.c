// The pixel-vector indirect-convolution micro-kernel: the transposed orientation of conv.c's 6 × 16 tile. The
// vector runs along an output row (NR consecutive pixels), the broadcast along output channels (MR of them), so
// each accumulator is MR-th of a row segment of one output channel and is stored straight from its register into
// the NCHW output row: no tile buffer and no scatter per element. The taps are read where they lie: pixel j of
// the segment reads `src[offsets[p] + j]` (the caller splits a strided row into phase rows, so j → j + 1 is
// always the next float).
//
// Per depth step: NR/V vector loads of the input, MR broadcasts of the packed weights, MR·NR/V FMAs.
// AVX-512F: NR = 32 (two zmm), MR ≤ 14: 28 accumulators + 2 input vectors of the 32 zmm registers.
// AVX2 + FMA: NR = 16 (two ymm), MR ≤ 6: 12 accumulators + 2 input vectors + 1 broadcast of the 16 ymm.
// The row tail (n < NR) is masked (AVX-512 opmask, AVX2 vmaskmov), so no load or store leaves the row.
#include "CMicroKernels.h"
#include "ca_arch.h"
#include <string.h>
#if CA_X86
#include <immintrin.h>
#endif

#define CA_INLINE static inline __attribute__((always_inline))
// The loops over the MR accumulators are unrolled in full, so the accumulators live in registers.
#if defined(__clang__)
#define CA_UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__)
#define CA_UNROLL _Pragma("GCC unroll 16")
#else
#define CA_UNROLL
#endif

#if CA_X86
// The two tiles' shared steps on the accumulators c0[MR], c1[MR] of a CA_ROWS body, for vector width W (512:
// __m512 with opmask tails; 256: __m256 with vmaskmov tails), through the width's ca_broadcast/ca_load/ca_store:
// CA_TILE_STEP is one depth step (MR broadcasts of the packed weights w against the input vectors x0, x1), and
// CA_TILE_STORE stores the MR output rows (their lanes v0, v1), added to y's rows when accumulating.
// With fetchNext the unmasked loop also prefetches the next row segment's input (NR floats further along the rows
// this step reads, one 16-float line a step, alternating) into L1 while this segment computes: a segment is the
// first reader of most of its input lines (every line of a 1-D row, the last rows of a 2-D window), and without it
// each first read waits on L2 or L3 (IndirectRowKernels+Tiles.swift has the measurements). Without fetchNext the
// prefetch lands on this step's own lines: one more load-port op a step, in place of a second copy of the loop.
// A first depth block with fetchNext also prefetches the next segment's output lines (its MR rows, NR floats on),
// which it will store to: the stores then hit L1 instead of waiting for each line's read-for-ownership.
#define CA_TILE_STEP(W, MR)                                                                                     \
    CA_UNROLL for (int c = 0; c < MR; c++) {                                                                    \
        __m##W b = ca_broadcast##W(w + c);                                                                      \
        c0[c] = _mm##W##_fmadd_ps(b, x0, c0[c]); c1[c] = _mm##W##_fmadd_ps(b, x1, c1[c]);                       \
    }
#define CA_TILE_STORE(W, MR)                                                                                    \
    CA_UNROLL for (int c = 0; c < MR; c++) {                                                                    \
        float *row = y + c * ldy;                                                                               \
        if (accumulate) {                                                                                       \
            c0[c] = _mm##W##_add_ps(c0[c], ca_load##W(row, v0));                                                \
            c1[c] = _mm##W##_add_ps(c1[c], ca_load##W(row + W / 32, v1));                                       \
        }                                                                                                       \
        ca_store##W(row, v0, c0[c]); ca_store##W(row + W / 32, v1, c1[c]);                                      \
    }

#define CA_FETCH(address) _mm_prefetch((const char *)(address), _MM_HINT_T0);

__attribute__((target("avx512f"))) CA_INLINE __m512 ca_broadcast512(const float *w) { return _mm512_set1_ps(*w); }
__attribute__((target("avx512f"))) CA_INLINE __m512 ca_load512(const float *p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
__attribute__((target("avx512f"))) CA_INLINE void ca_store512(float *p, __mmask16 m, __m512 v) { _mm512_mask_storeu_ps(p, m, v); }
__attribute__((target("avx2"))) CA_INLINE __m256 ca_broadcast256(const float *w) { return _mm256_broadcast_ss(w); }
__attribute__((target("avx2"))) CA_INLINE __m256 ca_load256(const float *p, __m256i m) { return _mm256_maskload_ps(p, m); }
__attribute__((target("avx2"))) CA_INLINE void ca_store256(float *p, __m256i m, __m256 v) { _mm256_maskstore_ps(p, m, v); }

// MR is a constant in every instantiation, so the accumulator arrays live in registers. Vector v's lanes i
// (i < split[v]) read from src[2v], the others from src[2v+1] (the next output row's start, shifted): a vector
// of consecutive output pixels may cross one output row while the input rows are wider than the output rows.
#define CA_ROWS512(MR)                                                                                           \
__attribute__((target("avx512f")))                                                                              \
static void rows512_##MR(long k, const float *const *src, const long *split, const long *offsets,              \
                         const float *w, long ldw, long n, float *y, long ldy, int accumulate, int fetchNext) { \
    __mmask16 v0 = n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1);                                    \
    __mmask16 v1 = n >= 32 ? (__mmask16)0xFFFF : n <= 16 ? (__mmask16)0 : (__mmask16)((1u << (n - 16)) - 1);    \
    __mmask16 a0 = v0 & (__mmask16)((1u << split[0]) - 1), b0 = v0 & (__mmask16)~a0;                            \
    __mmask16 a1 = v1 & (__mmask16)((1u << split[1]) - 1), b1 = v1 & (__mmask16)~a1;                            \
    const float *s0 = src[0], *t0 = src[1], *s1 = src[2], *t1 = src[3];                                         \
    __m512 c0[MR], c1[MR];                                                                                      \
    CA_UNROLL for (int c = 0; c < MR; c++) { c0[c] = _mm512_setzero_ps(); c1[c] = _mm512_setzero_ps(); }        \
    if (fetchNext && !accumulate) {                                                                             \
        CA_UNROLL for (int c = 0; c < MR; c++) { CA_FETCH(y + c * ldy + 32) CA_FETCH(y + c * ldy + 48) }       \
    }                                                                                                           \
    if (a0 == 0xFFFF && a1 == 0xFFFF && s1 == s0 + 16) {                                                        \
        const long ahead = fetchNext ? 32 : 0;                                                                  \
        for (long p = 0; p < k; p++, w += ldw) {                                                                \
            const float *x = s0 + offsets[p];                                                                   \
            __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);                                       \
            CA_FETCH(x + ahead + 16 * (p & 1))                                                                  \
            CA_TILE_STEP(512, MR)                                                                               \
        }                                                                                                       \
    } else if (v1 == 0xFFFF) {                                                                                  \
        for (long p = 0; p < k; p++, w += ldw) {                                                                \
            long o = offsets[p];                                                                                \
            __m512 x0 = _mm512_mask_blend_ps(b0, _mm512_loadu_ps(s0 + o), _mm512_loadu_ps(t0 + o));              \
            __m512 x1 = _mm512_mask_blend_ps(b1, _mm512_loadu_ps(s1 + o), _mm512_loadu_ps(t1 + o));              \
            CA_TILE_STEP(512, MR)                                                                               \
        }                                                                                                       \
    } else if (v1 == 0) {                                                                                       \
        /* A tail of at most 16 pixels (c2d-s2's 28 × 28 plane ends on one): the first vector alone, half the  \
           FMAs; c1 stays zero and its store is masked off. */                                                  \
        for (long p = 0; p < k; p++, w += ldw) {                                                                \
            long o = offsets[p];                                                                                \
            __m512 x0 = _mm512_mask_loadu_ps(_mm512_maskz_loadu_ps(a0, s0 + o), b0, t0 + o);                    \
            CA_UNROLL for (int c = 0; c < MR; c++) c0[c] = _mm512_fmadd_ps(ca_broadcast512(w + c), x0, c0[c]);  \
        }                                                                                                       \
    } else {                                                                                                    \
        for (long p = 0; p < k; p++, w += ldw) {                                                                \
            long o = offsets[p];                                                                                \
            __m512 x0 = _mm512_mask_loadu_ps(_mm512_maskz_loadu_ps(a0, s0 + o), b0, t0 + o);                    \
            __m512 x1 = _mm512_mask_loadu_ps(_mm512_maskz_loadu_ps(a1, s1 + o), b1, t1 + o);                    \
            CA_TILE_STEP(512, MR)                                                                               \
        }                                                                                                       \
    }                                                                                                           \
    CA_TILE_STORE(512, MR)                                                                                      \
}
CA_ROWS512(1) CA_ROWS512(2) CA_ROWS512(3) CA_ROWS512(4) CA_ROWS512(5) CA_ROWS512(6) CA_ROWS512(7)
CA_ROWS512(8) CA_ROWS512(9) CA_ROWS512(10) CA_ROWS512(11) CA_ROWS512(12) CA_ROWS512(13) CA_ROWS512(14)

typedef void (*rows_kernel)(long, const float *const *, const long *, const long *, const float *, long, long,
                            float *, long, int, int);
static const rows_kernel rows512[CA_ROWS_MR_AVX512 + 1] = {
    0, rows512_1, rows512_2, rows512_3, rows512_4, rows512_5, rows512_6, rows512_7,
    rows512_8, rows512_9, rows512_10, rows512_11, rows512_12, rows512_13, rows512_14,
};

/// The AVX2 lane mask of lanes `from ..< to` of 8 (all-ones lanes are the ones vmaskmov touches).
__attribute__((target("avx2")))
CA_INLINE __m256i lanes8(long from, long to) {
    __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    long f = from < 0 ? 0 : from > 8 ? 8 : from, t = to < 0 ? 0 : to > 8 ? 8 : to;
    return _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)f), lane),
                               _mm256_cmpgt_epi32(_mm256_set1_epi32((int)t), lane));
}

#define CA_ROWS256(MR)                                                                                           \
__attribute__((target("avx2,fma")))                                                                             \
static void rows256_##MR(long k, const float *const *src, const long *split, const long *offsets,              \
                         const float *w, long ldw, long n, float *y, long ldy, int accumulate, int fetchNext) { \
    __m256 c0[MR], c1[MR];                                                                                      \
    CA_UNROLL for (int c = 0; c < MR; c++) { c0[c] = _mm256_setzero_ps(); c1[c] = _mm256_setzero_ps(); }        \
    const float *s0 = src[0], *t0 = src[1], *s1 = src[2], *t1 = src[3];                                         \
    __m256i v0 = lanes8(0, n), v1 = lanes8(0, n - 8);                                                           \
    if (fetchNext && !accumulate) {                                                                             \
        CA_UNROLL for (int c = 0; c < MR; c++) { CA_FETCH(y + c * ldy + 16) CA_FETCH(y + c * ldy + 31) }       \
    }                                                                                                           \
    if (n >= 16 && split[0] >= 8 && split[1] >= 8 && s1 == s0 + 8) {                                            \
        const long ahead = fetchNext ? 16 : 0;                                                                  \
        for (long p = 0; p < k; p++, w += ldw) {                                                                \
            const float *x = s0 + offsets[p];                                                                   \
            __m256 x0 = _mm256_loadu_ps(x), x1 = _mm256_loadu_ps(x + 8);                                        \
            CA_FETCH(x + ahead + 16 * (p & 1))                                                                  \
            CA_TILE_STEP(256, MR)                                                                               \
        }                                                                                                       \
    } else if (n >= 16) {                                                                                       \
        /* Both vectors whole, one or both crossing a row: whole loads from both pointers, blended (vmaskmov \
           loads are slow on some cores; every lane read lies in the padded plane, between the two rows). */  \
        __m256 m0 = _mm256_castsi256_ps(lanes8(split[0], 8)), m1 = _mm256_castsi256_ps(lanes8(split[1], 8));    \
        for (long p = 0; p < k; p++, w += ldw) {                                                                \
            long o = offsets[p];                                                                                \
            __m256 x0 = _mm256_blendv_ps(_mm256_loadu_ps(s0 + o), _mm256_loadu_ps(t0 + o), m0);                 \
            __m256 x1 = _mm256_blendv_ps(_mm256_loadu_ps(s1 + o), _mm256_loadu_ps(t1 + o), m1);                 \
            CA_TILE_STEP(256, MR)                                                                               \
        }                                                                                                       \
    } else if (n <= 8) {                                                                                        \
        /* A tail of at most 8 pixels: the first vector alone, half the FMAs (c1 stays zero, its store masked). */ \
        __m256i a0 = lanes8(0, n < split[0] ? n : split[0]), b0 = lanes8(split[0], n);                          \
        for (long p = 0; p < k; p++, w += ldw) {                                                                \
            long o = offsets[p];                                                                                \
            __m256 x0 = _mm256_or_ps(_mm256_maskload_ps(s0 + o, a0), _mm256_maskload_ps(t0 + o, b0));           \
            CA_UNROLL for (int c = 0; c < MR; c++) c0[c] = _mm256_fmadd_ps(ca_broadcast256(w + c), x0, c0[c]);  \
        }                                                                                                       \
    } else {                                                                                                    \
        __m256i a0 = lanes8(0, n < split[0] ? n : split[0]), b0 = lanes8(split[0], n);                          \
        __m256i a1 = lanes8(0, n - 8 < split[1] ? n - 8 : split[1]), b1 = lanes8(split[1], n - 8);              \
        for (long p = 0; p < k; p++, w += ldw) {                                                                \
            long o = offsets[p];                                                                                \
            __m256 x0 = _mm256_or_ps(_mm256_maskload_ps(s0 + o, a0), _mm256_maskload_ps(t0 + o, b0));           \
            __m256 x1 = _mm256_or_ps(_mm256_maskload_ps(s1 + o, a1), _mm256_maskload_ps(t1 + o, b1));           \
            CA_TILE_STEP(256, MR)                                                                               \
        }                                                                                                       \
    }                                                                                                           \
    CA_TILE_STORE(256, MR)                                                                                      \
}
CA_ROWS256(1) CA_ROWS256(2) CA_ROWS256(3) CA_ROWS256(4) CA_ROWS256(5) CA_ROWS256(6)

static const rows_kernel rows256[CA_ROWS_MR_AVX2 + 1] = {
    0, rows256_1, rows256_2, rows256_3, rows256_4, rows256_5, rows256_6,
};
#endif

/// Any MR ≤ CA_ROWS_MR_PORTABLE, n ≤ CA_ROWS_NR_PORTABLE (two "vectors" of 8 lanes); the inner loop over
/// pixels is the compiler's to vectorise (NEON on aarch64).
static void rows_portable(long mr, long k, const float *const *src, const long *split, const long *offsets,
                          const float *w, long ldw, long n, float *y, long ldy, int accumulate) {
    enum { V = CA_ROWS_NR_PORTABLE / 2 };
    float acc[CA_ROWS_MR_PORTABLE][CA_ROWS_NR_PORTABLE];
    const float *lane[CA_ROWS_NR_PORTABLE];
    memset(acc, 0, sizeof acc);
    for (long j = 0; j < n; j++) lane[j] = (j % V < split[j / V] ? src[2 * (j / V)] : src[2 * (j / V) + 1]) + j % V;
    for (long p = 0; p < k; p++, w += ldw) {
        long o = offsets[p];
        float x[CA_ROWS_NR_PORTABLE];
        for (long j = 0; j < n; j++) x[j] = lane[j][o];
        for (long c = 0; c < mr; c++) {
            float b = w[c];
            for (long j = 0; j < n; j++) acc[c][j] += b * x[j];
        }
    }
    for (long c = 0; c < mr; c++)
        for (long j = 0; j < n; j++) y[c * ldy + j] = accumulate ? y[c * ldy + j] + acc[c][j] : acc[c][j];
}

int ca_rows_tile(int isa, long *mr, long *nr) {
    switch (isa) {
#if CA_X86
    case CA_KERNEL_AVX512: *mr = CA_ROWS_MR_AVX512; *nr = CA_ROWS_NR_AVX512; return 1;
    case CA_KERNEL_AVX2: *mr = CA_ROWS_MR_AVX2; *nr = CA_ROWS_NR_AVX2; return 1;
#endif
    case CA_KERNEL_PORTABLE: *mr = CA_ROWS_MR_PORTABLE; *nr = CA_ROWS_NR_PORTABLE; return 1;
    default: return 0;
    }
}

void ca_conv_rows(int isa, long mr, long k, const float *const *src, const long *split, const long *offsets,
                  const float *w, long ldw, long n, float *y, long ldy, int accumulate, int fetchNext) {
    if (mr <= 0 || n <= 0) return;
#if CA_X86
    if (isa == CA_KERNEL_AVX512 && ca_kernel_isa_supported(CA_KERNEL_AVX512) && mr <= CA_ROWS_MR_AVX512 &&
        n <= CA_ROWS_NR_AVX512) {
        rows512[mr](k, src, split, offsets, w, ldw, n, y, ldy, accumulate, fetchNext);
        return;
    }
    if (isa == CA_KERNEL_AVX2 && ca_kernel_isa_supported(CA_KERNEL_AVX2) && mr <= CA_ROWS_MR_AVX2 &&
        n <= CA_ROWS_NR_AVX2) {
        rows256[mr](k, src, split, offsets, w, ldw, n, y, ldy, accumulate, fetchNext);
        return;
    }
#endif
    // Portable (or a tile the path cannot take) in pieces of MR_PORTABLE channels × one vector's lanes.
    long v = 0, lanes = n;
    if (ca_rows_tile(isa, &v, &lanes) == 0 || n > lanes) lanes = n;
    long vw = lanes / 2 > 0 ? lanes / 2 : 1;  // the caller's vector width
    for (long j0 = 0; j0 < n; j0 += vw) {
        long vec = j0 / vw, nj = n - j0 < vw ? n - j0 : vw;
        for (long jj = 0; jj < nj; jj += CA_ROWS_NR_PORTABLE / 2) {
            long piece = nj - jj < CA_ROWS_NR_PORTABLE / 2 ? nj - jj : CA_ROWS_NR_PORTABLE / 2;
            long sp = split[vec] - jj;
            const float *from[4] = {src[2 * vec] + jj, src[2 * vec + 1] + jj, 0, 0};
            long splits[2] = {sp < 0 ? 0 : sp, 0};
            for (long c0 = 0; c0 < mr; c0 += CA_ROWS_MR_PORTABLE) {
                long mc = mr - c0 < CA_ROWS_MR_PORTABLE ? mr - c0 : CA_ROWS_MR_PORTABLE;
                rows_portable(mc, k, from, splits, offsets, w + c0, ldw, piece, y + c0 * ldy + j0 + jj, ldy,
                              accumulate);
            }
        }
    }
}
