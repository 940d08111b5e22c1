// FMA probes: enough independent chains of fused multiply-adds to cover the FMA latency (10 chains against a
// 4-5 cycle latency on two FMA pipes), so a core runs them at its FMA throughput. `x ← x·m + a` with
// m = 0.999999 and a = 1e-7 converges to a / (1 − m) = 0.1: no overflow, no subnormals, every chain stays live.
//
// The vector path is the hardware's best (`ca_cpu_features()`), not the kernels' choice: the peak is a
// property of the machine, reached by OpenBLAS whatever `CONVALGEBRA_ISA` says about our own kernels.
// It is inline assembly, not intrinsics, so the loop is the same at every optimisation level: SwiftPM builds
// C at -O0 in debug, where intrinsics spill every register to the stack and measured 2 GFLOP/s, not 80.
#include "CMicroKernels.h"
#include "ca_arch.h"

#if CA_X86
static int hardware_has_avx2_fma(void) {
    int both = CA_ISA_AVX2 | CA_ISA_FMA;
    return (ca_cpu_features() & both) == both;
}

// ymm0-9 hold the 10 chains, ymm10 the multiplier m, ymm11 the addend a. `vfmadd213p? a, m, x` is x ← m·x + a.
// Needs iterations ≥ 1. `width` is "s" (8 floats) or "d" (4 doubles); every chain starts at `start`.
#define CA_FMA_PROBE_ASM(reg, width, iterations, start, m, a, out)                                                  \
    __asm__ volatile(                                                                                          \
        "vbroadcasts" width " %[s], %%" reg "0\n\t"                                                               \
        "vbroadcasts" width " %[m], %%" reg "10\n\t"                                                              \
        "vbroadcasts" width " %[a], %%" reg "11\n\t"                                                              \
        "vmovap" width " %%" reg "0, %%" reg "1\n\t" "vmovap" width " %%" reg "0, %%" reg "2\n\t"                             \
        "vmovap" width " %%" reg "0, %%" reg "3\n\t" "vmovap" width " %%" reg "0, %%" reg "4\n\t"                             \
        "vmovap" width " %%" reg "0, %%" reg "5\n\t" "vmovap" width " %%" reg "0, %%" reg "6\n\t"                             \
        "vmovap" width " %%" reg "0, %%" reg "7\n\t" "vmovap" width " %%" reg "0, %%" reg "8\n\t"                             \
        "vmovap" width " %%" reg "0, %%" reg "9\n\t"                                                                  \
        "1:\n\t"                                                                                              \
        "vfmadd213p" width " %%" reg "11, %%" reg "10, %%" reg "0\n\t" "vfmadd213p" width " %%" reg "11, %%" reg "10, %%" reg "1\n\t"   \
        "vfmadd213p" width " %%" reg "11, %%" reg "10, %%" reg "2\n\t" "vfmadd213p" width " %%" reg "11, %%" reg "10, %%" reg "3\n\t"   \
        "vfmadd213p" width " %%" reg "11, %%" reg "10, %%" reg "4\n\t" "vfmadd213p" width " %%" reg "11, %%" reg "10, %%" reg "5\n\t"   \
        "vfmadd213p" width " %%" reg "11, %%" reg "10, %%" reg "6\n\t" "vfmadd213p" width " %%" reg "11, %%" reg "10, %%" reg "7\n\t"   \
        "vfmadd213p" width " %%" reg "11, %%" reg "10, %%" reg "8\n\t" "vfmadd213p" width " %%" reg "11, %%" reg "10, %%" reg "9\n\t"   \
        "dec %[n]\n\t"                                                                                         \
        "jnz 1b\n\t"                                                                                           \
        "vaddp" width " %%" reg "1, %%" reg "0, %%" reg "0\n\t" "vaddp" width " %%" reg "3, %%" reg "2, %%" reg "2\n\t"                \
        "vaddp" width " %%" reg "5, %%" reg "4, %%" reg "4\n\t" "vaddp" width " %%" reg "7, %%" reg "6, %%" reg "6\n\t"                \
        "vaddp" width " %%" reg "9, %%" reg "8, %%" reg "8\n\t" "vaddp" width " %%" reg "2, %%" reg "0, %%" reg "0\n\t"                \
        "vaddp" width " %%" reg "6, %%" reg "4, %%" reg "4\n\t" "vaddp" width " %%" reg "8, %%" reg "0, %%" reg "0\n\t"                \
        "vaddp" width " %%" reg "4, %%" reg "0, %%" reg "0\n\t"                                                            \
        "vmovup" width " %%" reg "0, (%[out])\n\t"                                                                 \
        "vzeroupper"                                                                                           \
        : [n] "+r"(iterations)                                                                                 \
        : [s] "m"(start), [m] "m"(m), [a] "m"(a), [out] "r"(out)                                               \
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",     \
          "memory", "cc")

static float probe_avx2(long iterations) {
    const float start = 1.0f, m = 0.999999f, a = 1e-7f;
    float out[8] = {0};
    if (iterations > 0) CA_FMA_PROBE_ASM("ymm", "s", iterations, start, m, a, out);
    return out[0] + out[7];
}

static double probe_avx2_f64(long iterations) {
    const double start = 1.0, m = 0.999999, a = 1e-7;
    double out[4] = {0};
    if (iterations > 0) CA_FMA_PROBE_ASM("ymm", "d", iterations, start, m, a, out);
    return out[0] + out[3];
}

// The same chains in zmm registers (16 floats, 8 doubles): on cores with two 512-bit FMA ports this is twice the
// ymm rate, on cores that split a zmm FMA in two halves (Zen 4) it equals it. The probe runs the wider one the
// hardware has, so a percentage of the peak is of what the widest kernel can reach.
static int hardware_has_avx512f(void) { return hardware_has_avx2_fma() && (ca_cpu_features() & CA_ISA_AVX512F); }

__attribute__((target("avx512f")))
static float probe_avx512(long iterations) {
    const float start = 1.0f, m = 0.999999f, a = 1e-7f;
    float out[16] = {0};
    if (iterations > 0) CA_FMA_PROBE_ASM("zmm", "s", iterations, start, m, a, out);
    return out[0] + out[15];
}

__attribute__((target("avx512f")))
static double probe_avx512_f64(long iterations) {
    const double start = 1.0, m = 0.999999, a = 1e-7;
    double out[8] = {0};
    if (iterations > 0) CA_FMA_PROBE_ASM("zmm", "d", iterations, start, m, a, out);
    return out[0] + out[7];
}
#endif

int ca_fma_probe_lanes(void) {
#if CA_X86
    if (hardware_has_avx512f()) return 16;
    if (hardware_has_avx2_fma()) return 8;
#endif
    return 8;
}

float ca_fma_probe(long iterations) {
#if CA_X86
    if (hardware_has_avx512f()) return probe_avx512(iterations);
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
    if (hardware_has_avx512f()) return probe_avx512_f64(iterations);
    if (hardware_has_avx2_fma()) return probe_avx2_f64(iterations);
#endif
    // 40 chains of one multiply-add each: 80 FLOPs a round, as above.
    double x[40];
    for (int i = 0; i < 40; i++) x[i] = 1.0 + 0.01 * (double)i;
    for (long it = 0; it < iterations; it++)
        for (int i = 0; i < 40; i++) x[i] = x[i] * 0.999999 + 1e-7;
    return x[0] + x[39];
}
