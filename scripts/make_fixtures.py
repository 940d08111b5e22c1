#!/usr/bin/env python3
"""Writes the NumPy fixtures of the DSP operators to Tests/ConvAlgebraTests/Fixtures/dsp/.

Independent reference: numpy itself, never the library under test.
- convolve: numpy.convolve(x, ↑d q, mode)[::k] for mode full/same/valid (the dilated kernel ↑d q has
  length (K-1)·d + 1, no trailing zeros, as CLI.md says); circular by CLI.md's formula
  y[i] = Σ_j (↑d q)[j] · x[(i + (Kd-1)//2 - j) mod n], computed with explicit modular indexing.
- downsample: x[p::k]; upsample_zeros: y[::k] = x (length n·k); nearest_upsample: numpy.repeat(x, k).
- transposed_convolution: numpy.convolve(↑k x, ↑d q, mode), the reference text's q * (↑k x).
- convolve_transpose: Aᵀ y for the convolve operator A, with A built explicitly in NumPy by applying the
  numpy.convolve reference above to every unit vector (column j = A e_j); A itself is saved too.
Every case is written in float32 and float64. Inputs are drawn in float64, rounded to the dtype, and
the reference is computed in float64 from the rounded inputs, then rounded once to the dtype.

Usage (from anywhere):  make fixtures   or   python3 scripts/make_fixtures.py
It creates its own virtual environment .venv-fixtures/ in the repository root on first use, installs
scripts/requirements-fixtures.txt there (numpy) and re-runs itself inside it. Output: small .npy files
(C order, little-endian <f4/<f8) and manifest.json listing each case with its options and files.
The Swift tests (Tests/ConvAlgebraTests/Operators/DSPFixtureTests.swift) read them and fail, never
skip, when a file is missing.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".venv-fixtures")
REQUIREMENTS = os.path.join(ROOT, "scripts", "requirements-fixtures.txt")
OUT = os.path.join(ROOT, "Tests", "ConvAlgebraTests", "Fixtures", "dsp")


def ensure_venv():
    """Re-runs this script inside .venv-fixtures/, creating it (with numpy) when missing."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
    if subprocess.call([python, "-c", "import numpy"], stderr=subprocess.DEVNULL) != 0:
        subprocess.check_call([python, "-m", "pip", "install", "--quiet", "-r", REQUIREMENTS])
    os.execv(python, [python, os.path.abspath(__file__)] + sys.argv[1:])


ensure_venv()

import numpy as np  # noqa: E402  (imported inside the venv)

MODES = ["full", "same", "valid", "circular"]
DTYPES = [("float32", np.float32, "f32"), ("float64", np.float64, "f64")]
BATCH = 2


# MARK: - The references


def dilate(q, d):
    """↑d q: d-1 zeros between the taps, length (K-1)·d + 1."""
    out = np.zeros((len(q) - 1) * d + 1, dtype=np.float64)
    out[::d] = q
    return out


def upsample_zeros(x, k):
    """↑k x along the last axis: y[..., i·k] = x[..., i], length n·k."""
    y = np.zeros(x.shape[:-1] + (x.shape[-1] * k,), dtype=np.float64)
    y[..., ::k] = x
    return y


def convolve_1d(x, qd, mode):
    """One sample: numpy.convolve for full/same/valid, CLI.md's modular formula for circular."""
    if mode != "circular":
        return np.convolve(x, qd, mode)
    n, kd = len(x), len(qd)
    shift = (kd - 1) // 2
    index = (np.arange(n)[:, None] + shift - np.arange(kd)[None, :]) % n  # explicit modular indexing
    return (x[index] * qd[None, :]).sum(axis=1)


def convolve(x, q, mode, stride, dilation):
    """numpy.convolve(x, ↑d q, mode)[::k] over the last axis of a batch."""
    qd = dilate(q, dilation)
    rows = [convolve_1d(sample, qd, mode)[::stride] for sample in x.reshape(-1, x.shape[-1])]
    return np.stack(rows).reshape(x.shape[:-1] + (len(rows[0]),))


def transposed_convolution(x, q, mode, stride, dilation):
    """The reference text's q * (↑k x): numpy.convolve(↑k x, ↑d q, mode)."""
    return convolve(upsample_zeros(x, stride), q, mode, 1, dilation)


def explicit_matrix(n, f):
    """The matrix whose column j is f(e_j): A built from the reference, one unit vector at a time."""
    return np.stack([f(np.eye(n, dtype=np.float64)[j]) for j in range(n)], axis=1)


# MARK: - Writing


class Writer:
    def __init__(self):
        self.cases = []
        self.files = set()
        self.rng = np.random.default_rng(20261125)
        self.inputs = {}

    def save(self, name, array, dtype):
        np.save(os.path.join(OUT, name), np.ascontiguousarray(array, dtype=dtype))
        self.files.add(name)
        return name

    def signal(self, shape, tag, dtype, prefix="x"):
        """A shared random array of `shape`, drawn once per (prefix, shape), rounded to the dtype."""
        key = (prefix,) + tuple(shape)
        if key not in self.inputs:
            self.inputs[key] = self.rng.uniform(-1, 1, size=shape)
        name = "%s-%s-%s.npy" % (prefix, "x".join(map(str, shape)), tag)
        rounded = self.inputs[key].astype(dtype).astype(np.float64)
        if name not in self.files:
            self.save(name, rounded, dtype)
        return name, rounded

    def kernel(self, K, tag, dtype):
        """A shared random kernel of K taps."""
        return self.signal((K,), tag, dtype, prefix="q")

    def add(self, case_id, op, dtype_name, options, files):
        self.cases.append(dict(id=case_id, op=op, dtype=dtype_name, files=files, **options))


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".npy") or f == "manifest.json":
            os.remove(os.path.join(OUT, f))
    w = Writer()

    # (n, K): K even, K = 1, K > n (full/same/circular only), long and short inputs.
    convolve_sizes = [(8, 3), (8, 4), (13, 5), (5, 1), (3, 6), (1, 3), (2, 2)]
    stride_dilation = [(1, 1), (2, 1), (3, 1), (1, 2), (2, 3)]
    for dtype_name, dtype, tag in DTYPES:
        for mode in MODES:
            for n, K in convolve_sizes:
                for k, d in stride_dilation:
                    kd = (K - 1) * d + 1
                    if mode == "valid" and kd > n:
                        continue  # CLI.md: convolve requires K ≤ n for valid (NumPy would swap the arrays)
                    # One case per mode with two leading batch axes.
                    shape = (BATCH, 3, n) if (n, K, k, d) == (8, 4, 2, 1) else (BATCH, n)
                    xname, x = w.signal(shape, tag, dtype)
                    qname, q = w.kernel(K, tag, dtype)
                    cid = "convolve-%s-n%d-K%d-s%d-d%d" % (mode, n, K, k, d)
                    y = convolve(x, q, mode, k, d)
                    yname = w.save("%s-%s.npy" % (cid, tag), y, dtype)
                    w.add(cid, "convolve", dtype_name, dict(n=n, K=K, mode=mode, stride=k, dilation=d),
                          dict(x=xname, q=qname, y=yname))

        for k in [1, 2, 3, 4]:
            for p in range(k):
                for n in [1, 7, 12]:
                    if p >= n:
                        continue
                    xname, x = w.signal((BATCH, n), tag, dtype)
                    cid = "downsample-n%d-k%d-p%d" % (n, k, p)
                    yname = w.save("%s-%s.npy" % (cid, tag), x[..., p::k], dtype)
                    w.add(cid, "downsample", dtype_name, dict(n=n, factor=k, phase=p), dict(x=xname, y=yname))

        for k in [1, 2, 3]:
            for n in [1, 5]:
                xname, x = w.signal((BATCH, n), tag, dtype)
                cid = "upsample-zeros-n%d-k%d" % (n, k)
                w.add(cid, "upsample_zeros", dtype_name, dict(n=n, factor=k),
                      dict(x=xname, y=w.save("%s-%s.npy" % (cid, tag), upsample_zeros(x, k), dtype)))
                cid = "nearest-upsample-n%d-k%d" % (n, k)
                w.add(cid, "nearest_upsample", dtype_name, dict(n=n, factor=k),
                      dict(x=xname, y=w.save("%s-%s.npy" % (cid, tag), np.repeat(x, k, axis=-1), dtype)))

        for mode in MODES:
            for n, K in [(4, 3), (5, 4), (3, 5), (1, 2)]:
                for k, d in [(1, 1), (2, 1), (3, 1), (2, 2)]:
                    if mode == "valid" and (K - 1) * d + 1 > n * k:
                        continue
                    xname, x = w.signal((BATCH, n), tag, dtype)
                    qname, q = w.kernel(K, tag, dtype)
                    cid = "transposed-convolution-%s-n%d-K%d-s%d-d%d" % (mode, n, K, k, d)
                    y = transposed_convolution(x, q, mode, k, d)
                    w.add(cid, "transposed_convolution", dtype_name, dict(n=n, K=K, mode=mode, stride=k, dilation=d),
                          dict(x=xname, q=qname, y=w.save("%s-%s.npy" % (cid, tag), y, dtype)))

        for mode in MODES:
            for n, K in [(9, 4), (3, 5)]:
                for k, d in [(1, 1), (2, 1), (3, 2)]:
                    if mode == "valid" and (K - 1) * d + 1 > n:
                        continue
                    qname, q = w.kernel(K, tag, dtype)
                    A = explicit_matrix(n, lambda e: convolve(e[None, :], q, mode, k, d)[0])
                    # Check the explicit matrix against the reference on a random input before using it.
                    probe = w.rng.uniform(-1, 1, size=n)
                    assert np.allclose(A @ probe, convolve(probe[None, :], q, mode, k, d)[0], rtol=1e-12, atol=1e-12)
                    yname, y = w.signal((BATCH, A.shape[0]), tag, dtype)
                    cid = "convolve-transpose-%s-n%d-K%d-s%d-d%d" % (mode, n, K, k, d)
                    xt = y @ A  # each sample: Aᵀ y
                    w.add(cid, "convolve_transpose", dtype_name, dict(n=n, K=K, mode=mode, stride=k, dilation=d),
                          dict(y=yname, q=qname, matrix=w.save("%s-A-%s.npy" % (cid, tag), A, dtype),
                               x=w.save("%s-%s.npy" % (cid, tag), xt, dtype)))

    manifest = dict(generator="scripts/make_fixtures.py", numpy=np.__version__, cases=w.cases)
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print("wrote %d cases, %d files, %d bytes to %s" % (len(w.cases), len(w.files) + 1, total, os.path.relpath(OUT, ROOT)))


if __name__ == "__main__":
    main()
