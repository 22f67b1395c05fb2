"""The dask backend: the same functions on dask arrays, lazily, one chunk at a time.

Every function is a ``map_blocks`` of the numpy function (computed by the fastest installed
numpy backend) over the chunks: rows are independent, so a chunk of rows is computed alone,
in memory that holds one chunk, on any worker of a ``dask.distributed`` cluster. The class
axes must be whole in each chunk (a softmax needs its whole row): when they are split over
several chunks they are rechunked into one along those axes (``x.rechunk({axis: -1})``),
which dask does lazily, chunk row by chunk row; the chunks then hold the same rows as
before with all their classes. A target ``y`` or a tangent ``v`` is given x's chunks.

What happens at compute time rather than at the call: a check of the values (a target
whose rows are no probability vectors raises ``ValueError`` when its chunk is computed);
the checks of types, shapes and axes are made at the call, as for numpy.

A chunk is computed by :func:`_block`, a module-level function that a worker process
imports by name (the generated functions themselves do not travel); the worker generates,
or loads from numba's disk cache, its own code.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

import numpy

from . import dispatch, runtime

__all__ = ["function"]


#: Chunks computed by numba in one process take turns: each call's parallel loop already
#: runs on every thread numba has, and numba's fallback threading layer ("workqueue", when
#: neither TBB nor OpenMP is installed) aborts the process when two threads enter parallel
#: code at once, as dask's threaded scheduler would make them.
_NUMBA_TURN = threading.Lock()


def _block(*blocks: numpy.ndarray, function: str, options: dict[str, Any]) -> numpy.ndarray:
    """``function`` of the fastest numpy backend on one chunk (in whichever process runs it;
    dask's own ``name`` keyword names the output, hence ``function``)."""
    chosen = dispatch.choose(blocks[0], None)
    compute = dispatch.functions(chosen)(function)
    if chosen is dispatch.Backend.NUMBA:
        with _NUMBA_TURN:
            return compute(*blocks, **options)
    return compute(*blocks, **options)


def _result_dtype(x: Any) -> numpy.dtype:
    """The dtype of the result for an input of x's dtype: floating kept, else float64."""
    dtype = numpy.dtype(x.dtype)
    return dtype if dtype.kind == "f" else numpy.dtype(numpy.float64)


def _whole(x: Any, axes: tuple[int, ...]) -> Any:
    """``x`` with each of ``axes`` in one chunk (rechunked lazily where it is split)."""
    split = {a % x.ndim: -1 for a in axes if len(x.chunks[a % x.ndim]) > 1}
    return x.rechunk(split) if split else x


def _like(x: Any, other: Any, what: str) -> Any:
    """``other`` (a dask or numpy array) as a dask array with x's shape and chunks."""
    da = importlib.import_module("dask.array")
    other = da.asarray(other)
    runtime._check_same_shape(x, other, what)
    return other.rechunk(x.chunks)


def _check(x: Any) -> None:
    """Type and rank checks at the call, as the numpy functions make them."""
    if numpy.dtype(x.dtype).kind not in "biuf":
        raise TypeError(f"x must be a real numeric array, got dtype {x.dtype}")
    if x.ndim == 0:
        raise ValueError("x must have at least one axis (the classes), got a scalar")


def _along_axes(name: str) -> Callable[..., Any]:
    """softmax and log_softmax: x's shape, along any class axes, with a mask."""

    def compute(x: Any, axis: object = -1, where: Any = None) -> Any:
        _check(x)
        runtime._classes_last(numpy.empty((0,) * x.ndim), axis, None)  # bad axes fail now
        axes = tuple(a % x.ndim for a in runtime._class_axes(axis, x.ndim))
        x = _whole(x, axes)
        options = {"axis": axis}
        if where is None:
            return x.map_blocks(_block, function=name, options=options, dtype=_result_dtype(x))
        da = importlib.import_module("dask.array")
        keep = da.broadcast_to(da.asarray(where), x.shape).rechunk(x.chunks)
        return da.map_blocks(
            _masked_block, x, keep, function=name, options=options, dtype=_result_dtype(x)
        )

    return compute


def _masked_block(
    x: numpy.ndarray, keep: numpy.ndarray, function: str, options: dict[str, Any]
) -> numpy.ndarray:
    """A chunk of x and the same chunk of the mask."""
    return _block(x, function=function, options={**options, "where": keep})


def _logsumexp(x: Any, axis: object = -1, beta: float = 1.0) -> Any:
    _check(x)
    runtime._scalar(beta, "beta", 0, numpy.inf)  # a bad beta fails now
    runtime._classes_last(numpy.empty((0,) * x.ndim), axis, None)  # bad axes fail now
    axes = tuple(a % x.ndim for a in runtime._class_axes(axis, x.ndim))
    x = _whole(x, axes)
    return x.map_blocks(
        _block,
        function="logsumexp",
        options={"axis": axis, "beta": beta},
        drop_axis=list(axes),
        dtype=_result_dtype(x),
    )


def _jacobian(x: Any, where: Any = None) -> Any:
    _check(x)
    x = _whole(x, (-1,))
    K = x.shape[-1]
    chunks = (*x.chunks, (K,))
    if where is None:
        return x.map_blocks(
            _block,
            function="jacobian",
            options={},
            new_axis=x.ndim,
            chunks=chunks,
            dtype=_result_dtype(x),
        )
    da = importlib.import_module("dask.array")
    keep = da.broadcast_to(da.asarray(where), x.shape).rechunk(x.chunks)
    return da.map_blocks(
        _masked_block,
        x,
        keep,
        function="jacobian",
        options={},
        new_axis=x.ndim,
        chunks=chunks,
        dtype=_result_dtype(x),
    )


def _pair(name: str, drop: bool) -> Callable[..., Any]:
    """jvp, vjp (with a mask), cross_entropy (the class axis dropped) and its gradient."""

    def compute(x: Any, other: Any, where: Any = None) -> Any:
        _check(x)
        x = _whole(x, (-1,))
        second = _like(x, other, "y" if name.startswith("cross") else "v")
        da = importlib.import_module("dask.array")
        if where is None:
            arrays, block, options = (x, second), _block, {}
        else:
            keep = da.broadcast_to(da.asarray(where), x.shape).rechunk(x.chunks)
            arrays, block, options = (x, second, keep), _masked_pair, {}
        return da.map_blocks(
            block,
            *arrays,
            function=name,
            options=options,
            drop_axis=[x.ndim - 1] if drop else [],
            dtype=_result_dtype(x),
        )

    return compute


def _masked_pair(
    x: numpy.ndarray, v: numpy.ndarray, keep: numpy.ndarray, function: str, options: dict[str, Any]
) -> numpy.ndarray:
    """A chunk of x, the same chunk of v and of the mask."""
    return _block(x, v, function=function, options={**options, "where": keep})


#: The losses of two arrays and a number: (the number's name, its interval, the names of the
#: two arrays), as the numpy functions check them.
_LOSSES = {
    "distillation_loss": ("T", (0, numpy.inf, ""), ("teacher", "student")),
    "distillation_grad": ("T", (0, numpy.inf, ""), ("teacher", "student")),
    "label_smoothing_loss": ("eps", (0, 1, "both"), ("z", "y")),
    "label_smoothing_grad": ("eps", (0, 1, "both"), ("z", "y")),
}


def _loss(name: str, drop: bool) -> Callable[..., Any]:
    """The losses with a number (a temperature, a smoothing), chunk by chunk as ``_pair``;
    the result has the dtype of the logits (the student's for distillation)."""
    number, (low, high, closed), (first, second) = _LOSSES[name]

    def compute(a: Any, b: Any, value: float) -> Any:
        runtime._scalar(value, number, low, high, closed)
        da = importlib.import_module("dask.array")
        a = _whole(da.asarray(a), (-1,))
        _check(a)
        b = _like(a, b, second)
        logits = b if first == "teacher" else a
        return da.map_blocks(
            _block,
            a,
            b,
            function=name,
            options={number: value},
            drop_axis=[a.ndim - 1] if drop else [],
            dtype=_result_dtype(logits),
        )

    return compute


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "softmax": _along_axes("softmax"),
    "log_softmax": _along_axes("log_softmax"),
    "logsumexp": _logsumexp,
    "jacobian": _jacobian,
    "jvp": _pair("jvp", drop=False),
    "vjp": _pair("vjp", drop=False),
    "cross_entropy": _pair("cross_entropy", drop=True),
    "cross_entropy_grad": _pair("cross_entropy_grad", drop=False),
    "distillation_loss": _loss("distillation_loss", drop=True),
    "distillation_grad": _loss("distillation_grad", drop=False),
    "label_smoothing_loss": _loss("label_smoothing_loss", drop=True),
    "label_smoothing_grad": _loss("label_smoothing_grad", drop=False),
}


def function(name: str) -> Callable[..., Any]:
    """The dask version of the numeric function ``name``.

    Example:
        >>> import dask.array as da
        >>> x = da.zeros((4, 3), chunks=(2, 3))
        >>> s = function("softmax")(x)
        >>> type(s).__name__, s.numblocks, s.compute()[0]   # lazy until computed
        ('Array', (2, 1), array([0.33333333, 0.33333333, 0.33333333]))
    """
    return _FUNCTIONS[name]
