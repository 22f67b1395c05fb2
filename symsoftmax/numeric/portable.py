"""The hand-written half of the array-API module: the same plumbing as
:mod:`~symsoftmax.numeric.runtime`, written for any array library with the array API
(array-api-strict, torch, jax, cupy, numpy through ``array_api_compat``).

Each function finds the namespace ``xp`` of its input (``array_api_compat.array_namespace``)
and computes with it alone: no numpy, no in-place updates (jax forbids them), no
data-dependent branch on the values (lazy libraries would have to compute first). The
result is of the input's type. :mod:`symsoftmax.numeric.codegen` prints each kernel stub
below from the same rewritten formula as the numpy kernel, with ``xp`` for numpy, and
copies this module's source into a standalone one (``symsoftmax codegen NAME --backend
array-api``).

What differs from the numpy runtime, by design: the row shift always takes the careful path
(there is no cheap test for "all finite" without computing); a float16 input is computed
as it is, since the standard has no float16; the tangent of ``jvp``/``vjp`` is scaled by
the fixed power of two 1/8 when it is near overflow (the standard has no ``frexp``).
"""

from __future__ import annotations

import importlib
import math
import warnings
from typing import Any

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

#: An array of any array-API library.
Array = Any


def _namespace(*arrays: object) -> Any:
    """The array-API namespace of ``arrays`` (numpy arrays get array_api_compat's wrapper).

    Example:
        >>> import numpy
        >>> _namespace(numpy.zeros(2)).__name__
        'array_api_compat.numpy'
    """
    compat = importlib.import_module("array_api_compat")
    return compat.array_namespace(*arrays)


def _as_array(x: Array, xp: Any, what: str = "x") -> Array:
    """A real floating array of ``xp``: floating dtypes kept, integers and bools in float64.

    Raises:
        TypeError: ``x`` is not a real numeric array of the namespace (``what`` named).
        ValueError: ``x`` is a scalar.
    """
    try:
        a = xp.asarray(x)
    except Exception as err:
        raise TypeError(f"{what} must be a numeric array, got {type(x).__name__}: {err}") from None
    if xp.isdtype(a.dtype, "real floating"):
        pass
    elif xp.isdtype(a.dtype, ("integral", "bool")):
        a = xp.astype(a, xp.float64)
    else:
        raise TypeError(f"{what} must be a real numeric array, got dtype {a.dtype}")
    if a.ndim == 0:
        raise ValueError(f"{what} must have at least one axis (the classes), got a scalar")
    return a


def _class_axes(axis: object, ndim: int) -> tuple[int, ...]:
    """The class axes that ``axis`` names, each in range(ndim): None (every axis), an int or
    a tuple of ints.

    Raises:
        TypeError: not an int, a tuple of ints or None; ValueError: out of range or repeated.

    Example:
        >>> _class_axes(None, 2), _class_axes(-1, 2), _class_axes((1, 0), 2)
        ((0, 1), (1,), (1, 0))
    """
    axes = tuple(range(ndim)) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    for a in axes:
        if isinstance(a, bool) or not hasattr(a, "__index__"):
            raise TypeError(
                f"axis must be an int, a tuple of ints or None, got {type(a).__name__} {a!r}"
            )
        if not -ndim <= int(a) < ndim:
            raise ValueError(f"axis {int(a)} is out of bounds for an array of dimension {ndim}")
    normal = tuple(int(a) % ndim for a in axes)
    if len(set(normal)) < len(normal):
        raise ValueError(f"repeated axis in {axis!r}")
    return normal


def _classes_last(
    x: Array, axis: object, where: Array | None, xp: Any
) -> tuple[Array, Array | None, tuple[int, ...], tuple[int, ...]]:
    """``x`` with its class axes last and flattened into one, its mask alike, the order
    of the axes and the shape with the class axes last (for :func:`_classes_back`)."""
    axes = _class_axes(axis, x.ndim)
    order = tuple(a for a in range(x.ndim) if a not in axes) + axes
    moved = xp.permute_dims(x, order)
    keep = None
    if where is not None:
        w = xp.asarray(where)
        if w.dtype != xp.bool:
            raise TypeError(f"where must be a boolean array, got dtype {w.dtype}")
        try:
            w = xp.broadcast_to(w, x.shape)
        except Exception:
            raise ValueError(
                f"where of shape {tuple(w.shape)} does not broadcast to x of shape {tuple(x.shape)}"
            ) from None
        keep = xp.permute_dims(w, order)
    batch = tuple(moved.shape[: x.ndim - len(axes)])
    K = math.prod(moved.shape[len(batch) :])
    flat = xp.reshape(moved, (*batch, K))
    return flat, None if keep is None else xp.reshape(keep, (*batch, K)), order, moved.shape


def _classes_back(out: Array, order: tuple[int, ...], moved: tuple[int, ...], xp: Any) -> Array:
    """The inverse of :func:`_classes_last`."""
    inverse = tuple(order.index(a) for a in range(len(order)))
    return xp.permute_dims(xp.reshape(out, tuple(moved)), inverse)


def _check_same_shape(a: Array, b: Array, what: str) -> None:
    """Raise ValueError, naming both shapes, unless ``b`` (called ``what``) is shaped as ``a``."""
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(
            f"{what} of shape {tuple(b.shape)} does not match x of shape {tuple(a.shape)}"
        )


def _target(z: Array, y: Array, xp: Any) -> Array:
    """Targets y: the shape of z, nonnegative, each row summing to 1 (as the runtime's)."""
    y = _as_array(y, xp, "y")
    _check_same_shape(z, y, "y")
    tolerance = 16 * max(xp.finfo(y.dtype).eps, xp.finfo(xp.float32).eps) * y.shape[-1]
    # written so that a NaN fails each test: a NaN entry or sum is no probability
    ok = xp.all(y >= 0, axis=-1) & (xp.abs(xp.sum(y, axis=-1) - 1) <= tolerance)
    if not bool(xp.all(ok)):
        raise ValueError("each row of y must be a probability vector (entries >= 0 summing to 1)")
    return y


def _scalar(value: object, what: str, low: float, high: float, closed: str = "") -> float:
    """``value`` as a float in (low, high), whose ends in ``closed`` ("low", "high", "both"
    or "") belong to it (as ``runtime._scalar``).

    Example:
        >>> _scalar(2, "T", 0, math.inf)
        2.0
    """
    if isinstance(value, bool | str | bytes | complex) or not hasattr(value, "__float__"):
        raise TypeError(f"{what} must be a real number, got {type(value).__name__} {value!r}")
    v = float(value)
    above = low <= v if closed in ("low", "both") else low < v
    below = v <= high if closed in ("high", "both") else v < high
    if not (above and below):
        left = "[" if closed in ("low", "both") else "("
        right = "]" if closed in ("high", "both") else ")"
        raise ValueError(
            f"{what} must be a number in {left}{low:g}, {high:g}{right}, got {value!r}"
        )
    return v


def _shift(
    x: Array, keep: Array | None, xp: Any
) -> tuple[Array, Array, Array, Array, Array, Array]:
    """The row maximum m and d = x - m as dh + dl exactly (TwoSum), as ``runtime._shift``
    (its careful path, for every input): -inf and masked entries get dh = -inf, rows with
    +inf share the mass among them, and the rows holding a NaN that takes part are marked.

    Returns:
        dh, dl, m, the entries that take part, the rows with +inf, the NaN rows.
    """
    inf = float("inf")
    live = x > -inf
    if keep is not None:
        live = live & keep
    nan_rows = xp.isnan(x) if keep is None else xp.isnan(x) & keep
    nan_rows = xp.any(nan_rows, axis=-1, keepdims=True)
    zero = xp.zeros_like(x)
    xl = xp.where(live, x, zero - inf)
    m = xp.max(xl, axis=-1, keepdims=True)
    infinite = m == inf
    m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
    dh = xl - m
    back = dh - xl
    dl = (xl - (dh - back)) + (-m - back)
    dl = xp.where(xp.isfinite(dl) & live & ~infinite, dl, zero)
    dh = xp.where(infinite, xp.where(xl == inf, zero, zero - inf), dh)
    return dh, dl, m, live, infinite, nan_rows


def _first(d: Array, xp: Any) -> Array:
    """True at the first arg max of each row (last axis), False elsewhere."""
    positions = xp.arange(d.shape[-1])
    return positions == xp.argmax(d, axis=-1, keepdims=True)


def _finish(out: Array, live: Array, nan_rows: Array, masked_value: float, xp: Any) -> Array:
    """Entries that do not take part get ``masked_value``; NaN rows NaN."""
    out = xp.where(live, out, xp.zeros_like(out) + masked_value)
    return xp.where(nan_rows, xp.zeros_like(out) + float("nan"), out)


def _complement(s: Array, xp: Any) -> Array:
    """1 - s, at the first arg max the sum of the other probabilities (``runtime._complement``)."""
    first = _first(s, xp)
    others = xp.sum(xp.where(first, xp.zeros_like(s), s), axis=-1, keepdims=True)
    return xp.where(first, others, 1 - s)


def _tangent(s: Array, v: Array, xp: Any) -> tuple[Array, float]:
    """v - v_{k*} 1, 0 where s is 0, scaled by 1/8 near overflow (``runtime._tangent``).

    Returns:
        w and the factor (1 or 8) that the product is multiplied by afterwards.
    """
    v = xp.where(s == 0, xp.zeros_like(v), v)
    scale = 1.0
    if v.size and not bool(xp.all(xp.abs(v) < xp.finfo(v.dtype).max / 8)):
        v, scale = v / 8, 8.0
    first = _first(s, xp)
    top = xp.sum(xp.where(first, v, xp.zeros_like(v)), axis=-1, keepdims=True)
    return v - top, scale


def _eye(a: Array, xp: Any) -> Array:
    """True on the diagonal of the last two axes of ``a``."""
    return xp.eye(a.shape[-1], dtype=a.dtype) == 1


# -- The kernels (printed by codegen from the formulas; here only their signatures) ----------

_UNPRINTED = "a kernel is printed by symsoftmax.numeric.codegen: use backend='array-api'"


def _softmax_kernel(xp: Any, dh: Array, dl: Array) -> Array:
    """softmax from the shifted logits d = dh + dl ('shift_invariance')."""
    raise NotImplementedError(_UNPRINTED)


def _log_softmax_kernel(xp: Any, dh: Array, dl: Array, r: Array) -> Array:
    """log softmax from d = dh + dl, log1p over the entries r marks ('log_softmax')."""
    raise NotImplementedError(_UNPRINTED)


def _logsumexp_kernel(xp: Any, dh: Array, dl: Array, r: Array, m: Array) -> Array:
    """log-sum-exp from the row maximum m and d = dh + dl ('log_softmax')."""
    raise NotImplementedError(_UNPRINTED)


def _jacobian_kernel(xp: Any, s: Array, c: Array) -> Array:
    """The (..., K, K) Jacobian from the probabilities s and c = 1 - s ('jacobian')."""
    raise NotImplementedError(_UNPRINTED)


def _jvp_kernel(xp: Any, s: Array, v: Array) -> Array:
    """J v from the probabilities s and the tangent v ('jvp')."""
    raise NotImplementedError(_UNPRINTED)


def _vjp_kernel(xp: Any, s: Array, v: Array) -> Array:
    """v^T J from the probabilities s and the cotangent v ('jvp')."""
    raise NotImplementedError(_UNPRINTED)


def _cross_entropy_kernel(xp: Any, logp: Array, y: Array) -> Array:
    """The loss, a row sum kept as an axis, from log softmax(z) and y ('cross_entropy')."""
    raise NotImplementedError(_UNPRINTED)


def _cross_entropy_grad_kernel(xp: Any, s: Array, c: Array, y: Array) -> Array:
    """The loss's gradient from s, c = 1 - s and the targets y ('cross_entropy')."""
    raise NotImplementedError(_UNPRINTED)


def _distillation_loss_kernel(xp: Any, p: Array, logp: Array, logq: Array, T: float) -> Array:
    """T^2 KL(p || q), a row sum kept as an axis, from p and the logs of p and q ('distillation')."""
    raise NotImplementedError(_UNPRINTED)


def _distillation_grad_kernel(xp: Any, p: Array, q: Array, cp: Array, cq: Array, T: float) -> Array:
    """The gradient in the student's logits from p, q, cp = 1 - p, cq = 1 - q ('distillation')."""
    raise NotImplementedError(_UNPRINTED)


def _label_smoothing_loss_kernel(xp: Any, logp: Array, y: Array, epsilon: float, K: int) -> Array:
    """The smoothed loss, a row sum kept as an axis, from log softmax(z), y, epsilon, K
    ('label_smoothing')."""
    raise NotImplementedError(_UNPRINTED)


def _label_smoothing_grad_kernel(
    xp: Any, s: Array, c: Array, y: Array, epsilon: float, K: int
) -> Array:
    """The smoothed loss's gradient from s, c = 1 - s, y, epsilon and K ('label_smoothing')."""
    raise NotImplementedError(_UNPRINTED)


# -- The public functions --------------------------------------------------------------------


def softmax(x: Array, axis: object = -1, where: Array | None = None) -> Array:
    """softmax(x)_i = exp(x_i) / sum_k exp(x_k) along ``axis``, in x's own library."""
    xp = _namespace(x)
    x = _as_array(x, xp)
    flat, keep, order, moved = _classes_last(x, axis, where, xp)
    if flat.shape[-1] == 0:
        return x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        dh, dl, _, live, _, nan_rows = _shift(flat, keep, xp)
        out = _finish(_softmax_kernel(xp, dh, dl), live, nan_rows, 0.0, xp)
    return _classes_back(out, order, moved, xp)


def log_softmax(x: Array, axis: object = -1, where: Array | None = None) -> Array:
    """log softmax(x)_i along ``axis``, never log(softmax); masked entries get -inf."""
    xp = _namespace(x)
    x = _as_array(x, xp)
    flat, keep, order, moved = _classes_last(x, axis, where, xp)
    if flat.shape[-1] == 0:
        return x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        dh, dl, _, live, _, nan_rows = _shift(flat, keep, xp)
        r = xp.astype(~_first(dh, xp), dh.dtype)
        out = _finish(_log_softmax_kernel(xp, dh, dl, r), live, nan_rows, -float("inf"), xp)
    return _classes_back(out, order, moved, xp)


def logsumexp(x: Array, axis: object = -1, beta: float = 1.0) -> Array:
    """beta^-1 log sum_k exp(beta x_k) along ``axis`` (those axes removed), beta > 0."""
    beta = _scalar(beta, "beta", 0, math.inf)
    xp = _namespace(x)
    x = _as_array(x, xp)
    flat = _classes_last(x, axis, None, xp)[0]
    batch = tuple(flat.shape[:-1])
    if flat.shape[-1] == 0:
        return xp.full(batch, -float("inf"), dtype=x.dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        dh, dl, m, live, infinite, nan_rows = _shift(flat, None, xp)
        r = xp.astype(~_first(dh, xp), dh.dtype)
        if beta == 1:
            out = _logsumexp_kernel(xp, dh, dl, r, m)
        else:
            # m + beta^-1 LSE(beta (x - m)), as runtime.logsumexp: beta x is never formed
            bh = beta * dh
            bl = xp.where(xp.isfinite(bh), beta * dl, xp.zeros_like(dl))
            out = m + _logsumexp_kernel(xp, bh, bl, r, xp.zeros_like(m)) / beta
        inf = xp.zeros_like(out) + float("inf")
        out = xp.where(xp.any(live, axis=-1, keepdims=True), out, -inf)
        out = xp.where(infinite, inf, out)
        out = xp.where(nan_rows, inf - inf, out)
    return xp.reshape(out, batch)


def jacobian(x: Array, where: Array | None = None) -> Array:
    """J[..., i, j] = d softmax(x)_i / d x_j over the last axis: shape x.shape + (K,)."""
    xp = _namespace(x)
    s = softmax(x, where=where)
    return _jacobian_kernel(xp, s, _complement(s, xp))


def _product(kernel: Any, x: Array, v: Array, where: Array | None) -> Array:
    """J v or v^T J by ``kernel``, from the tangent :func:`_tangent` prepares."""
    xp = _namespace(x)
    s = softmax(x, where=where)
    v = _as_array(v, xp, "v")
    _check_same_shape(s, v, "v")
    w, scale = _tangent(s, xp.astype(v, s.dtype), xp)
    return kernel(xp, s, w) * scale


def jvp(x: Array, v: Array, where: Array | None = None) -> Array:
    """J v over the last axis, in O(K) per row."""
    return _product(_jvp_kernel, x, v, where)


def vjp(x: Array, v: Array, where: Array | None = None) -> Array:
    """v^T J over the last axis, in O(K) per row."""
    return _product(_vjp_kernel, x, v, where)


def cross_entropy(z: Array, y: Array) -> Array:
    """-sum_k y_k log softmax(z)_k over the last axis, for targets y that sum to 1."""
    xp = _namespace(z)
    z = _as_array(z, xp, "z")
    y = _target(z, y, xp)
    # 0 log 0 = 0: a class the target gives no weight adds nothing, even at -inf
    logp = xp.where(y > 0, log_softmax(z), xp.zeros_like(z))
    return xp.reshape(_cross_entropy_kernel(xp, logp, y), tuple(z.shape[:-1]))


def cross_entropy_grad(z: Array, y: Array) -> Array:
    """The gradient of cross_entropy(z, y) with respect to z: softmax(z) - y."""
    xp = _namespace(z)
    s = softmax(z)
    y = _target(s, y, xp)
    return _cross_entropy_grad_kernel(xp, s, _complement(s, xp), y)


def _teacher_and_student(teacher: Array, student: Array, T: object) -> tuple[Array, Array, float]:
    """The teacher's and the student's logits divided by T > 0 (as the runtime's)."""
    T = _scalar(T, "T", 0, math.inf)
    xp = _namespace(student)
    t = _as_array(teacher, xp, "teacher")
    z = _as_array(student, xp, "student")
    if tuple(t.shape) != tuple(z.shape):
        raise ValueError(
            f"teacher of shape {tuple(t.shape)} does not match student of shape {tuple(z.shape)}"
        )
    return t / T, z / T, T


def distillation_loss(teacher: Array, student: Array, T: float) -> Array:
    """T^2 KL(softmax(teacher/T) || softmax(student/T)) over the last axis."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _distillation_loss(teacher, student, T)


def _distillation_loss(teacher: Array, student: Array, T: float) -> Array:
    t, z, T = _teacher_and_student(teacher, student, T)
    xp = _namespace(z)
    p = softmax(t)
    zero = xp.zeros_like(p)
    # 0 log 0 = 0: a class the teacher gives no weight adds nothing, even where q is 0
    logp = xp.where(p > 0, log_softmax(t), zero)
    logq = xp.where(p > 0, log_softmax(z), zero)
    out = _distillation_loss_kernel(xp, p, logp, logq, T)
    # where p and q are close, KL = log1p(sum_k p_k phi(u_k - ubar)) (runtime._close_rows)
    u = t - z
    w = u - xp.sum(xp.where(p > 0, p * u, zero), axis=-1, keepdims=True)
    close = xp.all(xp.abs(w) <= 30, axis=-1, keepdims=True)
    w = xp.where(close, w, zero)
    series = zero
    for n in range(18, 1, -1):
        series = series * -w + 1 / math.factorial(n)
    phi = xp.where(xp.abs(w) < 0.5, series * w * w, xp.expm1(-w) + w)
    out = xp.where(close, T**2 * xp.log1p(xp.sum(p * phi, axis=-1, keepdims=True)), out)
    out = xp.where(out < 0, xp.zeros_like(out), out)  # KL >= 0: a negative sum is rounding
    return xp.reshape(out, tuple(z.shape[:-1]))


def distillation_grad(teacher: Array, student: Array, T: float) -> Array:
    """The gradient of distillation_loss in the student's logits: T (q - p)."""
    t, z, T = _teacher_and_student(teacher, student, T)
    xp = _namespace(z)
    p, q = softmax(t), softmax(z)
    return _distillation_grad_kernel(xp, p, q, _complement(p, xp), _complement(q, xp), T)


def label_smoothing_loss(z: Array, y: Array, eps: float) -> Array:
    """Cross-entropy of softmax(z) against (1 - eps) y + eps/K over the last axis."""
    eps = _scalar(eps, "eps", 0, 1, "both")
    xp = _namespace(z)
    z = _as_array(z, xp, "z")
    y = _target(z, y, xp)
    # 0 log 0 = 0: with eps = 0 a class the target gives no weight adds nothing
    keep = (y > 0) | (eps > 0)
    logp = xp.where(keep, log_softmax(z), xp.zeros_like(z))
    out = _label_smoothing_loss_kernel(xp, logp, y, eps, z.shape[-1])
    return xp.reshape(out, tuple(z.shape[:-1]))


def label_smoothing_grad(z: Array, y: Array, eps: float) -> Array:
    """The gradient of label_smoothing_loss in z: softmax(z) - (1 - eps) y - eps/K."""
    eps = _scalar(eps, "eps", 0, 1, "both")
    xp = _namespace(z)
    s = softmax(z)
    y = _target(s, y, xp)
    return _label_smoothing_grad_kernel(xp, s, _complement(s, xp), y, eps, s.shape[-1])
