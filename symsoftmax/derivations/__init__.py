"""The registry of derivations: a table from name to its title and its builder.

A builder takes a :class:`~symsoftmax.space.ClassSpace` (symbolic or concrete K) and returns
the lines of the derivation, each a SymPy relation with a justification in every language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from ..derivation import Derivation, Lang, Step, Text
from ..space import ClassSpace

__all__ = ["Line", "derivations", "derive"]


@dataclass(frozen=True)
class Line:
    """A step before it is put in one language.

    ``space`` is set when the line speaks of a different number of classes than the
    derivation (e.g. the case K = 2 inside a derivation for any K).
    """

    expr: sp.Basic
    reason: Text
    case: sp.Basic | None = None
    space: ClassSpace | None = None


@dataclass(frozen=True)
class Entry:
    title: Text
    build: Callable[[ClassSpace], list[Line]]
    conclusion: Callable[[list[Line]], sp.Basic] | None = None


def _line(n: int) -> Callable[[list[Line]], sp.Basic]:
    """The result is line n (0-based) rather than the last line."""
    return lambda lines: lines[n].expr


def _registry() -> dict[str, Entry]:
    from . import basic, hessian, jacobian, logsoftmax, products, regression, sigmoid, temperature

    return {
        "definition": Entry(basic.DEFINITION, basic.definition, _line(0)),
        "normalization": Entry(basic.NORMALIZATION, basic.normalization),
        "range": Entry(basic.RANGE, basic.range_),
        "shift_invariance": Entry(basic.SHIFT, basic.shift_invariance),
        "temperature": Entry(temperature.TITLE, temperature.temperature, _line(3)),
        "sigmoid": Entry(sigmoid.TITLE, sigmoid.sigmoid, _line(3)),
        "jacobian": Entry(jacobian.TITLE, jacobian.jacobian, jacobian.conclusion),
        "jacobian_properties": Entry(products.PROPERTIES, products.jacobian_properties),
        "log_softmax": Entry(logsoftmax.LOG_SOFTMAX, logsoftmax.log_softmax),
        "cross_entropy": Entry(logsoftmax.CROSS_ENTROPY, logsoftmax.cross_entropy, _line(2)),
        "jvp": Entry(products.JVP, products.jvp, _line(2)),
        "lse_hessian": Entry(hessian.LSE_HESSIAN, hessian.lse_hessian, _line(2)),
        "second_derivative": Entry(hessian.SECOND, hessian.second_derivative, _line(3)),
        "overparameterization": Entry(regression.TITLE, regression.overparameterization, _line(4)),
        "regression_hessian": Entry(regression.HESSIAN, regression.regression_hessian, _line(2)),
    }


@lru_cache(maxsize=1)
def _table() -> dict[str, Entry]:
    return _registry()


def derivations() -> list[str]:
    """The names of the registered derivations, in the order of the source note.

    Example:
        >>> derivations()[:3]
        ['definition', 'normalization', 'range']
    """
    return list(_table())


@lru_cache(maxsize=256)
def _derive(name: str, K: int | None, lang: Lang) -> Derivation:
    entry = _table()[name]
    space = ClassSpace.of(K)
    lines = entry.build(space)
    steps = tuple(Step(ln.expr, ln.reason(lang), ln.case, ln.space) for ln in lines)
    conclusion = entry.conclusion(lines) if entry.conclusion else None
    return Derivation(name, entry.title(lang), steps, space, lang, conclusion)


def derive(name: str, K: int | None = None, lang: str = "en") -> Derivation:
    """Derive the named result, for a symbolic K (``K=None``) or for a concrete K >= 2.

    Args:
        name: one of :func:`derivations`.
        K: None for any number of classes (indexed sums, Kronecker delta), or an int >= 2.
        lang: ``"en"`` or ``"zh"``, the language of the title and the justifications.

    Returns:
        The :class:`~symsoftmax.Derivation`; call ``.verify()`` to check every step.

    Raises:
        ValueError: unknown name (the message lists the known ones), K < 2, unknown lang.
        TypeError: K is neither None nor an int.

    Example:
        >>> d = derive("normalization", K=3)
        >>> d.result
        Eq(σ(z)[1] + σ(z)[2] + σ(z)[3], 1)
        >>> d.verify()
        True
    """
    if not isinstance(name, str) or name not in _table():
        known = ", ".join(derivations())
        raise ValueError(f"unknown derivation {name!r}; known derivations: {known}")
    if K is not None:
        ClassSpace.of(K)  # validates K
    return _derive(name, K, Lang.parse(lang))
