"""Every standalone document compiles: pdflatex in English, xelatex with ctex in Chinese.

Each registered derivation, for a symbolic K and for K = 3, in both languages, is compiled
by its own test in its own temporary directory (so that pytest-xdist spreads the engine
runs, most of the time here, over its workers), its log is searched for errors, for glyphs
the font lacks and for lines wider than the text, and its first page is rendered with
pdftoppm to check that something is printed on it.

A missing engine skips these tests, with the Debian packages to install; under CI
(``CI=true``) it fails them instead, so CI cannot pass without compiling.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

import symsoftmax as ss
from symsoftmax.output.typeset import ENGINES, PACKAGES, compile_tex

#: Log lines that mean the document is wrong, even when the engine exits with 0.
PROBLEMS = ("Undefined control sequence", "Missing character", "LaTeX Error")

#: The least fraction of inked pixels (darker than 90% white) on the first page at 20 dpi:
#: the shortest derivation inks about 1.2% of it, a blank page none.
MIN_INK = 0.002

DOCUMENTS = [
    (name, K, lang) for name in ss.derivations() for K in (None, 3) for lang in ("en", "zh")
]


def _id(document: tuple[str, int | None, str]) -> str:
    name, K, lang = document
    return f"{name}-K{'any' if K is None else K}-{lang}"


@dataclass(frozen=True)
class Compiled:
    """What became of one document: the engine's run."""

    tex: str = field(default="", repr=False)
    returncode: int = 0
    output: str = field(default="", repr=False)
    log: str = field(default="", repr=False)
    ink: float | None = None


def _require(program: str) -> None:
    """Skip (fail under CI) when ``program`` is not installed."""
    if shutil.which(program) is not None:
        return
    message = f"{program} is not installed: apt-get install {PACKAGES[program]}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: the LaTeX documents must be compiled)")
    pytest.skip(message)


def _ink(pdf: Path) -> float:
    """The fraction of inked pixels of the first page, rendered at 20 dpi."""
    from matplotlib.image import imread

    command = f"pdftoppm -r 20 -f 1 -l 1 -gray -png -singlefile {pdf.name} page"
    subprocess.run(command.split(), cwd=pdf.parent, check=True, capture_output=True, timeout=60)
    pixels = np.asarray(imread(pdf.parent / "page.png"))
    return float(np.mean(pixels < 0.9))


def _compile(tex: str, engine: str, directory: Path) -> Compiled:
    run = compile_tex(tex, engine, directory)  # doc.tex, doc.log, doc.pdf
    log_file = directory / "doc.log"
    log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else ""
    pdf = directory / "doc.pdf"
    ink = _ink(pdf) if run.returncode == 0 and pdf.exists() and shutil.which("pdftoppm") else None
    return Compiled(tex, run.returncode, run.stdout[-3000:], log, ink)


def _problems(log: str) -> list[str]:
    """The log's error lines ("! ...") and lines naming a problem, with the next line."""
    lines = log.splitlines()
    return [
        "\n".join(lines[n : n + 2])
        for n, line in enumerate(lines)
        if line.startswith("! ") or any(problem in line for problem in PROBLEMS)
    ]


def _too_wide(log: str, tex: str) -> list[str]:
    """Each overfull line of the log, with the steps of the ``align*`` block it is in."""
    lines = tex.splitlines()
    found = []
    pattern = r"^Overfull \\hbox \((\S+) too wide\) .*?(\d+)$"  # "... at line(s) [N--]M"
    for width, end in re.findall(pattern, log, flags=re.MULTILINE):
        block = lines[: int(end)]
        start = max((n for n, line in enumerate(block) if line == "\\begin{align*}"), default=0)
        steps = re.findall(r"\\intertext\{\\textbf\{(\d+)\.\}", "\n".join(block[start:]))
        found.append(f"{width} wider than the text at line {end}: step {', '.join(steps)}")
    return found


@pytest.mark.parametrize("document", DOCUMENTS, ids=_id)
def test_standalone_document(document: tuple[str, int | None, str], tmp_path: Path) -> None:
    name, K, lang = document
    engine = ENGINES[lang]
    _require(engine)
    _require("pdftoppm")
    tex = ss.derive(name, K=K, lang=lang).to_latex(standalone=True)
    result = _compile(tex, engine, tmp_path)
    assert result.returncode == 0, f"{engine} exited with {result.returncode}:\n{result.output}"
    problems = _problems(result.log)
    assert not problems, f"{engine} reports:\n" + "\n".join(problems)
    assert result.ink is not None and result.ink > MIN_INK, f"blank page: ink {result.ink}"
    # Nothing sticks out into the margin: the page (geometry in printing.py) is wide enough.
    too_wide = _too_wide(result.log, result.tex)
    assert not too_wide, "\n".join(too_wide)


def test_the_checks_catch_what_they_look_for(tmp_path: Path) -> None:
    # A blank page, an undefined command and a formula wider than the text are each caught.
    _require("pdflatex")
    _require("pdftoppm")
    (tmp_path / "blank").mkdir()
    blank = r"\documentclass{article}\begin{document}\thispagestyle{empty}\null\end{document}"
    result = _compile(blank, "pdflatex", tmp_path / "blank")
    assert result.returncode == 0 and result.ink is not None and result.ink <= MIN_INK
    (tmp_path / "broken").mkdir()
    broken = "\n".join(
        [
            r"\documentclass{article}",
            r"\usepackage{amsmath}",
            r"\begin{document}",
            r"\begin{align*}",
            r"\intertext{\textbf{1.} a rule as wide as the page}",
            r"x &= \rule{30cm}{1pt}",
            r"\end{align*}",
            r"\undefined",
            r"\end{document}",
        ]
    )
    result = _compile(broken, "pdflatex", tmp_path / "broken")
    assert result.returncode != 0
    assert any("Undefined control sequence" in problem for problem in _problems(result.log))
    (too_wide,) = _too_wide(result.log, broken)
    assert too_wide.endswith("at line 7: step 1")


def test_typeset_reports_an_engine_failure(tmp_path: Path, monkeypatch) -> None:
    from symsoftmax.output.typeset import TypesetError, typeset

    _require("pdflatex")
    broken = "\\documentclass{article}\\begin{document}\\nosuchmacro\\end{document}\n"
    monkeypatch.setattr(ss.Derivation, "to_latex", lambda self, standalone=False: broken)
    with pytest.raises(TypesetError, match=r"pdflatex failed on normalization-Kany-en\.tex"):
        typeset(ss.derive("normalization"), tmp_path)


def test_typeset_names_the_missing_package(tmp_path: Path, monkeypatch) -> None:
    from symsoftmax.output.typeset import typeset

    monkeypatch.setattr(shutil, "which", lambda program: None)
    with pytest.raises(
        FileNotFoundError, match="xelatex is not installed: apt-get install texlive-xetex"
    ):
        typeset(ss.derive("normalization", lang="zh"), tmp_path)
