"""NumPy/SciPy bridge to the ``convalgebra`` command-line tool.

Every function runs the CLI on temporary ``.npy`` files and returns NumPy arrays, ``scipy.sparse`` matrices or
parsed JSON. The binary is found through ``CONVALGEBRA_BIN``, then ``PATH``, then a ConvAlgebra checkout's
``.build/release`` or ``.build/debug`` (searched upwards from the working directory and from this package).
A failing command raises :class:`ConvAlgebraError` carrying its ``error:`` line.

    >>> import numpy as np, convalgebra as ca
    >>> x = np.random.default_rng(0).standard_normal((4, 3, 8, 8))
    >>> w = np.random.default_rng(1).standard_normal((5, 3, 3, 3))
    >>> y = ca.apply("conv", x, weight=w, padding=1, stride=2)           # (4, 5, 4, 4)
    >>> A = ca.matrix("conv", (3, 8, 8), weight=w, padding=1, stride=2)  # scipy.sparse.csr_matrix, 80 x 192
"""
from ._cli import ConvAlgebraError, find_binary, run
from .operators import analyze, apply, matrix, transpose
from .modules import conv_arguments, apply_module, transpose_module, matrix_of_module, analyze_module

__all__ = [
    "ConvAlgebraError", "find_binary", "run",
    "apply", "transpose", "matrix", "analyze",
    "conv_arguments", "apply_module", "transpose_module", "matrix_of_module", "analyze_module",
]
__version__ = "0.1.0"
