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

import re
from typing import Protocol

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..symbolic import LogSumExp, Sigmoid, Softmax
from .languages import resources


class Step(Protocol):
    """What a printer reads of a step (:class:`symsoftmax.Step`)."""

    expr: sp.Basic
    reason: str
    case: sp.Basic | None


class Derivation(Protocol):
    """What a printer reads of a derivation (:class:`symsoftmax.Derivation`), already in
    the language to print."""

    @property
    def title(self) -> str: ...

    @property
    def lang(self) -> str: ...

    @property
    def steps(self) -> tuple[Step, ...]: ...


__all__ = [
    "expr_latex",
    "justification",
    "latex",
    "markdown",
    "notebook",
    "relation_latex",
    "text",
]

_OPS = {
    sp.Eq: "=",
    sp.StrictLessThan: "<",
    sp.LessThan: r"\leq",
    sp.StrictGreaterThan: ">",
    sp.GreaterThan: r"\geq",
}

#: A4, 18 cm of text across: wide enough for rows such as the K = 3 Hessian of log-sum-exp
#: as a matrix (tests/test_latex_compile.py fails a document with a row any wider).
_PACKAGES = (
    "\\usepackage[a4paper,hmargin=1.5cm,vmargin=2.5cm]{geometry}\n"
    "\\usepackage{amsmath,amssymb,graphicx}\n"
    # \fitted{formula}: the formula in display style, scaled down to the line if wider
    "\\newsavebox{\\fittedbox}\n"
    "\\newcommand{\\fitted}[1]{\\savebox{\\fittedbox}{$\\displaystyle #1$}%\n"
    "\\ifdim\\wd\\fittedbox>\\dimexpr\\linewidth-2em\\relax"
    "\\resizebox{\\dimexpr\\linewidth-2em\\relax}{!}{\\usebox{\\fittedbox}}%\n"
    "\\else\\usebox{\\fittedbox}\\fi}\n"
)


class _Printer(LatexPrinter):
    """SymPy's LaTeX printer, with a derivative's reach always visible.

    SymPy prints ``Derivative(f, x) * g`` and ``Derivative(f * g, x)`` alike, as
    ``\\frac{d}{d x} f g``; here the first is ``\\left(\\frac{d}{d x} f\\right) g`` and the
    second ``\\frac{d}{d x} \\left(f g\\right)``. Softmax, LSE and sigmoid print as closed
    units (``\\sigma(\\mathbf{z})_{i}``), so a product needs no brackets around them.
    """

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        tex = super()._print_Derivative(expr)
        operand = self._print(expr.expr)
        if isinstance(expr.expr, sp.Mul) and tex.endswith(" " + operand):
            tex = tex[: -len(operand)] + rf"\left({operand}\right)"
        return tex

    def _needs_mul_brackets(self, expr: sp.Expr, first: bool = False, last: bool = False) -> bool:
        if isinstance(expr, (sp.Derivative, sp.Subs)):
            return not last
        if isinstance(expr, (Softmax, LogSumExp, Sigmoid)):
            return False
        return super()._needs_mul_brackets(expr, first=first, last=last)


def expr_latex(expr: sp.Basic) -> str:
    r"""The LaTeX of an expression or relation, as every printer of derivations prints it.

    Example:
        >>> z, k, K = sp.IndexedBase("z"), sp.Symbol("k"), sp.Symbol("K")
        >>> f, g = sp.exp(z[1]), sp.Sum(sp.exp(z[k]), (k, 1, K))
        >>> print(expr_latex(sp.Derivative(f, z[2]) * g))
        \left(\frac{\partial}{\partial {z}_{2}} e^{{z}_{1}}\right) \sum_{k=1}^{K} e^{{z}_{k}}
        >>> print(expr_latex(sp.Derivative(f * g, z[2])))
        \frac{\partial}{\partial {z}_{2}} \left(e^{{z}_{1}} \sum_{k=1}^{K} e^{{z}_{k}}\right)
    """
    return _Printer({"mat_delim": "("}).doprint(expr)


def relation_latex(expr: sp.Basic, *, chained: bool = False) -> str:
    """``lhs &op rhs`` for alignment (``&op rhs`` when ``chained``), else ``&expr``."""
    if isinstance(expr, sp.Contains):
        return rf"{expr_latex(expr.args[0])} &\in {expr_latex(expr.args[1])}"
    op = _OPS.get(type(expr))
    if op is None:
        return "&" + expr_latex(expr)
    lhs = "" if chained else expr_latex(expr.lhs) + " "
    return f"{lhs}&{op} {expr_latex(expr.rhs)}"


def _chains(prev: Step | None, step: Step) -> bool:
    return (
        prev is not None
        and type(step.expr) in _OPS
        and type(prev.expr) in _OPS
        and step.expr.lhs == prev.expr.lhs
    )


def _blocks(derivation: Derivation) -> list[list[tuple[int, Step, bool]]]:
    """The steps in chains: (number, step, whether it continues the chain above)."""
    blocks: list[list[tuple[int, Step, bool]]] = []
    prev = None
    for number, step in enumerate(derivation.steps, start=1):
        chained = _chains(prev, step)
        if not chained:
            blocks.append([])
        blocks[-1].append((number, step, chained))
        prev = step
    return blocks


_MATRIX = re.compile(r"\\begin\{matrix\}((?:(?!\\begin\{matrix\}).)*?)\\end\{matrix\}")

#: Printed glyphs that fit across the 18 cm of text (10 pt math is about 5 pt a glyph).
_LINE = 100


def _glyphs(tex: str) -> int:
    """About how many glyphs across ``tex`` prints: a generous count (both parts of a
    fraction, sub- and superscripts at full size; a matrix as its widest row), so that a
    formula is split before it overflows."""
    while (matrix := _MATRIX.search(tex)) is not None:
        widest = max(_glyphs(row) for row in matrix.group(1).split("\\\\"))
        tex = tex[: matrix.start()] + "x" * widest + tex[matrix.end() :]
    tex = re.sub(r"\\(left|right|frac|operatorname|mathbf|substack|limits)\b", "", tex)
    tex = re.sub(r"\\[a-zA-Z]+", "x", tex)  # a command such as \sigma prints one glyph
    return len(re.sub(r"[\s{}^_&]", "", tex))


def _rows(block: list[tuple[int, Step, bool]], *, fit: bool = False) -> list[str]:
    """The formulas of a chain, aligned at the relation. A chain with a row too wide for
    the page puts its left side on a line of its own and each relation below it; with
    ``fit`` (a standalone document, which defines ``\\fitted``) a side still wider than
    the line is scaled down to it."""
    rows = [relation_latex(step.expr, chained=chained) for _, step, chained in block]
    if max(map(_glyphs, rows)) <= _LINE:
        return rows
    wide = []
    for (_, step, chained), row in zip(block, rows, strict=True):
        op = _OPS.get(type(step.expr))
        if op is None:
            wide.append(row)
            continue
        lhs, rhs = (expr_latex(side) for side in (step.expr.lhs, step.expr.rhs))
        if fit:
            lhs, rhs = rf"\fitted{{{lhs}}}", rf"\fitted{{{rhs}}}"
        wide.append(("" if chained else f"&{lhs} \\\\\n") + f"&\\quad {op} {rhs}")
    return wide


def justification(step: Step, lang: str) -> str:
    """The reason of a step, with its case if it has one: text with ``$...$`` inline math.

    Example:
        >>> import symsoftmax as ss
        >>> justification(ss.derive("jacobian", lang="zh").step("same_numerator"), "zh")[-12:]
        '（情形 $i = j$）'
    """
    if step.case is None:
        return step.reason
    return step.reason + resources(lang).case_note.format(expr_latex(step.case))


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
                rf"\intertext{{\textbf{{{number}.}} {justification(step, lang)}}}" + "\n" + formula
                for (number, step, _), formula in zip(
                    block, _rows(block, fit=standalone), strict=True
                )
            ],
        )
        for block in _blocks(derivation)
    )
    if not standalone:
        return body
    return (
        f"\\documentclass{{{resources(lang).document_class}}}\n"
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
                rf"{relation_latex(step.expr, chained=chained)} && "
                rf"\textstyle\text{{{number}. {justification(step, lang)}}}"
                for number, step, chained in block
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
        reason = justification(step, lang)
        parts += [f"**{number}.** {reason}", "", "$$", expr_latex(step.expr), "$$", ""]
    return "\n".join(parts)


def text(derivation: Derivation) -> str:
    """The derivation as plain text, each step pretty-printed under its reason."""
    lang = derivation.lang.value
    parts = [derivation.title, "=" * len(derivation.title), ""]
    for number, step in enumerate(derivation.steps, start=1):
        case = f" [{resources(lang).case} {sp.sstr(step.case)}]" if step.case is not None else ""
        reason = step.reason.replace("$", "")
        parts += [f"{number}. {reason}{case}", sp.pretty(step.expr, use_unicode=True), ""]
    return "\n".join(parts)
