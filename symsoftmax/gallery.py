"""Every figure by name, in each language, for the command line and the documentation.

The figures of softmax itself come from :mod:`symsoftmax.output.plots`; the figure of the
over-parameterization demonstration from :mod:`symsoftmax.regression.figure`. Each draws
its words in English or Chinese (``lang="en"`` or ``"zh"``).

Example:
    >>> NAMES[:4]
    ('sigmoid', 'temperature', 'jacobian', 'simplex')
    >>> NAMES[4:]
    ('smooth_max', 'saturation', 'distillation', 'overparameterization')
    >>> sorted(drawers())[:2]
    ['distillation-en', 'distillation-zh']
"""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engine import Lang
from .output import plots
from .regression import figure as regression_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["NAMES", "drawers", "figure", "save"]

_FIGURES: dict[str, Callable[..., Figure]] = {
    **{name: (lambda name=name, **options: plots.figure(name, **options)) for name in plots.NAMES},
    "overparameterization": regression_figure.overparameterization,
}

#: The figures by name.
NAMES: tuple[str, ...] = tuple(_FIGURES)


def figure(name: str, **options: Any) -> Figure:
    """The figure ``name`` (one of :data:`NAMES`), drawn with the keyword ``options``
    (``lang`` among them).

    Raises:
        ValueError: ``name`` is not one of :data:`NAMES`, or an unknown ``lang``.
    """
    return plots.draw_by_name(_FIGURES, name, **options)


def save(name: str, path: str | PathLike[str], **options: Any) -> None:
    """Write the figure ``name`` to ``path`` as a PNG file (see :func:`plots.write_png`).

    Raises:
        ValueError: unknown ``name``, or ``path`` does not end in ``.png``.
        OSError: ``path`` cannot be written.
    """
    plots.write_png(figure(name, **options), plots.png_path(path))


def drawers() -> dict[str, Callable[[Path], None]]:
    """For :func:`symsoftmax.output.docsite.write`: what draws each figure in each
    language, by ``NAME-LANG`` (the file ``figures/NAME-LANG.png``)."""
    return {
        f"{name}-{lang.value}": (lambda path, name=name, lang=lang: save(name, path, lang=lang))
        for name in NAMES
        for lang in Lang
    }
