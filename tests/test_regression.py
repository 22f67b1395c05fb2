"""regression_hessian: the Hessian of the softmax-regression cost, derived and verified.

The derivation must verify (symbolic K, K = 2, 3), a broken version of each of its steps must
be caught and named, and its formulas must agree with independent oracles: central finite
differences of a cost written here with scipy, numpy's eigensolver on a finite-difference
Hessian, and SymPy's own ``hessian`` of the explicit per-sample cost.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest
import scipy.special
import sympy as sp

import symsoftmax as ss
from symsoftmax import cli
from symsoftmax.derivations import regression as R
from symsoftmax.engine.numcheck import check
from symsoftmax.engine.proof import prove
from symsoftmax.regression import model
from symsoftmax.symbolic.functions import expand_definitions
from symsoftmax.symbolic.space import ClassSpace

NAME = "regression_hessian"
LAMBDA = 0.3


# -- the derivation ------------------------------------------------------------------------


@pytest.mark.verifies(name=NAME)
@pytest.mark.parametrize("K", [None, 2, 3])
def test_it_verifies(K: int | None, verified) -> None:
    # verify() returned True (else VerificationError naming the step), once per run for
    # every test that needs it (tests/conftest.py)
    assert verified(NAME, K).name == NAME


@pytest.mark.parametrize("K", [None, 2, 3, 4])
def test_its_result_is_the_hessian_quadratic_form(K) -> None:
    d = ss.derive(NAME, K=K)
    assert len(d.steps) == 12
    # the result is the Hessian quadratic form as a variance, in every language
    assert d.result == d.step("variance").expr == ss.derive(NAME, K=K, lang="zh").result
    assert isinstance(d.result, sp.Eq) and isinstance(d.result.lhs, sp.Subs)


def test_overparameterization_keeps_its_result_and_steps() -> None:
    d = ss.derive("overparameterization")
    assert len(d.steps) == 10
    assert d.result == d.step("shifted").expr  # sigma((Theta - 1 psi^T) x) = sigma(Theta x)


# -- mutations: a broken step is caught, by each check alone, and named -------------------


def _rhs(rel: sp.Basic, new: sp.Expr) -> sp.Basic:
    return rel.func(rel.lhs, new, evaluate=False)


def _without(base: sp.IndexedBase) -> Callable[[sp.Expr], sp.Expr]:
    """Every entry of ``base`` set to 0: drops the terms it appears in."""
    return lambda e: e.replace(lambda x: isinstance(x, sp.Indexed) and x.base == base, lambda x: 0)


def _no_delta(rel: sp.Basic) -> sp.Basic:
    """h_i (delta_ij - h_j) x x^T -> -h_i h_j x x^T: the diagonal blocks lose diag(h)."""
    weight, outer = rel.rhs.args
    without = weight.replace(lambda e: isinstance(e, sp.KroneckerDelta), lambda e: 0)
    return _rhs(rel, sp.MatMul(without, outer, evaluate=False))


def _plus_h_j(rel: sp.Basic) -> sp.Basic:
    """h_i (delta_ij - h_j) x x^T -> h_i (delta_ij + h_j) x x^T: a sign slip."""
    j = sp.Symbol("j", integer=True, positive=True)
    (h_j,) = [h for h in rel.rhs.atoms(ss.Softmax) if h.args[2] == j]
    return _rhs(rel, rel.rhs.xreplace({-h_j: h_j}))


def _not_a_shift(rel: sp.Basic) -> sp.Basic:
    """H (psi; psi; ...) -> H (1 psi; 2 psi; ...; K psi): not the same psi in every row."""
    j = sp.Symbol("j", integer=True, positive=True)
    scaled = rel.lhs.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == R._psi, lambda e: j * e
    )
    return sp.Eq(scaled, rel.rhs, evaluate=False)


def _without_mean(d: ss.Derivation, e: sp.Expr) -> sp.Expr:
    """The variance form with the mean sum_l h_l u_l left out: a second moment instead."""
    l = d.space.l
    return e.replace(lambda x: isinstance(x, sp.Sum) and x.limits[0][0] == l, lambda x: 0)


def _variance(d: ss.Derivation) -> sp.Expr:
    return d.step("variance").expr.rhs


# the sizes as the space declares them: m samples, n features (positive integers)
_m, _n = sp.symbols("m n", integer=True, positive=True)
_K = sp.Symbol("K", integer=True, positive=True)

# (K, step label, mutation of (derivation, relation), what the slip is)
MUTATIONS = [
    (None, "cost_lse", lambda d, r: _rhs(r, _without(ClassSpace.of(None).Y)(r.rhs)), "no linear"),
    (None, "second_directional", lambda d, r: _rhs(r, -r.rhs), "wrong sign"),
    (3, "second_directional", lambda d, r: _rhs(r, _m * r.rhs), "missing 1/m"),
    (None, "variance", lambda d, r: _rhs(r, 2 * r.rhs), "variance doubled"),
    (None, "convex", lambda d, r: sp.Lt(r.lhs, 0, evaluate=False), "a negative variance"),
    (None, "along_shift", lambda d, r: _rhs(r, _without_mean(d, r.rhs)), "the mean not subtracted"),
    (None, "singular", lambda d, r: _rhs(r, sp.S.One), "second derivative along 1 psi^T is 1"),
    (3, "singular", lambda d, r: _rhs(r, sp.S.One), "second derivative along 1 psi^T is 1"),
    (None, "decayed", lambda d, r: _rhs(r, _variance(d)), "missing lambda term"),
    (2, "decayed", lambda d, r: _rhs(r, _variance(d) + 2 * (r.rhs - _variance(d))), "2 lambda"),
    (None, "decayed_bound", lambda d, r: sp.Le(r.lhs, r.rhs, evaluate=False), "the bound reversed"),
    (None, "decayed_shift", lambda d, r: _rhs(r, r.rhs / _K), "missing the factor K"),
    (None, "sample_cost", lambda d, r: _rhs(r, _without(d.space.y)(r.rhs)), "no linear"),
    (None, "blocks", lambda d, r: _no_delta(r), "no diag(h)"),
    (3, "blocks", lambda d, r: _plus_h_j(r), "+ h_j"),
    (None, "null_vector", lambda d, r: _not_a_shift(r), "(psi; 2 psi; ...) in the null space"),
    (2, "null_vector", lambda d, r: _not_a_shift(r), "(psi; 2 psi) in the null space"),
]
IDS = [f"K{K}-{label}-{what}" for K, label, _, what in MUTATIONS]


def _broken(K, label, mutate) -> tuple[ss.Derivation, sp.Basic]:
    d = ss.derive(NAME, K=K)
    false = mutate(d, d.step(label).expr)
    assert false != d.step(label).expr
    return d.replace_step(label, false), false


@pytest.mark.verifies(name=NAME)  # steps 1 .. n - 1 were proved with the verification
@pytest.mark.usefixtures("memoized_steps")
@pytest.mark.parametrize(("K", "label", "mutate", "what"), MUTATIONS, ids=IDS)
def test_a_broken_step_is_caught_and_named(K, label, mutate, what) -> None:
    broken, _ = _broken(K, label, mutate)
    with pytest.raises(ss.VerificationError) as info:
        broken.verify()
    assert (info.value.derivation, info.value.label) == (NAME, label), what
    assert info.value.step == broken.step(label).number


@pytest.mark.parametrize(("K", "label", "mutate", "what"), MUTATIONS, ids=IDS)
def test_each_check_alone_rejects_the_broken_step(K, label, mutate, what) -> None:
    broken, false = _broken(K, label, mutate)
    step = broken.step(label)
    space = step.space or broken.space
    # SymPy does not prove it, and mpmath finds a point where it fails.
    assert prove(false, space, case=step.case) is False, what
    assert check(false, space, case=step.case) is not None, what


# -- independent oracles: finite differences, numpy's eigensolver, SymPy's hessian ---------


def cost(theta: np.ndarray, X: np.ndarray, Y: np.ndarray, decay: float = 0.0) -> float:
    """J(Theta) = -(1/m) sum_s sum_k Y_sk log softmax(X Theta^T)_sk + (decay/2) ||Theta||^2,
    written with scipy alone."""
    data = -np.sum(Y * scipy.special.log_softmax(X @ theta.T, axis=1)) / len(X)
    return float(data + 0.5 * decay * np.sum(theta**2))


def fd_second(f: Callable[[float], float], h: float = 1e-4) -> float:
    """f''(0) by central differences (error about h^2 f'''' + eps / h^2, near 1e-8 here)."""
    return (f(h) - 2 * f(0.0) + f(-h)) / h**2


def fd_hessian(theta: np.ndarray, X: np.ndarray, Y: np.ndarray, decay: float = 0.0):
    """The Hessian of ``cost`` with respect to theta.ravel() (rows stacked), by central
    differences of the cost itself."""
    p = theta.size
    H = np.empty((p, p))
    h = 1e-4
    E = np.eye(p).reshape(p, *theta.shape)
    for a in range(p):
        for b in range(p):
            Ea, Eb = h * E[a], h * E[b]
            H[a, b] = (
                cost(theta + Ea + Eb, X, Y, decay)
                - cost(theta + Ea - Eb, X, Y, decay)
                - cost(theta - Ea + Eb, X, Y, decay)
                + cost(theta - Ea - Eb, X, Y, decay)
            ) / (4 * h * h)
    return H


def random_problem(seed: int, K: int, n: int = 3, m: int = 5):
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((K, n))
    X = rng.standard_normal((m, n))
    Y = rng.dirichlet(np.ones(K), size=m)  # each row a probability vector
    V = rng.standard_normal((K, n))
    psi = rng.standard_normal(n)
    return theta, X, Y, V, psi


def written_out(expr: sp.Basic) -> sp.Basic:
    """Every sum with integer bounds as the Add of its terms, innermost first."""

    def terms(s: sp.Sum) -> sp.Expr:
        found = [s.function]
        for k, lo, hi in s.limits:
            found = [t.xreplace({k: sp.Integer(v)}) for t in found for v in range(lo, hi + 1)]
        return sp.Add(*found)

    return expr.replace(lambda e: isinstance(e, sp.Sum), terms)


def formula(expr: sp.Expr, K: int, theta, X, Y, V, psi, decay: float = 0.0) -> float:
    """A step's SymPy expression at these numbers (sizes m, n from X), the softmax by its
    definition e^{u_k} / sum_l e^{u_l}, at 30 digits."""
    m, n = X.shape
    values = {_m: m, _n: n}
    concrete = written_out(expand_definitions(expr.xreplace(values)))
    entries = {R._lambda: decay}
    for k in range(K):
        for a in range(n):
            entries[R._theta[k + 1, a + 1]] = theta[k, a]
            entries[R._V[k + 1, a + 1]] = V[k, a]
    for a in range(n):
        entries[R._psi[a + 1]] = psi[a]
        for s in range(m):
            entries[R._X[s + 1, a + 1]] = X[s, a]
    S = ClassSpace.of(K)
    for s in range(m):
        for k in range(K):
            entries[S.Y[s + 1, k + 1]] = Y[s, k]
    entries = {key: sp.Float(value, 30) for key, value in entries.items()}
    return float(concrete.xreplace(entries).evalf(30))


@pytest.mark.parametrize(("K", "seed"), [(2, 0), (3, 1), (4, 2)])
def test_second_directional_derivative_matches_finite_differences(K: int, seed: int) -> None:
    theta, X, Y, V, psi = random_problem(seed, K)
    d = ss.derive(NAME, K=K)
    moment, variance = d.step("second_directional").expr.rhs, d.step("variance").expr.rhs
    numeric = fd_second(lambda t: cost(theta + t * V, X, Y))
    for expr in (moment, variance):
        analytic = formula(expr, K, theta, X, Y, V, psi)
        assert analytic == pytest.approx(numeric, rel=1e-5), (expr, analytic, numeric)
    # with weight decay: the same plus lambda ||V||^2
    decayed = formula(d.step("decayed").expr.rhs, K, theta, X, Y, V, psi, LAMBDA)
    numeric = fd_second(lambda t: cost(theta + t * V, X, Y, LAMBDA))
    assert decayed == pytest.approx(numeric, rel=1e-5)
    assert decayed == pytest.approx(
        formula(variance, K, theta, X, Y, V, psi) + LAMBDA * np.sum(V**2), rel=1e-12
    )


@pytest.mark.parametrize(("K", "seed"), [(2, 3), (3, 4)])
def test_along_a_row_shift_the_second_derivative_is_zero(K: int, seed: int) -> None:
    theta, X, Y, _, psi = random_problem(seed, K)
    shift = np.tile(psi, (K, 1))  # V = 1 psi^T
    # J is constant along the whole line Theta + t 1 psi^T, not only flat to second order
    for t in (-2.0, 0.5, 3.0):
        assert cost(theta + t * shift, X, Y) == pytest.approx(cost(theta, X, Y), abs=1e-12)
    assert abs(fd_second(lambda t: cost(theta + t * shift, X, Y))) < 1e-6
    d = ss.derive(NAME, K=K)
    flat = formula(d.step("along_shift").expr.rhs, K, theta, X, Y, shift, psi)
    assert abs(flat) < 1e-25  # the variance of a constant, at 30 digits
    # with weight decay: lambda K ||psi||^2 = lambda ||1 psi^T||^2
    decayed = formula(d.step("decayed_shift").expr.rhs, K, theta, X, Y, shift, psi, LAMBDA)
    assert decayed == pytest.approx(LAMBDA * K * np.sum(psi**2), rel=1e-12)
    numeric = fd_second(lambda t: cost(theta + t * shift, X, Y, LAMBDA))
    assert decayed == pytest.approx(numeric, rel=1e-5)


@pytest.mark.parametrize(("K", "n", "seed"), [(2, 2, 5), (3, 3, 6), (4, 2, 7)])
def test_hessian_null_space_and_definiteness_by_the_eigensolver(K, n, seed) -> None:
    theta, X, Y, V, psi = random_problem(seed, K, n=n, m=8)
    H_fd = fd_hessian(theta, X, Y)
    H = model.hessian(theta, X)
    # the toolkit's Hessian is the finite-difference Hessian of an independent cost
    np.testing.assert_allclose(H, H_fd, atol=1e-6)
    # vec(V)^T H vec(V) is the derived variance form
    variance = formula(ss.derive(NAME, K=K).step("variance").expr.rhs, K, theta, X, Y, V, psi)
    assert V.ravel() @ H @ V.ravel() == pytest.approx(variance, rel=1e-10)
    for M, tol in ((H, 1e-12), (H_fd, 1e-6)):
        w, U = np.linalg.eigh(M)
        # positive semidefinite, singular: exactly n zero eigenvalues (generic data) ...
        assert w[0] > -tol and np.sum(np.abs(w) < 1e3 * tol) == n, w
        assert w[n] > 1e-3, w
        # ... whose eigenvectors are the row shifts 1 kron psi: 1 kron psi is in the null
        # space, and the null space has no other directions
        ones_psi = np.kron(np.ones(K), psi)
        assert np.linalg.norm(M @ ones_psi) < 1e3 * tol * np.linalg.norm(ones_psi)
        null = U[:, :n]
        shifts = np.kron(np.ones((K, 1)), np.eye(n)) / np.sqrt(K)  # orthonormal basis
        np.testing.assert_allclose(null @ null.T, shifts @ shifts.T, atol=1e3 * tol)
    # with weight decay: positive definite, smallest eigenvalue lambda, n times
    H_decay = model.hessian(theta, X, decay=LAMBDA)
    np.testing.assert_allclose(H_decay, fd_hessian(theta, X, Y, LAMBDA), atol=1e-6)
    w = np.linalg.eigvalsh(H_decay)
    assert w[0] == pytest.approx(LAMBDA, abs=1e-12)
    assert np.sum(np.abs(w - LAMBDA) < 1e-9) == n and w[n] > LAMBDA + 1e-3
    assert V.ravel() @ H_decay @ V.ravel() >= LAMBDA * np.sum(V**2)


def _explicit_per_sample(K: int, n: int):
    """The per-sample cost -sum_k y_k log softmax(Theta x)_k with exp and log only, and its
    parameters in the order of vec(Theta) (rows stacked)."""
    theta = sp.Matrix(K, n, lambda k, a: R._theta[k + 1, a + 1])
    x = sp.Matrix(n, 1, lambda a, _: R._x[a + 1])
    y = ClassSpace.of(K).y
    scores = theta * x
    total = sum(sp.exp(s) for s in scores)
    per_sample = -sum(y[k + 1] * sp.log(sp.exp(scores[k]) / total) for k in range(K))
    return per_sample, list(theta)  # sp.Matrix iterates by rows


@pytest.mark.parametrize(("K", "seed"), [(2, 8), (3, 9)])
def test_the_hessian_blocks_against_sympy_and_finite_differences(K, seed) -> None:
    n = R._EXAMPLE_FEATURES
    rng = np.random.default_rng(seed)
    theta, x, psi = rng.standard_normal((K, n)), rng.standard_normal(n), rng.standard_normal(n)
    y = rng.dirichlet(np.ones(K))
    d = ss.derive(NAME, K=K)
    block_step, null_step = d.step("blocks").expr, d.step("null_vector").expr
    i, j = d.space.i, d.space.j
    entries = {R._theta[k + 1, a + 1]: theta[k, a] for k in range(K) for a in range(n)}
    entries |= {R._x[a + 1]: x[a] for a in range(n)} | {R._psi[a + 1]: psi[a] for a in range(n)}
    entries |= {d.space.y[k + 1]: y[k] for k in range(K)}
    entries = {key: sp.Float(v, 30) for key, v in entries.items()}

    def at(M: sp.Basic, point: dict) -> np.ndarray:
        explicit = (M if isinstance(M, sp.MatrixBase) else M.as_explicit()).xreplace(point)
        explicit = written_out(expand_definitions(explicit))  # sigma_k = e^{theta_k^T x} / sum
        return np.array(explicit.xreplace(entries).evalf(30).tolist(), dtype=float)

    # the Kn x Kn matrix assembled from the derived blocks h_i (delta_ij - h_j) x x^T
    derived = np.block(
        [
            [at(block_step.rhs, {i: sp.Integer(p), j: sp.Integer(q)}) for q in range(1, K + 1)]
            for p in range(1, K + 1)
        ]
    )
    per_sample, params = _explicit_per_sample(K, n)
    sympy_hessian = at(sp.hessian(per_sample, params), {})
    np.testing.assert_allclose(derived, sympy_hessian, rtol=1e-12, atol=1e-14)
    H_fd = fd_hessian(theta, x[None, :], y[None, :])
    np.testing.assert_allclose(derived, H_fd, atol=1e-6)
    np.testing.assert_allclose(derived, model.hessian(theta, x[None, :]), atol=1e-12)
    # H (psi; ...; psi) = 0: each block row, as the step says, and as the numbers say
    for p in range(1, K + 1):
        assert np.abs(at(null_step.lhs.doit(), {i: sp.Integer(p)})).max() < 1e-25
    assert np.abs(derived @ np.kron(np.ones(K), psi)).max() < 1e-14
    assert np.abs(H_fd @ np.kron(np.ones(K), psi)).max() < 1e-6


# -- the command line ------------------------------------------------------------------------


def test_cli_shows_it_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["show", NAME, "--k", "3", "--format", "text"]) == 0
    assert capsys.readouterr().out.startswith(ss.derive(NAME).title)
    assert cli.main(["show", NAME, "--lang", "zh", "--format", "latex", "--standalone"]) == 0
    assert ss.derive(NAME, lang="zh").title in capsys.readouterr().out


def test_python_m_symsoftmax_lists_it() -> None:
    # The one run in a fresh interpreter: the __main__ entry point, and the derivation is
    # registered by importing the package alone.
    listed = subprocess.run(
        [sys.executable, "-m", "symsoftmax", "list"], capture_output=True, text=True, check=False
    )
    assert listed.returncode == 0, listed.stderr
    assert NAME in listed.stdout.split()


@pytest.mark.verifies(name=NAME, K=2)
@pytest.mark.usefixtures("verify_from_cache")
def test_cli_shows_and_verifies_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["show", NAME, "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("## " + ss.derive(NAME).title)
    assert cli.main(["verify", NAME, "--k", "2"]) == 0
    row = capsys.readouterr().out.strip().splitlines()[-1].split()
    assert row[:4] == [NAME, "2", "12", "verified"]


@pytest.mark.parametrize("seed", range(3))
def test_two_classes_is_logistic_regression_against_scipy_expit(seed: int) -> None:
    # overparameterization, K = 2: h_1 = sigmoid((theta_1 - theta_2)^T x), both sides of the
    # derived line evaluated at random Theta, x (n = 3) against scipy's logistic function
    from scipy.special import expit

    import symsoftmax as ss
    from symsoftmax.symbolic.functions import expand_definitions

    line = ss.derive("overparameterization", K=2).step("logistic").expr
    rng = np.random.default_rng(seed)
    theta, x = rng.normal(size=(2, 3)) * 3, rng.normal(size=3)
    n = sp.Symbol("n", integer=True, positive=True)
    Theta, xs = sp.IndexedBase("Theta", real=True), sp.IndexedBase("x", real=True)
    values = {Theta[k + 1, a + 1]: theta[k, a] for k in range(2) for a in range(3)}
    values |= {xs[a + 1]: x[a] for a in range(3)}
    want = expit((theta[0] - theta[1]) @ x)
    for side in (line.lhs, line.rhs):
        number = expand_definitions(side).subs(n, 3).doit().xreplace(values)
        assert float(number.evalf(30)) == pytest.approx(want, rel=1e-13)
