r"""Documentation generated from the derivations: an index and a page per derivation and language.

``symsoftmax docs DIR`` (or :func:`write`) writes

- ``DIR/index.md``: every registered derivation, its result and links to its pages;
- ``DIR/en/NAME.md`` and ``DIR/zh/NAME.md``: the result, a table of the steps (statement and
  justification) for any number of classes K and for K = 3, and the derivation's figure;
- ``DIR/figures/NAME.png``: the figures of :mod:`symsoftmax.gallery` (with the ``plot``
  extra);
- ``DIR/typeset/NAME-en.png`` and ``NAME-zh.png``: the first page of the standalone LaTeX
  document, typeset by pdflatex and xelatex (:mod:`symsoftmax.output.typeset`), for the
  derivations in :data:`TYPESET`.

Each page is written only after its derivation has been verified (:meth:`Derivation.verify`,
for any K and for K = 3), so a page never shows a step that does not hold. The math is the
printed formula of each step, as :func:`symsoftmax.output.printing.expr_latex` prints it; GitHub renders it
(``$$`` blocks, and inline math written as ``$`...`$`` so that Markdown leaves backslashes
and braces alone). The repository's ``docs/`` is this output, and a test regenerates it and
fails when it differs.

Writing is all or nothing: every file is made in a new directory next to ``DIR`` and moved
into ``DIR`` only when all of them were made. ``DIR/.symsoftmax-docs`` lists the files the
generator wrote there; a file it would write that exists and is not listed is not
overwritten unless asked (``force=True``, ``symsoftmax docs DIR --force``).

Example:
    >>> print(page("normalization", lang="en").splitlines()[0])
    # The outputs of softmax sum to 1
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Collection, Mapping
from functools import partial
from os import PathLike
from pathlib import Path

from ..engine import Derivation, Lang, derivations, derive
from .languages import resources
from .printing import expr_latex, justification
from .typeset import PACKAGES, render, require

__all__ = ["MANIFEST", "TYPESET", "OverwriteError", "index", "page", "write"]

#: The concrete number of classes shown beside the symbolic-K derivation.
K_EXAMPLE = 3

#: The derivations whose standalone document is typeset and shown as an image (any K).
TYPESET = ("jacobian",)


def _word(lang: Lang, key: str, *, name: str = "") -> str:
    """A fixed word of the pages in ``lang`` (see :mod:`.languages`)."""
    return resources(lang).words[key].format(name=name, K=K_EXAMPLE)


_INLINE = re.compile(r"\$([^$]+)\$")


def _math(tex: str) -> str:
    """Inline math as GitHub reads it literally: ``$`...`$``."""
    return f"$`{tex}`$"


def _prose(text: str) -> str:
    """A justification with its ``$...$`` math in GitHub's literal inline form."""
    return _INLINE.sub(lambda m: _math(m.group(1)), text)


def _cell(text: str) -> str:
    """Table cell content: a pipe would end the cell."""
    return text.replace("|", r"\|")


def _table(d: Derivation) -> list[str]:
    lang = d.lang
    rows = [
        f"| # | {_word(lang, 'statement')} | {_word(lang, 'reason')} |",
        "|---:|---|---|",
    ]
    for number, step in enumerate(d.steps, start=1):
        reason = _prose(justification(step, lang.value))
        rows.append(f"| {number} | {_cell(_math(expr_latex(step.expr)))} | {_cell(reason)} |")
    return rows


def page(
    name: str, *, lang: str = "en", figures: Collection[str] = (), typeset: bool = True
) -> str:
    """The Markdown page of one derivation, in one language.

    Args:
        name: a registered derivation (:func:`symsoftmax.derivations`).
        lang: ``"en"`` or ``"zh"``.
        figures: the names of the figures written beside the pages; a derivation links
            the figure of its own name.
        typeset: link the derivation's typeset page, if it has one.

    Returns:
        The page: title, links, the result as a ``$$`` block, the verification statement,
        the step table for any K and for K = 3, and the figure when there is one.

    Raises:
        ValueError: unknown name or language.
    """
    code = Lang.parse(lang)
    d, d3 = derive(name, lang=code.value), derive(name, K=K_EXAMPLE, lang=code.value)
    lines = [
        f"# {_prose(d.title)}",
        "",
        f"{_word(code, 'other', name=name)} · {_word(code, 'home')}",
        "",
        f"**{_word(code, 'result')}**",
        "",
        "$$",
        expr_latex(d.result),
        "$$",
        "",
        _word(code, "verified", name=name),
        "",
        f"## {_word(code, 'steps_any')}",
        "",
        *_table(d),
        "",
        f"## {_word(code, 'steps_k')}",
        "",
        *_table(d3),
        "",
    ]
    if name in figures:
        lines += [f"## {_word(code, 'figure')}", "", f"![{name}](../figures/{name}.png)", ""]
    if typeset and name in TYPESET:
        lines += [
            "## LaTeX",
            "",
            _word(code, "typeset", name=name),
            "",
            f"![{name}](../typeset/{name}-{code.value}.png)",
            "",
        ]
    lines += ["---", "", _word(code, "generated"), ""]
    return "\n".join(lines)


def index() -> str:
    """The Markdown index: every derivation with its result and its pages in both languages."""
    lines = [
        "# symsoftmax: the derivations / 推导",
        "",
        "Each derivation is a chain of SymPy relations, each proved by SymPy and checked with "
        "mpmath at 40 digits. Every page is generated from the code by `symsoftmax docs`.",
        "",
        "每个推导都是一串 SymPy 关系式，每一步都经 SymPy 证明并用 mpmath 以 40 位精度验证。"
        "所有页面均由代码生成（`symsoftmax docs`）。",
        "",
        "| derivation | English | 中文 | result (any $`K`$) | steps |",
        "|---|---|---|---|---:|",
    ]
    for name in derivations():
        en, zh = derive(name), derive(name, lang="zh")
        result = _cell(_math(expr_latex(en.result)))
        lines.append(
            f"| `{name}` | [{_cell(_prose(en.title))}](en/{name}.md) "
            f"| [{_cell(_prose(zh.title))}](zh/{name}.md) | {result} | {len(en.steps)} |"
        )
    lines += ["", "---", "", _word(Lang.EN, "generated"), ""]
    return "\n".join(lines)


#: What draws one figure into a PNG file at the path it is given.
Drawer = Callable[[Path], None]

#: The manifest of a documentation directory: the files that :func:`write` put there, one
#: path (relative to the directory, with ``/``) a line. A file it does not list is not ours.
MANIFEST = ".symsoftmax-docs"


class OverwriteError(FileExistsError):
    """:func:`write` would replace a file that it did not write (one its manifest lacks).

    Attributes:
        path: the file that would be replaced.
        manifest: the manifest that does not list it.
    """

    def __init__(self, path: Path, manifest: Path) -> None:
        self.path = path
        self.manifest = manifest
        super().__init__(
            f"{path} exists and was not written by symsoftmax docs (it is not listed in "
            f"{manifest}); force=True overwrites it"
        )


def _text(make: Callable[[], str]) -> Drawer:
    """What writes the text ``make()`` returns, as UTF-8, to the path it is given."""
    return lambda path: path.write_text(make(), encoding="utf-8")


def _typeset_page(name: str, lang: Lang, path: Path) -> None:
    """The first page of the standalone document of ``name`` in ``lang``, as a PNG file."""
    render(derive(name, lang=lang.value), path, dpi=90)


def _plan(figures: Mapping[str, Drawer], typeset: bool) -> dict[str, Drawer]:
    """Every file of the documentation, by its path relative to the directory, in order
    (the index, the pages, the figures, the typeset pages), and what makes it."""
    plan = {"index.md": _text(index)}
    for code in Lang:
        for name in derivations():
            make = partial(page, name, lang=code.value, figures=tuple(figures), typeset=typeset)
            plan[f"{code.value}/{name}.md"] = _text(make)
    for figure, draw in figures.items():
        plan[f"figures/{figure}.png"] = draw
    if typeset:
        for name in TYPESET:
            for code in Lang:
                plan[f"typeset/{name}-{code.value}.png"] = partial(_typeset_page, name, code)
    return plan


def _owned(root: Path) -> set[str]:
    """The files that ``root``'s manifest lists (none when it has no manifest)."""
    manifest = root / MANIFEST
    if not manifest.is_file():
        return set()
    lines = manifest.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip()}


def _refuse_foreign(root: Path, files: Collection[str], owned: Collection[str]) -> None:
    """Raise for the first of ``files`` that exists in ``root`` and is not ``owned``.

    Raises:
        OverwriteError: that file.
    """
    for rel in files:
        path = root / rel
        if rel not in owned and (path.exists() or path.is_symlink()):
            raise OverwriteError(path, root / MANIFEST)


def _missing(root: Path) -> list[Path]:
    """``root`` and those of its parents that do not exist, deepest first."""
    missing = []
    for path in (root, *root.parents):
        if path.exists() or path.is_symlink():
            break
        missing.append(path)
    return missing


def _remove_empty(directories: list[Path]) -> None:
    """Remove each of ``directories`` (deepest first) that is empty; leave the others."""
    for path in directories:
        try:
            path.rmdir()
        except OSError:
            return


def _check_writable(root: Path) -> None:
    """Make ``root`` if it is missing, and a file in it, to see that it can be written.

    Raises:
        OSError: it cannot (a file in the way, no permission, a read-only file system).
    """
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile(dir=root):
        pass


def _stage(root: Path) -> Path:
    """A new, empty directory next to ``root`` (on the same file system, so that its files
    move into ``root`` by renaming); inside ``root`` when its parent cannot be written."""
    absolute = root.resolve()
    prefix = f".{absolute.name}.symsoftmax-docs-"
    try:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=absolute.parent))
    except OSError:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=absolute))


def _commit(stage: Path, root: Path, files: list[str]) -> None:
    """Move ``files`` from ``stage`` into ``root``; a file they replace goes to ``stage``.

    Raises:
        OSError: a move failed; what was moved is moved back first, so ``root`` is as it was.
    """
    replaced = stage / ".replaced"
    moved: list[tuple[str, bool]] = []
    made: list[Path] = []
    try:
        for rel in files:
            target = root / rel
            if target.is_dir():
                raise IsADirectoryError(f"{target} is a directory, where a file would go")
            made += reversed(_missing(target.parent))
            target.parent.mkdir(parents=True, exist_ok=True)
            old = target.exists() or target.is_symlink()
            if old:
                (replaced / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, replaced / rel)
            moved.append((rel, old))
            os.replace(stage / rel, target)
    except OSError:
        for rel, old in reversed(moved):
            _restore(root / rel, replaced / rel if old else None)
        _remove_empty(made[::-1])
        raise


def _restore(target: Path, old: Path | None) -> None:
    """Put ``old`` back at ``target``, or remove ``target`` when there was none; on
    failure leave it (the rest of the rollback goes on)."""
    try:
        if old is None:
            target.unlink(missing_ok=True)
        else:
            os.replace(old, target)
    except OSError:
        pass


def _make(stage: Path, plan: Mapping[str, Drawer], owned: Collection[str], root: Path) -> None:
    """Every file of ``plan`` in ``stage``, and the manifest: what ``root``'s manifest
    lists and is still there, and every file of ``plan``."""
    for rel, make in plan.items():
        path = stage / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        make(path)
    kept = {rel for rel in owned if (root / rel).exists()}
    listed = sorted(kept | set(plan))
    (stage / MANIFEST).write_text("".join(f"{rel}\n" for rel in listed), encoding="utf-8")


def write(
    directory: str | PathLike[str],
    *,
    figures: Mapping[str, Drawer] | None = None,
    typeset: bool = True,
    force: bool = False,
) -> list[Path]:
    """Verify every derivation, then write the documentation into ``directory``.

    Nothing is written until everything has been made: the files are made in a new
    directory next to ``directory`` and moved into it only when all of them succeeded, so
    a failure leaves ``directory`` as it was. The manifest ``directory/.symsoftmax-docs``
    (:data:`MANIFEST`) lists the files written there, one relative path a line; a file that
    would be written, exists, and is not listed is someone else's, and is not overwritten
    unless ``force``.

    Args:
        directory: where to write; created if missing. Other files in it are left alone.
        figures: the figures to draw, by name (a derivation's page shows the figure of its
            own name); drawing usually needs matplotlib, the ``plot`` extra.
        typeset: also typeset the pages of :data:`TYPESET` (needs pdflatex, xelatex with
            ctex and pdftoppm).
        force: overwrite files that the manifest does not list.

    Returns:
        The paths written, in order: the index, the pages, the figures, the typeset pages
        (the manifest is updated too).

    Raises:
        ValueError: ``directory`` is empty.
        FileNotFoundError: ``typeset`` without the TeX engines (the message names the
            Debian packages); checked first.
        OverwriteError: a file to write exists and is not in the manifest, and not
            ``force`` (checked before any work; nothing is written).
        OSError: the directory cannot be written (checked before the verification).
        VerificationError: a derivation fails to verify (nothing is written).
        ImportError: ``figures`` without matplotlib (nothing is written).
    """
    if not str(directory):
        raise ValueError("the directory to write the documentation to is empty")
    root = Path(directory)
    if typeset:
        for program in PACKAGES:
            require(program)
    plan = _plan(dict(figures or {}), typeset)
    owned = _owned(root)
    if not force:
        _refuse_foreign(root, plan, owned)
    created = _missing(root)
    try:
        _check_writable(root)  # before the verification, which takes a while
        stage = _stage(root)
        try:
            for name in derivations():
                for K in (None, K_EXAMPLE):
                    derive(name, K=K).verify()
            _make(stage, plan, owned, root)
            _commit(stage, root, [*plan, MANIFEST])
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    except BaseException:
        _remove_empty(created)  # a directory made here goes again
        raise
    return [root / rel for rel in plan]
