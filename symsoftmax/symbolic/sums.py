"""Sums over class indices: a fresh index, a class sum, and the sifting property of the
Kronecker delta.

.. math:: \\sum_{k=1}^{n} f(k)\\, \\delta_{kj} = f(j) \\qquad (1 \\le j \\le n)
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

__all__ = ["Within", "class_sum", "fresh_index", "sift_deltas"]

_INDEX_NAMES = ("k", "l", "m", "n", "p", "q", "r")


def fresh_index(*exprs: sp.Basic) -> sp.Symbol:
    """An integer index symbol whose name no free symbol of ``exprs`` uses."""
    taken = {
        s.name
        for e in exprs
        for s in e.free_symbols
        if isinstance(s, sp.Symbol) and not isinstance(s, sp.Dummy)
    }
    for name in _INDEX_NAMES:
        if name not in taken:
            return sp.Symbol(name, integer=True, positive=True)
    return sp.Dummy("k", integer=True, positive=True)


#: Whether an index value lies in lo..hi: True, False (provably outside), None (unknown).
Within = Callable[[sp.Expr, sp.Expr, sp.Expr], "bool | None"]


def _assume_inside(value: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> bool:
    """The lenient reading: every index lies in the range of the sum that it meets."""
    return True


def class_sum(
    summand: sp.Expr,
    index: sp.Symbol,
    K: sp.Expr,
    *,
    lo: sp.Expr = sp.S.One,
    within: Within | None = None,
) -> sp.Expr:
    """``sum_{index=lo}^{K} summand``, with the sifting property of the Kronecker delta.

    A term ``f(k) delta_{k j}`` sums to ``f(j)`` when j lies in lo..K, and to 0 when it
    provably does not. ``within`` decides that (see :data:`Within`); by default every index
    is taken to lie in the range, as every class index does in 1..K (SymPy would return a
    Piecewise on ``j <= K``, or expand a concrete K). A term whose index ``within`` cannot
    place stays in the sum.
    """
    within = within or _assume_inside
    if not summand.has(sp.KroneckerDelta):
        return sp.Sum(summand, (index, lo, K))
    sifted, kept = [], []
    for term in sp.Add.make_args(sp.expand(summand)):
        factors = sp.Mul.make_args(term)
        delta = next(
            (f for f in factors if isinstance(f, sp.KroneckerDelta) and index in f.args), None
        )
        other = None if delta is None else next((a for a in delta.args if a != index), None)
        inside = None if other is None or other.has(index) else within(other, lo, K)
        if inside is None:
            kept.append(term)
        elif inside:
            rest = sp.Mul(*(f for f in factors if f is not delta))
            sifted.append(rest.xreplace({index: other}))
    for term in kept:  # factors free of the index come out of the sum
        coeff, dep = term.as_independent(index, as_Add=False)
        sifted.append(coeff * sp.Sum(dep, (index, lo, K)))
    return sp.Add(*sifted)


def sift_deltas(expr: sp.Basic, *, within: Within | None = None) -> sp.Basic:
    """Apply the sifting property of the Kronecker delta to every sum in ``expr``.

    .. math:: \\sum_{k=1}^{n} f(k)\\, \\delta_{kj} = f(j) \\qquad (1 \\le j \\le n)

    By default every index is assumed to lie in the range of the sum that it meets, as
    class and feature indices do (SymPy's ``doit`` returns a Piecewise on ``j <= n``
    instead). With ``within`` (see :data:`Within`) a term is sifted only where its index
    provably lies in the range, dropped where it provably lies outside, and kept in the sum
    otherwise: the prover's reading.

    Example:
        >>> import sympy as sp
        >>> x = sp.IndexedBase("x")
        >>> a, q, n = sp.symbols("a q n", integer=True, positive=True)
        >>> sift_deltas(sp.Sum(sp.KroneckerDelta(a, q) * x[a], (a, 1, n)))
        x[q]
        >>> sift_deltas(sp.Sum(sp.KroneckerDelta(a, q) * x[a], (a, 1, n)), within=lambda *_: None)
        Sum(KroneckerDelta(a, q)*x[a], (a, 1, n))
    """

    def has_delta_in(s: sp.Sum) -> bool:
        deltas = s.function.atoms(sp.KroneckerDelta)
        return any(limit[0] in d.args for limit in s.limits for d in deltas)

    def sift(s: sp.Sum) -> sp.Expr:
        deltas = s.function.atoms(sp.KroneckerDelta)
        for n, (k, lo, hi) in enumerate(s.limits):
            if (lo == 1 or within is not None) and any(k in d.args for d in deltas):
                rest = s.limits[:n] + s.limits[n + 1 :]
                inner = class_sum(s.function, k, hi, lo=lo, within=within)
                if inner == s.function and not rest:
                    continue
                return sift_deltas(sp.Sum(inner, *rest), within=within) if rest else inner
        return s

    return expr.replace(lambda e: isinstance(e, sp.Sum) and has_delta_in(e), sift)
