#!/usr/bin/env python3
"""Checks `convalgebra export` against SciPy and NumPy themselves: for every op family, forward and --transpose,
the matrix loaded with scipy.sparse.load_npz, scipy.io.mmread and numpy.load, times a random batch, equals
`convalgebra apply` on that batch; a max-pool's Jacobian at --input, times that input, equals the pooling.

Optional for users (make test needs no Python). Run from the repository root after `swift build`:

    python3 scripts/check_export_scipy.py [path/to/convalgebra]

The binary defaults to .build/release/convalgebra, else .build/debug/convalgebra. The script creates its own
virtual environment .venv-export/ (numpy and scipy) on first use and re-runs itself there. It prints one line
per case and exits non-zero when any differs.
"""
import os
import subprocess
import sys
import tempfile

from fixture_venv import ROOT, ensure_venv

ensure_venv(__file__, modules=("numpy", "scipy"), default=".venv-export")

import numpy as np  # noqa: E402  (imported inside the venv)
import scipy.io  # noqa: E402
import scipy.sparse as sp  # noqa: E402

# (op, options, one sample's shape, weight shape or None)
CASES = [
    ("convolve", ["--mode", "same", "--stride", "2"], (16,), (5,)),
    ("convolve", ["--mode", "circular", "--dilation", "2"], (12,), (3,)),
    ("convolve", ["--mode", "valid"], (10,), (4,)),
    ("downsample", ["--factor", "3", "--phase", "1"], (10,), None),
    ("upsample-zeros", ["--factor", "2"], (7,), None),
    ("conv", ["--stride", "2", "--padding", "1"], (2, 11), (4, 2, 3)),
    ("conv", ["--padding", "1", "--padding-mode", "reflect"], (2, 5, 6), (3, 2, 3, 3)),
    ("conv", ["--padding", "1", "--padding-mode", "circular"], (2, 5, 6), (3, 2, 3, 3)),
    ("conv", ["--stride", "2"], (2, 4, 4, 4), (2, 2, 2, 2, 2)),
    ("conv", ["--groups", "2", "--dilation", "2", "--padding", "same"], (2, 7, 7), (4, 1, 3, 3)),
    ("conv-transpose", ["--stride", "2", "--padding", "1", "--output-padding", "1"], (2, 4, 4), (2, 3, 3, 3)),
    ("avg-pool", ["--kernel-size", "3", "--stride", "2", "--padding", "1", "--ceil-mode"], (2, 7, 7), None),
    ("avg-pool", ["--kernel-size", "2"], (1, 6, 4, 4), None),
    ("upsample", ["--scale", "2", "--mode", "nearest"], (2, 3, 4), None),
    ("upsample", ["--scale", "3", "--mode", "linear"], (2, 5), None),
    ("upsample", ["--scale", "2", "--mode", "linear"], (1, 3, 4), None),
]
BATCH = 4
rng = np.random.default_rng(20261203)


def binary():
    if len(sys.argv) > 1:
        return os.path.abspath(sys.argv[1])
    for config in ("release", "debug"):
        path = os.path.join(ROOT, ".build", config, "convalgebra")
        if os.path.exists(path):
            return path
    sys.exit("no convalgebra binary: run `swift build` or pass its path")


def run(exe, args, cwd):
    r = subprocess.run([exe] + args, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"convalgebra {' '.join(args)}: {r.stderr.strip()}")


def load(path):
    """The matrix in `path` as a dense float64 array, read by SciPy's or NumPy's own reader."""
    if path.endswith(".npz"):
        return sp.load_npz(path).toarray().astype(np.float64)
    if path.endswith(".mtx"):
        return np.asarray(sp.csr_matrix(scipy.io.mmread(path)).toarray(), dtype=np.float64)
    return np.load(path).astype(np.float64)


def worst(a, x, y):
    """max |A x_b − y_b| over the batch."""
    n = x.shape[0]
    return float(np.abs(a @ x.reshape(n, -1).astype(np.float64).T - y.reshape(n, -1).astype(np.float64).T).max())


def main():
    exe = binary()
    failures = 0
    with tempfile.TemporaryDirectory() as d:
        p = lambda name: os.path.join(d, name)
        for op, options, shape, wshape in CASES:
            opts = list(options)
            if wshape is not None:
                np.save(p("w.npy"), rng.standard_normal(wshape).astype(np.float32))
                opts += ["--weight", "w.npy"]
            domain = ",".join(map(str, shape))
            x = rng.standard_normal((BATCH,) + shape).astype(np.float32)
            np.save(p("x.npy"), x)
            run(exe, ["apply", op, "--input", "x.npy", "--output", "y.npy"] + opts, d)
            y = np.load(p("y.npy"))
            z = rng.standard_normal(y.shape).astype(np.float32)
            np.save(p("z.npy"), z)
            run(exe, ["apply", op, "--transpose", "--domain", domain, "--input", "z.npy", "--output", "u.npy"] + opts, d)
            u = np.load(p("u.npy"))
            for fmt in ("npz", "mtx", "npy"):
                run(exe, ["export", op, "--domain", domain, "--output", "a." + fmt] + opts, d)
                run(exe, ["export", op, "--domain", domain, "--transpose", "--output", "t." + fmt] + opts, d)
                a, t = load(p("a." + fmt)), load(p("t." + fmt))
                errors = (worst(a, x, y), worst(t, z, u), float(np.abs(t - a.T).max()))
                ok = max(errors) <= 1e-5 * max(1.0, float(np.abs(y).max()), float(np.abs(u).max()))
                failures += not ok
                print(f"{'ok  ' if ok else 'FAIL'} {op} {' '.join(options)} on {domain} [{fmt}] {a.shape}: "
                      f"|Ax−apply| {errors[0]:.2e}, |Aᵀz−apply --transpose| {errors[1]:.2e}, |T−Aᵀ| {errors[2]:.1e}")
        # max-pool: the Jacobian at one sample, times that sample, is the pooling.
        x = rng.standard_normal((1, 2, 6, 6)).astype(np.float32)
        np.save(p("x.npy"), x)
        pool = ["--kernel-size", "3", "--stride", "2", "--padding", "1"]
        run(exe, ["apply", "max-pool", "--input", "x.npy", "--output", "y.npy"] + pool, d)
        y = np.load(p("y.npy"))
        for fmt in ("npz", "mtx", "npy"):
            run(exe, ["export", "max-pool", "--domain", "2,6,6", "--input", "x.npy", "--output", "j." + fmt] + pool, d)
            j = load(p("j." + fmt))
            e = worst(j, x, y)
            ok = e <= 1e-6 and set(np.unique(j)) <= {0.0, 1.0}
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} max-pool {' '.join(pool)} Jacobian at --input [{fmt}] {j.shape}: |Jx−pool(x)| {e:.2e}")
    print(f"{failures} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
