"""Numeric check of one derivation step: both sides at random points with mpmath.

Independent of :mod:`symsoftmax.engine.proof`: a symbolic K is given each value in
``SAMPLED_K``, every free class index a value in 1..K, a size (n, T) a value from
``_SIZES`` and a free index of a declared family a value in 1..its size, and each remaining
symbol a random value allowed by its assumptions (a positive symbol a positive value, a real one a real
value). Both sides are then evaluated with mpmath to ``dps`` significant digits and
compared. A limit is evaluated at a point beyond which its expression no longer moves at
that precision (x0 + 10^-(dps+10) for a finite x0, 10^4 for infinity: the limits here
converge like exp(-x)).

The sides are evaluated as they are written, node by node, by :class:`_Point`; no explicit
SymPy expression is built first:

- ``Sum(body, (k, lo, hi))`` runs k over the integers from lo to hi (SymPy's, that is
  Karr's, convention for a reversed sum), with k bound while the body is evaluated;
- an entry with concrete indices (z_3, Y[2, 1]) gets its value on first use;
- ``Derivative`` and ``Subs(Derivative(...), t, t0)`` are taken numerically by
  :func:`mpmath.diff` of the body as a function of the variables (an entry z_j too), which
  raises the working precision itself so that the derivative keeps the digits asked for
  (a mixed partial derivative by :func:`_partial`, the same differences taken at once);
  SymPy does not differentiate anything here (the prover does);
- softmax, log-sum-exp and the sigmoid are evaluated by their definitions
  (:func:`expand_definitions`), and any node not known here is left to SymPy's ``doit`` and
  ``evalf`` at the values of its symbols.

Each subexpression is computed once for given values of what it depends on: the memo of a
point is keyed by the node, the working precision and the values of the bound variables it
contains (the summation index, a perturbed variable of a derivative), so the denominator
sum_l e^{z_l} inside a sum over k is computed once, and nothing is reused across different
values of a bound variable, different points or different precisions. Of an array some of
whose entries a derivative perturbs, only the entries a node reads count (:func:`_reads`):
d/dz_2 of log sum_k e^{z_k} computes e^{z_2} again, not the other K - 1 terms. Nodes are
known by the serial number of the first equal object met (:func:`_node`), so that no key
is hashed or compared by SymPy, in Python, at each lookup.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import mpmath
import sympy as sp

from ..symbolic.functions import expand_definitions
from ..symbolic.space import ClassSpace
from .claims import scalar_claims

__all__ = ["Mismatch", "check"]


@dataclass(frozen=True)
class Mismatch:
    """Where and how a relation failed numerically."""

    relation: str
    point: dict[str, str]
    lhs: str
    rhs: str


# ---------------------------------------------------------------------------------- limits


#: At the first this many points of each K, sides that agree up to rounding are evaluated
#: again at twice the digits (a difference that is not rounding shows at any point).
RECHECKED = 3

#: How far along the sequence of points a limit is evaluated at: the relation must hold at
#: each of them, so a claim true at one point only (or converging elsewhere) fails.
FAR = (0, 1, 2)


def _limit_point(x0: sp.Expr, direction: str, dps: int, far: int = 0) -> sp.Expr:
    """The far-th point of the sequence toward x0: 10^4, 10^5, 10^6 for infinity, and
    x0 +- 10^-(dps + 10), 10^-(dps + 15), ... for a finite x0."""
    if x0 is sp.oo:
        return sp.Integer(10) ** (4 + far)
    if x0 is -sp.oo:
        return -(sp.Integer(10) ** (4 + far))
    step = sp.Integer(10) ** -(dps + 10 + 5 * far)
    return x0 - step if direction == "-" else x0 + step


@functools.lru_cache(maxsize=4096)
def _at_limit_point(limit: sp.Limit, dps: int, far: int) -> sp.Expr:
    """The body of ``limit`` with its variable put exactly at the far-th point (an exact
    rational: x0 + 10^-60 is not a number of 60 digits)."""
    body, t, x0, direction = limit.args
    return body.xreplace({t: _limit_point(x0, str(direction), dps, far)})


# -------------------------------------------------------------------------------- points


#: Where the values of the real symbols lie at a point, in turn: around 0, and around
#: +-50 and +-700 (one offset for the whole point, its sign drawn), where exp stresses:
#: e^700 is near the largest float, nothing to mpmath. The spread about the offset is
#: kept at +-3 so that differences of logits stay within what the digits resolve.
OFFSETS = (0.0, 50.0, 700.0)

#: The spread of the values about the offset.
SPREAD = 3.0


def _sample(atom: sp.Expr, rng: random.Random, dps: int, offset: float = 0.0) -> sp.Float:
    """A random value allowed by the assumptions of ``atom``: a real one about ``offset``,
    a positive one in [1/8, 8] (in [0.35, 2.8] at offset 0), a nonnegative one in [0, 2]."""
    if atom.is_positive:
        spread = 1.5 if offset == 0 else 3.0
        value = 2.0 ** rng.uniform(-spread, spread)
    elif atom.is_nonnegative:
        value = rng.uniform(0.0, 2.0)
    elif atom.is_real:
        value = offset + rng.uniform(-SPREAD, SPREAD)
    else:
        raise ValueError(f"cannot sample {atom}: give it real, positive or nonnegative assumptions")
    return sp.Float(value, dps)


#: Up to this many index assignments are all checked, for each K; beyond, the edges (every
#: index at 1 and at K) and random ones up to :data:`SOME_ASSIGNMENTS`.
ALL_ASSIGNMENTS = 64

#: How many assignments are checked when there are more than :data:`ALL_ASSIGNMENTS`.
SOME_ASSIGNMENTS = 16


def _assignments(
    free: list[sp.Symbol],
    K: int,
    case: sp.Basic | None,
    rng: random.Random,
    tops: dict[sp.Symbol, int] | None = None,
) -> list[dict]:
    """The assignments of the free indices that satisfy ``case``, each index in 1..K (a
    class index) or in 1..``tops[index]`` (an index of a declared family): every one when
    there are few (:data:`ALL_ASSIGNMENTS`), else the edges and a random sample."""
    highest = [(tops or {}).get(x, K) for x in free]

    def allowed(point: dict) -> bool:
        return case is None or case.xreplace(point) is not sp.false

    def at(values: tuple[int, ...]) -> dict:
        return dict(zip(free, map(sp.Integer, values), strict=True))

    if math.prod(highest) <= ALL_ASSIGNMENTS:
        every = [at(c) for c in itertools.product(*(range(1, h + 1) for h in highest))]
        return [p for p in every if allowed(p)]
    edges = [at(c) for c in itertools.product(*((1, h) for h in highest))]
    chosen = [p for p in edges[: SOME_ASSIGNMENTS // 2] if allowed(p)]
    for _ in range(100 * SOME_ASSIGNMENTS):
        if len(chosen) >= SOME_ASSIGNMENTS:
            break
        point = at(tuple(rng.randint(1, h) for h in highest))
        if allowed(point) and point not in chosen:
            chosen.append(point)
    return chosen


def _distribution_values(
    space: ClassSpace, K: int, rng: random.Random, dps: int
) -> dict[sp.Expr, sp.Float]:
    """Random entries for each distribution of the space: nonnegative, summing to 1."""
    values: dict[sp.Expr, sp.Float] = {}
    rows = [(), *((s,) for s in range(1, max(_SIZES) + 1))]  # y_k, and Y_{s,k} for each s
    for y, row in itertools.product(space.distributions, rows):
        if (y is space.y) != (row == ()):
            continue
        weights = [sp.Integer(rng.randint(50, 1000)) for _ in range(K)]  # exact: sum is 1
        total = sum(weights)
        values |= {_entry_atom(y, (*row, n + 1)): w / total for n, w in enumerate(weights)}
    return values


# ------------------------------------------------------------------------------ checking

#: Entries of a matrix relation checked at each point (all of them when there are fewer).
_ENTRIES = 4

_OPS = {
    sp.Eq: "=",
    sp.StrictLessThan: "<",
    sp.LessThan: "<=",
    sp.StrictGreaterThan: ">",
    sp.GreaterThan: ">=",
}


def _close(kind: type, lhs: mpmath.mpf, rhs: mpmath.mpf, dps: int) -> bool:
    with mpmath.workdps(dps + _GUARD):  # the digits the sides were computed to
        return _holds(kind, lhs, rhs, mpmath.mpf(10) ** -(dps - 10) * max(1, abs(lhs), abs(rhs)))


def _holds(kind: type, lhs: mpmath.mpf, rhs: mpmath.mpf, tol: mpmath.mpf) -> bool:
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


#: Values given to other sizes, such as the number of features n of softmax regression
#: (the first size symbol by name gets 2, the next 3).
_SIZES = (2, 3)


def _dimensions(symbols: set[sp.Basic], space: ClassSpace) -> list[sp.Symbol]:
    """Free positive integer symbols that are neither K nor an index of the space (a class
    index or one of a declared family): sizes (n, m), and the sizes of the families whose
    indices are among ``symbols`` (t free needs a value of T)."""
    declared = dict(space.families)
    found = {
        s
        for s in symbols
        if isinstance(s, sp.Symbol)
        and s.is_integer
        and s.is_positive
        and s != space.K
        and s not in space.indices
    }
    found |= {declared[s] for s in found if s in declared}
    return sorted(found - set(declared), key=str)


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

    Up to ``points`` assignments of the free class indices are checked for each sampled K
    (for a large matrix, a fresh random sample of its entries at each of ``points`` points),
    each with fresh random values of the other symbols.

    Example:
        >>> S = ClassSpace.of(None)
        >>> check(sp.Eq(S.sum(S.sigma(S.k)), 1), S) is None
        True
        >>> check(sp.Eq(S.sigma(S.i), sp.Rational(1, 2)), S).relation
        '='

        An index met only as a variable of differentiation is given values too:
        d/dz_j log sum_k e^{z_k} is sigma_j, not 0.

        >>> lse = sp.log(S.sum(sp.exp(S.z[S.k])))
        >>> check(sp.Eq(sp.Derivative(lse, S.z[S.j]), 0), S).point["j"] in {"1", "2"}
        True
    """
    _forget_if_full()
    rng = random.Random(seed)
    every = [(kind, (lhs, rhs)) for kind, lhs, rhs in scalar_claims(rel)]
    if len(every) <= _ENTRIES:
        groups = [every]
    else:  # a large matrix: a fresh random sample of its entries at each point
        groups = [rng.sample(every, _ENTRIES) for _ in range(points)]
    along = FAR if rel.has(sp.Limit) else FAR[:1]
    for group in groups:
        kinds = [kind for kind, _ in group]
        pairs = [both for _, both in group]
        both = sp.Tuple(*itertools.chain.from_iterable(pairs))
        symbols = _free_symbols(both)
        sizes = {d: _SIZES[c % len(_SIZES)] for c, d in enumerate(_dimensions(symbols, space))}
        declared = dict(space.families)  # a free index t of a family lies in 1..T
        free = sorted((s for s in symbols if s in space.indices or s in declared), key=str)
        tops = {s: sizes[declared[s]] for s in free if s in declared}
        for K in space.sampled_K:
            assignments = _assignments(free, K, case, rng, tops)
            for n in range(max(len(assignments), points) if assignments else 0):
                point = assignments[n % len(assignments)]
                shown = {space.K: sp.Integer(K)} if space.symbolic else {}
                shown |= point
                fixed = {**sizes, **{s: int(v) for s, v in point.items()}}
                if space.symbolic:
                    fixed[space.K] = K
                values = _distribution_values(space, K, rng, dps)
                # a limit converges at the points of FAR for moderate values only
                offset = 0.0 if len(along) > 1 else OFFSETS[n % len(OFFSETS)]
                offset *= rng.choice((-1, 1))
                draw = functools.partial(_sample, rng=rng, dps=dps, offset=offset)
                # the precision is doubled at the first points of each K (see _compare)
                recheck = len(along) == 1 and n < RECHECKED
                for far in along:
                    at = _Point(fixed, values, draw, dps=dps, far=far)
                    mismatch = _compare(kinds, pairs, at, shown, dps, recheck)
                    if mismatch is not None:
                        return mismatch
    return None


def _free_symbols(expr: sp.Basic) -> set[sp.Symbol]:
    """``expr.free_symbols``, counting the variables of each derivative too.

    SymPy leaves them out, but d sigma_i / d z_j depends on j as much as on i: left out, j
    would be sampled as a real number, every d z_n / d z_j = delta_nj would be 0 and the
    check would compare two zeros.
    """
    return expr.replace(
        lambda e: isinstance(e, sp.Derivative),
        lambda e: sp.Mul(e.expr, *(v for v, _ in e.variable_count), evaluate=False),
    ).free_symbols


def _compare(
    kinds: list[type],
    pairs: list[tuple[sp.Expr, sp.Expr]],
    at: _Point,
    shown: dict[sp.Symbol, sp.Integer],
    dps: int,
    recheck: bool = True,
) -> Mismatch | None:
    """Evaluate each (lhs, rhs) at the point ``at``; the first failed relation, or None.
    ``shown`` is the point as the step names it (K and the indices), for the report.

    Sides that agree to within the tolerance at ``dps`` digits but not exactly are
    evaluated again at twice the digits, where they must agree to within the tolerance of
    that precision: a true identity's difference is rounding and shrinks with the
    precision; a false one's (1e-50, say) stays. (Not for a limit, whose points depend on
    the digits: there the sequence of points of :data:`FAR` does that work.)
    """
    for kind, sides in zip(kinds, pairs, strict=True):
        a, b = (at.value(side, dps + _GUARD) for side in sides)
        if not (type(a) is mpmath.mpf and type(b) is mpmath.mpf):
            # A side that is not a real number (log of a negative, zoo): the relation, a
            # statement about real numbers, does not hold there.
            used = at.used(sides, dps + _GUARD)
            listed = {**shown, **{k: v for k, v in at.values.items() if k in used}}
            return Mismatch(_OPS[kind], {str(k): str(v) for k, v in listed.items()}, str(a), str(b))
        digits = dps
        if recheck and a != b and _close(sp.Eq, a, b, dps):  # equal up to rounding?
            digits = 2 * dps
            a, b = (at.value(side, digits + _GUARD) for side in sides)
        if not _close(kind, a, b, digits):
            used = at.used(sides, digits + _GUARD)
            listed = {**shown, **{k: v for k, v in at.values.items() if k in used}}
            return Mismatch(
                _OPS[kind],
                {str(k): str(v) for k, v in listed.items()},
                sp.sstr(sp.Float(a, digits + _GUARD), full_prec=False),
                sp.sstr(sp.Float(b, digits + _GUARD), full_prec=False),
            )
    return None


# ---------------------------------------------------------------------------- evaluation

#: Digits carried beyond ``dps`` while evaluating, against rounding in long expressions.
_GUARD = 20

#: A value while evaluating: a Python int where it is exactly an integer (an index, K, a
#: bound of a sum), else an mpmath number at the working precision.
Number = int | mpmath.mpf

#: The scope of an evaluation, by the serial number of each symbol (see :func:`_node`): the
#: values of the bound symbols (K, the free indices, the sizes, summation indices,
#: variables of derivatives), and for an array some of whose entries are bound (a
#: derivative by z_2), the sorted ((indices), value) pairs of those entries.
Scope = dict[int, object]

#: A key of the scope present when some entry of an array is bound.
_ENTRIES_BOUND = -1

#: A variable that a substitution or a derivative binds: (serial, symbol, None) or, for an
#: entry of an array such as z_2, (serial of z, z, (2,)).
Slot = tuple[int, sp.Basic, tuple[int, ...] | None]


class _NotPlain(Exception):
    """A value that is not a finite real number (a complex log, a division by zero): the
    side is left to SymPy."""


def _finite(value: Number) -> Number:
    if type(value) is int or (type(value) is mpmath.mpf and mpmath.isfinite(value)):
        return value
    raise _NotPlain(value)


# -- facts about a node, found once per object

#: Each expression object met -> (the object, kept alive so that its id stays its own; the
#: first object met equal to it; the serial number of that one; its rule; the serial
#: numbers of what it depends on, None for a leaf).
_SEEN: dict[int, tuple[sp.Basic, sp.Basic, int, Callable, tuple[int, ...] | None]] = {}

#: The first object met of each value, and its serial number (never reused).
_FIRST: dict[sp.Basic, tuple[sp.Basic, int]] = {}
_SERIALS = itertools.count()

#: :data:`_SEEN` is emptied beyond this many objects (a long session checks many steps),
#: between two checks: during one the scopes hold serial numbers.
_SEEN_MAX = 200_000


def _forget_if_full() -> None:
    """Empty the tables of nodes when they have grown past :data:`_SEEN_MAX`. Serial
    numbers go on, so that no key made before can mean another node."""
    if len(_SEEN) > _SEEN_MAX:
        for table in (_SEEN, _FIRST, _PLANS):
            table.clear()
        _depends_on.cache_clear()
        _reads.cache_clear()


def _node(expr: sp.Basic) -> tuple[sp.Basic, sp.Basic, int, Callable, tuple[int, ...] | None]:
    """(expr, its canonical object, the serial number of that, its rule, its dependencies).

    Equal subexpressions are often distinct objects (sigma_i written on both sides of a
    step), and SymPy hashes and compares them in Python, recursively. Here equality is
    decided once per object: the memo, the scope and the caches are keyed by the serial
    number of the first equal object met, an int.
    """
    seen = _SEEN.get(id(expr))
    if seen is None:
        first = _FIRST.get(expr)
        if first is None:
            first = _FIRST[expr] = (expr, next(_SERIALS))
        canonical, serial = first
        rule = _rule(type(canonical))
        dependencies = None
        if rule not in _LEAVES:
            deps = _depends_on(canonical)  # an IndexedBase depends on itself
            dependencies = tuple(serial if d is canonical else _serial(d) for d in deps)
        seen = _SEEN[id(expr)] = (expr, canonical, serial, rule, dependencies)
    return seen


def _canonical(expr: sp.Basic) -> sp.Basic:
    return _node(expr)[1]


def _serial(expr: sp.Basic) -> int:
    return _node(expr)[2]


@functools.lru_cache(maxsize=65536)
def _depends_on(expr: sp.Basic) -> frozenset[sp.Basic]:
    """What the value of ``expr`` depends on: its free symbols, and the arrays (IndexedBase)
    whose entries it reads; not the variables bound inside it (a summation index)."""
    if isinstance(expr, (sp.Symbol, sp.IndexedBase)):
        return frozenset((expr,))  # canonical: so are the arguments of every call
    args = tuple(map(_canonical, expr.args))
    if isinstance(expr, (sp.Sum, sp.Product, sp.Integral)):
        deps = _depends_on(args[0])
        for v, *bounds in args[1:]:  # innermost first: its bounds may use outer ones
            deps = (deps - {_canonical(v)}).union(*(_depends_on(_canonical(b)) for b in bounds))
        return deps
    if isinstance(expr, (sp.Lambda, sp.Subs)):
        variables = set(map(_canonical, expr.variables))
        inner = _depends_on(_canonical(expr.expr)) - variables
        return inner.union(*(_depends_on(_canonical(p)) for p in getattr(expr, "point", ())))
    if isinstance(expr, sp.Limit):
        body, t, x0, _ = args
        return (_depends_on(body) - {t}) | _depends_on(x0)
    return frozenset().union(*map(_depends_on, args))


#: The entries of each array (by serial number) that an expression reads: tuples of
#: index expressions, or None for "any entry".
Reads = dict[int, tuple[tuple[sp.Expr, ...], ...] | None]


def _merged(parts: Iterable[Reads]) -> Reads:
    out: Reads = {}
    for part in parts:
        for base, at in part.items():
            if base not in out:
                out[base] = at
            elif out[base] is None or at is None:
                out[base] = None
            else:
                out[base] = tuple(dict.fromkeys((*out[base], *at)))
    return out


@functools.lru_cache(maxsize=65536)
def _reads(expr: sp.Basic) -> Reads:
    """The entries of each array that ``expr`` reads, as tuples of index expressions in its
    free variables: z_k inside the sum over k of e^{z_k} reads {(k,)}; the sum itself reads
    any entry of z (None), since k is bound inside it."""
    if isinstance(expr, sp.IndexedBase):
        return {_serial(expr): None}
    args = tuple(map(_canonical, expr.args))
    if isinstance(expr, sp.Indexed):
        return _merged([{_serial(args[0]): (expr.indices,)}, *map(_reads, args[1:])])
    reads = _merged(map(_reads, args))
    bound = frozenset().union(*map(_depends_on, args)) - _depends_on(expr)
    if bound:
        for base, at in reads.items():
            if at is not None and any(
                not bound.isdisjoint(_depends_on(_canonical(i))) for i in sum(at, ())
            ):
                reads[base] = None
    return reads


#: Index plans by the serial number of a node: for an entry, (serial of the array, the
#: array, the plan of its indices); for any other node, the plans of the entries it reads
#: (:func:`_reads`). See :func:`_plan`.
_PLANS: dict[int, object] = {}

#: How the evaluator reads an index fastest: an int, (serial, symbol) for a symbol, else
#: the expression.
IndexPlan = tuple[int | tuple[int, sp.Symbol] | sp.Expr, ...]


def _plan(indices: Iterable[sp.Expr]) -> IndexPlan:
    plan: list[int | tuple[int, sp.Symbol] | sp.Expr] = []
    for i in indices:
        if isinstance(i, sp.Integer):
            plan.append(int(i))
        elif isinstance(i, sp.Symbol):
            symbol = _canonical(i)
            plan.append((_serial(symbol), symbol))
        else:
            plan.append(i)
    return tuple(plan)


@functools.lru_cache(maxsize=65536)
def _entry_atom(base: sp.IndexedBase, indices: tuple[int, ...]) -> sp.Indexed:
    """The entry base[indices], the same object each time (SymPy keeps its assumptions)."""
    return base[indices]


@functools.lru_cache(maxsize=4096)
def _expanded(expr: sp.Basic) -> sp.Basic | None:
    """``expr`` with softmax, log-sum-exp and sigmoid written by their definitions; None
    where a definition needs a concrete index (entry z_i of an explicit vector)."""
    try:
        return expand_definitions(expr)
    except ValueError:
        return None


# -- the evaluation


class _Point:
    """The values at one point, and the evaluation of expressions there.

    Args:
        fixed: the integers of the point: K (when symbolic), the sizes, the free indices.
        values: entry or symbol -> its value (SymPy Float or exact Rational), shared by the
            relations of the point; a value missing is drawn on first use by ``draw``.
        draw: ``draw(atom)``, a random value allowed by the assumptions of ``atom``.
        dps: the digits of the check (for the points of a limit).
        far: which point of a limit's sequence (:data:`FAR`).
    """

    def __init__(
        self,
        fixed: dict[sp.Symbol, int],
        values: dict[sp.Expr, sp.Expr],
        draw: Callable[[sp.Expr], sp.Expr],
        *,
        dps: int,
        far: int = 0,
    ) -> None:
        self.fixed: Scope = {_serial(s): v for s, v in fixed.items()}
        self.values = values
        self.draw = draw
        self.dps = dps
        self.far = far
        self.memo: dict[tuple, Number] = {}  # (node, precision, bound values) -> value
        self.numbers: dict[tuple, tuple[sp.Expr, mpmath.mpf]] = {}  # the values as mpf
        self.recorded: set[sp.Expr] | None = None  # what was read, while recording

    def value(self, side: sp.Expr, digits: int) -> mpmath.mpf | sp.Expr:
        """``side`` at this point to ``digits`` digits: a real mpmath number, or what SymPy
        makes of a side that is not one (a complex number, zoo)."""
        with mpmath.workdps(digits):
            try:
                return +mpmath.mpf(_finite(self.number(side, self.fixed)))
            except (_NotPlain, ZeroDivisionError, ValueError, OverflowError):
                value = self._by_sympy(side, self.fixed).evalf(digits)
                if value.is_Float:
                    return mpmath.mpf(value._mpf_)
                if value.is_infinite and value.is_extended_real:
                    return mpmath.inf if value.is_extended_positive else -mpmath.inf
                return value

    def used(self, sides: Iterable[sp.Expr], digits: int) -> set[sp.Expr]:
        """The entries and symbols that evaluating ``sides`` reads (for a report)."""
        memo, self.memo, self.recorded = self.memo, {}, set()
        try:
            for side in sides:
                self.value(side, digits)
            return self.recorded
        finally:
            self.memo, self.recorded = memo, None

    def number(self, expr: sp.Basic, scope: Scope) -> Number:
        """The value of ``expr`` in ``scope`` at the working precision of mpmath.

        Memoized by (node, precision, the values in ``scope`` of what the node depends on);
        of an array some of whose entries are bound, only the entries the node reads count.
        """
        _, expr, serial, rule, dependencies = _SEEN.get(id(expr)) or _node(expr)
        if dependencies is None:  # a number, a symbol, an entry: read at once
            if rule is _Point._symbol:
                value = scope.get(serial)
                return self._read(serial, expr) if value is None else value
            return rule(self, expr, scope)
        if _ENTRIES_BOUND in scope:
            bound = self._bound_values(expr, serial, dependencies, scope)
        else:
            bound = tuple(map(scope.get, dependencies))
        key = (serial, mpmath.mp.prec, bound)
        value = self.memo.get(key)
        if value is None:
            value = self.memo[key] = rule(self, expr, scope)
        return value

    def _bound_values(
        self, expr: sp.Basic, serial: int, dependencies: tuple[int, ...], scope: Scope
    ) -> tuple:
        """The values in the scope of what ``expr`` depends on, for its key: of an array
        some of whose entries are bound, the values of those that ``expr`` reads (None for
        one not bound): d/dz_2 of a sum does not recompute e^{z_5}."""
        reads = _PLANS.get(serial)
        if reads is None:
            reads = _PLANS[serial] = {
                base: None if at is None else tuple(map(_plan, at))
                for base, at in _reads(expr).items()
            }
        bound = []
        for d in dependencies:
            value = scope.get(d)
            if type(value) is tuple and (at := reads.get(d)) is not None:
                entries = dict(value)
                value = tuple(entries.get(self._indices(plan, scope)) for plan in at)
            bound.append(value)
        return tuple(bound)

    def _indices(self, plan: IndexPlan, scope: Scope) -> tuple[int, ...]:
        """The values of the indices of an entry, by their :func:`_plan`."""
        out = []
        for i in plan:
            if type(i) is int:
                out.append(i)
            elif type(i) is tuple:
                value = scope.get(i[0])
                out.append(value if type(value) is int else self.index(i[1], scope))
            else:
                out.append(self.index(i, scope))
        return tuple(out)

    def index(self, expr: sp.Basic, scope: Scope) -> int:
        """The value of ``expr``, which must be an integer (an index, a bound of a sum)."""
        if isinstance(expr, sp.Integer):
            return int(expr.p)
        value = self.number(expr, scope)
        if type(value) is int:
            return value
        if type(value) is mpmath.mpf and mpmath.isint(value):
            return int(value)
        raise _NotPlain(expr)

    # -- the values of the point

    def _read(self, key: int | tuple, atom: sp.Basic | tuple) -> mpmath.mpf:
        """The value of a symbol (key: its serial) or an entry (key: (serial of the array,
        indices), atom: (array, indices)): drawn on first use and kept in ``values``
        (exact), converted to mpmath once per precision."""
        known = self.numbers.get((key, mpmath.mp.prec))
        if known is None:
            if type(atom) is tuple:
                atom = _entry_atom(*atom)
            value = self.values.get(atom)
            if value is None:
                value = self.values[atom] = self.draw(atom)
            number = mpmath.mpf(value.p) / value.q if value.is_Rational else mpmath.mpf(value._mpf_)
            known = self.numbers[key, mpmath.mp.prec] = (atom, number)
        if self.recorded is not None:
            self.recorded.add(known[0])
        return known[1]

    def _entry(
        self, serial: int, base: sp.IndexedBase, indices: tuple[int, ...], scope: Scope
    ) -> Number:
        for bound, value in scope.get(serial, ()):
            if bound == indices:
                return value
        return self._read((serial, indices), (base, indices))

    def _slot(self, v: sp.Basic, scope: Scope) -> Slot:
        """The variable ``v`` of a derivative or a substitution: a symbol, or an entry
        whose indices are evaluated (z_j is z_2 when j = 2)."""
        if isinstance(v, sp.Symbol):
            v = _canonical(v)
            return _serial(v), v, None
        if isinstance(v, sp.Indexed):
            base = _canonical(v.base)
            return _serial(base), base, tuple(self.index(i, scope) for i in v.indices)
        raise _NotPlain(v)

    def _at(self, slot: Slot, scope: Scope) -> Number:
        serial, v, indices = slot
        if indices is not None:
            return self._entry(serial, v, indices, scope)
        value = scope.get(serial)
        return self._read(serial, v) if value is None else value

    @staticmethod
    def _bound(scope: Scope, slots: list[Slot], values: Iterable[Number]) -> Scope:
        """``scope`` with each slot bound to its value."""
        inner = dict(scope)
        for (serial, _, indices), value in zip(slots, values, strict=True):
            if indices is None:
                inner[serial] = value
            else:
                entries = dict(inner.get(serial, ())) | {indices: value}
                inner[serial] = tuple(sorted(entries.items()))
                inner[_ENTRIES_BOUND] = True
        return inner

    # -- the rules, one per kind of node (the table _RULES below)

    def _integer(self, expr: sp.Integer, scope: Scope) -> int:
        return int(expr.p)

    def _rational(self, expr: sp.Rational, scope: Scope) -> mpmath.mpf:
        return mpmath.mpf(expr.p) / expr.q

    def _float(self, expr: sp.Float, scope: Scope) -> mpmath.mpf:
        return _finite(mpmath.mpf(expr._mpf_))

    def _symbol(self, expr: sp.Symbol, scope: Scope) -> Number:
        return self._at(self._slot(expr, scope), scope)

    def _indexed(self, expr: sp.Indexed, scope: Scope) -> Number:
        serial = _node(expr)[2]
        plan = _PLANS.get(serial)
        if plan is None:
            base = _canonical(expr.base)
            plan = _PLANS[serial] = (_serial(base), base, _plan(expr.indices))
        return self._entry(plan[0], plan[1], self._indices(plan[2], scope), scope)

    def _add(self, expr: sp.Add, scope: Scope) -> Number:
        return _total([self.number(a, scope) for a in expr.args])

    def _mul(self, expr: sp.Mul, scope: Scope) -> Number:
        # in turn, rounded at each step as mpmath.fprod does; exact while they are integers
        return functools.reduce(operator.mul, [self.number(a, scope) for a in expr.args])

    def _pow(self, expr: sp.Pow, scope: Scope) -> Number:
        base, power = (self.number(a, scope) for a in expr.args)
        if type(power) is not int:
            return _finite(mpmath.power(base, power))
        if type(base) is int and power >= 0:
            return base**power
        return mpmath.mpf(base) ** power

    def _exp(self, expr: sp.exp, scope: Scope) -> mpmath.mpf:
        return mpmath.exp(self.number(expr.args[0], scope))

    def _log(self, expr: sp.log, scope: Scope) -> mpmath.mpf:
        return _finite(mpmath.log(self.number(expr.args[0], scope)))

    def _delta(self, expr: sp.KroneckerDelta, scope: Scope) -> int:
        a, b = (self.number(a, scope) for a in expr.args)
        return int(a == b)

    def _sum(self, expr: sp.Sum, scope: Scope) -> Number:
        return self._summed(expr.function, expr.limits[::-1], scope)

    def _summed(self, body: sp.Expr, limits: tuple, scope: Scope) -> Number:
        """The sum of ``body`` over ``limits``, outermost first."""
        if not limits:
            return self.number(body, scope)
        (k, lo, hi), inner = limits[0], limits[1:]
        k, lo, hi = _serial(k), self.index(lo, scope), self.index(hi, scope)
        # SymPy's (Karr's) convention: from lo to lo - 1 is empty, and from lo to hi < lo - 1
        # is minus the sum from hi + 1 to lo - 1.
        a, b, sign = (lo, hi, 1) if hi >= lo - 1 else (hi + 1, lo - 1, -1)
        return sign * _total([self._summed(body, inner, {**scope, k: n}) for n in range(a, b + 1)])

    def _derivative(self, expr: sp.Derivative, scope: Scope) -> mpmath.mpf:
        """mpmath's derivative of the body as a function of the variables.

        Variables that are the same entry (Theta_{i1} and Theta_{j1} at i = j) are one
        variable, differentiated as often as both together. :func:`mpmath.diff` evaluates
        the body at points x + m h with h = 2^-(p + 10) for a working precision of p bits,
        itself working at (p + 20)(n + 1) bits for an n-th derivative: the differences
        lose n (p + 10) bits of those and keep about p.
        """
        orders: dict[Slot, int] = {}
        for v, count in expr.variable_count:
            slot = self._slot(v, scope)
            orders[slot] = orders.get(slot, 0) + int(count)
        slots = list(orders)
        at = [mpmath.mpf(self._at(slot, scope)) for slot in slots]

        def body(*xs: mpmath.mpf) -> mpmath.mpf:
            return mpmath.mpf(self.number(expr.expr, self._bound(scope, slots, xs)))

        if len(slots) == 1:
            return _finite(mpmath.diff(body, at[0], orders[slots[0]]))
        return _finite(_partial(body, at, list(orders.values())))

    def _subs(self, expr: sp.Subs, scope: Scope) -> Number:
        slots = [self._slot(v, scope) for v in expr.variables]
        at = [self.number(p, scope) for p in expr.point]
        return self.number(expr.expr, self._bound(scope, slots, at))

    def _limit(self, expr: sp.Limit, scope: Scope) -> Number:
        return self.number(_at_limit_point(expr, self.dps, self.far), scope)

    def _determinant(self, expr: sp.Determinant, scope: Scope) -> Number:
        m = expr.arg
        if not isinstance(m, sp.MatrixBase):
            return self._other(expr, scope)
        rows = [[self.number(m[r, c], scope) for c in range(m.cols)] for r in range(m.rows)]
        return mpmath.det(mpmath.matrix(rows))

    def _other(self, expr: sp.Basic, scope: Scope) -> Number:
        """A function defined in the symbolic layer (softmax, log-sum-exp, sigmoid) by its
        definition; anything else by SymPy's ``doit`` and ``evalf`` at the values."""
        expanded = _expanded(expr)
        if expanded is None:  # an explicit vector's entry z_i: at the value of i
            expanded = _expanded(expr.xreplace(self._integers(expr, scope)))
        if expanded is not None and expanded is not expr:
            return self.number(expanded, scope)
        value = self._by_sympy(expr, scope).evalf(mpmath.mp.dps)
        if not value.is_Float:
            raise _NotPlain(expr)
        return _finite(mpmath.mpf(value._mpf_))

    # -- SymPy, for what the rules do not know

    def _integers(self, expr: sp.Basic, scope: Scope) -> dict[sp.Basic, sp.Integer]:
        values = {d: scope.get(_serial(d)) for d in _depends_on(_canonical(expr))}
        return {d: sp.Integer(v) for d, v in values.items() if type(v) is int}

    def _by_sympy(self, expr: sp.Basic, scope: Scope) -> sp.Expr:
        """``expr`` with the values of its symbols put in, and SymPy's ``doit`` done."""
        digits = mpmath.mp.dps
        bound = {
            d: sp.Float(v, digits)
            for d in _depends_on(_canonical(expr))
            if isinstance(d, sp.Symbol) and type(v := scope.get(_serial(d))) is mpmath.mpf
        }
        expr = expand_definitions(expr.xreplace(self._integers(expr, scope) | bound)).doit()
        labels = {e.base.label for e in expr.atoms(sp.Indexed)}
        symbols = {
            s: sp.Float(self._at(self._slot(s, scope), scope), digits)
            for s in expr.free_symbols
            if isinstance(s, sp.Symbol) and s not in labels
        }
        expr = expr.xreplace(symbols)
        entries = {
            e: sp.Float(self._at(self._slot(e, scope), scope), digits)
            for e in expr.atoms(sp.Indexed)
            if all(i.is_Integer for i in e.indices)
        }
        return expr.xreplace(entries)


def _partial(f: Callable[..., mpmath.mpf], at: list[mpmath.mpf], orders: list[int]) -> mpmath.mpf:
    """The mixed partial derivative of ``f`` at ``at``: the product of the central
    differences of :func:`mpmath.diff` in each variable, taken at once.

    ``mpmath.diff(f, at, orders)`` nests one derivative in another, each raising the
    precision for its own: (p + 20)(n + 1) bits and then that again, about 4p for d^2/dx dy.
    The differences here, of total order n, evaluate f at (p + 20)(n + 1) bits with the
    step h = 2^-(p + 10) of mpmath's: their weights sum to 2^n in absolute value, so the
    rounding of f is multiplied by 2^n / (2h)^n = 2^(n (p + 10)) and p bits remain, as in
    one variable.
    """
    n = sum(orders)
    prec = mpmath.mp.prec
    with mpmath.workprec((prec + 20) * (n + 1)):
        h = mpmath.ldexp(1, -prec - 10)
        terms = []
        for steps in itertools.product(*(range(k + 1) for k in orders)):
            weight = math.prod(
                (-1) ** (k - m) * math.comb(k, m) for k, m in zip(orders, steps, strict=True)
            )
            x = [a + (2 * m - k) * h for a, k, m in zip(at, orders, steps, strict=True)]
            terms.append(weight * f(*x))
        derivative = mpmath.fsum(terms) / (2 * h) ** n
    return +derivative


def _total(terms: list[Number]) -> Number:
    """The sum, exact for integers, else rounded once (mpmath.fsum; two terms: a + b)."""
    if len(terms) == 2:
        return terms[0] + terms[1]
    for t in terms:
        if type(t) is not int:
            return mpmath.fsum(terms)
    return sum(terms)


#: The rule for each kind of node; the first class in a node's MRO that is here decides.
_RULES: dict[type, Callable[[_Point, sp.Basic, Scope], Number]] = {
    sp.Integer: _Point._integer,
    sp.Rational: _Point._rational,
    sp.Float: _Point._float,
    sp.Symbol: _Point._symbol,
    sp.Indexed: _Point._indexed,
    sp.Add: _Point._add,
    sp.Mul: _Point._mul,
    sp.Pow: _Point._pow,
    sp.exp: _Point._exp,
    sp.log: _Point._log,
    sp.KroneckerDelta: _Point._delta,
    sp.Sum: _Point._sum,
    sp.Derivative: _Point._derivative,
    sp.Subs: _Point._subs,
    sp.Limit: _Point._limit,
    sp.Determinant: _Point._determinant,
}

#: Rules whose values are read at once, not memoized.
_LEAVES = frozenset(
    (_Point._integer, _Point._rational, _Point._float, _Point._symbol, _Point._indexed)
)


@functools.cache
def _rule(kind: type) -> Callable[[_Point, sp.Basic, Scope], Number]:
    return next((_RULES[c] for c in kind.__mro__ if c in _RULES), _Point._other)
