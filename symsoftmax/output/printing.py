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

import itertools
import re
from dataclasses import dataclass
from typing import Protocol

import sympy as sp
from sympy.matrices import MatrixBase
from sympy.matrices.expressions import MatrixExpr
from sympy.printing.latex import LatexPrinter
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm

from ..symbolic import LogSumExp, Sigmoid, Softmax
from .languages import resources
from .plaintext import display_width, unicode_text


class Step(Protocol):
    """What a printer reads of a step (:class:`symsoftmax.Step`)."""

    expr: sp.Basic
    reason: str
    case: sp.Basic | None
    special: str | None
    names: tuple[tuple[sp.Basic, sp.Symbol], ...]


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
    """SymPy's LaTeX printer, reading as the derivation is written.

    - Terms and factors print in the order the derivation wrote them (``order="none"``;
      a builder writes with ``sympy.evaluate(False)`` where the order matters), and a sum
      of sums prints as one sum (``a - b - c``, not ``((a - b) - c)``).
    - A derivative's reach is always visible: ``Derivative(f, x) * g`` prints as
      ``\\left(\\frac{d}{d x} f\\right) g`` and ``Derivative(f * g, x)`` as
      ``\\frac{d}{d x} \\left(f g\\right)`` (SymPy prints both ``\\frac{d}{d x} f g``).
    - Softmax, LSE and sigmoid, fractions and powers of a bracketed base are closed units:
      no brackets around them in a product; two fractions side by side are joined by
      ``\\cdot``, and so is a factor 0 (``0 \\cdot \\Sigma_K``, a term the note keeps).
    - A sum over all classes but one, ``Sum((1 - delta_{ik}) f(k), (k, 1, K))``, prints as
      ``\\sum_{k \\neq i} f(k)``.
    """

    def __init__(self, settings: dict | None = None) -> None:
        super().__init__({"mat_delim": "(", "order": "none", **(settings or {})})

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        tex = super()._print_Derivative(expr)
        if any(isinstance(v, sp.Indexed) for v in expr.variables):
            # by one logit of many: partial, also of a name such as Sigma_K (one symbol)
            tex = re.sub(r"\\frac\{d(\^\{\d+\})?\}\{", r"\\frac{\\partial\1}{", tex, count=1)
            tex = re.sub(r"(?<=[{} ])d (?=\{)", r"\\partial ", tex)
        operand = self._print(expr.expr)
        if isinstance(expr.expr, sp.Mul) and tex.endswith(" " + operand):
            tex = tex[: -len(operand)] + rf"\left({operand}\right)"
        return tex

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        tex = ""
        for n, term in enumerate(_terms(expr)):
            if n and term.could_extract_minus_sign():
                tex += " - "
                term = _negated(term)
            elif n:
                tex += " + "
            term_tex = self._print(term)
            if self._needs_add_brackets(term):
                term_tex = rf"\left({term_tex}\right)"
            tex += term_tex
        return tex

    def _print_Mul(self, expr: sp.Mul) -> str:
        if not isinstance(expr, sp.Mul):
            return super()._print_Mul(expr)  # SymPy prints 1/x through here
        expr = _without_ones(expr)
        if not isinstance(expr, sp.Mul):
            return self._print(expr)
        factors = expr.args
        if factors[0] is sp.S.Zero and len(factors) > 1:
            return r"0 \cdot " + self._print(sp.Mul(*factors[1:], evaluate=False))
        if not any(isinstance(f, sp.Mul) and _is_fraction(f) for f in factors):
            return super()._print_Mul(expr)  # SymPy's a b / c as one \\frac
        # a product of fractions as written: e^{z_i}/Sigma_K * (Sigma_K - e^{z_i})/Sigma_K
        tex, sign = "", ""
        if factors[0] is sp.S.NegativeOne:
            sign, factors = "- ", factors[1:]
        for n, factor in enumerate(factors):
            factor_tex = self._print(factor)
            if self._needs_mul_brackets(factor, first=n == 0, last=n == len(factors) - 1):
                factor_tex = rf"\left({factor_tex}\right)"
            if n:
                joint = _is_fraction(factor) or _is_fraction(factors[n - 1])
                tex += r" \cdot " if joint else " "
            tex += factor_tex
        return sign + tex

    def _needs_mul_brackets(self, expr: sp.Expr, first: bool = False, last: bool = False) -> bool:
        if isinstance(expr, (sp.Derivative, sp.Subs)):
            return not last
        if isinstance(expr, (Softmax, LogSumExp, Sigmoid)):
            return False
        if _is_fraction(expr) and not expr.could_extract_minus_sign():
            return False  # \frac{..}{..} is closed
        if isinstance(expr, sp.Pow) and isinstance(expr.base, (sp.Add, sp.Sum, sp.Mul)):
            return False  # \left(..\right)^{2} is closed
        return super()._needs_mul_brackets(expr, first=first, last=last)

    def _print_And(self, expr: sp.And) -> str:
        """Relations that hold together, in words: ``a < 1 \\quad\\text{and}\\quad b > 0``."""
        return r" \quad\text{and}\quad ".join(self._print(arg) for arg in expr.args)

    def _print_Sum(self, expr: sp.Sum) -> str:
        if len(expr.limits) == 1 and (rest := _all_but_one(expr)) is not None:
            summand, left_out = rest
            (k, _, _) = expr.limits[0]
            tex = rf"\sum_{{{self._print(k)} \neq {self._print(left_out)}}} "
            body = self._print(summand)
            return tex + (rf"\left({body}\right)" if isinstance(summand, sp.Add) else body)
        return super()._print_Sum(expr)


def _without_ones(expr: sp.Mul) -> sp.Expr:
    """A product without its factors 1 (a sum rebuilt with ``evaluate(False)`` multiplies
    its summand by the orientation 1 of its limits)."""
    factors = [f for f in expr.args if f is not sp.S.One]
    if len(factors) == len(expr.args):
        return expr
    if len(factors) <= 1:
        return factors[0] if factors else sp.S.One
    return sp.Mul(*factors, evaluate=False)


class _Pretty(PrettyPrinter):
    """SymPy's Unicode pretty printer, in the written order and without factors 1."""

    def __init__(self) -> None:
        super().__init__({"use_unicode": True, "order": "none", "wrap_line": False})

    def _print_Mul(self, product: sp.Mul) -> prettyForm:
        if not isinstance(product, sp.Mul):
            return super()._print_Mul(product)
        expr = _without_ones(product)
        return super()._print_Mul(expr) if isinstance(expr, sp.Mul) else self._print(expr)


def _terms(expr: sp.Add) -> list[sp.Expr]:
    """The terms of a sum as written, a sum inside a sum taken apart (a + b) + c = a + b + c."""
    out: list[sp.Expr] = []
    for term in expr.args:
        out.extend(_terms(term) if isinstance(term, sp.Add) else [term])
    return out


def _negated(term: sp.Expr) -> sp.Expr:
    """-term, keeping the order of its factors (SymPy's ``-term`` may sort them)."""
    if isinstance(term, sp.Mul) and term.args[0].is_Number:
        coefficient, *rest = term.args
        if coefficient == -1:
            return rest[0] if len(rest) == 1 else sp.Mul(*rest, evaluate=False)
        return sp.Mul(-coefficient, *rest, evaluate=False)
    return -term


def _is_fraction(expr: sp.Basic) -> bool:
    """Whether ``expr`` prints as ``\\frac{..}{..}``: a quotient that is not a number."""
    if isinstance(expr, sp.Pow):
        return expr.exp.is_negative is True and not expr.base.is_Number
    if isinstance(expr, sp.Mul):
        return any(
            isinstance(f, sp.Pow) and f.exp.is_negative is True for f in expr.args
        ) and not all(f.is_Number for f in expr.args)
    return False


def _factors(expr: sp.Expr) -> tuple[sp.Expr, ...]:
    """The factors of a product, a product inside it taken apart, without factors 1."""
    if not isinstance(expr, sp.Mul):
        return (expr,)
    return tuple(f for a in expr.args for f in _factors(a) if f is not sp.S.One)


def _all_but_one(expr: sp.Sum) -> tuple[sp.Expr, sp.Expr] | None:
    """(f(k), i) when ``expr`` is Sum((1 - delta_{ik}) f(k), (k, 1, K)), else None."""
    k, _, _ = expr.limits[0]
    factors = _factors(expr.function)
    for n, factor in enumerate(factors):
        terms = sp.Add.make_args(factor)
        if len(terms) != 2 or sp.S.One not in terms:
            continue
        (other,) = (t for t in terms if t is not sp.S.One)
        if isinstance(-other, sp.KroneckerDelta) and k in other.free_symbols:
            (left_out,) = [a for a in (-other).args if a != k] or [None]
            if left_out is None or k in left_out.free_symbols:
                continue
            rest = factors[:n] + factors[n + 1 :]
            return sp.Mul(*rest, evaluate=False) if len(rest) > 1 else rest[0], left_out
    return None


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
    return _Printer().doprint(_as_written(expr))


def relation_latex(expr: sp.Basic, *, chained: bool = False) -> str:
    """``lhs &op rhs`` for alignment (``&op rhs`` when ``chained``), else ``&expr``."""
    if isinstance(expr, sp.Contains):
        return rf"{expr_latex(expr.args[0])} &\in {expr_latex(expr.args[1])}"
    op = _OPS.get(type(expr))
    if op is None:
        return "&" + expr_latex(expr)
    lhs = "" if chained else expr_latex(expr.lhs) + " "
    return f"{lhs}&{op} {expr_latex(expr.rhs)}"


@dataclass(frozen=True)
class _Row:
    """A step as printed: its number, the step, its statement with the names known before
    it, and whether it continues the chain above (same left side: ``&= ...``)."""

    number: int
    step: Step
    expr: sp.Basic
    chained: bool


def _same_vector(u: sp.Basic, w: sp.Basic) -> bool:
    """Are the vectors of two softmax entries the same (one written unevaluated)?"""
    if u == w:
        return True
    if not (isinstance(u, sp.Lambda) and isinstance(w, sp.Lambda)):
        return False
    slot = sp.Dummy("k", integer=True)
    return sp.expand(u(slot) - w(slot)) == 0


def _entry_name(e: sp.Basic, quantity: sp.Basic, name: sp.Symbol) -> sp.Symbol | None:
    """``q_j`` for ``e`` = sigma(u)_j when ``q_k`` names sigma(u)_k: a name whose subscript
    is the quantity's index names every entry of the same vector (``q_j`` itself too)."""
    if not (isinstance(e, Softmax) and isinstance(quantity, Softmax)):
        return None
    (u, K, index), (w, L, at) = quantity.args, e.args
    stem, _, sub = name.name.rpartition("_")
    if not (stem and isinstance(index, sp.Symbol) and sub == index.name and K == L):
        return None
    if not (isinstance(at, sp.Symbol | sp.Integer) and _same_vector(u, w)):
        return None
    return sp.Symbol(f"{stem}_{at}", **name.assumptions0)


def _named(expr: sp.Basic, names: dict[sp.Basic, sp.Symbol]) -> sp.Basic:
    """``expr`` with every named quantity written as its name, the largest first (a named
    loss inside a derivative before the named probabilities in it); terms kept in order.

    Example:
        >>> x, y = sp.symbols("x y")
        >>> _named(sp.Derivative(sp.exp(x) + sp.exp(y), x), {sp.exp(x) + sp.exp(y): sp.Symbol("S")})
        Derivative(S, x)
    """

    def name_of(e: sp.Basic) -> sp.Symbol | None:
        for quantity, name in names.items():
            if e == quantity or (isinstance(e, sp.Sum) and e.dummy_eq(quantity)):
                return name
            if (entry := _entry_name(e, quantity, name)) is not None:
                return entry
        return None

    def named(e: sp.Basic) -> sp.Basic:
        if (name := name_of(e)) is not None:
            return name
        if isinstance(e, MatrixBase):
            return sp.ImmutableMatrix(e.rows, e.cols, [named(x) for x in e])
        if not e.args or isinstance(e, sp.Lambda):
            return e
        args = tuple(named(a) for a in e.args)
        if args == e.args:
            return e
        with sp.evaluate(False):
            return e.func(*args)

    return named(expr) if names else expr


def statements(derivation: Derivation) -> tuple[sp.Basic, ...]:
    """Each step's statement as it is printed: every quantity named by an earlier step
    (``names={...}`` of :class:`~symsoftmax.Line`) written as its name, terms in order.

    Example:
        >>> import symsoftmax as ss
        >>> d = ss.derive("jacobian")
        >>> printed = {step.label: expr for step, expr in zip(d.steps, statements(d))}
        >>> printed["definition"] == d.step("definition").expr  # nothing named before it
        True
        >>> print(expr_latex(printed["sum_derivative"].lhs))  # "definition" names Sigma_K
        \\frac{\\partial}{\\partial {z}_{j}} \\Sigma_{K}
    """
    names: dict[sp.Basic, sp.Symbol] = {}
    printed = []
    for step in derivation.steps:
        printed.append(_named(step.expr, names))
        names.update(step.names)
    return tuple(printed)


def _sections(derivation: Derivation) -> list[tuple[str | None, list[list[_Row]]]]:
    """The steps as printed: sections (the general case, then each special case under its
    name), each a list of chains of consecutive steps about one left side."""
    sections: list[tuple[str | None, list[list[_Row]]]] = []
    prev: Step | None = None
    rows = zip(derivation.steps, statements(derivation), strict=True)
    for number, (step, printed) in enumerate(rows, start=1):
        special = step.special
        if not sections or sections[-1][0] != special:
            sections.append((special, []))
            prev = None
        chained = (
            prev is not None
            and type(step.expr) in _OPS
            and type(prev.expr) in _OPS
            and step.expr.lhs == prev.expr.lhs
        )
        chains = sections[-1][1]
        if not chained:
            chains.append([])
        chains[-1].append(_Row(number, step, printed, chained))
        prev = step
    return sections


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
    tex = re.sub(r"\\(left|right|frac|operatorname|mathbf|substack|limits|text)\b", "", tex)
    tex = re.sub(r"\\[a-zA-Z]+", "x", tex)  # a command such as \sigma prints one glyph
    return len(re.sub(r"[\s{}^_&]", "", tex))


def _formulas(chain: list[_Row], *, fit: bool = False) -> list[str]:
    """The formulas of a chain, aligned at the relation. A chain with a row too wide for
    the page puts its left side on a line of its own and each relation below it; with
    ``fit`` (a standalone document, which defines ``\\fitted``) a side still wider than
    the line is scaled down to it."""
    rows = [relation_latex(row.expr, chained=row.chained) for row in chain]
    if max(map(_glyphs, rows)) <= _LINE:
        return rows
    wide = []
    for row, formula in zip(chain, rows, strict=True):
        op = _OPS.get(type(row.expr))
        if op is None:
            wide.append(formula)
            continue
        lhs, rhs = (expr_latex(side) for side in (row.expr.lhs, row.expr.rhs))
        if fit:
            lhs, rhs = rf"\fitted{{{lhs}}}", rf"\fitted{{{rhs}}}"
        wide.append(("" if row.chained else f"&{lhs} \\\\\n") + f"&\\quad {op} {rhs}")
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
    numbered, as ``\\intertext`` (a line of text above the formula), then its formula. A
    special case (``K = 2`` inside a derivation for any K) is headed by its name. The
    body needs amsmath; the document compiles with pdflatex in English (``article``), with
    xelatex in Chinese (``ctexart``).
    """
    lang = derivation.lang.value
    parts = []
    for special, chains in _sections(derivation):
        if special is not None:
            parts.append(rf"\paragraph{{{resources(lang).special_case.format(special)}}}")
        for chain in chains:
            formulas = _formulas(chain, fit=standalone)
            rows = [
                rf"\intertext{{\textbf{{{row.number}.}} {justification(row.step, lang)}}}"
                + "\n"
                + formula
                for row, formula in zip(chain, formulas, strict=True)
            ]
            parts.append(_environment("align*", rows))
    body = "\n".join(parts)
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


#: Glyphs of a reason's line inside a display (MathJax does not wrap ``\text``).
_REASON_LINE = 90


def _pieces(words: str) -> list[tuple[str, bool]]:
    """Words with ``$...$`` math as (piece, is_math) pairs: each formula whole, the words
    cut after each space and each Chinese punctuation mark (where a line may break)."""
    pieces: list[tuple[str, bool]] = []
    for n, part in enumerate(re.split(r"(?<!\\)\$", words)):
        if n % 2:
            pieces.append((part, True))
        else:
            pieces += [(word, False) for word in re.split(r"(?<=[ ，。；：、）])", part) if word]
    return pieces


def _math_row(pieces: list[tuple[str, bool]]) -> str:
    r"""Pieces as one row of a display: words in ``\text{...}``, formulas as math in text
    style (MathJax reads no ``$`` inside ``\text``)."""
    out = []
    for is_math, group in itertools.groupby(pieces, key=lambda piece: piece[1]):
        joined = "".join(piece for piece, _ in group)
        out += [rf"{{\textstyle {joined}}}" if is_math else rf"\text{{{joined}}}"]
    return "".join(out)


def _reason_rows(number: int, reason: str) -> list[str]:
    """A numbered reason as rows of a display, broken into lines of about
    :data:`_REASON_LINE` columns (MathJax does not wrap; a Chinese character is two
    columns), never inside a formula."""
    lines: list[list[tuple[str, bool]]] = [[]]
    width = 0
    for piece, is_math in _pieces(reason):
        size = _glyphs(piece) if is_math else display_width(piece)  # a CJK glyph: 2
        if width + size > _REASON_LINE and width:
            lines.append([])
            width = 0
        lines[-1].append((piece, is_math))
        width += size
    return [
        "&" + (rf"\textbf{{{number}.}} " if n == 0 else r"\quad ") + _math_row(line)
        for n, line in enumerate(lines)
    ]


def _display(chain: list[_Row], lang: str) -> str:
    """A chain as one ``aligned`` display: each reason above its formula, ``=`` aligned."""
    rows: list[str] = []
    for row in chain:
        rows += _reason_rows(row.number, justification(row.step, lang))
        rows.append(relation_latex(row.expr, chained=row.chained))
    return "$$\n" + _environment("aligned", rows) + "\n$$"


def notebook(derivation: Derivation) -> str:
    """The derivation for a notebook's MathJax: ``$$\\textbf{title}$$``, then each chain
    as a display (:func:`markdown`'s), a special case headed by its name.

    Small blocks keep long derivations within the input MathJax reads at once (about 5000
    characters past a macro such as ``\\substack``).
    """
    lang = derivation.lang.value
    parts = [rf"$$\textbf{{{derivation.title}}}$$"]
    for special, chains in _sections(derivation):
        if special is not None:
            heading = resources(lang).special_case.format(special)
            parts.append(f"$${_math_row(_pieces(heading))}$$")
        parts += [_display(chain, lang) for chain in chains]
    return "\n".join(parts)


def markdown(derivation: Derivation) -> str:
    """The derivation as Markdown: a title, then each chain as one ``$$`` display in which
    every reason stands above its formula and ``=`` continues the chain; a special case
    under a heading of its own.

    Example:
        >>> import symsoftmax as ss
        >>> print(ss.derive("shift_invariance").to_markdown().splitlines()[4])
        &\\textbf{1.} \\text{definition, applied to }{\\textstyle \\mathbf{z} + c \\mathbf{1}}\\text{ for a real }{\\textstyle c} \\\\
    """
    lang = derivation.lang.value
    parts = [f"## {derivation.title}", ""]
    for special, chains in _sections(derivation):
        if special is not None:
            parts += [f"### {resources(lang).special_case.format(special)}", ""]
        for chain in chains:
            parts += [_display(chain, lang), ""]
    return "\n".join(parts)


def text(derivation: Derivation) -> str:
    """The derivation as plain text for a terminal: reasons in Unicode (σ, Σ, ≤), each
    formula pretty-printed under its reason, a chain continued with ``= ...``."""
    lang = derivation.lang.value
    parts = [derivation.title, "=" * display_width(derivation.title), ""]
    for special, chains in _sections(derivation):
        if special is not None:
            heading = unicode_text(resources(lang).special_case.format(special))
            parts += [heading, "-" * display_width(heading), ""]
        for chain in chains:
            for row in chain:
                reason = unicode_text(justification(row.step, lang))
                parts += [f"{row.number}. {reason}", _pretty(row.expr, row.chained), ""]
    return "\n".join(parts)


def _pretty(expr: sp.Basic, chained: bool) -> str:
    """SymPy's Unicode pretty form of ``expr``, terms in the written order; a relation
    that continues a chain without its left side (``= ...``)."""
    printer = _Pretty()
    flat = _as_written(expr)
    op = _PRETTY_OPS.get(type(flat))
    if not chained or op is None:
        return printer.doprint(flat)
    form = printer._print(flat.rhs)
    return prettyForm(*form.left(f"  {op} ")).render(wrap_line=False)


_PRETTY_OPS = {
    sp.Eq: "=",
    sp.StrictLessThan: "<",
    sp.LessThan: "≤",
    sp.StrictGreaterThan: ">",
    sp.GreaterThan: "≥",
}


def _as_written(expr: sp.Basic) -> sp.Basic:
    """``expr`` in the order a textbook writes it, for printing only: a sum of sums as one
    sum; a sum that SymPy starts with a negative term starts with a positive one instead
    (``z_i - LSE``, not ``-LSE + z_i``); in a product, bracketed factors come last
    (``sigma_i (1 - sigma_i)``), and an indexed sum after them (its summand runs on to the
    right). Every other order is the author's."""

    def add(e: sp.Add) -> sp.Add:
        terms = _terms(e)
        if terms[0].could_extract_minus_sign():
            positive = [n for n, t in enumerate(terms) if not t.could_extract_minus_sign()]
            if positive:
                terms.insert(0, terms.pop(positive[0]))
        return sp.Add(*terms, evaluate=False)

    def bracketed(factor: sp.Basic) -> bool:
        base = factor.base if isinstance(factor, sp.Pow) and factor.exp.is_positive else factor
        return isinstance(base, sp.Add)

    def last(factor: sp.Basic) -> int:
        # a sum's summand runs on to the right: a Sum goes last, else it is bracketed
        return 2 if isinstance(factor, sp.Sum) else int(bracketed(factor))

    def mul(e: sp.Mul) -> sp.Expr:
        e = _without_ones(e)  # 1 p_k: a name put in for the sigma_k of 1 sigma_k
        return sp.Mul(*sorted(e.args, key=last), evaluate=False) if isinstance(e, sp.Mul) else e

    def written(e: sp.Basic) -> sp.Basic:
        if isinstance(e, MatrixBase):  # applyfunc would evaluate (reorder) each entry
            return sp.ImmutableMatrix(e.rows, e.cols, [written(x) for x in e])
        args = tuple(written(a) for a in e.args)
        if args != e.args:
            with sp.evaluate(False):
                e = e.func(*args)
        if isinstance(e, MatrixExpr):  # MatAdd, MatMul: kept (matrices do not commute)
            return e
        if isinstance(e, sp.Add):
            return add(e)
        return mul(e) if isinstance(e, sp.Mul) else e

    return written(expr)
