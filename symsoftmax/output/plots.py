r"""Figures of softmax: one logit along a sigmoid, temperature, the Jacobian. (The figure of
the over-parameterization demonstration is :mod:`symsoftmax.regression.figure`; every figure
by name is :mod:`symsoftmax.gallery`.)

Each figure draws numbers from the public API and adds no math of its own: the curves come
from :mod:`symsoftmax.numeric` (code generated from the derivations) and the overlaid
sigmoid is the result of the ``sigmoid`` derivation,

.. math:: \sigma(\mathbf{z})_i = \operatorname{sigmoid}\Big(z_i - \log \sum_{k \neq i} e^{z_k}\Big),

turned into numbers by :func:`symsoftmax.lambdify`.

The functions return a :class:`matplotlib.figure.Figure` drawn on an Agg canvas, with no
pyplot state, so they work headless. Matplotlib is imported on the first call, not with
this module or with :mod:`symsoftmax`; it is the ``plot`` extra
(``pip install 'symsoftmax[plot]'``).

Example:
    >>> from symsoftmax.output import plots
    >>> plots.NAMES
    ('sigmoid', 'temperature', 'jacobian')
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
from ..symbolic import lambdify

if TYPE_CHECKING:
    from matplotlib.figure import Figure


__all__ = [
    "NAMES",
    "draw_by_name",
    "figure",
    "jacobian",
    "new_figure",
    "png_path",
    "save",
    "sigmoid",
    "temperature",
    "write_png",
]

#: The figures that :func:`figure` and :func:`save` know, by name.
NAMES: tuple[str, ...] = ("sigmoid", "temperature", "jacobian")

#: Resolution of the PNG files that :func:`save` writes.
_DPI = 100


def new_figure(**kwargs: Any) -> Figure:
    """A matplotlib Figure (Agg canvas, no pyplot), or an ImportError naming the extra."""
    try:
        import matplotlib  # noqa: F401  first: fails when the package is missing or blocked
        from matplotlib.figure import Figure
    except ImportError as err:
        raise ImportError(
            "plotting needs matplotlib, the 'plot' extra: pip install 'symsoftmax[plot]'"
        ) from err
    return Figure(layout="constrained", **kwargs)


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
    K = others.shape[1] + 1
    derived = _derived_sigmoid(K)

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
    dashed.set_label(r"derived: sigmoid$(z_1 - \log\,\Sigma_{k \neq 1}\, e^{z_k})$")
    ax.axhline(0.5, color="gray", linewidth=0.5, linestyle=":")
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("$z_1$ (the other logits fixed)")
    ax.set_ylabel(r"$\sigma(\mathbf{z})_1$")
    ax.set_title(
        rf"One logit alone: $\sigma_1$ is a sigmoid in $z_1$, K = {K}; "
        r"dots: $\sigma_1 = 1/2$ at $z_1 = \log\,\Sigma_{k \neq 1}\, e^{z_k}$",
        fontsize="medium",
    )
    ax.legend(loc="upper left", fontsize="small")
    ax.grid(alpha=0.3)
    return fig


# -- temperature ----------------------------------------------------------------------------


def _entropy(Z: np.ndarray) -> np.ndarray:
    """H = -sum_k sigma_k log sigma_k over the last axis, with 0 log 0 = 0."""
    s, log_s = numeric.softmax(Z), numeric.log_softmax(Z)
    return -np.sum(np.multiply(s, log_s, out=np.zeros_like(s), where=s > 0), axis=-1)


def temperature(
    *,
    z: ArrayLike = (2.0, 1.0, 0.1),
    betas: ArrayLike = (0.25, 1.0, 4.0),
    beta_span: Sequence[float] = (1e-2, 1e2),
    num: int = 200,
) -> Figure:
    r"""Scaling the logits by beta sharpens (beta > 1) or flattens (beta < 1) softmax.

    Left: :math:`\sigma(\beta \mathbf{z})` as grouped bars, one group per class and one bar
    per beta in ``betas``. Right: the entropy

    .. math:: H(\beta) = -\sum_k \sigma(\beta \mathbf{z})_k \log \sigma(\beta \mathbf{z})_k
        \qquad (0 \log 0 = 0)

    on a log-spaced grid over ``beta_span``, from :func:`symsoftmax.numeric.softmax` and
    :func:`symsoftmax.numeric.log_softmax`, with a dot at each beta of the bars and the
    bound :math:`\log K` (the uniform distribution, beta -> 0) dotted.

    Args:
        z: the example logits, K >= 2 finite numbers.
        betas: the inverse temperatures of the bars, each finite and > 0.
        beta_span: the range (lo, hi) of beta for the entropy, 0 < lo < hi.
        num: the number of points on the entropy curve, >= 2.

    Returns:
        A Figure with two Axes: the bars, then the entropy.

    Raises:
        ImportError: matplotlib (the ``plot`` extra) is not installed.
        TypeError: non-numeric ``z``, ``betas`` or ``beta_span``, non-integer ``num``.
        ValueError: K < 2, a beta <= 0, no beta, lo >= hi, num < 2, non-finite entries.

    Example:
        >>> fig = temperature(z=[1.0, 0.0], betas=[1.0])
        >>> [round(float(bar.get_height()), 4) for bar in fig.axes[0].patches]  # sigmoid(1), sigmoid(-1)
        [0.7311, 0.2689]
    """
    z = _logits(z)
    betas = _real_array(betas, "betas")
    if betas.ndim != 1 or betas.size == 0 or np.any(betas <= 0):
        raise ValueError(f"betas must be a non-empty list of numbers > 0, got {betas.tolist()}")
    lo, hi = _span(beta_span, "beta_span", positive=True)
    grid = np.geomspace(lo, hi, _num(num))
    K = z.size

    fig = new_figure(figsize=(11, 4.5))
    bars, curve = fig.subplots(1, 2)
    classes = np.arange(1, K + 1)
    width = 0.8 / len(betas)
    for n, beta in enumerate(betas):
        offset = (n - (len(betas) - 1) / 2) * width
        bars.bar(
            classes + offset, numeric.softmax(beta * z), width=width, label=rf"$\beta$ = {beta:g}"
        )
    bars.set_xticks(classes, [f"{k}" for k in classes])
    bars.set_xlabel("class k")
    bars.set_ylabel(r"$\sigma(\beta \mathbf{z})_k$")
    bars.set_ylim(0, 1.05)
    bars.set_title(
        r"$\sigma(\beta \mathbf{z})$ for $\mathbf{z}$ = (" + ", ".join(f"{v:g}" for v in z) + ")",
        fontsize="medium",
    )
    bars.legend(title=r"$\beta > 1$ sharpens, $\beta < 1$ flattens", fontsize="small")
    bars.grid(axis="y", alpha=0.3)

    curve.semilogx(grid, _entropy(grid[:, np.newaxis] * z), color="black", linewidth=1.5)
    for n, beta in enumerate(betas):
        curve.plot(beta, _entropy(beta * z), "o", color=f"C{n}", markersize=7)
    curve.axhline(np.log(K), color="gray", linestyle=":", linewidth=1)
    curve.annotate(
        rf"$\log K$ = {np.log(K):.3g} (uniform)",
        (lo, np.log(K)),
        xytext=(4, -12),
        textcoords="offset points",
        color="gray",
        fontsize="small",
    )
    curve.set_xlim(lo, hi)
    curve.set_ylim(-0.03 * np.log(K), 1.08 * np.log(K))
    curve.set_xlabel(r"inverse temperature $\beta$ (log scale)")
    curve.set_ylabel(r"entropy $H(\beta)$ (nats)")
    curve.set_title(
        r"$H(\beta) = -\Sigma_k\, \sigma_k \, \log \sigma_k$ never increases with $\beta$",
        fontsize="medium",
    )
    curve.grid(alpha=0.3, which="both")
    return fig


# -- the Jacobian ---------------------------------------------------------------------------


def jacobian(*, z: ArrayLike = (2.0, 1.0, 0.1)) -> Figure:
    r"""A heat map of the softmax Jacobian at ``z``, each entry written in its cell.

    .. math:: J = \operatorname{diag}(\sigma) - \sigma \sigma^T, \qquad
        J_{ij} = \frac{\partial \sigma_i}{\partial z_j} = \sigma_i (\delta_{ij} - \sigma_j)

    from :func:`symsoftmax.numeric.jacobian`, on a diverging colormap centered at 0
    (positive diagonal, negative off-diagonal entries).

    Args:
        z: the logits, K >= 2 finite numbers.

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
    z = _logits(z)
    J = numeric.jacobian(z)
    s = numeric.softmax(z)
    K = z.size
    bound = float(np.max(np.abs(J))) or 1.0

    fig = new_figure(figsize=(3.2 + max(3.3, 0.8 * K), 1.6 + max(3.0, 0.75 * K)))
    ax = fig.subplots()
    image = ax.imshow(J, cmap="RdBu_r", vmin=-bound, vmax=bound)
    for (i, j), value in np.ndenumerate(J):
        ax.text(
            j,
            i,
            f"{value:.3f}",
            ha="center",
            va="center",
            color="white" if abs(value) > 0.6 * bound else "black",
            fontsize="medium" if K <= 5 else "small",
        )
    ticks = np.arange(K)
    ax.set_xticks(ticks, [f"$z_{{{k + 1}}}$" for k in ticks])
    ax.set_yticks(ticks, [f"$\\sigma_{{{k + 1}}}$ = {s[k]:.3f}" for k in ticks])
    ax.set_xlabel(r"with respect to $z_j$")
    ax.set_ylabel(r"output $\sigma_i$")
    ax.set_title(
        r"$J_{ij} = \partial \sigma_i / \partial z_j = \sigma_i (\delta_{ij} - \sigma_j)$"
        "\nat z = (" + ", ".join(f"{v:g}" for v in z) + ")",
        fontsize="medium",
    )
    fig.colorbar(image, ax=ax, label=r"$J_{ij}$ (0 is white)")
    return fig


# -- by name --------------------------------------------------------------------------------


_FIGURES: dict[str, Callable[..., Figure]] = {
    "sigmoid": sigmoid,
    "temperature": temperature,
    "jacobian": jacobian,
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
