"""Softmax, log-softmax, log-sum-exp, the Jacobian and its products, on several backends.

Every function here runs code generated from the derivations: the module text that
:func:`symsoftmax.numeric.codegen.module_source` writes (the hand-written
:mod:`~symsoftmax.numeric.runtime` with the kernels that SymPy prints from the formulas),
compiled and run as it is. :func:`source` shows it, and ``symsoftmax codegen NAME`` prints
it as a standalone module. Generation happens on the first call, not at import.

Each function takes ``backend=``: "numpy" (the reference), "numba" (fused row kernels,
:mod:`~symsoftmax.numeric.loops`), "array-api" (any array library,
:mod:`~symsoftmax.numeric.portable`) or "dask" (lazily, chunk by chunk,
:mod:`~symsoftmax.numeric.chunked`); None chooses by the input
(:func:`~symsoftmax.numeric.dispatch.choose`). :func:`backends` lists the installed ones.

Conventions: floating dtypes are kept (float32 in, float32 out), integers and bools compute
in float64; an entry of -inf (or a masked entry) gets probability exactly 0; if a row has
+inf entries they share all the mass equally; a NaN that takes part makes its row NaN and
leaves the other rows alone; an empty input gives an empty output; finite inputs of any
magnitude never give inf or nan.

Example:
    >>> import numpy as np
    >>> from symsoftmax import numeric
    >>> numeric.softmax(np.array([1000.0, 0.0, 0.0]))   # exp(1000) would overflow
    array([1., 0., 0.])
    >>> float(numeric.log_softmax(np.array([0.0, -40.0]))[0])  # not 0: -exp(-40)
    -4.248354255291589e-18
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from . import chunked, codegen, dispatch, loops
from .codegen import module_source
from .dispatch import Backend, backends, choose, functions

#: The generated numpy module (compiled on the first call, kept for the process).
_generated = dispatch._numpy_module

__all__ = [
    "backends",
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
    "source",
    "vjp",
]


def _function(name: str, x: object, backend: str | None) -> Callable:
    """The function ``name`` of the backend that computes ``x`` (see :mod:`.dispatch`)."""
    chosen = choose(x, backend)
    if chosen is Backend.DASK:
        return chunked.function(name)
    return functions(chosen)(name)


#: The standalone modules by backend: what ``source`` and ``symsoftmax codegen`` print.
SOURCES = ("numpy", "numba", "array-api")


def source(name: str | None, *, backend: str = "numpy") -> str:
    """The generated source of ``name`` (None: every function) as a standalone module for
    ``backend``: numpy its only import ("numpy"), numpy and numba ("numba"), or no import
    but array_api_compat at run time ("array-api").

    Raises:
        ValueError: an unknown function or backend (the known ones listed).

    Example:
        >>> "numpy.log1p" in source("log_softmax")
        True
        >>> "numba.prange" in source("softmax", backend="numba")
        True
    """
    if backend == "numba":
        if name is not None:
            codegen._check_name(name)
        return loops.module_source(name)
    if backend not in SOURCES:
        raise ValueError(f"unknown backend {backend!r} for source; known: {', '.join(SOURCES)}")
    return module_source(name, backend)


def softmax(
    x: ArrayLike, axis: object = -1, where: ArrayLike | None = None, *, backend: str | None = None
) -> np.ndarray:
    """Softmax along ``axis``.

    .. math:: \\sigma(x)_i = \\frac{e^{x_i - m}}{\\sum_k e^{x_k - m}}, \\quad m = \\max_k x_k

    Args:
        x: array of logits (real numbers).
        axis: the class axis.
        where: optional boolean mask broadcastable to ``x``; False entries get 0.

    Returns:
        An array of ``x``'s shape and floating dtype.

    Raises:
        TypeError: x is not a real numeric array.
        ValueError: ``where`` does not broadcast to ``x``.

    Example:
        >>> softmax(np.array([[1.0, 2.0], [3.0, np.inf]]))
        array([[0.26894142, 0.73105858],
               [0.        , 1.        ]])
    """
    return _function("softmax", x, backend)(x, axis=axis, where=where)


def log_softmax(
    x: ArrayLike, axis: object = -1, where: ArrayLike | None = None, *, backend: str | None = None
) -> np.ndarray:
    """Log-softmax along ``axis``, never computed as log(softmax).

    .. math:: \\log \\sigma(x)_i = (x_i - m) - \\operatorname{log1p}\\Big(\\sum_{k \\neq k^*} e^{x_k - m}\\Big)

    with m = x_{k*} the maximum. Masked entries get -inf.

    Example:
        >>> log_softmax(np.array([0.0, 0.0]))
        array([-0.69314718, -0.69314718])
    """
    return _function("log_softmax", x, backend)(x, axis=axis, where=where)


def logsumexp(
    x: ArrayLike, axis: object = -1, *, beta: float = 1.0, backend: str | None = None
) -> np.ndarray:
    """Log-sum-exp along ``axis`` (removed from the result), at inverse temperature ``beta``.

    .. math::

        \\frac{1}{\\beta} \\operatorname{LSE}(\\beta x)
        = m + \\frac{1}{\\beta} \\operatorname{log1p}\\Big(\\sum_{k \\neq k^*} e^{\\beta (x_k - m)}\\Big),
        \\qquad m = \\max_k x_k

    A smooth maximum (the derivation ``smooth_max``):
    :math:`\\max_k x_k < \\beta^{-1} \\operatorname{LSE}(\\beta x) \\le \\max_k x_k + \\log K / \\beta`,
    so it tends to the maximum as beta grows. :math:`\\beta x` is never formed, so no
    finite input overflows, whatever beta.

    Args:
        x: array of real numbers.
        axis: the class axis (an int, a tuple of ints, or None for all).
        beta: the inverse temperature, a number > 0 (1: the plain log-sum-exp).

    Raises:
        ValueError: beta is not > 0 (or is inf: use ``numpy.max``).

    Example:
        >>> float(logsumexp(np.array([1000.0, 1000.0])))
        1000.6931471805599
        >>> float(logsumexp(np.array([1e300, 1e300]), beta=1e10))   # beta x would overflow
        1e+300
        >>> float(logsumexp(np.array([0.0, 0.0]), beta=2.0))   # log(2) / 2
        0.34657359027997264
    """
    if beta == 1 and not isinstance(beta, bool):
        return _function("logsumexp", x, backend)(x, axis=axis)
    return _function("logsumexp", x, backend)(x, axis=axis, beta=beta)


def jacobian(
    x: ArrayLike, where: ArrayLike | None = None, *, backend: str | None = None
) -> np.ndarray:
    """The Jacobian of softmax over the last axis, shape ``x.shape + (K,)``.

    .. math:: J_{ij} = \\sigma_i (\\delta_{ij} - \\sigma_j)

    Example:
        >>> jacobian(np.array([0.0, 0.0]))
        array([[ 0.25, -0.25],
               [-0.25,  0.25]])
    """
    return _function("jacobian", x, backend)(x, where=where)


def jvp(
    x: ArrayLike, v: ArrayLike, where: ArrayLike | None = None, *, backend: str | None = None
) -> np.ndarray:
    """The Jacobian-vector product J v over the last axis, O(K) per row.

    .. math:: (J v)_i = \\sigma_i (v_i - \\langle \\sigma, v \\rangle)

    Example:
        >>> jvp(np.array([0.0, 0.0]), np.array([1.0, 0.0]))
        array([ 0.25, -0.25])
    """
    return _function("jvp", x, backend)(x, v, where=where)


def vjp(
    x: ArrayLike, v: ArrayLike, where: ArrayLike | None = None, *, backend: str | None = None
) -> np.ndarray:
    """The vector-Jacobian product v^T J (equal to J v: J is symmetric), O(K) per row.

    Example:
        >>> vjp(np.array([0.0, 0.0]), np.array([1.0, 0.0]))
        array([ 0.25, -0.25])
    """
    return _function("vjp", x, backend)(x, v, where=where)


def cross_entropy(z: ArrayLike, y: ArrayLike, *, backend: str | None = None) -> np.ndarray:
    """Cross-entropy of softmax(z) against targets y over the last axis.

    .. math:: L = -\\sum_k y_k \\log \\sigma(z)_k, \\qquad \\sum_k y_k = 1

    Example:
        >>> float(cross_entropy(np.array([0.0, 0.0]), np.array([1.0, 0.0])))
        0.6931471805599453
    """
    return _function("cross_entropy", z, backend)(z, y)


def cross_entropy_grad(z: ArrayLike, y: ArrayLike, *, backend: str | None = None) -> np.ndarray:
    """The gradient of :func:`cross_entropy` with respect to z: softmax(z) - y.

    Example:
        >>> cross_entropy_grad(np.array([0.0, 0.0]), np.array([1.0, 0.0]))
        array([-0.5,  0.5])
    """
    return _function("cross_entropy_grad", z, backend)(z, y)


def distillation_loss(
    teacher: ArrayLike, student: ArrayLike, T: float, *, backend: str | None = None
) -> np.ndarray:
    """The distillation loss at temperature T over the last axis (Hinton, Vinyals and Dean,
    2015; the derivation ``distillation``).

    .. math::

        L = T^2 \\operatorname{KL}(p \\,\\|\\, q) = T^2 \\sum_k p_k (\\log p_k - \\log q_k),
        \\qquad p = \\sigma(t / T), \\quad q = \\sigma(z / T)

    with :math:`\\log p` and :math:`\\log q` from :func:`log_softmax`, never the log of a
    softmax: a class whose probability underflows still counts. A class the teacher gives
    probability 0 (a logit of -inf) adds nothing (:math:`0 \\log 0 = 0`); a class the teacher
    gives weight and the student -inf makes the loss inf. A negative sum of rounding errors
    is returned as 0 (KL >= 0).

    Args:
        teacher: the teacher's logits t.
        student: the student's logits z, of the same shape (the result has its dtype).
        T: the temperature, a number > 0.

    Returns:
        The loss of each row: the shape of z without its last axis.

    Raises:
        TypeError: non-numeric logits or T; ValueError: T <= 0, or the shapes differ.

    Example:
        >>> t, z = np.array([2.0, 0.0, -2.0]), np.array([0.0, 0.0, 0.0])
        >>> print(f"{float(distillation_loss(t, z, 1.0)):.15f}")   # KL(p || uniform) = log 3 - H(p)
        0.657554844609946
        >>> float(distillation_loss(np.array([1e300, 0.0]), np.array([0.0, 1e300]), 1.0))
        1e+300
    """
    return _function("distillation_loss", student, backend)(teacher, student, T)


def distillation_grad(
    teacher: ArrayLike, student: ArrayLike, T: float, *, backend: str | None = None
) -> np.ndarray:
    """The gradient of :func:`distillation_loss` with respect to the student's logits z.

    .. math:: \\frac{\\partial L}{\\partial z_j} = T (q_j - p_j)
        \\xrightarrow[T \\to \\infty]{} \\frac{z_j - t_j}{K}
        \\quad (\\textstyle\\sum_k z_k = \\sum_k t_k = 0)

    Where :math:`p_j + q_j > 1` the difference is taken as :math:`(1 - p_j) - (1 - q_j)`, each
    complement summed from the other classes, so it keeps its accuracy at a dominant class.

    Example:
        >>> distillation_grad(np.array([1.0, -1.0]), np.array([0.0, 0.0]), 1e6)  # ~ (z - t)/K
        array([-0.5,  0.5])
    """
    return _function("distillation_grad", student, backend)(teacher, student, T)


def label_smoothing_loss(
    z: ArrayLike, y: ArrayLike, eps: float, *, backend: str | None = None
) -> np.ndarray:
    """Cross-entropy of softmax(z) against the smoothed target over the last axis (the
    derivation ``label_smoothing``).

    .. math:: L = -\\sum_k \\Big((1 - \\varepsilon) y_k + \\frac{\\varepsilon}{K}\\Big) \\log \\sigma(z)_k

    with :math:`\\log \\sigma` from :func:`log_softmax`. :math:`\\varepsilon = 0` is
    :func:`cross_entropy`; with :math:`\\varepsilon > 0` every class has weight, so a logit
    of -inf makes the loss inf.

    Args:
        z: logits; y: targets of the same shape, each row a probability vector.
        eps: the smoothing, a number in [0, 1].

    Raises:
        ValueError: eps outside [0, 1], or a row of y is no probability vector.

    Example:
        >>> float(label_smoothing_loss(np.array([0.0, 0.0]), np.array([1.0, 0.0]), 0.1))
        0.6931471805599453
        >>> float(label_smoothing_loss(np.array([1000.0, 0.0]), np.array([1.0, 0.0]), 0.1))
        50.0
    """
    return _function("label_smoothing_loss", z, backend)(z, y, eps)


def label_smoothing_grad(
    z: ArrayLike, y: ArrayLike, eps: float, *, backend: str | None = None
) -> np.ndarray:
    """The gradient of :func:`label_smoothing_loss` with respect to z.

    .. math:: \\frac{\\partial L}{\\partial z_j} = \\sigma(z)_j - (1 - \\varepsilon) y_j - \\frac{\\varepsilon}{K}

    Example:
        >>> label_smoothing_grad(np.array([0.0, 0.0]), np.array([1.0, 0.0]), 0.1)
        array([-0.45,  0.45])
    """
    return _function("label_smoothing_grad", z, backend)(z, y, eps)
