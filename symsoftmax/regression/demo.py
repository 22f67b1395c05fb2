r"""Softmax regression is over-parameterized: a live demonstration with numbers.

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

:func:`overparameterization` runs the demonstration; :func:`format_table` and
:func:`plot` show it. The gradient and the Hessian blocks come from the generated code in
:mod:`symsoftmax.numeric` (``cross_entropy_grad``: sigma - y; ``jacobian``:
diag(sigma) - sigma sigma^T).

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

__all__ = [
    "Comparison",
    "Fit",
    "HessianSpectrum",
    "OverparameterizationResult",
    "blobs",
    "cost",
    "fit",
    "format_table",
    "gradient",
    "hessian",
    "lipschitz",
    "overparameterization",
]


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


def _frozen_labels(y: np.ndarray) -> np.ndarray:
    y = np.array(y)
    y.setflags(write=False)
    return y


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


# -- the demonstration ---------------------------------------------------------------------


def blobs(*, K: int = 3, m: int = 150, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""A small synthetic data set that no Theta separates: K overlapping Gaussian blobs.

    Point i has label :math:`y_i = i \bmod K` and features :math:`x_i = (1, c_{y_i} + e_i)`,
    with centers :math:`c_k = 1.5 (\cos 2\pi k/K, \sin 2\pi k/K)` and standard normal noise
    :math:`e_i \in \mathbb{R}^2`; the leading 1 is the bias. The blobs overlap, so the
    undecayed cost has a minimizer (separable data would send Theta to infinity).

    Returns:
        X of shape (m, 3) and labels y of shape (m,).

    Raises:
        ValueError: K < 2 or m < K.

    Example:
        >>> X, y = blobs(K=3, m=6)
        >>> X.shape, y.tolist()
        ((6, 3), [0, 1, 2, 0, 1, 2])
    """
    if K < 2:
        raise ValueError(f"K must be an int >= 2 (the number of classes), got {K}")
    if m < K:
        raise ValueError(f"m must be >= K = {K} so that every class has a point, got {m}")
    rng = np.random.default_rng(seed)
    y = np.arange(m) % K
    angle = 2 * np.pi * np.arange(K) / K
    centers = 1.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    X = np.column_stack([np.ones(m), centers[y] + rng.standard_normal((m, 2))])
    return X, y


@dataclass(frozen=True, eq=False)
class Comparison:
    r"""Two fits of the same cost from two starts, and how they differ.

    Attributes:
        decay: the weight decay lambda of the cost.
        a, b: the fits from the two starts.
        psi: the mean row of :math:`\Theta_a - \Theta_b`, the shift between them.
        spread: :math:`\max_{k,p} |(\Theta_a - \Theta_b)_{kp} - \psi_p|`: 0 exactly when
            the two fits differ by a row shift :math:`\mathbf{1}\psi^T`.
        prob_diff: :math:`\max_i \lVert h_a(x_i) - h_b(x_i) \rVert_\infty`.
        cost_diff: :math:`|J(\Theta_a) - J(\Theta_b)|`.
        row_sum_a, row_sum_b: :math:`\sum_k \theta_k` of each fit.
    """

    decay: float
    a: Fit
    b: Fit
    psi: np.ndarray
    spread: float
    prob_diff: float
    cost_diff: float
    row_sum_a: np.ndarray
    row_sum_b: np.ndarray


def _compare(a: Fit, b: Fit, X: np.ndarray, decay: float) -> Comparison:
    D = a.theta - b.theta
    psi = D.mean(axis=0)
    h_a, h_b = numeric.softmax(X @ a.theta.T), numeric.softmax(X @ b.theta.T)
    return Comparison(
        decay=decay,
        a=a,
        b=b,
        psi=_frozen(psi),
        spread=float(np.max(np.abs(D - psi))),
        prob_diff=float(np.max(np.abs(h_a - h_b))),
        cost_diff=abs(a.cost - b.cost),
        row_sum_a=_frozen(a.theta.sum(axis=0)),
        row_sum_b=_frozen(b.theta.sum(axis=0)),
    )


@dataclass(frozen=True, eq=False)
class HessianSpectrum:
    r"""The eigenvalues of a Hessian and its lowest eigenspace.

    Attributes:
        decay: the weight decay lambda in the Hessian.
        eigenvalues: all Kn eigenvalues, ascending (``numpy.linalg.eigvalsh``).
        smallest: the smallest eigenvalue.
        vector: a unit eigenvector of the smallest eigenvalue (as ``eigh`` returns it).
        block_spread: :math:`\max_{k,p} |v_{kp} - \bar v_p|` over the K blocks of
            ``vector``: 0 when it has the form :math:`\mathbf{1} \otimes v`.
        dimension: how many eigenvalues lie within ``1e-9 * max(1, |largest|)`` of the
            smallest: n when the lowest eigenspace is :math:`\{\mathbf{1} \otimes v\}`.
        shift_residual: the distance from the unit vector
            :math:`\mathbf{1} \otimes \psi / \lVert \mathbf{1} \otimes \psi \rVert`
            (psi the observed shift between the undecayed fits) to that eigenspace.
    """

    decay: float
    eigenvalues: np.ndarray
    smallest: float
    vector: np.ndarray
    block_spread: float
    dimension: int
    shift_residual: float


def _spectrum(H: np.ndarray, K: int, psi: np.ndarray, decay: float) -> HessianSpectrum:
    w, V = np.linalg.eigh(H)
    lowest = w - w[0] <= 1e-9 * max(1.0, abs(w[-1]))
    u = np.kron(np.ones(K), psi)
    u /= np.linalg.norm(u)
    basis = V[:, lowest]
    v = V[:, 0].reshape(K, -1)
    return HessianSpectrum(
        decay=decay,
        eigenvalues=_frozen(w),
        smallest=float(w[0]),
        vector=_frozen(V[:, 0]),
        block_spread=float(np.max(np.abs(v - v.mean(axis=0)))),
        dimension=int(np.count_nonzero(lowest)),
        shift_residual=float(np.linalg.norm(u - basis @ (basis.T @ u))),
    )


@dataclass(frozen=True, eq=False)
class OverparameterizationResult:
    r"""What :func:`overparameterization` found.

    Attributes:
        X, y: the data (m x n inputs with a bias column, m labels).
        seed: the seed of the data and of the random start.
        psi0: the row shift added to the random start b.
        plain: the two fits without weight decay (lambda = 0).
        decayed: the two fits with weight decay.
        predicted_psi: :math:`\frac{1}{K} \sum_k (\theta^{(0)}_{a,k} - \theta^{(0)}_{b,k})`,
            the shift that the conserved row sums predict for ``plain.psi``.
        start_grad_norm: the smallest gradient norm (lambda = 0) at the two starts.
        start_grad_row_sum: :math:`\max |\sum_k \nabla_{\theta_k} J|` (lambda = 0) at the
            two starts: 0 up to rounding.
        hessian: the spectrum of the undecayed Hessian at ``plain.a.theta``.
        decayed_hessian: the spectrum of the decayed Hessian at ``decayed.a.theta``.
    """

    X: np.ndarray
    y: np.ndarray
    seed: int
    psi0: np.ndarray
    plain: Comparison
    decayed: Comparison
    predicted_psi: np.ndarray
    start_grad_norm: float
    start_grad_row_sum: float
    hessian: HessianSpectrum
    decayed_hessian: HessianSpectrum


def overparameterization(
    *,
    seed: int = 0,
    decay: float = 1e-2,
    K: int = 3,
    m: int = 150,
    shift: float = 10.0,
    tol: float = 1e-12,
    max_iter: int = 100_000,
) -> OverparameterizationResult:
    r"""Fit softmax regression twice, from two starts, without and with weight decay.

    The data are :func:`blobs` (K classes, m points, n = 3 features with the bias). Start
    a is :math:`\Theta = 0`; start b is a standard normal :math:`\Theta` plus a row shift
    :math:`\mathbf{1}\psi_0^T` with :math:`\lVert \psi_0 \rVert =` ``shift``. Each start is
    fitted by :func:`fit` (fixed step 1/L) without decay and with ``decay``. Expected:

    - without decay, :math:`\Theta_a - \Theta_b = \mathbf{1}\psi^T` with
      :math:`\psi = \frac{1}{K}\sum_k (\theta^{(0)}_{a,k} - \theta^{(0)}_{b,k})`, yet the
      probabilities and the costs agree;
    - with decay, :math:`\Theta_a = \Theta_b` and :math:`\sum_k \theta_k = 0`;
    - the undecayed Hessian has eigenvalue 0 on :math:`\{\mathbf{1} \otimes v\}`, which
      holds :math:`\mathbf{1} \otimes \psi`; with decay its smallest eigenvalue is lambda.

    Args:
        seed: seeds the data and the random start.
        decay: the weight decay lambda > 0 of the second setting.
        K: the number of classes, >= 2.
        m: the number of points, >= K.
        shift: the norm of the row shift psi_0 added to start b.
        tol, max_iter: passed to :func:`fit`.

    Returns:
        An :class:`OverparameterizationResult`.

    Raises:
        ValueError: decay <= 0, K < 2, m < K, shift < 0, tol <= 0.

    Example:
        >>> r = overparameterization()
        >>> bool(r.plain.spread < 1e-8 < 1 < np.linalg.norm(r.plain.psi))  # a row shift
        True
        >>> bool(r.plain.prob_diff < 1e-10 and r.decayed.spread < 1e-8)
        True
        >>> r.hessian.dimension, bool(r.decayed_hessian.smallest >= 0.01 - 1e-12)
        (3, True)
    """
    decay = _check_decay(decay)
    if decay == 0:
        raise ValueError("decay must be > 0: it is the lambda of the second setting, got 0")
    if not (math.isfinite(shift) and shift >= 0):
        raise ValueError(f"shift must be a finite number >= 0, got {shift}")
    X, y = blobs(K=K, m=m, seed=seed)
    rng = np.random.default_rng([seed, 1])
    direction = rng.standard_normal(X.shape[1])
    psi0 = shift * direction / np.linalg.norm(direction)
    start_a = np.zeros((K, X.shape[1]))
    start_b = rng.standard_normal(start_a.shape) + psi0

    def both(lam: float) -> Comparison:
        a = fit(start_a, X, y, decay=lam, tol=tol, max_iter=max_iter)
        b = fit(start_b, X, y, decay=lam, tol=tol, max_iter=max_iter)
        return _compare(a, b, X, lam)

    plain, decayed = both(0.0), both(decay)
    starts = [gradient(s, X, y) for s in (start_a, start_b)]
    return OverparameterizationResult(
        X=_frozen(X),
        y=_frozen_labels(y),
        seed=seed,
        psi0=_frozen(psi0),
        plain=plain,
        decayed=decayed,
        predicted_psi=_frozen((start_a - start_b).mean(axis=0)),
        start_grad_norm=min(float(np.linalg.norm(g)) for g in starts),
        start_grad_row_sum=max(float(np.max(np.abs(g.sum(axis=0)))) for g in starts),
        hessian=_spectrum(hessian(plain.a.theta, X), K, plain.psi, 0.0),
        decayed_hessian=_spectrum(hessian(decayed.a.theta, X, decay=decay), K, plain.psi, decay),
    )


# -- showing it ------------------------------------------------------------------------------


def _vector(v: np.ndarray) -> str:
    return "(" + ", ".join(f"{x:.6g}" for x in v) + ")"


def format_table(result: OverparameterizationResult) -> str:
    """A short English table of what :func:`overparameterization` found.

    Example:
        >>> table = format_table(overparameterization(decay=0.1, tol=1e-8))
        >>> print(table.splitlines()[0])
        Softmax regression is over-parameterized: K = 3 classes, n = 3 features (1, x1, x2),
        >>> print(next(line for line in table.splitlines() if "dimension" in line))
          dimension of its eigenspace                                   3                  3
    """
    r = result
    p, d = r.plain, r.decayed
    (m, n), K = r.X.shape, p.a.theta.shape[0]
    lam = f"lambda = {d.decay:g}"

    def row(label: str, plain: str, decayed: str) -> str:
        return f"{label:<46} {plain:>18} {decayed:>18}"

    def status(c: Comparison) -> str:
        ok = c.a.converged and c.b.converged
        return "yes" if ok else "NO"

    lines = [
        f"Softmax regression is over-parameterized: K = {K} classes, n = {n} features (1, x1, x2),",
        f"m = {m} points in overlapping Gaussian blobs (seed {r.seed}). Gradient descent with "
        "a fixed step 1/L",
        "from start a: Theta = 0 and from start b: random Theta + 1 psi0^T, "
        f"|psi0| = {np.linalg.norm(r.psi0):.3g}.",
        "",
        row("", "lambda = 0", lam),
        row(
            "steps (a, b)",
            f"{p.a.iterations}, {p.b.iterations}",
            f"{d.a.iterations}, {d.b.iterations}",
        ),
        row(
            "converged: |grad J| < tol (a and b)",
            f"{status(p)} {max(p.a.grad_norm, p.b.grad_norm):.1e}",
            f"{status(d)} {max(d.a.grad_norm, d.b.grad_norm):.1e}",
        ),
        row("cost J(Theta_a)", f"{p.a.cost:.12f}", f"{d.a.cost:.12f}"),
        row("|J(Theta_a) - J(Theta_b)|", f"{p.cost_diff:.1e}", f"{d.cost_diff:.1e}"),
        row(
            "|psi|, psi = mean row of Theta_a - Theta_b",
            f"{np.linalg.norm(p.psi):.6g}",
            f"{np.linalg.norm(d.psi):.1e}",
        ),
        row("max |(Theta_a - Theta_b) - 1 psi^T|", f"{p.spread:.1e}", f"{d.spread:.1e}"),
        row("max_i |h_a(x_i) - h_b(x_i)|", f"{p.prob_diff:.1e}", f"{d.prob_diff:.1e}"),
        row(
            "max |sum_k theta_k| (fit a, fit b)",
            f"{np.max(np.abs(p.row_sum_a)):.1e}, {np.max(np.abs(p.row_sum_b)):.3g}",
            f"{np.max(np.abs(d.row_sum_a)):.1e}, {np.max(np.abs(d.row_sum_b)):.1e}",
        ),
        row(
            "Hessian: smallest eigenvalue",
            f"{r.hessian.smallest:.1e}",
            f"{r.decayed_hessian.smallest:.6g}",
        ),
        row(
            "  next eigenvalue above its eigenspace",
            f"{r.hessian.eigenvalues[r.hessian.dimension]:.4g}",
            f"{r.decayed_hessian.eigenvalues[r.decayed_hessian.dimension]:.4g}",
        ),
        row(
            "  dimension of its eigenspace",
            str(r.hessian.dimension),
            str(r.decayed_hessian.dimension),
        ),
        row(
            "  eigenvector's blocks: max |v_k - mean|",
            f"{r.hessian.block_spread:.1e}",
            f"{r.decayed_hessian.block_spread:.1e}",
        ),
        row(
            "  distance of 1 kron psi/|.| to eigenspace",
            f"{r.hessian.shift_residual:.1e}",
            f"{r.decayed_hessian.shift_residual:.1e}",
        ),
        "",
        f"Without decay the fits differ by the row shift psi = {_vector(p.psi)};",
        f"the conserved row sums predict {_vector(r.predicted_psi)}.",
        f"The gradient's rows sum to zero: max |sum_k grad_theta_k J| = {r.start_grad_row_sum:.1e} "
        "at the starts,",
        f"where |grad J| >= {r.start_grad_norm:.3g}: gradient descent keeps sum_k theta_k.",
        f"With decay ({lam}) the minimizer is unique, its rows sum to 0, and the smallest",
        f"Hessian eigenvalue is lambda, on the same eigenspace {{1 kron v}} of dimension {n}.",
    ]
    return "\n".join(lines)
