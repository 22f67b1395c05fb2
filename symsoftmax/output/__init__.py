"""The output layer: derivations printed (LaTeX, Markdown, text), typeset, documented, drawn.

:mod:`.printing` prints a derivation, :mod:`.typeset` compiles its LaTeX, :mod:`.docsite`
writes the Markdown documentation, :mod:`.plots` draws the figures. Nothing here adds math.
"""

from __future__ import annotations

from .printing import expr_latex, latex, markdown, notebook, text

__all__ = ["expr_latex", "latex", "markdown", "notebook", "text"]
