"""Every claim in a reason is proved: by a step of the same derivation, or by a theorem the
reason names. A reason that draws a formula as a conclusion ("so", "hence", "therefore",
"thus" followed by a relation such as ``$\\operatorname{rank} J = K - 1$``) must draw one
that a step of the derivation prints, or one reviewed below with what proves it.

Then the claims that used to be made only in words, now steps: the null space of the
Jacobian and its rank for every K, the vector forms J = diag(sigma) - sigma sigma^T and
Jv = sigma * (v - <sigma, v> 1), and the gradient of the softmax-regression cost; each
checked against an oracle of its own (numpy's SVD, SymPy's jacobian, finite differences).
"""

from __future__ import annotations

import dataclasses
import functools
import re

import numpy as np
import pytest
import sympy as sp

import symsoftmax as ss
from symsoftmax.derivations import regression as R
from symsoftmax.output.printing import relation_latex
from symsoftmax.symbolic.functions import expand_definitions

_CONNECTIVE = re.compile(r"\b(so|hence|therefore|thus)\b", re.IGNORECASE)
_PIECE = re.compile(r"\$[^$]*\$|[^$]+")
# A relation outside subscripts: sum_{k \neq i} names a range, it claims nothing.
_RELATION = re.compile(r"=|<|>|\\[lg]eq?\b|\\neq?\b|\\in\b|\\to\b|\\subset")
_SUBSCRIPT = re.compile(r"_\{[^{}]*\}")
_CLAUSE_END = re.compile(r"[;:]|\.(\s|$)")
# A formula after one of these words states a condition (as beta -> oo, at beta = 0, if
# z_i > z_j), not a conclusion.
_CONDITION = re.compile(r"\b(as|at|if|when|for|with|where|unless)\s*$", re.IGNORECASE)

#: (derivation, step label, formula) -> what proves it. Each reviewed: a formula that a
#: reason concludes which is no step's statement, with the theorem, definition or steps
#: that give it. An entry that no reason uses any more fails the test below (kept current).
ALLOWED: dict[tuple[str, str, str], str] = {
    (
        "jacobian_properties",
        "null_space",
        r"\operatorname{rank} J = K - 1",
    ): "rank-nullity theorem: the null space is spanned by 1 (this step and rows_sum_to_zero)",
    (
        "overparameterization",
        "gradient",
        r"\nabla_{\theta_k} L = \frac{1}{m} \sum_s (h_\Theta(x_s)_k - 1\{y_s = k\})\, x_s",
    ): "finite sums commute: (1/m) sum_s <G_s, V> = <(1/m) sum_s G_s, V>, with G_s the "
    "gradient of sample_gradient (the prover cannot reorder sums, so this is words)",
    (
        "odds",
        "larger",
        r"\sigma_i > \sigma_j",
    ): "sigma_i - sigma_j = sigma_j (e^a - 1) (the step before) is > 0 (this step)",
    (
        "odds",
        "order",
        r"\sigma_i < \sigma_j",
    ): "sigma_i - sigma_j = sigma_j (e^{-a} - 1) (step 'difference') is < 0 (this step)",
    (
        "odds",
        "order",
        r"\sigma_i > \sigma_j",
    ): "trichotomy: the three cases z_i >, =, < z_j give sigma_i >, =, < sigma_j",
    (
        "smooth_max",
        "lower",
        r"\max_k z_k < \operatorname{LSE}(\mathbf{z})",
    ): "the step holds for every i, and max_k z_k is one of the z_i",
    (
        "smooth_max",
        "scaled_upper",
        r"\beta^{-1} \operatorname{LSE}(\beta \mathbf{z}) \to \max_k z_k",
    ): "squeeze theorem on max z < LSE(beta z)/beta <= max z + log K / beta (steps "
    "'lower' and this one at beta z, divided by beta > 0)",
    (
        "variational",
        "gibbs",
        r"\operatorname{KL} \geq 0",
    ): "sum_k q_k = sum_k sigma_k = 1, so the step's sum is KL(q || sigma) (Gibbs' inequality)",
    (
        "variational",
        "gibbs",
        r"\langle \mathbf{q}, \mathbf{z} \rangle + H(\mathbf{q}) \leq \operatorname{LSE}(\mathbf{z})",
    ): "the first step: <q, z> + H(q) = LSE(z) - KL(q || sigma), and KL >= 0",
    (
        "saturation",
        "diagonal",
        r"\sigma_i (1 - \sigma_i) \leq 1/4",
    ): "the step itself: the diagonal entry d sigma_i / d z_i is sigma_i (1 - sigma_i)",
    (
        "saturation",
        "one_hot",
        r"a \neq m",
    ): "names the rows a other than m: a condition, not a claim",
    (
        "saturation",
        "one_hot",
        r"\sigma_a \leq 1 - \sigma_m",
    ): "the outputs are positive and sum to 1, so sigma_a + sigma_m <= 1 for a != m",
    (
        "distillation",
        "difference_quotient",
        r"g(\beta) = \sigma(\beta \mathbf{z})_j - \sigma(\beta \mathbf{t})_j",
    ): "the definition of g, not a claim",
    (
        "distillation",
        "difference_quotient",
        r"g(0) = 0",
    ): "sigma(0)_j = 1/K for both logit vectors",
}


def _normal(tex: str) -> str:
    """LaTeX without spacing, sizing and grouping, sigma(z)_i written sigma_i."""
    tex = re.sub(r"\\sigma\(\\mathbf\{z\}\)", r"\\sigma", tex)
    tex = re.sub(r"\\left|\\right|\\[,;!]|&|\s|[{}]", "", tex)
    return tex


def claims(reason: str) -> list[str]:
    """The relations a reason concludes: each formula with a relation (outside subscripts)
    in the clause after "so", "hence", "therefore" or "thus", up to the next ``;``, ``:``
    or the end of the sentence; a formula after "as", "if", "at", ... is a condition."""
    found = []
    for match in _CONNECTIVE.finditer(reason):
        before = ""
        for piece in _PIECE.findall(reason[match.end() :]):
            if piece.startswith("$"):
                formula = piece[1:-1]
                relation = _RELATION.search(_SUBSCRIPT.sub("", formula))
                if relation and not _CONDITION.search(before):
                    found.append(formula)
            elif _CLAUSE_END.search(piece):
                break
            before = piece
    return found


def _unproved(d: ss.Derivation) -> list[tuple[str, str, str]]:
    """(derivation, label, formula) for each concluded formula that no step prints."""
    printed = {_normal(relation_latex(step.expr)) for step in d.steps}
    return [
        (d.name, step.label or str(step.number), formula)
        for step in d.steps
        for formula in claims(step.reason)
        if _normal(formula) not in printed
    ]


@functools.cache
def _all_unproved() -> frozenset[tuple[str, str, str]]:
    return frozenset(
        found
        for name in ss.derivations()
        for K in (None, 2, 3)
        for found in _unproved(ss.derive(name, K=K))
    )


def test_every_concluded_formula_is_a_step_or_reviewed() -> None:
    missing = sorted(_all_unproved() - set(ALLOWED))
    # Each listed (derivation, step, formula): prove it with a step, reword the reason to
    # what is proved, or add it to ALLOWED with the theorem or steps that prove it.
    assert missing == [], "\n".join(map(repr, missing))


def test_every_reviewed_entry_is_still_used() -> None:
    # an entry for a reason that was reworded would allow the formula back unseen
    assert sorted(set(ALLOWED) - _all_unproved()) == []


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (r"so $\operatorname{rank} J = K - 1$", [r"\operatorname{rank} J = K - 1"]),
        (r"hence $J \mathbf{1} = 0$ and $J = J^{T}$", [r"J \mathbf{1} = 0", "J = J^{T}"]),
        (r"Thus, for every $i$, $v_i = v_j$", ["v_i = v_j"]),
        (r"so the error is at most $\log K / \beta$", []),  # no relation: a noun
        (r"so it tends to 0 as $\beta \to \infty$", []),  # a condition
        (r"so $\sum_{k \neq i} e^{z_k}$ is positive", []),  # a relation in a subscript only
        (r"a sum of positive terms; so: nothing", []),
        (r"$x > 0$: the sum is positive", []),  # no connective
        (r"also $x > 0$", []),  # "so" only as a word
        (r"so it is positive. Then $x = 1$", []),  # the next sentence
    ],
)
def test_claims_reads_the_conclusions_of_a_reason(reason: str, expected: list[str]) -> None:
    assert claims(reason) == expected


def test_an_unproved_conclusion_is_caught() -> None:
    # A mutation: a reason that concludes what no step proves is reported.
    d = ss.derive("range")
    assert _unproved(d) == []
    number = d.step("below_one").number
    line = d.lines[number - 1]
    said = ss.Text(en=r"so $\sigma(\mathbf{z})_i < 1/2$", zh=line.reason("zh"))
    lines = (*d.lines[: number - 1], dataclasses.replace(line, reason=said), *d.lines[number:])
    broken = dataclasses.replace(d, lines=lines)
    assert _unproved(broken) == [("range", "below_one", r"\sigma(\mathbf{z})_i < 1/2")]


def test_a_conclusion_that_a_step_prints_is_proved() -> None:
    # "so $\sigma(\mathbf{z})_i < 1$" is the statement of range's step below_one
    d = ss.derive("range")
    printed = _normal(relation_latex(d.step("below_one").expr))
    assert _normal(r"\sigma(\mathbf{z})_i < 1") == printed


# -- the null space and rank of J, for every K ---------------------------------------------


def test_jacobian_properties_proves_the_null_space_identity_for_any_K() -> None:
    d = ss.derive("jacobian_properties")
    S = d.space
    i, j, l, v, z = S.i, S.j, S.l, S.v, S.z

    def product(a: sp.Expr) -> sp.Expr:  # (J v)_a
        return sp.Sum(sp.Derivative(S.sigma(a), z[l]) * v[l], (l, 1, S.K))

    statement = d.step("null_space").expr
    assert S.symbolic and statement.lhs == v[i] - v[j]
    assert sp.simplify(statement.rhs - (product(i) / S.sigma(i) - product(j) / S.sigma(j))) == 0
    # with J 1 = 0, a step of the same derivation, for the same symbolic K
    assert d.step("rows_sum_to_zero").expr == sp.Eq(
        sp.Sum(sp.Derivative(S.sigma(i), z[j]), (j, 1, S.K)), 0, evaluate=False
    )
    assert r"\operatorname{rank} J = K - 1" in d.step("null_space").reason


@pytest.mark.verifies(name="jacobian_properties")
@pytest.mark.parametrize("K", [None, 3])
def test_the_null_space_steps_verify(K: int | None, verified) -> None:
    d = verified("jacobian_properties", K)
    assert {"matrix_form", "null_space", "rows_sum_to_zero"} <= set(d.labels)


@pytest.mark.parametrize(("K", "seed"), [(2, 0), (3, 1), (5, 2), (17, 3)])
def test_rank_and_null_space_by_numpy_svd(K: int, seed: int) -> None:
    # the claim drawn from the steps, against an independent oracle: numpy's SVD of the
    # Jacobian that ss.numeric generates from the derived formula
    z = np.random.default_rng(seed).normal(size=K) * 3
    J = ss.numeric.jacobian(z)
    s = np.linalg.svd(J, compute_uv=False)
    assert np.sum(s > 1e-12 * s[0]) == K - 1  # rank K - 1
    _, _, Vt = np.linalg.svd(J)
    null = Vt[-1]
    np.testing.assert_allclose(np.abs(null), np.full(K, 1 / np.sqrt(K)), atol=1e-10)


# -- the vector forms ---------------------------------------------------------------------


@pytest.mark.parametrize("K", [2, 3, 4])
def test_the_matrix_form_is_sympys_jacobian(K: int) -> None:
    # entry (i, j) of diag(sigma) - sigma sigma^T, at every i, j, against SymPy's own
    # jacobian of the explicit softmax
    d = ss.derive("jacobian_properties")
    S, concrete = d.space, ss.ClassSpace.of(K)
    entry = d.step("matrix_form").expr.rhs
    z = ss.logits(K)
    explicit = ss.softmax(z)
    want = explicit.jacobian(z)
    for a in range(K):
        for b in range(K):
            value = entry.xreplace({S.i: a + 1, S.j: b + 1, S.K: K})
            value = expand_definitions(value.xreplace({S.z: concrete.z})).doit()
            value = value.xreplace({concrete.z[n + 1]: z[n] for n in range(K)})
            assert sp.simplify(value - want[a, b]) == 0, (a, b)
    assert r"J = \operatorname{diag}(\sigma) - \sigma \sigma^{T}" in d.step("matrix_form").reason


def test_the_jvp_step_is_the_vector_form() -> None:
    d = ss.derive("jvp")
    assert r"J v = \sigma \odot (v - \langle \sigma, v \rangle \mathbf{1})" in d.step("jvp").reason
    S = d.space
    rng = np.random.default_rng(4)
    for K in (2, 3, 6):
        z, v = rng.normal(size=K), rng.normal(size=K)
        s = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
        values = {S.K: K} | {S.z[n + 1]: z[n] for n in range(K)}
        values |= {S.v[n + 1]: v[n] for n in range(K)}
        rhs = d.step("jvp").expr.rhs
        got = [
            float(expand_definitions(rhs.xreplace({S.i: n + 1} | {S.K: K})).doit().xreplace(values))
            for n in range(K)
        ]
        np.testing.assert_allclose(got, s * (v - s @ v), rtol=1e-12)


def test_the_cross_entropy_gradient_is_the_vector_form() -> None:
    d = ss.derive("cross_entropy")
    assert r"\nabla_{\mathbf{z}} L = \sigma - y" in d.step("gradient").reason
    S = d.space
    assert d.step("gradient").expr.rhs == S.sigma(S.j) - S.y[S.j]


# -- the gradient of the regression cost -------------------------------------------------


def _cost(theta: np.ndarray, X: np.ndarray, Y: np.ndarray) -> float:
    """-(1/m) sum_s sum_k Y_sk log softmax(theta x_s)_k, written here with numpy alone."""
    scores = X @ theta.T
    scores = scores - scores.max(axis=1, keepdims=True)
    log_h = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    return float(-(Y * log_h).sum() / len(X))


def _value(expr: sp.Expr, K: int, theta, X, Y, V) -> float:
    """The step's expression at these numbers, its sums written out, to 30 digits."""
    m, n = X.shape
    S = ss.ClassSpace.of(K, indices=R.INDICES)
    sizes = {S.range_of(S.index("s"))[1]: m, S.range_of(S.index("a"))[1]: n}
    concrete = expand_definitions(expr.xreplace(sizes)).doit()
    values = {R._theta[k + 1, a + 1]: theta[k, a] for k in range(K) for a in range(n)}
    values |= {R._V[k + 1, a + 1]: V[k, a] for k in range(K) for a in range(n)}
    values |= {R._X[s + 1, a + 1]: X[s, a] for s in range(m) for a in range(n)}
    values |= {S.Y[s + 1, k + 1]: Y[s, k] for s in range(m) for k in range(K)}
    return float(concrete.xreplace({key: sp.Float(x, 30) for key, x in values.items()}))


@pytest.mark.parametrize(("K", "seed"), [(2, 0), (3, 1)])
def test_the_regression_gradient_matches_finite_differences(K: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    m, n = 4, 3
    theta, X = rng.normal(size=(K, n)), rng.normal(size=(m, n))
    Y = np.eye(K)[rng.integers(K, size=m)]  # one-hot targets, 1{y_s = k}
    d = ss.derive("overparameterization", K=K)
    step = d.step("gradient").expr.rhs
    # the gradient the reason states, (1/m) sum_s (h_k(x_s) - 1{y_s = k}) x_s, ...
    scores = X @ theta.T
    h = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    G = (h - Y).T @ X / m
    eps = 1e-6
    for k in range(K):
        for a in range(n):
            E = np.zeros((K, n))
            E[k, a] = 1.0
            # ... is the partial derivative of an independent cost (central differences) ...
            fd = (_cost(theta + eps * E, X, Y) - _cost(theta - eps * E, X, Y)) / (2 * eps)
            assert G[k, a] == pytest.approx(fd, rel=1e-6, abs=1e-9)
            # ... and the derived step along V = E_{k,a} gives that same entry
            assert _value(step, K, theta, X, Y, E) == pytest.approx(G[k, a], rel=1e-12, abs=1e-15)
