"""Derivations printed as LaTeX, Markdown and plain text. Printers never simplify.

On paper (:func:`latex`) each step is a numbered line of text, its reason, above its
formula; consecutive steps about the same left side print as one chain, an ``align*``
block aligned at the relation::

    \\begin{align*}
    \\intertext{\\textbf{1.} definition ...}
    \\frac{\\partial}{\\partial z_j} \\sigma_i &= ... \\\\
    \\intertext{\\textbf{2.} quotient rule}
    &= ...
    \\end{align*}

so a row is only as wide as its chain's formulas. In a notebook (:func:`notebook`, for
MathJax, which has no ``\\intertext``) each chain is an ``aligned`` block, the reasons in
a column right of the formulas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy as sp

if TYPE_CHECKING:
    from .derivation import Derivation, Step

__all__ = ["latex", "markdown", "notebook", "relation_latex", "text"]

_OPS = {
    sp.Eq: "=",
    sp.StrictLessThan: "<",
    sp.LessThan: r"\leq",
    sp.StrictGreaterThan: ">",
    sp.GreaterThan: r"\geq",
}

#: The document class of a standalone document: pdflatex in English, xelatex in Chinese.
_DOCUMENT_CLASS = {"en": "article", "zh": "ctexart"}

#: A4, 18 cm of text across: wide enough for rows such as the K = 3 Hessian of log-sum-exp
#: as a matrix (tests/test_latex_compile.py fails a document with a row any wider).
_PACKAGES = (
    "\\usepackage[a4paper,hmargin=1.5cm,vmargin=2.5cm]{geometry}\n\\usepackage{amsmath,amssymb}\n"
)

_CASE = {"en": "case", "zh": "情形"}

#: The case of a step, after its reason: the case as inline math.
_CASE_NOTE = {"en": " (case ${}$)", "zh": "（情形 ${}$）"}


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


def _blocks(derivation: Derivation) -> list[list[tuple[int, Step, str]]]:
    """The steps in chains: (number, step, its formula aligned at the relation)."""
    blocks: list[list[tuple[int, Step, str]]] = []
    prev = None
    for number, step in enumerate(derivation.steps, start=1):
        chained = _chains(prev, step)
        if not chained:
            blocks.append([])
        blocks[-1].append((number, step, relation_latex(step.expr, chained=chained)))
        prev = step
    return blocks


def _words(step: Step, lang: str) -> str:
    """The reason of a step, with its case if it has one: text with inline math."""
    if step.case is None:
        return step.reason
    return step.reason + _CASE_NOTE[lang].format(sp.latex(step.case))


def _environment(name: str, rows: list[str]) -> str:
    return f"\\begin{{{name}}}\n" + " \\\\\n".join(rows) + f"\n\\end{{{name}}}"


def latex(derivation: Derivation, *, standalone: bool = False) -> str:
    """The derivation as LaTeX body text, or a complete document if ``standalone``.

    Each chain of steps is an ``align*`` block, each step two lines in it: its reason,
    numbered, as ``\\intertext`` (a line of text above the formula), then its formula.
    The body needs amsmath; the document compiles with pdflatex in English (``article``),
    with xelatex in Chinese (``ctexart``).
    """
    lang = derivation.lang.value
    body = "\n".join(
        _environment(
            "align*",
            [
                rf"\intertext{{\textbf{{{number}.}} {_words(step, lang)}}}" + "\n" + formula
                for number, step, formula in block
            ],
        )
        for block in _blocks(derivation)
    )
    if not standalone:
        return body
    return (
        f"\\documentclass{{{_DOCUMENT_CLASS[lang]}}}\n"
        + _PACKAGES
        + "\\begin{document}\n"
        + f"\\section*{{{derivation.title}}}\n"
        + body
        + "\n\\end{document}\n"
    )


def notebook(derivation: Derivation) -> str:
    """The derivation for a notebook's MathJax: ``$$\\textbf{title}$$``, then each chain.

    A chain is one ``$$\\begin{aligned} ... \\end{aligned}$$`` block, one row per step:
    ``formula && \\textstyle\\text{N. reason}``. MathJax has no ``\\intertext``; it
    typesets the ``$...$`` of a reason inside ``\\text``, in display style unless told
    ``\\textstyle``. Small blocks keep long derivations within the input MathJax reads at
    once (about 5000 characters past a macro such as ``\\substack``).
    """
    lang = derivation.lang.value
    blocks = [
        _environment(
            "aligned",
            [
                rf"{formula} && \textstyle\text{{{number}. {_words(step, lang)}}}"
                for number, step, formula in block
            ],
        )
        for block in _blocks(derivation)
    ]
    return "\n".join(f"$${block}$$" for block in [rf"\textbf{{{derivation.title}}}", *blocks])


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
