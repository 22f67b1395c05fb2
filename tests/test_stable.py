"""symsoftmax.lambdify: stable code for softmax patterns in user expressions."""

from __future__ import annotations

import sys
import warnings

import mpmath
import numpy as np
import pytest
import scipy.special
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import symsoftmax as ss
from symsoftmax.symbolic.functions import expand_definitions
from symsoftmax.symbolic.stable import (
    log_form_opt,
    log_product_opt,
    logsumexp_opt,
    max_shift_opt,
    merge_exp_opt,
    stabilized,
)


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


# --- references: the explicit definitions in mpmath at 50 digits ---

DPS = 50


def mp_softmax(values) -> list[mpmath.mpf]:
    """sigma_i = e^{z_i} / sum_j e^{z_j}, in mpmath (no overflow), at the float inputs."""
    with mpmath.workdps(DPS):
        e = [mpmath.exp(mpmath.mpf(float(v))) for v in values]
        total = mpmath.fsum(e)
        return [x / total for x in e]


def mp_lse(values) -> mpmath.mpf:
    with mpmath.workdps(DPS):
        return mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in values))


def as_float(value) -> float:
    """The float64 nearest ``value``, or nan where it is no finite float64."""
    x = float(value)
    return x if np.isfinite(x) else float("nan")


def close(got, want, rel: float = 1e-13) -> bool:
    """Relative agreement; a value below the smallest normal float counts as its rounding."""
    got, want = float(got), float(want)
    return abs(got - want) <= rel * abs(want) + 1e-300


MODULES = ["numpy", "math"]
Z3 = ss.logits(3)
LARGE = [(1000.0, 0.0, 0.0), (803.0, 800.0, 0.0), (-1000.0, 0.0, 0.0), (-1000.0, -1001.0, -999.0)]

# (name, expression in z, its value from sigma = mp_softmax(z) and lse = mp_lse(z))
S = ss.softmax(Z3)
POWERS = [
    ("sigma_1^2", S[0] ** 2, lambda s, lse: s[0] ** 2),
    ("sigma_1^3", S[0] ** 3, lambda s, lse: s[0] ** 3),
    ("sigma_1 sigma_2", S[0] * S[1], lambda s, lse: s[0] * s[1]),
    ("sigma_3^2 / sigma_2", S[2] ** 2 / S[1], lambda s, lse: s[2] ** 2 / s[1]),
    ("sqrt(sigma_3)", sp.sqrt(S[2]), lambda s, lse: mpmath.sqrt(s[2])),
    (
        "sigma_1^2 LSE",
        S[0] ** 2 * sp.log(sum(sp.exp(x) for x in Z3)),
        lambda s, lse: s[0] ** 2 * lse,
    ),
]


@pytest.mark.parametrize("modules", MODULES)
@pytest.mark.parametrize("values", LARGE)
@pytest.mark.parametrize(("name", "expr", "exact"), POWERS, ids=[p[0] for p in POWERS])
def test_powers_and_products_of_softmax_entries(name, expr, exact, values, modules) -> None:
    # SymPy stores sigma_1^2 as exp(2 z_1)/S**2: the shift must reach the square too.
    got = no_warnings(ss.lambdify(Z3, expr, modules=modules), *values)
    want = exact(mp_softmax(values), mp_lse(values))
    assert close(got, want), (name, values, got, float(want))


def test_square_of_a_softmax_entry_was_nan() -> None:
    # The failure avoided (issue 13): sympy.lambdify, and ss.lambdify before, gave nan.
    with np.errstate(all="ignore"):
        assert np.isnan(sp.lambdify(list(Z3), S[0] ** 2)(1000.0, 0.0, 0.0))
    assert no_warnings(ss.lambdify(Z3, S[0] ** 2), 1000, 0, 0) == 1.0  # integers in, too


def mp_jacobian(values) -> np.ndarray:
    """J_ij = sigma_i (delta_ij - sigma_j), the closed form, at 50 digits then rounded."""
    s = mp_softmax(values)
    with mpmath.workdps(DPS):
        return np.array([[float(s[i] * ((i == j) - s[j])) for j in range(3)] for i in range(3)])


@pytest.mark.parametrize("modules", MODULES)
@pytest.mark.parametrize("values", [(803.0, 800.0, 0.0), (1000.0, 0.0, 0.0), (0.0, -1000.0, 999.0)])
def test_sympy_jacobian_and_lse_hessian(values, modules) -> None:
    # What SymPy differentiates itself: Matrix.jacobian of the explicit softmax and
    # sp.hessian of log sum exp, both sigma_i delta_ij - sigma_i sigma_j (nan before).
    J = S.jacobian(Z3)
    H = sp.hessian(sp.log(sum(sp.exp(x) for x in Z3)), Z3)
    want = mp_jacobian(values)
    for M in (J, H):
        got = np.array(no_warnings(ss.lambdify(Z3, M.tolist(), modules=modules), *values))
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)


LOG_SIGMA = [
    ("log Softmax", sp.log(ss.Softmax(Z3, 3, 1))),
    ("log sigma", sp.log(S[0])),
    ("log sigma^2 / 2", sp.log(S[0] ** 2) / 2),
]


@pytest.mark.parametrize("modules", MODULES)
@pytest.mark.parametrize(("name", "expr"), LOG_SIGMA, ids=[e[0] for e in LOG_SIGMA])
@pytest.mark.parametrize("values", [(-1000.0, 0.0, 0.0), (1000.0, 0.0, 0.0), (-1000.0, 999.0, 0.0)])
def test_log_of_a_softmax_entry(name, expr, values, modules) -> None:
    # log sigma_1 = z_1 - LSE(z): -1000.693... at (-1000, 0, 0), not log(0) = -inf (numpy)
    # or a math domain error (math).
    got = no_warnings(ss.lambdify(Z3, expr, modules=modules), *values)
    want = scipy.special.log_softmax(np.array(values))[0]
    assert got == pytest.approx(want, rel=1e-15), name


@pytest.mark.parametrize("modules", MODULES)
def test_cross_entropy_loss_of_the_readme(modules) -> None:
    # -sum_k y_k log sigma_k, with the target on a class that has probability e^{-1000}.
    y = sp.symbols("y_1:4", real=True)
    for sigma in (list(S), [ss.Softmax(Z3, 3, n) for n in (1, 2, 3)]):
        loss = -sum(yk * sp.log(sk) for yk, sk in zip(y, sigma, strict=True))
        f = ss.lambdify([*Z3, *y], loss, modules=modules)
        got = no_warnings(f, -1000.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        assert got == pytest.approx(-float(mpmath.log(mp_softmax([-1000, 0, 0])[0])), rel=1e-15)


z1, z2 = Z3[0], Z3[1]
x = sp.Symbol("x", real=True)
CONSTANT_TERMS = [
    # a constant c among the exponentials is e^{log c} and joins the maximum
    ("e^z1 / (1 + e^z1 + e^z2)", [z1, z2], sp.exp(z1) / (1 + sp.exp(z1) + sp.exp(z2)), [0, 1]),
    ("e^z1 / (2 + 3 e^z1 + e^z2)", [z1, z2], sp.exp(z1) / (2 + 3 * sp.exp(z1) + sp.exp(z2)), None),
    ("1 / (1 + e^-x)", [x], 1 / (1 + sp.exp(-x)), None),
    ("log(1 + e^x)", [x], sp.log(1 + sp.exp(x)), None),
    ("log(e^z1 / (1 + e^z2))", [z1, z2], sp.log(sp.exp(z1) / (1 + sp.exp(z2))), None),
]


def mp_value(expr, symbols, values) -> mpmath.mpf:
    """The explicit expression evaluated by SymPy at 50 digits (exact inputs, no overflow)."""
    point = {s: sp.Float(float(v), DPS) for s, v in zip(symbols, values, strict=True)}
    return sp.N(expr.xreplace(point), DPS)


@pytest.mark.parametrize("modules", MODULES)
@pytest.mark.parametrize(
    ("name", "symbols", "expr", "_"), CONSTANT_TERMS, ids=[c[0] for c in CONSTANT_TERMS]
)
def test_ratios_with_constant_terms(name, symbols, expr, _, modules) -> None:
    f = ss.lambdify(symbols, expr, modules=modules)
    for point in [(1000.0, 0.0), (-1000.0, 0.0), (0.0, 1000.0), (803.0, 800.0), (1.5, -2.0)]:
        values = point[: len(symbols)]
        got, want = no_warnings(f, *values), mp_value(expr, symbols, values)
        assert close(got, want), (name, values, got, want)


def test_constant_in_the_maximum_broadcasts_over_arrays() -> None:
    # max(0, z_1, z_2) with arrays for z_1 and z_2 (and a row against a column).
    expr = sp.exp(z1) / (1 + sp.exp(z1) + sp.exp(z2))
    a, b = np.array([[1000.0], [-1000.0], [2.0]]), np.array([0.0, 1000.0])
    got = no_warnings(ss.lambdify([z1, z2], expr), a, b)
    want = np.vectorize(lambda u, v: float(mp_value(expr, [z1, z2], (u, v))))(a, b)
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-300)


def test_complex_exponents_are_left_alone() -> None:
    # No maximum of complex numbers: e^{ix} + e^{-ix} keeps its form.
    expr = sp.exp(sp.I * x) + sp.exp(-sp.I * x)
    assert stabilized(expr) == expr


# --- each rewrite alone: it fires on its pattern and keeps the value ---

REWRITE_CASES = [
    (log_product_opt, sp.log(sp.exp(2 * z1) / sum(sp.exp(t) for t in Z3) ** 2)),
    (log_form_opt, sp.log(ss.Softmax(Z3, 3, 2))),
    (log_form_opt, sp.log(ss.Sigmoid(x))),
    (logsumexp_opt, sp.log(2 + sp.exp(z1) + 3 * sp.exp(z2))),
    (max_shift_opt, 1 + sp.exp(z1) + sp.exp(z2)),
    (merge_exp_opt, sp.exp(z1) * sp.exp(-sp.Max(z1, z2)) * x),
]


@pytest.mark.parametrize(("optim", "expr"), REWRITE_CASES)
def test_each_rewrite_keeps_the_value(optim, expr) -> None:
    out = optim(expr)
    assert out != expr  # it fired
    symbols = sorted(expr.free_symbols, key=str)
    rng = np.random.default_rng(1)
    for _ in range(3):
        values = rng.uniform(-3, 3, len(symbols))
        # the value is kept: the rewritten form against the original, at 50 digits
        before = mp_value(expand_definitions(expr), symbols, values)
        after = mp_value(expand_definitions(out), symbols, values)
        assert abs(after - before) <= sp.Float("1e-40") * abs(before)


def test_max_shift_leaves_no_positive_exponent_in_the_sum() -> None:
    shifted = max_shift_opt(sp.exp(z1) + sp.exp(z2) + 1)
    (outside,) = [f for f in shifted.args if isinstance(f, sp.exp)]
    (inner,) = [f for f in shifted.args if isinstance(f, sp.Add)]
    assert outside == sp.exp(sp.Max(0, z1, z2))
    point = {z1: 700, z2: -3}
    assert all(t.exp.xreplace(point) <= 0 for t in inner.args)  # every exponent <= 0


@pytest.mark.parametrize(
    "bad", ["z_1 + 1", "__import__('os').getpid()", object()], ids=["str", "code", "object"]
)
def test_strings_and_other_objects_are_refused(bad) -> None:
    # strict sympify: a string is never parsed (parsing it runs Python code).
    with pytest.raises(TypeError, match="expr must be a SymPy expression"):
        stabilized(bad)
    with pytest.raises(TypeError, match="a string is not parsed"):
        ss.lambdify(Z3, [bad])


# --- the property: products, powers and quotients of softmax entries and LSE ---

FACTORS = {  # kind -> (expression for class n of K, its value from sigma and lse)
    "sigma": (lambda z, K, n: ss.softmax(z)[n], lambda s, lse, n: s[n]),
    "Softmax": (lambda z, K, n: ss.Softmax(z, K, n + 1), lambda s, lse, n: s[n]),
    "log sum exp": (lambda z, K, n: sp.log(sum(sp.exp(t) for t in z)), lambda s, lse, n: lse),
    "LogSumExp": (lambda z, K, n: ss.LogSumExp(z, K), lambda s, lse, n: lse),
}
FACTOR = st.tuples(
    st.sampled_from(sorted(FACTORS)), st.integers(0, 5), st.sampled_from([-2, -1, 1, 2, 3])
)
SCALE = st.sampled_from([1.0, 30.0, 1000.0])  # so that many values are finite floats


@settings(max_examples=25, deadline=None)
@given(
    K=st.integers(2, 4),
    unit=st.lists(st.floats(-1.0, 1.0), min_size=4, max_size=4),
    scale=SCALE,
    factors=st.lists(FACTOR, min_size=1, max_size=3),
)
def test_property_stable_lambdify_agrees_with_mpmath(K, unit, scale, factors) -> None:
    z = ss.logits(K)
    values = [u * scale for u in unit[:K]]
    s, lse = mp_softmax(values), mp_lse(values)
    # Near its root LSE is ill-conditioned (relative condition |sum_k sigma_k z_k| / |LSE|,
    # unbounded): no relative accuracy is to be had there, so those points are left out.
    assume(abs(lse) > 1e-3)
    expr, exact = sp.S.One, mpmath.mpf(1)
    with mpmath.workdps(DPS):
        for kind, n, power in factors:
            build, value = FACTORS[kind]
            expr *= build(z, K, n % K) ** power
            exact *= value(s, lse, n % K) ** power
    want = as_float(exact)
    if not (np.isfinite(want) and abs(want) >= sys.float_info.min):
        return  # not a normal float64: nothing to agree with to 1e-12
    for modules in MODULES:
        got = no_warnings(ss.lambdify(z, expr, modules=modules), *values)
        assert close(got, want, rel=1e-12), (modules, values, str(expr), got, want)
