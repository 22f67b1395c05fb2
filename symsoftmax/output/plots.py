r"""Figures of softmax, drawn from the public API.

One logit along a sigmoid, temperature, the Jacobian, the K = 3 simplex; log-sum-exp as a
smooth maximum, the saturation of the Jacobian, the distillation gradient against T. (The
figure of the over-parameterization demonstration is :mod:`symsoftmax.regression.figure`;
every figure by name is :mod:`symsoftmax.gallery`.)

Each figure draws numbers from the public API and adds no math of its own: the curves come
from :mod:`symsoftmax.numeric` (code generated from the derivations) and the overlaid
sigmoid is the result of the ``sigmoid`` derivation,

.. math:: \sigma(\mathbf{z})_i = \operatorname{sigmoid}\Big(z_i - \log \sum_{k \neq i} e^{z_k}\Big),

turned into numbers by :func:`symsoftmax.lambdify`.

Every figure is drawn in English (``lang="en"``) or in Chinese (``lang="zh"``): its words
come from :mod:`symsoftmax.output.languages` and its fonts from
:mod:`symsoftmax.output.fonts`, which checks that no character is drawn as an empty box.

The functions return a :class:`matplotlib.figure.Figure` drawn on an Agg canvas, with no
pyplot state, so they work headless. Matplotlib is imported on the first call, not with
this module or with :mod:`symsoftmax`; it is the ``plot`` extra
(``pip install 'symsoftmax[plot]'``).

Example:
    >>> from symsoftmax.output import plots
    >>> plots.NAMES[:4]
    ('sigmoid', 'temperature', 'jacobian', 'simplex')
    >>> plots.NAMES[4:]
    ('smooth_max', 'saturation', 'distillation')
    >>> fig = plots.figure("jacobian", z=[0.0, 0.0])
    >>> fig.axes[0].images[0].get_array().tolist()      # diag(sigma) - sigma sigma^T
    [[0.25, -0.25], [-0.25, 0.25]]
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from os import PathLike, fspath
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from .. import numeric
from ..engine import derive
from ..engine.text import Lang
from ..symbolic import lambdify
from . import fonts
from .languages import resources

if TYPE_CHECKING:
    from matplotlib.figure import Figure


__all__ = [
    "CORNERS",
    "NAMES",
    "cold_limit",
    "distillation",
    "draw_by_name",
    "figure",
    "in_language",
    "jacobian",
    "new_figure",
    "png_path",
    "require_matplotlib",
    "saturation",
    "save",
    "sigmoid",
    "simplex",
    "smooth_max",
    "temperature",
    "to_triangle",
    "write_png",
]

#: The figures that :func:`figure` and :func:`save` know, by name.
NAMES: tuple[str, ...] = (
    "sigmoid",
    "temperature",
    "jacobian",
    "simplex",
    "smooth_max",
    "saturation",
    "distillation",
)

#: Resolution of the PNG files that :func:`save` writes.
_DPI = 100


def require_matplotlib() -> None:
    """Raise an ImportError that names the ``plot`` extra unless matplotlib can be imported.

    Raises:
        ImportError: matplotlib is not installed (or is blocked).
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as err:
        raise ImportError(
            "plotting needs matplotlib, the 'plot' extra: pip install 'symsoftmax[plot]'"
        ) from err


def new_figure(**kwargs: Any) -> Figure:
    """A matplotlib Figure (Agg canvas, no pyplot), or an ImportError naming the extra."""
    require_matplotlib()
    from matplotlib.figure import Figure

    return Figure(layout="constrained", **kwargs)


def in_language(lang: Lang | str, draw: Callable[..., Figure], /, **options: Any) -> Figure:
    """``draw(words, **options)`` in the fonts of ``lang``, its words the figure words of
    ``lang`` (:attr:`Resources.figure_words`); the figure, once every glyph of its text is
    known to be drawn (:func:`fonts.check_glyphs`).

    Raises:
        ValueError: an unknown language, or a character that no font would draw.
        FileNotFoundError: Chinese, and no Chinese font installed (the message names the
            Debian package).
    """
    code = Lang.parse(lang)
    require_matplotlib()
    with fonts.style(code):
        fig = draw(resources(code).figure_words, **options)
    fonts.settle(fig, code)
    fonts.check_glyphs(fig, code)
    return fig


# -- input checks ---------------------------------------------------------------------------


def _real_array(a: object, what: str) -> np.ndarray:
    """``a`` as a finite float64 array; TypeError unless it holds real numbers."""
    try:
        out = np.asarray(a)
    except ValueError as err:  # ragged nesting
        raise ValueError(f"{what} must be a rectangular array of real numbers: {err}") from None
    if out.dtype.kind not in "biuf":
        raise TypeError(f"{what} must hold real numbers, got {a!r} (dtype {out.dtype})")
    out = out.astype(np.float64)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{what} must be finite, got {a!r}")
    return out


def _logits(z: ArrayLike) -> np.ndarray:
    z = _real_array(z, "z")
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"z must be a vector of K >= 2 logits, got shape {z.shape}")
    return z


def _span(span: Sequence[float], what: str, *, positive: bool = False) -> tuple[float, float]:
    lo_hi = _real_array(span, what)
    if lo_hi.shape != (2,) or not lo_hi[0] < lo_hi[1] or (positive and lo_hi[0] <= 0):
        bound = "0 < lo < hi" if positive else "lo < hi"
        raise ValueError(f"{what} must be a pair (lo, hi) of finite numbers, {bound}; got {span}")
    return float(lo_hi[0]), float(lo_hi[1])


def _num(num: int) -> int:
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)):
        raise TypeError(f"num must be an int (the number of grid points), got {num!r}")
    if num < 2:
        raise ValueError(f"num must be >= 2 (the number of grid points), got {num}")
    return int(num)


# -- sigma_1 along a sigmoid ------------------------------------------------------------------


@functools.cache
def _derived_sigmoid(K: int) -> Callable[..., np.ndarray]:
    """sigma(z)_1 as the function (z_1, ..., z_K) -> number, from the ``sigmoid`` result."""
    # Eq(sigma(z)_i, Sigmoid(z_i - log sum_{k != i} e^{z_k})), for K classes
    result = derive("sigmoid", K=K).result
    i = result.lhs.args[2]  # Softmax(z, K, i)
    formula = result.rhs.subs(i, 1).doit()
    z = sorted(formula.atoms(sp.Indexed), key=lambda e: e.indices)  # z[1], ..., z[K]
    return lambdify(z, formula)


def sigmoid(
    *,
    others: ArrayLike = ((0.0, 0.0), (2.0, 1.0), (-2.0, -3.0)),
    span: Sequence[float] = (-8.0, 8.0),
    num: int = 401,
    lang: str = "en",
) -> Figure:
    r"""One logit alone moves its probability along a sigmoid.

    For each setting of the other logits :math:`z_2, \dots, z_K` (a row of ``others``), the
    solid curve is :math:`\sigma(\mathbf{z})_1` from :func:`symsoftmax.numeric.softmax` as
    :math:`z_1` runs over ``span``; the dashed curve over it is the result of the
    ``sigmoid`` derivation,

    .. math:: \sigma(\mathbf{z})_1 = \operatorname{sigmoid}\Big(z_1 - \log \sum_{k \neq 1} e^{z_k}\Big),

    lambdified. A dot marks :math:`\sigma_1 = 1/2` at :math:`z_1 = \log \sum_{k \neq 1} e^{z_k}`.

    Args:
        others: one row per curve, each the K - 1 >= 1 other logits (the same K for all).
        span: the range (lo, hi) of z_1.
        num: the number of points on each curve, >= 2.
        lang: the language of its words, ``"en"`` or ``"zh"``.

    Returns:
        A Figure with one Axes: per row of ``others`` a solid, a dashed line and a dot.

    Raises:
        ImportError: matplotlib (the ``plot`` extra) is not installed.
        TypeError: non-numeric ``others`` or ``span``, non-integer ``num``.
        ValueError: ``others`` not a non-empty table of finite numbers, lo >= hi, num < 2.

    Example:
        >>> fig = sigmoid(others=[[0.0]])                   # K = 2: the logistic function
        >>> solid, dashed = fig.axes[0].lines[:2]
        >>> float(solid.get_ydata()[200]), float(dashed.get_ydata()[200])  # at z_1 = 0
        (0.5, 0.5)
    """
    others = _real_array(others, "others")
    if others.ndim == 1:
        others = others[np.newaxis]
    if others.ndim != 2 or others.size == 0:
        raise ValueError(
            "others must be a non-empty table, one row of the K - 1 >= 1 other logits per "
            f"curve, got shape {others.shape}"
        )
    lo, hi = _span(span, "span")
    z1 = np.linspace(lo, hi, _num(num))
    derived = _derived_sigmoid(others.shape[1] + 1)

    return in_language(lang, _draw_sigmoid, z1=z1, others=others, derived=derived)


def _draw_sigmoid(
    words: Mapping[str, str], *, z1: np.ndarray, others: np.ndarray, derived: Callable
) -> Figure:
    K = others.shape[1] + 1
    fig = new_figure(figsize=(7.5, 4.8))
    ax = fig.subplots()
    if K == 2:
        names = "$z_2$"
    elif K == 3:
        names = "$(z_2, z_3)$"
    else:
        names = f"$(z_2, \\ldots, z_{{{K}}})$"
    for rest in others:
        Z = np.column_stack([z1, np.broadcast_to(rest, (len(z1), K - 1))])
        setting = ", ".join(f"{v:g}" for v in rest)
        label = f"{names} = {setting}" if K == 2 else f"{names} = ({setting})"
        (solid,) = ax.plot(z1, numeric.softmax(Z)[:, 0], linewidth=2.5, alpha=0.8, label=label)
        (dashed,) = ax.plot(z1, derived(*Z.T), "k--", linewidth=1)
        ax.plot(float(numeric.logsumexp(rest)), 0.5, "o", color=solid.get_color(), markersize=5)
    dashed.set_label(words["sigmoid_derived"])
    ax.axhline(0.5, color="gray", linewidth=0.5, linestyle=":")
    ax.set_xlim(z1[0], z1[-1])
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(words["sigmoid_x"])
    ax.set_ylabel(r"$\sigma(\mathbf{z})_1$")
    ax.set_title(words["sigmoid_title"].format(K=K), fontsize="medium")
    ax.legend(loc="upper left", fontsize="small")
    ax.grid(alpha=0.3)
    return fig


# -- temperature ----------------------------------------------------------------------------


def _entropy(Z: np.ndarray) -> np.ndarray:
    """H = -sum_k sigma_k log sigma_k of softmax(Z) over the last axis, with 0 log 0 = 0."""
    s, log_s = numeric.softmax(Z), numeric.log_softmax(Z)
    return -np.sum(np.multiply(s, log_s, out=np.zeros_like(s), where=s > 0), axis=-1)


def _cold(z: np.ndarray) -> np.ndarray:
    """``z`` scaled to ``1e300 / max|z|``: every gap to the maximum then has an exponential
    of exactly 0, and ties stay exact ties (see :func:`cold_limit`)."""
    largest = float(np.max(np.abs(z)))
    return z * (1e300 / largest) if largest > 0 else z


def cold_limit(z: ArrayLike) -> np.ndarray:
    r"""The limit :math:`\lim_{\beta \to \infty} \sigma(\beta \mathbf{z})`, as softmax computes it.

    :func:`symsoftmax.numeric.softmax` of :math:`\mathbf{z}` scaled to ``1e300 / max|z|``:
    every gap to the maximum is then so large that its exponential is exactly 0, ties stay
    exact ties, so the result is uniform on the arg-max set (one-hot when it is unique).

    Example:
        >>> cold_limit([2.0, 1.0, 0.1]).tolist(), cold_limit([1.0, 1.0, 0.0]).tolist()
        ([1.0, 0.0, 0.0], [0.5, 0.5, 0.0])
    """
    return numeric.softmax(_cold(_logits(z)))


def _value(v: float) -> str:
    """A probability written over its bar: three significant digits."""
    return f"{v:.3g}"


def temperature(
    *,
    z: ArrayLike = (2.0, 1.0, 0.1),
    betas: ArrayLike = (0.25, 1.0, 4.0),
    beta_span: Sequence[float] = (1e-2, 1e2),
    num: int = 200,
    lang: str = "en",
) -> Figure:
    r"""Scaling the logits by beta: the bars of :math:`\sigma(\beta \mathbf{z})` and the entropy.

    Left: :math:`\sigma(\beta \mathbf{z})` as grouped bars, one group per class and one bar
    per beta in ``betas``, then the limit :math:`\beta \to \infty` (:func:`cold_limit`:
    uniform on the arg-max set). Each bar has a black edge and its value written over it;
    a bar lower than 1% of the axis also gets a cap in its color, so that no bar is
    hidden by the axis. Right: the entropy

    .. math:: H(\beta) = -\sum_k \sigma(\beta \mathbf{z})_k \log \sigma(\beta \mathbf{z})_k
        \qquad (0 \log 0 = 0)

    on a log-spaced grid over ``beta_span``, from :func:`symsoftmax.numeric.softmax` and
    :func:`symsoftmax.numeric.log_softmax`, with a dot at each beta of the bars, its limit
    :math:`\log K` as beta -> 0 (dotted) and its limit as beta -> infinity, the entropy of
    :func:`cold_limit` (dashed: 0, or log m for m tied largest logits).

    Args:
        z: the example logits, K >= 2 finite numbers.
        betas: the inverse temperatures of the bars, each finite and > 0.
        beta_span: the range (lo, hi) of beta for the entropy, 0 < lo < hi.
        num: the number of points on the entropy curve, >= 2.
        lang: the language of its words, ``"en"`` or ``"zh"``.

    Returns:
        A Figure with two Axes: the bars, then the entropy. The bars of beta number n have
        the gid ``"beta-n"``, those of the limit ``"beta-inf"``; the caps ``"cap"``; the
        limits of the entropy ``"beta-zero-limit"`` and ``"beta-inf-limit"``.

    Raises:
        ImportError: matplotlib (the ``plot`` extra) is not installed.
        TypeError: non-numeric ``z``, ``betas`` or ``beta_span``, non-integer ``num``.
        ValueError: K < 2, a beta <= 0, no beta, lo >= hi, num < 2, non-finite entries.

    Example:
        >>> fig = temperature(z=[1.0, 0.0], betas=[1.0])
        >>> [round(float(bar.get_height()), 4) for bar in fig.axes[0].patches]  # sigmoid(1), sigmoid(-1), limit
        [0.7311, 0.2689, 1.0, 0.0]
    """
    z = _logits(z)
    betas = _real_array(betas, "betas")
    if betas.ndim != 1 or betas.size == 0 or np.any(betas <= 0):
        raise ValueError(f"betas must be a non-empty list of numbers > 0, got {betas.tolist()}")
    lo, hi = _span(beta_span, "beta_span", positive=True)
    grid = np.geomspace(lo, hi, _num(num))
    return in_language(lang, _draw_temperature, z=z, betas=betas, grid=grid)


#: The top of the bars' axis (room for the values written over the bars).
_BARS_TOP = 1.25


def _draw_temperature(
    words: Mapping[str, str], *, z: np.ndarray, betas: np.ndarray, grid: np.ndarray
) -> Figure:
    K = z.size
    rows = [numeric.softmax(beta * z) for beta in betas] + [numeric.softmax(_cold(z))]
    names = [rf"$\beta$ = {beta:g}" for beta in betas] + [r"$\beta \to \infty$"]
    gids = [f"beta-{n}" for n in range(len(betas))] + ["beta-inf"]

    fig = new_figure(figsize=(12, 4.8))
    bars, curve = fig.subplots(1, 2)
    classes = np.arange(1, K + 1)
    width = 0.8 / len(rows)
    for n, (row, name, gid) in enumerate(zip(rows, names, gids, strict=True)):
        offset = (n - (len(rows) - 1) / 2) * width
        color = "0.55" if gid == "beta-inf" else f"C{n}"
        drawn = bars.bar(
            classes + offset,
            row,
            width=width,
            label=name,
            color=color,
            hatch="//" if gid == "beta-inf" else None,
            edgecolor="black",
            linewidth=0.6,
            gid=gid,
        )
        low = row < 0.01 * _BARS_TOP  # thinner than the axis line: a cap shows the bar
        bars.hlines(
            row[low],
            (classes + offset - width / 2)[low],
            (classes + offset + width / 2)[low],
            colors=color,
            linewidth=3,
            gid="cap",
        )
        bars.bar_label(
            drawn, labels=[_value(v) for v in row], rotation=90, padding=3, fontsize="x-small"
        )
    bars.axhline(0, color="black", linewidth=0.6)
    bars.set_xticks(classes, [f"{k}" for k in classes])
    bars.set_xlabel(words["bars_x"])
    bars.set_ylabel(r"$\sigma(\beta \mathbf{z})_k$")
    bars.set_ylim(-0.02, _BARS_TOP)
    bars.set_title(words["bars_title"].format(z=", ".join(f"{v:g}" for v in z)), fontsize="medium")
    bars.legend(title=words["bars_legend"], fontsize="small", loc="upper right")
    bars.grid(axis="y", alpha=0.3)

    curve.semilogx(grid, _entropy(grid[:, np.newaxis] * z), color="black", linewidth=1.5)
    for n, beta in enumerate(betas):
        curve.plot(beta, _entropy(beta * z), "o", color=f"C{n}", markersize=7)
    hot, cold = np.log(K), float(_entropy(_cold(z))) + 0.0  # + 0.0: no -0
    curve.axhline(hot, color="gray", linestyle=":", linewidth=1, gid="beta-zero-limit")
    curve.axhline(cold, color="gray", linestyle="--", linewidth=1, gid="beta-inf-limit")
    tied = int(np.count_nonzero(z == z.max()))
    cold_words = words["entropy_one_hot"] if tied == 1 else words["entropy_ties"]
    lo, hi = grid[0], grid[-1]
    for level, text, place in (
        (hot, words["entropy_zero"].format(H=f"{hot:.3g}"), (4, 4)),
        (cold, cold_words.format(H=f"{cold:.3g}", m=tied), (-4, 5)),
    ):
        curve.annotate(
            text,
            (lo if place[0] > 0 else hi, level),
            xytext=place,
            textcoords="offset points",
            ha="left" if place[0] > 0 else "right",
            color="dimgray",
            fontsize="small",
        )
    curve.set_xlim(lo, hi)
    curve.set_ylim(-0.06 * np.log(K), 1.12 * np.log(K))
    curve.set_xlabel(words["entropy_x"])
    curve.set_ylabel(words["entropy_y"])
    curve.set_title(words["entropy_title"], fontsize="medium")
    curve.grid(alpha=0.3, which="both")
    return fig


# -- the Jacobian ---------------------------------------------------------------------------


def jacobian(*, z: ArrayLike = (2.0, 1.0, 0.1), lang: str = "en") -> Figure:
    r"""A heat map of the softmax Jacobian at ``z``, each entry written in its cell.

    .. math:: J = \frac{\partial \sigma}{\partial \mathbf{z}}
        = \operatorname{diag}(\sigma) - \sigma \sigma^T, \qquad
        J_{ij} = \sigma_i (\delta_{ij} - \sigma_j)

    from :func:`symsoftmax.numeric.jacobian`, on a diverging colormap centered at 0
    (positive diagonal, negative off-diagonal entries). The last column, right of a rule,
    holds each row's sum :math:`\sum_j J_{ij}` (texts with the gid ``"row-sum-i"``); the
    diagonal, the axis of the symmetry, is dashed; the line under the map gives the
    largest :math:`|J_{ij} - J_{ji}|` and
    :math:`|\sum_j J_{ij}|`, measured on the numbers drawn.

    Args:
        z: the logits, K >= 2 finite numbers.
        lang: the language of its words, ``"en"`` or ``"zh"``.

    Returns:
        A Figure with the heat map's Axes and its colorbar's.

    Raises:
        ImportError: matplotlib (the ``plot`` extra) is not installed.
        TypeError: non-numeric ``z``.
        ValueError: K < 2 or non-finite entries.

    Example:
        >>> fig = jacobian(z=[0.0, 0.0, 0.0])
        >>> fig.axes[0].images[0].get_array().sum(axis=1).round(12).tolist()  # J 1 = 0
        [0.0, 0.0, 0.0]
    """
    return in_language(lang, _draw_jacobian, z=_logits(z))


def _fixed(v: float) -> str:
    """``v`` with three decimals, and no sign on a value that rounds to 0."""
    text = f"{v:.3f}"
    return "0.000" if text == "-0.000" else text


def _draw_jacobian(words: Mapping[str, str], *, z: np.ndarray) -> Figure:
    J = numeric.jacobian(z)
    s = numeric.softmax(z)
    K = z.size
    bound = float(np.max(np.abs(J))) or 1.0

    fig = new_figure(figsize=(3.6 + max(3.6, 0.9 * K), 2.0 + max(3.0, 0.75 * K)))
    ax = fig.subplots()
    image = ax.imshow(J, cmap="RdBu_r", vmin=-bound, vmax=bound)
    drawn = np.asarray(image.get_array())  # what the figure shows, and what is measured
    size = "medium" if K <= 5 else "small"
    for (i, j), value in np.ndenumerate(drawn):
        ax.text(
            j,
            i,
            _fixed(value),
            ha="center",
            va="center",
            color="white" if abs(value) > 0.6 * bound else "black",
            fontsize=size,
        )
    # the last column: each row's sum, measured on the drawn numbers
    sums = drawn.sum(axis=1)
    for i, total in enumerate(sums):
        ax.text(K, i, _fixed(total), ha="center", va="center", fontsize=size, gid=f"row-sum-{i}")
    ax.axvline(K - 0.5, color="black", linewidth=1)
    ax.plot(
        [-0.5, K - 0.5],
        [-0.5, K - 0.5],
        color="black",
        linestyle="--",
        linewidth=0.8,
        alpha=0.35,
        gid="diagonal",
    )
    ax.set_xlim(-0.5, K + 0.5)
    ax.set_ylim(K - 0.5, -0.5)
    ticks = np.arange(K)
    ax.set_xticks(np.arange(K + 1), [f"$z_{{{k + 1}}}$" for k in ticks] + [r"$\Sigma_j\, J_{ij}$"])
    ax.set_yticks(ticks, [f"$\\sigma_{{{k + 1}}}$ = {s[k]:.3f}" for k in ticks])
    ax.set_xlabel(words["jacobian_x"])
    ax.set_ylabel(words["jacobian_y"])
    ax.set_title(
        r"$J = \partial\sigma / \partial\mathbf{z}$,  "
        r"$J_{ij} = \sigma_i (\delta_{ij} - \sigma_j)$,  "
        r"$\mathbf{z}$ = (" + ", ".join(f"{v:g}" for v in z) + ")",
        fontsize="medium",
    )
    fig.colorbar(image, ax=ax, label=words["jacobian_bar"], shrink=0.9)
    asymmetry = float(np.max(np.abs(drawn - drawn.T)))
    fig.supxlabel(
        words["jacobian_symmetric"].format(gap=f"{asymmetry:.1g}")
        + "\n"
        + words["jacobian_rows"].format(gap=f"{float(np.max(np.abs(sums))):.1g}"),
        fontsize="small",
    )
    return fig


# -- the K = 3 simplex ------------------------------------------------------------------------

#: The corners of the triangle of K = 3 probabilities: e_1, e_2, e_3 in the plane.
CORNERS = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3.0) / 2]])


def to_triangle(p: ArrayLike) -> np.ndarray:
    r"""Points :math:`p \in \Delta^2` (rows of 3 probabilities) in the plane: :math:`p^T C`.

    Example:
        >>> to_triangle([1 / 3, 1 / 3, 1 / 3]).round(4).tolist()   # the center
        [0.5, 0.2887]
    """
    return np.asarray(p, dtype=np.float64) @ CORNERS


def simplex(
    *,
    points: ArrayLike = ((2.0, 1.0, 0.1), (-1.0, 0.5, 0.0), (0.0, 0.0, 0.0), (0.5, -1.5, 1.0)),
    shifts: Sequence[float] = (-2.0, 2.0),
    grid: Sequence[float] = (-4.0, 4.0),
    lang: str = "en",
) -> Figure:
    r"""K = 3: softmax maps the logit space onto the open triangle, each line z + c1 to a point.

    Left: the lines :math:`\{\mathbf{z} + c\mathbf{1} : c \in \text{shifts}\}` through each
    row of ``points``, in logit space, with a marker at five values of c. Right: the triangle
    of probabilities (corners :math:`e_1, e_2, e_3`), the image under
    :func:`symsoftmax.numeric.softmax` of the grid :math:`\mathbf{z} = (z_1, z_2, 0)`,
    :math:`z_1, z_2 \in` ``grid`` (grey), and the images of the five markers of each line:
    they fall on one point, :math:`\sigma(\mathbf{z})`, since
    :math:`\sigma(\mathbf{z} + c\mathbf{1}) = \sigma(\mathbf{z})` (``shift_invariance``).

    Args:
        points: the base points of the lines, rows of 3 finite logits.
        shifts: the range (lo, hi) of c.
        grid: the range (lo, hi) of the grey grid's z_1 and z_2.
        lang: the language of its words, ``"en"`` or ``"zh"``.

    Returns:
        A Figure with two Axes: the logit space (3D) and the triangle. On the triangle the
        images of line n have the gid ``"image-n"``, the grid curves ``"grid"``.

    Raises:
        ImportError: matplotlib (the ``plot`` extra) is not installed.
        TypeError: non-numeric arguments.
        ValueError: ``points`` not rows of 3 finite numbers, lo >= hi.

    Example:
        >>> fig = simplex(points=[[1.0, 0.0, 0.0]])
        >>> image = [line for line in fig.axes[1].lines if line.get_gid() == "image-0"][0]
        >>> np.ptp(image.get_xydata(), axis=0).max() < 1e-15   # five shifts, one point
        np.True_
    """
    points = _real_array(points, "points")
    if points.ndim != 2 or points.shape[1] != 3 or points.shape[0] == 0:
        raise ValueError(f"points must be rows of 3 logits (K = 3), got shape {points.shape}")
    c_span, z_span = _span(shifts, "shifts"), _span(grid, "grid")
    return in_language(lang, _draw_simplex, points=points, c_span=c_span, z_span=z_span)


def _draw_simplex(
    words: Mapping[str, str],
    *,
    points: np.ndarray,
    c_span: tuple[float, float],
    z_span: tuple[float, float],
) -> Figure:
    fig = new_figure(figsize=(11, 5.2))
    space = fig.add_subplot(1, 2, 1, projection="3d")
    plane = fig.add_subplot(1, 2, 2)
    c = np.linspace(*c_span, 5)

    # the grey grid: sigma(z_1, z_2, 0), one family of curves per free logit
    t = np.linspace(*z_span, 201)
    for fixed in np.linspace(*z_span, 9):
        for Z in (
            np.column_stack([np.full_like(t, fixed), t, np.zeros_like(t)]),
            np.column_stack([t, np.full_like(t, fixed), np.zeros_like(t)]),
        ):
            xy = to_triangle(numeric.softmax(Z))
            plane.plot(xy[:, 0], xy[:, 1], color="0.8", linewidth=0.7, gid="grid")
    outline = np.vstack([CORNERS, CORNERS[:1]])
    plane.plot(outline[:, 0], outline[:, 1], color="black", linewidth=1, linestyle="--", gid="edge")
    for k, (corner, place) in enumerate(
        zip(CORNERS, ((-0.02, -0.05), (0.02, -0.05), (0.0, 0.03)), strict=True)
    ):
        unit = ", ".join("1" if n == k else "0" for n in range(3))
        plane.annotate(
            f"$e_{k + 1}$ = ({unit})",
            corner + place,
            ha="center",
            va="bottom" if k == 2 else "top",
            fontsize="small",
        )

    for n, z in enumerate(points):
        Z = z + c[:, np.newaxis]  # the line z + c 1, at five values of c
        color = f"C{n}"
        line = z + np.linspace(*c_span, 2)[:, np.newaxis]
        space.plot(*line.T, color=color, linewidth=2)
        space.scatter(*Z.T, color=color, s=16, depthshade=False)
        xy = to_triangle(numeric.softmax(Z))
        plane.plot(
            xy[:, 0],
            xy[:, 1],
            "o",
            color=color,
            markersize=9,
            markeredgecolor="black",
            gid=f"image-{n}",
            label="z = (" + ", ".join(f"{v:g}" for v in z) + ")",
        )
    space.set_xlabel("$z_1$")
    space.set_ylabel("$z_2$")
    space.set_zlabel("$z_3$")
    space.set_title(
        words["simplex_logits"].format(lo=f"{c_span[0]:g}", hi=f"{c_span[1]:g}"), fontsize="medium"
    )
    space.view_init(elev=18, azim=-55)
    plane.set_aspect("equal")
    plane.set_xlim(-0.12, 1.12)
    plane.set_ylim(-0.12, 0.98)
    plane.axis("off")
    plane.set_title(words["simplex_image"], fontsize="medium")
    plane.legend(loc="upper right", fontsize="small", title=r"$\sigma(\mathbf{z} + c\mathbf{1})$")
    fig.supxlabel(
        words["simplex_grid"].format(lo=f"{z_span[0]:g}", hi=f"{z_span[1]:g}"), fontsize="small"
    )
    return fig


# -- the smooth maximum -----------------------------------------------------------------------


def _along_first(x: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """The logits z = (x, rest) for each x: one row per x, K = 1 + len(rest) columns."""
    return np.column_stack([x, np.broadcast_to(rest, (len(x), rest.size))])


def _rest(rest: ArrayLike) -> np.ndarray:
    rest = _real_array(rest, "rest")
    if rest.ndim != 1 or rest.size < 1:
        raise ValueError(f"rest must be the K - 1 >= 1 other logits, got shape {rest.shape}")
    return rest


def _positive(values: ArrayLike, what: str) -> np.ndarray:
    values = _real_array(values, what)
    if values.ndim != 1 or values.size == 0 or np.any(values <= 0):
        raise ValueError(f"{what} must be a non-empty list of numbers > 0, got {values.tolist()}")
    return values


def smooth_max(
    *,
    rest: ArrayLike = (0.0, -1.0),
    betas: ArrayLike = (0.5, 1.0, 2.0, 8.0),
    span: Sequence[float] = (-4.0, 4.0),
    num: int = 401,
    lang: str = "en",
) -> Figure:
    r"""Log-sum-exp is a smooth maximum: :math:`\beta^{-1} \operatorname{LSE}(\beta \mathbf{z})`
    against :math:`\max_k z_k` for several beta.

    Along the line :math:`\mathbf{z} = (z_1, \text{rest})`, :math:`z_1` in ``span``: per beta
    a solid curve, :func:`symsoftmax.numeric.logsumexp` with that ``beta``, and in the same
    color, dashed, its upper bound from the ``smooth_max`` derivation,

    .. math:: \max_k z_k \le \beta^{-1} \operatorname{LSE}(\beta \mathbf{z})
        \le \max_k z_k + \frac{\log K}{\beta};

    in black, :math:`\max_k z_k`, the limit as beta grows.

    Args:
        rest: the other logits :math:`z_2, \dots, z_K`, K - 1 >= 1 finite numbers.
        betas: the inverse temperatures, each finite and > 0.
        span: the range (lo, hi) of z_1.
        num: the number of points on each curve, >= 2.
        lang: the language of its words, ``"en"`` or ``"zh"``.

    Returns:
        A Figure with one Axes: the curve of beta number n has the gid ``"lse-n"``, its
        bound ``"bound-n"``; the maximum ``"max"``.

    Raises:
        ImportError: matplotlib (the ``plot`` extra) is not installed.
        TypeError: non-numeric arguments, non-integer ``num``.
        ValueError: no other logit, a beta <= 0, lo >= hi, num < 2, non-finite entries.

    Example:
        >>> fig = smooth_max(rest=[0.0], betas=[1.0], span=(-1.0, 1.0), num=3)
        >>> lse = [line for line in fig.axes[0].lines if line.get_gid() == "lse-0"][0]
        >>> float(lse.get_ydata()[1])                   # LSE(0, 0) = log 2
        0.6931471805599453
    """
    rest, betas = _rest(rest), _positive(betas, "betas")
    lo, hi = _span(span, "span")
    x = np.linspace(lo, hi, _num(num))
    return in_language(lang, _draw_smooth_max, x=x, rest=rest, betas=betas)


def _draw_smooth_max(
    words: Mapping[str, str], *, x: np.ndarray, rest: np.ndarray, betas: np.ndarray
) -> Figure:
    Z = _along_first(x, rest)
    K = Z.shape[1]
    top = Z.max(axis=1)
    fig = new_figure(figsize=(7.5, 4.8))
    ax = fig.subplots()
    for n, beta in enumerate(betas):
        color = f"C{n}"
        ax.plot(
            x,
            numeric.logsumexp(Z, beta=float(beta)),
            color=color,
            linewidth=2,
            label=rf"$\beta$ = {beta:g}",
            gid=f"lse-{n}",
        )
        ax.plot(
            x, top + np.log(K) / beta, color=color, linestyle="--", linewidth=1, gid=f"bound-{n}"
        )
    ax.plot(x, top, color="black", linewidth=1.5, label=r"$\max\, \mathbf{z}$", gid="max")
    ax.plot([], [], color="gray", linestyle="--", linewidth=1, label=words["smooth_max_bound"])
    ax.set_xlim(x[0], x[-1])
    ax.set_xlabel(words["first_logit_x"].format(rest=", ".join(f"{v:g}" for v in rest)))
    ax.set_ylabel(r"$\beta^{-1}\, \mathrm{LSE}(\beta \mathbf{z})$")
    ax.set_title(words["smooth_max_title"].format(K=K), fontsize="medium")
    ax.legend(loc="upper left", fontsize="small")
    ax.grid(alpha=0.3)
    return fig


# -- saturation of the Jacobian ---------------------------------------------------------------


@functools.cache
def _saturation_bound() -> float:
    """The bound of every |J_ij|, the right side of the ``saturation`` result (1/4)."""
    # Abs(Derivative(sigma(z)_i, z_j)) <= 1/4, for any K
    return float(derive("saturation").result.rhs)


def saturation(
    *,
    rest: ArrayLike = (0.0, 0.0),
    span: Sequence[float] = (0.0, 10.0),
    num: int = 401,
    lang: str = "en",
) -> Figure:
    r"""A saturated softmax stops learning: the entries of the Jacobian as one logit grows.

    Along :math:`\mathbf{z} = (z_1, \text{rest})`, :math:`z_1` in ``span``: the entries
    :math:`|J_{ij}|`, :math:`i \le j` (J is symmetric), of
    :func:`symsoftmax.numeric.jacobian`, :math:`J_{ij} = \sigma_i (\delta_{ij} - \sigma_j)`;
    in black their largest, :math:`\max_{i,j} |J_{ij}|`, which tends to 0 as
    :math:`\sigma` tends to the one-hot :math:`e_1`; dashed, the bound
    :math:`|J_{ij}| \le 1/4` of the ``saturation`` result.

    Args:
        rest: the other logits :math:`z_2, \dots, z_K`, K - 1 >= 1 finite numbers.
        span: the range (lo, hi) of z_1.
        num: the number of points on each curve, >= 2.
        lang: the language of its words, ``"en"`` or ``"zh"``.

    Returns:
        A Figure with one Axes: the entry (i, j) has the gid ``"J-i-j"`` (from 1), the
        largest ``"max"``, the bound ``"bound"``.

    Raises:
        ImportError: matplotlib (the ``plot`` extra) is not installed.
        TypeError: non-numeric arguments, non-integer ``num``.
        ValueError: no other logit, lo >= hi, num < 2, non-finite entries.

    Example:
        >>> fig = saturation(rest=[0.0], span=(0.0, 40.0), num=2)
        >>> top = [line for line in fig.axes[0].lines if line.get_gid() == "max"][0]
        >>> top.get_ydata().tolist()[0], bool(top.get_ydata()[1] < 1e-17)   # 1/4, then ~0
        (0.25, True)
    """
    rest = _rest(rest)
    lo, hi = _span(span, "span")
    x = np.linspace(lo, hi, _num(num))
    return in_language(lang, _draw_saturation, x=x, rest=rest, bound=_saturation_bound())


def _draw_saturation(
    words: Mapping[str, str], *, x: np.ndarray, rest: np.ndarray, bound: float
) -> Figure:
    J = numeric.jacobian(_along_first(x, rest))  # shape (num, K, K)
    K = J.shape[-1]
    fig = new_figure(figsize=(7.5, 4.8))
    ax = fig.subplots()
    for i, j in zip(*np.triu_indices(K), strict=True):
        ax.plot(
            x,
            np.abs(J[:, i, j]),
            linewidth=1.2,
            linestyle="-" if i == j else ":",
            label=f"$|J_{{{i + 1}{j + 1}}}|$",
            gid=f"J-{i + 1}-{j + 1}",
        )
    ax.plot(
        x,
        np.abs(J).max(axis=(1, 2)),
        color="black",
        linewidth=2.5,
        alpha=0.6,
        label=r"$\mathrm{max}_{ij}\, |J_{ij}|$",
        gid="max",
    )
    ax.axhline(bound, color="black", linestyle="--", linewidth=1, gid="bound")
    ax.annotate(
        words["saturation_bound"].format(bound=f"{bound:g}"),
        (x[-1], bound),
        xytext=(-4, 4),
        textcoords="offset points",
        ha="right",
        color="dimgray",
        fontsize="small",
    )
    ax.set_xlim(x[0], x[-1])
    ax.set_ylim(-0.01, 1.15 * bound)
    ax.set_xlabel(words["first_logit_x"].format(rest=", ".join(f"{v:g}" for v in rest)))
    ax.set_ylabel(r"$|J_{ij}| = |\partial \sigma_i / \partial z_j|$")
    ax.set_title(words["saturation_title"], fontsize="medium")
    ax.legend(loc="center right", fontsize="small", ncols=2)
    ax.grid(alpha=0.3)
    return fig


# -- distillation: the gradient's scale against T ----------------------------------------------


def _zero_mean(a: ArrayLike, what: str) -> np.ndarray:
    a = _real_array(a, what)
    if a.ndim != 1 or a.size < 2:
        raise ValueError(f"{what} must be a vector of K >= 2 logits, got shape {a.shape}")
    if abs(float(a.mean())) > 1e-12 * max(1.0, float(np.max(np.abs(a)))):
        raise ValueError(
            f"{what} logits must have zero mean (the limit (z - t)/K assumes it), got "
            f"{a.tolist()} with mean {a.mean():g}; subtract the mean, softmax does not change"
        )
    return a


def distillation(
    *,
    teacher: ArrayLike = (2.0, -1.0, -1.0),
    student: ArrayLike = (-0.5, 1.5, -1.0),
    T_span: Sequence[float] = (0.5, 100.0),
    num: int = 200,
    lang: str = "en",
) -> Figure:
    r"""Why distillation multiplies its loss by :math:`T^2`: the gradient's scale against T.

    The loss :math:`L = T^2 \operatorname{KL}(\sigma(\mathbf{t}/T) \,\|\, \sigma(\mathbf{z}/T))`
    has the gradient :math:`\nabla_{\mathbf{z}} L = T (\sigma(\mathbf{z}/T) - \sigma(\mathbf{t}/T))`
    (:func:`symsoftmax.numeric.distillation_grad`), which tends to
    :math:`(\mathbf{z} - \mathbf{t})/K` for zero-mean logits. On a log-spaced grid of T
    over ``T_span``: its norm (solid), levelling off at :math:`\|\mathbf{z} - \mathbf{t}\|/K`
    (dashed); and the norm divided by :math:`T^2`, the gradient of the KL alone (solid),
    which falls like :math:`\|\mathbf{z} - \mathbf{t}\|/(K T^2)` (dotted).

    Args:
        teacher: the teacher's logits t, K >= 2 finite numbers with zero mean.
        student: the student's logits z, as many, with zero mean.
        T_span: the range (lo, hi) of the temperature T, 0 < lo < hi.
        num: the number of points on each curve, >= 2.
        lang: the language of its words, ``"en"`` or ``"zh"``.

    Returns:
        A Figure with one Axes, log-log: the norms have the gids ``"with"`` and
        ``"without"``, their large-T laws ``"limit"`` and ``"slope"``.

    Raises:
        ImportError: matplotlib (the ``plot`` extra) is not installed.
        TypeError: non-numeric arguments, non-integer ``num``.
        ValueError: K < 2, logits of different K or not of zero mean, a bad ``T_span``,
            num < 2, non-finite entries.

    Example:
        >>> fig = distillation(teacher=[1.0, -1.0], student=[0.0, 0.0], T_span=(1.0, 1e6), num=2)
        >>> kept = [line for line in fig.axes[0].lines if line.get_gid() == "with"][0]
        >>> round(float(kept.get_ydata()[-1]), 9)      # |z - t| / K = sqrt(2) / 2
        0.707106781
    """
    t, z = _zero_mean(teacher, "teacher"), _zero_mean(student, "student")
    if t.shape != z.shape:
        raise ValueError(
            f"teacher and student must have the same number K of logits, got {t.size} and {z.size}"
        )
    lo, hi = _span(T_span, "T_span", positive=True)
    T = np.geomspace(lo, hi, _num(num))
    return in_language(lang, _draw_distillation, t=t, z=z, T=T)


def _draw_distillation(
    words: Mapping[str, str], *, t: np.ndarray, z: np.ndarray, T: np.ndarray
) -> Figure:
    K = z.size
    kept = np.array([np.linalg.norm(numeric.distillation_grad(t, z, float(T_))) for T_ in T])
    limit = float(np.linalg.norm(z - t)) / K
    fig = new_figure(figsize=(7.5, 4.8))
    ax = fig.subplots()
    ax.loglog(T, kept, color="C0", linewidth=2, label=words["distillation_with"], gid="with")
    ax.loglog(
        T, kept / T**2, color="C1", linewidth=2, label=words["distillation_without"], gid="without"
    )
    ax.axhline(
        limit,
        color="C0",
        linestyle="--",
        linewidth=1,
        label=words["distillation_limit"].format(v=f"{limit:.3g}"),
        gid="limit",
    )
    ax.loglog(
        T,
        limit / T**2,
        color="C1",
        linestyle=":",
        linewidth=1.5,
        label=words["distillation_slope"],
        gid="slope",
    )
    ax.set_xlim(T[0], T[-1])
    ax.set_xlabel(words["distillation_x"])
    ax.set_ylabel(words["distillation_y"])
    ax.set_title(words["distillation_title"], fontsize="medium")
    ax.legend(loc="lower left", fontsize="small")
    ax.grid(alpha=0.3, which="both")
    fig.supxlabel(
        words["distillation_logits"].format(
            t=", ".join(f"{v:g}" for v in t), z=", ".join(f"{v:g}" for v in z)
        ),
        fontsize="small",
    )
    return fig


# -- by name --------------------------------------------------------------------------------


_FIGURES: dict[str, Callable[..., Figure]] = {
    "sigmoid": sigmoid,
    "temperature": temperature,
    "jacobian": jacobian,
    "simplex": simplex,
    "smooth_max": smooth_max,
    "saturation": saturation,
    "distillation": distillation,
}


def figure(name: str, **options: Any) -> Figure:
    """The figure ``name`` (one of :data:`NAMES`), drawn with the keyword ``options``.

    Raises:
        ValueError: ``name`` is not one of :data:`NAMES`.
        ImportError, TypeError: as the figure's function (unknown options are a TypeError).

    Example:
        >>> len(figure("temperature").axes)
        2
    """
    return draw_by_name(_FIGURES, name, **options)


def draw_by_name(figures: Mapping[str, Callable[..., Figure]], name: str, **options: Any) -> Figure:
    """``figures[name](**options)``; ValueError naming the known figures for another name."""
    try:
        draw = figures[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown plot {name!r}; known plots: {', '.join(figures)}") from None
    return draw(**options)


def save(name: str, path: str | PathLike[str], **options: Any) -> None:
    """Write the figure ``name`` (see :func:`figure`) to ``path`` as a PNG file.

    The same matplotlib writes the same bytes for the same arguments: the PNG carries no
    "Software" (matplotlib version) entry and no timestamp.

    Args:
        name: one of :data:`NAMES`.
        path: where to write, ending in ``.png``.
        **options: passed to the figure's function.

    Raises:
        ValueError: unknown ``name``, or ``path`` does not end in ``.png``.
        OSError: ``path`` cannot be written.
        ImportError, TypeError: as :func:`figure`.

    Example:
        >>> import pathlib, tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = pathlib.Path(tmp) / "jacobian.png"
        ...     save("jacobian", path)
        ...     path.read_bytes()[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
    """
    write_png(figure(name, **options), png_path(path))


def write_png(fig: Figure, path: str | PathLike[str]) -> None:
    """Write ``fig`` to ``path`` as a PNG file with no "Software" entry and no timestamp.

    Raises:
        ValueError: ``path`` does not end in ``.png``.
        OSError: ``path`` cannot be written.
    """
    fig.savefig(png_path(path), format="png", dpi=_DPI, metadata={"Software": None})


def png_path(path: str | PathLike[str]) -> str:
    """``path`` as a str, if it ends in ``.png``; else ValueError."""
    if not fspath(path).lower().endswith(".png"):
        raise ValueError(f"plots are saved as PNG: the path must end in .png, got {fspath(path)!r}")
    return fspath(path)
