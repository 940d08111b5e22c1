#!/usr/bin/env python3
"""Fixtures for Tests/ConvAlgebraTests/IO/Matrix: sparse matrices written by SciPy itself, which the Swift
readers (NPZ, MatrixMarket) must read back entry for entry, with their dense arrays as the expected values.

Run from the repository root:

    python3 scripts/make_export_fixtures.py

It creates its own virtual environment .venv-export/ (numpy and scipy) on first use and re-runs itself there.
It writes Tests/ConvAlgebraTests/Fixtures/export/NAME.npz or NAME.mtx, and NAME.dense.npy (float64):
- scipy.sparse.save_npz with compressed=False (stored ZIP members) and compressed=True (deflate), float32 and
  float64, 32- and 64-bit index arrays, a matrix with unsorted and duplicate column indices (SciPy sums them),
  empty rows, a larger matrix whose members need dynamic Huffman blocks, and an empty matrix;
- scipy.io.mmwrite of a general, a symmetric (mmwrite detects it), an integer and a dense (array) matrix.
"""
import os

from fixture_venv import ROOT, ensure_venv

ensure_venv(__file__, modules=("numpy", "scipy"), default=".venv-export")

import numpy as np  # noqa: E402  (imported inside the venv)
import scipy.io  # noqa: E402
import scipy.sparse as sp  # noqa: E402

OUT = os.path.join(ROOT, "Tests", "ConvAlgebraTests", "Fixtures", "export")
rng = np.random.default_rng(20261203)


def random_csr(rows, cols, density, dtype):
    a = sp.random(rows, cols, density=density, format="csr", dtype=np.float64, random_state=rng)
    a.data = rng.standard_normal(a.nnz)
    keep = np.ones(rows)
    keep[min(2, rows - 1)] = 0  # an empty row
    a = sp.csr_matrix(sp.diags(keep) @ a).astype(dtype)
    a.eliminate_zeros()
    return a


def expected(name, a):
    np.save(os.path.join(OUT, name + ".dense.npy"), np.asarray(a.toarray(), dtype=np.float64))


def npz(name, a, compressed):
    sp.save_npz(os.path.join(OUT, name + ".npz"), a, compressed=compressed)
    expected(name, a)


def mtx(name, a, **kwargs):
    scipy.io.mmwrite(os.path.join(OUT, name + ".mtx"), a, **kwargs)
    expected(name, sp.csr_matrix(a) if sp.issparse(a) else sp.csr_matrix(np.asarray(a)))


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    small32 = random_csr(7, 9, 0.3, np.float32)
    npz("small_f4_stored", small32, compressed=False)
    npz("small_f4_deflate", small32, compressed=True)
    small64 = random_csr(9, 5, 0.4, np.float64)
    npz("small_f8_stored", small64, compressed=False)
    npz("small_f8_deflate", small64, compressed=True)
    # 64-bit index arrays, as SciPy writes for matrices whose indices do not fit in 32 bits.
    wide = random_csr(6, 8, 0.3, np.float64)
    wide.indices = wide.indices.astype(np.int64)
    wide.indptr = wide.indptr.astype(np.int64)
    npz("index64_f8_stored", wide, compressed=False)
    # Unsorted column indices within rows, and a duplicate entry (summed by SciPy and by the reader).
    unsorted = sp.csr_matrix((np.array([1.5, -2.0, 3.0, 0.25, 4.0], dtype=np.float32),
                              np.array([3, 0, 2, 2, 1], dtype=np.int32),
                              np.array([0, 2, 2, 5], dtype=np.int32)), shape=(3, 4))
    sp.save_npz(os.path.join(OUT, "unsorted_f4_stored.npz"), unsorted, compressed=False)
    expected("unsorted_f4_stored", unsorted)
    # Large enough that zlib codes its members with dynamic Huffman blocks and long back-references.
    npz("large_f8_deflate", random_csr(100, 120, 0.05, np.float64), compressed=True)
    npz("empty_f4_deflate", sp.csr_matrix((4, 6), dtype=np.float32), compressed=True)

    mtx("general", random_csr(6, 4, 0.5, np.float64))
    s = random_csr(5, 5, 0.4, np.float64)
    mtx("symmetric", sp.csr_matrix(s + s.T))
    mtx("integer", sp.csr_matrix(np.array([[0, 3, 0], [-2, 0, 7]], dtype=np.int64)))
    mtx("array", rng.standard_normal((3, 2)))


if __name__ == "__main__":
    main()
