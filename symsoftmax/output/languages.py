"""What each language needs to be printed in: one table, one row a language.

A derivation's own words (its title and reasons) are :class:`~symsoftmax.Text` objects
written by its author; everything else a printed page needs in a language lives here: the
LaTeX document class and the engine that compiles it, how a case is named, the headings
of the ``verify`` table and the fixed words of the documentation pages. Adding a language
is adding a :class:`~symsoftmax.engine.text.Lang` member and a row to :data:`RESOURCES`
(a test checks that every language has one).

Example:
    >>> RESOURCES[Lang.ZH].engine
    'xelatex'
    >>> resources("en").case_note.format("i = j")
    ' (case $i = j$)'
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.text import Lang

__all__ = ["RESOURCES", "Resources", "resources"]


@dataclass(frozen=True)
class Resources:
    """The fixed words and settings of one language.

    Attributes:
        document_class: the LaTeX class of a standalone document.
        engine: the TeX engine that compiles it (pdflatex, xelatex).
        case: the word for a case, in text output (``(case i = j)``).
        case_note: a step's case after its reason, ``{}`` the case as LaTeX.
        verify_headings: the ``verify`` table's columns and words: derivation, K, steps,
            result, seconds, verified, failed, and "any" (a symbolic K).
        words: the fixed words of the documentation pages, by key; ``{name}`` is the
            derivation's name and ``{K}`` the concrete K shown beside any K.
    """

    document_class: str
    engine: str
    case: str
    case_note: str
    verify_headings: tuple[str, str, str, str, str, str, str, str]
    words: dict[str, str]


RESOURCES: dict[Lang, Resources] = {
    Lang.EN: Resources(
        document_class="article",
        engine="pdflatex",
        case="case",
        case_note=" (case ${}$)",
        verify_headings=(
            "derivation",
            "K",
            "steps",
            "result",
            "seconds",
            "verified",
            "FAILED",
            "any",
        ),
        words={
            "result": "Result",
            "steps_any": "Steps, for any number of classes $`K`$",
            "steps_k": "Steps for $`K = {K}`$ classes",
            "statement": "statement",
            "reason": "justification",
            "figure": "Figure",
            "typeset": "The first page of `symsoftmax show {name} --format latex --standalone`, "
            "typeset by pdflatex:",
            "verified": "Every step below is proved by SymPy and checked with mpmath at 40 "
            "digits, for any $`K`$ and for $`K = {K}`$: `symsoftmax verify {name}`.",
            "other": "[中文](../zh/{name}.md)",
            "home": "[all derivations](../index.md)",
            "generated": "Generated from the code by `symsoftmax docs`; do not edit by hand.",
        },
    ),
    Lang.ZH: Resources(
        document_class="ctexart",
        engine="xelatex",
        case="情形",
        case_note="（情形 ${}$）",
        verify_headings=("推导", "K", "步数", "结果", "秒", "已验证", "失败", "任意"),
        words={
            "result": "结论",
            "steps_any": "推导步骤（任意类别数 $`K`$）",
            "steps_k": "推导步骤（$`K = {K}`$ 个类别）",
            "statement": "命题",
            "reason": "理由",
            "figure": "图",
            "typeset": "`symsoftmax show {name} --format latex --standalone --lang zh` "
            "的第一页，由 xelatex 排版：",
            "verified": "下面每一步都由 SymPy 符号证明，并用 mpmath 以 40 位精度数值验证"
            "（任意 $`K`$ 与 $`K = {K}`$）：`symsoftmax verify {name}`。",
            "other": "[English](../en/{name}.md)",
            "home": "[全部推导](../index.md)",
            "generated": "由代码生成（`symsoftmax docs`），请勿手工修改。",
        },
    ),
}


def resources(lang: Lang | str) -> Resources:
    """The row of ``lang`` (a :class:`Lang` or its code); ValueError for an unknown code."""
    return RESOURCES[Lang.parse(lang)]
