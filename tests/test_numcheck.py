"""The numeric check's evaluator against references computed here, independently.

The evaluator (``numcheck._Point``) computes sums by running their index, derivatives with
mpmath's finite differences and limits at points of a sequence, with no explicit SymPy
expression built first. Each value here is compared with a closed form, a formula derived by
hand and computed with mpmath at 100 digits, or SymPy's own ``doit``; then ``check`` must
reject a difference of 1e-50 and accept a true identity whose sides cancel heavily.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy as sp

import symsoftmax as ss
from symsoftmax.engine.numcheck import _Point, check

S = ss.ClassSpace.of(None)
x, y = sp.symbols("x y", real=True)
t = sp.Symbol("t", positive=True)
k, n = sp.Symbol("k", integer=True), sp.Symbol("n", integer=True, positive=True)


def _never(atom: sp.Expr) -> sp.Expr:
    raise AssertionError(f"{atom} was not given a value by the test")


def evaluate(expr: sp.Expr, values: dict, fixed: dict | None = None, digits: int = 60):
    """``expr`` by the evaluator at exactly the given values, to ``digits`` digits."""
    point = _Point(fixed or {}, {a: sp.nsimplify(v) for a, v in values.items()}, _never, dps=40)
    return point.value(expr, digits)


def assert_close(value: sp.Expr, reference: mpmath.mpf, digits: int) -> None:
    """|value - reference| <= 10^-(digits - 10) max(1, |reference|): the check's tolerance."""
    with mpmath.workdps(digits + 40):
        error = abs(mpmath.mpf(value) - reference)
        assert error <= mpmath.mpf(10) ** -(digits - 10) * max(1, abs(reference)), (
            f"evaluator: {value}\nreference: {mpmath.nstr(reference, digits)}"
        )


# -- sums ----------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [0, 1, 7, 30])
def test_a_geometric_series_is_its_closed_form(length: int) -> None:
    # sum_{k=0}^{n} r^k = (1 - r^{n+1}) / (1 - r), with n a size given by the point
    r = Fraction(2, 7)
    closed = (1 - r ** (length + 1)) / (1 - r)
    value = evaluate(sp.Sum(x**k, (k, 0, n)), {x: sp.Rational(2, 7)}, {n: length})
    with mpmath.workdps(100):
        assert_close(value, mpmath.mpf(closed.numerator) / closed.denominator, 60)


# Karr's convention, as SymPy defines a sum whose upper bound is below its lower one:
# sum_{k=a}^{b} f = - sum_{k=b+1}^{a-1} f for b < a - 1, and 0 for b = a - 1.
# (lower, upper, the value for f(k) = k^2 + 1 worked out by hand)
KARR = [
    (2, 5, 5 + 10 + 17 + 26),
    (3, 3, 10),
    (3, 2, 0),
    (3, 1, -5),
    (5, 2, -(10 + 17)),
    (0, -3, -(5 + 2)),
]


@pytest.mark.parametrize(("lower", "upper", "by_hand"), KARR)
def test_a_reversed_sum_follows_karrs_convention(lower: int, upper: int, by_hand: int) -> None:
    a, b = sp.symbols("a b", integer=True)
    written = sp.Sum(k**2 + 1, (k, a, b))
    value = evaluate(written, {}, {a: lower, b: upper})
    assert value - by_hand == 0
    assert written.subs({a: lower, b: upper}).doit() == by_hand  # and SymPy agrees


def test_an_inner_bound_may_be_the_outer_index() -> None:
    # sum_{j=1}^{n} sum_{k=1}^{j} k = n (n + 1) (n + 2) / 6: the inner sum depends on j, so
    # nothing of it may be reused from one j to the next
    j = sp.Symbol("j", integer=True)
    value = evaluate(sp.Sum(k, (k, 1, j), (j, 1, n)), {}, {n: 9})
    assert value - 9 * 10 * 11 // 6 == 0


def test_a_shared_denominator_is_the_same_at_every_index() -> None:
    # sum_k e^{z_k} / sum_l e^{z_l} = 1 and sum_k k e^{z_k} / sum_l e^{z_l}, by hand
    z = [sp.Rational(1, 3), sp.Rational(-2), sp.Rational(5, 4), sp.Rational(7, 2)]
    values = {S.z[m + 1]: v for m, v in enumerate(z)}
    with mpmath.workdps(100):
        e = [mpmath.exp(mpmath.mpf(v.p) / v.q) for v in z]
        mean = mpmath.fsum((m + 1) * w for m, w in enumerate(e)) / mpmath.fsum(e)
    fixed = {S.K: 4}
    assert_close(evaluate(S.sum(S.sigma(S.k)), values, fixed), mpmath.mpf(1), 60)
    assert_close(evaluate(S.sum(S.k * S.sigma(S.k)), values, fixed), mean, 60)


# -- derivatives ---------------------------------------------------------------------------


@pytest.mark.parametrize("digits", [60, 100])
def test_the_derivative_of_exp_2x(digits: int) -> None:
    # d/dx e^{2x} = 2 e^{2x}
    value = evaluate(sp.Derivative(sp.exp(2 * x), x), {x: sp.Rational(7, 10)}, digits=digits)
    with mpmath.workdps(digits + 40):
        assert_close(value, 2 * mpmath.exp(mpmath.mpf(7) / 5), digits)


LOGITS = [sp.Rational(1, 3), sp.Rational(-2), sp.Rational(5, 4)]


def _softmax() -> list[mpmath.mpf]:
    e = [mpmath.exp(mpmath.mpf(v.p) / v.q) for v in LOGITS]
    return [w / mpmath.fsum(e) for w in e]


@pytest.mark.parametrize(("i", "j"), [(1, 1), (1, 2), (3, 2), (3, 3)])
@pytest.mark.parametrize("digits", [60, 100])
def test_the_softmax_jacobian_entry(i: int, j: int, digits: int) -> None:
    # d sigma_i / d z_j = sigma_i (delta_ij - sigma_j), sigma computed here with mpmath
    values = {S.z[m + 1]: v for m, v in enumerate(LOGITS)}
    expr = sp.Derivative(S.sigma(S.i), S.z[S.j])
    value = evaluate(expr, values, {S.K: 3, S.i: i, S.j: j}, digits)
    with mpmath.workdps(digits + 40):
        s = _softmax()
        assert_close(value, s[i - 1] * ((i == j) - s[j - 1]), digits)


@pytest.mark.parametrize(("i", "j"), [(1, 1), (1, 2), (2, 3)])
@pytest.mark.parametrize("digits", [60, 100])
def test_the_hessian_of_logsumexp(i: int, j: int, digits: int) -> None:
    # d^2 LSE / dz_i dz_j = sigma_i (delta_ij - sigma_j): at i = j the two variables are
    # one entry, differentiated twice
    values = {S.z[m + 1]: v for m, v in enumerate(LOGITS)}
    expr = sp.Derivative(S.lse(), S.z[S.i], S.z[S.j])
    value = evaluate(expr, values, {S.K: 3, S.i: i, S.j: j}, digits)
    with mpmath.workdps(digits + 40):
        s = _softmax()
        assert_close(value, s[i - 1] * ((i == j) - s[j - 1]), digits)


@pytest.mark.parametrize("digits", [60, 100])
def test_a_second_partial_derivative(digits: int) -> None:
    # d^2/dx dy e^{x y} = e^{x y} (1 + x y)
    at = {x: sp.Rational(3, 4), y: sp.Rational(-5, 3)}
    value = evaluate(sp.Derivative(sp.exp(x * y), x, y), at, digits=digits)
    with mpmath.workdps(digits + 40):
        xy = mpmath.mpf(3) / 4 * (mpmath.mpf(-5) / 3)
        assert_close(value, mpmath.exp(xy) * (1 + xy), digits)


def test_a_second_derivative_at_a_substituted_point() -> None:
    # d^2/dt^2 (t e^{a t}) = a e^{a t} (2 + a t), which is 2a at t = 0
    a = sp.Symbol("a", real=True)
    expr = sp.Subs(sp.Derivative(t * sp.exp(a * t), (t, 2)), t, 0)
    assert_close(evaluate(expr, {a: sp.Rational(-13, 4)}), mpmath.mpf(-13) / 2, 60)


def test_a_variable_outside_the_sum_has_derivative_zero() -> None:
    # d/dz_7 sum_{k=1}^{5} e^{z_k} = 0 exactly: no term moves
    values = {S.z[m]: sp.Rational(m, 3) for m in range(1, 8)}
    expr = sp.Derivative(sp.Sum(sp.exp(S.z[S.k]), (S.k, 1, 5)), S.z[7])
    assert evaluate(expr, values) == 0


def test_a_higher_precision_is_computed_again() -> None:
    # the same point at 60 and then 120 digits: nothing computed at 60 is reused at 120
    point = _Point({}, {x: sp.Rational(1, 3)}, _never, dps=40)
    expr = sp.Derivative(sp.exp(x) * sp.log(1 + x), x)
    with mpmath.workdps(160):
        third = mpmath.mpf(1) / 3
        exact = mpmath.exp(third) * (mpmath.log(1 + third) + 1 / (1 + third))
    for digits in (60, 120):
        assert_close(point.value(expr, digits), exact, digits)


# -- limits --------------------------------------------------------------------------------


def test_a_limit_is_taken_along_its_sequence() -> None:
    # at infinity the points are 10^4, 10^5, 10^6: (1 + 1/t) there, exactly
    for far in (0, 1, 2):
        point = _Point({}, {}, _never, dps=40, far=far)
        value = point.value(sp.Limit(1 + 1 / t, t, sp.oo), 60)
        with mpmath.workdps(100):
            assert_close(value, 1 + mpmath.mpf(10) ** -(4 + far), 60)


LIMITS = [
    ("e^{-t e^{z_i}} -> 0", sp.Eq(sp.Limit(sp.exp(-t * sp.exp(S.z[S.i])), t, sp.oo), 0), True),
    ("e^{t z_i} -> 1 at 0+", sp.Eq(sp.Limit(sp.exp(t * S.z[S.i]), t, 0, "+"), 1), True),
    ("1/t -> 1/10^4", sp.Eq(sp.Limit(1 / t, t, sp.oo), sp.Rational(1, 10**4)), False),
    (
        "e^{t z_i} -> 1 + 1e-20",
        sp.Eq(sp.Limit(sp.exp(t * S.z[S.i]), t, 0), 1 + sp.Rational(1, 10**20)),
        False,
    ),
]


@pytest.mark.parametrize(("what", "claim", "true"), LIMITS, ids=[c[0] for c in LIMITS])
def test_a_limit_is_checked(what: str, claim: sp.Basic, true: bool) -> None:
    assert (check(claim, S) is None) == true, what


# -- the tolerance -------------------------------------------------------------------------

# (e^x + e^-x)^2 - (e^x - e^-x)^2 = 4: with x up to 8 each square is near e^16 ~ 9e6 ... 1e14,
# so about 14 of the working digits cancel; what remains is rounding, which shrinks at twice
# the digits. A claim off by 1e-50 stays off at any precision.
_SQUARES = (sp.exp(t) + sp.exp(-t)) ** 2 - (sp.exp(t) - sp.exp(-t)) ** 2

TOLERANCE = [
    ("heavy cancellation", sp.Eq(_SQUARES, 4, evaluate=False), True),
    ("heavy cancellation, off by 1e-50", sp.Eq(_SQUARES, 4 + sp.Rational(1, 10**50)), False),
    (
        "sigma_i + 1e-50",
        sp.Eq(S.sigma(S.i), S.sigma(S.i) + sp.Rational(1, 10**50), evaluate=False),
        False,
    ),
    (
        "the Hessian of LSE",
        sp.Eq(
            sp.Derivative(S.lse(), S.z[S.i], S.z[S.j]),
            S.sigma(S.i) * (sp.KroneckerDelta(S.i, S.j) - S.sigma(S.j)),
        ),
        True,
    ),
    (
        "the Hessian of LSE + 1e-50",
        sp.Eq(
            sp.Derivative(S.lse(), S.z[S.i], S.z[S.j]),
            S.sigma(S.i) * (sp.KroneckerDelta(S.i, S.j) - S.sigma(S.j)) + sp.Rational(1, 10**50),
        ),
        False,
    ),
]


@pytest.mark.parametrize(("what", "claim", "true"), TOLERANCE, ids=[c[0] for c in TOLERANCE])
def test_rounding_is_accepted_and_a_tiny_difference_is_not(
    what: str, claim: sp.Basic, true: bool
) -> None:
    assert (check(claim, S) is None) == true, what


# -- what SymPy evaluates, and the report --------------------------------------------------


def test_a_node_the_evaluator_does_not_know_is_left_to_sympy() -> None:
    # Abs and Max are not rules of the evaluator: SymPy's evalf gives their values
    assert check(sp.GreaterThan(sp.Abs(S.z[S.i]), 0, evaluate=False), S) is None
    assert check(sp.GreaterThan(sp.Max(S.z[1], S.z[2]), S.z[1], evaluate=False), S) is None
    assert check(sp.Eq(sp.Abs(S.z[S.i]), S.z[S.i]), S) is not None


def test_a_mismatch_names_the_values_it_used() -> None:
    miss = check(sp.Eq(S.sigma(S.i), sp.Rational(1, 2)), S)
    assert miss is not None and miss.relation == "="
    i = miss.point["i"]
    # K, the index and every logit that sigma_i reads, nothing else
    assert set(miss.point) == {"K", "i"} | {f"z[{m}]" for m in range(1, int(miss.point["K"]) + 1)}
    assert 1 <= int(i) <= int(miss.point["K"])
