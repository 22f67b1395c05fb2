"""The toolkit against independent references.

Every value the toolkit produces is compared with something it did not compute, and not
computed the way the toolkit computes it: exact rational values (at logits z_k = n_k log 2,
e^{z_k} = 2^{n_k}, so softmax is 2^{n_k} / sum_j 2^{n_j}, in integers alone),
``scipy.special`` in float64, values derived by hand (1, 1/K), SymPy's own differentiation of
the explicit definition, and central finite differences at 40 digits. No expected value here
is copied from the code under test, and none is the same exp / sum exp in mpmath that
lambdifying the toolkit's formulas gives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import scipy.special
import sympy as sp

import symsoftmax as ss
from symsoftmax.symbolic.functions import expand_definitions

SEED = 20240521


# --- the references, independent of the package ---


def exact_softmax(n: Sequence[int], shift: int = 0) -> list[Fraction]:
    """softmax(z + c 1) at z_k = n_k log 2 and c = shift log 2, exactly.

    e^{z_k + c} = 2^{n_k + shift}, so the entries are the rationals 2^{n_k + shift} / sum_j
    2^{n_j + shift}: integers alone, no exponential and no rounding.
    """
    weights = [Fraction(2) ** (m + shift) for m in n]
    total = sum(weights)
    return [w / total for w in weights]


def mp_logits(n: Sequence[int]) -> list[mpmath.mpf]:
    """z_k = n_k log 2 at the working precision."""
    return [m * mpmath.ln2 for m in n]


def mp_fraction(q: Fraction) -> mpmath.mpf:
    return mpmath.mpf(q.numerator) / q.denominator


def mp_softmax(z: Sequence[object]) -> list[mpmath.mpf]:
    """exp(z_i) / sum_k exp(z_k) at the working precision (mpmath never overflows): the
    function that the finite differences below differentiate, never a reference value."""
    e = [mpmath.exp(mpmath.mpf(x)) for x in z]
    total = mpmath.fsum(e)
    return [x / total for x in e]


def mp_entropy(p: Sequence[mpmath.mpf]) -> mpmath.mpf:
    """-sum_k p_k log p_k."""
    return -mpmath.fsum(q * mpmath.log(q) for q in p)


def central_difference(f: Callable[[mpmath.mpf], mpmath.mpf], x: object, h: str) -> mpmath.mpf:
    """(f(x + h) - f(x - h)) / 2h: error O(h^2), plus rounding of order 10^-dps / h."""
    x, step = mpmath.mpf(x), mpmath.mpf(h)
    return (f(x + step) - f(x - step)) / (2 * step)


def fd_partial(z: Sequence[float], a: int, b: int) -> mpmath.mpf:
    """d softmax(z)_a / d z_b (0-based a, b) by a central difference of the mpmath softmax."""

    def sigma_a(t: mpmath.mpf) -> mpmath.mpf:
        return mp_softmax([t if n == b else x for n, x in enumerate(z)])[a]

    return central_difference(sigma_a, z[b], "1e-15")


def random_points(K: int, n: int, *, low: float, high: float, seed: int) -> list[list[float]]:
    """n seeded points of R^K, uniform in [low, high]^K, as exact float64 values."""
    rng = np.random.default_rng(seed)
    return [[float(v) for v in row] for row in rng.uniform(low, high, size=(n, K))]


def close(a: mpmath.mpf, b: mpmath.mpf, rel: str) -> bool:
    """|a - b| <= rel * max(|a|, |b|): relative, so that entries like 1e-800 count too."""
    return bool(mpmath.almosteq(a, b, rel_eps=mpmath.mpf(rel), abs_eps=0))


# --- the explicit softmax matrix, lambdified, against mpmath and scipy ---


@pytest.mark.parametrize("K", range(2, 7))
@pytest.mark.parametrize(
    ("low", "high"),  # n_k; z_k = n_k log 2 in [-30, 30], [-1000, 1000], [690, 720], [-720, -690]
    [(-43, 43), (-1442, 1442), (995, 1039), (-1039, -995)],
)
def test_softmax_equals_exact_rationals_at_50_digits(K: int, low: int, high: int) -> None:
    z = ss.logits(K)
    f = sp.lambdify(list(z), ss.softmax(z), "mpmath")
    rng = np.random.default_rng(SEED + K)
    with mpmath.workdps(50):
        for n in rng.integers(low, high, size=(8, K), endpoint=True).tolist():
            got = list(f(*mp_logits(n)))
            for g, w in zip(got, exact_softmax(n), strict=True):
                # softmax(n log 2)_k = 2^{n_k} / sum_j 2^{n_j}, entry by entry, to 45
                # significant digits, however tiny the probability (2^-2884 included).
                assert close(g, mp_fraction(w), "1e-45"), (n, g, w)


@pytest.mark.parametrize("K", range(2, 7))
@pytest.mark.parametrize(
    ("low", "high"),
    [(-5.0, 5.0), (-30.0, 30.0), (500.0, 530.0), (-530.0, -500.0)],
)
def test_softmax_matches_scipy_in_float64(K: int, low: float, high: float) -> None:
    z = ss.logits(K)
    f = sp.lambdify(list(z), ss.softmax(z), "mpmath")
    points = random_points(K, 16, low=low, high=high, seed=SEED + 10 * K)
    with mpmath.workdps(50):
        got = np.array([[float(s) for s in f(*map(mpmath.mpf, p))] for p in points])
    want = scipy.special.softmax(np.array(points), axis=-1)
    # The exact formula, rounded once to float64, agrees with scipy's stable float64 softmax.
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


# --- the closed-form Jacobian ---


@pytest.mark.parametrize("K", range(2, 6))
def test_jacobian_equals_sympy_differentiation(K: int) -> None:
    z = ss.logits(K)
    J = ss.jacobian(z)
    reference = ss.softmax(z).jacobian(z)
    assert J.shape == (K, K)
    for a in range(K):
        for b in range(K):
            # J_ab = d softmax(z)_a / d z_b, as SymPy differentiates the explicit definition.
            assert sp.simplify(J[a, b] - reference[a, b]) == 0, (a, b, J[a, b])


@pytest.mark.parametrize("K", range(2, 7))
def test_jacobian_matches_finite_differences_at_40_digits(K: int) -> None:
    z = ss.logits(K)
    f = sp.lambdify(list(z), ss.jacobian(z), "mpmath")
    with mpmath.workdps(40):
        for point in random_points(K, 3, low=-4.0, high=4.0, seed=SEED + 100 * K):
            J = f(*map(mpmath.mpf, point))
            for a in range(K):
                for b in range(K):
                    fd = fd_partial(point, a, b)
                    # J_ab = d sigma_a / d z_b, to 20 digits of a central difference.
                    assert abs(J[a, b] - fd) < mpmath.mpf("1e-20"), (point, a, b, J[a, b], fd)


# --- each derivation's result, evaluated at concrete numbers ---


def concrete(
    expr: sp.Basic,
    d: ss.Derivation,
    K: int,
    indices: dict[str, int],
    values: Sequence[float],
    known: dict[sp.Basic, sp.Basic] | None = None,
    **others: float,
) -> mpmath.mpf:
    """``expr`` of derivation ``d`` at K classes, the given indices and logits, by mpmath.

    The definitions are expanded to exponentials, sums and derivatives are done by SymPy,
    the ``known`` values are put in, and the resulting explicit expression is lambdified
    with mpmath at the working precision.
    """
    S = d.space
    subs: dict[sp.Basic, sp.Basic] = {getattr(S, n): sp.Integer(v) for n, v in indices.items()}
    if S.symbolic:
        subs[S.K] = sp.Integer(K)
    explicit = expand_definitions(expr.xreplace(subs)).doit().xreplace(known or {})
    xs = [sp.Symbol(f"x_{n}", real=True) for n in range(1, K + 1)]
    explicit = explicit.xreplace({S.z[n]: x for n, x in enumerate(xs, start=1)})
    named = {s.name: s for s in explicit.free_symbols if isinstance(s, sp.Symbol)}
    extra = [named[name] for name in others if name in named]
    # Nothing is left but the logits and the named parameters.
    assert explicit.free_symbols <= {*xs, *extra}, explicit.free_symbols
    f = sp.lambdify([*xs, *extra], explicit, "mpmath")
    return f(*map(mpmath.mpf, values), *(mpmath.mpf(others[s.name]) for s in extra))


def steps_where(d: ss.Derivation, keep: Callable[[sp.Basic], bool]) -> list[sp.Basic]:
    found = [step.expr for step in d.steps if keep(step.expr)]
    assert found, f"no step of {d.name} has the expected form"
    return found


# (derivation K, K, i, j, logits): symbolic K (None) is given each K of the table.
JACOBIAN_CASES = [
    (3, 3, 1, 1, [0.5, -1.25, 2.0]),
    (3, 3, 1, 2, [0.5, -1.25, 2.0]),
    (3, 3, 3, 2, [3.0, 3.0, -7.5]),
    (3, 3, 2, 3, [-0.1, 4.2, 1.7]),
    (None, 2, 1, 1, [0.3, -0.4]),
    (None, 2, 2, 1, [10.0, -3.0]),
    (None, 3, 2, 2, [1.0, 2.0, 3.0]),
    (None, 4, 4, 1, [-2.0, 0.0, 1.5, 0.25]),
    (None, 5, 3, 5, [0.9, -0.8, 0.7, -0.6, 0.5]),
    (None, 5, 5, 5, [1.0, 1.0, 1.0, 1.0, 1.0]),
]


@pytest.mark.parametrize(("K_derived", "K", "i", "j", "values"), JACOBIAN_CASES)
def test_jacobian_result_matches_finite_differences(K_derived, K, i, j, values) -> None:
    d = ss.derive("jacobian", K=K_derived)
    derivative, closed_form = d.result.lhs, d.result.rhs
    assert isinstance(derivative, sp.Derivative)
    with mpmath.workdps(40):
        lhs = concrete(derivative, d, K, {"i": i, "j": j}, values)
        rhs = concrete(closed_form, d, K, {"i": i, "j": j}, values)
        fd = fd_partial(values, i - 1, j - 1)
        tolerance = mpmath.mpf("1e-20")
        # The left side means d sigma_i / d z_j: SymPy's derivative of the explicit form.
        assert abs(lhs - fd) < tolerance, (lhs, fd)
        # The closed form sigma_i (delta_ij - sigma_j) is that derivative.
        assert abs(rhs - fd) < tolerance, (rhs, fd)


# (derivation K, K, i, n, shift): logits z = n log 2, c = shift log 2
SHIFT_CASES = [
    (3, 3, 1, [1, -2, 3], 11),
    (3, 3, 3, [144, -72, 4], -577),
    (None, 2, 2, [0, 1], -5),
    (None, 4, 1, [1, 3, 4, 6], 1443),
    (None, 6, 4, [-13, 12, -10, 9, -7, 6], 1),
]


@pytest.mark.parametrize(("K_derived", "K", "i", "n", "shift"), SHIFT_CASES)
def test_shift_invariance_result_at_numbers(K_derived, K, i, n, shift) -> None:
    d = ss.derive("shift_invariance", K=K_derived)
    with mpmath.workdps(50):
        c = shift * mpmath.ln2
        lhs = concrete(d.result.lhs, d, K, {"i": i}, mp_logits(n), c=c)
        rhs = concrete(d.result.rhs, d, K, {"i": i}, mp_logits(n), c=c)
        shifted = mp_fraction(exact_softmax(n, shift)[i - 1])
        plain = mp_fraction(exact_softmax(n)[i - 1])
        # The left side is softmax(z + c 1)_i = 2^{n_i + s} / sum_k 2^{n_k + s} and the right
        # side softmax(z)_i = 2^{n_i} / sum_k 2^{n_k}: both sides, exactly, to 45 digits.
        assert close(lhs, shifted, "1e-45"), (lhs, shifted)
        assert close(rhs, plain, "1e-45"), (rhs, plain)


NORMALIZATION_CASES = [
    (3, 3, [0.5, -1.25, 2.0]),
    (3, 3, [700.0, -700.0, 0.0]),
    (None, 2, [0.3, -0.4]),
    (None, 4, [1.0, 2.0, 3.0, 4.0]),
    (None, 6, [-9.0, 8.0, -7.0, 6.0, -5.0, 4.0]),
]


@pytest.mark.parametrize(("K_derived", "K", "values"), NORMALIZATION_CASES)
def test_normalization_result_at_numbers(K_derived, K, values) -> None:
    d = ss.derive("normalization", K=K_derived)
    assert d.result.rhs == 1
    with mpmath.workdps(50):
        lhs = concrete(d.result.lhs, d, K, {}, values)
        # The left side, the sum of the K outputs, is 1 (the right side) to 45 digits.
        assert abs(lhs - 1) < mpmath.mpf("1e-45"), lhs


RANGE_CASES = [
    (3, 3, 1, [0.5, -1.25, 2.0]),
    (3, 3, 2, [20.0, -20.0, 0.0]),
    (None, 2, 2, [0.0, 30.0]),
    (None, 4, 3, [1.0, 2.0, 3.0, 4.0]),
    (None, 5, 5, [-9.0, 8.0, -7.0, 6.0, -5.0]),
]


@pytest.mark.parametrize(("K_derived", "K", "i", "values"), RANGE_CASES)
def test_range_result_at_numbers(K_derived, K, i, values) -> None:
    d = ss.derive("range", K=K_derived)
    element, interval = d.result.args
    # The claim is membership of the open unit interval.
    assert interval == sp.Interval.open(0, 1)
    with mpmath.workdps(50):
        value = concrete(element, d, K, {"i": i}, values)
    # The element is softmax(z)_i (scipy's, in float64) ...
    reference = scipy.special.softmax(values)[i - 1]
    np.testing.assert_allclose(float(value), reference, rtol=1e-13)
    # ... and it lies strictly between 0 and 1.
    assert 0 < value < 1, value


def _is_beta_derivative(expr: sp.Basic, of: type | None) -> bool:
    if not (isinstance(expr, sp.Eq) and isinstance(expr.lhs, sp.Derivative)):
        return False
    inner = expr.lhs.expr
    wrt = [str(v) for v in expr.lhs.variables]
    is_softmax = isinstance(inner, ss.Softmax)
    return wrt == ["beta"] and (is_softmax if of is ss.Softmax else not is_softmax)


TEMPERATURE_CASES = [
    (3, 3, 1, [0.5, -1.25, 2.0], 1.0),
    (3, 3, 3, [2.0, -1.0, 0.25], 0.3),
    (None, 2, 2, [0.0, 1.0], 2.5),
    (None, 4, 1, [1.0, 2.0, 3.0, 4.0], 0.7),
    (None, 5, 4, [-3.0, 3.0, -1.0, 1.0, 0.0], 1.9),
]


@pytest.mark.parametrize(("K_derived", "K", "i", "values", "beta"), TEMPERATURE_CASES)
def test_temperature_entropy_derivative_matches_finite_differences(
    K_derived, K, i, values, beta
) -> None:
    d = ss.derive("temperature", K=K_derived)
    entropy_steps = steps_where(d, lambda e: _is_beta_derivative(e, of=None))
    with mpmath.workdps(40):

        def H(b: mpmath.mpf) -> mpmath.mpf:
            return mp_entropy(mp_softmax([b * x for x in values]))

        fd = central_difference(H, beta, "1e-15")
        for step in entropy_steps:
            for side in step.args:
                value = concrete(side, d, K, {"i": i}, values, beta=beta)
                # dH/dbeta, the entropy of softmax(beta z), = -beta Var_sigma(z) (both sides).
                assert abs(value - fd) < mpmath.mpf("1e-20"), (step, value, fd)
        # The sign claim: the entropy does not increase with beta.
        assert fd <= 0


@pytest.mark.parametrize(("K_derived", "K", "i", "values", "beta"), TEMPERATURE_CASES)
def test_temperature_probability_derivative_matches_finite_differences(
    K_derived, K, i, values, beta
) -> None:
    d = ss.derive("temperature", K=K_derived)
    # the step about softmax(beta z)_i itself (another is about an arg max written as gaps)
    (step,) = [
        e
        for e in steps_where(d, lambda e: _is_beta_derivative(e, of=ss.Softmax))
        if e == d.step("derivative").expr
    ]
    with mpmath.workdps(40):

        def sigma_i(b: mpmath.mpf) -> mpmath.mpf:
            return mp_softmax([b * x for x in values])[i - 1]

        fd = central_difference(sigma_i, beta, "1e-15")
        for side in step.args:
            value = concrete(side, d, K, {"i": i}, values, beta=beta)
            # d sigma(beta z)_i / d beta = sigma_i (z_i - sum_l sigma_l z_l) (both sides).
            assert abs(value - fd) < mpmath.mpf("1e-20"), (side, value, fd)


@pytest.mark.parametrize("K_derived", [3, None])
@pytest.mark.parametrize(("K", "values"), [(3, [0.5, -1.25, 2.0]), (3, [4.0, 4.0, -4.0])])
def test_temperature_limits_match_the_reference(K_derived, K, values) -> None:
    d = ss.derive("temperature", K=K_derived)
    (flat,) = steps_where(d, lambda e: isinstance(e.args[0], sp.Limit) and e.args[0].args[2] == 0)
    limit, uniform = flat.args
    with mpmath.workdps(50):
        for i in range(1, K + 1):
            # The claimed limit is 1/K (by hand: e^0 / (K e^0)) ...
            claimed = concrete(uniform, d, K, {"i": i}, values)
            assert abs(claimed - mpmath.mpf(1) / K) < mpmath.mpf("1e-45"), claimed
            # ... and the expression under the limit, softmax(beta z)_i, is within beta
            # max|z| of it at beta = 1e-30.
            near_zero = concrete(limit.args[0], d, K, {"i": i}, values, beta="1e-30")
            assert abs(near_zero - mpmath.mpf(1) / K) < mpmath.mpf("1e-25"), near_zero

    # The result: with z_k = z_i - g_k (g_k > 0, i the unique arg max), softmax(beta z)_j -> 0.
    (one_hot,) = steps_where(
        d,
        lambda e: isinstance(e.args[0], sp.Limit) and e.args[1] == 0 and e.args[0].args[2] == sp.oo,
    )
    limit, value = one_hot.args
    gaps = {1: 0, 2: 1, 3: 3}  # g_k / log 2; i = 1 is the arg max of z = -g
    g_ = sp.IndexedBase("g", positive=True)
    known = {g_[n]: g * sp.log(2) for n, g in gaps.items()}
    with mpmath.workdps(50):
        for beta in (1, 3, 20):
            indices = {"i": 1, "j": 3}
            got = concrete(limit.args[0], d, K, indices, [0.0] * K, known, beta=beta)
            # The expression under the limit is softmax(beta z)_j for j = 3 != arg max:
            # 2^{-3 beta} / (1 + 2^{-beta} + 2^{-3 beta}), exactly.
            want = exact_softmax([-beta * g for g in gaps.values()])[2]
            assert close(got, mp_fraction(want), "1e-40"), (beta, got, want)
        far = exact_softmax([-(10**4) * g for g in gaps.values()])[2]  # about 10^-9031
        # The claimed limit agrees with the exact value far out (beta = 10^4).
        assert abs(mp_fraction(far) - mpmath.mpf(sp.Float(value, 50))) < mpmath.mpf("1e-1000")


SIGMOID_CASES = [
    (3, 3, 1, [0.5, -1.25, 2.0]),
    (3, 3, 2, [20.0, -20.0, 0.0]),
    (None, 2, 2, [0.0, 3.0]),
    (None, 4, 3, [1.0, 2.0, 3.0, 4.0]),
    (None, 6, 6, [-9.0, 8.0, -7.0, 6.0, -5.0, 4.0]),
]


@pytest.mark.parametrize(("K_derived", "K", "i", "values"), SIGMOID_CASES)
def test_sigmoid_step_matches_scipy_expit_along_z_i(K_derived, K, i, values) -> None:
    d = ss.derive("sigmoid", K=K_derived)
    S = d.space
    (step,) = steps_where(
        d,
        lambda e: (
            isinstance(e, sp.Eq)
            and isinstance(e.rhs, ss.Sigmoid)
            and isinstance(e.lhs, ss.Softmax)
            and e.lhs.args[2] == S.i
        ),
    )
    others = np.array([x for n, x in enumerate(values, 1) if n != i])
    shift = scipy.special.logsumexp(others)  # log sum_{k != i} exp z_k
    for zi in np.linspace(-15.0, 15.0, 13):
        point = list(values)
        point[i - 1] = float(zi)
        with mpmath.workdps(50):
            sigma = float(concrete(step.lhs, d, K, {"i": i}, point))
            logistic = float(concrete(step.rhs, d, K, {"i": i}, point))
        # sigma_i as a function of z_i alone is expit(z_i - log sum_{k != i} e^{z_k}) ...
        np.testing.assert_allclose(logistic, scipy.special.expit(zi - shift), rtol=1e-12)
        # ... which is softmax(z)_i.
        np.testing.assert_allclose(sigma, scipy.special.softmax(point)[i - 1], rtol=1e-12)


@pytest.mark.parametrize("K_derived", [3, None])
@pytest.mark.parametrize("values", [[0.5, -1.25], [30.0, -2.0], [-700.0, -710.0]])
def test_sigmoid_result_is_logistic_regression(K_derived, values) -> None:
    d = ss.derive("sigmoid", K=K_derived)
    # This step speaks of K = 2 classes: sigma(z)_1 = sigmoid(z_1 - z_2).
    two = d.step("two_classes").expr
    assert two.lhs.args[1] == 2
    with mpmath.workdps(50):
        lhs = float(concrete(two.lhs, d, 2, {}, values))
        rhs = float(concrete(two.rhs, d, 2, {}, values))
    # Both sides equal scipy's expit(z_1 - z_2) and softmax(z)_1.
    np.testing.assert_allclose(rhs, scipy.special.expit(values[0] - values[1]), rtol=1e-12)
    np.testing.assert_allclose(lhs, scipy.special.softmax(values)[0], rtol=1e-12)


# --- the Softmax function object: diff through fdiff/_eval_derivative vs the explicit form ---

_z = sp.IndexedBase("z", real=True)
_k = sp.Symbol("k", integer=True, positive=True)
_beta = sp.Symbol("beta", positive=True)
_i, _j = sp.symbols("i j", integer=True, positive=True)

SOFTMAX_DIFF_CASES = [(K, i, v) for K in (2, 3, 4) for i in range(1, K + 1) for v in range(K + 1)]


def _variable(v: int) -> sp.Expr:
    """z_v for v in 1..K, beta for v = 0."""
    return _beta if v == 0 else _z[v]


@pytest.mark.parametrize(("K", "i", "v"), SOFTMAX_DIFF_CASES)
def test_softmax_function_derivative_equals_explicit_derivative(K, i, v) -> None:
    s = ss.Softmax(sp.Lambda(_k, _beta * _z[_k]), K, i)
    x = _variable(v)
    ours = expand_definitions(sp.diff(s, x)).doit()
    theirs = sp.diff(s.rewrite(sp.exp).doit(), x)
    # sympy.diff through the Softmax object = SymPy's derivative of exp(beta z_i)/sum_k exp(beta z_k).
    assert sp.simplify(ours - theirs) == 0, (ours, theirs)
    # And numerically, at a seeded point, to 45 digits.
    point = random_points(K + 1, 1, low=-3.0, high=3.0, seed=SEED + 31 * K + 7 * i + v)[0]
    values = {_z[n]: sp.Float(point[n], 60) for n in range(1, K + 1)}
    values[_beta] = sp.Float(abs(point[0]) + 0.1, 60)
    a, b = (sp.N(e.xreplace(values), 50) for e in (ours, theirs))
    assert abs(a - b) <= sp.Float("1e-45") * max(abs(b), 1), (a, b)


@pytest.mark.parametrize("K", [2, 3, 4])
def test_softmax_function_derivative_with_symbolic_indices(K: int) -> None:
    # Differentiate with i, j symbolic (Kronecker delta), then put in every concrete i, j.
    symbolic = sp.diff(ss.Softmax(sp.Lambda(_k, _beta * _z[_k]), K, _i), _z[_j])
    for i in range(1, K + 1):
        explicit = ss.Softmax(sp.Lambda(_k, _beta * _z[_k]), K, i).rewrite(sp.exp).doit()
        for j in range(1, K + 1):
            ours = expand_definitions(symbolic.xreplace({_i: i, _j: j})).doit()
            theirs = sp.diff(explicit, _z[j])
            # d sigma(beta z)_i / d z_j = beta sigma_i (delta_ij - sigma_j) at every (i, j).
            assert sp.simplify(ours - theirs) == 0, (i, j, ours, theirs)


# --- bad input: ValueError / TypeError saying what is expected ---

BAD_INPUT = [
    (lambda: ss.logits(1), ValueError, r"K must be an int >= 2"),
    (lambda: ss.logits(2.5), TypeError, r"K must be an int"),
    (lambda: ss.logits("3"), TypeError, r"K must be an int"),
    (lambda: ss.logits(True), TypeError, r"K must be an int"),
    (lambda: ss.derive("nope"), ValueError, r"known derivations: definition, .*jacobian"),
    (lambda: ss.derive("jacobian", K=1), ValueError, r"K must be an int >= 2"),
    (lambda: ss.derive("jacobian", lang="xx"), ValueError, r"lang must be one of 'en', 'zh'"),
    (lambda: ss.softmax("abc"), TypeError, r"sympy Matrix or a sequence"),
    (lambda: ss.softmax([1]), ValueError, r"K >= 2 entries"),
]


@pytest.mark.parametrize(("call", "error", "words"), BAD_INPUT)
def test_bad_input_says_what_is_expected(call, error, words) -> None:
    # The right exception type, with a message that names what was expected.
    with pytest.raises(error, match=words):
        call()
