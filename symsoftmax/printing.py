"""Derivations printed as LaTeX, Markdown and plain text. Printers never simplify.

Consecutive steps about the same left side print as one chain, as on paper::

    \\frac{\\partial}{\\partial z_j} \\sigma_i &= ... && \\text{quotient rule} \\\\
                                          &= ... && \\text{...}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy as sp

if TYPE_CHECKING:
    from .derivation import Derivation, Step

__all__ = ["latex", "markdown", "relation_latex", "text"]

_OPS = {
    sp.Eq: "=",
    sp.StrictLessThan: "<",
    sp.LessThan: r"\leq",
    sp.StrictGreaterThan: ">",
    sp.GreaterThan: r"\geq",
}

_PREAMBLE = {
    "en": "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n",
    "zh": "\\documentclass{ctexart}\n\\usepackage{amsmath,amssymb}\n",
}

_CASE = {"en": "case", "zh": "情形"}


def _side(expr: sp.Basic) -> str:
    return sp.latex(expr, mat_delim="(")


def relation_latex(expr: sp.Basic, *, chained: bool = False) -> str:
    """``lhs &op rhs`` for alignment (``&op rhs`` when ``chained``), else ``&expr``."""
    if isinstance(expr, sp.Contains):
        return rf"{_side(expr.args[0])} &\in {_side(expr.args[1])}"
    op = _OPS.get(type(expr))
    if op is None:
        return "&" + _side(expr)
    lhs = "" if chained else _side(expr.lhs) + " "
    return f"{lhs}&{op} {_side(expr.rhs)}"


def _chains(prev: Step | None, step: Step) -> bool:
    return (
        prev is not None
        and type(step.expr) in _OPS
        and type(prev.expr) in _OPS
        and step.expr.lhs == prev.expr.lhs
    )


def _reason(step: Step, lang: str) -> str:
    words = rf"\text{{{step.reason}}}"
    if step.case is not None:
        words += rf"\quad (\text{{{_CASE[lang]}}}\ {sp.latex(step.case)})"
    return words


def latex(derivation: Derivation, *, standalone: bool = False) -> str:
    """The derivation as an ``align*`` block, or a complete document if ``standalone``."""
    lang = derivation.lang.value
    lines = []
    prev = None
    for step in derivation.steps:
        lines.append(
            f"{relation_latex(step.expr, chained=_chains(prev, step))} && {_reason(step, lang)}"
        )
        prev = step
    body = "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"
    if not standalone:
        return body
    return (
        _PREAMBLE[lang]
        + "\\begin{document}\n"
        + f"\\section*{{{derivation.title}}}\n"
        + body
        + "\n\\end{document}\n"
    )


def markdown(derivation: Derivation) -> str:
    """The derivation as Markdown: a title, then each step's reason and a ``$$`` block."""
    lang = derivation.lang.value
    parts = [f"## {derivation.title}", ""]
    for number, step in enumerate(derivation.steps, start=1):
        case = f" ({_CASE[lang]} ${sp.latex(step.case)}$)" if step.case is not None else ""
        parts += [f"**{number}.** {step.reason}{case}", "", "$$", sp.latex(step.expr), "$$", ""]
    return "\n".join(parts)


def text(derivation: Derivation) -> str:
    """The derivation as plain text, each step pretty-printed under its reason."""
    lang = derivation.lang.value
    parts = [derivation.title, "=" * len(derivation.title), ""]
    for number, step in enumerate(derivation.steps, start=1):
        case = f" [{_CASE[lang]} {sp.sstr(step.case)}]" if step.case is not None else ""
        reason = step.reason.replace("$", "")
        parts += [f"{number}. {reason}{case}", sp.pretty(step.expr, use_unicode=True), ""]
    return "\n".join(parts)
