"""What the ranges of the indices prove about integer expressions: a <= b, or never.

The facts are the space's own (:class:`~symsoftmax.ClassSpace`): a class index lies in
1..K, a declared index in 1..its size, K >= 2 when it is symbolic and every other size
>= 1. Nothing else is assumed of a symbol. An inequality between two expressions that are
linear in those symbols is decided exactly for all of their values at once:

* every index x in 1..size_x is written 1 + u_x with 0 <= u_x <= size_x - 1, and the
  expression is made as small (or as large) as the u's allow: a term c u_x contributes 0
  or c (size_x - 1) by the sign of c;
* what is left is linear in the sizes, each written s_min + w_s with w_s >= 0 unbounded:
  it is nonnegative for all of them exactly when its constant and every coefficient are.

Anything else (a product of indices, a symbol with no range) is undecided: ``None``.

Example:
    >>> import sympy as sp
    >>> from symsoftmax import ClassSpace
    >>> S = ClassSpace.of(None)
    >>> decide_le(S.i, S.K, S), decide_le(S.i + 1, S.K, S), decide_le(S.K + 1, S.K, S)
    (True, None, False)
    >>> decide_le(1, S.K - 1, S)    # K >= 2
    True
"""

from __future__ import annotations

import sympy as sp

from ..symbolic.space import ClassSpace
from ..symbolic.sums import Within

__all__ = ["decide_le", "within"]


def _extreme(expr: sp.Expr, space: ClassSpace, *, lowest: bool) -> sp.Expr | None:
    """The least (or greatest) value of a linear ``expr`` over the index ranges, as an
    expression in the sizes; None when ``expr`` is not linear in ranged symbols."""
    expr = sp.expand(expr)
    indices = [s for s in expr.free_symbols if space.range_of(s) is not None]
    if indices:
        try:
            poly = sp.Poly(expr, *indices)
        except sp.PolynomialError:
            return None
        if poly.total_degree() > 1:
            return None
        value = poly.coeff_monomial(1)
        for x in indices:
            c = poly.coeff_monomial(x)
            lo, hi = space.range_of(x)
            if c.free_symbols & set(indices):
                return None
            sign = c.is_nonnegative if lowest else c.is_nonpositive
            if sign is None:
                return None
            value += c * (lo if sign else hi)
        expr = sp.expand(value)
    return expr


def _nonnegative(expr: sp.Expr, space: ClassSpace) -> bool:
    """Is the linear ``expr`` in the sizes >= 0 for every size at or above its least value?"""
    sizes = space.sizes
    if not expr.free_symbols <= set(sizes):
        return False
    shifted = sp.expand(expr.xreplace({s: s + least for s, least in sizes.items()}))
    try:
        poly = sp.Poly(shifted, *sizes) if sizes else None
    except sp.PolynomialError:
        return False
    if poly is None:
        return bool(shifted.is_nonnegative)
    if poly.total_degree() > 1:
        return False
    return all(c.is_nonnegative for c in poly.coeffs()) and bool(
        poly.coeff_monomial(1).is_nonnegative
    )


def decide_le(a: sp.Expr, b: sp.Expr, space: ClassSpace) -> bool | None:
    """True when a <= b for all values of the indices and sizes, False when a > b for all
    of them, None when the ranges do not decide it."""
    diff = sp.sympify(b) - sp.sympify(a)
    low = _extreme(diff, space, lowest=True)
    if low is not None and _nonnegative(low, space):
        return True
    high = _extreme(diff, space, lowest=False)
    if high is not None and _nonnegative(-high - 1, space):  # b - a <= -1 everywhere
        return False
    return None


def within(space: ClassSpace) -> Within:
    """The prover's reading of a sum's range: is an index value provably in lo..hi?

    True when lo <= value <= hi always; False when it always lies outside a range that
    is not reversed (lo <= hi + 1: the sum is an ordinary, possibly empty, sum); None
    otherwise.
    """

    def decide(value: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> bool | None:
        above, below = decide_le(lo, value, space), decide_le(value, hi, space)
        if above and below:
            return True
        if (above is False or below is False) and decide_le(lo, hi + 1, space):
            return False
        return None

    return decide
