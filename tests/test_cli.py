"""The command line: output, exit status 0 / 1 / 2, one-line errors without traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sympy as sp

import symsoftmax as ss
from symsoftmax import cli, gallery


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "symsoftmax", *args], capture_output=True, text=True, check=False
    )


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


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["show", "nope"], "known derivations: definition"),
        (["verify", "nope"], "unknown derivation"),
        (["show", "jacobian", "--k", "1"], "K must be an int >= 2"),
        (["show", "jacobian", "--k", "2.5"], "K must be an int >= 2"),
        (["show", "jacobian", "--lang", "xx"], "invalid choice"),
        (["show", "jacobian", "--standalone"], "--standalone goes with --format latex"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_usage_errors_exit_2_with_one_line(args: list[str], words: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert "Traceback" not in result.stderr


# -- plot -----------------------------------------------------------------------------------


def one_line_error(err: str, words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symsoftmax: error:"), err
    assert words in lines[0], err
    assert "Traceback" not in err


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
        (["plot", "sigmoid", "-o", "x.svg"], "must end in .png"),
        (["plot", "sigmoid", "-o", "no/such/directory/x.png"], "cannot write the plot to"),
        (
            ["plot", "overparameterization", "-o", "no/such/directory/x.png"],
            "cannot write the plot to",
        ),
    ],
)
def test_plot_usage_errors_exit_2_with_one_line(args: list[str], words: str, tmp_path) -> None:
    pytest.importorskip("matplotlib")
    result = subprocess.run(
        [sys.executable, "-m", "symsoftmax", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2 and result.stdout == ""
    one_line_error(result.stderr, words)
    assert list(tmp_path.iterdir()) == []  # nothing written
