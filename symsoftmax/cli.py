"""The ``symsoftmax`` command: list, show and verify derivations; print generated code;
run a demonstration; save a figure; write the documentation.

``symsoftmax plot NAME -o FILE.png`` saves one of the figures of :mod:`symsoftmax.gallery`
as a PNG file; ``symsoftmax docs DIR`` writes the documentation
(:mod:`symsoftmax.output.docsite`).
Figures need matplotlib, the ``plot`` extra.

``symsoftmax --load FILE.py COMMAND ...`` (before the command, repeatable) first imports
a Python file of the user's, so that the derivations it registers are known to the command.

Exit status, each failure with a one-line message on stderr and no traceback:

- 0 on success;
- 1 when the toolkit fails at its own work, a :class:`~symsoftmax.SymsoftmaxError` (a step
  that does not verify, a TeX engine that rejects a document);
- 2 for a usage error, found before any work where it can be: an unknown command, name
  or language, a bad K, a ``--load`` file that is missing or raises, ``--standalone``
  without ``--format latex``, ``--plot`` or ``plot`` without matplotlib, TeX missing for
  ``docs``, an output path that cannot be written, ``docs`` refusing to overwrite a file
  it did not write (``--force`` overwrites).

Anything else is a bug: it propagates with its traceback (Python's exit status 1).
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import re
import sys
import time
import unicodedata
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from importlib.machinery import SourceFileLoader
from pathlib import Path

from . import gallery
from .engine import Lang, derivations, derive, unregister
from .errors import SymsoftmaxError, VerificationError
from .numeric import SOURCES, source
from .numeric.codegen import NAMES
from .output import docsite, plots
from .output.languages import RESOURCES
from .output.typeset import PACKAGES, require
from .regression import experiment, report
from .regression import figure as demo_figure
from .symbolic.space import K_MAX

__all__ = ["main"]

_HEADINGS = {lang: row.verify_headings for lang, row in RESOURCES.items()}


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
        raise argparse.ArgumentTypeError(
            f"K must be an int from 2 to {K_MAX} or 'any', got {text!r}"
        ) from None
    if not 2 <= K <= K_MAX:  # what derive() accepts, refused before any work
        raise argparse.ArgumentTypeError(f"K must be an int from 2 to {K_MAX} or 'any', got {K}")
    return K


def _derivation(text: str) -> str:
    """A registered derivation's name (checked after ``--load`` has registered its own).

    Raises:
        argparse.ArgumentTypeError: unknown name; the message lists the known ones.
    """
    if text not in derivations():
        known = ", ".join(derivations())
        raise argparse.ArgumentTypeError(f"unknown derivation {text!r}; known derivations: {known}")
    return text


def _numeric(text: str) -> str:
    """The name of a generated numeric function.

    Raises:
        argparse.ArgumentTypeError: unknown name; the message lists the known ones.
    """
    if text not in NAMES:
        known = ", ".join(NAMES)
        raise argparse.ArgumentTypeError(f"unknown numeric function {text!r}; known: {known}")
    return text


def _png(text: str) -> str:
    """A path for a PNG file.

    Raises:
        argparse.ArgumentTypeError: it does not end in ``.png``.
    """
    try:
        return plots.png_path(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _directory(text: str) -> str:
    """The directory to write the documentation to.

    Raises:
        argparse.ArgumentTypeError: it is empty.
    """
    if not text:
        raise argparse.ArgumentTypeError(
            "expected a directory to write the documentation to, got ''"
        )
    return text


def _module_name(path: Path) -> str:
    """The name under which ``--load`` imports ``path``: ``symsoftmax_load_`` and its stem."""
    return "symsoftmax_load_" + re.sub(r"\W", "_", path.stem)


def _load(path_text: str) -> None:
    """Import the Python file ``path_text`` (for ``--load``), so that the derivations it
    registers are known; a file that fails registers nothing.

    Args:
        path_text: the file, as given on the command line.

    Raises:
        UsageError: the file is missing, or importing it raised; the message names the file
            and the error.
    """
    path = Path(path_text)
    if not path.is_file():
        raise UsageError(f"cannot load {path_text!r}: no such file (expected a Python file)")
    name = _module_name(path)
    spec = importlib.util.spec_from_file_location(
        name, path, loader=SourceFileLoader(name, str(path))
    )
    assert spec is not None and spec.loader is not None  # a loader was given
    module = importlib.util.module_from_spec(spec)
    before = set(derivations())
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as err:
        sys.modules.pop(name, None)
        for added in set(derivations()) - before:
            unregister(added)
        raise UsageError(f"cannot load {path_text!r}: {type(err).__name__}: {err}") from None


class _Load(argparse.Action):
    """``--load FILE.py``: import the file as soon as it is read, so that the names it
    registers pass the checks of the command's arguments, which come after it."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        try:
            _load(str(values))
        except UsageError as err:
            raise argparse.ArgumentError(self, str(err)) from None
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest) or []), values])


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="symsoftmax", description="Derive, verify and print softmax math.")
    parser.add_argument(
        "--load",
        action=_Load,
        metavar="FILE.py",
        help="import a Python file that registers derivations, before the command (repeatable)",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("list", help="list the registered derivations")
    show = commands.add_parser("show", help="print a derivation")
    show.add_argument("name", type=_derivation)
    show.add_argument("--k", type=_K, default=None, help="number of classes (default: any K)")
    show.add_argument("--format", choices=("latex", "markdown", "text"), default="text")
    show.add_argument("--lang", choices=[m.value for m in Lang], default="en")
    show.add_argument("--standalone", action="store_true", help="a complete LaTeX document")
    verify = commands.add_parser("verify", help="verify derivations (default: all)")
    verify.add_argument("names", nargs="*", type=_derivation)
    verify.add_argument(
        "--k", type=_K, action="append", help="K to verify at, repeatable (default: any and 3)"
    )
    verify.add_argument("--lang", choices=[m.value for m in Lang], default="en")
    cores = _cores()
    verify.add_argument(
        "--jobs",
        type=_jobs,
        default=cores,
        help=f"derivations verified at once, in forked processes (default: {cores}, the "
        "cores this process may use; 1: one after another, in this process)",
    )
    codegen = commands.add_parser(
        "codegen", help="print the generated module of a numeric function, for one backend"
    )
    codegen.add_argument("name", type=_numeric, help=f"one of: {', '.join(NAMES)}")
    codegen.add_argument(
        "--backend",
        choices=SOURCES,
        default="numpy",
        help="the module's array library: numpy (its only import; the default), numba "
        "(fused row kernels; numpy and numba its imports) or array-api (any array library, "
        "through array_api_compat)",
    )
    docs = commands.add_parser(
        "docs", help="write the documentation: an index and a page per derivation and language"
    )
    docs.add_argument("directory", type=_directory)
    docs.add_argument("--no-figures", dest="figures", action="store_false", help="skip the figures")
    docs.add_argument(
        "--no-typeset",
        dest="typeset",
        action="store_false",
        help="skip the typeset LaTeX pages (they need pdflatex, xelatex and pdftoppm)",
    )
    docs.add_argument(
        "--force",
        action="store_true",
        help=f"overwrite files that the generator did not write (not in DIR/{docsite.MANIFEST})",
    )
    demo_parser = commands.add_parser("demo", help="run a numeric demonstration, print a table")
    demo_parser.add_argument("name", choices=_DEMOS)
    demo_parser.add_argument(
        "--plot", metavar="FILE.png", help="also save a figure (needs matplotlib)"
    )
    plot = commands.add_parser("plot", help="save a figure as a PNG file (needs matplotlib)")
    plot.add_argument("name", choices=gallery.NAMES)
    plot.add_argument(
        "-o", "--output", type=_png, metavar="FILE.png", required=True, help="where to save it"
    )
    return parser


def _need_matplotlib(what: str) -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(
            f"{what} needs matplotlib, the 'plot' extra: pip install 'symsoftmax[plot]'"
        ) from None


def _need_tex() -> None:
    """Raise a usage error unless the programs that typeset the docs are installed."""
    for program in PACKAGES:
        try:
            require(program)
        except FileNotFoundError as err:
            raise UsageError(f"{err} (or pass --no-typeset)") from None


def _show(args: argparse.Namespace) -> int:
    if args.standalone and args.format != "latex":
        raise UsageError(f"--standalone goes with --format latex, got --format {args.format}")
    d = derive(args.name, K=args.k, lang=args.lang)
    if args.format == "latex":
        print(d.to_latex(standalone=args.standalone))
    elif args.format == "markdown":
        print(d.to_markdown())
    else:
        print(d.to_text())
    return 0


def _demo(args: argparse.Namespace) -> int:
    if args.plot is not None:
        _need_matplotlib("--plot")
    result = experiment.overparameterization()
    if args.plot is not None:  # before any output: a failure prints only the error
        try:
            demo_figure.plot(result, args.plot)
        except OSError as err:
            raise UsageError(f"cannot write the plot to {args.plot!r}: {err}") from None
    print(report.format_table(result))
    if args.plot is not None:
        print(f"\nSaved the figure to {args.plot}.")
    return 0


def _docs(args: argparse.Namespace) -> int:
    if args.figures:
        _need_matplotlib("docs (with figures; --no-figures skips them)")
    if args.typeset:
        _need_tex()
    figures = gallery.drawers() if args.figures else None
    try:
        written = docsite.write(
            args.directory, figures=figures, typeset=args.typeset, force=args.force
        )
    except docsite.OverwriteError as err:
        raise UsageError(
            f"refusing to overwrite {err.path}: it was not written by symsoftmax docs (it is "
            f"not listed in {err.manifest}); --force overwrites it"
        ) from None
    except OSError as err:
        raise UsageError(f"cannot write the documentation to {args.directory!r}: {err}") from None
    print(f"Wrote {len(written)} files to {args.directory}: {written[0].name}, ...")
    return 0


def _plot(args: argparse.Namespace) -> int:
    _need_matplotlib("plot")
    path = args.output  # a .png path, checked by the parser
    try:
        gallery.save(args.name, path)
    except OSError as err:
        raise UsageError(f"cannot write the plot to {path!r}: {err}") from None
    print(f"Saved the {args.name} figure to {path}.")
    return 0


def _cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


def _jobs(text: str) -> int:
    """``--jobs``: a positive int."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"--jobs must be a positive int, got {text!r}")
    return int(text)


def _verify_one(task: tuple[str, int | None, str]) -> tuple[int, bool, str, float]:
    """Verify one (name, K, lang): (steps, passed, the error's text, seconds)."""
    name, K, lang = task
    d = derive(name, K=K, lang=lang)
    start = time.perf_counter()
    try:
        d.verify()
        passed, detail = True, ""
    except VerificationError as err:
        passed, detail = False, str(err)
    return len(d.steps), passed, detail, time.perf_counter() - start


def _verified(tasks: list[tuple[str, int | None, str]], jobs: int) -> Iterator[tuple]:
    """:func:`_verify_one` of each task, in order. With ``jobs`` > 1 and more than one
    task, in that many forked processes (a fork inherits every registered derivation, those
    of ``--load`` included); where the system cannot fork, one after another."""
    if jobs == 1 or len(tasks) == 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_verify_one, tasks)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        yield from pool.map(_verify_one, tasks)  # in order, as each finishes


def _verify(args: argparse.Namespace) -> int:
    names = args.names or derivations()  # names checked by the parser, before any work
    Ks = args.k or [None, 3]
    lang = Lang(args.lang)
    name_h, k_h, steps_h, result_h, secs_h, ok, failed, any_K = _HEADINGS[lang]
    print(
        _pad(name_h, 20),
        _pad(k_h, 4, right=True),
        _pad(steps_h, 6, right=True),
        _pad(result_h, 8),
        _pad(secs_h, 8, right=True),
        flush=True,
    )
    status = 0
    tasks = [(name, K, args.lang) for name in names for K in Ks]
    for (name, K, _), (steps, passed, error, seconds) in zip(
        tasks, _verified(tasks, args.jobs), strict=True
    ):
        result, detail = (ok, "") if passed else (failed, f"  {error}")
        status = status if passed else 1
        k_text = any_K if K is None else str(K)
        print(
            f"{name:<20} {_pad(k_text, 4, right=True)} {steps:>6} "
            f"{_pad(result, 8)} {seconds:>8.2f}{detail}",
            flush=True,
        )
    return status


def _fail(err: Exception, status: int) -> int:
    """Print ``err`` as one line on stderr; return ``status``."""
    message = " / ".join(line.strip() for line in str(err).splitlines() if line.strip())
    print(f"symsoftmax: error: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status: 0 on success, 1 when the toolkit fails (a
        :class:`~symsoftmax.SymsoftmaxError`, e.g. a step that does not verify), 2 for a
        usage error; a failure prints one line on stderr.

    Raises:
        Exception: anything else, which is a bug; it propagates with its traceback.
    """
    try:
        args = _parser().parse_args(argv)
        if args.command == "list":
            print("\n".join(derivations()))
            return 0
        if args.command == "show":
            return _show(args)
        if args.command == "codegen":
            print(source(args.name, backend=args.backend), end="")
            return 0
        if args.command == "demo":
            return _demo(args)
        if args.command == "plot":
            return _plot(args)
        if args.command == "docs":
            return _docs(args)
        return _verify(args)
    except UsageError as err:
        return _fail(err, 2)
    except SymsoftmaxError as err:
        return _fail(err, 1)


if __name__ == "__main__":
    sys.exit(main())
