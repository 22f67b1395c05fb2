"""The command line: output, exit status 0 / 1 / 2, one-line errors without traceback.

Exit 2 is a usage error (found by the parser, before any work), 1 a failure of the toolkit
(a ``SymsoftmaxError``); anything else is a bug and propagates. ``--load FILE.py`` imports a
user's file that registers derivations before the command's arguments are checked.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sympy as sp

import symsoftmax as ss
from symsoftmax import cli, gallery
from symsoftmax.output import printing


def one_line_error(err: str, words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symsoftmax: error:"), err
    assert words in lines[0], err
    assert "Traceback" not in err


def test_list_names_every_derivation(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["list"]) == 0
    assert capsys.readouterr().out.split() == ss.derivations()


@pytest.mark.parametrize(
    ("fmt", "marker"), [("latex", r"\begin{align*}"), ("markdown", "$$"), ("text", "σ(z)[i]")]
)
def test_show_prints_each_format(fmt: str, marker: str, capsys) -> None:
    assert cli.main(["show", "jacobian", "--format", fmt]) == 0
    assert marker in capsys.readouterr().out


def test_show_standalone_latex_in_chinese(capsys) -> None:
    assert (
        cli.main(["show", "range", "--k", "3", "--format", "latex", "--standalone", "--lang", "zh"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("\\documentclass{ctexart}") and out.rstrip().endswith("\\end{document}")
    assert "通分" in out


def test_verify_prints_a_table_and_exits_0(capsys) -> None:
    assert cli.main(["verify", "normalization", "shift_invariance", "--k", "any", "--k", "4"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert rows[0].split()[:3] == ["derivation", "K", "steps"]
    assert len(rows) == 1 + 2 * 2
    assert all("verified" in row for row in rows[1:])


def test_verify_exits_1_when_a_step_is_false(monkeypatch, capsys) -> None:
    d = ss.derive("normalization")
    total = d.step("sum_is_one").expr
    broken = d.replace_step("sum_is_one", sp.Eq(total.lhs, 2, evaluate=False))
    monkeypatch.setattr(cli, "derive", lambda name, K=None, lang="en": broken)
    assert cli.main(["verify", "normalization", "--k", "any"]) == 1
    assert "FAILED" in capsys.readouterr().out


# -- usage errors: exit 2, one line, before any work ------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["show", "nope"], "unknown derivation 'nope'; known derivations: definition"),
        (["verify", "nope"], "unknown derivation 'nope'"),
        (["verify", "normalization", "nope"], "unknown derivation 'nope'"),
        (["show", "jacobian", "--k", "1"], "K must be an int from 2 to 64 or 'any', got 1"),
        (["show", "jacobian", "--k", "2.5"], "K must be an int from 2 to 64 or 'any', got '2.5'"),
        (["verify", "jacobian", "--k", "0"], "K must be an int from 2 to 64 or 'any', got 0"),
        (
            ["show", "normalization", "--k", "100000000000000000000"],
            "from 2 to 64 or 'any', got 1000",
        ),
        (["verify", "jacobian", "--k", "65"], "K must be an int from 2 to 64 or 'any', got 65"),
        (["show", "jacobian", "--lang", "xx"], "invalid choice: 'xx'"),
        (["show", "jacobian", "--standalone"], "--standalone goes with --format latex"),
        (["codegen", "nope"], "unknown numeric function 'nope'; known: softmax"),
        (["docs", ""], "expected a directory to write the documentation to, got ''"),
        (["--load", "no/such/file.py", "list"], "cannot load 'no/such/file.py': no such file"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "the following arguments are required: command"),
    ],
)
def test_usage_errors_exit_2_with_one_line_before_any_work(
    args: list[str], words: str, monkeypatch, capsys
) -> None:
    def no_work(*_: object, **__: object) -> None:
        raise AssertionError("a usage error must be found before any derivation is built")

    monkeypatch.setattr(cli, "derive", no_work)
    assert cli.main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    one_line_error(err, words)


def test_python_m_symsoftmax_usage_error_exits_2_with_one_line() -> None:
    # the entry point itself, in a subprocess: exit status, stderr, no traceback
    result = subprocess.run(
        [sys.executable, "-m", "symsoftmax", "show", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and result.stdout == ""
    one_line_error(result.stderr, "known derivations: definition")


# -- toolkit failures exit 1; bugs propagate --------------------------------------------------


def test_a_toolkit_error_exits_1_with_one_line(monkeypatch, capsys) -> None:
    def fails(*_: object, **__: object) -> str:
        raise ss.SymsoftmaxError("the printer failed\non two lines")

    monkeypatch.setattr(printing, "text", fails)  # what Derivation.to_text calls
    assert cli.main(["show", "normalization"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    one_line_error(err, "the printer failed / on two lines")


def test_a_value_error_inside_the_toolkit_is_a_bug_not_a_usage_error(monkeypatch, capsys) -> None:
    # Bad input is caught by the parser; a ValueError raised deep inside a command is a bug,
    # which must surface with its traceback, not be reported as a typo (exit 2).
    def broken(*_: object, **__: object) -> str:
        raise ValueError("an internal failure")

    monkeypatch.setattr(printing, "text", broken)
    with pytest.raises(ValueError, match="an internal failure"):
        cli.main(["show", "normalization"])
    assert capsys.readouterr().err == ""


# -- --load FILE.py ---------------------------------------------------------------------------

ODDS = "user_odds"

#: A user's file: sigma_i / sigma_j = exp(z_i - z_j), in two steps.
ODDS_FILE = f"""
import sympy as sp
import symsoftmax as ss


@ss.derivation({ODDS!r}, title="The odds of two classes", result="odds")
def build(S):
    i, j = S.i, S.j
    return [
        ss.Line(
            sp.Eq(S.sigma(i) / S.sigma(j), sp.exp(S.z[i]) / sp.exp(S.z[j])),
            "the definition; the normalizers cancel",
            label="ratio",
        ),
        ss.Line(
            sp.Eq(S.sigma(i) / S.sigma(j), sp.exp(S.z[i] - S.z[j])),
            "a quotient of exponentials",
            label="odds",
        ),
    ]
"""


@pytest.fixture
def odds_file(tmp_path: Path) -> Iterator[Path]:
    """A user's file that registers ``user_odds``; unregistered afterwards."""
    path = tmp_path / "user_derivations.py"
    path.write_text(ODDS_FILE, encoding="utf-8")
    yield path
    if ODDS in ss.derivations():
        ss.unregister(ODDS)


def test_load_registers_for_list_and_show(odds_file: Path, capsys) -> None:
    assert ODDS not in ss.derivations()
    assert cli.main(["--load", str(odds_file), "list"]) == 0
    assert capsys.readouterr().out.split()[-1] == ODDS
    # the name is checked by the parser, after --load has registered it
    assert cli.main(["show", ODDS, "--format", "text"]) == 0
    assert capsys.readouterr().out.startswith("The odds of two classes")


def test_load_registers_for_verify(odds_file: Path, capsys) -> None:
    assert cli.main(["--load", str(odds_file), "verify", ODDS, "--k", "any", "--k", "3"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()[1:]
    assert [row.split()[:4] for row in rows] == [
        [ODDS, "any", "2", "verified"],
        [ODDS, "3", "2", "verified"],
    ]


def test_load_registers_for_docs(odds_file: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    from symsoftmax.engine import registry
    from symsoftmax.output import docsite

    builtin = set(ss.derivations())  # the docs of the user's derivations only: fast
    monkeypatch.setattr(
        docsite, "derivations", lambda: [n for n in registry.derivations() if n not in builtin]
    )
    out = tmp_path / "site"
    args = ["--load", str(odds_file), "docs", str(out), "--no-figures", "--no-typeset"]
    assert cli.main(args) == 0
    # the index, the derivation's page in each language, the worked example in each
    assert "Wrote 5 files" in capsys.readouterr().out
    assert (out / "zh" / f"{ODDS}.md").is_file() and (out / "en" / "worked-example.md").is_file()
    assert (out / "en" / f"{ODDS}.md").read_text(encoding="utf-8").startswith("# The odds")
    assert f"`{ODDS}`" in (out / "index.md").read_text(encoding="utf-8")


def test_load_is_repeatable_and_comes_before_the_command(odds_file: Path, capsys) -> None:
    other = odds_file.with_name("nothing.py")
    other.write_text("LOADED = True\n", encoding="utf-8")
    assert cli.main(["--load", str(other), "--load", str(odds_file), "list"]) == 0
    assert ODDS in capsys.readouterr().out.split()
    assert sys.modules["symsoftmax_load_nothing"].LOADED is True
    ss.unregister(ODDS)
    assert cli.main(["list", "--load", str(odds_file)]) == 2
    one_line_error(capsys.readouterr().err, "unrecognized arguments: --load")


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("raise RuntimeError('the file is broken')", "RuntimeError: the file is broken"),
        ("def (:\n", "SyntaxError: invalid syntax"),
        ("import no_such_module_here\n", "ModuleNotFoundError: No module named"),
    ],
)
def test_load_of_a_file_that_raises_exits_2_naming_it(
    source: str, words: str, odds_file: Path, capsys
) -> None:
    # it registers its derivation first, then fails: nothing of it stays registered
    odds_file.write_text(ODDS_FILE + "\n" + source, encoding="utf-8")
    assert cli.main(["--load", str(odds_file), "list"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    one_line_error(err, f"cannot load {str(odds_file)!r}: {words}")
    assert ODDS not in ss.derivations()


# -- plot -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", gallery.NAMES)
def test_plot_saves_each_figure_as_a_png(name: str, tmp_path, capsys) -> None:
    pytest.importorskip(
        "matplotlib", reason="matplotlib is the 'plot' extra: pip install 'symsoftmax[plot]'"
    )
    path = tmp_path / f"{name}.png"
    assert cli.main(["plot", name, "-o", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.splitlines() == [f"Saved the {name} figure to {path}."]
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_plot_output_has_a_long_spelling(tmp_path, capsys) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "j.png"
    assert cli.main(["plot", "jacobian", "--output", str(path)]) == 0
    assert str(path) in capsys.readouterr().out and path.is_file()


def test_plot_without_matplotlib_exits_2_naming_the_extra(monkeypatch, tmp_path, capsys) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    path = tmp_path / "sigmoid.png"
    assert cli.main(["plot", "sigmoid", "-o", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    one_line_error(err, "the 'plot' extra: pip install 'symsoftmax[plot]'")
    assert not path.exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["plot", "nope", "-o", "x.png"], "invalid choice: 'nope'"),
        (["plot", "sigmoid"], "required: -o/--output"),
        (["plot", "sigmoid", "-o", "x.svg"], "the path must end in .png, got 'x.svg'"),
        (["plot", "sigmoid", "-o", "no/such/directory/x.png"], "cannot write the plot to"),
        (
            ["plot", "overparameterization", "-o", "no/such/directory/x.png"],
            "cannot write the plot to",
        ),
    ],
)
def test_plot_usage_errors_exit_2_with_one_line(
    args: list[str], words: str, tmp_path, monkeypatch, capsys
) -> None:
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    assert cli.main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    one_line_error(err, words)
    assert list(tmp_path.iterdir()) == []  # nothing written
