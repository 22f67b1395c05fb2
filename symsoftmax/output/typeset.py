"""Typeset a derivation with a real TeX engine: a PDF, and all its pages as one PNG image.

English documents (``article``) are compiled with pdflatex, Chinese ones (``ctexart``) with
xelatex; pdftoppm (poppler) renders the pages. These are Debian packages, not Python ones:
a missing program raises :class:`FileNotFoundError` naming the package to install.

:func:`render` makes the image the documentation shows: every page, each cropped to its
text with a margin of :data:`MARGIN` (the same left edge on every page), one under the
other with a grey rule between pages, in grey levels, the same way in every language.

Example (skipped, saying why, where pdflatex is not installed):
    >>> import shutil, tempfile, symsoftmax as ss
    >>> if shutil.which("pdflatex") is None:
    ...     import pytest
    ...     pytest.skip(f"pdflatex is not installed: apt-get install {PACKAGES['pdflatex']}")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     pdf = typeset(ss.derive("normalization", K=2), tmp)
    ...     data = pdf.read_bytes()
    ...     print(pdf.name, data[:5], data.rstrip().endswith(b"%%EOF"))
    normalization-K2-en.pdf b'%PDF-' True
"""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import tempfile
import zlib
from os import PathLike
from pathlib import Path

import numpy as np

from ..engine import Derivation
from ..errors import SymsoftmaxError
from .languages import RESOURCES

__all__ = [
    "ENGINES",
    "MARGIN",
    "PACKAGES",
    "TypesetError",
    "compile_tex",
    "crop",
    "pages",
    "png",
    "render",
    "require",
    "stack",
    "typeset",
]

#: The engine of each language, as its document class requires (article, ctexart).
ENGINES = {lang: row.engine for lang, row in RESOURCES.items()}

#: The Debian packages that provide each program.
PACKAGES = {
    "pdflatex": "texlive-latex-base texlive-latex-recommended",
    "xelatex": "texlive-xetex texlive-lang-chinese fonts-arphic-uming fonts-arphic-ukai",
    "pdftoppm": "poppler-utils",
}


class TypesetError(SymsoftmaxError):
    """The TeX engine rejected a document that symsoftmax printed (a bug in the printer)."""


def require(name: str) -> str:
    """The path of the program ``name`` (a key of :data:`PACKAGES`).

    Raises:
        FileNotFoundError: it is not installed; the message names the Debian package.
    """
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(f"{name} is not installed: apt-get install {PACKAGES[name]}")
    return path


def _stem(d: Derivation) -> str:
    return f"{d.name}-K{'any' if d.K is None else d.K}-{d.lang.value}"


def compile_tex(
    tex: str, engine: str, directory: str | PathLike[str], *, stem: str = "doc"
) -> subprocess.CompletedProcess[str]:
    """Write ``tex`` to ``directory/stem.tex`` and run ``engine`` on it, without stopping for
    input; the finished run (its ``returncode`` and ``stdout``; the log is ``stem.log``).

    Raises:
        FileNotFoundError: the engine is not installed (the message names the package).
    """
    program = require(engine)
    (Path(directory) / f"{stem}.tex").write_text(tex, encoding="utf-8")
    return subprocess.run(
        [program, "-interaction=nonstopmode", "-halt-on-error", f"{stem}.tex"],
        cwd=directory,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=300,
    )


def typeset(d: Derivation, directory: str | PathLike[str]) -> Path:
    """Compile ``d.to_latex(standalone=True)`` in ``directory``; the path of the PDF.

    Raises:
        FileNotFoundError: the engine is not installed (the message names the package).
        TypesetError: the engine failed (the message quotes the end of its log).
    """
    return _compile(d, d.to_latex(standalone=True), directory)


def _compile(d: Derivation, tex: str, directory: str | PathLike[str]) -> Path:
    engine, stem = ENGINES[d.lang], _stem(d)
    run = compile_tex(tex, engine, directory, stem=stem)
    if run.returncode != 0:
        tail = run.stdout.strip().splitlines()[-5:]
        raise TypesetError(f"{engine} failed on {stem}.tex: " + " / ".join(tail))
    return Path(directory) / f"{stem}.pdf"


#: White space kept around the text of a page, in pixels.
MARGIN = 12

#: A pixel darker than this (of 255) is ink.
_INK = 250

#: The rule between two pages: its grey level, and the white above and below it.
_RULE, _GAP = 190, 10


def crop(page: np.ndarray, *, columns: tuple[int, int] | None = None) -> np.ndarray:
    """The rows of ``page`` (grey levels, 255 white) that hold ink, with :data:`MARGIN`
    white rows above and below; the columns ``columns`` (lo, hi), else those that hold
    ink with the same margin. A page without ink gives an empty image.

    Example:
        >>> page = np.full((100, 80), 255, np.uint8)
        >>> page[40:45, 30:50] = 0
        >>> crop(page).shape          # 5 rows and 20 columns of ink, and the margins
        (29, 44)
    """
    rows = np.flatnonzero((page < _INK).any(axis=1))
    if rows.size == 0:
        return page[:0]
    if columns is None:
        columns = _ink_columns(page)
    lo, hi = columns
    white = np.full((MARGIN, hi - lo + 2 * MARGIN), 255, np.uint8)
    body = np.pad(
        page[rows[0] : rows[-1] + 1, lo:hi], ((0, 0), (MARGIN, MARGIN)), constant_values=255
    )
    return np.vstack([white, body, white])


def _ink_columns(page: np.ndarray) -> tuple[int, int]:
    cols = np.flatnonzero((page < _INK).any(axis=0))
    return (int(cols[0]), int(cols[-1]) + 1) if cols.size else (0, 0)


def stack(pages: list[np.ndarray]) -> np.ndarray:
    """The pages (grey levels, the same width) cropped to their text with the same columns
    (the union of their ink, so that the text starts at the same place on every page), one
    under the other with a grey rule between two pages.

    Example:
        >>> a = np.full((50, 60), 255, np.uint8); a[10:20, 5:40] = 0
        >>> b = np.full((50, 60), 255, np.uint8); b[5:8, 20:55] = 0
        >>> stack([a, b]).shape       # 10 + 3 rows of ink, margins, a rule; columns 5..54
        (82, 74)
    """
    spans = [_ink_columns(page) for page in pages if (page < _INK).any()]
    if not spans:
        raise ValueError("the document has no ink on any page")
    columns = (min(lo for lo, _ in spans), max(hi for _, hi in spans))
    cropped = [c for c in (crop(page, columns=columns) for page in pages) if c.size]
    width = cropped[0].shape[1]
    rule = np.full((2 * _GAP + 1, width), 255, np.uint8)
    rule[_GAP] = _RULE
    parts = [cropped[0]]
    for page in cropped[1:]:
        parts += [rule, page]
    return np.vstack(parts)


def png(image: np.ndarray) -> bytes:
    """An 8-bit grey image as the bytes of a PNG file (the same bytes for the same image).

    Example:
        >>> png(np.zeros((2, 3), np.uint8))[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
    """
    height, width = image.shape

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    raw = b"".join(b"\x00" + row.tobytes() for row in np.ascontiguousarray(image, np.uint8))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


_PGM = re.compile(rb"P5\s+(\d+)\s+(\d+)\s+255\s")


def _read_pgm(path: Path) -> np.ndarray:
    data = path.read_bytes()
    match = _PGM.match(data)
    if match is None:
        raise TypesetError(f"pdftoppm wrote {path.name} in a form not expected (8-bit PGM)")
    width, height = int(match[1]), int(match[2])
    return np.frombuffer(data, np.uint8, width * height, match.end()).reshape(height, width)


def pages(pdf: str | PathLike[str], *, dpi: int) -> list[np.ndarray]:
    """Every page of ``pdf`` in grey levels (255 white), rendered by pdftoppm at ``dpi``.

    Raises:
        FileNotFoundError: pdftoppm is not installed.
    """
    pdftoppm = require("pdftoppm")
    with tempfile.TemporaryDirectory() as tmp:
        command = [pdftoppm, "-r", str(dpi), "-gray", str(Path(pdf).resolve()), "page"]
        subprocess.run(command, cwd=tmp, check=True, capture_output=True)
        return [_read_pgm(path) for path in sorted(Path(tmp).glob("page*.pgm"), key=_number)]


def _number(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])


def render(d: Derivation, path: str | PathLike[str], *, dpi: int = 90) -> None:
    """Typeset ``d`` and write every page of it, cropped and stacked (:func:`stack`), to
    ``path`` as a PNG image. The page numbers are left out (``\\pagestyle{empty}``): the
    image has no pages to number.

    Raises:
        FileNotFoundError: the engine or pdftoppm is not installed.
        TypesetError: the engine failed.
    """
    tex = d.to_latex(standalone=True).replace(
        "\\begin{document}\n", "\\begin{document}\n\\pagestyle{empty}\n", 1
    )
    with tempfile.TemporaryDirectory() as tmp:
        pdf = _compile(d, tex, tmp)
        Path(path).write_bytes(png(stack(pages(pdf, dpi=dpi))))
