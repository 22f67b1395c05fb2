"""The registry of derivations: a table from name to its title, its builder and its result.

A builder takes a :class:`~symsoftmax.ClassSpace` (symbolic or concrete K) and returns the
lines of the derivation (:class:`~symsoftmax.Line`). The library's own derivations and a
user's are registered the same way, with :func:`derivation` or :func:`register`; after
that :func:`derive`, :func:`derivations`, the command line and the docs site treat them
alike.

Example:
    >>> import sympy as sp
    >>> import symsoftmax as ss
    >>> @ss.derivation("doc_example_total", title="A total", result="total")
    ... def total(S):
    ...     return [ss.Line(sp.Eq(S.sum(S.sigma(S.k)), 1), "the outputs sum to 1", label="total")]
    >>> ss.derive("doc_example_total").verify()
    True
    >>> ss.unregister("doc_example_total")
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from ..errors import SymsoftmaxError
from ..symbolic.explicit import check_K
from ..symbolic.space import ClassSpace
from .derivation import Derivation, Line
from .text import Lang, Text

__all__ = [
    "ENTRY_POINTS",
    "Builder",
    "Entry",
    "derivation",
    "derivations",
    "derive",
    "load_plugins",
    "register",
    "unregister",
]

#: What a derivation's author writes: the space in, the lines out.
Builder = Callable[[ClassSpace], "list[Line]"]


@dataclass(frozen=True)
class Entry:
    """A registered derivation: its title, its builder, the label of its result, and the
    languages every title and reason must be written in (checked when it is built)."""

    name: str
    title: Text
    build: Builder
    result: str | None = None
    languages: tuple[Lang, ...] = ()
    indices: tuple[tuple[str, str], ...] = ()
    distributions: tuple[str, ...] = ()

    def space(self, K: int | None) -> ClassSpace:
        """The space the builder receives for K (None: symbolic)."""
        return ClassSpace.of(K, indices=dict(self.indices), distributions=self.distributions)


_TABLE: dict[str, Entry] = {}


def register(
    name: str,
    build: Builder,
    *,
    title: str | Mapping[str, str] | Text,
    result: str | None = None,
    languages: tuple[str, ...] = (),
    indices: Mapping[str, str] | None = None,
    distributions: tuple[str, ...] = (),
) -> Entry:
    """Register the builder of a derivation under ``name``.

    Args:
        name: the name for :func:`derive` and the command line (a Python identifier).
        build: ``f(space) -> list[Line]``.
        title: a ``str`` (English) or a mapping from language to words.
        result: the label of the step that is the derivation's result (default: the last).
        languages: languages in which every title and reason must be given; a derivation
            that lacks one fails when it is built, naming the step.
        indices: further index families of the space, name -> size (``{"t": "T"}``: the
            index t in 1..T), see :meth:`ClassSpace.of`.
        distributions: the arrays (``"y"``, ``"Y"``) that are probability distributions
            over the classes in this derivation: a fact only where it is declared.

    Raises:
        ValueError: the name is taken or not an identifier, or an unknown language.
        TypeError: ``build`` is not callable, or the title is not text.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"a derivation's name must be an identifier such as 'odds', got {name!r}")
    if name in _TABLE:
        raise ValueError(f"a derivation named {name!r} is already registered")
    if not callable(build):
        raise TypeError(f"build must be a function of the space, got {build!r}")
    entry = Entry(
        name,
        Text.of(title),
        build,
        result,
        tuple(map(Lang.parse, languages)),
        tuple((indices or {}).items()),
        tuple(distributions),
    )
    entry.space(None)  # the declarations are checked now, not at the first derive
    _TABLE[name] = entry
    _build.cache_clear()
    return entry


def derivation(
    name: str,
    *,
    title: str | Mapping[str, str] | Text,
    result: str | None = None,
    languages: tuple[str, ...] = (),
    indices: Mapping[str, str] | None = None,
    distributions: tuple[str, ...] = (),
) -> Callable[[Builder], Builder]:
    """Decorator form of :func:`register`: ``@derivation("odds", title=...)``."""

    def decorate(build: Builder) -> Builder:
        register(
            name,
            build,
            title=title,
            result=result,
            languages=languages,
            indices=indices,
            distributions=distributions,
        )
        return build

    return decorate


def unregister(name: str) -> None:
    """Remove a registered derivation (a user's, e.g. in a test or a notebook)."""
    _known(name)
    del _TABLE[name]
    _build.cache_clear()


#: The entry-point group through which installed packages register derivations: each
#: entry point names a module (or any object) whose import registers them.
ENTRY_POINTS = "symsoftmax.derivations"

_plugins_loaded = False


def load_plugins() -> None:
    """Import every ``symsoftmax.derivations`` entry point of the installed packages, once.

    Called before the registry is first read. A package declares, in its pyproject.toml::

        [project.entry-points."symsoftmax.derivations"]
        mine = "my_package.derivations"

    Raises:
        SymsoftmaxError: an entry point failed to load (naming it and its package).
    """
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for point in importlib.metadata.entry_points(group=ENTRY_POINTS):
        try:
            point.load()
        except Exception as err:
            package = point.dist.name if point.dist is not None else "an installed package"
            raise SymsoftmaxError(
                f"the {ENTRY_POINTS} entry point {point.name} = {point.value!r} of {package} "
                f"failed to load: {type(err).__name__}: {err}"
            ) from err


def derivations() -> list[str]:
    """The names of the registered derivations, in the order they were registered.

    Example:
        >>> derivations()[:3]
        ['definition', 'normalization', 'range']
    """
    load_plugins()
    return list(_TABLE)


def _known(name: object) -> Entry:
    load_plugins()
    if not isinstance(name, str) or name not in _TABLE:
        known = ", ".join(derivations())
        raise ValueError(f"unknown derivation {name!r}; known derivations: {known}")
    return _TABLE[name]


def _complete(entry: Entry, lines: list[Line]) -> None:
    """Every title and reason in each of the entry's languages, or ValueError naming it."""
    if missing := entry.title.missing(entry.languages):
        raise ValueError(f"derivation {entry.name!r}: the title has no {missing[0].value} text")
    for number, line in enumerate(lines, start=1):
        for what, words in (("reason", line.reason), ("special case", line.special)):
            if words is not None and (missing := words.missing(entry.languages)):
                raise ValueError(
                    f"derivation {entry.name!r}, step {number}: the {what} has no "
                    f"{missing[0].value} text"
                )


@lru_cache(maxsize=256)
def _build(name: str, K: int | None) -> Derivation:
    entry = _TABLE[name]
    space = entry.space(K)
    lines = entry.build(space)
    if not isinstance(lines, (list, tuple)) or not all(isinstance(ln, Line) for ln in lines):
        raise TypeError(f"the builder of {name!r} must return a list of Line objects")
    _complete(entry, list(lines))
    return Derivation(name, entry.title, tuple(lines), space, Lang.EN, entry.result)


def derive(name: str, K: int | None = None, lang: str = "en") -> Derivation:
    """Derive the named result, for a symbolic K (``K=None``) or for a concrete K >= 2.

    Args:
        name: one of :func:`derivations`.
        K: None for any number of classes (indexed sums, Kronecker delta), or an integer
            >= 2 of any integer type (int, numpy integer, sympy Integer).
        lang: ``"en"`` or ``"zh"``, the language of the title and the justifications.

    Returns:
        The :class:`~symsoftmax.Derivation`; call ``.verify()`` to check every step.

    Raises:
        ValueError: unknown name (the message lists the known ones), K < 2, unknown lang.
        TypeError: K is neither None nor an integer (bool and floats are refused).
        ValueError: K above :data:`~symsoftmax.symbolic.space.K_MAX`.

    Example:
        >>> d = derive("normalization", K=3)
        >>> d.result
        Eq(σ(z)[1] + σ(z)[2] + σ(z)[3], 1)
        >>> d.verify()
        True
    """
    entry = _known(name)
    if K is not None:
        K = check_K(K)  # a plain int from here on (also the key of the cache of _build)
        entry.space(K)  # validates K at once (K <= K_MAX), before any building
    return _build(name, K).in_lang(Lang.parse(lang))
