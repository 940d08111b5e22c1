// oneDNN (Debian's libdnnl-dev 2.6) on suite A's direct convolutions, one thread, in thread CPU time: was it worth
// a candidate backend (issue 12, point 5)? Times the convolution primitive on the layouts it picks itself
// (`any`, blocked nChw16c) and the same with the reorders from and to NCHW, which is what our API holds.
// Build and run:
//   apt-get install libdnnl-dev
//   cc -O2 Benchmarks/onednn/dnnl_conv.c -ldnnl -o dnnl_conv && OMP_NUM_THREADS=1 ./dnnl_conv
#include <dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHECK(f) do { dnnl_status_t s_ = (f); if (s_ != dnnl_success) { fprintf(stderr, "%s: %d\n", #f, s_); exit(1); } } while (0)

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct { const char *id; int n, ci, co, h, w, k, s, p, d, rank; } Case;

static dnnl_memory_t alloc(dnnl_memory_desc_t *md, dnnl_engine_t e) {
    dnnl_memory_t m;
    CHECK(dnnl_memory_create(&m, md, e, DNNL_MEMORY_ALLOCATE));
    void *h; CHECK(dnnl_memory_get_data_handle(m, &h));
    size_t bytes = dnnl_memory_desc_get_size(md);
    for (size_t i = 0; i < bytes / 4; i++) ((float *)h)[i] = (float)(i % 13) * 0.01f;
    return m;
}

int main(void) {
    Case cases[] = {
        {"c2d-r1", 8, 64, 64, 56, 56, 3, 1, 1, 1, 2}, {"c2d-s2", 8, 64, 128, 56, 56, 3, 2, 1, 1, 2},
        {"c1d-tcn", 32, 64, 64, 1, 1024, 3, 1, 1, 1, 1}, {"c1d-dil", 32, 64, 64, 1, 1024, 3, 1, 4, 4, 1},
        {"c2d-1x1", 8, 256, 64, 56, 56, 1, 1, 0, 1, 2},
    };
    dnnl_engine_t e; dnnl_stream_t st;
    CHECK(dnnl_engine_create(&e, dnnl_cpu, 0));
    CHECK(dnnl_stream_create(&st, e, dnnl_stream_default_flags));
    for (unsigned c = 0; c < sizeof cases / sizeof *cases; c++) {
        Case k = cases[c];
        int kh = k.rank == 1 ? 1 : k.k, ph = k.rank == 1 ? 0 : k.p, dh = k.rank == 1 ? 0 : k.d - 1;
        int oh = (k.h + 2 * ph - (dh + 1) * (kh - 1) - 1) / k.s + 1;
        int ow = (k.w + 2 * k.p - k.d * (k.k - 1) - 1) / k.s + 1;
        dnnl_dims_t sd = {k.n, k.ci, k.h, k.w}, wd = {k.co, k.ci, kh, k.k}, dd = {k.n, k.co, oh, ow};
        dnnl_dims_t strides = {k.rank == 1 ? 1 : k.s, k.s}, dil = {dh, k.d - 1}, pad = {ph, k.p};
        dnnl_memory_desc_t src_any, w_any, dst_any, src_plain, w_plain, dst_plain;
        CHECK(dnnl_memory_desc_init_by_tag(&src_any, 4, sd, dnnl_f32, dnnl_format_tag_any));
        CHECK(dnnl_memory_desc_init_by_tag(&w_any, 4, wd, dnnl_f32, dnnl_format_tag_any));
        CHECK(dnnl_memory_desc_init_by_tag(&dst_any, 4, dd, dnnl_f32, dnnl_format_tag_any));
        CHECK(dnnl_memory_desc_init_by_tag(&src_plain, 4, sd, dnnl_f32, dnnl_nchw));
        CHECK(dnnl_memory_desc_init_by_tag(&w_plain, 4, wd, dnnl_f32, dnnl_oihw));
        CHECK(dnnl_memory_desc_init_by_tag(&dst_plain, 4, dd, dnnl_f32, dnnl_nchw));
        dnnl_convolution_desc_t cd;
        CHECK(dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct,
                                                         &src_any, &w_any, NULL, &dst_any, strides, dil, pad, pad));
        dnnl_primitive_desc_t pd; dnnl_primitive_t conv;
        CHECK(dnnl_primitive_desc_create(&pd, &cd, NULL, e, NULL));
        CHECK(dnnl_primitive_create(&conv, pd));
        const char *impl; CHECK(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl));
        dnnl_memory_desc_t src_md = *dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
        dnnl_memory_desc_t w_md = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
        dnnl_memory_desc_t dst_md = *dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
        dnnl_memory_t src = alloc(&src_md, e), w = alloc(&w_md, e), dst = alloc(&dst_md, e);
        dnnl_memory_t src_p = alloc(&src_plain, e), dst_p = alloc(&dst_plain, e);
        (void)w_plain;
        // Reorders NCHW -> chosen and chosen -> NCHW.
        dnnl_primitive_desc_t r1pd, r2pd; dnnl_primitive_t r1, r2;
        CHECK(dnnl_reorder_primitive_desc_create(&r1pd, &src_plain, e, &src_md, e, NULL));
        CHECK(dnnl_reorder_primitive_desc_create(&r2pd, &dst_md, e, &dst_plain, e, NULL));
        CHECK(dnnl_primitive_create(&r1, r1pd)); CHECK(dnnl_primitive_create(&r2, r2pd));
        dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, dst}};
        dnnl_exec_arg_t a1[2] = {{DNNL_ARG_FROM, src_p}, {DNNL_ARG_TO, src}}, a2[2] = {{DNNL_ARG_FROM, dst}, {DNNL_ARG_TO, dst_p}};
        double best = 1e9, bestAll = 1e9;
        for (int r = 0; r < 15; r++) {
            double t0 = now();
            CHECK(dnnl_primitive_execute(conv, st, 3, args)); CHECK(dnnl_stream_wait(st));
            double t1 = now();
            CHECK(dnnl_primitive_execute(r1, st, 2, a1)); CHECK(dnnl_primitive_execute(conv, st, 3, args));
            CHECK(dnnl_primitive_execute(r2, st, 2, a2)); CHECK(dnnl_stream_wait(st));
            double t2 = now();
            if (t1 - t0 < best) best = t1 - t0;
            if (t2 - t1 < bestAll) bestAll = t2 - t1;
        }
        double flops = 2.0 * k.n * k.co * k.ci * kh * k.k * oh * ow;
        printf("%-8s %-28s conv %7.2f ms (%6.1f GFLOP/s)  with NCHW reorders %7.2f ms\n", k.id, impl, best * 1e3,
               flops / best / 1e9, bestAll * 1e3);
    }
    return 0;
}
