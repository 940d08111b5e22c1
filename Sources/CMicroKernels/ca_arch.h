// Private to the C target: which instruction-set paths this translation unit may compile.
// Every x86 intrinsic, `__attribute__((target(...)))` and cpuid use sits behind CA_X86, so the target builds
// for any architecture (aarch64 Linux, Apple silicon) with the portable C kernels.
#ifndef CA_ARCH_H
#define CA_ARCH_H

#if defined(__x86_64__) || defined(_M_X64)
#define CA_X86 1
#else
#define CA_X86 0
#endif

#endif
