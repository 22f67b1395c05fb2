"""The verification engine: true steps pass, broken steps are caught, both checks count."""

from __future__ import annotations

import pytest
import sympy as sp

import symsoftmax as ss
from symsoftmax import ClassSpace
from symsoftmax.engine.numcheck import check
from symsoftmax.engine.proof import prove


@pytest.mark.verifies
@pytest.mark.parametrize("K", [None, 2, 3, 4])
@pytest.mark.parametrize("name", ss.derivations())
def test_every_registered_derivation_verifies(name: str, K: int | None, verified) -> None:
    # verify() returned True (else VerificationError naming the step): SymPy proved every
    # step and mpmath confirmed it; the other tests that need this (name, K) share the result.
    assert verified(name, K).name == name


def _scale_rhs(rel: sp.Basic, factor: sp.Expr) -> sp.Basic:
    return rel.func(rel.lhs, factor * rel.rhs, evaluate=False)


def _flip_delta(rel: sp.Basic) -> sp.Basic:
    """sigma_i (delta_ij - sigma_j) -> sigma_i (delta_ij + sigma_j): a plausible sign slip."""
    (sigma_j,) = [
        s
        for s in rel.rhs.atoms(ss.Softmax)
        if s.args[2] == sp.Symbol("j", integer=True, positive=True)
    ]
    return rel.func(rel.lhs, rel.rhs.xreplace({-sigma_j: sigma_j}), evaluate=False)


# (derivation, K, step label, mutation): each a false statement that must be rejected.
MUTATIONS = [
    ("normalization", None, "sum_is_one", lambda r: _scale_rhs(r, 2)),
    ("normalization", 3, "written_out", lambda r: _scale_rhs(r, sp.Rational(1, 2))),
    (
        "shift_invariance",
        None,
        "factor_out",
        lambda r: _scale_rhs(r, sp.exp(sp.Symbol("c", real=True))),
    ),
    ("jacobian", None, "entry", _flip_delta),
    ("jacobian", 3, "entry", _flip_delta),
    ("jacobian", None, "case_same", lambda r: r.func(r.lhs, r.rhs.args[0], evaluate=False)),
    ("sigmoid", None, "slope", lambda r: _scale_rhs(r, 2)),
    ("sigmoid", None, "limit_low", lambda r: r.func(r.lhs, 1, evaluate=False)),
    ("sigmoid", 3, "limit_high", lambda r: r.func(r.lhs, sp.Rational(1, 2), evaluate=False)),
    ("temperature", None, "derivative", lambda r: _scale_rhs(r, -1)),
    ("temperature", None, "limit_zero", lambda r: r.func(r.lhs, sp.Rational(1, 2), evaluate=False)),
    ("range", None, "below_one", lambda r: sp.Lt(r.lhs, sp.Rational(1, 2), evaluate=False)),
    ("range", None, "positive", lambda r: sp.Lt(r.lhs, 0, evaluate=False)),
    ("log_softmax", None, "gradient", _flip_delta),
    ("log_softmax", None, "stable", lambda r: r.func(r.lhs, r.rhs + 1, evaluate=False)),
    ("cross_entropy", None, "gradient", lambda r: _scale_rhs(r, -1)),
    (
        "cross_entropy",
        3,
        "loss_lse",
        lambda r: r.func(r.lhs, r.rhs - r.rhs.args[0] / 2, evaluate=False),
    ),
    ("jvp", None, "jvp", lambda r: _scale_rhs(r, 2)),
    ("jacobian_properties", None, "rows_sum_to_zero", lambda r: r.func(r.lhs, 1, evaluate=False)),
    ("jacobian_properties", None, "trace", lambda r: _scale_rhs(r, 2)),
    ("lse_hessian", None, "hessian", _flip_delta),
    ("second_derivative", None, "second", lambda r: _scale_rhs(r, 2)),
    ("second_derivative", 3, "jacobian_again", lambda r: _scale_rhs(r, -1)),
    ("overparameterization", None, "shifted", lambda r: r.func(r.lhs, r.rhs**2, evaluate=False)),
    ("overparameterization", None, "cost_unchanged", lambda r: _scale_rhs(r, 2)),
    ("overparameterization", 3, "gradient", lambda r: _scale_rhs(r, -1)),
]


@pytest.mark.verifies  # steps 1 .. n - 1 were proved with the verification: memoized
@pytest.mark.usefixtures("memoized_steps")
@pytest.mark.parametrize(("name", "K", "label", "mutate"), MUTATIONS)
def test_a_broken_step_is_caught_and_named(name, K, label, mutate) -> None:
    d = ss.derive(name, K=K)
    broken = d.replace_step(label, mutate(d.step(label).expr))
    with pytest.raises(ss.VerificationError) as info:
        broken.verify()
    # The error names the derivation and the very step that was broken.
    number = d.step(label).number
    assert (info.value.derivation, info.value.step, info.value.label) == (name, number, label)
    assert f"step {number} ({label})" in str(info.value)


@pytest.mark.parametrize(("name", "K", "label", "mutate"), MUTATIONS)
def test_each_check_alone_rejects_the_broken_step(name, K, label, mutate) -> None:
    d = ss.derive(name, K=K)
    step = d.step(label)
    space = step.space or d.space
    false = mutate(step.expr)
    # Independent of each other: SymPy does not prove it, and mpmath finds a point where it fails.
    assert prove(false, space, case=step.case) is False
    assert check(false, space, case=step.case) is not None


@pytest.mark.verifies(name="normalization", K=None)
@pytest.mark.usefixtures("verify_from_cache")
def test_the_cache_of_verifications_does_not_hide_a_broken_step() -> None:
    # tests/conftest.py answers verify() from its cache for the registered steps only: a copy
    # with one step broken is verified for real, and fails there.
    d = ss.derive("normalization")
    broken = d.replace_step("sum_is_one", _scale_rhs(d.step("sum_is_one").expr, 2))
    assert d.verify() is True
    with pytest.raises(ss.VerificationError, match="sum_is_one"):
        broken.verify()
    assert d.in_lang("zh").verify() is True  # the same math in another language


def test_numeric_failure_reports_point_and_both_sides() -> None:
    S = ClassSpace.of(None)
    miss = check(sp.Eq(S.sigma(S.i), sp.Rational(1, 2)), S)
    assert miss is not None
    assert "K" in miss.point and "i" in miss.point
    assert sp.Float(miss.lhs) != sp.Rational(1, 2)


def test_undecided_is_not_proved() -> None:
    # True (Cauchy-Schwarz for the weights sigma), but beyond the prover's strategies:
    # the engine must say "not proved", never "proved".
    S = ClassSpace.of(None)
    z, k = S.z, S.k
    mean = S.sum(S.sigma(k) * z[k])
    claim = sp.Le(mean**2, S.sum(S.sigma(k) * z[k] ** 2), evaluate=False)
    assert check(claim, S) is None  # it is true at every sampled point
    assert prove(claim, S) is False


def test_sympy_matrix_calculus_pitfall_is_not_ours() -> None:
    # d/dz_j log(sum_k exp z_k) = sigma_j; a derivation engine that returned 0 here would
    # "prove" a false Jacobian. Ours differentiates the explicit sum.
    S = ClassSpace.of(None)
    lse = sp.log(S.sum(sp.exp(S.z[S.k])))
    assert prove(sp.Eq(sp.Derivative(lse, S.z[S.j]), S.sigma(S.j)), S)
    assert not prove(sp.Eq(sp.Derivative(lse, S.z[S.j]), 0), S)


def test_dps_below_30_is_refused() -> None:
    with pytest.raises(ValueError, match="30"):
        ss.derive("normalization").verify(dps=20)


@pytest.mark.parametrize("name", ss.derivations())
def test_both_languages_have_the_same_math(name: str) -> None:
    en, zh = ss.derive(name, lang="en"), ss.derive(name, lang="zh")
    assert [s.expr for s in en.steps] == [s.expr for s in zh.steps]
    assert en.title != zh.title
    assert all(a.reason != b.reason for a, b in zip(en.steps, zh.steps, strict=True))


def test_a_sum_over_part_of_the_classes_is_not_split_at_a_free_index() -> None:
    # e^{z_i} < e^{z_1} + e^{z_2} is false for i = 3: the split f(i) + rest holds only for
    # a sum over all K classes, and the prover must not use it here.
    S = ClassSpace.of(None)
    partial = sp.Sum(sp.exp(S.z[S.k]), (S.k, 1, 2))
    assert prove(sp.Lt(sp.exp(S.z[S.i]), partial, evaluate=False), S) is False


def test_no_limit_law_at_zero_to_the_zero() -> None:
    # (e^{-1/x} S)^x -> 1/e as x -> 0+, not 0^0 = 1
    S = ClassSpace.of(None)
    x = sp.Symbol("x", positive=True)
    e = (sp.exp(-1 / x) * S.sum(sp.exp(S.z[S.k]))) ** x
    assert prove(sp.Eq(sp.Limit(e, x, 0, "+"), 1), S) is False
