"""Temperature: the log-ratio identity for every real beta, the limits, ties, and the
numbers the page quotes, checked against mpmath independently of the derivation."""

from __future__ import annotations

import re

import mpmath
import pytest
import sympy as sp

import symsoftmax as ss
from symsoftmax.engine.numcheck import check
from symsoftmax.engine.proof import prove

Z = (2, 1, mpmath.mpf("0.1"))  # the example of the log-ratio step


def _softmax(z, beta) -> list[mpmath.mpf]:
    weights = [mpmath.exp(beta * x) for x in z]
    total = mpmath.fsum(weights)
    return [w / total for w in weights]


def test_the_quoted_gaps_are_what_mpmath_computes() -> None:
    # sigma_2 - sigma_3 at beta = 1, 2, 4 shrinks although the log-ratio grows: the reason
    # quotes three numbers; they must be those (to the digits quoted), in both languages.
    mpmath.mp.dps = 30
    gaps = [_softmax(Z, beta)[1] - _softmax(Z, beta)[2] for beta in (1, 2, 4)]
    for lang in ("en", "zh"):
        reason = ss.derive("temperature", lang=lang).step("log_ratio").reason
        quoted = re.findall(r"0\.\d+", reason.split("(2, 1, 0.1)")[1])
        assert len(quoted) == 3, reason
        for q, g in zip(quoted, gaps, strict=True):  # three significant digits, rounded
            assert mpmath.nstr(g, 3) == q, (q, g)
    assert gaps[0] > gaps[1] > gaps[2]  # shrinking, as the reason says
    logs = [mpmath.log(_softmax(Z, b)[1] / _softmax(Z, b)[2]) for b in (1, 2, 4)]
    assert logs[0] < logs[1] < logs[2]  # while the log-ratio grows


def test_the_ratio_steps_hold_for_every_real_beta() -> None:
    # beta < 0 is part of the claim (the order reverses): its symbol must not be positive,
    # so that the numeric check samples negative values, and the identity holds there.
    d = ss.derive("temperature")
    (beta,) = [s for s in d.step("log_ratio").expr.free_symbols if s.name == "beta"]
    assert beta.is_real and beta.is_positive is None
    mpmath.mp.dps = 30
    z = [mpmath.mpf(x) for x in (0.3, -1.2, 2.5)]
    for b in (-3, mpmath.mpf("-0.5"), mpmath.mpf("0.25"), 7):
        p = _softmax(z, b)
        assert abs(mpmath.log(p[0] / p[2]) - b * (z[0] - z[2])) < mpmath.mpf("1e-25")
        assert (p[0] > p[2]) == (b * (z[0] - z[2]) > 0)  # order kept for beta > 0 only


def test_limits_match_mpmath_far_out() -> None:
    # beta -> oo: one-hot at a unique arg max, 1/2 on each of two tied maxima; beta -> 0:
    # uniform. mpmath at a large beta, independently of the derivation's limits.
    mpmath.mp.dps = 60
    unique = _softmax([mpmath.mpf(x) for x in (1.0, 0.5, -2.0)], 200)
    tied = _softmax([mpmath.mpf(x) for x in (1.0, 1.0, -2.0, 0.25)], 200)
    flat = _softmax([mpmath.mpf(x) for x in (1.0, 0.5, -2.0)], mpmath.mpf("1e-30"))
    assert abs(unique[0] - 1) < mpmath.mpf("1e-40")
    assert abs(tied[0] - mpmath.mpf(1) / 2) < mpmath.mpf("1e-40") and tied[0] == tied[1]
    assert all(abs(p - mpmath.mpf(1) / 3) < mpmath.mpf("1e-29") for p in flat)
    d = ss.derive("temperature")
    assert d.step("tie").expr.rhs == sp.Rational(1, 2)
    assert d.step("limit_infinity").expr.rhs == 1 and d.step("limit_zero").expr.rhs == 1 / d.space.K


def _rhs(value: sp.Expr):
    return lambda r: r.func(r.lhs, value, evaluate=False)


# Plausible slips, each false: every check alone must reject it.
MUTATIONS = [
    ("log_ratio", lambda r: r.func(r.lhs, r.rhs / 2, evaluate=False)),
    ("ratio", lambda r: r.func(r.lhs, 1 / r.rhs, evaluate=False)),
    ("tie", _rhs(sp.Rational(1, 3))),
    ("tie", _rhs(sp.S.One)),
    ("max_grows", lambda r: sp.Le(r.lhs, -1, evaluate=False)),
    ("top_derivative", lambda r: r.func(r.lhs, -r.rhs, evaluate=False)),
]


@pytest.mark.parametrize("K", [None, 3])
@pytest.mark.parametrize(("label", "mutate"), MUTATIONS)
def test_each_check_alone_rejects_a_broken_step(K: int | None, label: str, mutate) -> None:
    d = ss.derive("temperature", K=K)
    step = d.step(label)
    space = step.space or d.space
    false = mutate(step.expr)
    assert prove(false, space, case=step.case) is False
    assert check(false, space, case=step.case) is not None
