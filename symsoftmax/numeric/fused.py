"""The hand-written half of the numba backend: the functions that run the fused row kernels,
and the signatures of those kernels, which :mod:`symsoftmax.numeric.loops` prints.

A row kernel does for one row, in one loop nest, what the numpy runtime does in passes
over the whole array: the row maximum, the exact split x - m = dh + dl (TwoSum), the
exponentials and their compensated sum, and the formula of the function. It handles rows of
finite entries below half the largest float (the common case); it marks every other row
(an inf, a NaN, a magnitude near overflow) as not done, and those rows are computed again
by the numpy reference, which decides each non-finite case (``runtime._shift``). A mask
(``where``), an empty array or a dtype other than float32 and float64 goes to the
reference as a whole. So the two backends keep the same conventions by construction, and
the accuracy tests run on both.

Like :mod:`~symsoftmax.numeric.runtime`, this module is copied out as source text by
:func:`symsoftmax.numeric.loops.module_source`: each ``from .runtime import a as b`` below
becomes ``b = a`` in the generated module (the numpy function, before the fused one takes
its name), the stubs are replaced by printed kernels, and the public functions here are
defined after the runtime's, so that the runtime's ``jacobian``, ``jvp`` and
``cross_entropy`` call the fused ``softmax`` and ``log_softmax``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy
import numpy.typing

from .runtime import _classes_back, _classes_last, _scalar
from .runtime import log_softmax as _numpy_log_softmax
from .runtime import logsumexp as _numpy_logsumexp
from .runtime import softmax as _numpy_softmax

__all__ = ["log_softmax", "logsumexp", "softmax"]

_UNPRINTED = "a row kernel is printed by symsoftmax.numeric.loops: use backend='numba'"


def _softmax_rows(x: numpy.ndarray, out: numpy.ndarray, ok: numpy.ndarray, half: float) -> None:
    """softmax of each row of x into out; ok[row] False where the row is left to numpy."""
    raise NotImplementedError(_UNPRINTED)


def _log_softmax_rows(x: numpy.ndarray, out: numpy.ndarray, ok: numpy.ndarray, half: float) -> None:
    """log softmax of each row of x into out; ok[row] False where the row is left to numpy."""
    raise NotImplementedError(_UNPRINTED)


def _logsumexp_rows(x: numpy.ndarray, out: numpy.ndarray, ok: numpy.ndarray, half: float) -> None:
    """log-sum-exp of each row of x into out[row]; ok[row] False where left to numpy."""
    raise NotImplementedError(_UNPRINTED)


#: The dtypes the row kernels are compiled for; any other goes to the numpy reference.
_FUSED_DTYPES = (numpy.float32, numpy.float64)


def _by_rows(
    kernel: Callable[..., None],
    reference: Callable[..., numpy.ndarray],
    x: numpy.typing.ArrayLike,
    axis: object,
    vector: bool,
) -> numpy.ndarray:
    """Run ``kernel`` on the rows of x (classes along ``axis``), ``reference`` on the rows
    it leaves; a vector result has x's shape, a scalar one loses the class axes."""
    flat, _, axes, moved = _classes_last(x, axis, None)
    if flat.dtype.type not in _FUSED_DTYPES or flat.size == 0:
        return reference(x, axis=axis)
    rows = numpy.ascontiguousarray(flat.reshape(-1, flat.shape[-1]))
    out = numpy.empty(rows.shape if vector else rows.shape[:1], dtype=rows.dtype)
    ok = numpy.empty(rows.shape[0], dtype=numpy.bool_)
    kernel(rows, out, ok, numpy.finfo(rows.dtype).max / 2)
    if not ok.all():
        out[~ok] = reference(rows[~ok], axis=-1)
    if not vector:
        return out.reshape(flat.shape[:-1])
    return _classes_back(out.reshape(flat.shape), axes, moved)


def softmax(
    x: numpy.typing.ArrayLike, axis: object = -1, where: numpy.typing.ArrayLike | None = None
) -> numpy.ndarray:
    """softmax(x) along ``axis`` by the fused row kernel; masked input by the reference."""
    if where is not None:
        return _numpy_softmax(x, axis=axis, where=where)
    return _by_rows(_softmax_rows, _numpy_softmax, x, axis, True)


def log_softmax(
    x: numpy.typing.ArrayLike, axis: object = -1, where: numpy.typing.ArrayLike | None = None
) -> numpy.ndarray:
    """log softmax(x) along ``axis`` by the fused row kernel; masked input by the reference."""
    if where is not None:
        return _numpy_log_softmax(x, axis=axis, where=where)
    return _by_rows(_log_softmax_rows, _numpy_log_softmax, x, axis, True)


def logsumexp(x: numpy.typing.ArrayLike, axis: object = -1, beta: float = 1.0) -> numpy.ndarray:
    """log-sum-exp along ``axis`` (those axes removed) by the fused row kernel; with a
    temperature (beta != 1) by the reference."""
    if _scalar(beta, "beta", 0, numpy.inf) != 1:
        return _numpy_logsumexp(x, axis=axis, beta=beta)
    return _by_rows(_logsumexp_rows, _numpy_logsumexp, x, axis, False)
