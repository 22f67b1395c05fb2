"""The exceptions that symsoftmax itself raises.

Bad input from a user raises the built-in ``ValueError`` or ``TypeError``; the classes
here are for what the toolkit can fail at on its own.
"""

from __future__ import annotations

__all__ = ["SymsoftmaxError", "VerificationError"]


class SymsoftmaxError(Exception):
    """Base class of every error that is specific to symsoftmax."""


class VerificationError(SymsoftmaxError):
    """A derivation step could not be verified.

    Raised by :meth:`symsoftmax.Derivation.verify` when a step is false, or when SymPy
    cannot prove it (an undecided step never counts as proved). The message names the
    derivation, the step's number and justification, and, for a numeric failure, the point
    and the values of both sides there.

    Attributes:
        derivation: name of the derivation.
        step: 1-based number of the failing step.
        label: the label of the failing step, or None.
        detail: what failed, in words.
    """

    def __init__(
        self, derivation: str, step: int, detail: str, *, label: str | None = None
    ) -> None:
        self.derivation = derivation
        self.step = step
        self.label = label
        self.detail = detail
        named = f"step {step}" if label is None else f"step {step} ({label})"
        super().__init__(f"derivation {derivation!r}, {named}: {detail}")
