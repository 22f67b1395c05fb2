"""Every figure by name, for the command line and the documentation.

The figures of softmax itself come from :mod:`symsoftmax.output.plots`; the figure of the
over-parameterization demonstration from :mod:`symsoftmax.regression.figure`. A figure of
the same name as a derivation is shown on that derivation's documentation page.

Example:
    >>> NAMES
    ('sigmoid', 'temperature', 'jacobian', 'overparameterization')
"""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    """The figure ``name`` (one of :data:`NAMES`), drawn with the keyword ``options``.

    Raises:
        ValueError: ``name`` is not one of :data:`NAMES`.
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
    """For :func:`symsoftmax.output.docsite.write`: each figure's name and what draws it."""
    return {name: (lambda path, name=name: save(name, path)) for name in NAMES}
