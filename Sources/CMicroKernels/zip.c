// Zipping two phase rows into one output row: the last step of the sub-pixel transposed convolution's
// phase-planar output (stride 2 along the last dimension). Whole vectors in and out: AVX-512F permutes two
// 16-lane vectors into 32 interleaved lanes, AVX2 unpacks and swaps 128-bit halves; the tail and the portable
// path are a plain loop.
#include "CMicroKernels.h"
#include "ca_arch.h"
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
