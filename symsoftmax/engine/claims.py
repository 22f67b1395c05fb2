"""What a step claims: the scalar relations that a SymPy statement asserts.

Both checks of a step (the prover and the numeric check) read a statement the same way:
an ``And`` claims each of its parts, a relation between matrices claims each entry,
``Contains(x, Interval(a, b))`` claims ``a < x`` (or ``<=``) and ``x < b``, and
``|x| <= b`` claims ``-b <= x`` and ``x <= b`` (``<`` alike). This is the
definition of the statement, the one thing the two checks share.
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy as sp

__all__ = ["scalar_claims"]


def _explicit(side: sp.Basic) -> sp.ImmutableMatrix:
    """A matrix, or a matrix expression such as c * M made explicit; entries left as written."""
    if isinstance(side, sp.MatrixBase):
        return sp.ImmutableMatrix(side)
    return sp.ImmutableMatrix(side.as_explicit())


def scalar_claims(rel: sp.Basic) -> Iterator[tuple[type, sp.Expr, sp.Expr]]:
    """(kind, lhs, rhs) for each scalar relation in ``rel`` (And, matrices, Contains, |x| <= b)."""
    if isinstance(rel, sp.And):
        for arg in rel.args:
            yield from scalar_claims(arg)
    elif isinstance(rel, sp.Contains) and isinstance(rel.args[1], sp.Interval):
        x, interval = rel.args
        low = sp.Lt if interval.left_open else sp.Le
        high = sp.Lt if interval.right_open else sp.Le
        yield low, interval.start, x
        yield high, x, interval.end
    elif isinstance(rel, (sp.LessThan, sp.StrictLessThan)) and isinstance(rel.lhs, sp.Abs):
        (x,) = rel.lhs.args  # |x| <= b: -b <= x and x <= b (claims about a real x)
        yield type(rel), -rel.rhs, x
        yield type(rel), x, rel.rhs
    elif isinstance(rel, sp.Rel):
        lhs, rhs = rel.lhs, rel.rhs
        if getattr(lhs, "is_Matrix", False) or getattr(rhs, "is_Matrix", False):
            # A matrix expression such as c * M, written unevaluated, becomes explicit.
            lhs, rhs = (_explicit(side) for side in (lhs, rhs))
            if lhs.shape != rhs.shape:
                raise ValueError(f"the sides of {rel} have shapes {lhs.shape} and {rhs.shape}")
            for a, b in zip(lhs, rhs, strict=True):
                yield type(rel), a, b
        else:
            yield type(rel), lhs, rhs
    else:
        raise TypeError(f"a step must be a relation (Eq, <, <=, >, >=, And, Contains), got {rel!r}")
