"""symsoftmax.lambdify: stable code for softmax patterns in user expressions."""

from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pytest
import scipy.special
import sympy as sp

import symsoftmax as ss


def no_warnings(f, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow or 0/0 would warn
        return f(*args)


def test_softmax_ratio_at_1000_0_0() -> None:
    z = ss.logits(3)
    naive = sp.lambdify(list(z), ss.softmax(z))
    with np.errstate(all="ignore"):
        assert np.isnan(naive(1000.0, 0.0, 0.0)).any()  # the failure avoided
    got = no_warnings(ss.lambdify(z, ss.softmax(z)), 1000.0, 0.0, 0.0)
    np.testing.assert_allclose(np.ravel(got), [1.0, 0.0, 0.0])


def test_log_of_a_softmax_entry_at_1000_1() -> None:
    z = ss.logits(2)
    f = ss.lambdify(z, sp.log(ss.softmax(z)[1]))
    # log softmax(1000, 1)_2 = 1 - logsumexp(1000, 1) = -999 - log1p(e^-999)
    assert no_warnings(f, 1000.0, 1.0) == pytest.approx(-999.0, rel=1e-15)


def test_jacobian_at_803_800_0() -> None:
    z = ss.logits(3)
    got = no_warnings(ss.lambdify(z, ss.jacobian(z)), 803.0, 800.0, 0.0)
    s = scipy.special.softmax([803.0, 800.0, 0.0])
    np.testing.assert_allclose(got, np.diag(s) - np.outer(s, s), rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("K", [2, 3, 6])
def test_nary_logsumexp(K: int) -> None:
    z = ss.logits(K)
    expr = sp.log(sum(sp.exp(x) for x in z))
    values = np.linspace(-1000, 1000, K)
    got = no_warnings(ss.lambdify(z, expr), *values)
    with mpmath.workdps(50):
        exact = mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in values))
    assert got == pytest.approx(float(exact), rel=1e-15)


def test_function_objects_and_arrays() -> None:
    z = ss.logits(3)
    f = ss.lambdify(z, ss.Softmax(z, 3, 2) + ss.LogSumExp(z, 3))
    x = np.array([[1000.0, 0.0], [999.0, 1.0], [0.0, 2.0]])
    got = no_warnings(f, *x)
    expected = scipy.special.softmax(x, axis=0)[1] + scipy.special.logsumexp(x, axis=0)
    np.testing.assert_allclose(got, expected, rtol=1e-14)


def test_other_expressions_behave_like_sympy_lambdify() -> None:
    x, y = sp.symbols("x y", real=True)
    expr = sp.sin(x) * y**2 + sp.exp(x) / (1 + y**2)
    ours, theirs = ss.lambdify([x, y], expr), sp.lambdify([x, y], expr)
    assert ours(0.3, 2.0) == theirs(0.3, 2.0)
