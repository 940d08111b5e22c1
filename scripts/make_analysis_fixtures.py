#!/usr/bin/env python3
"""Fixtures for Tests/ConvAlgebraTests/Analysis: operator matrices built independently in NumPy and
their singular values from numpy.linalg.svd, in float32 and float64.

The matrices come from NumPy itself (np.convolve applied to unit vectors: column j = A e_j) or from the
explicit index formulas of PyTorch's conv2d (cross-correlation, zero or circular padding), never from
the library under test. Run from the repository root:

    python3 scripts/make_analysis_fixtures.py

It creates its own virtual environment .venv-analysis/ (numpy only) on first use and re-runs itself there.
For each case NAME and dtype D (f4, f8) it writes Tests/ConvAlgebraTests/Fixtures/analysis/
NAME.D.kernel.npy, NAME.D.matrix.npy and NAME.D.sv.npy (all singular values, descending).
"""
import os

from fixture_venv import ROOT, ensure_venv

ensure_venv(__file__, modules=("numpy",), default=".venv-analysis")

import numpy as np  # noqa: E402  (imported inside the venv)

OUT = os.path.join(ROOT, "Tests", "ConvAlgebraTests", "Fixtures", "analysis")
rng = np.random.default_rng(20261125)


def unit_columns(n, f):
    """The matrix whose column j is f(e_j)."""
    cols = []
    for j in range(n):
        e = np.zeros(n)
        e[j] = 1.0
        cols.append(np.asarray(f(e), dtype=np.float64))
    return np.stack(cols, axis=1)


def dilate(q, d):
    out = np.zeros((len(q) - 1) * d + 1)
    out[::d] = q
    return out


def convolve_case(q, n, mode, stride=1, dilation=1):
    qd = dilate(q, dilation)
    if mode == "circular":
        # y[i] = sum_k qd[k] x[(i + (Kd-1)//2 - k) mod n]  (the CLI contract's circular mode)
        Kd = len(qd)
        A = np.zeros((n, n))
        for i in range(n):
            for k in range(Kd):
                A[i, (i + (Kd - 1) // 2 - k) % n] += qd[k]
        return A[::stride]
    return unit_columns(n, lambda e: np.convolve(e, qd, mode)[::stride])


def transposed_convolve_case(q, n, stride, mode):
    # q * (up_k x): np.convolve of the zero-interleaved input.
    def f(e):
        u = np.zeros(n * stride)
        u[::stride] = e
        return np.convolve(u, q, mode)
    return unit_columns(n, f)


def downsample_case(n, k, p):
    return unit_columns(n, lambda e: e[p::k])


def conv2d_case(W, size, stride, pad, circular, groups=1):
    """PyTorch conv2d (cross-correlation) by its index formula."""
    cout, cig, kh, kw = W.shape
    cin = cig * groups
    H = Wd = size
    if circular:
        oh = (H + 2 * pad - kh) // stride + 1
        ow = (Wd + 2 * pad - kw) // stride + 1
    else:
        oh = (H + 2 * pad - kh) // stride + 1
        ow = (Wd + 2 * pad - kw) // stride + 1
    A = np.zeros((cout * oh * ow, cin * H * Wd))
    cog = cout // groups
    for co in range(cout):
        g = co // cog
        for i in range(oh):
            for j in range(ow):
                r = (co * oh + i) * ow + j
                for ci in range(cig):
                    for a in range(kh):
                        for b in range(kw):
                            y, x = i * stride - pad + a, j * stride - pad + b
                            if circular:
                                y, x = y % H, x % Wd
                            elif not (0 <= y < H and 0 <= x < Wd):
                                continue
                            c = ((g * cig + ci) * H + y) * Wd + x
                            A[r, c] += W[co, ci, a, b]
    return A


def cases():
    q3 = rng.standard_normal(3)
    q4 = rng.standard_normal(4)
    q5 = rng.standard_normal(5)
    yield "convolve_full_n10_K4", q4, lambda q: convolve_case(q, 10, "full")
    yield "convolve_same_n12_K3", q3, lambda q: convolve_case(q, 12, "same")
    yield "convolve_valid_n12_K5", q5, lambda q: convolve_case(q, 12, "valid")
    yield "convolve_same_s2_n12_K3", q3, lambda q: convolve_case(q, 12, "same", stride=2)
    yield "convolve_same_d2_n12_K3", q3, lambda q: convolve_case(q, 12, "same", dilation=2)
    yield "convolve_circular_n10_K3", q3, lambda q: convolve_case(q, 10, "circular")
    yield "tconv_full_s2_n8_K3", q3, lambda q: transposed_convolve_case(q, 8, 2, "full")
    yield "downsample_k3_p1_n10", np.zeros(0), lambda q: downsample_case(10, 3, 1)
    W = rng.standard_normal((4, 3, 3, 3))
    yield "conv2d_c3c4_6x6_k3_p1_zero", W, lambda w: conv2d_case(w, 6, 1, 1, False)
    yield "conv2d_c3c4_6x6_k3_p1_circular", W, lambda w: conv2d_case(w, 6, 1, 1, True)
    yield "conv2d_c3c4_6x6_k3_s2_p1_zero", W, lambda w: conv2d_case(w, 6, 2, 1, False)
    Wg = rng.standard_normal((4, 2, 3, 3))
    yield "conv2d_c4c4_g2_5x5_k3_p1_zero", Wg, lambda w: conv2d_case(w, 5, 1, 1, False, groups=2)


def save(name, arr):
    np.save(os.path.join(OUT, name), arr, allow_pickle=False)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, kernel, build in cases():
        for dtype, tag in ((np.float32, "f4"), (np.float64, "f8")):
            k = kernel.astype(dtype)
            A = build(k.astype(np.float64)).astype(dtype)
            s = np.linalg.svd(A, compute_uv=False)
            save(f"{name}.{tag}.kernel.npy", k)
            save(f"{name}.{tag}.matrix.npy", A)
            save(f"{name}.{tag}.sv.npy", s.astype(dtype))
            print(f"{name}.{tag}: {A.shape[0]}x{A.shape[1]}, sigma_1 = {s[0]:.6g}")


if __name__ == "__main__":
    main()
