r"""The softmax-regression model: its cost, gradient and Hessian, and gradient descent on it.

Softmax regression with K classes and n features has parameters
:math:`\Theta \in \mathbb{R}^{K \times n}` (row k is :math:`\theta_k`), hypothesis
:math:`h_\Theta(x) = \sigma(\Theta x)` and cost

.. math::

    J(\Theta) = -\frac{1}{m} \sum_{i=1}^{m} \sum_{k=1}^{K} 1\{y_i = k\}
        \log h_\Theta(x_i)_k \; + \; \frac{\lambda}{2} \lVert \Theta \rVert_F^2 .

Since :math:`\sigma(z + c \mathbf{1}) = \sigma(z)` (the derivation ``shift_invariance``),
:math:`h_{\Theta + \mathbf{1}\psi^T}(x) = \sigma(\Theta x + (\psi^T x) \mathbf{1}) = h_\Theta(x)`
for every :math:`\psi \in \mathbb{R}^n`: without weight decay (:math:`\lambda = 0`) the
minimizers form a family :math:`\Theta^* + \mathbf{1}\psi^T`. The gradient
:math:`\nabla_\Theta J = \frac{1}{m} G^T X + \lambda \Theta`, with rows
:math:`G_i = h_\Theta(x_i) - e_{y_i}` (the derivation ``cross_entropy``), has rows that sum
to :math:`\lambda \sum_k \theta_k`, since each :math:`G_i` sums to zero. So gradient descent
without decay never changes :math:`\sum_k \theta_k`: two starts that differ by a row shift
end at two minimizers that differ by that same shift. With :math:`\lambda > 0` the cost is
strictly convex, the minimizer is unique, and there :math:`\sum_k \theta_k = 0`.

The Hessian with respect to :math:`\operatorname{vec}(\Theta) = (\theta_1; \dots; \theta_K)`
(the rows stacked, numpy's row-major order) is

.. math::

    H = \frac{1}{m} \sum_{i=1}^{m} \big(\operatorname{diag}(h_i) - h_i h_i^T\big)
        \otimes x_i x_i^T \; + \; \lambda I,

and since :math:`(\operatorname{diag}(h) - h h^T)\mathbf{1} = 0` (the derivation
``jacobian_properties``), every :math:`\mathbf{1} \otimes v = (v; \dots; v)` is an
eigenvector with eigenvalue :math:`\lambda`. Without decay these n directions are the null
space of H (exactly, when X has rank n: only a row shift leaves every :math:`\Theta x_i`
unchanged up to a multiple of :math:`\mathbf{1}`).

The gradient and the Hessian blocks come from the generated code in
:mod:`symsoftmax.numeric` (``cross_entropy_grad``: sigma - y; ``jacobian``:
diag(sigma) - sigma sigma^T). :mod:`symsoftmax.regression.experiment` shows the claims above
happen.

Example:
    >>> import numpy as np
    >>> X = np.array([[1.0, 2.0], [1.0, -1.0]])
    >>> y = np.array([0, 1])
    >>> theta = np.array([[0.5, 1.0], [0.0, -1.0], [2.0, 0.0]])
    >>> psi = np.array([3.0, -7.0])
    >>> bool(np.isclose(cost(theta, X, y), cost(theta + psi, X, y)))  # + 1 psi^T
    True
    >>> g = gradient(theta, X, y)
    >>> bool(np.all(np.abs(g.sum(axis=0)) < 1e-15))  # the gradient's rows sum to zero
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import numeric

__all__ = ["Fit", "cost", "fit", "gradient", "hessian", "lipschitz"]


# -- input checks ---------------------------------------------------------------------------


def _real_matrix(a: object, what: str) -> np.ndarray:
    try:
        out = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{what} must be a real numeric matrix: {err}") from None
    if out.ndim != 2:
        raise ValueError(f"{what} must be a matrix (2 axes), got shape {out.shape}")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{what} must be finite, got a nan or inf entry")
    return out


def _check_decay(decay: float) -> float:
    if not (math.isfinite(decay) and decay >= 0):
        raise ValueError(f"the weight decay lambda must be a finite number >= 0, got {decay}")
    return float(decay)


def _check_model(
    theta: object, X: object, y: object | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """theta (K x n, K >= 2), X (m x n) and labels y (m integers in 0..K-1), as arrays."""
    theta = _real_matrix(theta, "theta")
    X = _real_matrix(X, "X")
    K, n = theta.shape
    if K < 2:
        raise ValueError(f"theta must have K >= 2 rows (one per class), got shape {theta.shape}")
    if X.shape[1] != n:
        raise ValueError(
            f"X of shape {X.shape} has {X.shape[1]} features but theta of shape {theta.shape} "
            f"has {n} columns: theta must be K x n for X of shape m x n"
        )
    if y is None:
        return theta, X, None
    labels = np.asarray(y)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels y must be integers in 0..K-1, got dtype {labels.dtype}")
    if labels.shape != (X.shape[0],):
        raise ValueError(
            f"labels y of shape {labels.shape} do not match X of shape {X.shape}: "
            f"one label per row of X, shape ({X.shape[0]},)"
        )
    bad = np.flatnonzero((labels < 0) | (labels >= K))
    if bad.size:
        raise ValueError(
            f"labels must be in 0..K-1 = 0..{K - 1} (theta of shape {theta.shape}), "
            f"got y[{bad[0]}] = {labels[bad[0]]}"
        )
    return theta, X, labels


# -- the model: cost, gradient, Hessian --------------------------------------------------


def cost(theta: object, X: object, y: object, *, decay: float = 0.0) -> float:
    r"""The softmax-regression cost, cross-entropy plus weight decay.

    .. math:: J(\Theta) = \frac{1}{m} \sum_i \Big(-\log \sigma(\Theta x_i)_{y_i}\Big)
        + \frac{\lambda}{2} \lVert \Theta \rVert_F^2

    computed by the generated :func:`symsoftmax.numeric.cross_entropy` on the logits
    :math:`X \Theta^T` against one-hot targets.

    Args:
        theta: K x n parameters, K >= 2.
        X: m x n inputs, one row per point (a column of ones gives the bias).
        y: m integer labels in 0..K-1.
        decay: the weight decay lambda >= 0.

    Returns:
        J(theta), a float.

    Raises:
        ValueError: mismatched shapes, labels outside 0..K-1, K < 2, lambda < 0, non-finite
            entries.
        TypeError: non-numeric theta or X, non-integer labels.

    Example:
        >>> round(cost(np.zeros((3, 2)), np.ones((4, 2)), np.array([0, 1, 2, 0])), 6)  # log 3
        1.098612
    """
    decay = _check_decay(decay)
    theta, X, y = _check_model(theta, X, y)
    Y = np.eye(theta.shape[0])[y]
    data = float(np.mean(numeric.cross_entropy(X @ theta.T, Y))) if len(X) else 0.0
    return data + 0.5 * decay * float(np.sum(theta * theta))


def gradient(theta: object, X: object, y: object, *, decay: float = 0.0) -> np.ndarray:
    r"""The gradient of :func:`cost` with respect to theta, a K x n matrix.

    .. math:: \nabla_\Theta J = \frac{1}{m} G^T X + \lambda \Theta, \qquad
        G_i = \sigma(\Theta x_i) - e_{y_i}

    with G from the generated :func:`symsoftmax.numeric.cross_entropy_grad` (derivation
    ``cross_entropy``). Each row of G sums to zero, so
    :math:`\sum_k \nabla_{\theta_k} J = \lambda \sum_k \theta_k`.

    Raises:
        ValueError, TypeError: as :func:`cost`.

    Example:
        >>> gradient(np.zeros((2, 1)), np.ones((2, 1)), np.array([0, 0]))
        array([[-0.5],
               [ 0.5]])
    """
    decay = _check_decay(decay)
    theta, X, y = _check_model(theta, X, y)
    if not len(X):
        return decay * theta
    G = numeric.cross_entropy_grad(X @ theta.T, np.eye(theta.shape[0])[y])
    return G.T @ X / len(X) + decay * theta


def hessian(theta: object, X: object, *, decay: float = 0.0) -> np.ndarray:
    r"""The Hessian of :func:`cost` with respect to vec(theta), a Kn x Kn matrix.

    .. math:: H = \frac{1}{m} \sum_i \big(\operatorname{diag}(h_i) - h_i h_i^T\big)
        \otimes x_i x_i^T + \lambda I, \qquad h_i = \sigma(\Theta x_i)

    with :math:`\operatorname{vec}(\Theta) = (\theta_1; \dots; \theta_K)`, the rows stacked
    (``theta.ravel()``). The K x K blocks diag(h) - h h^T come from the generated
    :func:`symsoftmax.numeric.jacobian`. The labels do not enter.

    Raises:
        ValueError, TypeError: as :func:`cost`.

    Example:
        >>> hessian(np.zeros((2, 1)), np.ones((1, 1)))    # (diag(h) - h h^T) at h = (1/2, 1/2)
        array([[ 0.25, -0.25],
               [-0.25,  0.25]])
    """
    decay = _check_decay(decay)
    theta, X, _ = _check_model(theta, X)
    K, n = theta.shape
    J = numeric.jacobian(X @ theta.T)  # (m, K, K): diag(h_i) - h_i h_i^T
    H = np.einsum("ikl,ip,iq->kplq", J, X, X).reshape(K * n, K * n) / max(len(X), 1)
    return H + decay * np.eye(K * n)


# -- gradient descent ------------------------------------------------------------------------


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Fit:
    """One run of gradient descent.

    Attributes:
        theta0: the starting point (K x n).
        theta: where it stopped (K x n).
        cost: J(theta).
        grad_norm: the Frobenius norm of the gradient at theta.
        iterations: the number of steps taken.
        converged: whether grad_norm fell below the tolerance.

    Example:
        >>> f = fit(np.zeros((2, 1)), np.ones((2, 1)), np.array([0, 1]))  # already optimal
        >>> f.converged, f.iterations, round(f.cost, 6)  # log 2
        (True, 0, 0.693147)
    """

    theta0: np.ndarray
    theta: np.ndarray
    cost: float
    grad_norm: float
    iterations: int
    converged: bool


def lipschitz(X: object, *, decay: float = 0.0) -> float:
    r"""A bound L on the Hessian of :func:`cost`: :math:`L = \frac{1}{2}
    \lambda_{\max}(X^T X / m) + \lambda`.

    It holds at every theta because :math:`\operatorname{diag}(h) - h h^T \preceq
    \frac{1}{2} I` (Böhning, "Multinomial logistic regression algorithm", Ann. Inst.
    Statist. Math. 44 (1992)), so the fixed step 1/L never increases the cost.

    Example:
        >>> lipschitz(np.ones((5, 1)), decay=0.5)
        1.0
    """
    decay = _check_decay(decay)
    X = _real_matrix(X, "X")
    if not X.size:
        return decay if decay > 0 else 1.0
    return 0.5 * float(np.linalg.eigvalsh(X.T @ X / len(X))[-1]) + decay


def fit(
    theta0: object,
    X: object,
    y: object,
    *,
    decay: float = 0.0,
    step: float | None = None,
    tol: float = 1e-12,
    max_iter: int = 100_000,
) -> Fit:
    r"""Plain gradient descent on :func:`cost` with a fixed step.

    .. math:: \Theta \leftarrow \Theta - \eta \nabla_\Theta J(\Theta)

    until :math:`\lVert \nabla_\Theta J \rVert_F < ` ``tol`` or ``max_iter`` steps.
    Without decay, :math:`\sum_k \theta_k` never changes: the gradient's rows sum to zero.

    Args:
        theta0: the starting point, K x n.
        X, y: the data, as for :func:`cost`.
        decay: the weight decay lambda >= 0.
        step: the step eta; default 1 / :func:`lipschitz`.
        tol: stop when the gradient norm is below this.
        max_iter: the most steps to take.

    Returns:
        A :class:`Fit`.

    Raises:
        ValueError: bad data (as :func:`cost`), step <= 0, tol <= 0 or max_iter < 0.

    Example:
        >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]])
        >>> f = fit(np.zeros((2, 2)), X, np.array([0, 1, 0, 1]))
        >>> f.converged, round(f.cost, 6)
        (True, 0.586872)
    """
    decay = _check_decay(decay)
    theta, X, y = _check_model(theta0, X, y)
    eta = 1.0 / lipschitz(X, decay=decay) if step is None else float(step)
    if not (math.isfinite(eta) and eta > 0):
        raise ValueError(f"the step must be a finite number > 0, got {step}")
    if not tol > 0:
        raise ValueError(f"tol must be > 0, got {tol}")
    if max_iter < 0:
        raise ValueError(f"max_iter must be >= 0, got {max_iter}")
    start = theta.copy()
    iterations = 0
    g = gradient(theta, X, y, decay=decay)
    norm = float(np.linalg.norm(g))
    while norm >= tol and iterations < max_iter:
        theta = theta - eta * g
        iterations += 1
        g = gradient(theta, X, y, decay=decay)
        norm = float(np.linalg.norm(g))
    return Fit(
        theta0=_frozen(start),
        theta=_frozen(theta),
        cost=cost(theta, X, y, decay=decay),
        grad_norm=norm,
        iterations=iterations,
        converged=norm < tol,
    )
