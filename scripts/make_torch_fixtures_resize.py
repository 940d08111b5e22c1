#!/usr/bin/env python3
"""Writes the PyTorch fixtures of interpolation to an output size to Tests/ConvAlgebraTests/Fixtures/torch-resize/.

Independent reference: torch.nn.functional.interpolate(x, size=L, mode=nearest | linear | bilinear | trilinear,
align_corners=False) with its autograd backward, in float32 and float64: sizes that are not multiples of the input
(nearest's float index arithmetic, linear's scale n/L), smaller than the input, and a whole multiple (where size
and scale_factor must agree). Each case writes x, y, dy, dx (.npy) and manifest.json lists them.

Usage: python3 scripts/make_torch_fixtures_resize.py
Runs itself inside a virtual environment with torch and numpy: $VENV if set, else .venv-torch in the repo
root, created on first use (the torch wheel is large and takes a few minutes to install).
"""
import os

from fixture_venv import ensure_venv, write_manifest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ConvAlgebraTests", "Fixtures", "torch-resize")



def main():
    import numpy as np
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(2026)
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".npy") or f == "manifest.json":
            os.remove(os.path.join(OUT, f))
    cases = []
    linear_mode = {1: "linear", 2: "bilinear", 3: "trilinear"}
    # (input spatial size, output size): non-multiples, shrinking, 14 → 20 (ratio 0.7, below its float), a multiple.
    sizes = [
        ((5,), (7,)), ((14,), (20,)), ((10,), (15,)), ((9,), (4,)), ((3,), (9,)), ((6,), (1,)),
        ((5, 4), (7, 9)), ((6, 6), (4, 10)), ((3, 2), (6, 4)),
        ((3, 4, 2), (5, 6, 3)), ((4, 3, 3), (2, 7, 5)),
    ]
    for i, (n, L) in enumerate(sizes):
        d = len(n)
        for mode in ("nearest", "linear"):
            torch_mode = "nearest" if mode == "nearest" else linear_mode[d]
            kwargs = {} if mode == "nearest" else {"align_corners": False}
            for dtype in (np.float32, np.float64):
                tdtype = torch.float32 if dtype == np.float32 else torch.float64
                x_np = rng.standard_normal((2, 3) + n).astype(dtype)
                x = torch.tensor(x_np, dtype=tdtype, requires_grad=True)
                y = F.interpolate(x, size=L, mode=torch_mode, **kwargs)
                dy_np = rng.standard_normal(tuple(y.shape)).astype(dtype)
                (dx,) = torch.autograd.grad(y, x, torch.tensor(dy_np))
                tag = "f32" if dtype == np.float32 else "f64"
                prefix = f"resize{d}d_{i:02d}_{mode}_{tag}"
                files = {}
                for key, arr in (("x", x_np), ("y", y.detach().numpy()), ("dy", dy_np), ("dx", dx.numpy())):
                    files[key] = prefix + f"_{key}.npy"
                    np.save(os.path.join(OUT, files[key]), np.ascontiguousarray(arr.astype(dtype)))
                cases.append(dict(id=f"resize{d}d_{i:02d}_{mode}", mode=mode, torch_mode=torch_mode,
                                  input_size=list(n), size=list(L),
                                  dtype="float32" if dtype == np.float32 else "float64", files=files))
    write_manifest(OUT, __file__, cases, torch_version=torch.__version__, numpy_version=np.__version__)


if __name__ == "__main__":
    ensure_venv(__file__)
    main()
