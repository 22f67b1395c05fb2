"""Printing: golden LaTeX, chains of steps, Markdown for GitHub, and no simplification."""

from __future__ import annotations

import re

import pytest
import sympy as sp

import symsoftmax as ss
from symsoftmax.output.printing import expr_latex, justification, relation_latex, statements

GOLDEN_SHIFT = r"""\begin{align*}
\intertext{\textbf{1.} definition, applied to $\mathbf{z} + c \mathbf{1}$ for a real $c$}
\sigma(\mathbf{z} + c \mathbf{1})_{i} &= \frac{e^{{z}_{i} + c}}{\sum_{k=1}^{K} e^{{z}_{k} + c}} \\
\intertext{\textbf{2.} $e^{z_k + c} = e^c e^{z_k}$, in numerator and denominator}
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
$$
\begin{aligned}
&\textbf{1.} \text{definition of }{\textstyle \sigma(\mathbf{z})_i} \\
\sum_{i=1}^{2} \sigma(\mathbf{z})_{i} &= \sum_{i=1}^{2} \frac{e^{{z}_{i}}}{\sum_{k=1}^{2} e^{{z}_{k}}} \\
&\textbf{2.} \text{the denominator does not depend on }{\textstyle i}\text{: take it out of the sum} \\
&= \frac{\sum_{i=1}^{2} e^{{z}_{i}}}{\sum_{k=1}^{2} e^{{z}_{k}}} \\
&\textbf{3.} \text{numerator and denominator are the same sum (the name of the index is immaterial)} \\
&= 1
\end{aligned}
$$
$$
\begin{aligned}
&\textbf{4.} \text{written out for }{\textstyle K = 2} \\
\sigma(\mathbf{z})_{1} + \sigma(\mathbf{z})_{2} &= 1
\end{aligned}
$$"""

#: The source note's chain, term for term: N'Σ − NΣ' over Σ², e^{z_i}/Σ_K · (Σ_K − e^{z_i})/Σ_K,
#: σ_i(1 − σ_i); for i ≠ j, (0·Σ_K − e^{z_i} e^{z_j})/Σ_K² as the note writes it; Σ_K by name
#: after step 1 introduces it. Reviewed by hand against the note (seed, section on the Jacobian).
GOLDEN_JACOBIAN = r"""\begin{align*}
\intertext{\textbf{1.} definition: $\sigma_i = e^{z_i} / \Sigma_K$ with $\Sigma_K = \sum_k e^{z_k}$}
\frac{\partial}{\partial {z}_{j}} \sigma(\mathbf{z})_{i} &= \frac{\partial}{\partial {z}_{j}} \left(\frac{e^{{z}_{i}}}{\sum_{k=1}^{K} e^{{z}_{k}}}\right) \\
\intertext{\textbf{2.} quotient rule}
&= \frac{\left(\frac{\partial}{\partial {z}_{j}} e^{{z}_{i}}\right) \Sigma_{K} - e^{{z}_{i}} \frac{\partial}{\partial {z}_{j}} \Sigma_{K}}{\Sigma_{K}^{2}}
\end{align*}
\begin{align*}
\intertext{\textbf{3.} only the term $k = j$ of $\Sigma_K$ depends on $z_j$}
\frac{\partial}{\partial {z}_{j}} \Sigma_{K} &= e^{{z}_{j}}
\end{align*}
\begin{align*}
\intertext{\textbf{4.} the derivative of the numerator is $e^{z_i}$ (case $i = j$)}
\frac{\partial}{\partial {z}_{i}} \sigma(\mathbf{z})_{i} &= \frac{e^{{z}_{i}} \Sigma_{K} - e^{{z}_{i}} e^{{z}_{i}}}{\Sigma_{K}^{2}} \\
\intertext{\textbf{5.} factor out $e^{z_i} / \Sigma_K$ (case $i = j$)}
&= \frac{e^{{z}_{i}}}{\Sigma_{K}} \cdot \frac{\Sigma_{K} - e^{{z}_{i}}}{\Sigma_{K}} \\
\intertext{\textbf{6.} split the fraction (case $i = j$)}
&= \frac{e^{{z}_{i}}}{\Sigma_{K}} \cdot \left(1 - \frac{e^{{z}_{i}}}{\Sigma_{K}}\right) \\
\intertext{\textbf{7.} definition of $\sigma_i$ (case $i = j$)}
&= \sigma(\mathbf{z})_{i} \left(1 - \sigma(\mathbf{z})_{i}\right)
\end{align*}
\begin{align*}
\intertext{\textbf{8.} $e^{z_i}$ does not depend on $z_j$ (case $i \neq j$)}
\frac{\partial}{\partial {z}_{j}} \sigma(\mathbf{z})_{i} &= \frac{0 \cdot \Sigma_{K} - e^{{z}_{i}} e^{{z}_{j}}}{\Sigma_{K}^{2}} \\
\intertext{\textbf{9.} split the fraction (case $i \neq j$)}
&= - \frac{e^{{z}_{i}}}{\Sigma_{K}} \cdot \frac{e^{{z}_{j}}}{\Sigma_{K}} \\
\intertext{\textbf{10.} definition of $\sigma_i$ and $\sigma_j$ (case $i \neq j$)}
&= - \sigma(\mathbf{z})_{i} \sigma(\mathbf{z})_{j} \\
\intertext{\textbf{11.} both cases at once, with the Kronecker delta $\delta_{ij}$}
&= \sigma(\mathbf{z})_{i} \left(\delta_{i j} - \sigma(\mathbf{z})_{j}\right)
\end{align*}"""

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


def test_golden_latex_jacobian() -> None:
    latex = ss.derive("jacobian").to_latex()
    assert latex.startswith(GOLDEN_JACOBIAN), latex


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


def _formula_of(statement: sp.Basic, line: str) -> bool:
    """Is ``line`` the printed formula of ``statement`` (a chain's first or later row)?"""
    line = line.removesuffix(r" \\")
    return line in (relation_latex(statement), relation_latex(statement, chained=True))


@pytest.mark.parametrize(("name", "K", "lang"), SAMPLES)
def test_latex_has_every_step_with_its_reason_above(name: str, K: int | None, lang: str) -> None:
    d = ss.derive(name, K=K, lang=lang)
    latex = d.to_latex()
    _balanced(latex)
    lines = latex.splitlines()
    # Each step: its numbered reason as \intertext, on the line before its formula, which
    # is its statement with the quantities named so far written by name.
    starts = [n for n, line in enumerate(lines) if line.startswith(r"\intertext{")]
    assert len(starts) == len(d.steps)
    rows = zip(starts, d.steps, statements(d), strict=True)
    for number, (start, step, statement) in enumerate(rows, start=1):
        assert lines[start] == rf"\intertext{{\textbf{{{number}.}} {justification(step, lang)}}}"
        assert _formula_of(statement, lines[start + 1]), lines[start + 1]
    # No row carries its reason to the right any more: the page is as wide as the formula.
    assert "&& \\text" not in latex


def test_named_quantities_print_by_name_after_they_are_introduced() -> None:
    d = ss.derive("jacobian")
    total = sp.Sum(sp.exp(d.space.z[d.space.k]), (d.space.k, 1, d.space.K))
    printed = dict(zip((step.label for step in d.steps), statements(d), strict=True))
    definition = d.step("definition")  # introduces the name
    assert printed.pop("definition") == definition.expr
    assert all(not p.has(total) for p in printed.values())  # after it, only Sigma_K
    ((quantity, name),) = definition.names
    assert quantity == total and str(name) == "Sigma_K"
    for label, p in printed.items():
        # the name stands for the sum and nothing else: put back, the statement is the step's
        assert p.xreplace({name: total}).doit() == d.step(label).expr.doit(), label


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


def _displays(shown: str) -> list[list[str]]:
    """The rows of each ``aligned`` display in ``shown`` (Markdown or a notebook's)."""
    found = []
    for block in re.findall(r"\$\$\n?(.*?)\n?\$\$", shown, flags=re.DOTALL):
        if block.startswith("\\begin{aligned}"):
            _balanced(block)
            inner = block.removeprefix("\\begin{aligned}\n").removesuffix("\n\\end{aligned}")
            found.append(inner.split(" \\\\\n"))
    return found


def _check_chains(d: ss.Derivation, displays: list[list[str]]) -> None:
    """Each display a chain: for each step, its numbered reason rows, then its formula."""
    rows = [row for display in displays for row in display]
    words = ("&\\textbf{", "&\\quad \\text{", "&\\quad {\\textstyle")  # a reason's rows
    formulas = [n for n, row in enumerate(rows) if not row.startswith(words)]
    assert len(formulas) == len(d.steps)
    previous = -1
    for number, (at, statement) in enumerate(zip(formulas, statements(d), strict=True), 1):
        assert _formula_of(statement, rows[at]), rows[at]
        reason = rows[previous + 1 : at]  # every row since the last formula: the reason
        assert reason and reason[0].startswith(rf"&\textbf{{{number}.}} ")
        assert all(r.startswith("&") and r"\text" in r for r in reason)
        previous = at


@pytest.mark.parametrize(("name", "K", "lang"), SAMPLES)
def test_markdown_is_display_chains_with_reasons_above(name: str, K: int | None, lang: str) -> None:
    d = ss.derive(name, K=K, lang=lang)
    md = d.to_markdown()
    assert md.startswith(f"## {d.title}\n")
    assert not any(line.startswith("|") for line in md.splitlines())  # no table
    displays = _displays(md)
    assert md.count("$$") == 2 * len(displays)
    _check_chains(d, displays)


@pytest.mark.parametrize(("name", "K", "lang"), SAMPLES)
def test_repr_latex_for_notebooks(name: str, K: int | None, lang: str) -> None:
    d = ss.derive(name, K=K, lang=lang)
    shown = d._repr_latex_()
    # Display blocks only, as MathJax typesets them: the title, then one aligned per chain.
    assert re.sub(r"\$\$.*?\$\$", "", shown, flags=re.DOTALL).strip() == ""
    assert shown.startswith(rf"$$\textbf{{{d.title}}}$$")
    _check_chains(d, _displays(shown))
    assert r"\intertext" not in shown and "align*" not in shown  # neither exists in MathJax


def test_special_cases_print_under_their_own_heading() -> None:
    # sigmoid step 6 holds for K = 2 only: under "Special case K = 2", never in the chain
    # for any K; in Chinese under 特例.
    for lang, heading in (("en", "Special case $K = 2$"), ("zh", "特例：$K = 2$")):
        d = ss.derive("sigmoid", lang=lang)
        md, latex, text = d.to_markdown(), d.to_latex(), d.to_text()
        assert f"### {heading}" in md
        special = d.step("two_classes").number  # the last step, after the general ones
        assert md.index(f"### {heading}") < md.index(rf"\textbf{{{special}.}}")
        assert md.index(rf"\textbf{{{special - 1}.}}") < md.index(f"### {heading}")
        assert rf"\paragraph{{{heading}}}" in latex
        assert heading.replace("$", "") in text
    assert "Special case" not in ss.derive("jacobian").to_markdown()


#: What the printer must never print (issue 12): "+ -", a factor 1, a sum over 1 - delta
#: (printed as a sum over k != i), a negated negative; and (DOUBLED) a power in two pairs
#: of brackets, ((z_k - m)^2).
ARTEFACTS = (
    "+ -",
    " 1 \\cdot",
    "{1} e^",
    r"- \left(- ",
)


ALL_BUT_ONE = re.compile(r"\\sum_\{\w+=1\}\^\{\w+\} \\left\(1 - \\delta")
DOUBLED = re.compile(r"\\left\(\\left\((?:(?!\\left\().)*?\\right\)\^\{[^{}]*\}\\right\)")


@pytest.mark.parametrize("K", [None, 3])
@pytest.mark.parametrize("name", ss.derivations())
def test_no_printing_artefacts(name: str, K: int | None) -> None:
    latex = ss.derive(name, K=K).to_latex()
    found = [a for a in ARTEFACTS if a in latex] + DOUBLED.findall(latex)
    found += ALL_BUT_ONE.findall(latex)
    assert not found, f"{name}: {found}"


def test_the_artefact_patterns_catch_what_they_describe() -> None:
    assert DOUBLED.findall(r"\sum_{k=1}^{K} \left(\left(z_{k} - m\right)^{2}\right)")
    assert not DOUBLED.findall(r"\left(\left(\frac{a}{b}\right) c + d\right)")
    assert ALL_BUT_ONE.findall(r"\sum_{k=1}^{K} \left(1 - \delta_{i k}\right) e^{{z}_{k}}")
    assert not ALL_BUT_ONE.findall(r"\left(1 - \delta_{i k}\right) {d}_{k}")


def test_printer_keeps_the_written_order_and_reads_as_written() -> None:
    z, k, i, K = sp.IndexedBase("z"), sp.Symbol("k"), sp.Symbol("i"), sp.Symbol("K")
    s = sp.Symbol("s")
    # a leading negative term goes after a positive one: z_i - L, not -L + z_i
    assert expr_latex(z[i] - sp.log(s)) == r"{z}_{i} - \log{\left(s \right)}"
    # a bracketed factor last: s (1 - s)
    assert expr_latex((1 - s) * s) == r"s \left(1 - s\right)"
    # a sum over k with (1 - delta_ik) prints as the sum over k != i
    rest = sp.Sum((1 - sp.KroneckerDelta(i, k)) * sp.exp(z[k]), (k, 1, K))
    assert expr_latex(rest) == r"\sum_{k \neq i} e^{{z}_{k}}"
    # a product of fractions is joined by \cdot, not juxtaposed
    with sp.evaluate(False):
        product = sp.Mul(sp.exp(z[i]) / s, (s - 1) / s)
    assert r"} \cdot \frac{" in expr_latex(product)
    # a zero term written by the author stays: 0 \cdot s
    with sp.evaluate(False):
        zero = sp.Add(sp.Mul(0, s), -sp.exp(z[i]))
    assert expr_latex(zero) == r"0 \cdot s - e^{{z}_{i}}"
    # a sum of sums prints flat
    with sp.evaluate(False):
        nested = sp.Add(sp.Add(s, z[i]), -z[k])
    assert expr_latex(nested) == r"s + {z}_{i} - {z}_{k}"


def test_text_is_readable() -> None:
    text = ss.derive("range").to_text()
    assert "σ(z)[i] < 1" in text and "$" not in text and "\\" not in text
    jac = ss.derive("jacobian").to_text()
    assert "(case i = j)" in jac and "Eq(" not in jac
    assert "σ_i = e^{z_i} / Σ_K" in jac  # the reason's math in Unicode
    title = ss.derive("jacobian", lang="zh").to_text().splitlines()
    assert set(title[1]) == {"="} and len(title[1]) == 2 * len(title[0]) - sum(
        c.isascii() for c in title[0]
    )  # a Chinese character is two columns wide


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


def test_an_and_of_relations_prints_in_words() -> None:
    x = sp.Symbol("x", real=True)
    both = sp.And(sp.Lt(x, 1), sp.Gt(x**2, 0))
    assert expr_latex(both) == r"x < 1 \quad\text{and}\quad x^{2} > 0"
    assert relation_latex(both) == "&" + expr_latex(both)  # one row, no alignment point
