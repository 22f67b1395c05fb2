"""Numeric check of one derivation step: both sides at random points with mpmath.

Independent of :mod:`symsoftmax.proof`: every free class index is given a value, a symbolic
K is given each value in ``SAMPLED_K``, the sums are expanded, derivatives are taken by
SymPy on the explicit definition, and each remaining symbol gets a random value allowed by
its assumptions (a positive symbol a positive value, a real one a real value). Both sides
are then evaluated with mpmath at ``dps`` significant digits and compared. A limit is
evaluated at a point beyond which its expression no longer moves at that precision
(x0 + 10^-(dps+10) for a finite x0, 10^4 for infinity: the limits here converge like
exp(-x)).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

import sympy as sp

from .functions import expand_definitions
from .space import ClassSpace

__all__ = ["Mismatch", "check"]


@dataclass(frozen=True)
class Mismatch:
    """Where and how a relation failed numerically."""

    relation: str
    point: dict[str, str]
    lhs: str
    rhs: str


def _limit_point(x0: sp.Expr, direction: str, dps: int) -> sp.Expr:
    if x0 is sp.oo:
        return sp.Integer(10) ** 4
    if x0 is -sp.oo:
        return -(sp.Integer(10) ** 4)
    step = sp.Integer(10) ** -(dps + 10)
    return x0 - step if direction == "-" else x0 + step


def _concrete(expr: sp.Basic, dps: int) -> sp.Basic:
    """Definitions expanded; limits, derivatives and sums (concrete bounds) evaluated."""
    expr = expand_definitions(expr)
    expr = expr.replace(
        lambda e: isinstance(e, sp.Limit),
        lambda e: _concrete(e.args[0], dps).xreplace(
            {e.args[1]: _limit_point(e.args[2], str(e.args[3]), dps)}
        ),
    )
    return expr.doit()


def _sample(atom: sp.Expr, rng: random.Random, dps: int) -> sp.Float:
    if atom.is_positive:
        value = 2.0 ** rng.uniform(-1.5, 1.5)
    elif atom.is_nonnegative:
        value = rng.uniform(0.0, 2.0)
    elif atom.is_real:
        value = rng.uniform(-3.0, 3.0)
    else:
        raise ValueError(f"cannot sample {atom}: give it real, positive or nonnegative assumptions")
    return sp.Float(value, dps)


def _assignments(
    free: list[sp.Symbol], K: int, case: sp.Basic | None, count: int, rng: random.Random
) -> list[dict]:
    """Up to ``count`` random assignments of the free indices in 1..K that satisfy ``case``."""

    def allowed(point: dict) -> bool:
        return case is None or case.xreplace(point) is not sp.false

    if K ** len(free) <= 256:  # few enough to list: every case is reachable
        every = [
            dict(zip(free, map(sp.Integer, combo), strict=True))
            for combo in itertools.product(range(1, K + 1), repeat=len(free))
        ]
        chosen = [p for p in every if allowed(p)]
        rng.shuffle(chosen)
        return chosen[:count]
    chosen = []
    for _ in range(100 * count):
        point = {i: sp.Integer(rng.randint(1, K)) for i in free}
        if allowed(point) and point not in chosen:
            chosen.append(point)
            if len(chosen) == count:
                break
    return chosen


def _points(
    rel: sp.Basic, space: ClassSpace, case: sp.Basic | None, count: int, rng: random.Random
) -> Iterator[tuple[dict, sp.Basic]]:
    """Up to ``count`` index assignments per sampled K, each with ``rel`` instantiated."""
    free = sorted((s for s in rel.free_symbols if s in space.indices), key=str)
    for K in space.sampled_K:
        at_K = rel.xreplace({space.K: sp.Integer(K)})
        for point in _assignments(free, K, case, count, rng):
            yield ({space.K: sp.Integer(K)} if space.symbolic else {}) | point, at_K.xreplace(point)


#: Entries of a matrix relation checked at each point (all of them when there are fewer).
_ENTRIES = 4

_OPS = {
    sp.Eq: "=",
    sp.StrictLessThan: "<",
    sp.LessThan: "<=",
    sp.StrictGreaterThan: ">",
    sp.GreaterThan: ">=",
}


def _unknowns(exprs: list[sp.Basic]) -> set[sp.Expr]:
    """The symbols and indexed entries (z_1, ...) that still need values."""
    found: set[sp.Expr] = set()
    for e in exprs:
        indexed = e.atoms(sp.Indexed)
        labels = {x.base.label for x in indexed}
        found |= indexed | (e.atoms(sp.Symbol) - labels)
    return found


def _close(kind: type, lhs: sp.Float, rhs: sp.Float, dps: int) -> bool:
    tol = sp.Float(10, dps) ** -(dps - 10) * max(1, abs(lhs), abs(rhs))
    if kind is sp.Eq:
        return abs(lhs - rhs) <= tol
    if kind is sp.StrictLessThan:
        return lhs < rhs
    if kind is sp.LessThan:
        return lhs <= rhs + tol
    if kind is sp.StrictGreaterThan:
        return lhs > rhs
    if kind is sp.GreaterThan:
        return lhs + tol >= rhs
    raise TypeError(f"cannot check a relation of kind {kind.__name__}")


def check(
    rel: sp.Basic,
    space: ClassSpace,
    *,
    case: sp.Basic | None = None,
    points: int = 3,
    dps: int = 40,
    seed: int = 0,
) -> Mismatch | None:
    """Evaluate ``rel`` at random points; the first point where it fails, or None.

    Example:
        >>> S = ClassSpace.of(None)
        >>> check(sp.Eq(S.sum(S.sigma(S.k)), 1), S) is None
        True
        >>> check(sp.Eq(S.sigma(S.i), sp.Rational(1, 2)), S).relation
        '='
    """
    from .proof import _sides  # the same reading of And / matrices / Contains

    rng = random.Random(seed)
    every = [(kind, sp.Tuple(lhs, rhs)) for kind, lhs, rhs in _sides(rel)]
    if len(every) <= _ENTRIES:
        groups, per_group = [every], points
    else:  # a large matrix: a fresh random sample of its entries at each point
        groups, per_group = [rng.sample(every, _ENTRIES) for _ in range(points)], 1
    for group in groups:
        kinds = [kind for kind, _ in group]
        pairs = sp.Tuple(*(both for _, both in group))
        for point, instance in _points(pairs, space, case, per_group, rng):
            K = int(point.get(space.K, space.K))
            mismatch = _compare(
                kinds, instance, point, rng, dps, _distribution_values(space, K, rng, dps)
            )
            if mismatch is not None:
                return mismatch
    return None


def _distribution_values(
    space: ClassSpace, K: int, rng: random.Random, dps: int
) -> dict[sp.Expr, sp.Float]:
    """Random entries for each distribution of the space: nonnegative, summing to 1."""
    values: dict[sp.Expr, sp.Float] = {}
    for y in space.distributions:
        weights = [sp.Float(rng.uniform(0.05, 1.0), dps) for _ in range(K)]
        total = sum(weights)
        values |= {y[n + 1]: w / total for n, w in enumerate(weights)}
    return values


def _compare(
    kinds: list[type],
    pairs: sp.Tuple,
    point: dict,
    rng: random.Random,
    dps: int,
    values: dict[sp.Expr, sp.Float],
) -> Mismatch | None:
    """Evaluate each (lhs, rhs) at one random point; the first failed relation, or None."""
    for kind, (lhs, rhs) in zip(kinds, pairs, strict=True):
        sides = [_concrete(side, dps) for side in (lhs, rhs)]
        for atom in sorted(_unknowns(sides), key=str):
            values.setdefault(atom, _sample(atom, rng, dps))
        a, b = (side.xreplace(values).evalf(dps) for side in sides)
        if not (a.is_number and b.is_number and a.is_real is not False and b.is_real is not False):
            raise ValueError(f"{kind.__name__} did not evaluate to numbers: {a}, {b}")
        if not _close(kind, a, b, dps):
            used = sides[0].free_symbols | sides[1].free_symbols
            shown = {
                str(k): str(v) for k, v in {**point, **values}.items() if k in used or k in point
            }
            return Mismatch(
                _OPS[kind], shown, sp.sstr(a, full_prec=False), sp.sstr(b, full_prec=False)
            )
    return None
