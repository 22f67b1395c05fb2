"""symsoftmax.plots: the plotted numbers, read back from the figures' artists, against
independent oracles (scipy.special, numpy written out here); the PNG files (not blank, the
same bytes twice); input checks; matplotlib imported lazily and only when needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.special

from symsoftmax import gallery
from symsoftmax.output import plots

pytest.importorskip(
    "matplotlib", reason="matplotlib is the 'plot' extra: pip install 'symsoftmax[plot]'"
)

import matplotlib.image
from matplotlib.figure import Figure

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# -- sigmoid: the derived formula over softmax ---------------------------------------------


@pytest.mark.parametrize(
    ("others", "span"),
    [
        (None, None),  # the defaults: K = 3, three settings
        ([[0.0]], (-6.0, 6.0)),  # K = 2: the logistic function of z_1 - z_2
        ([[1.0, -2.0, 0.5], [0.0, 0.0, 0.0]], (-5.0, 9.0)),  # K = 4
        ([[1000.0, 0.0]], (980.0, 1020.0)),  # e^1000 overflows: the formula is stabilized
    ],
)
def test_sigmoid_curves_match_softmax_and_the_logistic_function(others, span) -> None:
    options = {k: v for k, v in (("others", others), ("span", span)) if v is not None}
    fig = plots.sigmoid(**options)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    rows = np.atleast_2d(others if others is not None else ((0, 0), (2, 1), (-2, -3)))
    *lines, half = ax.lines
    assert len(lines) == 3 * len(rows)  # per setting: softmax, derived sigmoid, the dot
    assert list(half.get_ydata()) == [0.5, 0.5]  # then the guide at sigma_1 = 1/2
    for n, rest in enumerate(rows):
        solid, dashed, dot = lines[3 * n : 3 * n + 3]
        z1 = solid.get_xdata()
        if span is not None:
            assert (z1[0], z1[-1]) == span
        Z = np.column_stack([z1, np.broadcast_to(rest, (len(z1), len(rest)))])
        expected = scipy.special.softmax(Z, axis=1)[:, 0]
        assert np.all(np.isfinite(solid.get_ydata())) and np.all(np.isfinite(dashed.get_ydata()))
        np.testing.assert_allclose(solid.get_ydata(), expected, rtol=1e-12, atol=1e-300)
        # sigma(z)_1 = sigmoid(z_1 - log sum_{k != 1} e^{z_k}), with scipy's sigmoid and LSE
        logistic = scipy.special.expit(z1 - scipy.special.logsumexp(rest))
        np.testing.assert_allclose(dashed.get_ydata(), logistic, rtol=1e-12, atol=1e-300)
        # the derived curve lies on the softmax curve
        np.testing.assert_allclose(dashed.get_ydata(), solid.get_ydata(), rtol=1e-12, atol=1e-300)
        np.testing.assert_array_equal(dashed.get_xdata(), z1)
        assert solid.get_linestyle() == "-" and dashed.get_linestyle() == "--"
        # sigma_1 = 1/2 where z_1 = log sum_{k != 1} e^{z_k}
        np.testing.assert_allclose(dot.get_xdata(), [scipy.special.logsumexp(rest)], rtol=1e-14)
        assert list(dot.get_ydata()) == [0.5]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == len(rows) + 1 and "derived" in labels[-1]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


def test_sigmoid_overlay_is_the_derivation_result_not_softmax(monkeypatch) -> None:
    """The dashed curve is computed from ss.derive("sigmoid").result: break it, and the
    curve moves."""
    import sympy as sp

    import symsoftmax as ss

    lhs, rhs = ss.derive("sigmoid", K=3).result.args
    assert isinstance(rhs, ss.Sigmoid)
    broken = sp.Eq(lhs, ss.Sigmoid(rhs.args[0] + 1), evaluate=False)  # shifted by 1
    fake = type("Fake", (), {"result": broken})()
    monkeypatch.setattr(plots, "derive", lambda name, K: fake)
    plots._derived_sigmoid.cache_clear()
    try:
        solid, dashed = plots.sigmoid().axes[0].lines[:2]
        z1 = solid.get_xdata()
        shifted = scipy.special.expit(z1 + 1 - np.log(2.0))  # others (0, 0): log 2
        np.testing.assert_allclose(dashed.get_ydata(), shifted, rtol=1e-12)
        assert not np.allclose(dashed.get_ydata(), solid.get_ydata())
    finally:
        plots._derived_sigmoid.cache_clear()


# -- temperature: bars and entropy ----------------------------------------------------------


def entropy(p: np.ndarray) -> np.ndarray:
    """-sum p log p over the last axis, 0 log 0 = 0 (scipy.special.entr)."""
    return scipy.special.entr(p).sum(axis=-1)


@pytest.mark.parametrize(
    ("z", "betas"),
    [
        ((2.0, 1.0, 0.1), (0.25, 1.0, 4.0)),  # the defaults
        ((3.0, 1.0, 0.0, -1.0, 2.0), (0.5, 2.0)),
        ((0.0, -1000.0), (1.0,)),  # sigma = (1, 0) exactly: 0 log 0 = 0
    ],
)
def test_temperature_bars_and_entropy(z, betas) -> None:
    z = np.array(z)
    fig = plots.temperature(z=z, betas=betas)
    bars, curve = fig.axes
    K = len(z)
    heights = np.array([bar.get_height() for bar in bars.patches]).reshape(len(betas), K)
    for beta, row in zip(betas, heights, strict=True):
        np.testing.assert_allclose(row, scipy.special.softmax(beta * z), rtol=1e-12, atol=1e-300)
    # each group of bars sits over its class k = 1..K
    centers = np.array([b.get_x() + b.get_width() / 2 for b in bars.patches]).reshape(len(betas), K)
    np.testing.assert_allclose(centers.mean(axis=0), np.arange(1, K + 1))
    entropy_line, *dots, log_K = curve.lines
    beta = entropy_line.get_xdata()
    np.testing.assert_allclose(beta, np.geomspace(1e-2, 1e2, 200))
    H = entropy_line.get_ydata()
    expected = entropy(scipy.special.softmax(beta[:, None] * z, axis=1))
    assert np.all(np.isfinite(H))
    np.testing.assert_allclose(H, expected, rtol=1e-10, atol=1e-12)
    assert np.all(np.diff(H) <= 1e-12)  # dH/dbeta = -beta Var <= 0
    assert curve.get_xscale() == "log"
    for beta_n, dot in zip(betas, dots, strict=True):
        assert list(dot.get_xdata()) == [beta_n]
        np.testing.assert_allclose(
            dot.get_ydata(), [entropy(scipy.special.softmax(beta_n * z))], atol=1e-12
        )
    np.testing.assert_allclose(log_K.get_ydata(), [np.log(K)] * 2)  # H <= log K, uniform
    for ax in (bars, curve):
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert len(bars.get_legend().get_texts()) == len(betas)


def test_temperature_grid_follows_beta_span() -> None:
    (line, *_) = plots.temperature(beta_span=(0.5, 50.0), num=7).axes[1].lines
    np.testing.assert_allclose(line.get_xdata(), np.geomspace(0.5, 50.0, 7))


# -- the Jacobian heat map ------------------------------------------------------------------


@pytest.mark.parametrize("z", [(2.0, 1.0, 0.1), (0.0, 0.0), (3.0, -1.0, 0.5, 2.0, -4.0)])
def test_jacobian_heat_map(z) -> None:
    fig = plots.jacobian(z=z)
    ax, colorbar = fig.axes
    (image,) = ax.images
    s = scipy.special.softmax(np.array(z))
    J = np.diag(s) - np.outer(s, s)  # the oracle, written out
    np.testing.assert_allclose(image.get_array(), J, rtol=1e-12, atol=1e-15)
    vmin, vmax = image.get_clim()
    assert vmin == -vmax and vmax == pytest.approx(np.max(np.abs(J)))  # centered at 0
    assert image.get_cmap().name == "RdBu_r"  # diverging
    texts = [t.get_text() for t in ax.texts]
    assert texts == [f"{value:.3f}" for value in J.ravel()]
    assert colorbar.get_ylabel()
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


# -- by name, saving --------------------------------------------------------------------------


@pytest.mark.parametrize("name", gallery.NAMES)
def test_figure_dispatches_by_name(name: str) -> None:
    fig = gallery.figure(name)
    assert isinstance(fig, Figure) and fig.axes


def test_unknown_name_lists_the_known_ones() -> None:
    for module in (plots, gallery):
        with pytest.raises(ValueError, match="known plots: sigmoid, temperature, jacobian"):
            module.figure("nope")
        with pytest.raises(ValueError, match="unknown plot 'nope'"):
            module.save("nope", "nope.png")


@pytest.mark.parametrize("name", gallery.NAMES)
def test_save_writes_a_png_that_is_not_blank_and_the_same_bytes_twice(
    name: str, tmp_path: Path
) -> None:
    first, second = tmp_path / f"{name}.png", tmp_path / f"{name}-again.png"
    gallery.save(name, first)
    gallery.save(name, second)
    data = first.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert data == second.read_bytes()  # deterministic: no version, no timestamp
    assert b"Software" not in data
    image = matplotlib.image.imread(first)
    rgb = image[..., :3]
    assert rgb.std() > 0.05  # not one flat color
    assert np.mean(np.any(rgb < 0.9, axis=-1)) > 0.01  # not all white: over 1% inked


def test_save_passes_options_and_accepts_a_str_path(tmp_path: Path) -> None:
    path = tmp_path / "j.png"
    plots.save("jacobian", str(path), z=[1.0, 2.0, 3.0, 4.0])
    assert matplotlib.image.imread(path).ndim == 3


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: plots.jacobian(z=[1.0]), ValueError, "K >= 2"),
        (lambda: plots.jacobian(z=[[1.0, 2.0]]), ValueError, "shape (1, 2)"),
        (lambda: plots.jacobian(z=[1.0, np.nan]), ValueError, "finite"),
        (lambda: plots.jacobian(z=["a", "b"]), TypeError, "real numbers"),
        (lambda: plots.jacobian(z=[1j, 0]), TypeError, "real numbers"),
        (lambda: plots.temperature(betas=[1.0, 0.0]), ValueError, "> 0"),
        (lambda: plots.temperature(betas=[]), ValueError, "non-empty"),
        (lambda: plots.temperature(beta_span=(0.0, 1.0)), ValueError, "0 < lo < hi"),
        (lambda: plots.temperature(beta_span=(2.0, 1.0)), ValueError, "0 < lo < hi"),
        (lambda: plots.temperature(num=1), ValueError, "num must be >= 2"),
        (lambda: plots.temperature(num=2.5), TypeError, "num must be an int"),
        (lambda: plots.sigmoid(others=[[1.0], [1.0, 2.0]]), ValueError, "rectangular"),
        (lambda: plots.sigmoid(others=[[]]), ValueError, "non-empty table"),
        (lambda: plots.sigmoid(span=(1.0, 1.0)), ValueError, "lo < hi"),
        (lambda: plots.sigmoid(span=(0.0, np.inf)), ValueError, "finite"),
        (lambda: plots.figure("sigmoid", z=[1.0, 2.0]), TypeError, "z"),
        (lambda: plots.save("jacobian", "figure.svg"), ValueError, "must end in .png"),
    ],
)
def test_bad_input_raises_saying_what_was_expected(call, error, words: str) -> None:
    with pytest.raises(error) as info:
        call()
    assert words in str(info.value)


def test_save_to_a_missing_directory_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        plots.save("sigmoid", tmp_path / "no" / "such" / "dir.png")


# -- matplotlib only when needed ------------------------------------------------------------


@pytest.mark.parametrize("name", gallery.NAMES)
def test_without_matplotlib_the_error_names_the_extra(name: str, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    assert "sigmoid" in plots.NAMES  # the module is still importable
    with pytest.raises(ImportError, match=r"'plot' extra: pip install 'symsoftmax\[plot\]'"):
        gallery.figure(name)


def test_importing_imports_no_matplotlib_and_drawing_no_pyplot(tmp_path: Path) -> None:
    code = (
        "import sys, symsoftmax, symsoftmax.output.plots, symsoftmax.cli\n"
        "assert 'matplotlib' not in sys.modules, 'imported matplotlib'\n"
        f"symsoftmax.output.plots.save('temperature', {str(tmp_path / 't.png')!r})\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'imported pyplot'\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
