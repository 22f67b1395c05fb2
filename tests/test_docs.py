"""The generated documentation: docs/ is exactly what the code generates, and it is well formed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import symsoftmax as ss
from symsoftmax import gallery
from symsoftmax.cli import main
from symsoftmax.output import docsite

DOCS = Path(__file__).resolve().parent.parent / "docs"
REGENERATE = "regenerate it with `symsoftmax docs docs` and commit the result"


#: Typesetting needs TeX (Debian packages, installed by .ci/run); without it that part of
#: docs/ is not regenerated here (under CI=true the compile tests fail instead).
TEX = all(shutil.which(program) for program in ("pdflatex", "xelatex", "pdftoppm"))


def _generated(root: Path) -> set[str]:
    """The files the generator owns under root (docs/ also holds hand-written files)."""
    owned = [root / "index.md", *root.glob("en/*.md"), *root.glob("zh/*.md")]
    owned += root.glob("figures/*.png")
    if TEX:
        owned += root.glob("typeset/*.png")
    return {p.relative_to(root).as_posix() for p in owned if p.is_file()}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("matplotlib")
    root = tmp_path_factory.mktemp("docs")
    docsite.write(root, figures=gallery.drawers(), typeset=TEX)
    return root


def test_docs_directory_is_what_the_code_generates(fresh: Path) -> None:
    assert _generated(fresh) == _generated(DOCS), f"docs/ holds other files: {REGENERATE}"
    for name in sorted(_generated(fresh)):
        if name.endswith(".md"):
            new = (fresh / name).read_text(encoding="utf-8")
            assert new == (DOCS / name).read_text(encoding="utf-8"), f"docs/{name}: {REGENERATE}"


def test_figures_match_the_committed_ones(fresh: Path) -> None:
    # Pixels, not bytes: antialiasing may differ slightly across matplotlib and TeX builds,
    # but a moved or missing curve, bar or glyph changes many pixels by far more than 0.25
    # (one curve of the sigmoid figure is about 0.4% of its pixels).
    from matplotlib.image import imread

    for name in sorted(n for n in _generated(fresh) if n.endswith(".png")):
        new, old = imread(fresh / name), imread(DOCS / name)
        assert new.shape == old.shape, f"docs/{name} changed size: {REGENERATE}"
        changed = np.abs(new - old).reshape(*new.shape[:2], -1).max(axis=-1) > 0.25
        assert float(np.mean(changed)) < 5e-4, f"docs/{name} differs: {REGENERATE}"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", ss.derivations())
def test_page_has_every_step_and_balanced_math(name: str, lang: str) -> None:
    text = docsite.page(name, lang=lang, figures=gallery.NAMES)
    rows = [line for line in text.splitlines() if re.match(r"\| \d+ \|", line)]
    steps = len(ss.derive(name).steps) + len(ss.derive(name, K=3).steps)
    assert len(rows) == steps  # one table row per step, any K and K = 3
    for row in rows:
        # three cells: a pipe inside a formula must be escaped
        assert len(re.split(r"(?<!\\)\|", row)) == 5, row
    assert text.count("$$") == 2  # the result block
    assert text.count("$`") == text.count("`$")  # inline math is GitHub's literal form
    assert re.search(r"(?<![`$])\$(?![`$])", text.replace("$$", "")) is None, "bare $ math"


def test_page_shows_the_result_and_links_both_languages() -> None:
    en = docsite.page("jacobian", figures=gallery.NAMES)
    zh = docsite.page("jacobian", lang="zh", figures=gallery.NAMES)
    result = r"\left(\delta_{i j} - \sigma(\mathbf{z})_{j}\right) \sigma(\mathbf{z})_{i}"
    assert result in en and result in zh
    assert "[中文](../zh/jacobian.md)" in en and "[English](../en/jacobian.md)" in zh
    assert "商的求导法则" in zh and "quotient rule" in en
    assert "![jacobian](../figures/jacobian.png)" in en


def test_index_lists_every_derivation_in_both_languages() -> None:
    text = docsite.index()
    for name in ss.derivations():
        assert f"(en/{name}.md)" in text and f"(zh/{name}.md)" in text


def test_bad_page_requests() -> None:
    with pytest.raises(ValueError, match="unknown derivation"):
        docsite.page("nope")
    with pytest.raises(ValueError, match="lang must be one of"):
        docsite.page("jacobian", lang="xx")


def test_nothing_is_written_when_a_derivation_fails(tmp_path: Path, monkeypatch) -> None:
    def broken(self, **_: object) -> bool:
        raise ss.VerificationError(self.name, 1, "broken on purpose")

    monkeypatch.setattr(ss.Derivation, "verify", broken)
    with pytest.raises(ss.VerificationError):
        docsite.write(tmp_path / "out", figures=None, typeset=False)
    assert list((tmp_path / "out").iterdir()) == []  # made, and left empty


def test_cli_docs_writes_pages(tmp_path: Path, capsys) -> None:
    assert main(["docs", str(tmp_path), "--no-figures", "--no-typeset"]) == 0
    assert (tmp_path / "index.md").is_file() and (tmp_path / "zh" / "jacobian.md").is_file()
    assert not (tmp_path / "figures").exists() and not (tmp_path / "typeset").exists()
    # and no page links to a file that was not written
    assert "](../figures/" not in (tmp_path / "en" / "jacobian.md").read_text(encoding="utf-8")
    assert "](../typeset/" not in (tmp_path / "en" / "jacobian.md").read_text(encoding="utf-8")
    assert "index.md" in capsys.readouterr().out


def test_cli_docs_unwritable_directory(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["docs", str(blocker / "sub"), "--no-figures", "--no-typeset"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("symsoftmax: error:") and err.count("\n") == 1 and "Traceback" not in err


def test_workflow_script_runs(capsys) -> None:
    import runpy

    runpy.run_path(str(DOCS / "workflow.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "verified: True" in out
    # d/dz_j of the cross-entropy of softmax(beta z) is beta (sigma_j - y_j), by hand
    assert "d loss / d z_j = -beta*(-σ(beta*z)[j] + y[j])" in out
    # J_12 = -s_1 s_2 at (803, 800, 0): s_1 = 1 / (1 + e^-3), s_2 = e^-3 s_1 (e^-803 negligible)
    s1 = 1 / (1 + np.exp(-3.0))
    value = float(re.search(r"J\(803, 800, 0\)\[0, 1\] = (\S+)", out).group(1))
    assert value == pytest.approx(-s1 * s1 * np.exp(-3.0), rel=1e-14)


def test_cli_docs_without_tex_names_the_packages(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda program: None)  # no TeX on this machine
    assert main(["docs", str(tmp_path), "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert (
        "is not installed: apt-get install" in err
        and "--no-typeset" in err
        and err.count("\n") == 1
    )


def test_cli_docs_refuses_an_empty_directory(capsys) -> None:
    assert main(["docs", ""]) == 2
    assert "directory" in capsys.readouterr().err
