r"""Softmax regression is over-parameterized: a live demonstration with numbers.

Since :math:`h_{\Theta + \mathbf{1}\psi^T} = h_\Theta` for every :math:`\psi` and the gradient's
rows sum to :math:`\lambda \sum_k \theta_k` (see :mod:`symsoftmax.regression.model`),
gradient descent without weight decay from two starts that differ by a row shift
:math:`\mathbf{1}\psi_0^T` ends at two minimizers that differ by a row shift, with the same
probabilities and cost; with decay :math:`\lambda > 0` both reach the one minimizer, where
:math:`\sum_k \theta_k = 0`. The Hessian at the minimizer is singular exactly along
:math:`\{\mathbf{1} \otimes v\}` without decay, and has smallest eigenvalue
:math:`\lambda` there with decay.

:func:`overparameterization` runs the demonstration and returns the numbers, in the result
types :class:`OverparameterizationResult`, :class:`Comparison` and
:class:`HessianSpectrum`; :func:`symsoftmax.regression.report.format_table` and
:func:`symsoftmax.regression.figure.plot` show them.
The Example of :func:`overparameterization` runs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import numeric
from .data import blobs
from .model import Fit, _check_decay, _frozen, fit, gradient, hessian

__all__ = ["Comparison", "HessianSpectrum", "OverparameterizationResult", "overparameterization"]


def _frozen_labels(y: np.ndarray) -> np.ndarray:
    y = np.array(y)
    y.setflags(write=False)
    return y


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
