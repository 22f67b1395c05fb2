"""The hand-written half of the generated numeric module: the array plumbing, the public
functions, and the signatures of the kernels that SymPy prints.

:mod:`symsoftmax.numeric.codegen` builds one standalone module (numpy its only import) from
this file and the derivations: it copies the definitions here that a function needs, with
their source text (``inspect.getsource``), and puts in place of each kernel stub
(``_softmax_kernel`` and its siblings) the same header with a body printed from the derived
formula. :mod:`symsoftmax.numeric` runs exactly that module; the helpers here are real code
so that they are linted, formatted and tested on their own (``tests/test_runtime.py``).

Everything below is written so that it can be copied out: it uses numpy and the other
definitions of this module, nothing else. Inside a kernel the logits of a row are
z = m + d, with m the row maximum and d = dh + dl exactly (TwoSum, see :func:`_shift`), so no
exponent is positive. The public functions here have no working kernels until codegen has
printed them: call the functions of :mod:`symsoftmax.numeric`.
"""

from __future__ import annotations

import numpy
import numpy.typing

__all__ = [
    "cross_entropy",
    "cross_entropy_grad",
    "jacobian",
    "jvp",
    "log_softmax",
    "logsumexp",
    "softmax",
    "vjp",
]

# -- Input -----------------------------------------------------------------------------------

#: The floating dtypes that are computed in as they are (any other real dtype: float64).
_FLOATING = (numpy.float16, numpy.float32, numpy.float64, numpy.longdouble)


def _as_array(x: numpy.typing.ArrayLike, what: str = "x") -> numpy.ndarray:
    """A floating array: floating dtypes kept, integers and bools computed in float64.

    Raises:
        TypeError: ``x`` is not a real numeric array (the message names ``what``).
        ValueError: ``x`` is a scalar (it has no class axis).

    Example:
        >>> _as_array([1, 2]).dtype, _as_array(numpy.ones(2, numpy.float32)).dtype
        (dtype('float64'), dtype('float32'))
    """
    try:
        a = numpy.asarray(x)
    except Exception as err:  # ragged lists and the like
        raise TypeError(f"{what} must be a numeric array, got {type(x).__name__}: {err}") from None
    if a.ndim == 0 and a.dtype.kind in "biuf":
        raise ValueError(f"{what} must have at least one axis (the classes), got a scalar")
    if a.dtype.type in _FLOATING:
        return a
    if a.dtype.kind in "biu":
        return a.astype(numpy.float64)
    raise TypeError(f"{what} must be a real numeric array, got dtype {a.dtype}")


def _mask(where: numpy.typing.ArrayLike | None, shape: tuple[int, ...]) -> numpy.ndarray | None:
    """The entries that take part: all of them (None), or the True entries of ``where``.

    Raises:
        TypeError: ``where`` is not boolean.
        ValueError: ``where`` does not broadcast to ``shape`` (both shapes named).

    Example:
        >>> _mask(numpy.array([True, False]), (2, 2))
        array([[ True, False],
               [ True, False]])
    """
    if where is None:
        return None
    w = numpy.asarray(where)
    if w.dtype != bool:
        raise TypeError(f"where must be a boolean array, got dtype {w.dtype}")
    try:
        if numpy.broadcast_shapes(w.shape, shape) != tuple(shape):
            raise ValueError
    except ValueError:
        raise ValueError(
            f"where of shape {w.shape} does not broadcast to x of shape {tuple(shape)}"
        ) from None
    return numpy.broadcast_to(w, shape)


def _classes_last(
    x: numpy.typing.ArrayLike, axis: int, where: numpy.typing.ArrayLike | None
) -> tuple[numpy.ndarray, numpy.ndarray | None]:
    """``x`` as a floating array with the class axis ``axis`` moved last, and its mask alike.

    Example:
        >>> x, keep = _classes_last(numpy.zeros((2, 3)), 0, numpy.array([[True], [False]]))
        >>> x.shape, keep.shape, bool(keep[0, 1])
        ((3, 2), (3, 2), False)
    """
    x = numpy.moveaxis(_as_array(x), axis, -1)
    keep = _mask(where, numpy.moveaxis(x, -1, axis).shape)
    return x, None if keep is None else numpy.moveaxis(keep, axis, -1)


def _check_same_shape(a: numpy.ndarray, b: numpy.ndarray, what: str) -> None:
    """Raise ValueError, naming both shapes, unless ``b`` (called ``what``) is shaped as ``a``.

    Example:
        >>> _check_same_shape(numpy.zeros(2), numpy.zeros(3), "v")
        Traceback (most recent call last):
        ...
        ValueError: v of shape (3,) does not match x of shape (2,)
    """
    if a.shape != b.shape:
        raise ValueError(f"{what} of shape {b.shape} does not match x of shape {a.shape}")


def _last_axis(x: numpy.ndarray) -> None:
    """Raise ValueError if ``x`` has no axis to hold the classes.

    Example:
        >>> _last_axis(numpy.float64(1.0))
        Traceback (most recent call last):
        ...
        ValueError: x must have at least one axis (the classes), got a scalar
    """
    if x.ndim == 0:
        raise ValueError("x must have at least one axis (the classes), got a scalar")


def _target(z: numpy.ndarray, y: numpy.typing.ArrayLike) -> numpy.ndarray:
    """Targets y: the shape of z, nonnegative, each row summing to 1.

    A row passes when |sum_k y_k - 1| <= 16 eps K, eps that of y's dtype (at least float32's):
    the rounding that computing a probability vector leaves.

    Example:
        >>> _target(numpy.zeros(2), [0.5, 0.6])
        Traceback (most recent call last):
        ...
        ValueError: each row of y must be a probability vector (entries >= 0 summing to 1)
    """
    y = _as_array(y, "y")
    _check_same_shape(z, y, "y")
    total = numpy.sum(y, axis=-1)
    tolerance = 16 * numpy.finfo(numpy.result_type(y, numpy.float32)).eps * y.shape[-1]
    if numpy.any(y < 0) or numpy.any(numpy.abs(total - 1) > tolerance):
        raise ValueError("each row of y must be a probability vector (entries >= 0 summing to 1)")
    return y


# -- Reductions over the class axis (the last one), kept as an axis of length 1 ---------------

#: Up to this many classes, row reductions go column by column: numpy's reductions over a
#: short last axis are several times slower than elementwise passes over the columns.
_FEW = 16


def _rowmax(x: numpy.ndarray) -> numpy.ndarray:
    """max_k x_k of each row, as an axis of length 1 (-inf for a row of no classes).

    Example:
        >>> _rowmax(numpy.array([[1.0, 3.0, 2.0]]))
        array([[3.]])
    """
    if 0 < x.shape[-1] <= _FEW:
        m = x[..., 0].copy()
        for k in range(1, x.shape[-1]):
            numpy.maximum(m, x[..., k], out=m)
        return m[..., None]
    return numpy.max(x, axis=-1, keepdims=True, initial=-numpy.inf)


def _rowsum(a: numpy.ndarray) -> numpy.ndarray:
    """sum_k a_k of each row, as an axis of length 1; up to ``_FEW`` classes, left to right.

    Example:
        >>> _rowsum(numpy.array([[1.0, 2.0], [3.0, 4.0]]))
        array([[3.],
               [7.]])
    """
    if 0 < a.shape[-1] <= _FEW:
        total = a[..., 0].copy()
        for k in range(1, a.shape[-1]):
            total += a[..., k]
        return total[..., None]
    return numpy.sum(a, axis=-1, keepdims=True)


# -- The shift by the row maximum ------------------------------------------------------------


def _shift(
    x: numpy.ndarray, keep: numpy.ndarray | None, first: bool = False
) -> tuple[numpy.ndarray | None, ...]:
    """The row maximum m and d = x - m, as dh + dl exactly (TwoSum).

    softmax(x) = softmax(x - m 1) by the shift invariance that the derivation
    'shift_invariance' proves; with m the maximum no exponent is positive. dh = fl(x - m)
    and dl = (x - m) - dh is its rounding error, recovered exactly by Knuth's TwoSum
    (exact in binary floating point with rounding to nearest, whatever the magnitudes, as
    long as nothing overflows).

    Entries that are masked or -inf get d = -inf (probability exactly 0); when a row has
    +inf entries they share all the mass (d = 0 there, -inf elsewhere); a row with nothing
    left has m = 0.

    Returns:
        dh, dl, r (with ``first``: 0 at the first arg max, where e^d = 1 exactly, else 1;
        without: None), m, and for inputs with non-finite or masked entries: the entries
        that take part, the rows with +inf, the rows holding a NaN that takes part (else
        three None).

    Example:
        >>> dh, dl, r, m, *_ = _shift(numpy.array([[1e16, 1.0]]), None)
        >>> dh, dl   # 1 - 1e16 rounds to -1e16; dl holds the 1 that was lost
        (array([[ 0.e+00, -1.e+16]]), array([[0., 1.]]))
    """
    half = numpy.finfo(x.dtype).max / 2  # below it in size, x - m cannot overflow
    if keep is None and x.size and x.min() > -half and x.max() < half:  # the common case
        m = _rowmax(x)
        dh = x - m
        back = dh - x
        dl = (x - (dh - back)) + (-m - back)
        return dh, dl, _not_first(dh) if first else None, m, None, None, None
    keep = numpy.ones(x.shape, dtype=bool) if keep is None else keep
    with numpy.errstate(invalid="ignore", over="ignore"):
        live = keep & (x > -numpy.inf)
        xl = numpy.where(live, x, -numpy.inf)
        m = _rowmax(xl)
        infinite = m == numpy.inf
        m = numpy.where(numpy.isfinite(m), m, 0).astype(x.dtype, copy=False)
        dh = xl - m
        back = dh - xl
        dl = (xl - (dh - back)) + (-m - back)
    dl = numpy.where(numpy.isfinite(dl) & live & ~infinite, dl, 0).astype(x.dtype, copy=False)
    dh = numpy.where(infinite, numpy.where(xl == numpy.inf, 0, -numpy.inf), dh)
    dh = dh.astype(x.dtype, copy=False)
    nan_rows = numpy.any(numpy.isnan(x) & keep, axis=-1, keepdims=True)
    return dh, dl, _not_first(dh) if first else None, m, live, infinite, nan_rows


def _not_first(dh: numpy.ndarray) -> numpy.ndarray:
    """1 everywhere but at the first arg max of each row (where d = 0).

    Example:
        >>> _not_first(numpy.array([[-1.0, 0.0, 0.0]]))
        array([[1., 0., 1.]])
    """
    r = numpy.ones_like(dh)
    if dh.shape[-1]:
        numpy.put_along_axis(r, numpy.argmax(dh, axis=-1)[..., None], 0, axis=-1)
    return r


def _finish(
    out: numpy.ndarray,
    live: numpy.ndarray | None,
    nan_rows: numpy.ndarray | None,
    masked_value: float,
) -> numpy.ndarray:
    """Masked and -inf entries get ``masked_value``; rows with a NaN that takes part, NaN.

    ``live`` None (the common case of :func:`_shift`) returns ``out`` itself.

    Example:
        >>> _finish(numpy.ones((2, 2)), numpy.array([[True, False]] * 2), numpy.array([[False], [True]]), 0)
        array([[ 1.,  0.],
               [nan, nan]])
    """
    if live is None:
        return out
    out = numpy.where(live, out, masked_value)
    return numpy.where(nan_rows, numpy.nan, out)


def _diagonal(a: numpy.ndarray) -> numpy.ndarray:
    """A writeable view of the diagonals of the last two axes.

    Example:
        >>> J = numpy.zeros((2, 2))
        >>> _diagonal(J)[...] += 1
        >>> J
        array([[1., 0.],
               [0., 1.]])
    """
    return numpy.einsum("...ii->...i", a)


# -- The kernels -----------------------------------------------------------------------------
# Each stub declares one kernel: its name, its arguments, what it computes. In the module that
# codegen writes, the stub's header stands with a body that SymPy prints from the formula the
# named derivation proves; here there is no body (the formulas are never typed by hand).

_UNPRINTED = "a kernel is printed by symsoftmax.numeric.codegen: use symsoftmax.numeric"


def _softmax_kernel(dh: numpy.ndarray, dl: numpy.ndarray) -> numpy.ndarray:
    """softmax from the shifted logits d = dh + dl ('shift_invariance')."""
    raise NotImplementedError(_UNPRINTED)


def _log_softmax_kernel(dh: numpy.ndarray, dl: numpy.ndarray, r: numpy.ndarray) -> numpy.ndarray:
    """log softmax from d = dh + dl, log1p over the entries r marks ('log_softmax')."""
    raise NotImplementedError(_UNPRINTED)


def _logsumexp_kernel(
    dh: numpy.ndarray, dl: numpy.ndarray, r: numpy.ndarray, m: numpy.ndarray
) -> numpy.ndarray:
    """log-sum-exp from the row maximum m and d = dh + dl ('log_softmax')."""
    raise NotImplementedError(_UNPRINTED)


def _jacobian_kernel(s: numpy.ndarray) -> numpy.ndarray:
    """The (..., K, K) Jacobian from the probabilities s ('jacobian')."""
    raise NotImplementedError(_UNPRINTED)


def _jvp_kernel(s: numpy.ndarray, v: numpy.ndarray) -> numpy.ndarray:
    """J v from the probabilities s and the tangent v, O(K) per row ('jvp')."""
    raise NotImplementedError(_UNPRINTED)


def _vjp_kernel(s: numpy.ndarray, v: numpy.ndarray) -> numpy.ndarray:
    """v^T J from the probabilities s and the cotangent v, O(K) per row ('jvp')."""
    raise NotImplementedError(_UNPRINTED)


def _cross_entropy_kernel(logp: numpy.ndarray, y: numpy.ndarray) -> numpy.ndarray:
    """The loss, a row sum kept as an axis, from log softmax(z) and the targets ('cross_entropy')."""
    raise NotImplementedError(_UNPRINTED)


def _cross_entropy_grad_kernel(s: numpy.ndarray, y: numpy.ndarray) -> numpy.ndarray:
    """The loss's gradient from the probabilities s and the targets y ('cross_entropy')."""
    raise NotImplementedError(_UNPRINTED)


# -- The public functions --------------------------------------------------------------------


def softmax(
    x: numpy.typing.ArrayLike, axis: int = -1, where: numpy.typing.ArrayLike | None = None
) -> numpy.ndarray:
    """softmax(x)_i = exp(x_i) / sum_k exp(x_k) along ``axis``; masked entries get 0."""
    x, keep = _classes_last(x, axis, where)
    dh, dl, _, _, live, _, nan_rows = _shift(x, keep)
    with numpy.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = _softmax_kernel(dh, dl)
    out = _finish(out, live, nan_rows, 0).astype(x.dtype, copy=False)
    return numpy.moveaxis(out, -1, axis)


def log_softmax(
    x: numpy.typing.ArrayLike, axis: int = -1, where: numpy.typing.ArrayLike | None = None
) -> numpy.ndarray:
    """log softmax(x)_i along ``axis``, never log(softmax); masked entries get -inf."""
    x, keep = _classes_last(x, axis, where)
    dh, dl, r, _, live, _, nan_rows = _shift(x, keep, first=True)
    with numpy.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = _log_softmax_kernel(dh, dl, r)
    out = _finish(out, live, nan_rows, -numpy.inf).astype(x.dtype, copy=False)
    return numpy.moveaxis(out, -1, axis)


def logsumexp(x: numpy.typing.ArrayLike, axis: int = -1) -> numpy.ndarray:
    """log sum_k exp(x_k) along ``axis`` (that axis is removed).

    A row with no finite mass gives -inf, a row with +inf gives +inf, a NaN gives NaN.
    """
    x, _ = _classes_last(x, axis, None)
    dh, dl, r, m, live, infinite, nan_rows = _shift(x, None, first=True)
    with numpy.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = _logsumexp_kernel(dh, dl, r, m)
    if live is not None:
        out = numpy.where(numpy.any(live, axis=-1, keepdims=True), out, -numpy.inf)
        out = numpy.where(infinite, numpy.inf, out)
        out = numpy.where(nan_rows, numpy.nan, out)
    return out.astype(x.dtype, copy=False)[..., 0]


def jacobian(
    x: numpy.typing.ArrayLike, where: numpy.typing.ArrayLike | None = None
) -> numpy.ndarray:
    """J[..., i, j] = d softmax(x)_i / d x_j over the last axis: shape x.shape + (K,)."""
    s = softmax(x, where=where)
    _last_axis(s)
    with numpy.errstate(invalid="ignore"):
        return _jacobian_kernel(s)


def _probabilities_and(
    x: numpy.typing.ArrayLike, v: numpy.typing.ArrayLike, where: numpy.typing.ArrayLike | None
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """softmax(x) over the last axis and the vector v of the same shape, for jvp and vjp."""
    s = softmax(x, where=where)
    _last_axis(s)
    v = _as_array(v, "v")
    _check_same_shape(s, v, "v")
    return s, v


def jvp(
    x: numpy.typing.ArrayLike,
    v: numpy.typing.ArrayLike,
    where: numpy.typing.ArrayLike | None = None,
) -> numpy.ndarray:
    """J v over the last axis, in O(K) per row (no K x K matrix)."""
    s, v = _probabilities_and(x, v, where)
    with numpy.errstate(invalid="ignore"):
        out = _jvp_kernel(s, v)
    return out.astype(s.dtype, copy=False)


def vjp(
    x: numpy.typing.ArrayLike,
    v: numpy.typing.ArrayLike,
    where: numpy.typing.ArrayLike | None = None,
) -> numpy.ndarray:
    """v^T J (= J^T v) over the last axis, in O(K) per row (no K x K matrix)."""
    s, v = _probabilities_and(x, v, where)
    with numpy.errstate(invalid="ignore"):
        out = _vjp_kernel(s, v)
    return out.astype(s.dtype, copy=False)


def cross_entropy(z: numpy.typing.ArrayLike, y: numpy.typing.ArrayLike) -> numpy.ndarray:
    """-sum_k y_k log softmax(z)_k over the last axis, for targets y that sum to 1."""
    z = _as_array(z, "z")
    _last_axis(z)
    y = _target(z, y)
    # 0 log 0 = 0: a class the target gives no weight adds nothing, even at -inf
    logp = numpy.where(y > 0, log_softmax(z), 0)
    with numpy.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = _cross_entropy_kernel(logp, y)
    return out.astype(z.dtype, copy=False)[..., 0]


def cross_entropy_grad(z: numpy.typing.ArrayLike, y: numpy.typing.ArrayLike) -> numpy.ndarray:
    """The gradient of cross_entropy(z, y) with respect to z: softmax(z) - y."""
    s = softmax(z)
    _last_axis(s)
    y = _target(s, y)
    with numpy.errstate(invalid="ignore"):
        out = _cross_entropy_grad_kernel(s, y)
    return out.astype(s.dtype, copy=False)
