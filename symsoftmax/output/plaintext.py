"""Reasons for a terminal: their inline LaTeX as Unicode text (σ, Σ, ≤, β, ∂σ_i/∂z_j).

A reason is written once, as text with ``$...$`` LaTeX; the LaTeX and Markdown printers
show it as it is, and the text printer shows it through :func:`unicode_text`, which
reads the LaTeX with pylatexenc (a LaTeX parser with a Unicode back end) and adds the
macros our reasons use that pylatexenc does not know.

Example:
    >>> unicode_text(r"definition: $\\sigma_i = e^{z_i} / \\Sigma_K$, $\\sum_{k \\neq i} e^{z_k} \\geq 0$")
    'definition: σ_i = e^{z_i} / Σ_K, ∑_{k ≠ i} e^{z_k} ≥ 0'
    >>> unicode_text(r"$\\frac{\\partial \\sigma_i}{\\partial z_j}$ and $\\operatorname{LSE}(\\beta \\mathbf{z})$")
    '∂σ_i/∂z_j and LSE(βz)'
"""

from __future__ import annotations

import functools
import re
import unicodedata

from pylatexenc import latexwalker, macrospec
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

__all__ = ["display_width", "unicode_text"]


def _fraction(node: latexwalker.LatexMacroNode, l2tobj: LatexNodes2Text, **_: object) -> str:
    """a/b, a part with an operator or a space in parentheses: (a + b)/c, ∂σ_i/∂z_j."""
    parts = []
    for argument in node.nodeargd.argnlist[-2:]:
        body = argument.nodelist if isinstance(argument, latexwalker.LatexGroupNode) else [argument]
        part = re.sub(r"(?<=∂) ", "", l2tobj.nodelist_to_text(body).strip())
        parts.append(f"({part})" if re.search(r"[-+−/= ]", part) else part)
    return "/".join(parts)


#: Macros of our reasons beyond pylatexenc's defaults: how to parse them, then how to print.
_PARSED = [
    macrospec.MacroSpec("tfrac", "{{"),
    macrospec.MacroSpec("dfrac", "{{"),
    macrospec.MacroSpec("operatorname", "{"),
    macrospec.MacroSpec("mathbf", "{"),
    macrospec.MacroSpec("mathbb", "{"),
]
_PRINTED = [
    MacroTextSpec("frac", _fraction),
    MacroTextSpec("tfrac", _fraction),
    MacroTextSpec("dfrac", _fraction),
    MacroTextSpec("operatorname", "%s"),
    MacroTextSpec("mathbf", "%s"),
    MacroTextSpec("lVert", "‖"),
    MacroTextSpec("rVert", "‖"),
    MacroTextSpec("geq", "≥"),
    MacroTextSpec("leq", "≤"),
    MacroTextSpec("neq", "≠"),
    MacroTextSpec("log", "log "),
    MacroTextSpec("exp", "exp "),
    MacroTextSpec("lim", "lim"),
    MacroTextSpec("quad", " "),
    MacroTextSpec(",", " "),
]


@functools.cache
def _converter() -> tuple[latexwalker.macrospec.LatexContextDb, LatexNodes2Text]:
    parsed = latexwalker.get_default_latex_context_db()
    parsed.add_context_category("symsoftmax", prepend=True, macros=_PARSED)
    printed = get_default_latex_context_db()
    printed.add_context_category("symsoftmax", prepend=True, macros=_PRINTED)
    return parsed, LatexNodes2Text(latex_context=printed, math_mode="text", keep_braced_groups=True)


def unicode_text(words: str) -> str:
    """``words`` with their ``$...$`` LaTeX as Unicode; a sub- or superscript of more than
    one symbol keeps its braces (``e^{z_i}``), so that it reads unambiguously."""
    parsed, printer = _converter()
    nodes, _, _ = latexwalker.LatexWalker(words, latex_context=parsed).get_latex_nodes()
    out = printer.nodelist_to_text(nodes)
    out = re.sub(r"\s*([≤≥≠])\s*", r" \1 ", out)
    return re.sub(r"(?<=\S)  +", " ", out).strip()


def display_width(words: str) -> int:
    """Columns ``words`` take in a terminal: two for a wide (CJK) character, one otherwise.

    Example:
        >>> display_width("Softmax 的导数")
        14
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in words)
