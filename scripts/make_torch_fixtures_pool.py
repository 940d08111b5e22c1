#!/usr/bin/env python3
"""Writes the PyTorch fixtures of the pooling family to Tests/ConvAlgebraTests/Fixtures/torch-pool/.

Independent reference: torch.nn.functional avg_pool{1,2,3}d, max_pool{1,2,3}d (with return_indices and
autograd backward) and interpolate (nearest, linear/bilinear/trilinear, align_corners=False), in float32
and float64. Each case writes small .npy files (max-pool indices as float64, exact for these sizes) and
one manifest.json lists them with their options.

Usage: python3 scripts/make_torch_fixtures_pool.py
Runs itself inside a virtual environment with torch and numpy: $VENV if set, else .venv-torch in the repo
root, created on first use (the CPU+CUDA torch wheel is ~3 GB and takes a few minutes to install).
"""
import os

from fixture_venv import ensure_venv, write_manifest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ConvAlgebraTests", "Fixtures", "torch-pool")



def main():
    import numpy as np
    import torch
    import torch.nn.functional as F

    torch.manual_seed(0)
    rng = np.random.default_rng(1234)
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".npy") or f == "manifest.json":
            os.remove(os.path.join(OUT, f))
    cases = []
    spatial = {1: (11,), 2: (7, 6), 3: (5, 4, 4)}
    batch, channels = 2, 2

    def save(name, array, dtype):
        np.save(os.path.join(OUT, name), np.ascontiguousarray(array.astype(dtype)))
        return name

    def tag(dtype):
        return "f32" if dtype == np.float32 else "f64"

    def run(case_id, op, dims, options, make_x, forward, with_indices=False):
        for dtype in (np.float32, np.float64):
            tdtype = torch.float32 if dtype == np.float32 else torch.float64
            x_np = make_x(dtype)
            x = torch.tensor(x_np, dtype=tdtype, requires_grad=True)
            out = forward(x)
            y, idx = (out if with_indices else (out, None))
            dy_np = rng.standard_normal(tuple(y.shape)).astype(dtype)
            (dx,) = torch.autograd.grad(y, x, torch.tensor(dy_np))
            prefix = f"{case_id}_{tag(dtype)}"
            files = {
                "x": save(prefix + "_x.npy", x_np, dtype),
                "y": save(prefix + "_y.npy", y.detach().numpy(), dtype),
                "dy": save(prefix + "_dy.npy", dy_np, dtype),
                "dx": save(prefix + "_dx.npy", dx.numpy(), dtype),
            }
            if idx is not None:
                files["indices"] = save(prefix + "_indices.npy", idx.numpy(), np.float64)
            cases.append(dict(id=case_id, op=op, spatial_dims=dims,
                              dtype="float32" if dtype == np.float32 else "float64",
                              files=files, **options))

    def normal(dims):
        shape = (batch, channels) + spatial[dims]
        return lambda dtype: rng.standard_normal(shape).astype(dtype)

    def lists(dims, v):
        return list(v) if isinstance(v, (list, tuple)) else [v] * dims

    avg = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
    mx = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}

    # Average pooling: kernel, stride, padding, ceil_mode, count_include_pad, divisor_override.
    avg_cases = [
        (1, 3, None, 0, False, True, None),
        (1, 3, 2, 1, True, True, None),
        (1, 3, 2, 1, True, False, None),
        (1, 4, 3, 2, True, True, None),
        (1, 2, 2, 1, True, True, None),      # n = 11: ceil mode would add a window starting in the right padding
        (1, 5, 1, 2, False, False, None),
        (2, 3, 2, 1, True, False, None),
        (2, (3, 2), (2, 1), (1, 0), False, True, None),
        (2, 2, 2, 1, True, True, None),
        (2, 3, 3, 1, True, True, 4),
        (3, 2, 2, 1, True, True, None),
        (3, (3, 2, 2), (2, 2, 1), (1, 1, 0), True, False, None),
        (3, 2, None, 0, False, True, None),
    ]
    for i, (d, k, s, p, ceil, include, div) in enumerate(avg_cases):
        options = dict(kernel_size=lists(d, k), stride=lists(d, s if s is not None else k), padding=lists(d, p),
                       dilation=[1] * d, ceil_mode=ceil, count_include_pad=include, divisor_override=div)
        run(f"avg{d}d_{i:02d}", "avg_pool", d, options, normal(d),
            lambda x, d=d, k=k, s=s, p=p, ceil=ceil, include=include, div=div: (
                avg[d](x, k, s, p, ceil, include, div) if d > 1 else avg[d](x, k, s, p, ceil, include)))
    # avg_pool1d has no divisor_override; its 1-D cases above all pass None.

    # Max pooling: kernel, stride, padding, dilation, ceil_mode; inputs normal, tied, or with NaN.
    max_cases = [
        (1, 3, None, 0, 1, False, "normal"),
        (1, 3, 2, 1, 2, True, "normal"),
        (1, 2, 2, 1, 1, True, "normal"),
        (1, 4, 3, 2, 1, True, "ties"),
        (1, 3, 1, 1, 1, False, "nan"),
        (2, 3, 2, 1, 1, True, "normal"),
        (2, (3, 2), (2, 1), (1, 1), (1, 2), False, "normal"),
        (2, 2, 2, 1, 2, True, "ties"),
        (2, 3, 2, 1, 1, False, "nan"),
        (3, 2, 2, 1, 1, True, "normal"),
        (3, (3, 2, 2), (2, 2, 1), (1, 1, 0), (1, 1, 2), True, "ties"),
        (3, 2, 1, 0, 1, False, "nan"),
    ]

    def max_input(d, kind):
        shape = (batch, channels) + spatial[d]

        def make(dtype):
            if kind == "ties":
                return rng.integers(0, 3, size=shape).astype(dtype)
            x = rng.standard_normal(shape).astype(dtype)
            if kind == "nan":
                flat = x.reshape(-1)
                flat[rng.choice(flat.size, size=max(2, flat.size // 15), replace=False)] = np.nan
            return x
        return make

    for i, (d, k, s, p, dil, ceil, kind) in enumerate(max_cases):
        options = dict(kernel_size=lists(d, k), stride=lists(d, s if s is not None else k), padding=lists(d, p),
                       dilation=lists(d, dil), ceil_mode=ceil, input_kind=kind)
        run(f"max{d}d_{i:02d}", "max_pool", d, options, max_input(d, kind),
            lambda x, d=d, k=k, s=s, p=p, dil=dil, ceil=ceil: mx[d](x, k, s, p, dil, ceil, return_indices=True),
            with_indices=True)

    # Interpolation: nearest and linear by the number of spatial dims, scale 2 and 3.
    linear_mode = {1: "linear", 2: "bilinear", 3: "trilinear"}
    for d in (1, 2, 3):
        for mode in ("nearest", "linear"):
            for scale in (2, 3):
                torch_mode = mode if mode == "nearest" else linear_mode[d]
                kwargs = {} if mode == "nearest" else {"align_corners": False}
                options = dict(mode=mode, torch_mode=torch_mode, scale=scale)
                run(f"up{d}d_{mode}_x{scale}", "interpolate", d, options, normal(d),
                    lambda x, m=torch_mode, sc=scale, kw=kwargs: F.interpolate(x, scale_factor=sc, mode=m, **kw))

    write_manifest(OUT, __file__, cases, torch_version=torch.__version__, numpy_version=np.__version__)


if __name__ == "__main__":
    ensure_venv(__file__)
    main()
