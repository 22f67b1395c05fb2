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
    "distillation_grad",
    "distillation_loss",
    "jacobian",
    "jvp",
    "label_smoothing_grad",
    "label_smoothing_loss",
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


def _class_axes(axis: object, ndim: int) -> tuple[int, ...]:
    """The class axes that ``axis`` names: every axis (None), one int, or a tuple of ints.

    Raises:
        TypeError: ``axis`` is none of these (its type and value named).

    Example:
        >>> _class_axes(None, 3), _class_axes(-1, 3), _class_axes((0, 2), 3)
        ((0, 1, 2), (-1,), (0, 2))
    """
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, int | numpy.integer):
            raise TypeError(
                f"axis must be an int, a tuple of ints or None, got {type(a).__name__} {a!r}"
            )
    return tuple(map(int, axes))


def _classes_last(
    x: numpy.typing.ArrayLike, axis: object, where: numpy.typing.ArrayLike | None
) -> tuple[numpy.ndarray, numpy.ndarray | None, tuple[int, ...], tuple[int, ...]]:
    """``x`` as a floating array with its class axes ``axis`` moved last and flattened into
    one (as scipy does for a tuple or None), and its mask alike.

    Returns:
        x, the mask (or None), the class axes, and the shape with the class axes last, from
        which :func:`_classes_back` restores the layout.

    Raises:
        numpy.exceptions.AxisError: an axis out of range; ValueError: an axis repeated.

    Example:
        >>> x, keep, axes, moved = _classes_last(numpy.zeros((2, 3)), 0, numpy.array([[True], [False]]))
        >>> x.shape, keep.shape, bool(keep[0, 1]), axes, moved
        ((3, 2), (3, 2), False, (0,), (3, 2))
        >>> _classes_last(numpy.zeros((2, 3, 4)), (0, 2), None)[0].shape
        (3, 8)
    """
    x = _as_array(x)
    axes = _class_axes(axis, x.ndim)
    last = tuple(range(-len(axes), 0))
    moved = numpy.moveaxis(x, axes, last)
    keep = _mask(where, x.shape)
    if keep is not None:
        keep = numpy.moveaxis(keep, axes, last)
    batch = moved.shape[: moved.ndim - len(axes)]
    K = int(numpy.prod(moved.shape[len(batch) :]))
    flat = moved.reshape((*batch, K))
    return flat, None if keep is None else keep.reshape((*batch, K)), axes, moved.shape


def _classes_back(
    out: numpy.ndarray, axes: tuple[int, ...], moved: tuple[int, ...]
) -> numpy.ndarray:
    """The inverse of :func:`_classes_last` for an output of the flattened shape.

    Example:
        >>> x = numpy.arange(24.0).reshape(2, 3, 4)
        >>> flat, _, axes, moved = _classes_last(x, (0, 2), None)
        >>> bool(numpy.all(_classes_back(flat, axes, moved) == x))
        True
    """
    return numpy.moveaxis(out.reshape(moved), tuple(range(-len(axes), 0)), axes)


def _computed_in(a: numpy.ndarray) -> numpy.ndarray:
    """``a`` in the dtype it is computed in: float16 in float32 (its range is too small for
    the sums of exponentials: 100000 equal logits give probabilities 1e-5, whose sum of
    exponentials 1e5 is beyond float16's 65504); every other floating dtype as it is.

    Example:
        >>> _computed_in(numpy.zeros(2, numpy.float16)).dtype
        dtype('float32')
    """
    return a.astype(numpy.float32) if a.dtype == numpy.float16 else a


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
        ValueError: each row of y must be a probability vector (entries >= 0 summing to 1), got [0.5, 0.6]
    """
    y = _as_array(y, "y")
    _check_same_shape(z, y, "y")
    total = numpy.sum(y, axis=-1)
    tolerance = 16 * numpy.finfo(numpy.result_type(y, numpy.float32)).eps * y.shape[-1]
    # written so that a NaN fails each test: a NaN entry or sum is no probability
    bad = ~numpy.all(y >= 0, axis=-1) | ~(numpy.abs(total - 1) <= tolerance)
    if numpy.any(bad):
        row = tuple(map(int, numpy.argwhere(bad)[0]))
        where = f" in row {row}" if row else ""
        raise ValueError(
            "each row of y must be a probability vector (entries >= 0 summing to 1), "
            f"got {y[row].tolist()}{where}"
        )
    return y


def _scalar(value: object, what: str, low: float, high: float, closed: str = "") -> float:
    """``value`` as a Python float in the interval (low, high), whose ends in ``closed``
    ("low", "high", "both" or "") belong to it.

    Raises:
        TypeError: not a real number; ValueError: outside the interval (both named).

    Example:
        >>> _scalar(0.5, "eps", 0, 1, "both"), _scalar(2, "T", 0, numpy.inf)
        (0.5, 2.0)
        >>> _scalar(0, "T", 0, numpy.inf)
        Traceback (most recent call last):
        ...
        ValueError: T must be a number in (0, inf), got 0
    """
    a = numpy.asarray(value) if not isinstance(value, str | bytes) else numpy.asarray(None)
    if a.ndim != 0 or a.dtype.kind not in "iuf":
        raise TypeError(f"{what} must be a real number, got {type(value).__name__} {value!r}")
    v = float(a)
    above = low <= v if closed in ("low", "both") else low < v
    below = v <= high if closed in ("high", "both") else v < high
    if not (above and below):
        left = "[" if closed in ("low", "both") else "("
        right = "]" if closed in ("high", "both") else ")"
        raise ValueError(
            f"{what} must be a number in {left}{low:g}, {high:g}{right}, got {value!r}"
        )
    return v


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


def _complement(s: numpy.ndarray) -> numpy.ndarray:
    """c = 1 - s with full relative accuracy: at the first arg max of each row, where s is
    close to 1 and 1 - s cancels, c is the sum of the other probabilities, since they sum
    to 1 with it (the derivation 'normalization', step 'sum_is_one').

    Example:
        >>> s = numpy.array([[1 / (1 + 1e-20), 1e-20 / (1 + 1e-20)]])
        >>> 1 - s[0, 0], _complement(s)[0, 0]   # the first is 0: all digits cancel
        (np.float64(0.0), np.float64(1e-20))
    """
    c = 1 - s
    if s.shape[-1]:
        top = numpy.argmax(s, axis=-1)[..., None]
        others = _rowsum(s * _not_first(s))
        numpy.put_along_axis(c, top, others, axis=-1)
    return c


def _tangent(s: numpy.ndarray, v: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray | None]:
    """The tangent v as the products J v and v^T J use it: the same products, computed
    without cancellation or overflow.

    - w = v - v_{k*} 1, k* the first arg max of s: J 1 = 0 and 1^T J = 0 (the derivation
      'jacobian_properties', step 'rows_sum_to_zero', and 'symmetric'), so the products do
      not change, and at k* the product is s_{k*} (0 - <s, w>), a sum of small terms,
      rather than a difference of two numbers close to v_{k*};
    - entries whose probability is 0 (masked, -inf, or underflowed) are set to 0 before
      (so -v_{k*} after) the shift: their column of J is 0, so a NaN or inf held there must
      not reach the other entries, and they are multiplied by 0;
    - when an entry of v is within a factor 8 of overflow, each row is scaled by a power
      of two 2^-e (exactly) so that |v| < 1; the product is linear in v and at most
      max |v| in size, so multiplying back by 2^e cannot overflow.

    Returns:
        w, and the exponents e per row (as an axis of length 1) or None when nothing was
        scaled.

    Example:
        >>> w, e = _tangent(numpy.array([[0.25, 0.75, 0.0]]), numpy.array([[1.0, 3.0, numpy.nan]]))
        >>> w, e
        (array([[-2.,  0., -3.]]), None)
    """
    v = numpy.where(s == 0, 0, v).astype(s.dtype, copy=False)
    e = None
    if v.size and not numpy.all(numpy.abs(v) < numpy.finfo(v.dtype).max / 8):
        with numpy.errstate(invalid="ignore"):
            top = numpy.max(numpy.abs(v), axis=-1, keepdims=True)
        e = numpy.frexp(numpy.where(numpy.isfinite(top), top, 1))[1]
        v = numpy.ldexp(v, -e)
    if v.shape[-1]:
        v = v - numpy.take_along_axis(v, numpy.argmax(s, axis=-1)[..., None], axis=-1)
    return v, e


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


def _jacobian_kernel(s: numpy.ndarray, c: numpy.ndarray) -> numpy.ndarray:
    """The (..., K, K) Jacobian from the probabilities s and c = 1 - s ('jacobian')."""
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


def _cross_entropy_grad_kernel(
    s: numpy.ndarray, c: numpy.ndarray, y: numpy.ndarray
) -> numpy.ndarray:
    """The loss's gradient from the probabilities s, c = 1 - s and the targets y ('cross_entropy')."""
    raise NotImplementedError(_UNPRINTED)


def _distillation_loss_kernel(
    p: numpy.ndarray, logp: numpy.ndarray, logq: numpy.ndarray, T: float
) -> numpy.ndarray:
    """T^2 KL(p || q), a row sum kept as an axis, from the teacher's p = softmax(t/T) and
    the logs of p and of the student's q = softmax(z/T) ('distillation')."""
    raise NotImplementedError(_UNPRINTED)


def _distillation_grad_kernel(
    p: numpy.ndarray,
    q: numpy.ndarray,
    cp: numpy.ndarray,
    cq: numpy.ndarray,
    T: float,
) -> numpy.ndarray:
    """The gradient in the student's logits from p, q, cp = 1 - p, cq = 1 - q ('distillation')."""
    raise NotImplementedError(_UNPRINTED)


def _label_smoothing_loss_kernel(
    logp: numpy.ndarray, y: numpy.ndarray, epsilon: float, K: int
) -> numpy.ndarray:
    """The smoothed loss, a row sum kept as an axis, from log softmax(z), the targets y,
    epsilon and the number of classes K ('label_smoothing')."""
    raise NotImplementedError(_UNPRINTED)


def _label_smoothing_grad_kernel(
    s: numpy.ndarray, c: numpy.ndarray, y: numpy.ndarray, epsilon: float, K: int
) -> numpy.ndarray:
    """The smoothed loss's gradient from s, c = 1 - s, y, epsilon and K ('label_smoothing')."""
    raise NotImplementedError(_UNPRINTED)


# -- The public functions --------------------------------------------------------------------


def softmax(
    x: numpy.typing.ArrayLike, axis: object = -1, where: numpy.typing.ArrayLike | None = None
) -> numpy.ndarray:
    """softmax(x)_i = exp(x_i) / sum_k exp(x_k) along ``axis``; masked entries get 0."""
    x, keep, axes, moved = _classes_last(x, axis, where)
    dh, dl, _, _, live, _, nan_rows = _shift(_computed_in(x), keep)
    with numpy.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = _softmax_kernel(dh, dl)
    out = _finish(out, live, nan_rows, 0).astype(x.dtype, copy=False)
    return _classes_back(out, axes, moved)


def log_softmax(
    x: numpy.typing.ArrayLike, axis: object = -1, where: numpy.typing.ArrayLike | None = None
) -> numpy.ndarray:
    """log softmax(x)_i along ``axis``, never log(softmax); masked entries get -inf."""
    x, keep, axes, moved = _classes_last(x, axis, where)
    dh, dl, r, _, live, _, nan_rows = _shift(_computed_in(x), keep, first=True)
    with numpy.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = _log_softmax_kernel(dh, dl, r)
    out = _finish(out, live, nan_rows, -numpy.inf).astype(x.dtype, copy=False)
    return _classes_back(out, axes, moved)


def logsumexp(x: numpy.typing.ArrayLike, axis: object = -1, beta: float = 1.0) -> numpy.ndarray:
    """beta^-1 log sum_k exp(beta x_k) along ``axis`` (those axes are removed), beta > 0.

    A row with no finite mass gives -inf, a row with +inf gives +inf, a NaN gives NaN.
    """
    beta = _scalar(beta, "beta", 0, numpy.inf)
    x, _, axes, moved = _classes_last(x, axis, None)
    dh, dl, r, m, live, infinite, nan_rows = _shift(_computed_in(x), None, first=True)
    with numpy.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if beta == 1:
            out = _logsumexp_kernel(dh, dl, r, m)
        else:
            # beta^-1 LSE(beta x) = m + beta^-1 LSE(beta (x - m)) (the derivation
            # 'smooth_max', step 'shift', for the logits beta x and c = -beta m): the same
            # kernel on beta d with maximum 0, so that beta x is never formed (no overflow)
            bh = beta * dh
            bl = numpy.where(numpy.isfinite(bh), beta * dl, 0).astype(dh.dtype, copy=False)
            out = m + _logsumexp_kernel(bh, bl, r, numpy.zeros_like(m)) / beta
    if live is not None:
        out = numpy.where(numpy.any(live, axis=-1, keepdims=True), out, -numpy.inf)
        out = numpy.where(infinite, numpy.inf, out)
        out = numpy.where(nan_rows, numpy.nan, out)
    return out.astype(x.dtype, copy=False).reshape(moved[: len(moved) - len(axes)])


def jacobian(
    x: numpy.typing.ArrayLike, where: numpy.typing.ArrayLike | None = None
) -> numpy.ndarray:
    """J[..., i, j] = d softmax(x)_i / d x_j over the last axis: shape x.shape + (K,)."""
    x = _as_array(x)
    s = softmax(_computed_in(x), where=where)
    with numpy.errstate(invalid="ignore"):
        out = _jacobian_kernel(s, _complement(s))
    return out.astype(x.dtype, copy=False)


def _probabilities_and(
    x: numpy.typing.ArrayLike, v: numpy.typing.ArrayLike, where: numpy.typing.ArrayLike | None
) -> tuple[numpy.ndarray, numpy.ndarray, numpy.dtype]:
    """softmax(x) over the last axis, in the dtype it is computed in, and the vector v of
    the same shape, for jvp and vjp; and the dtype of the result."""
    x = _as_array(x)
    s = softmax(_computed_in(x), where=where)
    v = _as_array(v, "v")
    _check_same_shape(s, v, "v")
    return s, v, x.dtype


def _product(
    kernel,  # _jvp_kernel or _vjp_kernel
    s: numpy.ndarray,
    v: numpy.ndarray,
    dtype: numpy.dtype,
) -> numpy.ndarray:
    """J v or v^T J by ``kernel``, from the tangent that :func:`_tangent` prepares, in
    ``dtype``."""
    w, e = _tangent(s, v)
    with numpy.errstate(invalid="ignore"):
        out = kernel(s, w)
    if e is not None:
        out = numpy.ldexp(out, e)
    return out.astype(dtype, copy=False)


def jvp(
    x: numpy.typing.ArrayLike,
    v: numpy.typing.ArrayLike,
    where: numpy.typing.ArrayLike | None = None,
) -> numpy.ndarray:
    """J v over the last axis, in O(K) per row (no K x K matrix)."""
    s, v, dtype = _probabilities_and(x, v, where)
    return _product(_jvp_kernel, s, v, dtype)


def vjp(
    x: numpy.typing.ArrayLike,
    v: numpy.typing.ArrayLike,
    where: numpy.typing.ArrayLike | None = None,
) -> numpy.ndarray:
    """v^T J (= J^T v) over the last axis, in O(K) per row (no K x K matrix)."""
    s, v, dtype = _probabilities_and(x, v, where)
    return _product(_vjp_kernel, s, v, dtype)


def cross_entropy(z: numpy.typing.ArrayLike, y: numpy.typing.ArrayLike) -> numpy.ndarray:
    """-sum_k y_k log softmax(z)_k over the last axis, for targets y that sum to 1."""
    z = _as_array(z, "z")
    _last_axis(z)
    y = _target(z, y)
    # 0 log 0 = 0: a class the target gives no weight adds nothing, even at -inf
    logp = numpy.where(y > 0, log_softmax(_computed_in(z)), 0)
    with numpy.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = _cross_entropy_kernel(logp, _computed_in(y))
    return out.astype(z.dtype, copy=False)[..., 0]


def cross_entropy_grad(z: numpy.typing.ArrayLike, y: numpy.typing.ArrayLike) -> numpy.ndarray:
    """The gradient of cross_entropy(z, y) with respect to z: softmax(z) - y."""
    z = _as_array(z, "z")
    s = softmax(_computed_in(z))
    y = _target(z, y)
    with numpy.errstate(invalid="ignore"):
        out = _cross_entropy_grad_kernel(s, _complement(s), y.astype(s.dtype, copy=False))
    return out.astype(z.dtype, copy=False)


def _teacher_and_student(
    teacher: numpy.typing.ArrayLike, student: numpy.typing.ArrayLike, T: object
) -> tuple[numpy.ndarray, numpy.ndarray, float]:
    """The teacher's and the student's logits divided by T (> 0), in the dtype they are
    computed in, with the class axis last; the dtype of the result is the student's."""
    T = _scalar(T, "T", 0, numpy.inf)
    t = _as_array(teacher, "teacher")
    z = _as_array(student, "student")
    _last_axis(z)
    if t.shape != z.shape:
        raise ValueError(f"teacher of shape {t.shape} does not match student of shape {z.shape}")
    with numpy.errstate(over="ignore"):
        return _computed_in(t) / T, _computed_in(z) / T, T


def distillation_loss(
    teacher: numpy.typing.ArrayLike, student: numpy.typing.ArrayLike, T: float
) -> numpy.ndarray:
    """T^2 KL(softmax(teacher/T) || softmax(student/T)) over the last axis."""
    dtype = _as_array(student, "student").dtype
    t, z, T = _teacher_and_student(teacher, student, T)
    p = softmax(t)
    # 0 log 0 = 0: a class the teacher gives no weight adds nothing, even where q is 0
    logp = numpy.where(p > 0, log_softmax(t), 0)
    logq = numpy.where(p > 0, log_softmax(z), 0)
    with numpy.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = _distillation_loss_kernel(p, logp, logq, T)
        close, kl = _close_rows(p, t, z)
        out = numpy.where(close, T**2 * kl, out)
    # KL >= 0 (Gibbs): a negative sum is rounding, and rounds to 0
    out = numpy.where(out < 0, 0, out)
    return out.astype(dtype, copy=False)[..., 0]


def _phi(w: numpy.ndarray) -> numpy.ndarray:
    """phi(w) = e^-w - 1 + w >= 0 with full relative accuracy: for |w| < 1/2 its Taylor
    series sum_{n >= 2} (-w)^n / n! to degree 18 (the remainder is below 2^-60 of it),
    else expm1(-w) + w (which cancels by at most a factor 4 there).

    Example:
        >>> float(_phi(numpy.array(1e-10)))   # w^2/2 - w^3/6; e^-w - 1 + w gives noise
        4.999999999833334e-21
    """
    series = numpy.zeros_like(w)
    for n in range(18, 1, -1):  # Horner: ((c_18 (-w) + c_17)(-w) + ...) (-w)^2
        series = series * -w + _INVERSE_FACTORIALS[n]
    series = series * w * w
    return numpy.where(numpy.abs(w) < 0.5, series, numpy.expm1(-w) + w)


#: 1/n! for n = 0..18, the coefficients of :func:`_phi`'s series.
_INVERSE_FACTORIALS = numpy.cumprod([1.0, *(1 / n for n in range(1, 19))])


def _close_rows(
    p: numpy.ndarray, t: numpy.ndarray, z: numpy.ndarray
) -> tuple[numpy.ndarray, numpy.ndarray]:
    """KL(p || q) without cancellation when p and q are close, and the rows where it is
    valid.

    With u = (t - z)/T and ubar = sum_k p_k u_k (t, z already divided by T), log p_k -
    log q_k = u_k + log sum_j p_j e^{-u_j} (the derivation 'distillation', step 'loss':
    log q_k = z_k/T - LSE(z/T)), so KL = log sum_k p_k e^{-(u_k - ubar)}
    = log1p(sum_k p_k phi(u_k - ubar)), a sum of terms >= 0 (sum_k p_k (u_k - ubar) = 0):
    no first-order terms cancel, as they do in sum_k p_k (log p_k - log q_k) when p ~ q.
    The identity sums over the classes the teacher weighs, so it is taken only where every
    u_k - ubar is at most 30 in size (p and q within a factor of about e^60 of each other:
    where p_k underflows to 0, so does q_k nearly); elsewhere the kernel's sum stands,
    and terms that differ that much do not cancel.
    """
    u = t - z
    w = u - _rowsum(numpy.where(p > 0, p * u, 0))
    close = numpy.all(numpy.abs(w) <= 30, axis=-1, keepdims=True)  # False at inf or NaN
    w = numpy.where(close, w, 0)
    return close, numpy.log1p(_rowsum(p * _phi(w)))


def distillation_grad(
    teacher: numpy.typing.ArrayLike, student: numpy.typing.ArrayLike, T: float
) -> numpy.ndarray:
    """The gradient of distillation_loss with respect to the student's logits: T (q - p)."""
    dtype = _as_array(student, "student").dtype
    t, z, T = _teacher_and_student(teacher, student, T)
    p, q = softmax(t), softmax(z)
    with numpy.errstate(invalid="ignore", over="ignore"):
        out = _distillation_grad_kernel(p, q, _complement(p), _complement(q), T)
    return out.astype(dtype, copy=False)


def _smoothing(z: numpy.typing.ArrayLike, y: numpy.typing.ArrayLike, eps: object) -> tuple:
    """The logits, the targets and eps in [0, 1], checked, for the label-smoothing loss."""
    eps = _scalar(eps, "eps", 0, 1, "both")
    z = _as_array(z, "z")
    _last_axis(z)
    return z, _target(z, y), eps


def label_smoothing_loss(
    z: numpy.typing.ArrayLike, y: numpy.typing.ArrayLike, eps: float
) -> numpy.ndarray:
    """Cross-entropy of softmax(z) against (1 - eps) y + eps/K over the last axis."""
    z, y, eps = _smoothing(z, y, eps)
    # 0 log 0 = 0: with eps = 0 a class the target gives no weight adds nothing
    logp = numpy.where((y > 0) | (eps > 0), log_softmax(_computed_in(z)), 0)
    with numpy.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = _label_smoothing_loss_kernel(logp, _computed_in(y), eps, z.shape[-1])
    return out.astype(z.dtype, copy=False)[..., 0]


def label_smoothing_grad(
    z: numpy.typing.ArrayLike, y: numpy.typing.ArrayLike, eps: float
) -> numpy.ndarray:
    """The gradient of label_smoothing_loss with respect to z: softmax(z) - (1 - eps) y - eps/K."""
    z, y, eps = _smoothing(z, y, eps)
    s = softmax(_computed_in(z))
    with numpy.errstate(invalid="ignore"):
        c = _complement(s)
        out = _label_smoothing_grad_kernel(s, c, y.astype(s.dtype, copy=False), eps, z.shape[-1])
    return out.astype(z.dtype, copy=False)
