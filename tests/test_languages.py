"""Every derivation is written in full in both languages: the same math, different words.

English text has no CJK character; Chinese text has CJK in every title and every reason,
full-width punctuation in its prose, and every inline formula ``$...$`` of the English.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

import symsoftmax as ss
from symsoftmax import cli
from symsoftmax.engine import Derivation, Lang, Text
from symsoftmax.output.plaintext import unicode_text

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_MATH = re.compile(r"\$([^$]*)\$")
_WORDS_IN_MATH = re.compile(r"\\text\{[^}]*\}")  # \text{mean} is \text{均值} in Chinese
# Chinese prose uses ，：；（）, with no space beside them
_ASCII_PUNCTUATION = re.compile(r"[,:;()]| [（），：；]|[（），：；] ")

# K = 2 and K = 3 add or change lines (the vector written out, the rank at K = 2, ...).
CASES = [(name, K) for name in ss.derivations() for K in (None, 2, 3)]


def _math(text: str) -> set[str]:
    """The inline formulas of a sentence, with the words inside ``\\text{}`` left out."""
    return {_WORDS_IN_MATH.sub(r"\\text{}", m) for m in _MATH.findall(text)}


def _problems(en: Derivation, zh: Derivation) -> list[str]:
    """What keeps ``zh`` from being a complete Chinese version of ``en`` (empty if nothing)."""
    found = []
    for what, e, z in [("title", en.title, zh.title)] + [
        (f"step {n}", a.reason, b.reason)
        for n, (a, b) in enumerate(zip(en.steps, zh.steps, strict=False), start=1)
    ]:
        if _CJK.search(e):
            found.append(f"{what}: the English has CJK characters: {e!r}")
        if not _CJK.search(z):
            found.append(f"{what}: the Chinese has no CJK character: {z!r}")
        for lang, text in (("English", e), ("Chinese", z)):
            if text.count("$") % 2:
                found.append(f"{what}: unbalanced $ in the {lang}: {text!r}")
        if missing := _math(e) - _math(z):
            found.append(f"{what}: the Chinese lacks the formulas {sorted(missing)}: {z!r}")
    if len(en.steps) != len(zh.steps):
        found.append(f"{len(en.steps)} English steps but {len(zh.steps)} Chinese ones")
    for n, (a, b) in enumerate(zip(en.steps, zh.steps, strict=False), start=1):
        if (a.expr, a.case, a.space) != (b.expr, b.case, b.space):
            found.append(f"step {n}: the math differs between the languages")
    return found


def _punctuation_problems(zh: Derivation) -> list[str]:
    """ASCII , : ; ( ) in the Chinese prose of the reasons (: ; in the title, which may
    name an interval such as (0, 1) outside of $...$)."""
    found = []
    if re.search(r"[:;]", _MATH.sub("", zh.title)):
        found.append(f"title: ASCII colon or semicolon in the Chinese: {zh.title!r}")
    for n, step in enumerate(zh.steps, start=1):
        if _ASCII_PUNCTUATION.search(_MATH.sub("x", step.reason)):  # math stands for a word
            found.append(f"step {n}: ASCII punctuation in the Chinese prose: {step.reason!r}")
    return found


@pytest.mark.parametrize(("name", "K"), CASES)
def test_each_derivation_is_complete_in_both_languages(name: str, K: int | None) -> None:
    en, zh = ss.derive(name, K=K, lang="en"), ss.derive(name, K=K, lang="zh")
    assert (en.lang, zh.lang) == (Lang.EN, Lang.ZH)
    assert en.result == zh.result
    assert _problems(en, zh) == []


@pytest.mark.parametrize(("name", "K"), CASES)
def test_chinese_prose_has_full_width_punctuation(name: str, K: int | None) -> None:
    assert _punctuation_problems(ss.derive(name, K=K, lang="zh")) == []


def _with_reason(d: Derivation, reason: str | None) -> Derivation:
    """``d`` with the Chinese reason of its first line replaced (None: no Chinese at all)."""
    first, *rest = d.lines
    text = Text(en=first.reason("en"), zh=reason)
    return dataclasses.replace(d, lines=(dataclasses.replace(first, reason=text), *rest))


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (lambda en, zh: _with_reason(zh, en.step("definition").reason), "no CJK"),  # = English
        (lambda en, zh: _with_reason(zh, None), "no CJK"),  # no Chinese text
        (lambda en, zh: _with_reason(zh, "分母与 $i 无关，提到求和号外"), "unbalanced"),
        (lambda en, zh: _with_reason(zh, "分母与 $j$ 无关，提到求和号外"), "lacks the formulas"),
        (lambda en, zh: dataclasses.replace(zh, heading=Text(en.title)), "no CJK"),
        (lambda en, zh: dataclasses.replace(zh, lines=zh.lines[:-1]), "steps"),
    ],
)
def test_an_incomplete_translation_is_caught(broken, message: str) -> None:
    # A mutation test: each broken Chinese version must be reported, so the check above
    # fails when a derivation lacks a text in either language.
    en, zh = ss.derive("normalization", lang="en"), ss.derive("normalization", lang="zh")
    assert _problems(en, zh) == []
    assert any(message in p for p in _problems(en, broken(en, zh)))


def test_ascii_punctuation_in_chinese_prose_is_caught() -> None:
    zh = ss.derive("normalization", lang="zh")
    assert _punctuation_problems(zh) == []
    broken = _with_reason(zh, "分母与 $i$ 无关, 提到求和号外")
    assert _punctuation_problems(broken) == [
        f"step 1: ASCII punctuation in the Chinese prose: {broken.step('definition').reason!r}"
    ]


def test_the_verify_table_has_its_headings_in_every_language() -> None:
    headings = cli._HEADINGS
    assert set(headings) == set(Lang)
    for en, zh in zip(headings[Lang.EN], headings[Lang.ZH], strict=True):
        assert en and zh and not _CJK.search(en)
        # Only the symbol K is the same in both languages.
        assert (en == zh == "K") or (zh != en and _CJK.search(zh)), (en, zh)


@pytest.mark.parametrize("name", ss.derivations())
def test_show_in_chinese(name: str, capsys) -> None:
    assert cli.main(["show", name, "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    d = ss.derive(name, lang="zh")
    assert out.startswith(d.title + "\n")
    for step in d.steps:  # every reason is printed, in Chinese, its math in Unicode
        assert unicode_text(step.reason) in out


@pytest.mark.verifies(K=3)
@pytest.mark.usefixtures("verify_from_cache")  # the verification itself: tests/test_engine.py
@pytest.mark.parametrize("name", ss.derivations())
def test_verify_in_chinese(name: str, capsys) -> None:
    assert cli.main(["verify", name, "--lang", "zh", "--k", "3"]) == 0
    header, row = capsys.readouterr().out.strip().splitlines()
    name_h, k_h, steps_h, result_h, seconds_h, verified, *_ = cli._HEADINGS[Lang.ZH]
    assert header.split() == [name_h, k_h, steps_h, result_h, seconds_h]
    assert row.split()[:4] == [name, "3", str(len(ss.derive(name, K=3).steps)), verified]
    assert _CJK.search(header) and _CJK.search(row)


@pytest.mark.verifies(name="normalization", K=None)
@pytest.mark.usefixtures("verify_from_cache")
def test_chinese_verify_table_lines_up(capsys) -> None:
    # a CJK character takes two terminal columns: the columns must still line up
    import unicodedata

    assert cli.main(["verify", "normalization", "--lang", "zh"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()

    def columns(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    # the right edge of the K and steps columns is the same on every line
    edges = {
        columns(line[: line.index(word) + len(word)])
        for line, word in zip(lines, ["K", "任意", "3"], strict=True)
    }
    assert len(edges) == 1, lines
    assert "任意" in lines[1]  # "any K", in Chinese
