"""The differential fuzzer's references (scripts/difffuzz.py): PyTorch for the layers, NumPy's semantics for
the DSP ops, the contract's own refusals, and the comparison with its tolerances."""
import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)

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
