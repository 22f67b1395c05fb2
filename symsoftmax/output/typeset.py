"""Typeset a derivation with a real TeX engine: a PDF, and its first page as a PNG image.

English documents (``article``) are compiled with pdflatex, Chinese ones (``ctexart``) with
xelatex; pdftoppm (poppler) renders a page. These are Debian packages, not Python ones:
a missing program raises :class:`FileNotFoundError` naming the package to install.

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

import shutil
import subprocess
from os import PathLike
from pathlib import Path

from ..engine import Derivation
from ..errors import SymsoftmaxError
from .languages import RESOURCES

__all__ = [
    "ENGINES",
    "PACKAGES",
    "TypesetError",
    "compile_tex",
    "render",
    "require",
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
    engine, stem = ENGINES[d.lang], _stem(d)
    run = compile_tex(d.to_latex(standalone=True), engine, directory, stem=stem)
    if run.returncode != 0:
        tail = run.stdout.strip().splitlines()[-5:]
        raise TypesetError(f"{engine} failed on {stem}.tex: " + " / ".join(tail))
    return Path(directory) / f"{stem}.pdf"


def render(d: Derivation, path: str | PathLike[str], *, dpi: int = 60) -> None:
    """Typeset ``d`` and write its first page to ``path`` as a PNG image.

    Raises:
        FileNotFoundError: the engine or pdftoppm is not installed.
        TypesetError: the engine failed.
    """
    import tempfile

    pdftoppm = require("pdftoppm")
    target = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = typeset(d, tmp)
        command = [pdftoppm, "-r", str(dpi), "-f", "1", "-l", "1", "-png", "-singlefile"]
        subprocess.run([*command, pdf.name, "page"], cwd=tmp, check=True, capture_output=True)
        shutil.copyfile(Path(tmp) / "page.png", target)
