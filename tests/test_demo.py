"""symsoftmax.regression.experiment: the over-parameterization of softmax regression,
checked from the returned numbers (never the printed text); its table and figure; the
``demo`` command. The model's cost, gradient and Hessian: tests/test_regression_model.py."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.special
from test_regression_model import central_differences

from symsoftmax import cli
from symsoftmax.regression import experiment, model, report
from symsoftmax.regression import figure as demo_figure

LAMBDA = 1e-2


@pytest.fixture(scope="module")
def result() -> experiment.OverparameterizationResult:
    return experiment.overparameterization(seed=0, decay=LAMBDA)


@pytest.fixture
def fast_cli(
    monkeypatch: pytest.MonkeyPatch, result: experiment.OverparameterizationResult
) -> None:
    """The CLI runs the module's demonstration once, not once per test."""
    monkeypatch.setattr(experiment, "overparameterization", lambda: result)


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


def test_with_decay_the_fits_coincide_and_rows_sum_to_zero(result) -> None:
    d = result.decayed
    assert np.max(np.abs(d.a.theta - d.b.theta)) < 1e-8
    # the decayed minimizer has sum_k theta_k = 0 (its gradient's rows sum to lambda sum_k theta_k)
    assert np.max(np.abs(d.row_sum_a)) < 1e-8 and np.max(np.abs(d.row_sum_b)) < 1e-8
    assert d.prob_diff < 1e-9


def test_hessian_without_decay_is_singular_along_one_kron_psi(result) -> None:
    K, n = result.plain.a.theta.shape
    H = model.hessian(result.plain.a.theta, result.X)
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
    w = np.linalg.eigvalsh(model.hessian(result.decayed.a.theta, result.X, decay=LAMBDA))
    assert w[0] >= LAMBDA - 1e-10 and result.decayed_hessian.smallest >= LAMBDA - 1e-10
    # ... attained on the same n directions 1 kron v
    np.testing.assert_allclose(w[:n], LAMBDA, atol=1e-10)
    assert result.decayed_hessian.dimension == n


def test_results_are_frozen(result) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.plain.spread = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        result.plain.a.theta[0, 0] = 1.0


# -- the model at the fit --------------------------------------------------------------


def test_gradient_at_the_fit_against_central_differences(result) -> None:
    theta, X, y = result.plain.b.theta, result.X, result.y
    numeric = central_differences(lambda t: model.cost(t, X, y), np.array(theta))
    np.testing.assert_allclose(model.gradient(theta, X, y), numeric, atol=1e-8)
    np.testing.assert_allclose(numeric, 0, atol=1e-8)  # a minimizer


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: experiment.overparameterization(K=1), ValueError, "K must be an int >= 2"),
        (lambda: experiment.overparameterization(decay=0.0), ValueError, "decay must be > 0"),
        (lambda: experiment.overparameterization(decay=-1.0), ValueError, "got -1.0"),
        (lambda: experiment.overparameterization(shift=-1.0), ValueError, "shift must be"),
    ],
)
def test_bad_input_raises_with_the_shapes_or_values(call, error, words: str) -> None:
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


# -- table, plot and command line -----------------------------------------------------------


def test_table_names_both_settings(result) -> None:
    table = report.format_table(result)
    assert "lambda = 0" in table and f"lambda = {LAMBDA:g}" in table
    assert "psi" in table and "Hessian" in table


def test_cli_prints_the_table_and_exits_0(capsys, fast_cli) -> None:
    assert cli.main(["demo", "overparameterization"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("Softmax regression is over-parameterized")
    assert out.strip() == report.format_table(experiment.overparameterization())


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


def test_cli_usage_error_is_prefixed_and_has_no_traceback(capsys) -> None:
    """No traceback and exit 2 (no demo is run); tests/test_cli.py runs the entry point
    ``python -m symsoftmax`` itself in a subprocess."""
    assert cli.main(["demo", "nope"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.startswith("symsoftmax: error:")


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
        demo_figure.plot(experiment.overparameterization(), path)


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
