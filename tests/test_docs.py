"""The generated documentation: docs/ is exactly what the code generates, and it is well formed;
writing it never overwrites a file it did not write, and is all or nothing."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import symsoftmax as ss
from symsoftmax import gallery
from symsoftmax.cli import main
from symsoftmax.output import docsite
from symsoftmax.output.printing import markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"
REGENERATE = "regenerate it with `symsoftmax docs docs` and commit the result"


#: Typesetting needs TeX (Debian packages, installed by .ci/run); without it that part of
#: docs/ is not regenerated here (under CI=true the compile tests fail instead).
TEX = all(shutil.which(program) for program in ("pdflatex", "xelatex", "pdftoppm"))

try:
    import matplotlib  # noqa: F401

    PLOT = True
except ImportError:  # the 'plot' extra: without it the figures are not regenerated here
    PLOT = False


def _generated(root: Path) -> set[str]:
    """The files the generator owns under root (docs/ also holds hand-written files)."""
    owned = [root / "index.md", *root.glob("en/*.md"), *root.glob("zh/*.md")]
    owned += root.glob("figures/*.png")
    if TEX:
        owned += root.glob("typeset/*.png")
    return {p.relative_to(root).as_posix() for p in owned if p.is_file()}


def _listed(root: Path) -> set[str]:
    """The files that root's manifest says the generator wrote."""
    return set((root / docsite.MANIFEST).read_text(encoding="utf-8").splitlines())


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole site, generated once for every test that only reads it.

    Without the verification, which takes most of the time: every derivation is verified
    for any K and for K = 3 by tests/test_engine.py, and that write() verifies before it
    writes is tested below (test_nothing_is_written_when_a_derivation_fails).
    """
    root = tmp_path_factory.mktemp("docs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ss.Derivation, "verify", lambda self, **_: True)
        docsite.write(root, figures=gallery.drawers() if PLOT else None, typeset=TEX)
    return root


def test_docs_directory_is_what_the_code_generates(fresh: Path) -> None:
    if not PLOT:
        pytest.skip("the figures of docs/ need matplotlib, the 'plot' extra")
    assert _generated(fresh) == _generated(DOCS), f"docs/ holds other files: {REGENERATE}"
    for name in sorted(_generated(fresh)):
        if name.endswith(".md"):
            new = (fresh / name).read_text(encoding="utf-8")
            assert new == (DOCS / name).read_text(encoding="utf-8"), f"docs/{name}: {REGENERATE}"


def test_docs_manifest_lists_what_the_generator_writes(fresh: Path) -> None:
    if not PLOT:
        pytest.skip("the figures of docs/ need matplotlib, the 'plot' extra")
    # docs/ is written by the generator, so `symsoftmax docs docs` may rewrite it: every
    # generated file is listed, and nothing hand-written (performance.md, workflow.py) is
    assert _listed(fresh) == _generated(fresh)
    typeset = {name for name in _listed(DOCS) if name.startswith("typeset/")}
    assert _listed(DOCS) - (set() if TEX else typeset) == _listed(fresh), REGENERATE
    assert {"performance.md", "workflow.py"}.isdisjoint(_listed(DOCS))


def test_figures_match_the_committed_ones(fresh: Path) -> None:
    # Pixels, not bytes: antialiasing may differ slightly across matplotlib and TeX builds,
    # but a moved or missing curve, bar or glyph changes many pixels by far more than 0.25
    # (one curve of the sigmoid figure is about 0.4% of its pixels).
    pytest.importorskip("matplotlib")
    from matplotlib.image import imread

    for name in sorted(n for n in _generated(fresh) if n.endswith(".png")):
        new, old = imread(fresh / name), imread(DOCS / name)
        assert new.shape == old.shape, f"docs/{name} changed size: {REGENERATE}"
        changed = np.abs(new - old).reshape(*new.shape[:2], -1).max(axis=-1) > 0.25
        assert float(np.mean(changed)) < 5e-4, f"docs/{name} differs: {REGENERATE}"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", ss.derivations())
def test_page_has_every_step_and_balanced_math(name: str, lang: str, fresh: Path) -> None:
    text = (fresh / lang / f"{name}.md").read_text(encoding="utf-8")  # docsite.page's text
    numbers = [int(n) for n in re.findall(r"\\textbf\{(\d+)\.\}", text)]
    d, d3 = ss.derive(name, lang=lang), ss.derive(name, K=3, lang=lang)
    # every step once, numbered in order, for any K and then for K = 3
    assert numbers == [*range(1, len(d.steps) + 1), *range(1, len(d3.steps) + 1)]
    # the chains are printing.markdown's, in aligned displays (no table of steps)
    blocks = re.findall(r"\$\$\n\\begin\{aligned\}.*?\$\$", markdown(d), re.DOTALL)
    assert blocks and all(block in text for block in blocks)
    assert text.count(r"\begin{aligned}") == text.count(r"\end{aligned}") >= 2
    assert not re.search(r"^\| \d+ \|", text, re.MULTILINE)
    assert text.count("$$") % 2 == 0 and text.startswith(f"# {d.title.split('$')[0]}")
    assert text.count("$`") == text.count("`$")  # inline math is GitHub's literal form
    outside = re.sub(r"\$\$.*?\$\$", "", text, flags=re.DOTALL)
    assert re.search(r"(?<![`$])\$(?![`$])", outside) is None, "bare $ math"


def test_page_shows_the_result_the_figure_and_links_both_languages() -> None:
    from symsoftmax.output.printing import expr_latex

    figures = gallery.drawers()
    en = docsite.page("jacobian", figures=figures)
    zh = docsite.page("jacobian", lang="zh", figures=figures)
    result = expr_latex(ss.derive("jacobian").result)
    assert f"$$\n{result}\n$$" in en and f"$$\n{result}\n$$" in zh
    assert "[中文](../zh/jacobian.md)" in en and "[English](../en/jacobian.md)" in zh
    assert "商的求导法则" in zh and "quotient rule" in en
    # each language its own figure, with its caption
    assert "![jacobian](../figures/jacobian-en.png)" in en and "jacobian-zh" not in en
    assert "![jacobian](../figures/jacobian-zh.png)" in zh and "jacobian-en" not in zh
    assert "measured on the plotted numbers" in en and "由图中的数值算出" in zh
    # every page of the typeset document
    assert "![jacobian](../typeset/jacobian-en.png)" in en and "Every page" in en
    # the simplex figure is on the shift-invariance page
    page = docsite.page("shift_invariance", lang="zh", figures=figures)
    assert "![simplex](../figures/simplex-zh.png)" in page and "开三角形" in page
    # a figure not drawn is not linked
    assert "](../figures/" not in docsite.page("jacobian", figures={"jacobian-zh": None})


def test_index_lists_every_derivation_by_title_in_both_languages(fresh: Path) -> None:
    text = (fresh / "index.md").read_text(encoding="utf-8")  # docsite.index's text
    for name in ss.derivations():
        en, zh = ss.derive(name).title, ss.derive(name, lang="zh").title
        assert f"(en/{name}.md)" in text and f"(zh/{name}.md)" in text
        if "$" not in en + zh:  # a title with math is linked in GitHub's inline form
            assert f"[{en}](en/{name}.md)" in text and f"[{zh}](zh/{name}.md)" in text
    assert "(en/worked-example.md)" in text and "(zh/worked-example.md)" in text


def test_index_has_the_notation_and_the_references(fresh: Path) -> None:
    text = (fresh / "index.md").read_text(encoding="utf-8")
    notation = text.split("## Notation / 记号")[1].split("## References")[0]
    # the decided notation: J = d sigma / dz, the cost L(Theta), y only for targets,
    # the null direction 1 psi^T, Sigma_K, samples s and features a, positions t
    for symbol in (
        r"$`J = \partial\sigma/\partial\mathbf{z}`$",
        r"$`L(\Theta)`$",
        r"$`\mathbf{y}`$",
        r"$`\mathbf{1}\psi^T`$",
        r"$`\Sigma_K = \sum_k e^{z_k}`$",
        r"$`s,\ a`$",
        r"$`t`$",
    ):
        assert symbol in notation
    assert "never an output" in notation and "从不表示输出" in notation
    assert "τ" in notation
    references = text.split("## References / 参考文献")[1]
    items = re.findall(r"^\d+\. (.+)$", references, re.MULTILINE)
    assert len(items) == 5
    for words in (
        "source note",
        "UFLDL",
        "Bishop",
        "§4.3.4",
        "Goodfellow",
        "§6.2.2.3",
        "Blanchard, D. J. Higham and N. J. Higham",
        "IMA Journal of Numerical Analysis",
    ):
        assert words in references


# -- the worked example ------------------------------------------------------------------------


def _mp_softmax(z: list[float]) -> list[float]:
    """e^{z_k} / sum_j e^{z_j} at 50 digits (mpmath), an oracle independent of ss.numeric."""
    import mpmath

    with mpmath.workdps(50):
        e = [mpmath.exp(mpmath.mpf(v)) for v in z]
        return [float(v / mpmath.fsum(e)) for v in e]


def _rows(text: str, heading: str) -> list[list[str]]:
    """The cells of the table under the heading that starts with ``heading``."""
    section = text.split(f"\n## {heading}")[1].split("\n## ")[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_worked_example_numbers_are_the_independent_ones(lang: str, fresh: Path) -> None:
    text = (fresh / lang / "worked-example.md").read_text(encoding="utf-8")
    assert text == docsite.worked_example(lang)
    z = [2.0, 1.0, 0.1]
    s = _mp_softmax(z)
    g = "{:.4g}".format
    heads = {"en": ("Exponentials", "The same", "Temperature", "The Jacobian", "The gradient")}
    heads["zh"] = ("指数", "减去", "温度", "雅可比矩阵", "独热目标")
    exp, shift, temperature, jac, grad = heads[lang]

    rows = _rows(text, exp)
    for k in range(3):  # k, z_k, e^{z_k}, e^{z_k} / Sigma, softmax(z)
        assert rows[k] == [str(k + 1), g(z[k]), g(np.exp(z[k])), g(s[k]), g(s[k])]
    assert rows[3][2] == g(sum(np.exp(z))) == "11.21"

    rows = _rows(text, shift)  # z - max: the largest exponent is 0 and sigma is the same
    assert [r[1] for r in rows[:3]] == ["0", "-1", "-1.9"]
    assert [r[3] for r in rows[:3]] == [g(v) for v in s]

    rows = _rows(text, temperature)  # beta, sigma_1..3, log(s1/s2), beta(z1 - z2), s2 - s3
    for row, beta in zip(rows, (0.5, 1.0, 2.0), strict=True):
        sb = _mp_softmax([beta * v for v in z])
        assert row[0] == g(beta) and row[1:4] == [g(v) for v in sb]
        assert row[4] == row[5] == g(beta * (z[0] - z[1]))  # the log-ratio scales with beta
        assert row[6] == f"{sb[1] - sb[2]:.3g}"
    # the absolute gap sigma_2 - sigma_3 shrinks from beta = 1 to beta = 2 (issue 12)
    assert [r[6] for r in rows[1:]] == ["0.144", "0.0976"]

    rows = _rows(text, jac)  # J = diag(s) - s s^T, and each row's sum
    for i, row in enumerate(rows):
        assert row[1:4] == [g((i == j) * s[i] - s[i] * s[j]) for j in range(3)]
        assert abs(float(row[4])) < 1e-15

    rows = _rows(text, grad)  # one-hot y at class 1: the gradient sigma - y
    y = [1.0, 0.0, 0.0]
    for k, row in enumerate(rows):
        assert row[1:] == [g(y[k]), g(s[k]), g(s[k] - y[k]), g(s[k] - y[k])]
    assert g(-np.log(s[0])) in text  # the loss -log sigma_1


def test_worked_example_is_computed_not_typed(monkeypatch) -> None:
    monkeypatch.setattr(docsite, "WORKED_Z", (0.0, 0.0, 0.0))
    text = docsite.worked_example("en")
    assert text.startswith("# A worked example: $`\\mathbf{z} = (0, 0, 0)`$")
    assert "| 1 | 0 | 1 | 0.3333 | 0.3333 |" in text  # uniform
    assert "7.389" not in text


def test_bad_page_requests() -> None:
    with pytest.raises(ValueError, match="unknown derivation"):
        docsite.page("nope")
    with pytest.raises(ValueError, match="lang must be one of"):
        docsite.page("jacobian", lang="xx")


# -- writing: never over a file it did not write, all or nothing ------------------------------

#: The few derivations of the site written by the tests below (the whole site is `fresh`).
FEW = ["normalization", "range"]


@pytest.fixture
def few(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """write() documents FEW only; pages of it: index.md, en/NAME.md, zh/NAME.md, and the
    worked examples."""
    monkeypatch.setattr(docsite, "derivations", lambda: list(FEW))
    pages = [f"{lang}/{name}.md" for lang in ("en", "zh") for name in FEW]
    return ["index.md", *pages, "en/worked-example.md", "zh/worked-example.md"]


def _draw(path: Path) -> None:
    path.write_bytes(b"a figure")


def _snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (hidden ones too) and its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def no_verify(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Count the verifications instead of doing them (write's verification is tested above)."""
    verified: list[str] = []

    def verify(self: ss.Derivation, **_: object) -> bool:
        verified.append(self.name)
        return True

    monkeypatch.setattr(ss.Derivation, "verify", verify)
    yield verified


def test_write_lists_what_it_wrote_in_a_manifest(tmp_path: Path, few, no_verify) -> None:
    written = docsite.write(tmp_path, figures={"sigmoid": _draw}, typeset=False)
    assert sorted(no_verify) == sorted(FEW * 2)  # each verified, for any K and for K = 3
    assert written == [tmp_path / rel for rel in [*few, "figures/sigmoid.png"]]
    assert _listed(tmp_path) == {*few, "figures/sigmoid.png"}
    lines = (tmp_path / docsite.MANIFEST).read_text(encoding="utf-8").splitlines()
    assert lines == sorted(lines)  # one relative path a line, in a stable order


def test_write_rewrites_its_own_files_and_leaves_the_others(tmp_path: Path, few, no_verify):
    docsite.write(tmp_path, figures={"sigmoid": _draw}, typeset=False)
    (tmp_path / "notes.md").write_text("mine", encoding="utf-8")
    (tmp_path / "index.md").write_text("stale", encoding="utf-8")
    # without figures this time: the figure stays listed, so a later run may rewrite it
    docsite.write(tmp_path, figures=None, typeset=False)
    assert (tmp_path / "index.md").read_text(encoding="utf-8") == docsite.index()
    assert (tmp_path / "notes.md").read_text(encoding="utf-8") == "mine"
    assert "figures/sigmoid.png" in _listed(tmp_path) and "notes.md" not in _listed(tmp_path)
    docsite.write(tmp_path, figures={"sigmoid": _draw}, typeset=False)


def test_write_refuses_to_overwrite_a_file_it_did_not_write(tmp_path: Path, few, no_verify):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "range.md").write_text("my own notes", encoding="utf-8")
    with pytest.raises(docsite.OverwriteError, match=r"range\.md exists and was not written") as e:
        docsite.write(tmp_path, figures=None, typeset=False)
    assert e.value.path == tmp_path / "en" / "range.md" and "force=True" in str(e.value)
    assert no_verify == []  # refused before any work
    assert _snapshot(tmp_path) == {"en/range.md": b"my own notes"}  # nothing written
    docsite.write(tmp_path, figures=None, typeset=False, force=True)
    assert (tmp_path / "en" / "range.md").read_text(encoding="utf-8").startswith("# ")
    assert "en/range.md" in _listed(tmp_path)


def test_write_checks_the_directory_before_verifying(tmp_path: Path, few, no_verify) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(NotADirectoryError):
        docsite.write(blocker / "sub", figures=None, typeset=False)
    assert no_verify == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_nothing_is_written_when_a_derivation_fails(tmp_path: Path, monkeypatch) -> None:
    def broken(self, **_: object) -> bool:
        raise ss.VerificationError(self.name, 1, "broken on purpose")

    monkeypatch.setattr(ss.Derivation, "verify", broken)
    with pytest.raises(ss.VerificationError, match="broken on purpose"):
        docsite.write(tmp_path / "out", figures=None, typeset=False)
    assert list(tmp_path.iterdir()) == []  # not even the directory, nor a staging one


def test_nothing_is_written_when_a_figure_fails(tmp_path: Path, few, no_verify) -> None:
    site = tmp_path / "site"
    docsite.write(site, figures=None, typeset=False)
    (site / "index.md").write_text("the old index", encoding="utf-8")
    before = _snapshot(site)

    def fails(path: Path) -> None:  # the last file to make: every page is made by then
        raise RuntimeError("the figure failed")

    with pytest.raises(RuntimeError, match="the figure failed"):
        docsite.write(site, figures={"sigmoid": _draw, "jacobian": fails}, typeset=False)
    assert _snapshot(site) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # the staging one is gone


def test_a_failed_move_puts_back_what_was_there(tmp_path: Path, few, no_verify, monkeypatch):
    site = tmp_path / "site"
    docsite.write(site, figures=None, typeset=False)
    (site / "index.md").write_text("the old index", encoding="utf-8")
    before = _snapshot(site)
    replace, failed = os.replace, []

    def fails_at_the_manifest(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        # the new manifest, the last file to move in, does not go in (the first time only)
        if Path(dst) == site / docsite.MANIFEST and not failed:
            failed.append(src)
            raise OSError("no space left on device")
        replace(src, dst)

    monkeypatch.setattr(os, "replace", fails_at_the_manifest)
    with pytest.raises(OSError, match="no space left"):
        docsite.write(site, figures={"sigmoid": _draw}, typeset=False)
    assert _snapshot(site) == before  # the new index and figure moved in, and out again
    assert not (site / "figures").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


# -- the docs command ------------------------------------------------------------------------


def test_cli_docs_writes_pages(tmp_path: Path, few, capsys) -> None:
    assert main(["docs", str(tmp_path), "--no-figures", "--no-typeset"]) == 0
    assert (tmp_path / "index.md").is_file() and (tmp_path / "zh" / "range.md").is_file()
    assert not (tmp_path / "figures").exists() and not (tmp_path / "typeset").exists()
    # and no page links to a file that was not written
    assert "](../figures/" not in (tmp_path / "en" / "range.md").read_text(encoding="utf-8")
    assert "](../typeset/" not in (tmp_path / "en" / "range.md").read_text(encoding="utf-8")
    assert _listed(tmp_path) == set(few)
    assert f"Wrote {len(few)} files to {tmp_path}: index.md" in capsys.readouterr().out


def test_cli_docs_refuses_to_overwrite_unless_forced(tmp_path: Path, few, no_verify, capsys):
    (tmp_path / "index.md").write_text("my index", encoding="utf-8")
    assert main(["docs", str(tmp_path), "--no-figures", "--no-typeset"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert f"refusing to overwrite {tmp_path / 'index.md'}" in err and "--force overwrites" in err
    assert (tmp_path / "index.md").read_text(encoding="utf-8") == "my index"
    assert no_verify == []
    assert main(["docs", str(tmp_path), "--no-figures", "--no-typeset", "--force"]) == 0
    assert (tmp_path / "index.md").read_text(encoding="utf-8") == docsite.index()


def test_cli_docs_exits_1_when_a_derivation_fails(tmp_path: Path, few, monkeypatch, capsys):
    def broken(self, **_: object) -> bool:
        raise ss.VerificationError(self.name, 2, "broken on purpose", label="total")

    monkeypatch.setattr(ss.Derivation, "verify", broken)
    assert main(["docs", str(tmp_path / "out"), "--no-figures", "--no-typeset"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert "derivation 'normalization', step 2 (total): broken on purpose" in err
    assert list(tmp_path.iterdir()) == []


def test_cli_docs_unwritable_directory(tmp_path: Path, no_verify, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["docs", str(blocker / "sub"), "--no-figures", "--no-typeset"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("symsoftmax: error:") and err.count("\n") == 1 and "Traceback" not in err
    assert "cannot write the documentation to" in err
    assert no_verify == []  # found before the verification


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
    assert list(tmp_path.iterdir()) == []


def test_cli_docs_refuses_an_empty_directory(capsys) -> None:
    assert main(["docs", ""]) == 2
    assert "expected a directory to write the documentation to" in capsys.readouterr().err
