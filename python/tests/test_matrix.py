"""``matrix`` (``convalgebra export``): the CSR and dense matrices are the operator, entry for entry."""
import numpy as np
import scipy.sparse

import convalgebra as ca

rng = np.random.default_rng(7)


def test_csr_matrix_times_x_is_apply():
    w = rng.standard_normal((4, 3, 3, 3))
    a = ca.matrix("conv", (3, 6, 5), weight=w, padding=1, stride=2)
    assert isinstance(a, scipy.sparse.csr_matrix) and a.shape == (4 * 3 * 3, 3 * 6 * 5)
    x = rng.standard_normal((3, 6, 5))
    y = ca.apply("conv", x[None], weight=w, padding=1, stride=2)
    assert np.allclose(a @ x.reshape(-1), y.reshape(-1), atol=1e-12)


def test_dense_and_transposed_agree_with_the_sparse_matrix():
    q = rng.standard_normal(3)
    a = ca.matrix("convolve", (8,), weight=q, mode="same", stride=2)
    d = ca.matrix("convolve", (8,), weight=q, mode="same", stride=2, dense=True)
    t = ca.matrix("convolve", (8,), weight=q, mode="same", stride=2, transpose=True)
    assert isinstance(d, np.ndarray) and np.array_equal(a.toarray(), d)
    assert np.array_equal(t.toarray(), d.T)
    # numpy.convolve's 'same' kept at rows 0, 2, 4, 6.
    assert np.allclose(d, np.stack([np.convolve(e, q, "same") for e in np.eye(8)]).T[::2], atol=1e-15)
