#!/usr/bin/env python3
"""Differential fuzzer: `convalgebra apply` against PyTorch (the layers) and NumPy (the 1-D DSP ops).

Draws random configurations of every op of docs/CLI.md — convolve (every mode, stride, dilation), downsample
(factor, phase), upsample-zeros, conv 1-D/2-D/3-D (stride, dilation, padding as ints, lists, asymmetric,
same, valid; groups; every padding mode; bias), conv-transpose (output padding, dilation, groups, bias),
max-pool / avg-pool 1-3-D (ceil mode, padding, dilation, count-include-pad), upsample nearest / linear — in
every form (direct, dense, sparse, auto), in float32 and float64, forward (`apply`) and transposed
(`apply --transpose --domain`, against the vector-Jacobian product of torch.autograd), with a share of
invalid configurations (where the reference raises, the CLI must print one `error:` line and exit non-zero;
where it accepts, the CLI must accept) and of non-finite inputs (NaN, ±Inf: the same NaN/±Inf positions).

The CLI runs through its hidden `batch` command (many command lines per process); a share of the command
lines also runs as a process of its own, to check the exit status, the one `error:` line on stderr, the
empty stdout and that no output file is left behind.

Tolerances: an output agrees when it is NaN where the reference is, the same infinity where the reference
has one, and otherwise within `64·eps·T_i + 8·eps·max(T)`, where `eps` is the dtype's machine epsilon and
`T` the same operator applied to |x| with |weights| (the size of the terms each output sums).

A disagreement prints a reproducer (the command line on files kept under --keep, and this script's line
for that one configuration); the exit status is 1 if there is any.

Usage: python3 scripts/difffuzz.py [--bin .build/release/convalgebra] [--count 2000] [--seed 1]
       [--only I[,J…]] [--ops conv,max-pool] [--keep difffuzz-failures] [--process-share 0.03]
Needs numpy and torch (`make difffuzz` makes the venv scripts/.venv-difffuzz with both, torch CPU-only).
"""
import argparse
import collections
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FORMS = ["direct", "dense", "sparse", "auto"]
OPS = ["convolve", "downsample", "upsample-zeros", "conv", "conv-transpose", "max-pool", "avg-pool", "upsample"]
PADDING_MODES = ["zeros", "circular", "reflect", "replicate"]


class Case:
    """One configuration: the CLI arguments, the arrays, and the reference's answer (or its error)."""

    def __init__(self, index, op, dtype, direction):
        self.index, self.op, self.dtype, self.direction = index, op, dtype, direction
        self.args = []          # op options, without --input/--output/--weight/--bias/--form
        self.x = self.w = self.b = None
        self.domain = None      # one forward sample's shape, for --transpose
        self.expected = None    # float64 reference output, or None when an error is expected
        self.scale = None       # the operator applied to |x|, |w|: the size of the summed terms
        self.error = None       # why the reference refuses (PyTorch's message or the contract's rule)
        self.nonfinite = False
        self.label = op

    def cli(self, form, folder="", output="y.npy"):
        """The command line (without the program) on x.npy, w.npy, b.npy in `folder`."""
        a = ["apply", self.op, "--input", folder + "x.npy", "--output", folder + output, "--form", form] + self.args
        if self.w is not None:
            a += ["--weight", folder + "w.npy"]
        if self.b is not None:
            a += ["--bias", folder + "b.npy"]
        if self.direction == "transpose":
            a += ["--transpose", "--domain", ",".join(str(d) for d in self.domain)]
        return a


# ---------------------------------------------------------------------------------------------------------
# Drawing configurations

def comma(values):
    return ",".join(str(v) for v in values)


def per_dim(r, d, lo, hi):
    """An int or a per-dimension list, as the CLI takes them."""
    if d == 1 or r.random() < 0.5:
        v = r.randint(lo, hi)
        return [v] * d, str(v)
    vs = [r.randint(lo, hi) for _ in range(d)]
    return vs, comma(vs)


def hostile(r, value):
    """Sometimes a bad value in place of a good one (zero, negative, or large); the reference decides."""
    return r.choice([0, -1, -2, 7, 40]) if r.random() < 0.04 else value


def draw(index, seed, ops):
    r = random.Random(f"{seed}:{index}")
    op = r.choice(ops)
    dtype = r.choice(["float32", "float64"])
    direction = "forward" if op == "max-pool" else r.choice(["forward", "transpose"])
    case = Case(index, op, dtype, direction)
    gen = np.random.default_rng(r.getrandbits(63))
    DRAW[op](case, r, gen)
    return case


def draw_convolve(c, r, gen):
    n = r.randint(1, 40)
    K = hostile(r, r.randint(1, 8))
    d = hostile(r, r.choice([1, 1, 2, 3]))
    s = hostile(r, r.choice([1, 1, 2, 3]))
    mode = r.choice(["full", "same", "valid", "circular"])
    lead = r.choice([(), (2,), (2, 1)])
    c.x = gen.standard_normal(lead + (n,)) if lead or r.random() < 0.5 else gen.standard_normal((1, n))
    c.w = gen.standard_normal(max(K, 0))
    c.args = ["--mode", mode, "--stride", str(s), "--dilation", str(d)]
    c.params = dict(mode=mode, stride=s, dilation=d)
    c.label = f"convolve/{mode}"


def draw_downsample(c, r, gen):
    n = r.randint(1, 30)
    k = hostile(r, r.randint(1, 6))
    p = hostile(r, r.randint(0, max(k - 1, 0)) if r.random() < 0.85 else r.randint(0, 8))
    c.x = gen.standard_normal((r.randint(1, 3), n))
    c.args = ["--factor", str(k), "--phase", str(p)]
    c.params = dict(factor=k, phase=p)


def draw_upsample_zeros(c, r, gen):
    n = r.randint(1, 25)
    k = hostile(r, r.randint(1, 5))
    c.x = gen.standard_normal((r.randint(1, 3), n))
    c.args = ["--factor", str(k)]
    c.params = dict(factor=k)


SIZES = {1: (1, 14), 2: (1, 8), 3: (1, 5)}


def spatial(r, d, lo=None):
    a, b = SIZES[d]
    return [r.randint(lo or a, b) for _ in range(d)]


def draw_conv(c, r, gen):
    d = r.randint(1, 3)
    G = hostile(r, r.choice([1, 1, 1, 2, 3]))
    g = max(G, 1)
    cin, cout = g * r.randint(1, 2), g * r.randint(1, 2)
    K = [r.randint(1, 3 if d > 1 else 5) for _ in range(d)]
    S = spatial(r, d)
    stride, stride_arg = per_dim(r, d, 1, 3)
    dil, dil_arg = per_dim(r, d, 1, 2)
    mode = r.choice(PADDING_MODES)
    kind = r.choice(["int", "list", "asym", "same", "valid"])
    if kind == "same":
        pads, pad_arg = ("same", "same")
        if r.random() < 0.7:
            stride, stride_arg = [1] * d, "1"
    elif kind == "valid":
        pads, pad_arg = ([0] * (2 * d), "valid")
    elif kind == "asym":
        pads = [r.randint(0, 2) for _ in range(2 * d)]
        pad_arg = comma(pads)
    else:
        p, pad_arg = per_dim(r, d, 0, 2)
        pads = p + p
    if r.random() < 0.04:
        pads, pad_arg = [-1] * (2 * d), "-1"
    if r.random() < 0.03:
        cin += 1  # the weight's channels no longer match X's
    wcin = max(cin // g, 1) if cin % g == 0 else r.randint(1, 2)
    c.x = gen.standard_normal([r.randint(1, 2), cin] + S)
    c.w = gen.standard_normal([cout, wcin] + K)
    if r.random() < (0.5 if c.direction == "forward" else 0.05):  # a transposed op with a bias is an error
        c.b = gen.standard_normal(cout + (1 if r.random() < 0.03 else 0))
    c.args = ["--stride", stride_arg, "--dilation", dil_arg, "--padding", pad_arg, "--groups", str(G),
              "--padding-mode", mode]
    c.params = dict(d=d, stride=stride, dilation=dil, pads=pads, groups=G, mode=mode)
    c.label = f"conv{d}d/{mode}"


def draw_conv_transpose(c, r, gen):
    d = r.randint(1, 3)
    G = hostile(r, r.choice([1, 1, 1, 2, 3]))
    g = max(G, 1)
    cin, cout = g * r.randint(1, 2), g * r.randint(1, 2)
    K = [r.randint(1, 3 if d > 1 else 5) for _ in range(d)]
    S = spatial(r, d)
    stride, stride_arg = per_dim(r, d, 1, 3)
    dil, dil_arg = per_dim(r, d, 1, 2)
    pad, pad_arg = per_dim(r, d, 0, 2)
    op_, op_arg = per_dim(r, d, 0, 2)
    if r.random() < 0.04:
        pad, pad_arg = [-1] * d, "-1"
    c.x = gen.standard_normal([r.randint(1, 2), cin] + S)
    c.w = gen.standard_normal([cin + (1 if r.random() < 0.03 else 0), cout // g] + K)
    if r.random() < (0.5 if c.direction == "forward" else 0.05):
        c.b = gen.standard_normal(cout)
    c.args = ["--stride", stride_arg, "--dilation", dil_arg, "--padding", pad_arg, "--output-padding", op_arg,
              "--groups", str(G)]
    c.params = dict(d=d, stride=stride, dilation=dil, padding=pad, output_padding=op_, groups=G)
    if r.random() < 0.03:  # PyTorch's transposed convolution pads with zeros only
        c.args += ["--padding-mode", "reflect"]
        c.params["mode"] = "reflect"
    c.label = f"conv-transpose{d}d"


def draw_pool(c, r, gen, kind):
    d = r.randint(1, 3)
    k, k_arg = per_dim(r, d, 1, 3)
    S = spatial(r, d)
    c.args = ["--kernel-size", k_arg]
    c.params = dict(d=d, kernel=k, stride=None, padding=[0] * d, dilation=[1] * d, ceil=False, include=True)
    if r.random() < 0.6:
        s, s_arg = per_dim(r, d, 1, 3)
        c.args += ["--stride", s_arg]
        c.params["stride"] = s
    if r.random() < 0.6:
        p, p_arg = per_dim(r, d, 0, 2)
        c.args += ["--padding", p_arg]
        c.params["padding"] = p
    if kind == "max" and r.random() < 0.6:
        dl, dl_arg = per_dim(r, d, 1, 3)
        c.args += ["--dilation", dl_arg]
        c.params["dilation"] = dl
    if r.random() < 0.4:
        c.args += ["--ceil-mode"]
        c.params["ceil"] = True
    if kind == "avg" and r.random() < 0.4:
        c.args += ["--no-count-include-pad"]
        c.params["include"] = False
    if r.random() < 0.03:  # a bad kernel size
        bad = r.choice([0, -1, 40])
        c.args[1] = str(bad)
        c.params["kernel"] = [bad] * d
    c.x = gen.standard_normal([r.randint(1, 2), r.randint(1, 3)] + S)
    c.label = f"{kind}-pool{d}d"


def draw_upsample(c, r, gen):
    d = r.randint(1, 3)
    s, s_arg = per_dim(r, d, 1, 3)
    if r.random() < 0.03:
        s, s_arg = [0] * d, "0"
    mode = r.choice(["nearest", "linear"])
    c.x = gen.standard_normal([r.randint(1, 2), r.randint(1, 2)] + spatial(r, d))
    c.args = ["--scale", s_arg, "--mode", mode]
    c.params = dict(d=d, scale=s, mode=mode)
    c.label = f"upsample{d}d/{mode}"


DRAW = {
    "convolve": draw_convolve, "downsample": draw_downsample, "upsample-zeros": draw_upsample_zeros,
    "conv": draw_conv, "conv-transpose": draw_conv_transpose,
    "max-pool": lambda c, r, g: draw_pool(c, r, g, "max"), "avg-pool": lambda c, r, g: draw_pool(c, r, g, "avg"),
    "upsample": draw_upsample,
}


# ---------------------------------------------------------------------------------------------------------
# The references: PyTorch for the layers, NumPy semantics for the DSP ops (computed term by term in torch,
# checked against numpy.convolve on finite data), in float64 on the values the CLI reads.

class ContractError(Exception):
    """A configuration the reference accepts but docs/CLI.md refuses, with the reason written there."""


def dilated(q, d):
    u = np.zeros((len(q) - 1) * d + 1)
    u[::d] = q
    return u


def ref_convolve(c, x, w):
    p = c.params
    n, K, d, s = x.shape[-1], w.shape[0], p["dilation"], p["stride"]
    if K < 1 or d < 1 or s < 1:
        raise ValueError("kernel length, dilation and stride must be positive (numpy.convolve: empty kernel)")
    Kd = (K - 1) * d + 1
    mode = p["mode"]
    if mode == "valid" and Kd > n:
        raise ContractError("valid mode needs a kernel no longer than the input (docs/CLI.md: K ≤ n)")
    lead = x.shape[:-1]
    xs = x.reshape(-1, 1, n)
    flip = torch.flip(w, [0]).reshape(1, 1, K)
    if mode == "circular":
        c0 = (Kd - 1) // 2
        idx = torch.tensor([(j - (Kd - 1) + c0) % n for j in range(n + Kd - 1)])
        y = F.conv1d(xs[:, :, idx], flip, dilation=d)
    else:
        full = F.conv1d(F.pad(xs, (Kd - 1, Kd - 1)), flip, dilation=d)
        if mode == "full":
            y = full
        elif mode == "same":  # numpy: max(n, Kd) outputs from index (min(n, Kd) − 1) // 2 of full
            c0 = (min(n, Kd) - 1) // 2
            y = full[..., c0:c0 + max(n, Kd)]
        else:
            y = full[..., Kd - 1:n]
    return y[..., ::s].reshape(lead + (y[..., ::s].shape[-1],))


def numpy_convolve_check(c, x, w, y):
    """On finite data the term-by-term reference must be numpy.convolve's answer (a check of the reference)."""
    p = c.params
    if p["mode"] == "circular" or not np.all(np.isfinite(x)):
        return
    q = dilated(w, p["dilation"])
    for row, out in zip(x.reshape(-1, x.shape[-1]), y.reshape(-1, y.shape[-1])):
        want = np.convolve(row, q, p["mode"])[::p["stride"]]
        assert out.shape == want.shape, f"reference bug: convolve {p} shape {out.shape} vs numpy {want.shape}"
        assert np.allclose(out, want, rtol=1e-10, atol=1e-10), f"reference bug: convolve {p} {out} vs {want}"


def ref_downsample(c, x, w):
    k, p = c.params["factor"], c.params["phase"]
    if k < 1 or p < 0:
        raise ValueError("factor must be positive and phase non-negative (x[p::k])")
    if p >= k:
        raise ContractError("the phase must be smaller than the factor (docs/FailureBehaviour.md)")
    if p >= x.shape[-1]:
        raise ContractError("the phase must be smaller than the input length (no sample is kept)")
    return x[..., p::k]


def ref_upsample_zeros(c, x, w):
    k = c.params["factor"]
    if k < 1:
        raise ValueError("factor must be positive")
    holes = torch.zeros(tuple(x.shape) + (k - 1,), dtype=x.dtype)
    return torch.cat([x.unsqueeze(-1), holes], -1).reshape(tuple(x.shape[:-1]) + (x.shape[-1] * k,))


CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONVT = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


def ref_conv(c, x, w, b):
    p = c.params
    d = p["d"]
    if x.dim() != d + 2 or w.dim() != d + 2:
        raise ValueError("rank")
    if p["pads"] == "same":
        if any(s != 1 for s in p["stride"]):
            raise ValueError("padding='same' is not supported for strided convolutions (PyTorch)")
        pads = []
        for k, dl in zip(w.shape[2:], p["dilation"]):
            t = dl * (k - 1)
            pads.append((t // 2, t - t // 2))
        begins, ends = [a for a, _ in pads], [e for _, e in pads]
    else:
        begins, ends = p["pads"][:d], p["pads"][d:]
    if any(v < 0 for v in begins + ends):
        raise ValueError("negative padding is not supported (PyTorch)")
    torch_pad = []
    for a, e in reversed(list(zip(begins, ends))):
        torch_pad += [a, e]
    mode = p["mode"]
    if mode == "zeros":
        xp = F.pad(x, torch_pad)
    else:
        xp = F.pad(x, torch_pad, mode=mode)
    return CONV[d](xp, w, b, stride=p["stride"], dilation=p["dilation"], groups=p["groups"])


def ref_conv_transpose(c, x, w, b):
    p = c.params
    if p.get("mode", "zeros") != "zeros":
        raise ValueError("Only \"zeros\" padding mode is supported for ConvTranspose (PyTorch)")
    if x.dim() != p["d"] + 2 or w.dim() != p["d"] + 2:
        raise ValueError("rank")
    return CONVT[p["d"]](x, w, b, stride=p["stride"], padding=p["padding"], output_padding=p["output_padding"],
                         groups=p["groups"], dilation=p["dilation"])


def ref_max_pool(c, x, w, b):
    p = c.params
    fn = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}[p["d"]]
    return fn(x, p["kernel"], p["stride"] or p["kernel"], p["padding"], p["dilation"], ceil_mode=p["ceil"])


def ref_avg_pool(c, x, w, b):
    p = c.params
    fn = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}[p["d"]]
    return fn(x, p["kernel"], p["stride"] or p["kernel"], p["padding"], ceil_mode=p["ceil"],
              count_include_pad=p["include"])


def ref_upsample(c, x, w, b):
    p = c.params
    if any(s < 1 for s in p["scale"]):
        raise ValueError("scale factors must be positive")
    mode = "nearest" if p["mode"] == "nearest" else {1: "linear", 2: "bilinear", 3: "trilinear"}[p["d"]]
    kw = {} if mode == "nearest" else {"align_corners": False}
    return F.interpolate(x, scale_factor=tuple(float(s) for s in p["scale"]), mode=mode, **kw)


REF = {
    "convolve": lambda c, x, w, b: ref_convolve(c, x, w), "downsample": lambda c, x, w, b: ref_downsample(c, x, w),
    "upsample-zeros": lambda c, x, w, b: ref_upsample_zeros(c, x, w),
    "conv": ref_conv, "conv-transpose": ref_conv_transpose, "max-pool": ref_max_pool, "avg-pool": ref_avg_pool,
    "upsample": ref_upsample,
}


def sample_shape(c):
    """One forward sample's shape: the trailing extents of X (the last for the DSP ops, C and S for layers)."""
    return tuple(c.x.shape[-1:]) if c.op in ("convolve", "downsample", "upsample-zeros") else tuple(c.x.shape[1:])


def lead_shape(c):
    return tuple(c.x.shape[:-1]) if c.op in ("convolve", "downsample", "upsample-zeros") else tuple(c.x.shape[:1])


def t(a):
    return None if a is None else torch.from_numpy(np.asarray(a, dtype=np.float64))


def sprinkle(gen, a, share=3):
    a = a.copy()
    flat = a.reshape(-1)
    for _ in range(int(gen.integers(1, share + 1))):
        flat[int(gen.integers(0, flat.size))] = gen.choice([np.nan, np.inf, -np.inf])
    return a


def resolve(c, seed):
    """Casts the arrays to the dtype, decides error-or-not, and computes the reference and its scale."""
    gen = np.random.default_rng([seed, c.index])
    cast = lambda a: None if a is None else np.ascontiguousarray(np.asarray(a).astype(c.dtype))
    c.x, c.w, c.b = cast(c.x), cast(c.w), cast(c.b)
    if c.x.size and gen.random() < 0.2:
        c.nonfinite = True
    ref = REF[c.op]
    absw = None if c.w is None else np.abs(c.w)
    absb = None if c.b is None else np.abs(c.b)
    if c.direction == "transpose":
        c.domain = sample_shape(c)
    try:
        if c.direction == "forward":
            if c.nonfinite:
                c.x = sprinkle(gen, c.x)
            y = ref(c, t(c.x), t(c.w), t(c.b))
            c.expected = y.numpy()
            if c.op == "max-pool":
                c.scale = np.abs(np.nan_to_num(c.expected, nan=0, posinf=0, neginf=0))
            else:
                c.scale = ref(c, t(np.abs(np.nan_to_num(c.x))), t(absw), t(absb)).numpy()
            if c.op == "convolve":
                numpy_convolve_check(c, c.x.astype(np.float64), c.w.astype(np.float64), c.expected)
        else:
            c.domain = sample_shape(c)
            lead = lead_shape(c)
            x0 = torch.zeros(lead + c.domain, dtype=torch.float64, requires_grad=True)
            out = ref(c, x0, t(c.w), None)
            y = gen.standard_normal(out.shape).astype(c.dtype)
            if c.nonfinite:
                y = sprinkle(gen, y)
            c.x = np.ascontiguousarray(y)
            if c.b is not None:
                raise ContractError("an op with --bias is affine and has no transpose (docs/CLI.md)")
            (g,) = torch.autograd.grad(out, x0, t(y), allow_unused=True)
            c.expected = (torch.zeros_like(x0) if g is None else g).detach().numpy()
            x1 = torch.zeros(lead + c.domain, dtype=torch.float64, requires_grad=True)
            out1 = ref(c, x1, t(absw), None)
            (g1,) = torch.autograd.grad(out1, x1, t(np.abs(np.nan_to_num(y))), allow_unused=True)
            c.scale = (torch.zeros_like(x1) if g1 is None else g1).detach().numpy()
    except ContractError as e:
        c.error = f"contract: {e}"
    except (RuntimeError, ValueError, IndexError, TypeError) as e:
        c.error = f"reference: {str(e).splitlines()[0][:160]}"


# ---------------------------------------------------------------------------------------------------------
# Comparing

def compare(c, y):
    """None when y agrees with the reference, else a short description of the first disagreement."""
    want = c.expected
    if y.dtype != np.dtype(c.dtype):
        return f"dtype {y.dtype}, expected {c.dtype}"
    if tuple(y.shape) != tuple(want.shape):
        return f"shape {tuple(y.shape)}, expected {tuple(want.shape)}"
    y = y.astype(np.float64)
    eps = float(np.finfo(c.dtype).eps)
    scale = np.nan_to_num(c.scale, nan=0, posinf=0, neginf=0)
    top = float(scale.max()) if scale.size else 0.0
    tol = 64 * eps * scale + 8 * eps * top + (np.finfo(c.dtype).tiny if c.dtype == "float32" else 1e-300)
    bad_nan = np.isnan(y) != np.isnan(want)
    bad_inf = (np.isinf(y) | np.isinf(want)) & ~(y == want) & ~np.isnan(want) & ~np.isnan(y)
    both = np.isfinite(y) & np.isfinite(want)
    bad_val = both & (np.abs(np.where(both, y, 0) - np.where(both, want, 0)) > tol)
    bad = bad_nan | bad_inf | bad_val
    if not bad.any():
        return None
    i = np.unravel_index(int(np.argmax(bad)), bad.shape)
    return (f"{int(bad.sum())} of {bad.size} elements differ; first at {tuple(int(v) for v in i)}: {y[i]!r} vs "
            f"reference {want[i]!r} (tolerance {tol[i]:.3g}; NaN {int(bad_nan.sum())}, ±Inf {int(bad_inf.sum())}, "
            f"values {int(bad_val.sum())})")


# ---------------------------------------------------------------------------------------------------------
# Running the CLI

def write_case(c, folder):
    os.makedirs(folder, exist_ok=True)
    np.save(os.path.join(folder, "x.npy"), c.x)
    if c.w is not None:
        np.save(os.path.join(folder, "w.npy"), c.w)
    if c.b is not None:
        np.save(os.path.join(folder, "b.npy"), c.b)


def run_batch(binary, lines, cwd):
    """Runs the tab-separated command lines in as few processes as a crash allows; one outcome per line."""
    outcomes, start = [], 0
    while start < len(lines):
        text = "".join("\t".join(a) + "\n" for a in lines[start:])
        p = subprocess.run([binary, "batch"], input=text, cwd=cwd, capture_output=True, text=True)
        got = p.stdout.splitlines()
        outcomes += got
        start += len(got)
        if p.returncode != 0 and start < len(lines):
            tail = (p.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
            outcomes.append(f"crash: exit status {p.returncode}: {tail[:200]}")
            start += 1
    return outcomes


def run_process(binary, args, cwd):
    """Runs one command line as a process of its own; None when it behaved, else what was wrong."""
    out = os.path.join(cwd, args[args.index("--output") + 1])
    p = subprocess.run([binary] + args, cwd=cwd, capture_output=True, text=True)
    err_lines = p.stderr.splitlines()
    if p.returncode == 0:
        return None if os.path.exists(out) else "exit 0 but no output file"
    problems = []
    if p.returncode < 0 or p.returncode > 128:
        problems.append(f"killed by a signal (status {p.returncode})")
    if len(err_lines) != 1 or not err_lines[0].startswith("error: "):
        problems.append(f"stderr is not one 'error:' line: {p.stderr[:200]!r}")
    if p.stdout:
        problems.append(f"stdout not empty: {p.stdout[:100]!r}")
    if os.path.exists(out):
        problems.append("an output file was left behind")
    leftovers = [f for f in os.listdir(os.path.dirname(out)) if f.startswith(os.path.basename(out)) and f != os.path.basename(out)]
    if leftovers:
        problems.append(f"temporary files left behind: {leftovers}")
    return "; ".join(problems) or None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=None, help="the convalgebra binary (default: .build/release, else .build/debug)")
    ap.add_argument("--count", type=int, default=2000, help="configurations to draw")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default=None, help="comma list of configuration indices to run (reproducers)")
    ap.add_argument("--ops", default=",".join(OPS), help="comma list of ops to draw from")
    ap.add_argument("--chunk", type=int, default=150, help="configurations per batch process")
    ap.add_argument("--process-share", type=float, default=0.03,
                    help="share of command lines also run as a process of their own (exit status, stderr, files)")
    ap.add_argument("--keep", default=os.path.join(ROOT, "difffuzz-failures"),
                    help="where a disagreement's files are kept for its reproducer")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()

    binary = a.bin or next((p for p in (os.path.join(ROOT, ".build/release/convalgebra"),
                                        os.path.join(ROOT, ".build/debug/convalgebra")) if os.path.exists(p)), None)
    if not binary or not os.path.exists(binary):
        sys.exit("error: no convalgebra binary: run `swift build -c release` or pass --bin")
    binary = os.path.abspath(binary)
    ops = a.ops.split(",")
    for o in ops:
        if o not in OPS:
            sys.exit(f"error: unknown op {o!r}; the ops are {', '.join(OPS)}")
    indices = [int(i) for i in a.only.split(",")] if a.only else list(range(a.count))
    picker = random.Random(f"{a.seed}:process")

    stats = collections.Counter()
    failures = []
    began = time.time()
    for at in range(0, len(indices), a.chunk):
        cases = []
        for i in indices[at:at + a.chunk]:
            c = draw(i, a.seed, ops)
            resolve(c, a.seed)
            cases.append(c)
        with tempfile.TemporaryDirectory(prefix="difffuzz-") as tmp:
            lines, where = [], []
            for c in cases:
                folder = f"c{c.index}"
                write_case(c, os.path.join(tmp, folder))
                for form in FORMS:
                    lines.append(c.cli(form, f"{folder}/", f"y-{form}.npy"))
                    where.append((c, form))
            outcomes = run_batch(binary, lines, tmp)
            for (c, form), outcome, line in zip(where, outcomes, lines):
                key = (c.op, form, c.dtype, c.direction)
                stats["lines"] += 1
                stats[("op", c.op)] += 1
                stats[("form", form)] += 1
                stats[("dtype", c.dtype)] += 1
                stats[("direction", c.direction)] += 1
                stats[("label", c.label)] += 1
                if c.error:
                    stats["expected errors"] += 1
                if c.nonfinite:
                    stats["non-finite"] += 1
                problem = None
                if outcome.startswith("crash"):
                    problem = outcome
                elif c.error and outcome == "ok":
                    problem = f"accepted, but the reference refuses ({c.error})"
                elif not c.error and outcome != "ok":
                    problem = f"refused ({outcome}), but the reference accepts"
                elif not c.error:
                    y = np.load(os.path.join(tmp, line[line.index("--output") + 1]))
                    problem = compare(c, y)
                if problem is None and picker.random() < a.process_share:
                    stats["process checks"] += 1
                    folder = os.path.join(tmp, f"c{c.index}")
                    problem = run_process(binary, c.cli(form, output="p.npy"), folder)
                    if problem:
                        problem = f"as a process: {problem}"
                    for f in os.listdir(folder):
                        if f.startswith("p.npy"):
                            os.remove(os.path.join(folder, f))
                if problem:
                    stats[("fail", c.label, form, c.dtype, c.direction)] += 1
                    keep = os.path.join(a.keep, f"{a.seed}-{c.index}")
                    write_case(c, keep)
                    failures.append((c, form, problem, keep))
                    print(f"DISAGREE #{c.index} {c.label} {form} {c.dtype} {c.direction}"
                          f"{' non-finite' if c.nonfinite else ''}: {problem}\n"
                          f"  reproduce: (cd {shlex.quote(keep)} && {shlex.quote(binary)} "
                          f"{' '.join(shlex.quote(s) for s in c.cli(form))})\n"
                          f"  or: python3 scripts/difffuzz.py --seed {a.seed} --only {c.index}", flush=True)
                elif a.verbose:
                    print(f"ok #{c.index} {c.label} {form} {c.dtype} {c.direction} {c.error or ''}")
        done = min(at + a.chunk, len(indices))
        print(f"[{done}/{len(indices)} configurations, {len(failures)} disagreements, {time.time() - began:.0f} s]",
              file=sys.stderr, flush=True)

    n = len(indices)
    print(f"\ndifffuzz: seed {a.seed}, {n} configurations, {stats['lines']} command lines "
          f"({stats['expected errors']} expecting an error, {stats['non-finite']} with NaN/±Inf inputs, "
          f"{stats['process checks']} also run as processes), {time.time() - began:.0f} s, binary {binary}")
    grouped = sorted((k, v) for k, v in stats.items() if isinstance(k, tuple))
    for group in ("op", "form", "dtype", "direction", "label"):
        print(f"  by {'configuration' if group == 'label' else group}: "
              + ", ".join(f"{k[1]} {v}" for k, v in grouped if k[0] == group))
    print(f"  disagreements: {len(failures)}")
    for k, v in grouped:
        if k[0] == "fail":
            print(f"    {' '.join(k[1:])}: {v}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
