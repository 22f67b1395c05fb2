"""The fonts that draw the words of a figure, per language, and the check that they do.

Matplotlib's own font, DejaVu Sans, has Latin, Greek and the math symbols but no Chinese.
A Chinese figure draws its text with DejaVu Sans first and a font with Chinese glyphs after
it (matplotlib falls back glyph by glyph). That font is the first of :data:`CJK_FAMILIES`
found among the fonts matplotlib knows, those fontconfig lists for ``:lang=zh`` and TeX
Live's Fandol fonts (``kpsewhich``); the first is FandolHei, which comes with
``texlive-lang-chinese`` (the package that typesets the Chinese documents) and whose sans
serif matches DejaVu Sans. AR PL UMing is never used: its embedded bitmaps draw as nothing
at 8 to 11 pt on matplotlib's Agg canvas. With no usable font :func:`cjk_font` raises,
naming the Debian package to install, rather than letting matplotlib draw empty boxes.
:func:`check_glyphs` goes over every text of a drawn figure and raises for a character no
font of its family has.

Example:
    >>> family("en")
    ['DejaVu Sans']
    >>> family("zh")[0]
    'DejaVu Sans'
"""

from __future__ import annotations

import functools
import logging
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..engine.text import Lang

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["CJK_FAMILIES", "FONT_PACKAGE", "check_glyphs", "cjk_font", "family", "settle", "style"]

#: The font of every figure's Latin, Greek and math text (matplotlib's own).
LATIN = "DejaVu Sans"

#: Families with Chinese glyphs, in the order they are preferred. The first comes with
#: ``texlive-lang-chinese`` (``.ci/run`` installs it), so that the committed figures match.
CJK_FAMILIES: tuple[str, ...] = (
    "FandolHei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "FandolSong",
    "Noto Serif CJK SC",
    "AR PL UKai CN",
)

#: Families that have the glyphs but do not draw them: AR PL UMing's embedded bitmaps come
#: out blank at 8 to 11 pt (11 to 16 pixels a em at 100 dpi) on matplotlib's Agg canvas.
_BLANK = ("AR PL UMing",)

#: The Debian package that gives matplotlib a Chinese font (FandolHei).
FONT_PACKAGE = "texlive-lang-chinese"

#: TeX Live's Chinese fonts, found with ``kpsewhich`` (they are not in fontconfig's list).
_FANDOL = ("FandolHei-Regular.otf", "FandolSong-Regular.otf")

#: A character that a Chinese font must draw (figure, 图), to tell it from a Latin one.
_PROBE = ord("图")

#: The first code point of the CJK blocks (radicals; ideographs and punctuation follow).
_CJK_START = 0x2E80


class _LightWeight(logging.Filter):
    """Drops matplotlib's notice that a CJK font has no normal weight (only Light, as
    AR PL UMing): it draws with the weight it has, and says so for every text size."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.family = name

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (
            message.startswith("findfont: Failed to find font weight") and self.family in message
        )


def _known() -> set[str]:
    from matplotlib import font_manager

    return {entry.name for entry in font_manager.fontManager.ttflist}


def _system_files() -> list[str]:
    """Font files with Chinese glyphs that fontconfig and TeX Live know of (may be none)."""
    files = []
    if shutil.which("fc-list"):
        run = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False
        )
        files += sorted({line.split(":")[0].strip() for line in run.stdout.splitlines()})
    if shutil.which("kpsewhich"):
        run = subprocess.run(["kpsewhich", *_FANDOL], capture_output=True, text=True, check=False)
        files += [line.strip() for line in run.stdout.splitlines()]
    return [f for f in files if f]


def _usable(name: str) -> bool:
    """Whether the family ``name`` has Chinese glyphs and draws them (:data:`_BLANK`)."""
    return not name.startswith(_BLANK) and _PROBE in _charmap(name)


@functools.cache
def cjk_font() -> str:
    """The family name of a font with Chinese glyphs that matplotlib draws with.

    The fonts of fontconfig (``fc-list :lang=zh``) and TeX Live (Fandol) are added to
    matplotlib's list; then the first of :data:`CJK_FAMILIES` it knows, else any other
    font that draws Chinese.

    Raises:
        FileNotFoundError: no usable font with Chinese glyphs is installed; the message
            names the Debian package (:data:`FONT_PACKAGE`).
    """
    from matplotlib import font_manager

    loaded = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in _system_files():
        if path not in loaded:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    known = _known()
    for name in (*CJK_FAMILIES, *sorted(known - set(CJK_FAMILIES))):
        if name in known and _usable(name):
            return _quiet(name)
    raise FileNotFoundError(
        "Chinese figures need a font with Chinese glyphs and none is installed: "
        f"apt-get install {FONT_PACKAGE}"
    )


def _quiet(name: str) -> str:
    """``name``, after silencing matplotlib's notice about its weight (:class:`_LightWeight`)."""
    logging.getLogger("matplotlib.font_manager").addFilter(_LightWeight(name))
    return name


@functools.cache
def _charmap(name: str) -> frozenset[int]:
    """The code points that the font family ``name`` has glyphs for."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    for entry in font_manager.fontManager.ttflist:
        if entry.name == name:
            return frozenset(FT2Font(entry.fname).get_charmap())
    return frozenset()


def family(lang: Lang | str) -> list[str]:
    """The font family list of a figure's text in ``lang`` (Latin first, then Chinese).

    Raises:
        FileNotFoundError: ``lang`` is Chinese and no Chinese font is installed.
    """
    if Lang.parse(lang) is Lang.ZH:
        return [LATIN, cjk_font()]
    return [LATIN]


@contextmanager
def style(lang: Lang | str) -> Iterator[None]:
    """Draw a figure's texts in the fonts of ``lang`` (matplotlib's ``font.family``).

    A text looks its family up when it is drawn, which may be after the block (when the
    figure is saved): :func:`settle` fixes the family of the texts a figure holds.
    """
    import matplotlib

    with matplotlib.rc_context({"font.family": family(lang)}):
        yield


def settle(fig: Figure, lang: Lang | str) -> None:
    """Give every text of ``fig`` the font family of ``lang`` for good (see :func:`style`)."""
    from matplotlib.text import Text

    names = family(lang)
    for text in fig.findobj(Text):
        text.set_fontfamily(names)


_MATH = re.compile(r"(?<!\\)\$.*?(?<!\\)\$")


def check_glyphs(fig: Figure, lang: Lang | str) -> None:
    """Raise unless every character of every text of ``fig`` has a glyph in its fonts.

    A text without ``$...$`` is drawn with the fonts of :func:`family`; a text with math
    in it is drawn whole by matplotlib's mathtext, whose fonts (DejaVu, STIX) have no
    Chinese, so Chinese words and ``$...$`` never share a text.

    Raises:
        ValueError: a character would be drawn as an empty box; the message quotes the text.
    """
    from matplotlib.text import Text

    fonts = family(lang)
    glyphs = frozenset().union(*(_charmap(name) for name in fonts))
    for text in fig.findobj(Text):
        content = text.get_text()
        if _MATH.search(content):
            missing = {c for c in content if ord(c) >= _CJK_START}
        else:
            missing = {c for c in content if ord(c) not in glyphs and not c.isspace()}
        if missing:
            raise ValueError(
                f"the figure text {content!r} has characters that its fonts {fonts} do not "
                f"draw: {''.join(sorted(missing))}"
                + (" (a text with $...$ math is drawn by mathtext)" if "$" in content else "")
            )
