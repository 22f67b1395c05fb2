"""The derivations beyond the source note (issue 14, items 1-9): they verify, print in both
languages, and a broken step is caught at that step by each check alone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp

import symsoftmax as ss
from symsoftmax.engine.numcheck import check
from symsoftmax.engine.proof import prove

BEYOND = (
    "odds",
    "smooth_max",
    "inverse",
    "variational",
    "saturation",
    "backprop",
    "distillation",
    "label_smoothing",
    "attention",
)


@pytest.mark.verifies
@pytest.mark.parametrize("K", [None, 3])
@pytest.mark.parametrize("name", BEYOND)
def test_verifies_for_any_K_and_K_3(name: str, K: int | None, verified) -> None:
    # SymPy proved every step and mpmath confirmed it (else VerificationError naming it);
    # shared with tests/test_engine.py through the per-process cache of verifications.
    assert verified(name, K).name == name


@pytest.mark.parametrize("K", [None, 3])
@pytest.mark.parametrize("name", BEYOND)
def test_prints_in_english_and_chinese(name: str, K: int | None) -> None:
    d = ss.derive(name, K=K)
    for lang in ("en", "zh"):
        for printed in (d.to_latex(lang=lang), d.to_markdown(lang=lang), d.to_text(lang=lang)):
            assert "missing]" not in printed  # every reason is written in both languages
    en, zh = d.in_lang("en"), d.in_lang("zh")
    assert en.title != zh.title
    assert all(a.reason != b.reason for a, b in zip(en.steps, zh.steps, strict=True))


def test_the_results_are_the_formulas_of_the_issue() -> None:
    S = ss.ClassSpace.of(None, distributions=("y",))
    i, j, z, y = S.i, S.j, S.z, S.y
    results = {
        "odds": sp.Eq(S.sigma(i) / S.sigma(j), sp.exp(z[i] - z[j]), evaluate=False),
        "backprop": sp.Eq(
            sp.Derivative(-S.sum(y[S.k] * sp.log(S.sigma(S.k))), z[j]),
            S.sigma(j) - y[j],
            evaluate=False,
        ),
    }
    for name, expected in results.items():
        result = ss.derive(name).result
        # the same statement, as SymPy evaluates it (the step keeps the terms as written)
        assert sp.simplify(result.lhs - expected.lhs) == 0, name
        assert sp.simplify(result.rhs - expected.rhs) == 0, name


def test_attention_writes_out_the_positions_for_a_concrete_number() -> None:
    # K = 3 given to derive is the number of positions written out; the classes do not
    # enter attention. The block is a special case, printed under its own heading.
    d = ss.derive("attention", K=3)
    step = d.step("written_out")
    assert step.expr.lhs.shape == (3, 1)
    assert step.special == "$T = 3$ positions"
    assert "written_out" not in ss.derive("attention").labels


def _rhs(rel: sp.Basic, rhs: sp.Expr) -> sp.Basic:
    return rel.func(rel.lhs, rhs, evaluate=False)


def _scale(factor: sp.Expr) -> Callable[[sp.Basic], sp.Basic]:
    return lambda rel: _rhs(rel, factor * rel.rhs)


def _flip(kind: type) -> Callable[[sp.Basic], sp.Basic]:
    return lambda rel: kind(rel.lhs, rel.rhs, evaluate=False)


def _interval(low: sp.Expr, high: sp.Expr) -> Callable[[sp.Basic], sp.Basic]:
    return lambda rel: sp.Contains(rel.args[0], sp.Interval(low, high), evaluate=False)


def _negate(atom: Callable[[sp.Basic], sp.Expr]) -> Callable[[sp.Basic], sp.Basic]:
    """The right side with the subexpression ``atom(rel)`` negated: a sign slip."""
    return lambda rel: _rhs(rel, rel.rhs.xreplace({atom(rel): -atom(rel)}))


_S = ss.ClassSpace.of(None)
_T = sp.Symbol("T", positive=True)
_eps = sp.Symbol("epsilon", positive=True)


def _output(rel: sp.Basic) -> sp.Expr:
    """The output o = sum_u sigma_u v_u in the right side of an attention step."""
    return next(iter(s for s in rel.rhs.atoms(sp.Sum) if s.limits[0][0].name == "u"))


# (derivation, K, step label, mutation): each a false statement that must be rejected.
MUTATIONS = [
    ("odds", None, "odds", lambda r: _rhs(r, sp.exp(_S.z[_S.i] + _S.z[_S.j]))),
    ("odds", 3, "order", _flip(sp.Gt)),
    ("odds", None, "log_odds", _scale(2)),
    ("smooth_max", None, "upper", lambda r: _rhs(r, r.rhs.args[0] if r.rhs.is_Add else r.rhs)),
    ("smooth_max", None, "lower", lambda r: sp.Lt(r.lhs + sp.log(_S.K), r.rhs, evaluate=False)),
    ("smooth_max", 3, "shift", _scale(2)),
    (
        "smooth_max",
        None,
        "scaled_upper",  # no room for the error log K / beta
        lambda r: sp.Le(r.lhs, sp.Symbol("M", real=True), evaluate=False),
    ),
    ("inverse", None, "onto", lambda r: _rhs(r, r.rhs**2)),
    (
        "inverse",
        None,
        "log_odds",
        lambda r: _rhs(r, sp.log(_S.sigma(_S.i)) + sp.log(_S.sigma(_S.K))),
    ),
    ("variational", None, "gibbs", _flip(sp.Le)),
    ("variational", 3, "divergence", _scale(-1)),
    ("saturation", None, "bound", _interval(-sp.Rational(1, 5), sp.Rational(1, 5))),
    ("saturation", 3, "pair", lambda r: sp.Le(r.lhs, sp.Rational(1, 2), evaluate=False)),
    ("backprop", None, "gradient", lambda r: _rhs(r, r.rhs.args[0] - r.rhs.args[1])),
    ("backprop", None, "chain_rule", _scale(-1)),
    ("distillation", None, "gradient", _scale(_T)),
    ("distillation", 3, "high_temperature", _scale(2)),
    ("label_smoothing", None, "gradient", lambda r: _rhs(r, r.rhs.xreplace({1 / _S.K: 1}))),
    ("label_smoothing", None, "one_hot", lambda r: sp.Gt(r.lhs, 1, evaluate=False)),
    ("attention", None, "by_scores", _negate(_output)),
    ("attention", None, "by_query", _scale(sp.Integer(2))),
    ("attention", 3, "written_out", _scale(sp.Rational(1, 2))),
]


def _broken(name: str, K: int | None, label: str, mutate) -> tuple[ss.Derivation, sp.Basic]:
    d = ss.derive(name, K=K)
    false = mutate(d.step(label).expr)
    assert false != d.step(label).expr, "the mutation changed nothing"
    return d, false


@pytest.mark.verifies  # steps 1 .. n - 1 were proved with the verification: memoized
@pytest.mark.usefixtures("memoized_steps")
@pytest.mark.parametrize(("name", "K", "label", "mutate"), MUTATIONS)
def test_a_broken_step_is_caught_and_named(name, K, label, mutate) -> None:
    d, false = _broken(name, K, label, mutate)
    with pytest.raises(ss.VerificationError) as info:
        d.replace_step(label, false).verify()
    number = d.step(label).number
    assert (info.value.derivation, info.value.step, info.value.label) == (name, number, label)


@pytest.mark.parametrize(("name", "K", "label", "mutate"), MUTATIONS)
def test_each_check_alone_rejects_the_broken_step(name, K, label, mutate) -> None:
    d, false = _broken(name, K, label, mutate)
    step = d.step(label)
    space = step.space or d.space
    # Independent of each other: SymPy does not prove it, and mpmath finds a point where it fails.
    assert prove(false, space, case=step.case) is False
    assert check(false, space, case=step.case) is not None
