"""Printing: golden LaTeX, chains of steps, Markdown for GitHub, and no simplification."""

from __future__ import annotations

import sympy as sp

import symsoftmax as ss

GOLDEN_SHIFT = r"""\begin{align*}
\sigma(\mathbf{z} + c \mathbf{1})_{i} &= \frac{e^{c + {z}_{i}}}{\sum_{k=1}^{K} e^{c + {z}_{k}}} && \text{definition, applied to $\mathbf{z} + c \mathbf{1}$ for a real $c$} \\
&= \frac{e^{c} e^{{z}_{i}}}{\sum_{k=1}^{K} e^{c} e^{{z}_{k}}} && \text{$e^{a + b} = e^a e^b$} \\
&= \frac{e^{c} e^{{z}_{i}}}{e^{c} \sum_{k=1}^{K} e^{{z}_{k}}} && \text{$e^c$ does not depend on $k$: take it out of the sum} \\
&= \frac{e^{{z}_{i}}}{\sum_{k=1}^{K} e^{{z}_{k}}} && \text{cancel the common factor $e^c > 0$ of numerator and denominator} \\
&= \sigma(\mathbf{z})_{i} && \text{the definition of $\sigma(\mathbf{z})_i$: adding $c$ to every logit changes nothing}
\end{align*}"""

GOLDEN_NORMALIZATION_K2 = r"""\begin{align*}
\sum_{i=1}^{2} \sigma(\mathbf{z})_{i} &= \sum_{i=1}^{2} \frac{e^{{z}_{i}}}{\sum_{k=1}^{2} e^{{z}_{k}}} && \text{definition of $\sigma(\mathbf{z})_i$} \\
&= \frac{\sum_{i=1}^{2} e^{{z}_{i}}}{\sum_{k=1}^{2} e^{{z}_{k}}} && \text{the denominator does not depend on $i$: take it out of the sum} \\
&= 1 && \text{numerator and denominator are the same sum (the name of the index is immaterial)} \\
\sigma(\mathbf{z})_{1} + \sigma(\mathbf{z})_{2} &= 1 && \text{written out for $K = 2$}
\end{align*}"""


def test_golden_latex_shift_invariance() -> None:
    assert ss.derive("shift_invariance").to_latex() == GOLDEN_SHIFT


def test_golden_latex_normalization_K2() -> None:
    assert ss.derive("normalization", K=2).to_latex() == GOLDEN_NORMALIZATION_K2


def test_printing_does_not_simplify() -> None:
    # The quotient-rule line keeps e^{z_i} e^{z_i} as written in the note, not e^{2 z_i}.
    latex = ss.derive("jacobian").to_latex()
    assert r"e^{{z}_{i}} e^{{z}_{i}}" in latex
    assert "2 {z}_{i}" not in latex


def test_cases_are_marked() -> None:
    latex = ss.derive("jacobian").to_latex()
    assert r"(\text{case}\ i = j)" in latex and r"(\text{case}\ i \neq j)" in latex
    assert r"(\text{情形}\ i = j)" in ss.derive("jacobian", lang="zh").to_latex()


def test_standalone_documents() -> None:
    en = ss.derive("jacobian", K=3).to_latex(standalone=True)
    zh = ss.derive("jacobian", K=3, lang="zh").to_latex(standalone=True)
    assert en.startswith("\\documentclass{article}") and "\\usepackage{amsmath" in en
    assert zh.startswith("\\documentclass{ctexart}") and "雅可比" in zh
    for doc in (en, zh):
        assert doc.count("\\begin{align*}") == doc.count("\\end{align*}") == 1
        assert doc.rstrip().endswith("\\end{document}")


def test_markdown_has_one_math_block_per_step() -> None:
    d = ss.derive("sigmoid")
    md = d.to_markdown()
    assert md.startswith("## ")
    assert md.count("$$") == 2 * len(d.steps)
    for step in d.steps:
        assert sp.latex(step.expr) in md


def test_repr_latex_for_notebooks() -> None:
    d = ss.derive("normalization")
    assert d._repr_latex_() == "$$" + d.to_latex() + "$$"


def test_text_is_readable() -> None:
    text = ss.derive("range").to_text()
    assert "σ(z)[i] < 1" in text and "$" not in text
