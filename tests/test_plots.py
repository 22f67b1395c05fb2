"""symsoftmax.plots: the plotted numbers, read back from the figures' artists, against
independent oracles (scipy.special, numpy written out here); the PNG files (not blank, the
same bytes twice); input checks; matplotlib imported lazily and only when needed."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import mpmath
import numpy as np
import pytest
import scipy.special

from symsoftmax import gallery
from symsoftmax.output import fonts, plots

pytest.importorskip(
    "matplotlib", reason="matplotlib is the 'plot' extra: pip install 'symsoftmax[plot]'"
)

import matplotlib.image
import matplotlib.text
from matplotlib.backends.backend_agg import FigureCanvasAgg
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


def mp_softmax(z: np.ndarray) -> np.ndarray:
    """softmax at 50 digits with mpmath, written out: e^{z_k} / sum_j e^{z_j}."""
    with mpmath.workdps(50):
        e = [mpmath.exp(mpmath.mpf(float(v))) for v in z]
        total = mpmath.fsum(e)
        return np.array([float(v / total) for v in e])


@pytest.mark.parametrize(
    ("z", "betas"),
    [
        ((2.0, 1.0, 0.1), (0.25, 1.0, 4.0)),  # the defaults
        ((3.0, 1.0, 0.0, -1.0, 3.0), (0.5, 2.0)),  # a tie: the limit is uniform on 2
        ((0.0, -1000.0), (1.0,)),  # sigma = (1, 0) exactly: 0 log 0 = 0
    ],
)
def test_temperature_bars_and_entropy(z, betas) -> None:
    z = np.array(z)
    fig = plots.temperature(z=z, betas=betas)
    bars, curve = fig.axes
    K = len(z)
    heights = np.array([bar.get_height() for bar in bars.patches]).reshape(len(betas) + 1, K)
    for beta, row in zip(betas, heights[:-1], strict=True):
        np.testing.assert_allclose(row, mp_softmax(beta * z), rtol=1e-13, atol=1e-300)
    # the last group: beta -> infinity, uniform on the arg-max set (one-hot if unique)
    top = z == z.max()
    np.testing.assert_array_equal(heights[-1], top / top.sum())
    gids = [bar.get_gid() for bar in bars.patches]
    assert gids == [f"beta-{n}" for n in range(len(betas)) for _ in z] + ["beta-inf"] * K
    # each group of bars sits over its class k = 1..K
    centers = np.array([b.get_x() + b.get_width() / 2 for b in bars.patches])
    np.testing.assert_allclose(centers.reshape(-1, K).mean(axis=0), np.arange(1, K + 1))
    # every bar has its value written over it
    assert [t.get_text() for t in bars.texts] == [f"{h:.3g}" for h in heights.ravel()]
    # and a bar too low to see has a cap in its color at its height, over its width
    caps = [c for c in bars.collections if c.get_gid() == "cap"]
    low = heights.ravel() < 0.0125
    segments = [segment for c in caps for segment in c.get_segments()]
    assert len(segments) == np.count_nonzero(low)
    for segment, bar in zip(segments, np.array(bars.patches)[low], strict=True):
        assert segment[0][1] == segment[1][1] == bar.get_height()
        assert (segment[0][0], segment[1][0]) == pytest.approx(
            (bar.get_x(), bar.get_x() + bar.get_width())
        )

    entropy_line, *dots = [line for line in curve.lines if line.get_gid() is None]
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
    limits = {line.get_gid(): line.get_ydata()[0] for line in curve.lines if line.get_gid()}
    assert limits["beta-zero-limit"] == pytest.approx(np.log(K), rel=1e-15)  # uniform
    assert limits["beta-inf-limit"] == pytest.approx(np.log(top.sum()), abs=1e-15)  # log m
    notes = " ".join(t.get_text() for t in curve.texts)
    assert f"{np.log(K):.3g}" in notes and ("one-hot" if top.sum() == 1 else "2 largest") in notes
    for ax in (bars, curve):
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert len(bars.get_legend().get_texts()) == len(betas) + 1


def test_temperature_grid_follows_beta_span() -> None:
    (line, *_) = plots.temperature(beta_span=(0.5, 50.0), num=7).axes[1].lines
    np.testing.assert_allclose(line.get_xdata(), np.geomspace(0.5, 50.0, 7))


@pytest.mark.parametrize(
    ("z", "limit"),
    [
        ([2.0, 1.0, 0.1], [1.0, 0.0, 0.0]),
        ([1.0, 1.0, 0.0], [0.5, 0.5, 0.0]),
        ([-3.0, -3.0, -3.0], [1 / 3, 1 / 3, 1 / 3]),
        ([0.0, 0.0], [0.5, 0.5]),
        ([1e300, -1e300], [1.0, 0.0]),
        ([1.0, 1.0 + 2e-16, 0.0], [0.0, 1.0, 0.0]),  # one ulp apart: not a tie
    ],
)
def test_cold_limit_is_uniform_on_the_arg_max_set(z, limit) -> None:
    np.testing.assert_allclose(plots.cold_limit(z), limit, rtol=1e-15)


# -- the Jacobian heat map ------------------------------------------------------------------


@pytest.mark.parametrize("z", [(2.0, 1.0, 0.1), (0.0, 0.0), (3.0, -1.0, 0.5, 2.0, -4.0)])
def test_jacobian_heat_map(z) -> None:
    fig = plots.jacobian(z=z)
    ax, colorbar = fig.axes
    (image,) = ax.images
    s = mp_softmax(np.array(z))
    J = np.diag(s) - np.outer(s, s)  # the oracle, written out
    np.testing.assert_allclose(image.get_array(), J, rtol=1e-12, atol=1e-15)
    vmin, vmax = image.get_clim()
    assert vmin == -vmax and vmax == pytest.approx(np.max(np.abs(J)))  # centered at 0
    assert image.get_cmap().name == "RdBu_r"  # diverging
    K = len(z)
    cells = [t for t in ax.texts if t.get_gid() is None]
    assert [t.get_text() for t in cells] == [
        f"{v:.3f}".replace("-0.000", "0.000") for v in J.ravel()
    ]
    # the last column: each row's sum, at x = K, measured on the drawn numbers
    sums = {t.get_gid(): t for t in ax.texts if t.get_gid()}
    drawn = np.asarray(image.get_array())
    for i in range(K):
        text = sums[f"row-sum-{i}"]
        assert text.get_position() == (K, i) and text.get_text() == "0.000"
    assert ax.get_xticklabels()[-1].get_text() == r"$\Sigma_j\, J_{ij}$"
    # the statement under the map quotes what was measured on the drawn numbers
    note = fig.get_supxlabel()
    assert f"= {np.max(np.abs(drawn - drawn.T)):.1g})" in note and "symmetric" in note
    assert f"= {np.max(np.abs(drawn.sum(axis=1))):.1g})" in note and "rows sum to 0" in note
    assert np.max(np.abs(drawn.sum(axis=1))) < 1e-15 and np.array_equal(drawn, drawn.T)
    assert colorbar.get_ylabel()
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


# -- the K = 3 simplex ----------------------------------------------------------------------


def test_simplex_sends_each_line_to_one_point_inside_the_triangle() -> None:
    points = [(2.0, 1.0, 0.1), (-1.0, 0.5, 0.0), (30.0, 0.0, -30.0)]
    fig = plots.simplex(points=points, shifts=(-3.0, 5.0))
    space, plane = fig.axes
    for n, z in enumerate(points):
        (image,) = [line for line in plane.lines if line.get_gid() == f"image-{n}"]
        xy = image.get_xydata()
        assert len(xy) == 5  # five values of c on the line z + c 1
        # sigma(z + c 1) = sigma(z): the five images are one point, sigma(z) in the plane
        expected = mp_softmax(np.array(z)) @ plots.CORNERS
        np.testing.assert_allclose(xy, np.tile(expected, (5, 1)), rtol=1e-12, atol=1e-15)
    # the image of the grid lies strictly inside the triangle: barycentric coordinates > 0
    grid = np.vstack([line.get_xydata() for line in plane.lines if line.get_gid() == "grid"])
    corners = plots.CORNERS
    T = np.column_stack([corners[0] - corners[2], corners[1] - corners[2]])
    bary = np.linalg.solve(T, (grid - corners[2]).T).T
    assert np.all(bary > 0) and np.all(bary.sum(axis=1) < 1)
    assert plane.get_title() and space.get_title()


def test_to_triangle_sends_the_corners_and_the_center() -> None:
    np.testing.assert_allclose(plots.to_triangle(np.eye(3)), plots.CORNERS)
    np.testing.assert_allclose(plots.to_triangle([1 / 3] * 3), [0.5, np.sqrt(3) / 6])


# -- the smooth maximum -------------------------------------------------------------------------


def lines_by_gid(ax) -> dict:
    return {line.get_gid(): line for line in ax.lines if line.get_gid()}


@pytest.mark.parametrize(
    ("rest", "betas", "span"),
    [
        (None, None, None),  # the defaults: z = (z_1, 0, -1), beta = 0.5, 1, 2, 8
        ([0.0], [1.0, 100.0], (-3.0, 3.0)),  # K = 2; at z_1 = 0 a tie: LSE = the bound
        ([1000.0, -5.0, 2.0], [0.5, 30.0], (990.0, 1010.0)),  # K = 4; e^{30 000} overflows
    ],
)
def test_smooth_max_lies_between_the_max_and_its_bound(rest, betas, span) -> None:
    options = {k: v for k, v in (("rest", rest), ("betas", betas), ("span", span)) if v}
    fig = plots.smooth_max(**options)
    (ax,) = fig.axes
    rest = np.array(rest if rest else (0.0, -1.0))
    betas = betas or (0.5, 1.0, 2.0, 8.0)
    lines = lines_by_gid(ax)
    x = lines["max"].get_xdata()
    if span:
        assert (x[0], x[-1]) == span
    Z = np.column_stack([x, np.broadcast_to(rest, (len(x), len(rest)))])
    K = Z.shape[1]
    top = np.max(Z, axis=1)
    np.testing.assert_array_equal(lines["max"].get_ydata(), top)
    for n, beta in enumerate(betas):
        lse, bound = lines[f"lse-{n}"].get_ydata(), lines[f"bound-{n}"].get_ydata()
        # beta^{-1} LSE(beta z) with scipy's logsumexp (beta z is finite here)
        expected = scipy.special.logsumexp(beta * Z, axis=1) / beta
        assert np.all(np.isfinite(lse))
        np.testing.assert_allclose(lse, expected, rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(bound, top + np.log(K) / beta, rtol=1e-15)
        # max z <= beta^{-1} LSE(beta z) <= max z + log K / beta (a few ulps of slack)
        slack = 4 * np.spacing(np.abs(bound) + 1.0)
        assert np.all(top <= lse + slack) and np.all(lse <= bound + slack)
        assert lines[f"bound-{n}"].get_linestyle() == "--"
        assert lines[f"bound-{n}"].get_color() == lines[f"lse-{n}"].get_color()
    # the error to the max shrinks as beta grows, at every z_1
    gaps = [lines[f"lse-{n}"].get_ydata() - top for n in range(len(betas))]
    for wide, narrow in itertools.pairwise(gaps):
        assert np.all(narrow <= wide + 1e-12)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == len(betas) + 2 and "dashed" in labels[-1]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


# -- saturation of the Jacobian -----------------------------------------------------------------


def mp_jacobian(z: np.ndarray) -> np.ndarray:
    """J_ij = sigma_i (delta_ij - sigma_j) at 50 digits with mpmath, written out."""
    with mpmath.workdps(50):
        e = [mpmath.exp(mpmath.mpf(float(v))) for v in z]
        total = mpmath.fsum(e)
        s = [v / total for v in e]
        K = len(z)
        return np.array(
            [[float(s[i] * ((1 if i == j else 0) - s[j])) for j in range(K)] for i in range(K)]
        )


@pytest.mark.parametrize(
    ("rest", "span"),
    [
        (None, None),  # the defaults: z = (z_1, 0, 0), z_1 in [0, 10]
        ([0.0], (-5.0, 40.0)),  # K = 2: J_11 = sigma (1 - sigma)
        ([1.0, -2.0, 0.5], (-2.0, 12.0)),  # K = 4
    ],
)
def test_saturation_entries_stay_under_one_quarter_and_fall_to_zero(rest, span) -> None:
    options = {k: v for k, v in (("rest", rest), ("span", span)) if v}
    (ax,) = plots.saturation(**options).axes
    rest = np.array(rest if rest else (0.0, 0.0))
    lines = lines_by_gid(ax)
    x = lines["max"].get_xdata()
    assert (x[0], x[-1]) == (span or (0.0, 10.0))
    K = len(rest) + 1
    J = np.array([mp_jacobian(np.concatenate([[v], rest])) for v in x])
    for i in range(K):
        for j in range(K):
            if i <= j:  # one line per entry of the upper triangle (J is symmetric)
                drawn = lines[f"J-{i + 1}-{j + 1}"].get_ydata()
                np.testing.assert_allclose(drawn, np.abs(J[:, i, j]), rtol=1e-12, atol=1e-16)
            else:
                assert f"J-{i + 1}-{j + 1}" not in lines
    top = lines["max"].get_ydata()
    np.testing.assert_allclose(top, np.abs(J).max(axis=(1, 2)), rtol=1e-12, atol=1e-16)
    # the bound: 1/4, the right side of the saturation result, above every entry
    assert list(lines["bound"].get_ydata()) == [0.25, 0.25]
    assert np.all(top <= 0.25 + 1e-16)
    # sigma_1 = 1/2 reaches the bound; past it the largest entry only falls, toward 0
    half = np.log(np.exp(rest).sum())  # sigma_1 = 1/2 where z_1 = LSE(rest)
    assert np.max(top) == pytest.approx(0.25, abs=1e-3)
    after = x > half
    assert np.all(np.diff(top[after]) <= 1e-17)
    assert top[-1] < 1e-4
    assert "0.25" in " ".join(t.get_text() for t in ax.texts)
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


# -- distillation: the gradient's scale against T -----------------------------------------------


def mp_distillation_norm(t: np.ndarray, z: np.ndarray, T: float) -> float:
    """|T (sigma(z/T) - sigma(t/T))| at 50 digits with mpmath, softmax written out."""
    with mpmath.workdps(50):
        T = mpmath.mpf(float(T))

        def softmax(a):
            e = [mpmath.exp(mpmath.mpf(float(v)) / T) for v in a]
            total = mpmath.fsum(e)
            return [v / total for v in e]

        q, p = softmax(z), softmax(t)
        return float(
            T * mpmath.sqrt(mpmath.fsum((qk - pk) ** 2 for qk, pk in zip(q, p, strict=True)))
        )


@pytest.mark.parametrize(
    ("teacher", "student", "T_span"),
    [
        (None, None, None),  # the defaults: K = 3, T in [0.5, 100]
        ((1.0, -1.0), (0.0, 0.0), (0.1, 1e4)),  # K = 2
        ((3.0, -1.0, -0.5, -1.5), (-1.0, 2.0, 0.25, -1.25), (0.5, 1e3)),  # K = 4
    ],
)
def test_distillation_gradient_keeps_its_scale_only_with_the_t_squared_factor(
    teacher, student, T_span
) -> None:
    options = {
        k: v
        for k, v in (("teacher", teacher), ("student", student), ("T_span", T_span))
        if v is not None
    }
    (ax,) = plots.distillation(**options).axes
    t = np.array(teacher or (2.0, -1.0, -1.0))
    z = np.array(student or (-0.5, 1.5, -1.0))
    lines = lines_by_gid(ax)
    T = lines["with"].get_xdata()
    np.testing.assert_allclose(T, np.geomspace(*(T_span or (0.5, 100.0)), 200), rtol=1e-15)
    expected = np.array([mp_distillation_norm(t, z, T_n) for T_n in T])
    kept, dropped = lines["with"].get_ydata(), lines["without"].get_ydata()
    np.testing.assert_allclose(kept, expected, rtol=1e-9)
    np.testing.assert_allclose(dropped, expected / T**2, rtol=1e-9)
    # zero-mean logits: T (sigma(z/T) - sigma(t/T)) -> (z - t)/K, so the norm levels off
    limit = np.sqrt(np.sum((z - t) ** 2)) / len(z)
    assert list(lines["limit"].get_ydata()) == pytest.approx([limit, limit], rel=1e-15)
    assert abs(kept[-1] / limit - 1) < 10 / T[-1]  # O(1/T) away at the largest T
    # without the T^2 factor it falls like 1/T^2: T^2 times it tends to the same limit
    np.testing.assert_allclose(lines["slope"].get_ydata(), limit / T**2, rtol=1e-14)
    assert abs(dropped[-1] * T[-1] ** 2 / limit - 1) < 10 / T[-1]
    # over the large temperatures (T >= 10): one level against a fall by (T_max/10)^2
    large = T >= 10
    assert np.ptp(kept[large]) / limit < 0.2
    fall = dropped[large][0] / dropped[large][-1]
    assert fall == pytest.approx((T[large][-1] / T[large][0]) ** 2, rel=0.2)
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


# -- over-parameterization --------------------------------------------------------------------


@pytest.fixture(scope="module")
def experiment():
    from symsoftmax.regression.experiment import overparameterization

    return overparameterization(m=60)


def test_overparameterization_shows_the_row_shift_and_equal_probabilities(experiment) -> None:
    from symsoftmax.regression import figure

    fig = figure.overparameterization(experiment)
    (top_left, top_right), (bottom_left, bottom_right) = np.reshape(fig.axes, (2, 2))
    for left, right, c in (
        (top_left, top_right, experiment.plain),
        (bottom_left, bottom_right, experiment.decayed),
    ):
        heights = np.array([bar.get_height() for bar in left.patches])
        a, b = np.split(heights, 2)
        np.testing.assert_array_equal(a, c.a.theta.ravel())
        np.testing.assert_array_equal(b, c.b.theta.ravel())
        # the diamonds: Theta_b + 1 psi^T with psi the mean row of Theta_a - Theta_b,
        # recomputed here; they sit on the bars of Theta_a
        (shifted,) = [line for line in left.lines if line.get_gid() == "shifted"]
        psi = (c.a.theta - c.b.theta).mean(axis=0)
        np.testing.assert_allclose(shifted.get_ydata(), (c.b.theta + psi).ravel(), atol=1e-12)
        np.testing.assert_allclose(shifted.get_ydata(), a, atol=1e-7)
        assert shifted.get_markersize() >= 8 and shifted.get_markerfacecolor() == "white"
        assert r"\psi = \frac{1}{K}\sum_k\, (\theta_{a,k} - \theta_{b,k})" in left.get_xlabel()
        # per sample s, the largest probability difference, against scipy's softmax
        (gaps,) = [line for line in right.lines if line.get_gid() == "gaps"]
        ha = scipy.special.softmax(experiment.X @ c.a.theta.T, axis=1)
        hb = scipy.special.softmax(experiment.X @ c.b.theta.T, axis=1)
        expected = np.maximum(np.abs(ha - hb).max(axis=1), np.finfo(float).tiny)
        np.testing.assert_allclose(gaps.get_ydata(), expected, rtol=1e-6, atol=1e-15)
        assert np.all(gaps.get_ydata() < 1e-9)  # the same probabilities
        np.testing.assert_array_equal(gaps.get_xdata(), np.arange(1, len(experiment.X) + 1))
        assert right.get_xlabel() == "sample s" and "x_s" in right.get_ylabel()
    assert np.linalg.norm(experiment.plain.psi) > 1  # without decay: a real shift
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        r"$\Theta_a$",
        r"$\Theta_b$",
        r"$\Theta_b + \mathbf{1}\psi^T$",
    ]


# -- Chinese figures ---------------------------------------------------------------------------


def _cjk_font() -> str:
    try:
        return fonts.cjk_font()
    except FileNotFoundError as err:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(str(err))


def test_the_chinese_font_draws_at_every_size() -> None:
    """AR PL UMing has the glyphs but draws nothing at 8–11 pt: the font chosen must ink
    a Chinese character at every size a figure uses."""
    name = _cjk_font()
    for size in (6, 7, 8, 9, 10, 11, 12, 14):
        fig = Figure(figsize=(1, 1), dpi=100)
        fig.text(0.1, 0.3, "图类", fontfamily=[name], fontsize=size)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        ink = np.asarray(canvas.buffer_rgba())[..., :3] < 128
        assert ink.sum() > 10, f"{name} draws nothing at {size} pt"


@pytest.mark.parametrize("name", gallery.NAMES)
def test_chinese_figures_have_chinese_words_and_the_same_numbers(name: str, experiment) -> None:
    _cjk_font()
    options = {"result": experiment} if name == "overparameterization" else {}
    en, zh = (gallery.figure(name, lang=lang, **options) for lang in ("en", "zh"))
    texts = [t.get_text() for t in zh.findobj(matplotlib.text.Text)]
    assert any(re.search("[\u4e00-\u9fff]", t) for t in texts)  # words in Chinese
    for t in texts:  # and never Chinese inside $...$ (mathtext has no Chinese glyphs)
        assert not ("$" in t and re.search("[\u4e00-\u9fff]", t)), t
    english = [t.get_text() for t in en.findobj(matplotlib.text.Text)]
    assert not any(re.search("[\u4e00-\u9fff]", t) for t in english)
    # the same data drawn: every line and bar of the two figures holds the same numbers
    for a, b in zip(en.axes, zh.axes, strict=True):
        for la, lb in zip(a.lines, b.lines, strict=True):
            np.testing.assert_array_equal(la.get_xydata(), lb.get_xydata())
        assert [p.get_height() for p in a.patches if hasattr(p, "get_height")] == [
            p.get_height() for p in b.patches if hasattr(p, "get_height")
        ]


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="lang"):
        plots.jacobian(lang="fr")


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
        (lambda: plots.smooth_max(betas=[1.0, -2.0]), ValueError, "> 0"),
        (lambda: plots.smooth_max(rest=[]), ValueError, "K - 1 >= 1"),
        (lambda: plots.saturation(span=(3.0, 3.0)), ValueError, "lo < hi"),
        (lambda: plots.distillation(teacher=[1.0, 0.0, 0.0]), ValueError, "zero mean"),
        (lambda: plots.distillation(teacher=[1.0, -1.0]), ValueError, "same number K"),
        (lambda: plots.distillation(T_span=(0.0, 1.0)), ValueError, "0 < lo < hi"),
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
