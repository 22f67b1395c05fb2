"""Printing: golden LaTeX, chains of steps, Markdown for GitHub, and no simplification."""

from __future__ import annotations

import re

import pytest
import sympy as sp

import symsoftmax as ss
from symsoftmax.output.printing import expr_latex, relation_latex

GOLDEN_SHIFT = r"""\begin{align*}
\intertext{\textbf{1.} definition, applied to $\mathbf{z} + c \mathbf{1}$ for a real $c$}
\sigma(\mathbf{z} + c \mathbf{1})_{i} &= \frac{e^{c + {z}_{i}}}{\sum_{k=1}^{K} e^{c + {z}_{k}}} \\
\intertext{\textbf{2.} $e^{a + b} = e^a e^b$}
&= \frac{e^{c} e^{{z}_{i}}}{\sum_{k=1}^{K} e^{c} e^{{z}_{k}}} \\
\intertext{\textbf{3.} $e^c$ does not depend on $k$: take it out of the sum}
&= \frac{e^{c} e^{{z}_{i}}}{e^{c} \sum_{k=1}^{K} e^{{z}_{k}}} \\
\intertext{\textbf{4.} cancel the common factor $e^c > 0$ of numerator and denominator}
&= \frac{e^{{z}_{i}}}{\sum_{k=1}^{K} e^{{z}_{k}}} \\
\intertext{\textbf{5.} the definition of $\sigma(\mathbf{z})_i$: adding $c$ to every logit changes nothing}
&= \sigma(\mathbf{z})_{i}
\end{align*}"""

GOLDEN_NORMALIZATION_K2 = r"""\begin{align*}
\intertext{\textbf{1.} definition of $\sigma(\mathbf{z})_i$}
\sum_{i=1}^{2} \sigma(\mathbf{z})_{i} &= \sum_{i=1}^{2} \frac{e^{{z}_{i}}}{\sum_{k=1}^{2} e^{{z}_{k}}} \\
\intertext{\textbf{2.} the denominator does not depend on $i$: take it out of the sum}
&= \frac{\sum_{i=1}^{2} e^{{z}_{i}}}{\sum_{k=1}^{2} e^{{z}_{k}}} \\
\intertext{\textbf{3.} numerator and denominator are the same sum (the name of the index is immaterial)}
&= 1
\end{align*}
\begin{align*}
\intertext{\textbf{4.} written out for $K = 2$}
\sigma(\mathbf{z})_{1} + \sigma(\mathbf{z})_{2} &= 1
\end{align*}"""

GOLDEN_NOTEBOOK_NORMALIZATION_K2 = r"""$$\textbf{The outputs of softmax sum to 1}$$
$$\begin{aligned}
\sum_{i=1}^{2} \sigma(\mathbf{z})_{i} &= \sum_{i=1}^{2} \frac{e^{{z}_{i}}}{\sum_{k=1}^{2} e^{{z}_{k}}} && \textstyle\text{1. definition of $\sigma(\mathbf{z})_i$} \\
&= \frac{\sum_{i=1}^{2} e^{{z}_{i}}}{\sum_{k=1}^{2} e^{{z}_{k}}} && \textstyle\text{2. the denominator does not depend on $i$: take it out of the sum} \\
&= 1 && \textstyle\text{3. numerator and denominator are the same sum (the name of the index is immaterial)}
\end{aligned}$$
$$\begin{aligned}
\sigma(\mathbf{z})_{1} + \sigma(\mathbf{z})_{2} &= 1 && \textstyle\text{4. written out for $K = 2$}
\end{aligned}$$"""

#: Derivations with every kind of step: chains, cases (jacobian), a lone inequality and a
#: set membership (range), a matrix (K = 3).
SAMPLES = [
    (name, K, lang)
    for name in ("jacobian", "range", "normalization")
    for K in (None, 3)
    for lang in ("en", "zh")
]


def _balanced(tex: str) -> None:
    """Every environment is closed in order, and every brace (but ``\\{``, ``\\}``)."""
    stack = []
    for kind, name in re.findall(r"\\(begin|end)\{([^}]*)\}", tex):
        if kind == "begin":
            stack.append(name)
        else:
            assert stack and stack.pop() == name, f"\\end{{{name}}} closes nothing open"
    assert not stack, f"unclosed: {stack}"
    braces = re.sub(r"\\[{}]", "", tex)
    assert braces.count("{") == braces.count("}")


def test_golden_latex_shift_invariance() -> None:
    assert ss.derive("shift_invariance").to_latex() == GOLDEN_SHIFT


def test_golden_latex_normalization_K2() -> None:
    # A new left side starts a new align* block: each chain is aligned on its own.
    assert ss.derive("normalization", K=2).to_latex() == GOLDEN_NORMALIZATION_K2


def test_golden_notebook_normalization_K2() -> None:
    assert ss.derive("normalization", K=2)._repr_latex_() == GOLDEN_NOTEBOOK_NORMALIZATION_K2


def test_printing_does_not_simplify() -> None:
    # The quotient-rule line keeps e^{z_i} e^{z_i} as written in the note, not e^{2 z_i}.
    latex = ss.derive("jacobian").to_latex()
    assert r"e^{{z}_{i}} e^{{z}_{i}}" in latex
    assert "2 {z}_{i}" not in latex


def test_cases_are_marked() -> None:
    latex = ss.derive("jacobian").to_latex()
    assert "(case $i = j$)}" in latex and r"(case $i \neq j$)}" in latex
    assert "（情形 $i = j$）}" in ss.derive("jacobian", lang="zh").to_latex()


@pytest.mark.parametrize(("name", "K", "lang"), SAMPLES)
def test_latex_has_every_step_with_its_reason_above(name: str, K: int | None, lang: str) -> None:
    d = ss.derive(name, K=K, lang=lang)
    latex = d.to_latex()
    _balanced(latex)
    lines = latex.splitlines()
    # Each step: its numbered reason as \intertext, on the line before its formula.
    starts = [n for n, line in enumerate(lines) if line.startswith(r"\intertext{")]
    assert len(starts) == len(d.steps)
    for number, (start, step) in enumerate(zip(starts, d.steps, strict=True), start=1):
        assert lines[start].startswith(rf"\intertext{{\textbf{{{number}.}} {step.reason}")
        formula = lines[start + 1].removesuffix(r" \\")
        assert formula in (relation_latex(step.expr), relation_latex(step.expr, chained=True))
    # No row carries its reason to the right any more: the page is as wide as the formula.
    assert "&& \\text" not in latex


def test_standalone_documents() -> None:
    en = ss.derive("jacobian", K=3).to_latex(standalone=True)
    zh = ss.derive("jacobian", K=3, lang="zh").to_latex(standalone=True)
    assert en.startswith("\\documentclass{article}") and "\\usepackage{amsmath" in en
    assert zh.startswith("\\documentclass{ctexart}") and "雅可比" in zh
    for doc, lang in ((en, "en"), (zh, "zh")):
        _balanced(doc)
        assert "\\usepackage[a4paper" in doc and doc.count("\\begin{document}") == 1
        body = ss.derive("jacobian", K=3, lang=lang).to_latex()
        assert body in doc and doc.rstrip().endswith("\\end{document}")


def test_markdown_has_one_math_block_per_step() -> None:
    d = ss.derive("sigmoid")
    md = d.to_markdown()
    assert md.startswith("## ")
    assert md.count("$$") == 2 * len(d.steps)
    for step in d.steps:
        assert sp.latex(step.expr) in md


@pytest.mark.parametrize(("name", "K", "lang"), SAMPLES)
def test_repr_latex_for_notebooks(name: str, K: int | None, lang: str) -> None:
    d = ss.derive(name, K=K, lang=lang)
    shown = d._repr_latex_()
    # Display blocks only, as MathJax typesets them: the title, then one aligned per chain.
    blocks = re.findall(r"\$\$(.*?)\$\$", shown, flags=re.DOTALL)
    assert re.sub(r"\$\$.*?\$\$", "", shown, flags=re.DOTALL).strip() == ""
    assert blocks[0] == rf"\textbf{{{d.title}}}"
    rows = []
    for block in blocks[1:]:
        _balanced(block)
        assert block.startswith("\\begin{aligned}\n") and block.endswith("\n\\end{aligned}")
        rows += (
            block.removeprefix("\\begin{aligned}\n")
            .removesuffix("\n\\end{aligned}")
            .split(" \\\\\n")
        )
    # Every step, in order: its formula, then its numbered reason in a column of text.
    assert len(rows) == len(d.steps)
    for number, (row, step) in enumerate(zip(rows, d.steps, strict=True), start=1):
        formula, reason = row.split(r" && \textstyle\text{", 1)
        assert formula in (relation_latex(step.expr), relation_latex(step.expr, chained=True))
        assert reason.startswith(f"{number}. {step.reason}") and reason.endswith("}")
    assert r"\intertext" not in shown and "align*" not in shown  # neither exists in MathJax


def test_text_is_readable() -> None:
    text = ss.derive("range").to_text()
    assert "σ(z)[i] < 1" in text and "$" not in text


def test_a_chain_too_wide_for_the_page_puts_its_left_side_on_its_own_line() -> None:
    d = ss.derive("regression_hessian", K=3)
    lines = d.to_latex().splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith(r"\intertext{\textbf{2.}"))
    lhs, first, reason, second = lines[at + 1 : at + 5]
    step2, step3 = d.step("second_directional").expr, d.step("variance").expr
    assert lhs == "&" + expr_latex(step2.lhs) + r" \\"  # the left side alone
    assert first == r"&\quad = " + expr_latex(step2.rhs) + r" \\"
    assert reason.startswith(r"\intertext{\textbf{3.}")
    assert second == r"&\quad = " + expr_latex(step3.rhs)
    # a standalone document also scales a side that is still too wide to the line
    doc = d.to_latex(standalone=True)
    assert r"\newcommand{\fitted}" in doc
    assert "&\\fitted{" + expr_latex(step2.lhs) + "} \\\\\n" in doc
    # a narrow chain keeps one row per step, aligned at the relation
    assert ss.derive("shift_invariance").to_latex().count(r"\quad =") == 0
