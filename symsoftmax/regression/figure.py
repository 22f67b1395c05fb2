r"""The figure of the over-parameterization demonstration (:mod:`symsoftmax.regression`).

Softmax regression from two starts: :math:`\Theta_a` from 0, :math:`\Theta_b` from a start
shifted by a row shift :math:`\mathbf{1}\psi_0^T`. Without weight decay the fits end a row
shift apart, :math:`\Theta_a = \Theta_b + \mathbf{1}\psi^T` with
:math:`\psi = \frac{1}{K}\sum_k (\theta_{a,k} - \theta_{b,k})`, and give the same
probabilities at every sample :math:`x_s`; with decay they agree.

A text of the figure holds either words (in the figure's language) or math (``$...$``,
the same in both languages), never both: matplotlib's math fonts have no Chinese.
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from typing import TYPE_CHECKING

import numpy as np

from .. import numeric
from ..output.plots import in_language, new_figure, require_matplotlib
from .experiment import Comparison, OverparameterizationResult
from .experiment import overparameterization as run_overparameterization

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["overparameterization", "plot", "probability_gaps"]


def probability_gaps(c: Comparison, X: np.ndarray) -> np.ndarray:
    r""":math:`\max_k |h_a(x_s)_k - h_b(x_s)_k|` for each sample :math:`x_s` (a row of ``X``).

    Example:
        >>> from types import SimpleNamespace as NS
        >>> theta = np.array([[1.0, 0.0], [0.0, 1.0]])
        >>> c = NS(a=NS(theta=theta), b=NS(theta=theta + [2.0, -1.0]))  # a row shift
        >>> probability_gaps(c, np.eye(2)).max() < 1e-15
        np.True_
    """
    return np.abs(numeric.softmax(X @ c.a.theta.T) - numeric.softmax(X @ c.b.theta.T)).max(axis=1)


def overparameterization(
    result: OverparameterizationResult | None = None, *, lang: str = "en"
) -> Figure:
    r"""The figure of the over-parameterization demonstration
    (:mod:`symsoftmax.regression.experiment`).

    Left: the entries of :math:`\Theta_a` and :math:`\Theta_b` as bars side by side, and
    :math:`\Theta_b + \mathbf{1}\psi^T` as white diamonds over the bars of
    :math:`\Theta_a` (:math:`\psi` the mean row of :math:`\Theta_a - \Theta_b`, written
    under the bars with the largest entry of
    :math:`|\Theta_a - \Theta_b - \mathbf{1}\psi^T|`); one legend above. Right: the
    largest probability difference at each sample :math:`x_s`, on a log scale. Top without
    decay, bottom with decay.

    Args:
        result: what :func:`symsoftmax.regression.experiment.overparameterization`
            returned (by default, its run with the default arguments).
        lang: the language of its words, ``"en"`` or ``"zh"``.

    Returns:
        A Figure with four Axes (entries and probabilities, without and with decay). The
        diamonds have the gid ``"shifted"``, the samples' differences ``"gaps"``.

    Raises:
        ImportError: matplotlib is not installed.
    """
    require_matplotlib()  # before the experiment, which takes a while
    result = run_overparameterization() if result is None else result
    return in_language(lang, _draw, result=result)


def _numbers(v: np.ndarray) -> str:
    return ", ".join(f"{x:.3g}" for x in v)


def _draw(words: Mapping[str, str], *, result: OverparameterizationResult) -> Figure:
    fig = new_figure(figsize=(12, 7.6))
    axes = fig.subplots(2, 2, gridspec_kw={"width_ratios": [3, 2]})
    K, n = result.plain.a.theta.shape
    labels = [f"$\\theta_{{{k + 1}{p + 1}}}$" for k in range(K) for p in range(n)]
    where = np.arange(K * n)
    floor = np.finfo(np.float64).tiny
    for (left, right), c in zip(axes, (result.plain, result.decayed), strict=True):
        setting = (
            words["overparam_plain"]
            if c.decay == 0
            else words["overparam_decay"].format(decay=f"{c.decay:g}")
        )
        bars_a = left.bar(where - 0.2, c.a.theta.ravel(), width=0.4, color="C0")
        bars_b = left.bar(where + 0.2, c.b.theta.ravel(), width=0.4, color="C1")
        (shifted,) = left.plot(
            where - 0.2,
            (c.b.theta + c.psi).ravel(),
            "D",
            markerfacecolor="white",
            markeredgecolor="black",
            markersize=8,
            gid="shifted",
        )
        left.axhline(0, color="black", linewidth=0.5)
        left.set_xticks(where, labels)
        left.set_title(words["overparam_entries"].format(setting=setting), fontsize="medium")
        left.set_xlabel(
            r"$\psi = \frac{1}{K}\sum_k\, (\theta_{a,k} - \theta_{b,k})$ = ("
            + _numbers(c.psi)
            + "),   "
            + r"$\max\, |\Theta_a - \Theta_b - \mathbf{1}\psi^T|$ = "
            + f"{c.spread:.1e}",
            fontsize="small",
        )

        gaps = probability_gaps(c, result.X)
        samples = np.arange(1, gaps.size + 1)
        right.semilogy(samples, np.maximum(gaps, floor), ".", markersize=4, gid="gaps")
        right.axhline(gaps.max(), color="gray", linestyle="--", linewidth=0.8)
        right.annotate(
            f"max = {gaps.max():.1e}",
            (samples[-1], gaps.max()),
            xytext=(0, 4),
            textcoords="offset points",
            ha="right",
            fontsize="small",
            color="dimgray",
        )
        right.set_ylim(1e-18, 1)
        right.set_xlabel(words["overparam_samples"])
        right.set_ylabel(r"$\max_k\, |h_a(x_s)_k - h_b(x_s)_k|$")
        right.set_title(words["overparam_probs"].format(setting=setting), fontsize="medium")
    fig.legend(
        [bars_a, bars_b, shifted],
        [r"$\Theta_a$", r"$\Theta_b$", r"$\Theta_b + \mathbf{1}\psi^T$"],
        title=words["overparam_starts"],
        loc="outside upper center",
        ncols=3,
        fontsize="small",
    )
    return fig


def plot(result: OverparameterizationResult, path: str | PathLike[str]) -> None:
    """Save :func:`overparameterization` of ``result`` to ``path`` (the format from the
    extension).

    The same matplotlib writes the same PNG bytes: a PNG carries no "Software" entry.

    Raises:
        ImportError: matplotlib is not installed.
    """
    png = str(path).lower().endswith(".png")
    overparameterization(result).savefig(path, metadata={"Software": None} if png else None)
