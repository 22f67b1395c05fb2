"""Softmax and LogSumExp as SymPy functions: the chain rule against expanded exponentials,
rewrite, printing, numbers, stable lambdify, and bad input."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import scipy.special
import sympy as sp

import symsoftmax as ss
from symsoftmax.symbolic.functions import expand_definitions
from symsoftmax.symbolic.sums import sift_deltas

z = sp.IndexedBase("z", real=True)
i, j, k, p, q = sp.symbols("i j k p q", integer=True, positive=True)
beta = sp.Symbol("beta", positive=True)
K_ = sp.Symbol("K", integer=True, positive=True)


def explicit(expr: sp.Expr) -> sp.Expr:
    """Everything written out in exponentials (concrete K): the independent reference."""
    return expand_definitions(expr).doit()


def numerically_equal(a: sp.Expr, b: sp.Expr, symbols, seed: int = 0) -> bool:
    rng = np.random.default_rng(seed)
    for _ in range(3):
        point = {s: sp.Float(rng.uniform(-2, 2), 40) for s in symbols}
        x, y = (sp.N(e.xreplace(point), 40) for e in (a, b))
        if abs(x - y) > sp.Float("1e-30") * max(1, abs(x)):
            return False
    return True


def assert_same(ours: sp.Expr, reference: sp.Expr, symbols) -> None:
    ours = explicit(ours)
    assert numerically_equal(ours, reference, symbols)  # at 40 digits, three random points
    assert sp.simplify(ours - reference) == 0  # and SymPy agrees symbolically


@pytest.mark.parametrize("K", [2, 3, 4])
def test_chain_rule_through_a_temperature(K: int) -> None:
    u = sp.Lambda(k, beta * z[k])
    zs = [z[n] for n in range(1, K + 1)]
    for a in range(1, K + 1):
        s = ss.Softmax(u, K, a)
        reference = explicit(s)
        # d sigma_a / d beta and d sigma_a / d z_1 against SymPy's derivative of exp / sum exp
        assert_same(sp.diff(s, beta), sp.diff(reference, beta), [*zs, beta])
        assert_same(sp.diff(s, z[1]), sp.diff(reference, z[1]), [*zs, beta])


@pytest.mark.parametrize("K", [2, 3])
def test_chain_rule_through_affine_logits_and_cross_entropy(K: int) -> None:
    n = 2
    W = sp.IndexedBase("W", real=True)
    x = sp.IndexedBase("x", real=True)
    b = sp.IndexedBase("b", real=True)
    y = sp.IndexedBase("y", real=True)
    u = sp.Lambda(k, sum(W[k, c] * x[c] for c in range(1, n + 1)) + b[k])
    loss = -sum(y[c] * sp.log(ss.Softmax(u, K, c)) for c in range(1, K + 1))
    symbols = [W[r, c] for r in range(1, K + 1) for c in range(1, n + 1)]
    symbols += [x[c] for c in range(1, n + 1)] + [b[r] for r in range(1, K + 1)]
    symbols += [y[r] for r in range(1, K + 1)]
    reference = explicit(loss)
    for r in range(1, K + 1):
        for c in range(1, n + 1):
            ours = sp.diff(loss, W[r, c])
            assert_same(ours, sp.diff(reference, W[r, c]), symbols)
            # with sum_k y_k = 1 the gradient is (sigma_r - y_r) x_c
            on_simplex = {y[K]: 1 - sum(y[t] for t in range(1, K))}
            closed = (ss.Softmax(u, K, r) - y[r]) * x[c]
            assert sp.simplify(explicit(ours - closed).subs(on_simplex)) == 0


def test_gradient_of_a_loss_for_symbolic_K_is_sigma_minus_y_times_x() -> None:
    n = sp.Symbol("n", integer=True, positive=True)
    a = sp.Symbol("a", integer=True, positive=True)
    W, x, b, y = (sp.IndexedBase(name, real=True) for name in "Wxby")
    u = sp.Lambda(k, sp.Sum(W[k, a] * x[a], (a, 1, n)) + b[k])
    loss = -sp.Sum(y[k] * sp.log(ss.Softmax(u, K_, k)), (k, 1, K_))
    grad = sift_deltas(sp.diff(loss, W[p, q])).subs(sp.Sum(y[k], (k, 1, K_)), 1)
    assert sp.expand(grad - (ss.Softmax(u, K_, p) - y[p]) * x[q]) == 0
    assert not grad.has(sp.exp)  # stays in terms of sigma: no page of exponentials


def test_log_softmax_derivative_stays_in_sigma() -> None:
    u = sp.Lambda(k, beta * z[k])
    d = sp.diff(sp.log(ss.Softmax(u, K_, i)), z[j])
    assert sp.expand(d - beta * (sp.KroneckerDelta(i, j) - ss.Softmax(u, K_, j))) == 0


def test_lse_gradient_is_softmax_not_zero() -> None:
    # SymPy's matrix calculus gives 0 for d/dx log(1^T exp(x)); ours must not.
    lse = ss.LogSumExp(sp.Lambda(k, z[k]), K_)
    assert sp.diff(lse, z[j]) == ss.Softmax(sp.Lambda(k, z[k]), K_, j)
    three = ss.LogSumExp(sp.Lambda(k, z[k]), 3)
    zs = [z[1], z[2], z[3]]
    assert_same(sp.diff(three, z[2]), sp.diff(explicit(three), z[2]), zs)


def test_rewrite_latex_and_str() -> None:
    s = ss.Softmax(sp.Lambda(k, z[k]), K_, i)
    assert s.rewrite(sp.exp) == sp.exp(z[i]) / sp.Sum(sp.exp(z[k]), (k, 1, K_))
    assert sp.latex(s) == r"\sigma(\mathbf{z})_{i}"
    assert sp.latex(ss.Softmax(sp.Lambda(k, beta * z[k]), K_, i)) == r"\sigma(\beta \mathbf{z})_{i}"
    assert sp.latex(ss.LogSumExp(sp.Lambda(k, z[k]), K_)) == r"\operatorname{LSE}(\mathbf{z})"
    assert sp.latex(ss.Softmax(ss.logits(3), 3, 2)) == r"\sigma(\mathbf{z})_{2}"
    assert str(ss.Softmax(sp.Lambda(k, beta * z[k]), K_, i)) == "σ(beta*z)[i]"


def test_latex_of_powers() -> None:
    # SymPy's printer hands a power's exponent to the function's _latex (as for sin^2).
    zs = ss.logits(3)
    assert sp.latex(ss.Softmax(zs, 3, 1) ** 2) == r"\sigma(\mathbf{z})_{1}^{2}"
    assert sp.latex(ss.LogSumExp(zs, 3) ** 3) == r"\operatorname{LSE}(\mathbf{z})^{3}"
    assert sp.latex(ss.Sigmoid(zs[0]) ** 2) == r"\operatorname{sigmoid}\left(z_{1}\right)^{2}"


def test_explicit_vector_of_logits_symbols_matches_softmax() -> None:
    zs = ss.logits(4)
    explicit_softmax = ss.softmax(zs)
    for a in range(4):
        s = ss.Softmax(zs, 4, a + 1)
        assert sp.simplify(s.rewrite(sp.exp) - explicit_softmax[a]) == 0
        # the Jacobian through the function object equals SymPy's differentiation
        for c in range(4):
            ours = explicit(sp.diff(s, zs[c]))
            assert sp.simplify(ours - sp.diff(explicit_softmax[a], zs[c])) == 0


@pytest.mark.parametrize(
    "values",
    [(0.5, -1.0, 2.0), (1000.0, 0.0, 0.0), (803.0, 800.0, 0.0), (-1000.0, -1001.0, -999.0)],
)
def test_numbers_evalf_and_stable_lambdify(values) -> None:
    u = sp.Lambda(k, z[k])
    zs = [z[1], z[2], z[3]]
    # The references: scipy's float64 softmax and logsumexp (not SymPy's or mpmath's exp).
    reference = scipy.special.softmax(np.array(values))
    lse_reference = scipy.special.logsumexp(np.array(values))
    for a in range(3):
        s = ss.Softmax(u, 3, a + 1)
        point = dict(zip(zs, values, strict=True))
        # e^{-1000} underflows to 0.0 in both: then the two are the same 0.0
        assert math.isclose(float(s.evalf(30, subs=point)), reference[a], rel_tol=1e-14)
        assert math.isclose(float(sp.N(s.subs(point))), reference[a], rel_tol=1e-14)
        f = sp.lambdify(zs, s, "numpy")
        assert np.isfinite(f(*values))  # the naive exp / sum exp overflows to nan here
        assert math.isclose(float(f(*values)), reference[a], rel_tol=1e-12, abs_tol=1e-300)
    g = sp.lambdify(zs, ss.LogSumExp(u, 3), "numpy")
    assert math.isclose(float(g(*values)), lse_reference, rel_tol=1e-14)


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: ss.Softmax(sp.Lambda(k, z[k]), sp.Rational(5, 2), 1), ValueError, "K must be"),
        (lambda: ss.Softmax(sp.Lambda(k, z[k]), 1, 1), ValueError, "K must be an integer >= 2"),
        (lambda: ss.Softmax(ss.logits(2), 3, 1), ValueError, "does not have K = 3"),
        (lambda: ss.Softmax(sp.Lambda(k, z[k]), 3, 5), ValueError, r"in 1\.\.3"),
        (lambda: ss.Softmax(sp.Lambda(k, z[k]), 3, sp.Rational(1, 2)), ValueError, "integer"),
        (lambda: ss.Softmax("z", 3, 1), TypeError, "Lambda"),
        (lambda: ss.LogSumExp(sp.Lambda((i, j), z[i]), 3), TypeError, "Lambda k -> u_k"),
        # z_5 is not one of the three logits: the chain rule meets sigma_5 and says so
        (lambda: sp.diff(ss.Softmax(sp.Lambda(k, z[k]), 3, 1), z[5]), ValueError, r"in 1\.\.3"),
        (lambda: sp.lambdify([i], ss.Softmax(sp.Lambda(k, z[k]), K_, i)), ValueError, "symbolic"),
    ],
)
def test_bad_input_is_refused_clearly(make, error, words) -> None:
    with pytest.raises(error, match=words):
        make()


def test_sigmoid_lambdifies_stably() -> None:
    x = sp.Symbol("x", real=True)
    f = sp.lambdify(x, ss.Sigmoid(x))
    t = np.linspace(-700.0, 700.0, 2001)
    with np.errstate(over="raise", invalid="raise"):  # no overflow on the way
        got = f(t)
    with mpmath.workdps(30):
        want = np.array([float(1 / (1 + mpmath.exp(-mpmath.mpf(v)))) for v in t])
    assert np.all(np.abs(got - want) <= 1e-13 * want)  # relative error, over e^{+-700}


@pytest.mark.parametrize("modules", ["math", "mpmath"])
def test_sigmoid_lambdifies_without_numpy(modules: str) -> None:
    # The reference is scipy's expit, not 1 / (1 + mpmath.exp(-x)), which is the mpmath code.
    x = sp.Symbol("x", real=True)
    f = sp.lambdify(x, ss.Sigmoid(x), modules)
    for value in (-800.0, -3.0, 0.0, 2.5, 800.0):
        want = scipy.special.expit(value)  # 0.0 at -800 (e^{-800} underflows), 1.0 at 800
        assert float(f(value)) == pytest.approx(want, rel=1e-15, abs=1e-300)


def test_sigmoid_of_unsigned_integers() -> None:
    from scipy.special import expit

    x = sp.Symbol("x", real=True)
    got = sp.lambdify(x, ss.Sigmoid(x))(np.array([0, 1, 2, 200], dtype=np.uint8))
    assert np.allclose(got, expit(np.array([0.0, 1.0, 2.0, 200.0])), rtol=1e-15)
