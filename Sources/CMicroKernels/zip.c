// Zipping phase rows into one row and back. ca_zip2 is the last step of the sub-pixel transposed convolution's
// phase-planar output (stride 2 along the last dimension); ca_unzip, its transpose, splits an input row into its
// s phase rows for the strided pixel-vector convolution (IndirectRowKernels' padded, phase-split source). Whole
// vectors in and out for s = 2: AVX-512F permutes two 16-lane vectors into 32 interleaved lanes (or back), AVX2
// unpacks and swaps 128-bit halves, then one 128-bit step of four pairs; AVX-512F masks its tails. The
// remaining pairs, other strides and the portable path are plain loops.
#include "CMicroKernels.h"
#include "ca_arch.h"
#include <string.h>
#if CA_X86
#include <immintrin.h>

__attribute__((target("avx512f")))
static long zip2_avx512(long n, const float *even, const float *odd, float *y) {
    const __m512i lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i hi = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    long a = 0;
    for (; a + 16 <= n; a += 16) {
        __m512 e = _mm512_loadu_ps(even + a), o = _mm512_loadu_ps(odd + a);
        _mm512_storeu_ps(y + 2 * a, _mm512_permutex2var_ps(e, lo, o));
        _mm512_storeu_ps(y + 2 * a + 16, _mm512_permutex2var_ps(e, hi, o));
    }
    if (a < n) {  // the tail (m < 16 pairs), masked: a row of 28 pairs is otherwise 12 scalar pairs of 28
        long m = n - a;
        __mmask16 in = (__mmask16)((1u << m) - 1);
        __mmask16 out0 = m >= 8 ? (__mmask16)0xFFFF : (__mmask16)((1u << (2 * m)) - 1);
        __mmask16 out1 = m <= 8 ? (__mmask16)0 : (__mmask16)((1u << (2 * (m - 8))) - 1);
        __m512 e = _mm512_maskz_loadu_ps(in, even + a), o = _mm512_maskz_loadu_ps(in, odd + a);
        _mm512_mask_storeu_ps(y + 2 * a, out0, _mm512_permutex2var_ps(e, lo, o));
        _mm512_mask_storeu_ps(y + 2 * a + 16, out1, _mm512_permutex2var_ps(e, hi, o));
        a = n;
    }
    return a;
}

__attribute__((target("avx512f")))
static long unzip2_avx512(long n, const float *x, float *even, float *odd) {
    const __m512i e = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i o = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    long a = 0;
    for (; 2 * a + 32 <= n; a += 16) {
        __m512 l = _mm512_loadu_ps(x + 2 * a), h = _mm512_loadu_ps(x + 2 * a + 16);
        _mm512_storeu_ps(even + a, _mm512_permutex2var_ps(l, e, h));
        _mm512_storeu_ps(odd + a, _mm512_permutex2var_ps(l, o, h));
    }
    long m = n - 2 * a;  // the tail (m < 32 samples), masked: a row of 56 is otherwise 12 scalar pairs of 28
    if (m > 1) {
        __mmask16 in0 = m >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << m) - 1);
        __mmask16 in1 = m <= 16 ? (__mmask16)0 : (__mmask16)((1u << (m - 16)) - 1);
        __mmask16 outEven = (__mmask16)((1u << ((m + 1) / 2)) - 1), outOdd = (__mmask16)((1u << (m / 2)) - 1);
        __m512 l = _mm512_maskz_loadu_ps(in0, x + 2 * a), h = _mm512_maskz_loadu_ps(in1, x + 2 * a + 16);
        _mm512_mask_storeu_ps(even + a, outEven, _mm512_permutex2var_ps(l, e, h));
        _mm512_mask_storeu_ps(odd + a, outOdd, _mm512_permutex2var_ps(l, o, h));
        a += m / 2;  // an odd last sample is the caller's (even[a] = x[2a])
    }
    return a;
}

__attribute__((target("avx2")))
static long unzip2_avx2(long n, const float *x, float *even, float *odd) {
    long a = 0;
    for (; 2 * a + 16 <= n; a += 8) {
        __m256 l = _mm256_loadu_ps(x + 2 * a), h = _mm256_loadu_ps(x + 2 * a + 8);
        // Per 128-bit half: (0 2 | 8 10 ...) by pairs of halves, then the 64-bit quarters put in order.
        __m256 ev = _mm256_shuffle_ps(l, h, 0x88), od = _mm256_shuffle_ps(l, h, 0xDD);  // (0 2 8 10 4 6 12 14)
        _mm256_storeu_ps(even + a, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(ev), 0xD8)));
        _mm256_storeu_ps(odd + a, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(od), 0xD8)));
    }
    if (2 * a + 8 <= n) {  // four pairs left: one 128-bit step (a row of 56 is otherwise 4 scalar pairs of 28)
        __m128 l = _mm_loadu_ps(x + 2 * a), h = _mm_loadu_ps(x + 2 * a + 4);
        _mm_storeu_ps(even + a, _mm_shuffle_ps(l, h, 0x88));
        _mm_storeu_ps(odd + a, _mm_shuffle_ps(l, h, 0xDD));
        a += 4;
    }
    return a;
}

__attribute__((target("avx2")))
static long zip2_avx2(long n, const float *even, const float *odd, float *y) {
    long a = 0;
    for (; a + 8 <= n; a += 8) {
        __m256 e = _mm256_loadu_ps(even + a), o = _mm256_loadu_ps(odd + a);
        __m256 l = _mm256_unpacklo_ps(e, o), h = _mm256_unpackhi_ps(e, o);  // (0 1 4 5) (2 3 6 7) by pairs
        _mm256_storeu_ps(y + 2 * a, _mm256_permute2f128_ps(l, h, 0x20));
        _mm256_storeu_ps(y + 2 * a + 8, _mm256_permute2f128_ps(l, h, 0x31));
    }
    if (a + 4 <= n) {  // four pairs left: one 128-bit step
        __m128 e = _mm_loadu_ps(even + a), o = _mm_loadu_ps(odd + a);
        _mm_storeu_ps(y + 2 * a, _mm_unpacklo_ps(e, o));
        _mm_storeu_ps(y + 2 * a + 4, _mm_unpackhi_ps(e, o));
        a += 4;
    }
    return a;
}
#endif

void ca_zip2(int isa, long n, const float *even, const float *odd, float *y) {
    long a = 0;
#if CA_X86
    if (isa == CA_KERNEL_AVX512 && ca_kernel_isa_supported(CA_KERNEL_AVX512)) a = zip2_avx512(n, even, odd, y);
    else if (isa >= CA_KERNEL_AVX2 && ca_kernel_isa_supported(CA_KERNEL_AVX2)) a = zip2_avx2(n, even, odd, y);
#else
    (void)isa;
#endif
    for (; a < n; a++) { y[2 * a] = even[a]; y[2 * a + 1] = odd[a]; }
}

void ca_unzip(int isa, long n, long s, const float *x, float *const *phases) {
    if (n <= 0 || s <= 0) return;
    if (s == 1) { for (long a = 0; a < n; a++) phases[0][a] = x[a]; return; }
    long a = 0;
    if (s == 2) {
        float *even = phases[0], *odd = phases[1];
#if CA_X86
        if (isa == CA_KERNEL_AVX512 && ca_kernel_isa_supported(CA_KERNEL_AVX512)) a = unzip2_avx512(n, x, even, odd);
        else if (isa >= CA_KERNEL_AVX2 && ca_kernel_isa_supported(CA_KERNEL_AVX2)) a = unzip2_avx2(n, x, even, odd);
#else
        (void)isa;
#endif
        for (; 2 * a + 1 < n; a++) { even[a] = x[2 * a]; odd[a] = x[2 * a + 1]; }
        if (2 * a < n) even[a] = x[2 * a];
        return;
    }
    (void)isa;
    for (long r = 0; r < s && r < n; r++) {
        float *to = phases[r];
        for (long i = r, b = 0; i < n; i += s, b++) to[b] = x[i];
    }
}

void ca_pad_split_rows(int isa, long rows, const long *rowSources, const float *x, long n, long s, long rowLength,
                       long runs, const long *residues, const long *starts, const long *counts, float **to, float *xp) {
    for (long row = 0; row < rows; row++) {
        float *dst = xp + row * rowLength;
        if (rowSources[row] < 0 || n <= 0) {
            memset(dst, 0, (size_t)rowLength * sizeof(float));
            continue;
        }
        long end = 0;  // zero from the end of one phase's run to the start of the next (a float or two)
        for (long i = 0; i < runs; i++) {
            for (long c = end; c < starts[i]; c++) dst[c] = 0;
            to[residues[i]] = dst + starts[i];
            end = starts[i] + counts[i];
        }
        for (long c = end; c < rowLength; c++) dst[c] = 0;
        ca_unzip(isa, n, s, x + rowSources[row], to);
    }
}
