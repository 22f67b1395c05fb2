"""A corpus of false claims that a user could write, each of which "verified" must reject.

Each claim is written through the public authoring API (``ss.register``, ``ss.Line``), as a
one-step derivation, and must fail ``verify()``; where it makes sense each of the two
independent checks must reject it on its own (the prover: SymPy does not establish it; the
numeric check: mpmath finds a point where it is false). The families: sums whose bounds
do not cover the index they sift, empty sums called positive, derivatives of sums at
variables outside them, facts attached to a name, differences far below the working
precision, claims false only far from the origin or only for some K, limits true at one
point only; for the monotone rules of the prover (termwise sums, through exp, e^t against 1,
the tangent of log, terms split off a sum at several indices): sums over other ranges, a
bound index leaking, sides that are not real, exponents of unknown sign, strict
inequalities over possibly empty ranges, indices not known to differ; an index beyond K at
a concrete K; an index of a declared family (positions t in 1..T). True claims of the same families must be verified, or honestly not proved:
never a crash.

Grow this file whenever a false claim gets through.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
import sympy as sp

import symsoftmax as ss
from symsoftmax.engine.numcheck import check
from symsoftmax.engine.proof import unproved

Claim = Callable[[ss.ClassSpace], sp.Basic]

d = sp.KroneckerDelta
t = sp.Symbol("t", positive=True)


def _f(S: ss.ClassSpace, a: sp.Expr) -> sp.Expr:
    """1 - sum_{k < K} delta_{ka}: 1 at a = K, else 0."""
    return 1 - sp.Sum(d(S.k, a), (S.k, 1, S.K - 1))


def _e(S: ss.ClassSpace, k: sp.Expr) -> sp.Expr:
    return sp.exp(S.z[k])


# (id, K, claim, case): every claim here is false for some K >= 2 and some indices.
FALSE: list[tuple[str, int | None, Claim]] = [
    # a sum's own bounds against the index it sifts
    (
        "sift beyond a sum to 5",
        None,
        lambda S: sp.Eq(sp.Sum(d(S.k, S.i) * S.z[S.k], (S.k, 1, 5)), S.z[S.i]),
    ),
    (
        "sift below a sum from 2",
        None,
        lambda S: sp.Eq(sp.Sum(d(S.k, S.i) * S.z[S.k], (S.k, 2, S.K)), S.z[S.i]),
    ),
    ("sift at K + 1", None, lambda S: sp.Eq(sp.Sum(d(S.k, S.K + 1), (S.k, 1, S.K)), 1)),
    ("sift at i + 1", None, lambda S: sp.Eq(sp.Sum(d(S.k, S.i + 1), (S.k, 1, S.K)), 1)),
    ("sift at 6 in 1..K", None, lambda S: sp.Eq(sp.Sum(d(S.k, 6), (S.k, 1, S.K)), 0)),
    (
        "sift at 3 in 1..2, K = 3",
        3,
        lambda S: sp.Eq(sp.Sum(d(S.k, 3) * S.z[S.k], (S.k, 1, 2)), S.z[3]),
    ),
    # derivatives of sums at variables the sum does not contain
    (
        "d/dz_j of a sum to 5",
        None,
        lambda S: sp.Eq(sp.Derivative(sp.Sum(_e(S, S.k), (S.k, 1, 5)), S.z[S.j]), _e(S, S.j)),
    ),
    (
        "d/dz_K of a sum to K - 1",
        None,
        lambda S: sp.Eq(sp.Derivative(sp.Sum(_e(S, S.k), (S.k, 1, S.K - 1)), S.z[S.K]), _e(S, S.K)),
    ),
    # sums that can be empty called positive
    ("a sum to 6 - K is positive", None, lambda S: sp.Sum(_e(S, S.k), (S.k, 1, 6 - S.K)) > 0),
    ("a sum from i + 1 is positive", None, lambda S: sp.Sum(_e(S, S.k), (S.k, S.i + 1, S.K)) > 0),
    ("a sum to K - 2 is positive", None, lambda S: sp.Sum(_e(S, S.k), (S.k, 1, S.K - 2)) > 0),
    # a product of indicator-like sums: false only at K = 2, i = j = l = 2
    ("f(i) f(j) f(l) = 0", None, lambda S: sp.Eq(_f(S, S.i) * _f(S, S.j) * _f(S, S.l), 0)),
    # facts attached to a name: an array called y is not a distribution unless declared
    ("an undeclared y sums to 1", None, lambda S: sp.Eq(sp.Sum(S.y[S.k], (S.k, 1, S.K)), 1)),
    ("an undeclared Y row sums to 1", None, lambda S: sp.Eq(sp.Sum(S.Y[1, S.k], (S.k, 1, S.K)), 1)),
    # bounds off by one
    (
        "the outputs up to K - 1 leave 1 - sigma_1",
        None,
        lambda S: sp.Eq(sp.Sum(S.sigma(S.k), (S.k, 1, S.K - 1)), 1 - S.sigma(1)),
    ),
    (
        "the others of i are the others of j",
        None,
        lambda S: sp.Eq(
            sp.Sum((1 - d(S.i, S.k)) * _e(S, S.k), (S.k, 1, S.K)), S.sum(_e(S, S.k)) - _e(S, S.j)
        ),
    ),
    # true for one K only
    ("sigma_1 + sigma_2 = 1 for any K", None, lambda S: sp.Eq(S.sigma(1) + S.sigma(2), 1)),
    # a strict inequality that is an equality
    ("the outputs sum to less than 1", None, lambda S: sp.Sum(S.sigma(S.k), (S.k, 1, S.K)) < 1),
    # far below the working precision
    (
        "a difference of 1e-50",
        None,
        lambda S: sp.Eq(S.sigma(S.i), S.sigma(S.i) + sp.Rational(1, 10**50), evaluate=False),
    ),
    (
        "a difference of 1e-45 at K = 3",
        3,
        lambda S: sp.Eq(S.sigma(1), S.sigma(1) + sp.Rational(1, 10**45), evaluate=False),
    ),
    # false only far from the origin: sum_k e^{z_k} < 1 when every logit is below about -1
    ("sigma_i < e^{z_i}", None, lambda S: S.sigma(S.i) < _e(S, S.i)),
    ("LSE(z) > 0", None, lambda S: S.lse() > 0),
    # a limit true at one point only
    ("1/t -> 1/10^4", None, lambda S: sp.Eq(sp.Limit(1 / t, t, sp.oo), sp.Rational(1, 10**4))),
    ("1/t -> 1/10^5", None, lambda S: sp.Eq(sp.Limit(1 / t, t, sp.oo), sp.Rational(1, 10**5))),
    # an index beyond K at a concrete K: not an instance of a statement about 1..K
    (
        "sift at 5 in 1..4, K = 3",
        3,
        lambda S: sp.Eq(sp.Sum(d(S.k, 5) * S.z[S.k], (S.k, 1, 4)), S.z[5]),
    ),
    # termwise (sum_k f_k <= sum_k g_k from f_k <= g_k): only over the whole range of k
    (
        "termwise over different ranges",
        None,
        lambda S: sp.Le(
            sp.Sum(_e(S, S.k), (S.k, 1, S.K + 1)), sp.Sum(_e(S, S.k), (S.k, 1, S.K)), evaluate=False
        ),
    ),
    (
        "termwise beyond 1..K",  # each term is 0 <= 0 for k in 1..K, not at k = K + 1
        None,
        lambda S: sp.Le(
            sp.Sum(d(S.k, S.K + 1) * _e(S, S.k), (S.k, 1, S.K + 1)),
            sp.Sum(d(S.k, S.K + 2) * _e(S, S.k), (S.k, 1, S.K + 1)),
            evaluate=False,
        ),
    ),
    (
        "termwise, strict, over a possibly empty range",
        None,
        lambda S: sp.Lt(
            sp.Sum(_e(S, S.k), (S.k, 1, S.K - 2)),
            sp.Sum(2 * _e(S, S.k), (S.k, 1, S.K - 2)),
            evaluate=False,
        ),
    ),
    (
        "termwise with the bound index leaking (a sum over l of e^{z_k})",
        None,
        lambda S: sp.Le(S.sum(_e(S, S.k)), sp.Sum(_e(S, S.k), (S.l, 1, S.K)), evaluate=False),
    ),
    (
        "termwise against a constant holding the bound index",
        None,
        lambda S: sp.Le(S.sum(S.z[S.k]), S.K * S.z[S.k], evaluate=False),
    ),
    # through exp and against 1: only for real sides and exponents of known sign
    (
        "log(-e^{z_i}) < z_i (not real)",
        None,
        lambda S: sp.Lt(sp.log(-_e(S, S.i)), S.z[S.i], evaluate=False),
    ),
    ("log x <= x - 1 for a real x", None, lambda S: sp.Le(sp.log(x), x - 1, evaluate=False)),
    ("e^{z_i} >= 1", None, lambda S: sp.Ge(_e(S, S.i), 1, evaluate=False)),
    ("e^{c - 1} >= 1 for c > 0", None, lambda S: sp.Ge(sp.exp(t - 1), 1, evaluate=False)),
    # the tangent of log at 1 bounds it from above only
    (
        "log sigma_i >= sigma_i - 1",
        None,
        lambda S: sp.Ge(sp.log(S.sigma(S.i)), S.sigma(S.i) - 1, evaluate=False),
    ),
    # times a positive symbol: only a positive one keeps the order
    ("1/c <= 2/c for a real c", None, lambda S: sp.Le(1 / x, 2 / x, evaluate=False)),
    (
        "z_i < LSE(t z)/t - log K / t",
        None,
        lambda S: sp.Lt(S.z[S.i], S.lse(S.vector(scale=t)) / t - sp.log(S.K) / t, evaluate=False),
    ),
    # |x| <= b claims -b <= x <= b
    (
        "|d sigma_i / d z_j| <= 1/5",
        None,
        lambda S: sp.Le(
            sp.Abs(sp.Derivative(S.sigma(S.i), S.z[S.j])), sp.Rational(1, 5), evaluate=False
        ),
    ),
    # the terms at two free indices split off a sum only where they are distinct terms
    ("sigma_i + sigma_j <= 1 for every i, j", None, lambda S: S.sigma(S.i) + S.sigma(S.j) <= 1),
    (
        "sigma_i sigma_j <= 1/4 for every i, j",
        None,
        lambda S: sp.Le(S.sigma(S.i) * S.sigma(S.j), sp.Rational(1, 4), evaluate=False),
    ),
]

x = sp.Symbol("x", real=True)

#: (id, K, claim, case, declarations of the space): false claims with a case, or in a space
#: with an index family.
FALSE_IN_CASE: list[tuple[str, int | None, Claim, Callable, dict]] = [
    (
        "sigma_i + sigma_j < 1 for i != j (equal at K = 2)",
        None,
        lambda S: S.sigma(S.i) + S.sigma(S.j) < 1,
        lambda S: sp.Ne(S.i, S.j),
        {},
    ),
    (
        "sigma_i + sigma_j + sigma_l <= 1, only i != j known",
        None,
        lambda S: S.sigma(S.i) + S.sigma(S.j) + S.sigma(S.l) <= 1,
        lambda S: sp.Ne(S.i, S.j),
        {},
    ),
    (
        "sum over positions of delta_{ut} is 0 (t in 1..T)",
        None,
        lambda S: sp.Eq(sp.Sum(d(S.index("u"), S.index("t")), (S.index("u"), 1, _size(S))), 0),
        lambda S: None,
        {"indices": {"t": "T", "u": "T"}},
    ),
]

# Claims that the prover cannot reject on its own grounds alone, with why.
NUMERIC_ONLY: dict[str, str] = {}

# True claims of the same families: verified, never a crash.
TRUE: list[tuple[str, int | None, Claim]] = [
    (
        "sift inside 1..K",
        None,
        lambda S: sp.Eq(sp.Sum(d(S.k, S.i) * S.z[S.k], (S.k, 1, S.K)), S.z[S.i]),
    ),
    (
        "sift at K in 1..K",
        None,
        lambda S: sp.Eq(sp.Sum(d(S.k, S.K) * S.z[S.k], (S.k, 1, S.K)), S.z[S.K]),
    ),
    (
        "sift at K + 1 outside 1..K",
        None,
        lambda S: sp.Eq(sp.Sum(d(S.k, S.K + 1) * S.z[S.k], (S.k, 1, S.K)), 0),
    ),
    (
        "d/dz_K of a sum to K - 1 is 0",
        None,
        lambda S: sp.Eq(sp.Derivative(sp.Sum(_e(S, S.k), (S.k, 1, S.K - 1)), S.z[S.K]), 0),
    ),
    ("a sum to K - 1 is positive", None, lambda S: sp.Sum(_e(S, S.k), (S.k, 1, S.K - 1)) > 0),
    (
        "a sum to i is nonnegative",
        None,
        lambda S: sp.GreaterThan(sp.Sum(_e(S, S.k), (S.k, 1, S.i)), 0, evaluate=False),
    ),
    (
        "a sum to i is positive",
        None,
        lambda S: sp.StrictGreaterThan(sp.Sum(_e(S, S.k), (S.k, 1, S.i)), 0, evaluate=False),
    ),
    ("e^{-t e^{z_i}} -> 0", None, lambda S: sp.Eq(sp.Limit(sp.exp(-t * _e(S, S.i)), t, sp.oo), 0)),
    (
        "sigma_1 < 1 of an explicit vector, K = 3",
        3,
        lambda S: ss.Softmax(list(ss.logits(3)), 3, 1) < 1,
    ),
    (
        "sigma_i <= e^{z_i - max}",
        None,
        lambda S: sp.Eq(S.sigma(S.i) * S.sum(_e(S, S.k)), _e(S, S.i)),
    ),
    # the monotone rules: termwise, through exp, against 1, the tangent of log
    ("z_i < LSE(z)", None, lambda S: sp.Lt(S.z[S.i], S.lse(), evaluate=False)),
    (
        "LSE(M - d) <= M + log K",
        None,
        lambda S: sp.Le(S.lse(sp.Lambda(S.k, M - D[S.k])), M + sp.log(S.K), evaluate=False),
    ),
    (
        "LSE(z) <= max + log K, K = 3",
        3,
        lambda S: sp.Le(S.lse(sp.Lambda(S.k, M - D[S.k])), M + sp.log(3), evaluate=False),
    ),
    ("e^{-t} <= 1", None, lambda S: sp.Le(sp.exp(-t), 1, evaluate=False)),
    (
        "z_i < LSE(t z)/t",
        None,
        lambda S: sp.Lt(S.z[S.i], S.lse(S.vector(scale=t)) / t, evaluate=False),
    ),
    (
        "log sigma_i <= sigma_i - 1",
        None,
        lambda S: sp.Le(sp.log(S.sigma(S.i)), S.sigma(S.i) - 1, evaluate=False),
    ),
    (
        "|d sigma_i / d z_j| <= 1/4",
        None,
        lambda S: sp.Contains(
            sp.Derivative(S.sigma(S.i), S.z[S.j]),
            sp.Interval(-sp.Rational(1, 4), sp.Rational(1, 4)),
            evaluate=False,
        ),
    ),
]

M = sp.Symbol("M", real=True)
D = sp.IndexedBase("d", nonnegative=True)

#: (id, K, claim, case, declarations of the space): true claims with a case, or in a space
#: with an index family.
TRUE_IN_CASE: list[tuple[str, int | None, Claim, Callable, dict]] = [
    (
        "sigma_i + sigma_j <= 1 for i != j",
        None,
        lambda S: S.sigma(S.i) + S.sigma(S.j) <= 1,
        lambda S: sp.Ne(S.i, S.j),
        {},
    ),
    (
        "the Jacobian over positions (delta_ut and delta_tu both met)",
        None,
        lambda S: sp.Eq(
            sp.Derivative(
                ss.Softmax(sp.Lambda(S.index("t"), _s[S.index("t")]), _size(S), S.index("u")),
                _s[S.index("t")],
            ),
            ss.Softmax(sp.Lambda(S.index("t"), _s[S.index("t")]), _size(S), S.index("u"))
            * (
                d(S.index("u"), S.index("t"))
                - ss.Softmax(sp.Lambda(S.index("t"), _s[S.index("t")]), _size(S), S.index("t"))
            ),
            evaluate=False,
        ),
        lambda S: None,
        {"indices": {"t": "T", "u": "T"}},
    ),
]

_s = sp.IndexedBase("s", real=True)


def _size(S: ss.ClassSpace) -> sp.Symbol:
    """T, the size of the positions t of the space."""
    return S.range_of(S.index("t"))[1]


@pytest.fixture
def one_step() -> Iterator[Callable[..., ss.Derivation]]:
    """A one-step derivation of a claim, registered through the public API."""
    names: list[str] = []

    def make(claim: Claim, K: int | None, case=None, **space: object) -> ss.Derivation:
        name = f"soundness_probe_{len(names)}"

        def build(S: ss.ClassSpace) -> list[ss.Line]:
            return [ss.Line(claim(S), "the claim", case and case(S), label="claim")]

        ss.register(name, build, title="Probe", **space)
        names.append(name)
        return ss.derive(name, K=K)

    yield make
    for name in names:
        ss.unregister(name)


@pytest.mark.parametrize(("what", "K", "claim"), FALSE, ids=[c[0] for c in FALSE])
def test_a_false_claim_is_not_verified(one_step, what: str, K: int | None, claim: Claim) -> None:
    derivation = one_step(claim, K)
    with pytest.raises(ss.VerificationError) as info:
        derivation.verify()
    assert info.value.label == "claim", what


@pytest.mark.parametrize(("what", "K", "claim"), FALSE, ids=[c[0] for c in FALSE])
def test_each_check_alone_rejects_a_false_claim(
    one_step, what: str, K: int | None, claim: Claim
) -> None:
    derivation = one_step(claim, K)
    step, space = derivation.step("claim"), derivation.space
    if what not in NUMERIC_ONLY:
        assert unproved(step.expr, space) is not None, f"the prover accepts: {what}"
    assert check(step.expr, space) is not None, f"the numeric check accepts: {what}"


@pytest.mark.parametrize(("what", "K", "claim"), TRUE, ids=[c[0] for c in TRUE])
def test_a_true_claim_is_verified(one_step, what: str, K: int | None, claim: Claim) -> None:
    assert one_step(claim, K).verify(), what


@pytest.mark.parametrize(
    ("what", "K", "claim", "case", "space"), FALSE_IN_CASE, ids=[c[0] for c in FALSE_IN_CASE]
)
def test_a_false_claim_in_a_case_is_rejected_by_each_check(one_step, what, K, claim, case, space):
    derivation = one_step(claim, K, case, **space)
    step = derivation.step("claim")
    with pytest.raises(ss.VerificationError):
        derivation.verify()
    assert unproved(step.expr, derivation.space, case=step.case) is not None, what
    assert check(step.expr, derivation.space, case=step.case) is not None, what


@pytest.mark.parametrize(
    ("what", "K", "claim", "case", "space"), TRUE_IN_CASE, ids=[c[0] for c in TRUE_IN_CASE]
)
def test_a_true_claim_in_a_case_is_verified(one_step, what, K, claim, case, space) -> None:
    assert one_step(claim, K, case, **space).verify(), what


def test_a_distribution_is_a_fact_only_where_declared(one_step) -> None:
    def claim(S: ss.ClassSpace) -> sp.Basic:
        return sp.Eq(sp.Sum(S.y[S.k], (S.k, 1, S.K)), 1)

    assert one_step(claim, None, distributions=("y",)).verify()
    with pytest.raises(ss.VerificationError):
        one_step(claim, None).verify()


def test_a_failure_inside_sympy_is_not_proved_with_its_reason(one_step) -> None:
    # A relation the prover does not decide, and a limit SymPy gives up on, are answered
    # "not proved" with the reason: never an exception out of verify(), never a pass.
    S = ss.ClassSpace.of(None)
    why = unproved(sp.Ne(S.sigma(S.i), 2), S)
    assert why is not None and "Unequality" in why
    limit = one_step(lambda S: sp.Eq(sp.Limit(sp.exp(-t * S.z[S.i]), t, sp.oo), 0), None)
    with pytest.raises(ss.VerificationError, match="SymPy could not prove"):
        limit.verify()


def test_a_huge_K_is_refused_before_any_work(monkeypatch) -> None:
    from symsoftmax.engine import registry

    def never(S: ss.ClassSpace) -> list[ss.Line]:
        raise AssertionError("the builder ran for a K that is refused")

    entry = registry._TABLE["jacobian"]
    monkeypatch.setitem(registry._TABLE, "jacobian", dataclasses.replace(entry, build=never))
    for K in (2**70, 65):
        with pytest.raises(ValueError, match=f"K must be at most 64 .*got {K}"):
            ss.derive("jacobian", K=K)


def test_every_result_is_a_verified_step() -> None:
    # The stated result is one of the steps that verify() checks, for every derivation.
    for name in ss.derivations():
        d = ss.derive(name)
        assert any(step.expr == d.result for step in d.steps), name
