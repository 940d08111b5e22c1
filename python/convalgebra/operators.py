"""The operators of the CLI contract (docs/CLI.md) as NumPy functions: ``apply``, ``transpose``, ``matrix``,
``analyze``. Op options are keyword arguments spelled as in Python (``padding_mode="reflect"``,
``output_padding=1``, ``scale_factor=2``, ``ceil_mode=True``, ``count_include_pad=False``); a list or tuple
becomes a comma list (``stride=(2, 1)``), ``True`` a flag, ``False`` for ``count_include_pad`` its ``--no-`` form.
"""
import json
import os
import tempfile

import numpy as np
import scipy.sparse

from ._cli import run

_FLOAT = (np.float32, np.float64)


def _as_npy_array(a, name):
    a = np.asarray(a)
    if a.dtype.type not in _FLOAT:
        if not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating) or a.dtype == np.bool_):
            raise TypeError(f"{name} must be a real numeric array, got dtype {a.dtype}")
        a = a.astype(np.float64)
    return np.ascontiguousarray(a)


def _comma(value):
    if isinstance(value, (list, tuple, np.ndarray)):
        return ",".join(str(int(v)) for v in value)
    return str(value)


def _options(options):
    """Keyword options → CLI arguments."""
    out = []
    for key, value in options.items():
        if value is None:
            continue
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            if value:
                out.append(flag)
            elif key == "count_include_pad":
                out.append("--no-count-include-pad")
            continue
        out += [flag, _comma(value)]
    return out


class _Workspace:
    """A temporary directory for the arrays of one command."""

    def __enter__(self):
        self._dir = tempfile.TemporaryDirectory(prefix="convalgebra-")
        return self

    def __exit__(self, *exc):
        self._dir.cleanup()

    def path(self, name):
        return os.path.join(self._dir.name, name)

    def save(self, name, array, what):
        path = self.path(name)
        np.save(path, _as_npy_array(array, what))
        return path


def _arrays(ws, weight, bias):
    args = []
    if weight is not None:
        args += ["--weight", ws.save("w.npy", weight, "weight")]
    if bias is not None:
        args += ["--bias", ws.save("b.npy", bias, "bias")]
    return args


def apply(op, x, *, weight=None, bias=None, form="direct", dtype=None, binary=None, **options):
    """``convalgebra apply OP``: the operator applied to every sample of ``x`` (leading axes are the batch).

    ``form`` is ``direct``, ``dense``, ``sparse`` or ``auto``; ``dtype`` (``"float32"``/``"float64"``) casts x,
    weight and bias to one dtype, which the result has (without it they must share one).
    Returns a NumPy array of the input's dtype.
    """
    with _Workspace() as ws:
        args = ["apply", op, "--input", ws.save("x.npy", x, "x"), "--output", ws.path("y.npy"), "--form", form]
        args += _arrays(ws, weight, bias)
        if dtype is not None:
            args += ["--dtype", str(np.dtype(dtype))]
        run(args + _options(options), binary)
        return np.load(ws.path("y.npy"))


def transpose(op, y, *, domain, weight=None, form="direct", dtype=None, binary=None, **options):
    """``convalgebra apply OP --transpose --domain SHAPE``: the transpose Aᵀ of the (linear) operator built on one
    sample of shape ``domain`` (the forward operator's input, e.g. ``(3, 8, 8)``), applied to every sample of ``y``
    (whose samples have the forward output's shape). Returns a NumPy array."""
    with _Workspace() as ws:
        args = ["apply", op, "--transpose", "--domain", _comma(domain), "--input", ws.save("y.npy", y, "y"),
                "--output", ws.path("x.npy"), "--form", form]
        args += _arrays(ws, weight, None)
        if dtype is not None:
            args += ["--dtype", str(np.dtype(dtype))]
        run(args + _options(options), binary)
        return np.load(ws.path("x.npy"))


def matrix(op, domain, *, weight=None, dense=False, transpose=False, input=None, dtype=None, binary=None, **options):
    """``convalgebra export OP --domain SHAPE``: the matrix of the operator on one sample of shape ``domain``.

    Rows are the C-order flattening of the output sample (channels first), columns of the input sample, so
    ``A @ x.reshape(-1) == apply(op, x[None], ...).reshape(-1)``. Returns a ``scipy.sparse.csr_matrix`` (from
    SciPy's ``save_npz`` layout), or with ``dense=True`` a NumPy array (budgeted by the CLI). With
    ``transpose=True``, the transpose's matrix. The values are float64 when the weight is, or with
    ``dtype="float64"``, else float32 (the CLI's rule); ``input`` is the sample a max-pool's Jacobian is taken at.
    """
    with _Workspace() as ws:
        out = ws.path("a.npy" if dense else "a.npz")
        args = ["export", op, "--domain", _comma(domain), "--output", out, "--format", "npy" if dense else "npz"]
        args += _arrays(ws, weight, None)
        if transpose:
            args.append("--transpose")
        if input is not None:
            args += ["--input", ws.save("x.npy", input, "input")]
        if dtype is not None:
            args += ["--dtype", str(np.dtype(dtype))]
        run(args + _options(options), binary)
        if dense:
            return np.load(out)
        return scipy.sparse.load_npz(out).tocsr()


def analyze(op, domain, *, weight=None, input=None, method=None, binary=None, **options):
    """``convalgebra analyze OP --domain SHAPE --json``: singular values, spectral norm, condition number, rank,
    nullity (and for conv layers the reshaped-weight norm) of the operator on one sample, as a dict;
    ``singular_values`` is a NumPy array when present. ``input`` is the sample a max-pool's Jacobian is taken at."""
    with _Workspace() as ws:
        args = ["analyze", op, "--domain", _comma(domain), "--json", ws.path("report.json")]
        args += _arrays(ws, weight, None)
        if input is not None:
            args += ["--input", ws.save("x.npy", input, "input")]
        if method is not None:
            args += ["--method", method]
        run(args + _options(options), binary)
        with open(ws.path("report.json")) as f:
            report = json.load(f)
    if report.get("singular_values") is not None:
        report["singular_values"] = np.asarray(report["singular_values"], dtype=np.float64)
    return report
