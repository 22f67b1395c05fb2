"""The engine: derivations as verified step chains, their registry, the two checks.

:class:`Derivation` holds the lines of a derivation (:class:`Line`, reasons as
:class:`Text` in several languages); :func:`derive` builds a registered one (``registry.derivation`` is the decorator
that registers a builder);
:mod:`.proof` proves a step with SymPy and :mod:`.numcheck` confirms it with mpmath,
independently of each other.
"""

from __future__ import annotations

from .derivation import Derivation, Line, Step
from .registry import derivations, derive, register, unregister
from .text import Lang, Text

__all__ = [
    "Derivation",
    "Lang",
    "Line",
    "Step",
    "Text",
    "derivations",
    "derive",
    "register",
    "unregister",
]
