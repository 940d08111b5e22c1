"""The bridge against independent references: NumPy's convolve, SciPy's correlate, explicit loops, the matrix
identities (A x = apply, <A x, y> = <x, A^T y>) and NumPy's SVD."""
import numpy as np
import pytest
import scipy.signal
import scipy.sparse

import convalgebra as ca

rng = np.random.default_rng(2026)


def conv2d_reference(x, w, b, stride, padding):
    """PyTorch's conv2d (cross-correlation, zero padding, groups 1) by scipy.signal.correlate."""
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, co = x.shape[0], w.shape[0]
    full = np.stack([np.stack([sum(scipy.signal.correlate(xp[i, c], w[o, c], mode="valid") for c in range(x.shape[1]))
                               for o in range(co)]) for i in range(n)])
    y = full[:, :, ::stride, ::stride]
    return y + (0 if b is None else b[None, :, None, None])


@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_convolve_is_numpy_convolve(mode):
    x, q = rng.standard_normal((3, 11)), rng.standard_normal(4)
    y = ca.apply("convolve", x, weight=q, mode=mode)
    assert np.allclose(y, np.stack([np.convolve(r, q, mode) for r in x]), atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("form", ["direct", "dense", "sparse"])
def test_conv2d_matches_the_correlate_reference(dtype, form):
    x = rng.standard_normal((2, 3, 7, 6)).astype(dtype)
    w = rng.standard_normal((4, 3, 3, 3)).astype(dtype)
    b = rng.standard_normal(4).astype(dtype)
    y = ca.apply("conv", x, weight=w, bias=b, padding=1, stride=2, form=form)
    assert y.dtype == dtype and y.shape == (2, 4, 4, 3)
    tol = 1e-4 if dtype == np.float32 else 1e-11
    assert np.allclose(y, conv2d_reference(x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), 2, 1), atol=tol)


def test_transpose_is_the_adjoint():
    x, w = rng.standard_normal((1, 3, 6, 6)), rng.standard_normal((5, 3, 3, 3))
    ax = ca.apply("conv", x, weight=w, stride=2, padding=1)
    y = rng.standard_normal(ax.shape)
    aty = ca.transpose("conv", y, domain=(3, 6, 6), weight=w, stride=2, padding=1)
    assert aty.shape == x.shape
    assert np.isclose(np.vdot(ax, y), np.vdot(x, aty), rtol=1e-12)


def test_dtype_casts_and_its_absence_is_an_error_that_says_so():
    x, w = rng.standard_normal((1, 2, 5)), rng.standard_normal((3, 2, 2)).astype(np.float32)
    with pytest.raises(ca.ConvAlgebraError) as e:
        ca.apply("conv", x, weight=w)
    assert "--dtype" in e.value.message and e.value.line.startswith("error: ") and e.value.returncode != 0
    y = ca.apply("conv", x, weight=w, dtype="float64")
    assert y.dtype == np.float64
    assert np.allclose(y, ca.apply("conv", x, weight=w.astype(np.float64)), atol=0)


def test_errors_carry_the_error_line():
    with pytest.raises(ca.ConvAlgebraError) as e:
        ca.apply("conv", rng.standard_normal((1, 2, 5)), weight=rng.standard_normal((3, 4, 2)))
    assert "channels" in str(e.value) and "\n" not in e.value.line
    with pytest.raises(ca.ConvAlgebraError, match="unknown"):
        ca.apply("no-such-op", np.zeros(3))


def test_upsample_pytorch_spellings():
    x = rng.standard_normal((1, 2, 3, 4))
    a = ca.apply("upsample", x, scale_factor=2, mode="bilinear")
    assert a.shape == (1, 2, 6, 8)
    assert np.array_equal(a, ca.apply("upsample", x, size=(6, 8), mode="linear"))
    nearest = ca.apply("upsample", x, size=(5, 7))
    rows = np.minimum(np.floor(np.arange(5, dtype=np.float32) * np.float32(3 / 5)).astype(int), 2)
    cols = np.minimum(np.floor(np.arange(7, dtype=np.float32) * np.float32(4 / 7)).astype(int), 3)
    assert np.array_equal(nearest, x[:, :, rows][:, :, :, cols])


def test_analyze_gives_the_singular_values_of_the_matrix():
    w = rng.standard_normal((2, 2, 3))
    report = ca.analyze("conv", (2, 6), weight=w, padding=1)
    assert report["method"] == "gesdd" and report["codomain"] == [2, 6]
    # The matrix by probing the bridge's own apply with unit vectors (a test oracle), then NumPy's SVD.
    eye = np.eye(12).reshape(12, 2, 6)
    a = ca.apply("conv", eye, weight=w, padding=1).reshape(12, 12).T
    assert np.allclose(report["singular_values"], np.linalg.svd(a, compute_uv=False), atol=1e-12)
    assert np.isclose(report["spectral_norm"], np.linalg.norm(a, 2))
