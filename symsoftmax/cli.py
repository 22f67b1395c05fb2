"""The ``symsoftmax`` command: list, show and verify derivations; print generated code;
run a demonstration; save a figure; write the documentation.

``symsoftmax plot NAME -o FILE.png`` saves one of the figures of :mod:`symsoftmax.plots`
as a PNG file; ``symsoftmax docs DIR`` writes the documentation (:mod:`symsoftmax.docsite`).
Figures need matplotlib, the ``plot`` extra.

Exit status: 0 on success, 1 when a verification fails, 2 for a usage error (unknown
name, bad K, unknown language, ``--plot`` or ``plot`` without matplotlib, an output file
that cannot be written), with a one-line message on stderr and no traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
import unicodedata
from collections.abc import Sequence

from . import gallery
from .engine import Lang, derivations, derive
from .errors import VerificationError
from .numeric.codegen import NAMES, module_source
from .output import docsite
from .regression import demo
from .regression import figure as demo_figure

__all__ = ["main"]

_HEADINGS = {
    Lang.EN: ("derivation", "K", "steps", "result", "seconds", "verified", "FAILED", "any"),
    Lang.ZH: ("推导", "K", "步数", "结果", "秒", "已验证", "失败", "任意"),
}


def _pad(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded to ``width`` terminal columns (a CJK character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    fill = " " * max(width - columns, 0)
    return fill + text if right else text + fill


#: The demonstrations that ``symsoftmax demo NAME`` runs.
_DEMOS = ("overparameterization",)


class UsageError(Exception):
    """A command line that cannot be carried out as written."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        raise UsageError(message)


def _K(text: str) -> int | None:
    if text in ("any", "K"):
        return None
    try:
        K = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"K must be an int >= 2 or 'any', got {text!r}") from None
    if K < 2:
        raise argparse.ArgumentTypeError(f"K must be an int >= 2 or 'any', got {K}")
    return K


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symsoftmax", description="Derive, verify and print softmax math.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("list", help="list the registered derivations")
    show = commands.add_parser("show", help="print a derivation")
    show.add_argument("name")
    show.add_argument("--k", type=_K, default=None, help="number of classes (default: any K)")
    show.add_argument("--format", choices=("latex", "markdown", "text"), default="text")
    show.add_argument("--lang", choices=[m.value for m in Lang], default="en")
    show.add_argument("--standalone", action="store_true", help="a complete LaTeX document")
    verify = commands.add_parser("verify", help="verify derivations (default: all)")
    verify.add_argument("names", nargs="*")
    verify.add_argument(
        "--k", type=_K, action="append", help="K to verify at, repeatable (default: any and 3)"
    )
    verify.add_argument("--lang", choices=[m.value for m in Lang], default="en")
    codegen = commands.add_parser(
        "codegen", help="print the generated numpy module of a numeric function"
    )
    codegen.add_argument("name", help=f"one of: {', '.join(NAMES)}")
    docs = commands.add_parser(
        "docs", help="write the documentation: an index and a page per derivation and language"
    )
    docs.add_argument("directory")
    docs.add_argument("--no-figures", dest="figures", action="store_false", help="skip the figures")
    docs.add_argument(
        "--no-typeset",
        dest="typeset",
        action="store_false",
        help="skip the typeset LaTeX pages (they need pdflatex, xelatex and pdftoppm)",
    )
    demo_parser = commands.add_parser("demo", help="run a numeric demonstration, print a table")
    demo_parser.add_argument("name", choices=_DEMOS)
    demo_parser.add_argument(
        "--plot", metavar="FILE.png", help="also save a figure (needs matplotlib)"
    )
    plot = commands.add_parser("plot", help="save a figure as a PNG file (needs matplotlib)")
    plot.add_argument("name", choices=gallery.NAMES)
    plot.add_argument("-o", "--output", metavar="FILE.png", required=True, help="where to save it")
    return parser


def _need_matplotlib(what: str) -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(
            f"{what} needs matplotlib, the 'plot' extra: pip install 'symsoftmax[plot]'"
        ) from None


def _show(args: argparse.Namespace) -> int:
    d = derive(args.name, K=args.k, lang=args.lang)
    if args.format == "latex":
        print(d.to_latex(standalone=args.standalone))
    elif args.standalone:
        raise UsageError("--standalone goes with --format latex")
    elif args.format == "markdown":
        print(d.to_markdown())
    else:
        print(d.to_text())
    return 0


def _demo(args: argparse.Namespace) -> int:
    if args.plot is not None:
        _need_matplotlib("--plot")
    result = demo.overparameterization()
    if args.plot is not None:  # before any output: a failure prints only the error
        try:
            demo_figure.plot(result, args.plot)
        except OSError as err:
            raise UsageError(f"cannot write the plot to {args.plot!r}: {err}") from None
    print(demo.format_table(result))
    if args.plot is not None:
        print(f"\nSaved the figure to {args.plot}.")
    return 0


def _docs(args: argparse.Namespace) -> int:
    if args.figures:
        _need_matplotlib("docs (with figures; --no-figures skips them)")
    try:
        figures = gallery.drawers() if args.figures else None
        written = docsite.write(args.directory, figures=figures, typeset=args.typeset)
    except FileNotFoundError as err:
        raise UsageError(f"{err} (or pass --no-typeset)") from None
    except OSError as err:
        raise UsageError(f"cannot write the documentation to {args.directory!r}: {err}") from None
    print(f"Wrote {len(written)} files to {args.directory}: {written[0].name}, ...")
    return 0


def _plot(args: argparse.Namespace) -> int:
    _need_matplotlib("plot")
    path = args.output
    try:  # plots.save refuses a path not ending in .png (ValueError: a usage error)
        gallery.save(args.name, path)
    except OSError as err:
        raise UsageError(f"cannot write the plot to {path!r}: {err}") from None
    print(f"Saved the {args.name} figure to {path}.")
    return 0


def _verify(args: argparse.Namespace) -> int:
    names = args.names or derivations()
    for name in names:
        derive(name)  # unknown names are a usage error before any work
    Ks = args.k or [None, 3]
    lang = Lang(args.lang)
    name_h, k_h, steps_h, result_h, secs_h, ok, failed, any_K = _HEADINGS[lang]
    print(
        _pad(name_h, 20),
        _pad(k_h, 4, right=True),
        _pad(steps_h, 6, right=True),
        _pad(result_h, 8),
        _pad(secs_h, 8, right=True),
    )
    status = 0
    for name in names:
        for K in Ks:
            d = derive(name, K=K, lang=args.lang)
            start = time.perf_counter()
            try:
                d.verify()
                result, detail = ok, ""
            except VerificationError as err:
                result, detail, status = failed, f"  {err}", 1
            seconds = time.perf_counter() - start
            k_text = any_K if K is None else str(K)
            print(
                f"{name:<20} {_pad(k_text, 4, right=True)} {len(d.steps):>6} "
                f"{_pad(result, 8)} {seconds:>8.2f}{detail}",
                flush=True,
            )
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
        if args.command == "list":
            print("\n".join(derivations()))
            return 0
        if args.command == "show":
            return _show(args)
        if args.command == "codegen":
            print(module_source(args.name), end="")
            return 0
        if args.command == "demo":
            return _demo(args)
        if args.command == "plot":
            return _plot(args)
        if args.command == "docs":
            return _docs(args)
        return _verify(args)
    except (UsageError, ValueError, TypeError) as err:
        print(f"symsoftmax: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
