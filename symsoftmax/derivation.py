"""A derivation: a named chain of SymPy relations, each with its justification, verified.

Every step is a true statement in the derivation's :class:`~symsoftmax.space.ClassSpace`:
a relation (``Eq``, ``<``, ``<=``, ``>``, ``>=``, ``And``, ``Contains``) whose free class
indices range over 1..K, optionally restricted to a case (``i = j`` or ``i != j``).
:meth:`Derivation.verify` checks every step twice, independently: SymPy must *prove* it
(:mod:`symsoftmax.proof`) and mpmath must *confirm* it at random points to 40 digits
(:mod:`symsoftmax.numcheck`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import sympy as sp

from .errors import VerificationError
from .numcheck import check
from .proof import prove
from .space import ClassSpace

__all__ = ["Derivation", "Lang", "Step", "Text"]


class Lang(str, enum.Enum):
    """The languages a derivation is written in."""

    EN = "en"
    ZH = "zh"

    @classmethod
    def parse(cls, lang: object) -> Lang:
        """``Lang`` from a code such as ``"en"``; ValueError naming the known codes."""
        try:
            return cls(lang)
        except ValueError:
            known = ", ".join(repr(m.value) for m in cls)
            raise ValueError(f"lang must be one of {known}, got {lang!r}") from None


@dataclass(frozen=True)
class Text:
    """A sentence in every language; a derivation cannot be written in only one."""

    en: str
    zh: str

    def __call__(self, lang: Lang) -> str:
        return self.en if lang is Lang.EN else self.zh


@dataclass(frozen=True)
class Step:
    """One line of a derivation.

    Attributes:
        expr: the SymPy relation that the line asserts.
        reason: its justification, in the derivation's language.
        case: ``Eq(i, j)`` or ``Ne(i, j)`` when the line holds in that case only.
        space: the classes the line speaks of, when not the derivation's own (a remark
            about K = 2 inside a derivation for any K).
    """

    expr: sp.Basic
    reason: str
    case: sp.Basic | None = None
    space: ClassSpace | None = None


@dataclass(frozen=True)
class Derivation:
    """A verified chain of steps; see :func:`symsoftmax.derive`.

    Attributes:
        name: the registered name, e.g. ``"jacobian"``.
        title: the title in the derivation's language.
        steps: the lines, each a :class:`Step`.
        space: the classes, logits and indices the steps speak of.
        lang: the language of ``title`` and of each reason.
        result: the final relation (by default the last step's).
    """

    name: str
    title: str
    steps: tuple[Step, ...]
    space: ClassSpace
    lang: Lang = Lang.EN
    conclusion: sp.Basic | None = field(default=None, repr=False)

    @property
    def K(self) -> int | None:
        """The number of classes, or None when it is symbolic."""
        return None if self.space.symbolic else int(self.space.K)

    @property
    def result(self) -> sp.Basic:
        """The final SymPy relation of the derivation."""
        return self.conclusion if self.conclusion is not None else self.steps[-1].expr

    def verify(self, *, points: int = 3, dps: int = 40, seed: int = 0) -> bool:
        """Prove every step symbolically and confirm it numerically; True or raise.

        Args:
            points: index assignments checked numerically per sampled K.
            dps: decimal digits of the mpmath evaluation (>= 30).
            seed: seed of the random points, for reproducible checks.

        Raises:
            VerificationError: naming the first step that SymPy could not prove, or that
                failed numerically (with the point and both sides).
        """
        if dps < 30:
            raise ValueError(f"dps must be >= 30 digits, got {dps}")
        for number, step in enumerate(self.steps, start=1):
            space = step.space or self.space
            if not prove(step.expr, space, case=step.case):
                raise VerificationError(
                    self.name, number, f"SymPy could not prove {sp.sstr(step.expr)} ({step.reason})"
                )
            miss = check(step.expr, space, case=step.case, points=points, dps=dps, seed=seed)
            if miss is not None:
                raise VerificationError(
                    self.name,
                    number,
                    f"{sp.sstr(step.expr)} ({step.reason}) fails numerically at {miss.point}: "
                    f"left side {miss.lhs} {miss.relation} right side {miss.rhs} is false",
                )
        return True

    def to_latex(self, *, standalone: bool = False) -> str:
        """The steps as ``align*`` blocks, one per chain, each reason a numbered
        ``\\intertext`` line above its formula; with ``standalone`` a complete document
        (pdflatex in English, xelatex with ctex in Chinese)."""
        from .printing import latex

        return latex(self, standalone=standalone)

    def to_markdown(self) -> str:
        """The derivation as Markdown with ``$$`` math blocks."""
        from .printing import markdown

        return markdown(self)

    def to_text(self) -> str:
        """The derivation as plain text (SymPy's pretty printer)."""
        from .printing import text

        return text(self)

    def _repr_latex_(self) -> str:
        """The title and every step with its reason, for a notebook's MathJax."""
        from .printing import notebook

        return notebook(self)
