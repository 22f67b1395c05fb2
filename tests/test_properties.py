"""Properties of the numbers the toolkit's symbolic formulas give, for any logits.

Each formula (``ss.softmax``, ``ss.jacobian``) is lambdified with mpmath and evaluated at 50
digits at logits drawn by hypothesis from [-1e3, 1e3], huge magnitudes included: mpmath has
no overflow, so these are properties of the formulas themselves, not of float64 arithmetic.
Shift invariance is checked against exact rationals, not against the same formula again: at
z_k = n_k log 2 and c = m log 2, softmax(z + c 1)_k must be 2^{n_k} / sum_j 2^{n_j}.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from fractions import Fraction

import mpmath
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

import symsoftmax as ss

DPS = 50
TOLERANCE = mpmath.mpf("1e-40")  # far above the rounding of a 50-digit evaluation

LOGIT = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)
LOGITS = st.integers(min_value=2, max_value=6).flatmap(
    lambda K: st.lists(LOGIT, min_size=K, max_size=K)
)
BETA = st.floats(min_value=1e-3, max_value=10.0, allow_nan=False, allow_infinity=False)

SETTINGS = settings(max_examples=50, deadline=None)

# Always tried, besides what hypothesis draws: the extremes, where float64 exp overflows.
EXTREME = [1e3, -1e3, 0.0]

_c = sp.Symbol("c", real=True)
_beta = sp.Symbol("beta", positive=True)


@functools.cache
def softmax_of(K: int) -> Callable[..., mpmath.matrix]:
    """(z_1, ..., z_K) -> ss.softmax(z), lambdified with mpmath."""
    z = ss.logits(K)
    return sp.lambdify(list(z), ss.softmax(z), "mpmath")


@functools.cache
def shifted_softmax_of(K: int) -> Callable[..., mpmath.matrix]:
    """(z_1, ..., z_K, c) -> ss.softmax(z + c 1), lambdified with mpmath."""
    z = ss.logits(K)
    return sp.lambdify([*z, _c], ss.softmax(z + _c * sp.ones(K, 1)), "mpmath")


@functools.cache
def tempered_softmax_of(K: int) -> Callable[..., mpmath.matrix]:
    """(z_1, ..., z_K, beta) -> ss.softmax(beta z), lambdified with mpmath."""
    z = ss.logits(K)
    return sp.lambdify([*z, _beta], ss.softmax(_beta * z), "mpmath")


@functools.cache
def jacobian_of(K: int) -> Callable[..., mpmath.matrix]:
    """(z_1, ..., z_K) -> ss.jacobian(z), lambdified with mpmath."""
    z = ss.logits(K)
    return sp.lambdify(list(z), ss.jacobian(z), "mpmath")


def mp(values: Sequence[float]) -> list[mpmath.mpf]:
    return [mpmath.mpf(v) for v in values]


def entropy(p: Sequence[mpmath.mpf]) -> mpmath.mpf:
    return -mpmath.fsum(q * mpmath.log(q) for q in p)


@SETTINGS
@given(LOGITS)
@example(EXTREME)
def test_outputs_sum_to_one(z: list[float]) -> None:
    with mpmath.workdps(DPS):
        s = list(softmax_of(len(z))(*mp(z)))
        # sum_k sigma(z)_k = 1.
        assert abs(mpmath.fsum(s) - 1) <= TOLERANCE, (z, s)


@SETTINGS
@given(LOGITS)
@example(EXTREME)
def test_each_output_lies_in_the_open_unit_interval(z: list[float]) -> None:
    with mpmath.workdps(DPS):
        s = list(softmax_of(len(z))(*mp(z)))
        for i, si in enumerate(s):
            rest = mpmath.fsum(s[:i] + s[i + 1 :])
            # sigma_i > 0, however negative z_i is (exp(-2000) is an mpf, not 0).
            assert si > 0, (z, i, si)
            # sigma_i < 1: the other K - 1 >= 1 outputs are positive and 1 - sigma_i is their
            # sum (sigma_i itself may round to 1 at 50 digits when 1 - sigma_i < 1e-50).
            assert si <= 1, (z, i, si)
            assert rest > 0, (z, i, rest)
            assert abs((1 - si) - rest) <= TOLERANCE, (z, i, si, rest)


# Multiples of log 2 in [-1e3, 1e3]: n with |n log 2| <= 1000.
POWER = st.integers(min_value=-1442, max_value=1442)
POWERS = st.integers(min_value=2, max_value=6).flatmap(
    lambda K: st.lists(POWER, min_size=K, max_size=K)
)


def exact_softmax(n: Sequence[int]) -> list[Fraction]:
    """softmax(z) at z_k = n_k log 2, exactly: e^{z_k} = 2^{n_k}, so the entries are the
    rationals 2^{n_k} / sum_j 2^{n_j} (integers alone: no exponential, no rounding)."""
    weights = [Fraction(2) ** m for m in n]
    return [w / sum(weights) for w in weights]


@SETTINGS
@given(POWERS, POWER)
@example([1442, -1442, 0], -1442)
def test_adding_a_constant_changes_nothing(n: list[int], m: int) -> None:
    with mpmath.workdps(DPS):
        z, c = [k * mpmath.ln2 for k in n], m * mpmath.ln2
        shifted = list(shifted_softmax_of(len(n))(*z, c))
        for a, exact in zip(shifted, exact_softmax(n), strict=True):
            b = mpmath.mpf(exact.numerator) / exact.denominator
            # sigma(z + c 1) = sigma(z) = 2^{n_k} / sum_j 2^{n_j}, entry by entry to 40
            # significant digits (e^{-2000} included).
            assert mpmath.almosteq(a, b, rel_eps=TOLERANCE, abs_eps=0), (n, m, a, b)


@SETTINGS
@given(LOGITS, BETA, BETA)
@example(EXTREME, 1e-3, 10.0)
def test_entropy_does_not_increase_with_beta(z: list[float], b1: float, b2: float) -> None:
    low, high = sorted((b1, b2))
    f = tempered_softmax_of(len(z))
    with mpmath.workdps(DPS):
        H_low = entropy(list(f(*mp(z), mpmath.mpf(low))))
        H_high = entropy(list(f(*mp(z), mpmath.mpf(high))))
        # beta_1 <= beta_2  =>  H(softmax(beta_2 z)) <= H(softmax(beta_1 z)).
        assert H_high <= H_low + TOLERANCE, (z, low, high, H_low, H_high)


@SETTINGS
@given(LOGITS, BETA, BETA)
@example(EXTREME, 1e-3, 10.0)
def test_largest_probability_does_not_decrease_with_beta(
    z: list[float], b1: float, b2: float
) -> None:
    low, high = sorted((b1, b2))
    f = tempered_softmax_of(len(z))
    with mpmath.workdps(DPS):
        top_low = max(f(*mp(z), mpmath.mpf(low)))
        top_high = max(f(*mp(z), mpmath.mpf(high)))
        # beta_1 <= beta_2  =>  max_k softmax(beta_2 z)_k >= max_k softmax(beta_1 z)_k.
        assert top_high >= top_low - TOLERANCE, (z, low, high, top_low, top_high)


@SETTINGS
@given(LOGITS)
@example(EXTREME)
def test_jacobian_annihilates_ones_and_is_symmetric(z: list[float]) -> None:
    K = len(z)
    with mpmath.workdps(DPS):
        J = jacobian_of(K)(*mp(z))
        for a in range(K):
            # J 1 = 0: moving every logit together (a shift) does not move sigma_a.
            assert abs(mpmath.fsum(J[a, b] for b in range(K))) <= TOLERANCE, (z, a)
            # 1^T J = 0: the outputs always sum to 1, so their sum does not move with z_a.
            assert abs(mpmath.fsum(J[b, a] for b in range(K))) <= TOLERANCE, (z, a)
            for b in range(a + 1, K):
                # J = diag(sigma) - sigma sigma^T is symmetric.
                assert mpmath.almosteq(J[a, b], J[b, a], rel_eps=TOLERANCE, abs_eps=0), (z, a, b)
