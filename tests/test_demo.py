"""symsoftmax.demo: the over-parameterization of softmax regression, checked from the
returned numbers (never the printed text); the cost, gradient and Hessian against
independent oracles (scipy, finite differences); the ``demo`` command."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import scipy.special

from symsoftmax import cli
from symsoftmax.regression import demo
from symsoftmax.regression import figure as demo_figure

LAMBDA = 1e-2


@pytest.fixture(scope="module")
def result() -> demo.OverparameterizationResult:
    return demo.overparameterization(seed=0, decay=LAMBDA)


@pytest.fixture
def fast_cli(monkeypatch: pytest.MonkeyPatch, result: demo.OverparameterizationResult) -> None:
    """The CLI runs the module's demonstration once, not once per test."""
    monkeypatch.setattr(demo, "overparameterization", lambda: result)


def random_model(seed: int, K: int = 3, n: int = 3, m: int = 20):
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((K, n))
    X = np.column_stack([np.ones(m), rng.standard_normal((m, n - 1))])
    y = rng.integers(0, K, m)
    return theta, X, y


# -- the claims of the demonstration ---------------------------------------------------------


def test_every_fit_converged(result) -> None:
    for c in (result.plain, result.decayed):
        for f in (c.a, c.b):
            assert f.converged and f.grad_norm < 1e-10, (c.decay, f.iterations, f.grad_norm)


def test_without_decay_the_fits_differ_by_a_row_shift(result) -> None:
    p = result.plain
    D = p.a.theta - p.b.theta
    psi = D[0]
    # Theta_a - Theta_b = 1 psi^T: every row of the difference is the same vector psi
    assert np.max(np.abs(D - psi)) < 1e-6 and p.spread < 1e-6
    # ... and the shift is no rounding artefact: it is large
    assert np.linalg.norm(psi) > 1
    np.testing.assert_allclose(p.psi, psi, atol=1e-6)


def test_without_decay_the_start_shift_is_never_removed(result) -> None:
    p = result.plain
    # gradient descent keeps sum_k theta_k, so psi = mean_k (theta_a0 - theta_b0)_k
    np.testing.assert_allclose(p.psi, result.predicted_psi, atol=1e-8)
    np.testing.assert_allclose(p.row_sum_b, p.b.theta0.sum(axis=0), atol=1e-8)
    np.testing.assert_allclose(p.row_sum_a, 0, atol=1e-10)
    assert np.linalg.norm(result.predicted_psi) > 1


def test_without_decay_probabilities_and_costs_agree(result) -> None:
    p = result.plain
    h_a = scipy.special.softmax(result.X @ p.a.theta.T, axis=1)
    h_b = scipy.special.softmax(result.X @ p.b.theta.T, axis=1)
    assert np.max(np.abs(h_a - h_b)) < 1e-9 and p.prob_diff < 1e-9
    assert abs(p.a.cost - p.b.cost) < 1e-12 and p.cost_diff < 1e-12


def test_the_gradient_rows_sum_to_zero_at_the_starts(result) -> None:
    # sum_k grad_{theta_k} J = 0, where the gradient itself is far from 0
    assert result.start_grad_norm > 0.1
    assert result.start_grad_row_sum < 1e-12


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("decay", [0.0, 0.3])
def test_the_gradient_rows_sum_to_lambda_times_the_rows(seed: int, decay: float) -> None:
    theta, X, y = random_model(seed)
    g = demo.gradient(theta, X, y, decay=decay)
    # sum_k grad_{theta_k} J = lambda sum_k theta_k: zero without decay
    np.testing.assert_allclose(g.sum(axis=0), decay * theta.sum(axis=0), atol=1e-14)


def test_with_decay_the_fits_coincide_and_rows_sum_to_zero(result) -> None:
    d = result.decayed
    assert np.max(np.abs(d.a.theta - d.b.theta)) < 1e-8
    # the decayed minimizer has sum_k theta_k = 0 (its gradient's rows sum to lambda sum_k theta_k)
    assert np.max(np.abs(d.row_sum_a)) < 1e-8 and np.max(np.abs(d.row_sum_b)) < 1e-8
    assert d.prob_diff < 1e-9


def test_hessian_without_decay_is_singular_along_one_kron_psi(result) -> None:
    K, n = result.plain.a.theta.shape
    H = demo.hessian(result.plain.a.theta, result.X)
    w, V = np.linalg.eigh(H)
    assert abs(w[0]) < 1e-8 and abs(result.hessian.smallest) < 1e-8
    # the null space is {1 kron v : v in R^n}: exactly n eigenvalues 0, the rest positive
    assert np.all(np.abs(w[:n]) < 1e-8) and w[n] > 1e-3
    assert result.hessian.dimension == n
    # 1 kron psi, normalized, from the observed shift, is in it: its projection onto the
    # eigenvectors of eigenvalue 0 gives it back, up to sign
    u = np.kron(np.ones(K), result.plain.psi)
    u /= np.linalg.norm(u)
    projected = V[:, :n] @ (V[:, :n].T @ u)
    assert abs(u @ projected) > 1 - 1e-10
    assert np.linalg.norm(H @ u) < 1e-8
    assert result.hessian.shift_residual < 1e-8
    # the eigenvector eigh returns for the smallest eigenvalue is one of the 1 kron v:
    # its K blocks (v, v, ..., v) are equal
    blocks = result.hessian.vector.reshape(K, n)
    np.testing.assert_allclose(blocks, np.broadcast_to(blocks[0], (K, n)), atol=1e-8)


def test_hessian_with_decay_has_smallest_eigenvalue_lambda(result) -> None:
    n = result.decayed.a.theta.shape[1]
    w = np.linalg.eigvalsh(demo.hessian(result.decayed.a.theta, result.X, decay=LAMBDA))
    assert w[0] >= LAMBDA - 1e-10 and result.decayed_hessian.smallest >= LAMBDA - 1e-10
    # ... attained on the same n directions 1 kron v
    np.testing.assert_allclose(w[:n], LAMBDA, atol=1e-10)
    assert result.decayed_hessian.dimension == n


def test_results_are_frozen(result) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.plain.spread = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        result.plain.a.theta[0, 0] = 1.0


# -- cost, gradient and Hessian against independent oracles ---------------------------------


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("decay", [0.0, 0.1])
def test_cost_against_scipy_logsumexp(seed: int, decay: float) -> None:
    theta, X, y = random_model(seed)
    Z = X @ theta.T
    expected = np.mean(scipy.special.logsumexp(Z, axis=1) - Z[np.arange(len(y)), y])
    expected += 0.5 * decay * np.sum(theta**2)
    assert demo.cost(theta, X, y, decay=decay) == pytest.approx(expected, rel=1e-13)


def central_differences(f: Callable[[np.ndarray], float], theta: np.ndarray, h: float = 1e-6):
    out = np.zeros_like(theta)
    for idx in np.ndindex(theta.shape):
        e = np.zeros_like(theta)
        e[idx] = h
        out[idx] = (f(theta + e) - f(theta - e)) / (2 * h)
    return out


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("decay", [0.0, 0.1])
def test_gradient_against_central_differences_of_the_cost(seed: int, decay: float) -> None:
    theta, X, y = random_model(seed)
    analytic = demo.gradient(theta, X, y, decay=decay)
    numeric = central_differences(lambda t: demo.cost(t, X, y, decay=decay), theta)
    np.testing.assert_allclose(analytic, numeric, atol=1e-8, err_msg="analytic vs numeric")


def test_gradient_at_the_fit_against_central_differences(result) -> None:
    theta, X, y = result.plain.b.theta, result.X, result.y
    numeric = central_differences(lambda t: demo.cost(t, X, y), np.array(theta))
    np.testing.assert_allclose(demo.gradient(theta, X, y), numeric, atol=1e-8)
    np.testing.assert_allclose(numeric, 0, atol=1e-8)  # a minimizer


@pytest.mark.parametrize("seed", range(3))
def test_hessian_against_differences_of_the_gradient(seed: int) -> None:
    theta, X, y = random_model(seed)
    h = 1e-6
    columns = []
    for idx in np.ndindex(theta.shape):
        e = np.zeros_like(theta)
        e[idx] = h
        g = demo.gradient(theta + e, X, y) - demo.gradient(theta - e, X, y)
        columns.append(g.ravel() / (2 * h))  # vec(theta) = theta.ravel(): rows stacked
    np.testing.assert_allclose(demo.hessian(theta, X), np.column_stack(columns), atol=1e-8)


def test_hessian_against_the_kronecker_sum_by_hand() -> None:
    theta, X, _ = random_model(7, K=4, n=2, m=5)
    H = np.zeros((8, 8))
    for x in X:
        s = scipy.special.softmax(theta @ x)
        H += np.kron(np.diag(s) - np.outer(s, s), np.outer(x, x)) / len(X)
    np.testing.assert_allclose(demo.hessian(theta, X, decay=0.5), H + 0.5 * np.eye(8), atol=1e-15)


def test_fit_without_decay_keeps_the_row_sum() -> None:
    theta0, X, y = random_model(3, m=60)
    f = demo.fit(theta0 + 5.0, X, y, tol=1e-9)
    assert f.converged
    np.testing.assert_allclose(f.theta.sum(axis=0), (theta0 + 5.0).sum(axis=0), atol=1e-10)


# -- bad input ------------------------------------------------------------------------------

THETA, X, Y = random_model(0)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: demo.cost(THETA, X[:, :2], Y), ValueError, "X of shape (20, 2) has 2 features"),
        (lambda: demo.gradient(THETA.T[:2], X, Y), ValueError, "theta of shape (2, 3)"),
        (lambda: demo.cost(THETA, X, Y[:-1]), ValueError, "labels y of shape (19,)"),
        (lambda: demo.cost(THETA, X, Y[:, None]), ValueError, "labels y of shape (20, 1)"),
        (lambda: demo.cost(THETA, X, np.r_[Y[:-1], 3]), ValueError, "0..2"),
        (lambda: demo.cost(THETA, X, np.r_[-1, Y[1:]]), ValueError, "got y[0] = -1"),
        (lambda: demo.cost(THETA, X, Y.astype(float)), TypeError, "integers in 0..K-1"),
        (lambda: demo.cost(THETA, X, Y, decay=-0.1), ValueError, "lambda must be"),
        (lambda: demo.gradient(THETA[:1], X, Y * 0), ValueError, "K >= 2 rows"),
        (lambda: demo.hessian(THETA[0], X), ValueError, "matrix (2 axes), got shape (3,)"),
        (lambda: demo.hessian(THETA, np.full_like(X, np.nan)), ValueError, "must be finite"),
        (lambda: demo.cost("abc", X, Y), TypeError, "theta must be a real numeric matrix"),
        (lambda: demo.fit(THETA, X, Y, step=0.0), ValueError, "step must be"),
        (lambda: demo.fit(THETA, X, Y, tol=0.0), ValueError, "tol must be > 0"),
        (lambda: demo.blobs(K=1), ValueError, "K must be an int >= 2"),
        (lambda: demo.blobs(K=3, m=2), ValueError, "m must be >= K = 3"),
        (lambda: demo.overparameterization(K=1), ValueError, "K must be an int >= 2"),
        (lambda: demo.overparameterization(decay=0.0), ValueError, "decay must be > 0"),
        (lambda: demo.overparameterization(decay=-1.0), ValueError, "got -1.0"),
        (lambda: demo.overparameterization(shift=-1.0), ValueError, "shift must be"),
    ],
)
def test_bad_input_raises_with_the_shapes_or_values(call, error, words: str) -> None:
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


# -- table, plot and command line -----------------------------------------------------------


def test_table_names_both_settings(result) -> None:
    table = demo.format_table(result)
    assert "lambda = 0" in table and f"lambda = {LAMBDA:g}" in table
    assert "psi" in table and "Hessian" in table


def test_cli_prints_the_table_and_exits_0(capsys, fast_cli) -> None:
    assert cli.main(["demo", "overparameterization"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("Softmax regression is over-parameterized")
    assert out.strip() == demo.format_table(demo.overparameterization())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["demo", "nope"], "invalid choice: 'nope'"),
        (["demo"], "required: name"),
        (["demo", "overparameterization", "--plot"], "expected one argument"),
    ],
)
def test_cli_usage_errors_exit_2_with_one_line(args: list[str], words: str, capsys) -> None:
    assert cli.main(args) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert out == "" and len(lines) == 1 and words in lines[0], err


def test_cli_runs_as_a_program() -> None:
    """No traceback and exit 2 from the installed entry point (no demo is run)."""
    run = subprocess.run(
        [sys.executable, "-m", "symsoftmax", "demo", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2 and run.stdout == "" and "Traceback" not in run.stderr
    assert run.stderr.startswith("symsoftmax: error:")


def test_cli_plot_without_matplotlib_exits_2_naming_the_extra(
    monkeypatch, capsys, tmp_path: Path, fast_cli
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    path = tmp_path / "demo.png"
    assert cli.main(["demo", "overparameterization", "--plot", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "matplotlib" in err and "'plot' extra" in err and "symsoftmax[plot]" in err
    assert not path.exists()
    with pytest.raises(ImportError, match="'plot' extra"):
        demo_figure.plot(demo.overparameterization(), path)


def test_cli_saves_a_plot_that_is_not_blank(capsys, tmp_path: Path, fast_cli) -> None:
    pytest.importorskip(
        "matplotlib", reason="matplotlib is the 'plot' extra: pip install 'symsoftmax[plot]'"
    )
    import matplotlib.image

    path = tmp_path / "demo.png"
    assert cli.main(["demo", "overparameterization", "--plot", str(path)]) == 0
    assert "Softmax regression is over-parameterized" in capsys.readouterr().out
    assert path.is_file() and path.stat().st_size > 0
    image = matplotlib.image.imread(path)
    colors = np.unique(image.reshape(-1, image.shape[-1]), axis=0)
    assert len(colors) > 1  # not one flat color


def test_cli_plot_to_a_missing_directory_exits_2(capsys, tmp_path: Path, fast_cli) -> None:
    pytest.importorskip(
        "matplotlib", reason="matplotlib is the 'plot' extra: pip install 'symsoftmax[plot]'"
    )
    path = tmp_path / "no" / "such" / "dir.png"
    assert cli.main(["demo", "overparameterization", "--plot", str(path)]) == 2
    assert "cannot write the plot" in capsys.readouterr().err


def test_cli_saves_the_demo_plot_as_svg(capsys, tmp_path: Path, fast_cli) -> None:
    # the format follows the extension; only PNG takes the reproducible-metadata option
    pytest.importorskip("matplotlib")
    path = tmp_path / "demo.svg"
    assert cli.main(["demo", "overparameterization", "--plot", str(path)]) == 0
    assert path.read_text(encoding="utf-8").lstrip().startswith("<?xml")
