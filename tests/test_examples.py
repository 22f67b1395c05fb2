"""docs/examples/odds.py, a user's own derivation, through ``symsoftmax --load`` as a user runs it.

It registers, verifies for any K and K = 3, prints in every format and language (its one
English-only reason visibly marked in Chinese), appears in ``list``, ``show``, ``verify``
and ``docs``; the same file with one step made false fails ``verify`` with exit 1, naming
the step.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import symsoftmax as ss
from symsoftmax import cli

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "odds.py"
NAME = "example_odds"


@pytest.fixture
def loaded() -> Iterator[None]:
    """Unregister what a test's --load registered."""
    yield
    if NAME in ss.derivations():
        ss.unregister(NAME)


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = cli.main(["--load", str(EXAMPLE), *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_it_is_listed_and_verified(loaded, capsys) -> None:
    status, out, _ = run(capsys, "list")
    assert status == 0 and out.split()[-1] == NAME
    ss.unregister(NAME)
    status, out, _ = run(capsys, "verify", NAME)
    rows = out.strip().splitlines()[1:]
    assert status == 0 and len(rows) == 2  # any K, and K = 3
    assert all(row.split()[0] == NAME and "verified" in row for row in rows)


@pytest.mark.parametrize("fmt", ["latex", "markdown", "text"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_it_prints_in_every_format_and_language(loaded, capsys, fmt: str, lang: str) -> None:
    status, out, _ = run(capsys, "show", NAME, "--format", fmt, "--lang", lang)
    assert status == 0
    if lang == "zh":
        assert "两次应用 Softmax 的定义" in out  # given in Chinese
        assert "[zh missing] the common denominator" in out  # not given: visibly missing
    else:
        assert "the definition of softmax, twice" in out and "missing" not in out


def test_its_pages_are_written_by_docs(loaded, capsys, tmp_path: Path, monkeypatch) -> None:
    from symsoftmax.output import docsite

    # the pages of the user's derivation only (the built-in ones: tests/test_docs.py)
    monkeypatch.setattr(docsite, "derivations", lambda: [NAME])
    out_dir = tmp_path / "site"
    status, _, err = run(capsys, "docs", str(out_dir), "--no-figures", "--no-typeset")
    assert status == 0, err
    page = (out_dir / "en" / f"{NAME}.md").read_text(encoding="utf-8")
    assert page.startswith("# The odds of two classes")
    assert NAME in (out_dir / "index.md").read_text(encoding="utf-8")


def test_a_false_step_fails_verify_with_exit_1_naming_it(loaded, capsys, tmp_path: Path) -> None:
    source = EXAMPLE.read_text(encoding="utf-8")
    right = "sp.exp(z[i] - z[j])"
    assert source.count(right) == 1
    broken = tmp_path / "odds_broken.py"
    broken.write_text(source.replace(right, "sp.exp(z[i] + z[j])"), encoding="utf-8")
    status = cli.main(["--load", str(broken), "verify", NAME, "--k", "any"])
    out = capsys.readouterr().out
    assert status == 1
    assert "FAILED" in out and "step 3 (odds)" in out


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_verify_in_forked_processes_reports_the_same(
    loaded, capsys, tmp_path: Path, jobs: str
) -> None:
    # --jobs 2 verifies (name, K) pairs in forked processes, which inherit the derivation
    # registered by --load; the table, its order and the exit status are those of --jobs 1.
    source = EXAMPLE.read_text(encoding="utf-8")
    broken = tmp_path / "odds_broken.py"
    broken.write_text(
        source.replace("sp.exp(z[i] - z[j])", "sp.exp(z[i] + z[j])"), encoding="utf-8"
    )
    args = ["--load", str(broken), "verify", NAME, "--k", "any", "--k", "3", "--jobs", jobs]
    status = cli.main(args)
    rows = [line.split()[:4] for line in capsys.readouterr().out.splitlines()[1:]]
    assert status == 1
    assert rows == [[NAME, "any", "3", "FAILED"], [NAME, "3", "3", "FAILED"]]
    ss.unregister(NAME)
    assert (
        cli.main(["--load", str(EXAMPLE), "verify", NAME, "--k", "any", "--k", "3", "--jobs", jobs])
        == 0
    )
    rows = [line.split()[:4] for line in capsys.readouterr().out.splitlines()[1:]]
    assert rows == [[NAME, "any", "3", "verified"], [NAME, "3", "3", "verified"]]
