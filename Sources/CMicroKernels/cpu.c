// The CPU's instruction sets, read once, and the kernels' choice between the AVX-512F, AVX2 + FMA and portable
// paths (the best the CPU has, capped by CONVALGEBRA_ISA=portable|avx2|avx512).
//
// x86-64: cpuid says what the CPU implements; xgetbv (XCR0) says which register state the OS saves on a
// context switch. A YMM instruction is usable only when both agree (cpuid.1:ECX.OSXSAVE, XCR0 bits 1-2 = SSE and
// AVX state), a ZMM one only when XCR0 bits 5-7 (opmask, ZMM0-15 high halves, ZMM16-31) are set as well:
// Intel SDM vol. 1, 13.3 and 15.2. aarch64: Advanced SIMD (NEON) is part of the base ISA.
//
// Caching: each value is computed at most a few times (two threads may race to compute it; both compute the
// same value) and stored in an atomic int, so readers on any thread see either "not yet" (-1) or the value.
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE  // sched_getaffinity and the CPU_*_S macros; must precede every system header
#endif
#include "CMicroKernels.h"
#include "ca_arch.h"
#include <stdatomic.h>
#include <stdlib.h>
#if defined(__linux__)
#include <errno.h>
#include <sched.h>
#endif

#if CA_X86
#include <cpuid.h>

static int detect_features(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int features = 0;
    if (d & (1u << 26)) features |= CA_ISA_SSE2;
    unsigned long long xcr0 = 0;
    if (c & (1u << 27)) {  // OSXSAVE: the OS enabled XSAVE, so xgetbv may be executed.
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        xcr0 = ((unsigned long long)hi << 32) | lo;
    }
    int ymm_state = (xcr0 & 0x6) == 0x6;
    int zmm_state = ymm_state && (xcr0 & 0xE0) == 0xE0;
    if (ymm_state && (c & (1u << 28))) features |= CA_ISA_AVX;
    if ((features & CA_ISA_AVX) && (c & (1u << 12))) features |= CA_ISA_FMA;
    if (__get_cpuid_max(0, 0) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if ((features & CA_ISA_AVX) && (b & (1u << 5))) features |= CA_ISA_AVX2;
        if (zmm_state && (b & (1u << 16))) features |= CA_ISA_AVX512F;
    }
    return features;
}
#elif defined(__aarch64__) || defined(_M_ARM64)
static int detect_features(void) { return CA_ISA_NEON; }
#else
static int detect_features(void) { return 0; }
#endif

static _Atomic int features_cache = -1, requested_cache = -2, kernel_isa_cache = -1;

int ca_cpu_features(void) {
    int f = atomic_load_explicit(&features_cache, memory_order_relaxed);
    if (f < 0) {
        f = detect_features();
        atomic_store_explicit(&features_cache, f, memory_order_relaxed);
    }
    return f;
}

/// `value` equals `word` ignoring ASCII case.
static int equals_ignoring_case(const char *value, const char *word) {
    for (; *value && *word; value++, word++) {
        char v = *value >= 'A' && *value <= 'Z' ? (char)(*value - 'A' + 'a') : *value;
        if (v != *word) return 0;
    }
    return *value == 0 && *word == 0;
}

int ca_isa_requested(void) {
    int requested = atomic_load_explicit(&requested_cache, memory_order_relaxed);
    if (requested < -1) {
        const char *setting = getenv("CONVALGEBRA_ISA");
        requested = -1;
        if (setting != NULL) {
            if (equals_ignoring_case(setting, "portable")) requested = CA_KERNEL_PORTABLE;
            else if (equals_ignoring_case(setting, "avx2")) requested = CA_KERNEL_AVX2;
            else if (equals_ignoring_case(setting, "avx512")) requested = CA_KERNEL_AVX512;
        }
        atomic_store_explicit(&requested_cache, requested, memory_order_relaxed);
    }
    return requested;
}

int ca_isa_forced_portable(void) { return ca_isa_requested() == CA_KERNEL_PORTABLE; }

int ca_kernel_isa_supported(int isa) {
    int f = ca_cpu_features(), avx2_fma = CA_ISA_AVX2 | CA_ISA_FMA;
    switch (isa) {
    case CA_KERNEL_PORTABLE: return 1;
    case CA_KERNEL_AVX2: return CA_X86 && (f & avx2_fma) == avx2_fma;
    case CA_KERNEL_AVX512: return CA_X86 && (f & avx2_fma) == avx2_fma && (f & CA_ISA_AVX512F) != 0;
    default: return 0;
    }
}

int ca_kernel_isa(void) {
    int chosen = atomic_load_explicit(&kernel_isa_cache, memory_order_relaxed);
    if (chosen < 0) {
        int requested = ca_isa_requested();
        chosen = requested < 0 ? CA_KERNEL_AVX512 : requested;
        while (chosen > CA_KERNEL_PORTABLE && !ca_kernel_isa_supported(chosen)) chosen--;
        atomic_store_explicit(&kernel_isa_cache, chosen, memory_order_relaxed);
    }
    return chosen;
}

int ca_cpu_has_avx2_fma(void) { return ca_kernel_isa() >= CA_KERNEL_AVX2; }

// A C function rather than Swift: Glibc's Swift module does not import sched_getaffinity (it needs _GNU_SOURCE)
// nor the CPU_COUNT macros. The mask is sized by CPU_ALLOC and doubled while the kernel says EINVAL (more CPUs
// than the mask holds), so machines beyond cpu_set_t's 1024 CPUs are counted too.
long ca_cpu_affinity_count(void) {
#if defined(__linux__)
    for (int cpus = 1024; cpus <= (1 << 20); cpus *= 2) {
        cpu_set_t *set = CPU_ALLOC(cpus);
        if (set == NULL) return 0;
        size_t size = CPU_ALLOC_SIZE(cpus);
        CPU_ZERO_S(size, set);
        if (sched_getaffinity(0, size, set) == 0) {
            long count = CPU_COUNT_S(size, set);
            CPU_FREE(set);
            return count;
        }
        int error = errno;
        CPU_FREE(set);
        if (error != EINVAL) return 0;
    }
#endif
    return 0;
}
