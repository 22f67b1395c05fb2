r"""Documentation generated from the derivations: an index and a page per derivation and language.

``symsoftmax docs DIR`` (or :func:`write`) writes

- ``DIR/index.md``: every registered derivation, its result and links to its pages;
- ``DIR/en/NAME.md`` and ``DIR/zh/NAME.md``: the result, a table of the steps (statement and
  justification) for any number of classes K and for K = 3, and the derivation's figure;
- ``DIR/figures/NAME.png``: the figures of :mod:`symsoftmax.plots` (with the ``plot``
  extra);
- ``DIR/typeset/NAME-en.png`` and ``NAME-zh.png``: the first page of the standalone LaTeX
  document, typeset by pdflatex and xelatex (:mod:`symsoftmax.typeset`), for the
  derivations in :data:`TYPESET`.

Each page is written only after its derivation has been verified (:meth:`Derivation.verify`,
for any K and for K = 3), so a page never shows a step that does not hold. The math is the
printed formula of each step, as :func:`symsoftmax.printing.expr_latex` prints it; GitHub renders it
(``$$`` blocks, and inline math written as ``$`...`$`` so that Markdown leaves backslashes
and braces alone). The repository's ``docs/`` is this output, and a test regenerates it and
fails when it differs.

Example:
    >>> print(page("normalization", lang="en").splitlines()[0])
    # The outputs of softmax sum to 1
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from os import PathLike
from pathlib import Path

from ..engine import Derivation, Lang, Text, derivations, derive
from .printing import expr_latex, justification
from .typeset import PACKAGES, render, require

__all__ = ["TYPESET", "index", "page", "write"]

#: The concrete number of classes shown beside the symbolic-K derivation.
K_EXAMPLE = 3

#: The derivations whose standalone document is typeset and shown as an image (any K).
TYPESET = ("jacobian",)


class _Words:
    """The fixed words of a page, in every language."""

    result = Text("Result", "结论")
    steps_any = Text("Steps, for any number of classes $`K`$", "推导步骤（任意类别数 $`K`$）")
    steps_k = Text(
        f"Steps for $`K = {K_EXAMPLE}`$ classes", f"推导步骤（$`K = {K_EXAMPLE}`$ 个类别）"
    )
    statement = Text("statement", "命题")
    reason = Text("justification", "理由")
    figure = Text("Figure", "图")
    typeset = Text(
        "The first page of `symsoftmax show {name} --format latex --standalone`, typeset by "
        "pdflatex:",
        "`symsoftmax show {name} --format latex --standalone --lang zh` 的第一页，由 xelatex 排版：",
    )
    verified = Text(
        "Every step below is proved by SymPy and checked with mpmath at 40 digits, for any "
        f"$`K`$ and for $`K = {K_EXAMPLE}`$: `symsoftmax verify {{name}}`.",
        "下面每一步都由 SymPy 符号证明，并用 mpmath 以 40 位精度数值验证"
        f"（任意 $`K`$ 与 $`K = {K_EXAMPLE}`$）：`symsoftmax verify {{name}}`。",
    )
    other = Text("[中文](../zh/{name}.md)", "[English](../en/{name}.md)")
    home = Text("[all derivations](../index.md)", "[全部推导](../index.md)")
    generated = Text(
        "Generated from the code by `symsoftmax docs`; do not edit by hand.",
        "由代码生成（`symsoftmax docs`），请勿手工修改。",
    )


_INLINE = re.compile(r"\$([^$]+)\$")


def _math(tex: str) -> str:
    """Inline math as GitHub reads it literally: ``$`...`$``."""
    return f"$`{tex}`$"


def _prose(text: str) -> str:
    """A justification with its ``$...$`` math in GitHub's literal inline form."""
    return _INLINE.sub(lambda m: _math(m.group(1)), text)


def _cell(text: str) -> str:
    """Table cell content: a pipe would end the cell."""
    return text.replace("|", r"\|")


def _table(d: Derivation) -> list[str]:
    lang = d.lang
    rows = [
        f"| # | {_Words.statement(lang)} | {_Words.reason(lang)} |",
        "|---:|---|---|",
    ]
    for number, step in enumerate(d.steps, start=1):
        reason = _prose(justification(step, lang.value))
        rows.append(f"| {number} | {_cell(_math(expr_latex(step.expr)))} | {_cell(reason)} |")
    return rows


def page(
    name: str, *, lang: str = "en", figures: Collection[str] = (), typeset: bool = True
) -> str:
    """The Markdown page of one derivation, in one language.

    Args:
        name: a registered derivation (:func:`symsoftmax.derivations`).
        lang: ``"en"`` or ``"zh"``.
        figures: the names of the figures written beside the pages; a derivation links
            the figure of its own name.
        typeset: link the derivation's typeset page, if it has one.

    Returns:
        The page: title, links, the result as a ``$$`` block, the verification statement,
        the step table for any K and for K = 3, and the figure when there is one.

    Raises:
        ValueError: unknown name or language.
    """
    code = Lang.parse(lang)
    d, d3 = derive(name, lang=code.value), derive(name, K=K_EXAMPLE, lang=code.value)
    lines = [
        f"# {_prose(d.title)}",
        "",
        f"{_Words.other(code).format(name=name)} · {_Words.home(code)}",
        "",
        f"**{_Words.result(code)}**",
        "",
        "$$",
        expr_latex(d.result),
        "$$",
        "",
        _Words.verified(code).format(name=name),
        "",
        f"## {_Words.steps_any(code)}",
        "",
        *_table(d),
        "",
        f"## {_Words.steps_k(code)}",
        "",
        *_table(d3),
        "",
    ]
    if name in figures:
        lines += [f"## {_Words.figure(code)}", "", f"![{name}](../figures/{name}.png)", ""]
    if typeset and name in TYPESET:
        lines += [
            "## LaTeX",
            "",
            _Words.typeset(code).format(name=name),
            "",
            f"![{name}](../typeset/{name}-{code.value}.png)",
            "",
        ]
    lines += ["---", "", _Words.generated(code), ""]
    return "\n".join(lines)


def index() -> str:
    """The Markdown index: every derivation with its result and its pages in both languages."""
    lines = [
        "# symsoftmax: the derivations / 推导",
        "",
        "Each derivation is a chain of SymPy relations, each proved by SymPy and checked with "
        "mpmath at 40 digits. Every page is generated from the code by `symsoftmax docs`.",
        "",
        "每个推导都是一串 SymPy 关系式，每一步都经 SymPy 证明并用 mpmath 以 40 位精度验证。"
        "所有页面均由代码生成（`symsoftmax docs`）。",
        "",
        "| derivation | English | 中文 | result (any $`K`$) | steps |",
        "|---|---|---|---|---:|",
    ]
    for name in derivations():
        en, zh = derive(name), derive(name, lang="zh")
        result = _cell(_math(expr_latex(en.result)))
        lines.append(
            f"| `{name}` | [{_cell(_prose(en.title))}](en/{name}.md) "
            f"| [{_cell(_prose(zh.title))}](zh/{name}.md) | {result} | {len(en.steps)} |"
        )
    lines += ["", "---", "", _Words.generated(Lang.EN), ""]
    return "\n".join(lines)


#: What draws one figure into a PNG file at the path it is given.
Drawer = Callable[[Path], None]


def write(
    directory: str | PathLike[str],
    *,
    figures: Mapping[str, Drawer] | None = None,
    typeset: bool = True,
) -> list[Path]:
    """Verify every derivation, then write the documentation into ``directory``.

    Args:
        directory: where to write; created if missing. Other files in it are left alone.
        figures: the figures to draw, by name (a derivation's page shows the figure of its
            own name); drawing usually needs matplotlib, the ``plot`` extra.
        typeset: also typeset the pages of :data:`TYPESET` (needs pdflatex, xelatex with
            ctex and pdftoppm).

    Returns:
        The paths written, in order: the index, the pages, the figures.

    Raises:
        VerificationError: a derivation fails to verify (no page is written).
        ValueError: ``directory`` is empty.
        ImportError: ``figures`` without matplotlib.
        FileNotFoundError: ``typeset`` without the TeX engines (the message names the
            Debian packages).
        OSError: the directory cannot be written.
    """
    root = Path(directory)
    if not str(directory):
        raise ValueError("the directory to write the documentation to is empty")
    root.mkdir(parents=True, exist_ok=True)  # fails early, before the verification
    if typeset:
        for program in PACKAGES:
            require(program)
    for name in derivations():
        for K in (None, K_EXAMPLE):
            derive(name, K=K).verify()
    written = [root / "index.md"]
    written[0].write_text(index(), encoding="utf-8")
    for code in Lang:
        (root / code.value).mkdir(exist_ok=True)
        for name in derivations():
            path = root / code.value / f"{name}.md"
            text = page(name, lang=code.value, figures=tuple(figures or ()), typeset=typeset)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    if figures:
        (root / "figures").mkdir(exist_ok=True)
        for figure, draw in figures.items():
            path = root / "figures" / f"{figure}.png"
            draw(path)
            written.append(path)
    if typeset:
        (root / "typeset").mkdir(exist_ok=True)
        for name in TYPESET:
            for code in Lang:
                path = root / "typeset" / f"{name}-{code.value}.png"
                render(derive(name, lang=code.value), path, dpi=90)
                written.append(path)
    return written
