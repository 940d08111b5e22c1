// Micro-kernel rates on one core, in thread CPU time (CLOCK_THREAD_CPUTIME_ID), so a loaded machine does not
// count other processes' time: the FMA peak of each path, then ca_conv_rows (pixel-vector tile) and
// ca_conv_tile_6x16 (the older pixel × channel tile) with their operands in L1.
// Build and run (Benchmarks/microkernels/run.sh does both):
//   cc -O2 -I Sources/CMicroKernels/include Benchmarks/microkernels/kbench.c Sources/CMicroKernels/*.c -o kbench
#include "CMicroKernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(void) {
    const char *names[] = {"portable", "avx2", "avx512"};
    long rounds = 20000000;
    double t0 = now();
    float r = ca_fma_probe(rounds);
    double seconds = now() - t0, peak = 20.0 * ca_fma_probe_lanes() * (double)rounds / seconds / 1e9;
    printf("fma peak (one core, %d lanes): %.1f GFLOP/s  [%g]\n", ca_fma_probe_lanes(), peak, (double)r);

    // k rows, each one input row of 64 floats; offsets step through a 576-row (64 channels x 3 x 3) table.
    enum { K = 576 };
    static float src[K * 64 + 64], w[K * 16], y[16 * 64];
    static long offsets[K];
    for (long i = 0; i < K * 64 + 64; i++) src[i] = (float)(i % 7) * 0.1f;
    for (long i = 0; i < K * 16; i++) w[i] = (float)(i % 5) * 0.01f;
    for (long p = 0; p < K; p++) offsets[p] = (p % 64) * 64 + (p % 3);
    for (int isa = 0; isa <= 2; isa++) {
        if (!ca_kernel_isa_supported(isa)) continue;
        long mr, nr;
        ca_rows_tile(isa, &mr, &nr);
        long calls = isa == 0 ? 2000 : 100000, split[2] = {nr / 2, nr / 2};
        const float *from[4] = {src, src, src + nr / 2, src + nr / 2};
        t0 = now();
        for (long c = 0; c < calls; c++) ca_conv_rows(isa, mr, K, from, split, offsets, w, mr, nr, y, 64, 0);
        seconds = now() - t0;
        double rate = 2.0 * mr * nr * K * calls / seconds / 1e9;
        printf("ca_conv_rows %-8s %2ldx%2ld k=%d: %6.1f GFLOP/s = %5.1f %% of peak\n", names[isa], mr, nr, K, rate,
               100 * rate / peak);
    }
    const float *bases[6] = {src, src + 1, src + 2, src + 3, src + 4, src + 5};
    long calls = 200000;
    t0 = now();
    for (long c = 0; c < calls; c++) ca_conv_tile_6x16(K, bases, offsets, w, y);
    seconds = now() - t0;
    double rate = 2.0 * 6 * 16 * K * calls / seconds / 1e9;
    printf("ca_conv_tile_6x16 (%s)  6x16 k=%d: %6.1f GFLOP/s = %5.1f %% of peak\n",
           ca_cpu_has_avx2_fma() ? "avx2" : "portable", K, rate, 100 * rate / peak);
    // A tile whose vectors each cross into the next row (the masked two-pointer path).
    for (int isa = 1; isa <= 2; isa++) {
        if (!ca_kernel_isa_supported(isa)) continue;
        long mr, nr;
        ca_rows_tile(isa, &mr, &nr);
        long calls = 100000, split[2] = {nr / 4, nr / 4};
        const float *from[4] = {src, src + 100, src + nr / 2, src + 200};
        t0 = now();
        for (long c = 0; c < calls; c++) ca_conv_rows(isa, mr, K, from, split, offsets, w, mr, nr, y, 64, 0);
        seconds = now() - t0;
        double rate = 2.0 * mr * nr * K * calls / seconds / 1e9;
        printf("ca_conv_rows %-8s %2ldx%2ld k=%d, rows crossed: %6.1f GFLOP/s = %5.1f %% of peak\n", names[isa], mr,
               nr, K, rate, 100 * rate / peak);
    }
    return y[0] == 12345.0f;
}
