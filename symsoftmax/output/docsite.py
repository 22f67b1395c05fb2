r"""Documentation generated from the derivations: an index and a page per derivation and language.

``symsoftmax docs DIR`` (or :func:`write`) writes

- ``DIR/index.md``: every registered derivation, its result and links to its pages; the
  notation used on every page; the references;
- ``DIR/en/NAME.md`` and ``DIR/zh/NAME.md``: the result, then the derivation as
  :func:`symsoftmax.output.printing.markdown` prints it (display chains, each reason above
  its line) for any number of classes K and for K = 3, and the derivation's figure in the
  page's language with its caption;
- ``DIR/en/worked-example.md`` and ``DIR/zh/worked-example.md``: softmax at
  :data:`WORKED_Z` with numbers, every one computed when the page is made
  (:func:`worked_example`);
- ``DIR/figures/NAME-LANG.png``: the figures of :mod:`symsoftmax.gallery`, in each
  language (with the ``plot`` extra);
- ``DIR/typeset/NAME-LANG.png``: every page of the standalone LaTeX document, typeset by
  pdflatex and xelatex and cropped to the text (:func:`symsoftmax.output.typeset.render`),
  for the derivations in :data:`TYPESET`.

Each page is written only after its derivation has been verified (:meth:`Derivation.verify`,
for any K and for K = 3), so a page never shows a step that does not hold. GitHub renders
the math (``$$`` blocks, and inline math written as ``$`...`$`` so that Markdown leaves
backslashes and braces alone). Pages name other derivations by their titles. The
repository's ``docs/`` is this output, and a test regenerates it and fails when it differs.

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
from collections.abc import Callable, Collection, Mapping, Sequence
from functools import partial
from os import PathLike
from pathlib import Path

import numpy as np

from .. import numeric
from ..engine import Derivation, Lang, derivations, derive
from .languages import resources
from .printing import expr_latex, markdown
from .typeset import PACKAGES, render, require

__all__ = [
    "FIGURES",
    "MANIFEST",
    "NOTATION",
    "REFERENCES",
    "TYPESET",
    "WORKED",
    "WORKED_Z",
    "OverwriteError",
    "figure_of",
    "index",
    "page",
    "worked_example",
    "write",
]

#: The concrete number of classes shown beside the symbolic-K derivation.
K_EXAMPLE = 3

#: The derivations whose standalone document is typeset and shown as an image (any K).
TYPESET = ("jacobian",)

#: The figure a derivation's page shows, where it is not the figure of its own name.
FIGURES = {"shift_invariance": "simplex"}

#: The name of the worked example's page (``en/worked-example.md``).
WORKED = "worked-example"

#: The logits of the worked example, and its inverse temperatures and one-hot target class.
WORKED_Z = (2.0, 1.0, 0.1)
_WORKED_BETAS = (0.5, 1.0, 2.0)
_WORKED_TARGET = 1

#: Significant digits of the worked example's numbers.
_DIGITS = 4

#: The rows of the notation table on the index: a symbol (LaTeX) and its meaning's key.
NOTATION: tuple[tuple[str, str], ...] = (
    (r"\mathbf{z} = (z_1, \dots, z_K)", "notation_logits"),
    (r"\sigma = \sigma(\mathbf{z}),\ \sigma_i = \sigma(\mathbf{z})_i", "notation_outputs"),
    (r"\Sigma_K = \sum_k e^{z_k}", "notation_sum"),
    (r"\operatorname{LSE}(\mathbf{z}) = \log \Sigma_K", "notation_lse"),
    (r"J = \partial\sigma/\partial\mathbf{z}", "notation_jacobian"),
    (r"\mathbf{y}", "notation_target"),
    (r"\beta", "notation_beta"),
    (r"\Theta", "notation_theta"),
    (r"L(\Theta)", "notation_cost"),
    (r"\mathbf{1}\psi^T", "notation_null"),
    (r"s,\ a", "notation_samples"),
    (r"t", "notation_positions"),
)

#: The references of the index: the source note, and the works the pages follow.
REFERENCES: tuple[str, ...] = (
    "The source note, «Softmax函数» (in Chinese): the softmax function, its properties "
    "and its Jacobian derived case by case. Each of its claims is a derivation here.",
    "UFLDL Tutorial, “Softmax Regression”, Stanford University, "
    "<http://ufldl.stanford.edu/tutorial/supervised/SoftmaxRegression/>: the notation of "
    "the regression pages, and the over-parameterization of softmax regression.",
    "C. M. Bishop, *Pattern Recognition and Machine Learning*, Springer, 2006, §4.3.4 "
    "(multiclass logistic regression).",
    "I. Goodfellow, Y. Bengio and A. Courville, *Deep Learning*, MIT Press, 2016, "
    "§6.2.2.3 (softmax units for multinoulli output distributions), "
    "<https://www.deeplearningbook.org/>.",
    "P. Blanchard, D. J. Higham and N. J. Higham, “Accurately computing the log-sum-exp "
    "and softmax functions”, *IMA Journal of Numerical Analysis* 41(4), 2311–2330, 2021, "
    "<https://doi.org/10.1093/imanum/draa038>: the numerics of `ss.numeric`.",
)


def _word(lang: Lang, key: str, *, name: str = "") -> str:
    """A fixed word of the pages in ``lang`` (see :mod:`.languages`)."""
    return resources(lang).words[key].format(name=name, K=K_EXAMPLE)


def _site(lang: Lang, key: str, **fields: object) -> str:
    """A word of the site in ``lang`` (:attr:`Resources.site_words`), its fields filled."""
    return resources(lang).site_words[key].format(**fields)


_INLINE = re.compile(r"\$([^$]+)\$")


def _math(tex: str) -> str:
    """Inline math as GitHub reads it literally: ``$`...`$``."""
    return f"$`{tex}`$"


def _prose(text: str) -> str:
    """A title or a reason with its ``$...$`` math in GitHub's literal inline form."""
    return _INLINE.sub(lambda m: _math(m.group(1)), text)


def _cell(text: str) -> str:
    """Table cell content: a pipe would end the cell."""
    return text.replace("|", r"\|")


def _link(name: str, lang: Lang, *, folder: str = "") -> str:
    """A link to the page of the derivation ``name``, by its title in ``lang``."""
    return f"[{_prose(derive(name, lang=lang.value).title)}]({folder}{name}.md)"


def _chains(d: Derivation) -> str:
    """The derivation as :func:`markdown` prints it, without its title (the page has it),
    the math of its headings (a special case's) in GitHub's literal inline form."""
    body = markdown(d).removeprefix(f"## {d.title}\n").strip("\n")
    return "\n".join(_prose(line) if line.startswith("#") else line for line in body.splitlines())


def figure_of(name: str) -> str:
    """The name of the figure on the page of the derivation ``name`` (:data:`FIGURES`).

    Example:
        >>> figure_of("shift_invariance"), figure_of("jacobian")
        ('simplex', 'jacobian')
    """
    return FIGURES.get(name, name)


def page(
    name: str, *, lang: str = "en", figures: Collection[str] = (), typeset: bool = True
) -> str:
    """The Markdown page of one derivation, in one language.

    Args:
        name: a registered derivation (:func:`symsoftmax.derivations`).
        lang: ``"en"`` or ``"zh"``.
        figures: the figures written beside the pages, as ``NAME-LANG``; the page shows
            its figure (:func:`figure_of`) in its language, with its caption.
        typeset: link the derivation's typeset pages, if it has them.

    Returns:
        The page: title, links, the result as a ``$$`` block, the verification statement,
        the derivation for any K and for K = 3 (:func:`markdown`), the figure when there
        is one, the typeset pages.

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
        _chains(d),
        "",
        f"## {_word(code, 'steps_k')}",
        "",
        _chains(d3),
        "",
    ]
    figure = figure_of(name)
    if f"{figure}-{code.value}" in figures:
        lines += [
            f"## {_word(code, 'figure')}",
            "",
            f"![{figure}](../figures/{figure}-{code.value}.png)",
            "",
            f"*{_site(code, f'caption_{figure}')}*",
            "",
        ]
    if typeset and name in TYPESET:
        lines += [
            "## LaTeX",
            "",
            _site(code, "typeset_all", name=name),
            "",
            f"![{name}](../typeset/{name}-{code.value}.png)",
            "",
        ]
    lines += ["---", "", _word(code, "generated"), ""]
    return "\n".join(lines)


# -- the worked example -----------------------------------------------------------------------


def _g(v: float, digits: int = _DIGITS) -> str:
    """``v`` to ``digits`` significant digits, with no sign on a zero."""
    text = f"{v:.{digits}g}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    return [_row(header), _row(["---:"] * len(header)), *(_row(r) for r in rows)]


def _vector(v: Sequence[float] | np.ndarray) -> str:
    return ", ".join(_g(float(x)) for x in v)


def worked_example(lang: str = "en") -> str:
    r"""The worked example's page: softmax at :data:`WORKED_Z`, every number computed now.

    The exponentials, :math:`\Sigma_K` and :math:`\sigma` (by the definition, and by
    :func:`symsoftmax.numeric.softmax`); the same after subtracting :math:`\max_k z_k`;
    :math:`\sigma(\beta\mathbf{z})` at a few beta with the log-ratio
    :math:`\log(\sigma_1/\sigma_2)` and the gap :math:`\sigma_2 - \sigma_3`; the Jacobian
    with its row sums; the cross-entropy gradient :math:`\sigma - \mathbf{y}` for a one-hot
    target.

    Example:
        >>> text = worked_example("en")
        >>> text.splitlines()[0]
        '# A worked example: $`\\mathbf{z} = (2, 1, 0.1)`$'
        >>> "| 1 | 2 | 7.389 |" in text     # e^2, computed when the page is made
        True
    """
    code = Lang.parse(lang)
    z = np.array(WORKED_Z)
    K = z.size
    links = {
        name: _link(name, code)
        for name in (
            "definition",
            "normalization",
            "shift_invariance",
            "temperature",
            "jacobian",
            "cross_entropy",
        )
    }
    k = _site(code, "worked_k")

    e = np.exp(z)
    total = float(e.sum())
    by_definition = e / total
    s = numeric.softmax(z)
    m = float(z.max())
    e_shifted = np.exp(z - m)
    s_shifted = e_shifted / e_shifted.sum()

    betas = np.array(_WORKED_BETAS)
    S = numeric.softmax(betas[:, np.newaxis] * z)
    log_S = numeric.log_softmax(betas[:, np.newaxis] * z)

    J = numeric.jacobian(z)
    sums = J.sum(axis=1)

    y = np.zeros(K)
    y[_WORKED_TARGET - 1] = 1.0
    grad = numeric.cross_entropy_grad(z, y)
    loss = float(numeric.cross_entropy(z, y))

    lines = [
        f"# {_site(code, 'worked_title', z=_vector(z))}",
        "",
        _site(code, "worked_link"),
        "",
        _site(code, "worked_intro", digits=_DIGITS),
        "",
        f"## {_site(code, 'worked_exp')}",
        "",
        *_table(
            [k, "$`z_k`$", "$`e^{z_k}`$", r"$`e^{z_k} / \Sigma_K`$", "`softmax(z)`"],
            [[n + 1, _g(z[n]), _g(e[n]), _g(by_definition[n]), _g(s[n])] for n in range(K)]
            + [["Σ", "", _g(total), _g(by_definition.sum()), _g(s.sum())]],
        ),
        "",
        _site(
            code,
            "worked_exp_text",
            total_exp=_g(total),
            gap=_g(float(np.max(np.abs(s - by_definition))), 2),
            total=_g(float(s.sum())),
            **links,
        ),
        "",
        f"## {_site(code, 'worked_shift', m=_g(m))}",
        "",
        *_table(
            [k, "$`z_k - m`$", "$`e^{z_k - m}`$", r"$`e^{z_k - m} / \Sigma`$"],
            [[n + 1, _g(z[n] - m), _g(e_shifted[n]), _g(s_shifted[n])] for n in range(K)]
            + [["Σ", "", _g(float(e_shifted.sum())), _g(float(s_shifted.sum()))]],
        ),
        "",
        _site(
            code,
            "worked_shift_text",
            m=_g(m),
            gap=_g(float(np.max(np.abs(s_shifted - by_definition))), 2),
            **links,
        ),
        "",
        f"## {_site(code, 'worked_beta')}",
        "",
        *_table(
            [
                "β",
                *(f"$`\\sigma_{n + 1}`$" for n in range(K)),
                r"$`\log(\sigma_1/\sigma_2)`$",
                r"$`\beta (z_1 - z_2)`$",
                r"$`\sigma_2 - \sigma_3`$",
            ],
            [
                [
                    _g(beta),
                    *(_g(v) for v in S[b]),
                    _g(float(log_S[b, 0] - log_S[b, 1])),
                    _g(float(beta * (z[0] - z[1]))),
                    _g(float(S[b, 1] - S[b, 2]), 3),
                ]
                for b, beta in enumerate(betas)
            ],
        ),
        "",
        _site(
            code,
            "worked_beta_text",
            betas=", ".join(_g(b) for b in betas),
            gaps=", ".join(_g(float(S[b, 1] - S[b, 2]), 3) for b in range(len(betas))),
            **links,
        ),
        "",
        f"## {_site(code, 'worked_jacobian')}",
        "",
        *_table(
            ["", *(f"$`z_{n + 1}`$" for n in range(K)), _site(code, "worked_row")],
            [
                [f"$`\\sigma_{i + 1}`$", *(_g(v) for v in J[i]), _g(float(sums[i]), 2)]
                for i in range(K)
            ],
        ),
        "",
        _site(
            code,
            "worked_jacobian_text",
            rows=_g(float(np.max(np.abs(sums))), 2),
            sym=_g(float(np.max(np.abs(J - J.T))), 2),
            **links,
        ),
        "",
        f"## {_site(code, 'worked_gradient')}",
        "",
        *_table(
            [k, "$`y_k`$", r"$`\sigma_k`$", r"$`\sigma_k - y_k`$", "`cross_entropy_grad`"],
            [[n + 1, _g(y[n]), _g(s[n]), _g(s[n] - y[n]), _g(grad[n])] for n in range(K)],
        ),
        "",
        _site(
            code,
            "worked_gradient_text",
            y=", ".join(f"{v:g}" for v in y),
            target=_WORKED_TARGET,
            loss=_g(loss),
            gap=_g(float(np.max(np.abs(grad - (s - y)))), 2),
            total=_g(float(grad.sum()), 2),
            **links,
        ),
        "",
        "---",
        "",
        _word(code, "generated"),
        "",
    ]
    return "\n".join(lines)


# -- the index ---------------------------------------------------------------------------------


def index() -> str:
    """The Markdown index: every derivation with its result and its pages in both
    languages, the worked example, the notation and the references."""
    en, zh = Lang.EN, Lang.ZH
    lines = [
        "# symsoftmax: the derivations / 推导",
        "",
        "Each derivation is a chain of SymPy relations, each proved by SymPy and checked with "
        "mpmath at 40 digits. Every page is generated from the code by `symsoftmax docs`.",
        "",
        "每个推导都是一串 SymPy 关系式，每一步都经 SymPy 证明并用 mpmath 以 40 位精度验证。"
        "所有页面均由代码生成（`symsoftmax docs`）。",
        "",
        f"[{_site(en, 'worked_index')}](en/{WORKED}.md) · "
        f"[{_site(zh, 'worked_index')}](zh/{WORKED}.md)",
        "",
        "| English | 中文 | result (any $`K`$) | steps | `symsoftmax show` |",
        "|---|---|---|---:|---|",
    ]
    for name in derivations():
        d = derive(name)
        lines.append(
            f"| {_cell(_link(name, en, folder='en/'))} | {_cell(_link(name, zh, folder='zh/'))} "
            f"| {_cell(_math(expr_latex(d.result)))} | {len(d.steps)} | `{name}` |"
        )
    lines += [
        "",
        "## Notation / 记号",
        "",
        f"| | {_site(en, 'notation')} | {_site(zh, 'notation')} |",
        "|---|---|---|",
    ]
    for symbol, key in NOTATION:
        lines.append(
            f"| {_cell(_math(symbol))} | {_cell(_site(en, key))} | {_cell(_site(zh, key))} |"
        )
    lines += ["", "## References / 参考文献", ""]
    lines += [f"{n}. {reference}" for n, reference in enumerate(REFERENCES, start=1)]
    lines += ["", "---", "", _word(en, "generated"), ""]
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
    """Every page of the standalone document of ``name`` in ``lang``, as a PNG file."""
    render(derive(name, lang=lang.value), path, dpi=_TYPESET_DPI)


#: The resolution of the typeset pages' images.
_TYPESET_DPI = 120


def _plan(figures: Mapping[str, Drawer], typeset: bool) -> dict[str, Drawer]:
    """Every file of the documentation, by its path relative to the directory, in order
    (the index, the pages, the worked examples, the figures, the typeset pages), and what
    makes it."""
    plan = {"index.md": _text(index)}
    for code in Lang:
        for name in derivations():
            make = partial(page, name, lang=code.value, figures=tuple(figures), typeset=typeset)
            plan[f"{code.value}/{name}.md"] = _text(make)
    for code in Lang:
        plan[f"{code.value}/{WORKED}.md"] = _text(partial(worked_example, code.value))
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
        figures: the figures to draw, by the name of their file, ``NAME-LANG``
            (:func:`symsoftmax.gallery.drawers`); a derivation's page shows its figure
            (:func:`figure_of`) in its language. Drawing usually needs matplotlib, the
            ``plot`` extra.
        typeset: also typeset the pages of :data:`TYPESET` (needs pdflatex, xelatex with
            ctex and pdftoppm).
        force: overwrite files that the manifest does not list.

    Returns:
        The paths written, in order: the index, the pages, the worked examples, the
        figures, the typeset pages (the manifest is updated too).

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
