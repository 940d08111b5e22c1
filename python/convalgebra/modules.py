"""Helpers that take a ``torch.nn.Conv1d/2d/3d`` or ``ConvTranspose1d/2d/3d``-like module (duck-typed: anything
with ``in_channels``, ``weight``, ``bias``, ``stride``, ``padding``, ``dilation``, ``groups``, ``padding_mode`` and,
for a transposed one, ``transposed = True`` and ``output_padding``). Tensors are read through ``detach().cpu()
.numpy()`` when they have it, else ``numpy.asarray``: torch is never imported.
"""
import numpy as np

from .operators import analyze, apply, matrix, transpose


def _numpy(t):
    if t is None:
        return None
    if hasattr(t, "detach"):
        t = t.detach()
    if hasattr(t, "cpu"):
        t = t.cpu()
    if hasattr(t, "numpy"):
        t = t.numpy()
    return np.asarray(t)


def _ints(v):
    return [int(a) for a in v] if isinstance(v, (list, tuple)) else [int(v)]


def conv_arguments(module):
    """``(op, options)`` for a conv-like module: ``op`` is ``"conv"`` or ``"conv-transpose"``; ``options`` holds
    ``weight`` and ``bias`` (NumPy arrays or None) and the CLI options (stride, padding, dilation, groups,
    padding_mode or output_padding)."""
    weight = _numpy(module.weight)
    if weight is None or weight.ndim not in (3, 4, 5):
        raise ValueError(f"the module's weight must have 3 to 5 dimensions, got {None if weight is None else weight.shape}")
    transposed = bool(getattr(module, "transposed", False))
    groups = int(getattr(module, "groups", 1))
    in_channels = int(getattr(module, "in_channels", weight.shape[0] if transposed else weight.shape[1] * groups))
    expected = weight.shape[0] if transposed else weight.shape[1] * groups
    if in_channels != expected:
        raise ValueError(f"in_channels {in_channels} does not match the weight {weight.shape} with groups {groups}")
    padding = getattr(module, "padding", 0)
    options = dict(weight=weight, bias=_numpy(getattr(module, "bias", None)),
                   stride=_ints(getattr(module, "stride", 1)), dilation=_ints(getattr(module, "dilation", 1)),
                   groups=groups, padding=padding if isinstance(padding, str) else _ints(padding))
    if transposed:
        options["output_padding"] = _ints(getattr(module, "output_padding", 0))
        mode = getattr(module, "padding_mode", "zeros")
        if mode != "zeros":
            raise ValueError(f"transposed convolutions support only padding_mode='zeros' (as PyTorch), got {mode!r}")
        return "conv-transpose", options
    options["padding_mode"] = getattr(module, "padding_mode", "zeros")
    return "conv", options


def apply_module(module, x, *, form="direct", dtype=None, binary=None):
    """``module(x)`` computed by convalgebra: x of shape ``(N, C_in, *S)``; returns a NumPy array."""
    op, options = conv_arguments(module)
    return apply(op, x, form=form, dtype=dtype, binary=binary, **options)


def transpose_module(module, y, input_shape, *, form="direct", binary=None):
    """The transpose of the module's linear part (no bias) on samples of ``input_shape`` ``(C_in, *S)``, applied
    to ``y``: what autograd's input gradient is for the output gradient ``y``."""
    op, options = conv_arguments(module)
    options.pop("bias")
    return transpose(op, y, domain=input_shape, form=form, binary=binary, **options)


def matrix_of_module(module, input_shape, *, dense=False, binary=None):
    """The matrix of the module's linear part (no bias) on one sample of ``input_shape`` ``(C_in, *S)``."""
    op, options = conv_arguments(module)
    options.pop("bias")
    return matrix(op, input_shape, dense=dense, binary=binary, **options)


def analyze_module(module, input_shape, *, method=None, binary=None):
    """``analyze`` of the module's linear part on one sample of ``input_shape``: a dict (see :func:`analyze`)."""
    op, options = conv_arguments(module)
    options.pop("bias")
    return analyze(op, input_shape, method=method, binary=binary, **options)
