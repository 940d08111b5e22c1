// FMA probes: enough independent chains of fused multiply-adds to cover the FMA latency (10 chains against a
// 4-5 cycle latency on two FMA pipes), so a core runs them at its FMA throughput. `x ← x·m + a` with
// m = 0.999999 and a = 1e-7 converges to a / (1 − m) = 0.1: no overflow, no subnormals, every chain stays live.
//
// The vector path is the hardware's best (`ca_cpu_features()`), not the kernels' choice: the peak is a
// property of the machine, reached by OpenBLAS whatever `CONVALGEBRA_ISA` says about our own kernels.
#include "CMicroKernels.h"
#include "ca_arch.h"
#if CA_X86
#include <immintrin.h>
#endif

#if CA_X86
static int hardware_has_avx2_fma(void) {
    int both = CA_ISA_AVX2 | CA_ISA_FMA;
    return (ca_cpu_features() & both) == both;
}

__attribute__((target("avx2,fma")))
static float probe_avx2(long iterations) {
    __m256 x0 = _mm256_set1_ps(1.0f), x1 = _mm256_set1_ps(1.1f), x2 = _mm256_set1_ps(1.2f), x3 = _mm256_set1_ps(1.3f),
           x4 = _mm256_set1_ps(1.4f), x5 = _mm256_set1_ps(1.5f), x6 = _mm256_set1_ps(1.6f), x7 = _mm256_set1_ps(1.7f),
           x8 = _mm256_set1_ps(1.8f), x9 = _mm256_set1_ps(1.9f);
    const __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
    for (long i = 0; i < iterations; i++) {
        x0 = _mm256_fmadd_ps(x0, m, a); x1 = _mm256_fmadd_ps(x1, m, a); x2 = _mm256_fmadd_ps(x2, m, a);
        x3 = _mm256_fmadd_ps(x3, m, a); x4 = _mm256_fmadd_ps(x4, m, a); x5 = _mm256_fmadd_ps(x5, m, a);
        x6 = _mm256_fmadd_ps(x6, m, a); x7 = _mm256_fmadd_ps(x7, m, a); x8 = _mm256_fmadd_ps(x8, m, a);
        x9 = _mm256_fmadd_ps(x9, m, a);
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(x0, x1), _mm256_add_ps(x2, x3)),
                             _mm256_add_ps(_mm256_add_ps(x4, x5), _mm256_add_ps(_mm256_add_ps(x6, x7), _mm256_add_ps(x8, x9))));
    float out[8];
    _mm256_storeu_ps(out, s);
    return out[0] + out[7];
}

__attribute__((target("avx2,fma")))
static double probe_avx2_f64(long iterations) {
    __m256d x0 = _mm256_set1_pd(1.0), x1 = _mm256_set1_pd(1.1), x2 = _mm256_set1_pd(1.2), x3 = _mm256_set1_pd(1.3),
            x4 = _mm256_set1_pd(1.4), x5 = _mm256_set1_pd(1.5), x6 = _mm256_set1_pd(1.6), x7 = _mm256_set1_pd(1.7),
            x8 = _mm256_set1_pd(1.8), x9 = _mm256_set1_pd(1.9);
    const __m256d m = _mm256_set1_pd(0.999999), a = _mm256_set1_pd(1e-7);
    for (long i = 0; i < iterations; i++) {
        x0 = _mm256_fmadd_pd(x0, m, a); x1 = _mm256_fmadd_pd(x1, m, a); x2 = _mm256_fmadd_pd(x2, m, a);
        x3 = _mm256_fmadd_pd(x3, m, a); x4 = _mm256_fmadd_pd(x4, m, a); x5 = _mm256_fmadd_pd(x5, m, a);
        x6 = _mm256_fmadd_pd(x6, m, a); x7 = _mm256_fmadd_pd(x7, m, a); x8 = _mm256_fmadd_pd(x8, m, a);
        x9 = _mm256_fmadd_pd(x9, m, a);
    }
    __m256d s = _mm256_add_pd(_mm256_add_pd(_mm256_add_pd(x0, x1), _mm256_add_pd(x2, x3)),
                              _mm256_add_pd(_mm256_add_pd(x4, x5), _mm256_add_pd(_mm256_add_pd(x6, x7), _mm256_add_pd(x8, x9))));
    double out[4];
    _mm256_storeu_pd(out, s);
    return out[0] + out[3];
}
#endif

float ca_fma_probe(long iterations) {
#if CA_X86
    if (hardware_has_avx2_fma()) return probe_avx2(iterations);
#endif
    // 80 chains of one multiply-add each: 160 FLOPs a round, as above (vectorised where the compiler can).
    float x[80];
    for (int i = 0; i < 80; i++) x[i] = 1.0f + 0.01f * (float)i;
    for (long it = 0; it < iterations; it++)
        for (int i = 0; i < 80; i++) x[i] = x[i] * 0.999999f + 1e-7f;
    return x[0] + x[79];
}

double ca_fma_probe_f64(long iterations) {
#if CA_X86
    if (hardware_has_avx2_fma()) return probe_avx2_f64(iterations);
#endif
    // 40 chains of one multiply-add each: 80 FLOPs a round, as above.
    double x[40];
    for (int i = 0; i < 40; i++) x[i] = 1.0 + 0.01 * (double)i;
    for (long it = 0; it < iterations; it++)
        for (int i = 0; i < 40; i++) x[i] = x[i] * 0.999999 + 1e-7;
    return x[0] + x[39];
}
