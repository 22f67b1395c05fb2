"""symsoftmax.regression.model and .data: the cost, gradient and Hessian of softmax
regression against independent oracles (scipy, finite differences), gradient descent, and
bad input."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import scipy.special

from symsoftmax.regression import data, model


def random_model(seed: int, K: int = 3, n: int = 3, m: int = 20):
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((K, n))
    X = np.column_stack([np.ones(m), rng.standard_normal((m, n - 1))])
    y = rng.integers(0, K, m)
    return theta, X, y


def central_differences(f: Callable[[np.ndarray], float], theta: np.ndarray, h: float = 1e-6):
    out = np.zeros_like(theta)
    for idx in np.ndindex(theta.shape):
        e = np.zeros_like(theta)
        e[idx] = h
        out[idx] = (f(theta + e) - f(theta - e)) / (2 * h)
    return out


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("decay", [0.0, 0.3])
def test_the_gradient_rows_sum_to_lambda_times_the_rows(seed: int, decay: float) -> None:
    theta, X, y = random_model(seed)
    g = model.gradient(theta, X, y, decay=decay)
    # sum_k grad_{theta_k} J = lambda sum_k theta_k: zero without decay
    np.testing.assert_allclose(g.sum(axis=0), decay * theta.sum(axis=0), atol=1e-14)


# -- cost, gradient and Hessian against independent oracles ---------------------------------


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("decay", [0.0, 0.1])
def test_cost_against_scipy_logsumexp(seed: int, decay: float) -> None:
    theta, X, y = random_model(seed)
    Z = X @ theta.T
    expected = np.mean(scipy.special.logsumexp(Z, axis=1) - Z[np.arange(len(y)), y])
    expected += 0.5 * decay * np.sum(theta**2)
    assert model.cost(theta, X, y, decay=decay) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("decay", [0.0, 0.1])
def test_gradient_against_central_differences_of_the_cost(seed: int, decay: float) -> None:
    theta, X, y = random_model(seed)
    analytic = model.gradient(theta, X, y, decay=decay)
    numeric = central_differences(lambda t: model.cost(t, X, y, decay=decay), theta)
    np.testing.assert_allclose(analytic, numeric, atol=1e-8, err_msg="analytic vs numeric")


@pytest.mark.parametrize("seed", range(3))
def test_hessian_against_differences_of_the_gradient(seed: int) -> None:
    theta, X, y = random_model(seed)
    h = 1e-6
    columns = []
    for idx in np.ndindex(theta.shape):
        e = np.zeros_like(theta)
        e[idx] = h
        g = model.gradient(theta + e, X, y) - model.gradient(theta - e, X, y)
        columns.append(g.ravel() / (2 * h))  # vec(theta) = theta.ravel(): rows stacked
    np.testing.assert_allclose(model.hessian(theta, X), np.column_stack(columns), atol=1e-8)


def test_hessian_against_the_kronecker_sum_by_hand() -> None:
    theta, X, _ = random_model(7, K=4, n=2, m=5)
    H = np.zeros((8, 8))
    for x in X:
        s = scipy.special.softmax(theta @ x)
        H += np.kron(np.diag(s) - np.outer(s, s), np.outer(x, x)) / len(X)
    np.testing.assert_allclose(model.hessian(theta, X, decay=0.5), H + 0.5 * np.eye(8), atol=1e-15)


def test_fit_without_decay_keeps_the_row_sum() -> None:
    theta0, X, y = random_model(3, m=60)
    f = model.fit(theta0 + 5.0, X, y, tol=1e-9)
    assert f.converged
    np.testing.assert_allclose(f.theta.sum(axis=0), (theta0 + 5.0).sum(axis=0), atol=1e-10)


# -- bad input ------------------------------------------------------------------------------

THETA, X, Y = random_model(0)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: model.cost(THETA, X[:, :2], Y), ValueError, "X of shape (20, 2) has 2 features"),
        (lambda: model.gradient(THETA.T[:2], X, Y), ValueError, "theta of shape (2, 3)"),
        (lambda: model.cost(THETA, X, Y[:-1]), ValueError, "labels y of shape (19,)"),
        (lambda: model.cost(THETA, X, Y[:, None]), ValueError, "labels y of shape (20, 1)"),
        (lambda: model.cost(THETA, X, np.r_[Y[:-1], 3]), ValueError, "0..2"),
        (lambda: model.cost(THETA, X, np.r_[-1, Y[1:]]), ValueError, "got y[0] = -1"),
        (lambda: model.cost(THETA, X, Y.astype(float)), TypeError, "integers in 0..K-1"),
        (lambda: model.cost(THETA, X, Y, decay=-0.1), ValueError, "lambda must be"),
        (lambda: model.gradient(THETA[:1], X, Y * 0), ValueError, "K >= 2 rows"),
        (lambda: model.hessian(THETA[0], X), ValueError, "matrix (2 axes), got shape (3,)"),
        (lambda: model.hessian(THETA, np.full_like(X, np.nan)), ValueError, "must be finite"),
        (lambda: model.cost("abc", X, Y), TypeError, "theta must be a real numeric matrix"),
        (lambda: model.fit(THETA, X, Y, step=0.0), ValueError, "step must be"),
        (lambda: model.fit(THETA, X, Y, tol=0.0), ValueError, "tol must be > 0"),
        (lambda: data.blobs(K=1), ValueError, "K must be an int >= 2"),
        (lambda: data.blobs(K=3, m=2), ValueError, "m must be >= K = 3"),
    ],
)
def test_bad_input_raises_with_the_shapes_or_values(call, error, words: str) -> None:
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)
