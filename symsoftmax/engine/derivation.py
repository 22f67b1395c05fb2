"""A derivation: a named chain of SymPy relations, each with its justification, verified.

Every step is a true statement in the derivation's :class:`~symsoftmax.ClassSpace`: a
relation (``Eq``, ``<``, ``<=``, ``>``, ``>=``, ``And``, ``Contains``) whose free class
indices range over 1..K, optionally restricted to a case (``i = j`` or ``i != j``).
:meth:`Derivation.verify` checks every step twice, independently: SymPy must *prove* it
(:mod:`symsoftmax.engine.proof`) and mpmath must *confirm* it at random points to 40
digits (:mod:`symsoftmax.engine.numcheck`).

An author writes :class:`Line` objects (a statement, its reason in one or more languages,
an optional case and label); a :class:`Derivation` shows them in one language as
:class:`Step` objects, and the language can be changed when it is printed
(``d.to_latex(lang="zh")``). Code that uses a step finds it by its label
(:meth:`Derivation.step`), never by its position.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy as sp

from ..errors import VerificationError
from ..symbolic.space import ClassSpace
from .numcheck import check
from .proof import unproved
from .text import Lang, Text

__all__ = ["Derivation", "Line", "Step"]

_LABEL = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclass(frozen=True, init=False)
class Line:
    r"""One step as its author writes it, before a language is chosen.

    Args:
        expr: the SymPy relation that the line asserts.
        reason: its justification: a ``str`` (English) or a mapping from language to words
            (``{"en": ..., "zh": ...}``), see :class:`~symsoftmax.Text`.
        case: ``Eq(i, j)`` or ``Ne(i, j)`` when the line holds in that case only.
        label: a name by which code finds the step (lower case, digits, ``_``).
        space: the classes the line speaks of, when not the derivation's own (a remark
            about K = 2 inside a derivation for any K).
        special: the special case the line is about, in words (``"$n = 2$ features"``);
            printed as a block headed "Special case ..." that holds the consecutive lines
            of the same case. A line with a ``space`` of another concrete K is a special
            case ``$K = ...$`` without saying so.
        names: quantities named by this line, ``{expression: name}``: from the next line
            on, printers write the name (a :class:`~sympy.Symbol` or a string such as
            ``"Sigma_K"``, printed :math:`\Sigma_K`) wherever the expression occurs.
            Only printing uses names; the checks see the expressions.

    Example:
        >>> import symsoftmax as ss
        >>> S = ss.ClassSpace.of(None)
        >>> ss.Line(sp.Eq(S.sum(S.sigma(S.k)), 1), "the outputs sum to 1", label="total")
        Line(Eq(Sum(σ(z)[k], (k, 1, K)), 1), label='total')
    """

    expr: sp.Basic
    reason: Text
    case: sp.Basic | None
    label: str | None
    space: ClassSpace | None
    special: Text | None
    names: tuple[tuple[sp.Basic, sp.Symbol], ...]

    def __init__(
        self,
        expr: sp.Basic,
        reason: str | Mapping[str, str] | Text,
        case: sp.Basic | None = None,
        label: str | None = None,
        *,
        space: ClassSpace | None = None,
        special: str | Mapping[str, str] | Text | None = None,
        names: Mapping[sp.Basic, sp.Symbol | str] | None = None,
    ) -> None:
        if not isinstance(expr, sp.Basic):
            raise TypeError(f"a line's statement must be a SymPy relation, got {expr!r}")
        if label is not None and (not isinstance(label, str) or not _LABEL.match(label)):
            raise ValueError(f"a label is a lower-case name such as 'quotient_rule', got {label!r}")
        object.__setattr__(self, "expr", expr)
        object.__setattr__(self, "reason", Text.of(reason))
        object.__setattr__(self, "case", case)
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "space", space)
        if special is None and space is not None and not space.symbolic:
            special = Text({lang: f"$K = {space.K}$" for lang in Lang})
        object.__setattr__(self, "special", None if special is None else Text.of(special))
        object.__setattr__(self, "names", _names(names or {}))

    def __repr__(self) -> str:
        extra = "".join(
            f", {name}={value!r}"
            for name, value in (("case", self.case), ("label", self.label))
            if value is not None
        )
        return f"Line({self.expr}{extra})"


def _names(names: Mapping[sp.Basic, sp.Symbol | str]) -> tuple[tuple[sp.Basic, sp.Symbol], ...]:
    """``{expression: name}`` checked, each name a Symbol."""
    out = []
    for expr, name in names.items():
        if not isinstance(expr, sp.Basic):
            raise TypeError(f"a named quantity must be a SymPy expression, got {expr!r}")
        if isinstance(name, str):
            name = sp.Symbol(name)
        if not isinstance(name, sp.Symbol):
            raise TypeError(f"the name of {expr} must be a str or a Symbol, got {name!r}")
        out.append((expr, name))
    return tuple(out)


@dataclass(frozen=True)
class Step:
    """One line of a derivation, in the derivation's language.

    Attributes:
        expr: the SymPy relation that the line asserts.
        reason: its justification, in the derivation's language.
        case: ``Eq(i, j)`` or ``Ne(i, j)`` when the line holds in that case only.
        space: the classes the line speaks of, when not the derivation's own.
        label: the name by which code finds it, or None.
        number: its 1-based position, as printed.
        special: the special case it is about, in the derivation's language, or None.
        names: quantities it names, ``((expression, Symbol), ...)``, printed by name after it.
    """

    expr: sp.Basic
    reason: str
    case: sp.Basic | None = None
    space: ClassSpace | None = None
    label: str | None = None
    number: int = 0
    special: str | None = None
    names: tuple[tuple[sp.Basic, sp.Symbol], ...] = ()


@dataclass(frozen=True)
class Derivation:
    """A verified chain of steps; see :func:`symsoftmax.derive`.

    Attributes:
        name: the registered name, e.g. ``"jacobian"``.
        lines: the lines as written, in every language their author gave.
        space: the classes, logits and indices the steps speak of.
        lang: the language of :attr:`title` and of each step's reason.
        result_label: the label of the step that is the result; None for the last step.
        heading: the title in every language.
    """

    name: str
    heading: Text
    lines: tuple[Line, ...]
    space: ClassSpace
    lang: Lang = Lang.EN
    result_label: str | None = None
    steps: tuple[Step, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lang", Lang.parse(self.lang))
        labels = [line.label for line in self.lines if line.label is not None]
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            raise ValueError(f"derivation {self.name!r}: labels used twice: {repeated}")
        if not self.lines:
            raise ValueError(f"derivation {self.name!r} has no steps")
        if self.result_label is not None and self.result_label not in labels:
            raise ValueError(
                f"derivation {self.name!r}: the result names the label "
                f"{self.result_label!r}, but the steps are labelled {labels}"
            )
        steps = tuple(
            Step(
                line.expr,
                line.reason(self.lang),
                line.case,
                line.space,
                line.label,
                number,
                None if line.special is None else line.special(self.lang),
                line.names,
            )
            for number, line in enumerate(self.lines, start=1)
        )
        object.__setattr__(self, "steps", steps)

    @property
    def title(self) -> str:
        """The title in the derivation's language."""
        return self.heading(self.lang)

    @property
    def K(self) -> int | None:
        """The number of classes, or None when it is symbolic."""
        return None if self.space.symbolic else int(self.space.K)

    @property
    def labels(self) -> list[str]:
        """The labels of the steps, in order."""
        return [step.label for step in self.steps if step.label is not None]

    def step(self, label: str) -> Step:
        """The step labelled ``label``.

        Raises:
            ValueError: no step has that label (the message lists the labels there are).

        Example:
            >>> import symsoftmax as ss
            >>> ss.derive("jacobian").step("case_same").reason
            'definition of $\\\\sigma_i$'
        """
        for step in self.steps:
            if step.label == label:
                return step
        raise ValueError(
            f"derivation {self.name!r} has no step labelled {label!r}; labels: {self.labels}"
        )

    @property
    def result(self) -> sp.Basic:
        """The final SymPy relation of the derivation: the step named as its result."""
        if self.result_label is None:
            *_, last = self.steps  # no result named: the derivation ends with it
            return last.expr
        return self.step(self.result_label).expr

    def in_lang(self, lang: Lang | str) -> Derivation:
        """The same derivation with its title and reasons in ``lang``."""
        lang = Lang.parse(lang)
        return self if lang is self.lang else dataclasses.replace(self, lang=lang)

    def replace_step(self, label_or_number: str | int, expr: sp.Basic) -> Derivation:
        """A copy with one step's statement replaced (a step found by label or number).

        For tests of the checks: a broken copy must fail :meth:`verify` at that step.
        """
        target = (
            self.step(label_or_number).number
            if isinstance(label_or_number, str)
            else label_or_number
        )
        lines = list(self.lines)
        lines[target - 1] = dataclasses.replace(lines[target - 1], expr=expr)
        return dataclasses.replace(self, lines=tuple(lines))

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
        for step in self.steps:
            space = step.space or self.space
            where = f"{sp.sstr(step.expr)} ({step.reason})"
            if (why := unproved(step.expr, space, case=step.case)) is not None:
                raise VerificationError(
                    self.name,
                    step.number,
                    f"SymPy could not prove {where}: {why}",
                    label=step.label,
                )
            miss = check(step.expr, space, case=step.case, points=points, dps=dps, seed=seed)
            if miss is not None:
                raise VerificationError(
                    self.name,
                    step.number,
                    f"{where} fails numerically at {miss.point}: "
                    f"left side {miss.lhs} {miss.relation} right side {miss.rhs} is false",
                    label=step.label,
                )
        return True

    def to_latex(self, *, standalone: bool = False, lang: Lang | str | None = None) -> str:
        """The steps as ``align*`` blocks, one per chain, each reason a numbered
        ``\\intertext`` line above its formula; with ``standalone`` a complete document
        (pdflatex in English, xelatex with ctex in Chinese). ``lang`` overrides the
        derivation's language."""
        from ..output.printing import latex

        return latex(self.in_lang(lang or self.lang), standalone=standalone)

    def to_markdown(self, *, lang: Lang | str | None = None) -> str:
        """The derivation as Markdown with ``$$`` math blocks."""
        from ..output.printing import markdown

        return markdown(self.in_lang(lang or self.lang))

    def to_text(self, *, lang: Lang | str | None = None) -> str:
        """The derivation as plain text (SymPy's pretty printer)."""
        from ..output.printing import text

        return text(self.in_lang(lang or self.lang))

    def _repr_latex_(self) -> str:
        """The title and every step with its reason, for a notebook's MathJax."""
        from ..output.printing import notebook

        return notebook(self)
