"""Numeric check of one derivation step: both sides at random points with mpmath.

Independent of :mod:`symsoftmax.proof`: a symbolic K is given each value in ``SAMPLED_K``,
the sums are written out term by term, derivatives are taken by SymPy on the explicit
definition, every free class index is given a value and each remaining symbol a random
value allowed by its assumptions (a positive symbol a positive value, a real one a real
value). Both sides are then evaluated with mpmath to ``dps`` significant digits and
compared. A limit is evaluated at a point beyond which its expression no longer moves at
that precision (x0 + 10^-(dps+10) for a finite x0, 10^4 for infinity: the limits here
converge like exp(-x)).

Where the cost goes, and what is done about it:

- The symbolic work (SymPy's derivatives of the written-out sums) is done once per K and
  cached, not once per point: with the free class indices still symbols, the derivative
  carries a Kronecker delta wherever an index can meet another (d z_i / d z_j = delta_ij,
  d z_i / d z_2 = delta_i2), so it is the derivative at every assignment of the indices
  at once, and each point only evaluates it. A side shared by several steps is made
  explicit once. (For a large K, where a delta per entry costs more than it saves, it is
  done at each point instead.)
- SymPy works on a copy of the step whose symbols carry no assumptions (see
  :func:`_plain_copy`); the values are still drawn by the assumptions of the step.
- The explicit sides are evaluated by a walk that computes each shared subexpression once
  in mpmath, not by substituting Floats into the SymPy tree and calling ``evalf``.
"""

from __future__ import annotations

import functools
import itertools
import random
from dataclasses import dataclass

import mpmath
import sympy as sp

from ..symbolic.functions import LogSumExp, Sigmoid, Softmax, expand_definitions
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


# ---------------------------------------------------------------- the explicit expression


def _limit_point(x0: sp.Expr, direction: str, dps: int) -> sp.Expr:
    if x0 is sp.oo:
        return sp.Integer(10) ** 4
    if x0 is -sp.oo:
        return -(sp.Integer(10) ** 4)
    step = sp.Integer(10) ** -(dps + 10)
    return x0 - step if direction == "-" else x0 + step


#: Nodes that may bind a summation index, where a plain replacement of it would be wrong.
_BINDERS = (sp.Sum, sp.Lambda, sp.Subs, sp.Limit, sp.Product, sp.Integral)

#: What :func:`_concrete` leaves to SymPy's ``doit`` when some remains after its passes
#: (a determinant is left to the evaluation, which takes it of a matrix of numbers).
_UNEVALUATED = (*_BINDERS, sp.Derivative)


@functools.lru_cache(maxsize=4096)
def _concrete(expr: sp.Basic, dps: int) -> sp.Basic:
    """Definitions expanded; limits, sums (concrete bounds) and derivatives evaluated.

    Cached: a side that several steps share, or that every point of a K meets, is made
    explicit once. Anything the passes below leave (a Product, an Integral) goes to
    SymPy's ``doit``, as everything did before they were written.
    """
    expr = expand_definitions(expr)
    expr = expr.replace(
        lambda e: isinstance(e, sp.Limit),
        lambda e: _concrete(e.args[0], dps).xreplace(
            {e.args[1]: _limit_point(e.args[2], str(e.args[3]), dps)}
        ),
    )
    # Bottom up: a sum is written out before a derivative of it is taken, and an inner
    # derivative is taken before an outer one (or a Subs) sees it.
    expr = expr.replace(lambda e: isinstance(e, sp.Sum), _written_out)
    expr = expr.replace(lambda e: isinstance(e, (sp.Derivative, sp.Subs)), _taken)
    return expr.doit() if expr.has(*_UNEVALUATED) else expr


def _written_out(s: sp.Sum) -> sp.Expr:
    """A sum with integer bounds as the Add of its terms, which is what it means.

    Anything else goes to SymPy's ``Sum.doit`` (which would also try closed forms and
    partial fractions first: the same value, found more slowly).
    """
    (k, lo, hi), *outer = s.limits
    body = s.function
    if not (lo.is_Integer and hi.is_Integer) or body.has(*_BINDERS):
        return s.doit()
    total = sp.Add(*(body.xreplace({k: sp.Integer(n)}) for n in range(int(lo), int(hi) + 1)))
    return _written_out(sp.Sum(total, *outer)) if outer else total


def _taken(e: sp.Derivative | sp.Subs) -> sp.Expr:
    """SymPy's derivative of the (explicit) expression, or the substitution made.

    ``simplify=False`` only skips the cosmetic ``factor_terms(signsimp(...))`` that SymPy
    applies to a derivative of order two or more; the derivative is the same.
    """
    if isinstance(e, sp.Derivative):
        return e.expr.diff(*e.variable_count, simplify=False)
    return e.doit(deep=False)


@functools.lru_cache(maxsize=4096)
def _unknowns(expr: sp.Basic) -> frozenset[sp.Expr]:
    """The symbols and indexed entries (z_1, z_i, ...) of ``expr``: what needs a value."""
    indexed = expr.atoms(sp.Indexed)
    labels = {x.base.label for x in indexed}
    return frozenset(indexed | (expr.atoms(sp.Symbol) - labels))


# -------------------------------------------------------------------------------- points


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


def _distribution_values(
    space: ClassSpace, K: int, rng: random.Random, dps: int
) -> dict[sp.Expr, sp.Float]:
    """Random entries for each distribution of the space: nonnegative, summing to 1."""
    values: dict[sp.Expr, sp.Float] = {}
    rows = [(), *((s,) for s in range(1, max(_SIZES) + 1))]  # y_k, and Y_{s,k} for each s
    for y, row in itertools.product(space.distributions, rows):
        if (y is space.y) != (row == ()):
            continue
        weights = [sp.Float(rng.uniform(0.05, 1.0), dps) for _ in range(K)]
        total = sum(weights)
        values |= {y[(*row, n + 1)]: w / total for n, w in enumerate(weights)}
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


#: Values given to other sizes, such as the number of features n of softmax regression
#: (the first size symbol by name gets 2, the next 3).
_SIZES = (2, 3)


def _dimensions(expr: sp.Basic, space: ClassSpace) -> list[sp.Symbol]:
    """Free positive integer symbols that are neither K nor a class index: sizes (n, m)."""
    return sorted(
        (
            s
            for s in expr.free_symbols
            if isinstance(s, sp.Symbol)
            and s.is_integer
            and s.is_positive
            and s != space.K
            and s not in space.indices
        ),
        key=str,
    )


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
    rng = random.Random(seed)
    every = [(kind, sp.Tuple(lhs, rhs)) for kind, lhs, rhs in scalar_claims(rel)]
    if len(every) <= _ENTRIES:
        groups, per_group = [every], points
    else:  # a large matrix: a fresh random sample of its entries at each point
        groups, per_group = [rng.sample(every, _ENTRIES) for _ in range(points)], 1
    for group in groups:
        kinds = [kind for kind, _ in group]
        group_pairs = sp.Tuple(*(both for _, both in group))
        dimensions = _dimensions(group_pairs, space)
        sizes = {d: sp.Integer(_SIZES[c % len(_SIZES)]) for c, d in enumerate(dimensions)}
        pairs, symbol_of = _plain_copy(group_pairs.xreplace(sizes), space)
        plain_case = None if case is None else case.xreplace({s: p for p, s in symbol_of.items()})
        free = sorted(
            (p for p in _free_symbols(pairs) if symbol_of.get(p) in space.indices), key=str
        )
        for K in space.sampled_K:
            at_K = pairs.xreplace({space.K: sp.Integer(K)})
            for point in _assignments(free, K, plain_case, per_group, rng):
                explicit = _explicit(at_K, point, K, dps)
                shown = {space.K: sp.Integer(K)} if space.symbolic else {}
                shown |= {symbol_of[p]: n for p, n in point.items()}
                values = _distribution_values(space, K, rng, dps)
                mismatch = _compare(kinds, explicit, point, shown, rng, dps, values)
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


#: The largest K at which the sides are made explicit with the free class indices left
#: symbols. A derivative by z_j then meets each of the K entries (with a delta), where at a
#: concrete j it meets one: once per K pays for small K (every point and every step reuse
#: it), at each point pays for large K.
_SYMBOLIC_INDICES_UP_TO = 8


def _explicit(pairs: sp.Tuple, point: dict, K: int, dps: int) -> list[list[sp.Basic]]:
    """The sides made explicit, with the free class indices left symbols (cached: once per
    K) or at ``point`` (for a large K, or where SymPy needs numbers for them: an entry z_i
    of a vector given as the list of its K entries)."""
    if K <= _SYMBOLIC_INDICES_UP_TO:
        try:
            return [[_concrete(side, dps) for side in pair] for pair in pairs]
        except (ValueError, TypeError, NotImplementedError):
            pass
    return [[_concrete(side.xreplace(point), dps) for side in pair] for pair in pairs]


def _compare(
    kinds: list[type],
    pairs: list[list[sp.Basic]],
    point: dict[sp.Symbol, sp.Integer],
    shown: dict[sp.Symbol, sp.Integer],
    rng: random.Random,
    dps: int,
    values: dict[sp.Expr, sp.Float],
) -> Mismatch | None:
    """Evaluate each explicit (lhs, rhs) at the index assignment ``point`` and at random
    values of everything else; the first failed relation, or None. ``shown`` is the point
    as the step names it (K and the indices), for the report."""
    memo: dict[sp.Basic, mpmath.mpf] = {}  # subexpressions the sides share, at this point
    for kind, sides in zip(kinds, pairs, strict=True):
        env: dict[sp.Basic, sp.Expr] = {}
        entries: dict[sp.Basic, sp.Expr] = {}  # unknown -> the entry of the step it is now
        for atom in _unknowns(sp.Tuple(*sides)):
            at_point = atom.xreplace(point)  # z_i is the entry z_2 when i = 2
            if at_point.is_Integer:  # a free class index
                env[atom] = at_point
            else:
                entries[atom] = _renamed(at_point)
        for entry in sorted(set(entries.values()), key=str):
            values.setdefault(entry, _sample(entry, rng, dps))
        env |= {atom: values[entry] for atom, entry in entries.items()}
        a, b = (_value(side, env, memo, dps) for side in sides)
        if not (a.is_number and b.is_number and a.is_real is not False and b.is_real is not False):
            raise ValueError(f"{kind.__name__} did not evaluate to numbers: {a}, {b}")
        if not _close(kind, a, b, dps):
            used = set(entries.values())
            listed = {**shown, **{k: v for k, v in values.items() if k in used}}
            return Mismatch(
                _OPS[kind],
                {str(k): str(v) for k, v in listed.items()},
                sp.sstr(a, full_prec=False),
                sp.sstr(b, full_prec=False),
            )
    return None


# ------------------------------------------------------------------- symbols for SymPy's work

#: Nodes that SymPy differentiates and simplifies by rules that hold for every complex
#: value of their symbols (besides atoms: symbols and numbers); not so Abs, Max, sign,
#: Piecewise, whose derivatives SymPy takes only for real symbols.
_ANALYTIC = (
    sp.Add,
    sp.Mul,
    sp.Pow,
    sp.exp,
    sp.log,
    Softmax,
    LogSumExp,
    Sigmoid,
    sp.Lambda,
    sp.KroneckerDelta,
    sp.Sum,
    sp.Derivative,
    sp.Subs,
    sp.Limit,
    sp.Indexed,
    sp.IndexedBase,
    sp.Tuple,
    sp.Determinant,
    sp.MatrixBase,
)


#: The symbol of a step that each symbol made by :func:`_plain` stands for.
_STANDS_FOR: dict[sp.Dummy, sp.Symbol] = {}


@functools.cache
def _plain(symbol: sp.Symbol) -> sp.Dummy:
    """A symbol with no assumptions that stands for ``symbol`` (the same one every time)."""
    plain = sp.Dummy(symbol.name)
    _STANDS_FOR[plain] = symbol
    return plain


def _plain_copy(pairs: sp.Tuple, space: ClassSpace) -> tuple[sp.Tuple, dict[sp.Symbol, sp.Symbol]]:
    """``pairs`` for SymPy to work on, and the map from its symbols back to those of ``pairs``.

    Made only of sums, products, powers, exp, log, softmax and deltas, the pairs are copied
    with symbols that carry no assumptions (K aside: it is replaced by a number). SymPy's
    derivatives and automatic simplifications are then those valid for every complex value,
    so for the real values sampled (which still follow the assumptions of the step: a
    positive symbol gets a positive value), and SymPy no longer spends most of its time
    deducing facts about each intermediate result (is it zero? is it even?). Anything else
    (Abs, Max, a Piecewise) keeps its symbols as they are.
    """
    symbols = pairs.atoms(sp.Symbol) - {space.K}
    symbols -= {limit.args[3] for limit in pairs.atoms(sp.Limit)}  # the direction, '+'
    if all(e.is_Atom or isinstance(e, _ANALYTIC) for e in sp.preorder_traversal(pairs)):
        try:
            return pairs.xreplace({s: _plain(s) for s in symbols}), {_plain(s): s for s in symbols}
        except (ValueError, TypeError):  # a function that insists on an integer symbol
            pass
    return pairs, {s: s for s in symbols}


@functools.lru_cache(maxsize=65536)
def _renamed(entry: sp.Expr) -> sp.Expr:
    """An entry (z_2, beta) in the symbols of the step, which carry its assumptions."""
    rule = {s: _STANDS_FOR[s] for s in entry.atoms(sp.Dummy) if s in _STANDS_FOR}
    return entry.xreplace(rule) if rule else entry


# ---------------------------------------------------------------------------- evaluation


class _NotPlain(Exception):
    """An expression that :func:`_plain_value` leaves to SymPy's ``evalf``."""


#: Functions evaluated by their mpmath namesakes.
_MPMATH = {sp.exp: mpmath.exp, sp.log: mpmath.log}

#: Digits carried beyond ``dps`` while evaluating, against rounding in long expressions.
_GUARD = 20


def _value(expr: sp.Expr, env: dict[sp.Basic, sp.Expr], memo: dict, dps: int) -> sp.Expr:
    """``expr`` with the symbols in ``env`` replaced by their values, to ``dps`` digits.

    Sums, products, powers, exp, log, Kronecker deltas and determinants of numbers are
    computed with mpmath at dps + 20 digits, each shared subexpression once. Anything else
    (another function, a complex or infinite value, a division by zero) is left to SymPy:
    ``expr.xreplace(env).doit().evalf(dps)``.
    """
    try:
        with mpmath.workdps(dps + _GUARD):
            return sp.Float(_plain_value(expr, env, memo), dps)
    except (_NotPlain, ZeroDivisionError, ValueError, OverflowError):
        return expr.xreplace(env).doit().evalf(dps)


def _plain_value(
    expr: sp.Basic, env: dict[sp.Basic, sp.Expr], memo: dict[sp.Basic, mpmath.mpf]
) -> mpmath.mpf:
    """The finite real value of an expression of numbers, +, *, **, exp, log, deltas and
    determinants."""
    if expr in memo:
        return memo[expr]
    if expr in env:
        value = _plain_value(env[expr], {}, {})
    elif expr.is_Rational:
        value = mpmath.mpf(expr.p) / expr.q
    elif expr.is_Float:
        value = mpmath.mpf(expr._mpf_)
    elif expr.is_Add:
        value = mpmath.fsum(_plain_value(a, env, memo) for a in expr.args)
    elif expr.is_Mul:
        value = mpmath.fprod(_plain_value(a, env, memo) for a in expr.args)
    elif expr.is_Pow:
        base, power = (_plain_value(a, env, memo) for a in expr.args)
        value = base ** int(power) if expr.exp.is_Integer else mpmath.power(base, power)
    elif expr.func in _MPMATH:
        value = _MPMATH[expr.func](*(_plain_value(a, env, memo) for a in expr.args))
    elif isinstance(expr, sp.KroneckerDelta):
        a, b = (_plain_value(a, env, memo) for a in expr.args)
        value = mpmath.mpf(a == b)
    elif isinstance(expr, sp.Determinant) and isinstance(expr.arg, sp.MatrixBase):
        m = expr.arg
        rows = [[_plain_value(m[r, c], env, memo) for c in range(m.cols)] for r in range(m.rows)]
        value = mpmath.det(mpmath.matrix(rows))
    else:
        raise _NotPlain(expr)
    if not (isinstance(value, mpmath.mpf) and mpmath.isfinite(value)):
        raise _NotPlain(expr)
    memo[expr] = value
    return value
