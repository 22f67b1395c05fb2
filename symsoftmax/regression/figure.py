"""The figure of the over-parameterization demonstration (:mod:`symsoftmax.regression`)."""

from __future__ import annotations

from os import PathLike
from typing import TYPE_CHECKING

import numpy as np

from .. import numeric
from ..output.plots import new_figure
from .experiment import OverparameterizationResult
from .experiment import overparameterization as run_overparameterization

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["overparameterization", "plot"]


def overparameterization(result: OverparameterizationResult | None = None) -> Figure:
    """The figure of the over-parameterization demonstration
    (:mod:`symsoftmax.regression.experiment`).

    Left: the entries of Theta_a and Theta_b side by side, and Theta_b + 1 psi^T (psi the
    mean row of Theta_a - Theta_b) as black marks; right: the largest probability
    difference at each data point, on a log scale; top without decay, bottom with decay.

    Args:
        result: what :func:`symsoftmax.regression.experiment.overparameterization`
            returned (by default, its run with the default arguments).

    Raises:
        ImportError: matplotlib is not installed.
    """
    fig = new_figure(figsize=(12, 7))
    result = run_overparameterization() if result is None else result
    axes = fig.subplots(2, 2, gridspec_kw={"width_ratios": [3, 2]})
    K, n = result.plain.a.theta.shape
    labels = [f"$\\theta_{{{k + 1}{p + 1}}}$" for k in range(K) for p in range(n)]
    where = np.arange(K * n)
    for (left, right), c in zip(axes, (result.plain, result.decayed), strict=True):
        title = "no decay" if c.decay == 0 else f"decay $\\lambda = {c.decay:g}$"
        left.bar(where - 0.2, c.a.theta.ravel(), width=0.4, label="fit a (start 0)")
        left.bar(where + 0.2, c.b.theta.ravel(), width=0.4, label="fit b (shifted start)")
        left.plot(
            where - 0.2,
            (c.b.theta + c.psi).ravel(),
            "k_",
            markersize=14,
            label=r"fit b + $1\psi^T$",
        )
        left.axhline(0, color="black", linewidth=0.5)
        left.set_xticks(where, labels)
        left.set_title(
            f"{title}: entries of $\\Theta$; row shift $|\\psi|$ = {np.linalg.norm(c.psi):.3g}"
        )
        left.legend(fontsize="small")
        diff = np.abs(
            numeric.softmax(result.X @ c.a.theta.T) - numeric.softmax(result.X @ c.b.theta.T)
        ).max(axis=1)
        floor = np.finfo(np.float64).tiny
        right.semilogy(np.maximum(diff, floor), ".", markersize=4)
        right.set_ylim(1e-18, 1)
        right.set_xlabel("data point i")
        right.set_ylabel("$\\max_k |h_a(x_i)_k - h_b(x_i)_k|$")
        right.set_title(f"{title}: $|h_a - h_b| \\leq$ {c.prob_diff:.1e}")
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
