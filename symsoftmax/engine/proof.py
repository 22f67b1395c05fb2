"""Symbolic proof of one derivation step: SymPy must establish the relation, or it fails.

Strategy, each part sound on its own:

1. *Evaluate.* Softmax and LogSumExp are replaced by their explicit definitions, then
   derivatives are taken by SymPy and limits computed (finite sums commute with limits, term
   by term). So a step about a derivative is checked against SymPy's own differentiation of
   the explicit formula, never against the derivative rules of our function objects.
2. *Cases.* A Kronecker delta of two free indices splits the proof into i = j (substitute)
   and i != j (the delta is 0); a step's stated case selects one branch.
3. *Sums as unknowns.* Every sum is put in a normal form (split over +, factors free of the
   summation index pulled out, bound index renamed) and each distinct sum is replaced by a
   fresh symbol carrying only what is known of it (positive when its terms are). An identity
   that holds for every value of those symbols holds for the sums; nothing is lost but
   completeness. For an inequality a sum may also be split as ``f(i) + rest``: the term at a
   free index plus the K - 1 >= 1 others (positive when the terms are), or ``f(i) + f(j) +
   rest`` where the case says i != j (the rest then possibly empty: nonnegative).
4. *Decide.* An equation is proved when the difference of its sides reduces to 0; an
   inequality when SymPy's assumptions show the difference is positive (or nonnegative).
   Anything else is *not proved*: undecided never passes.
5. *Monotone rules, for inequalities.* Each replaces a quantity by an expression in a fresh
   unknown carrying one true fact, or reduces the claim to one that implies it:
   e^t = 1 + P (P > 0) when t > 0, 1 / (1 + P) when t < 0 (:func:`_exp_against_one`);
   log x = x - 1 - Q or 1 - 1/x + Q (Q >= 0, x > 0, outside sums: :func:`_log_tangent`);
   sum_k f_k <= sum_k g_k from f_k <= g_k over the whole range of k (:func:`_termwise`);
   a <= b from e^a <= e^b for real a, b (:func:`_through_exp`); a <= b from p a <= p b for
   a positive symbol p (:func:`_times_positive`). Their false look-alikes
   (other ranges, a bound index leaking, non-real sides, exponents of unknown sign) are in
   ``tests/test_soundness.py``.

For a concrete K a step that the generic proof cannot settle is instantiated at every
assignment of its free indices, with the sums expanded, and each instance proved. An entry
at concrete indices (sigma_3 (1 - sigma_3)) is first made generic (sigma_i (1 - sigma_i));
the entries of a K x K matrix then share a handful of generic statements, each proved once.
Every route is sound on its own, and a step passes when one of them proves it: the order in
which they are tried only decides how long that takes.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator

import sympy as sp

from ..symbolic.functions import LogSumExp, Softmax, expand_definitions
from ..symbolic.space import ClassSpace
from ..symbolic.sums import sift_deltas
from .claims import scalar_claims
from .ranges import decide_le, within

__all__ = ["instantiate", "prove", "unproved"]


def _by_unknowns(expr: sp.Expr) -> sp.Expr:
    """One fraction whose numerator is a polynomial in the unknowns (the sums and rests
    standing for sums, :func:`abstract_sums`), each coefficient factored.

    An equal expression, so only the verdict on its sign can change: (e_i + e_j + R)^2 -
    4 e_i e_j is R^2 + 2 (e_i + e_j) R + (e_i - e_j)^2, nonnegative term by term.
    """
    try:
        numerator, denominator = sp.fraction(sp.together(expr))
        numerator = sp.expand(numerator)
        unknowns = sorted((s for s in numerator.free_symbols if isinstance(s, sp.Dummy)), key=str)
        if not unknowns:
            return sp.factor(numerator) / sp.factor(denominator)
        poly = sp.Poly(numerator, *unknowns)
        terms = [
            sp.factor(c) * sp.Mul(*(u**n for u, n in zip(unknowns, powers, strict=True)))
            for powers, c in poly.terms()
        ]
        return sp.Add(*terms) / sp.factor(denominator)
    except sp.PolynomialError:
        return expr


_TRANSFORMS: tuple[Callable[[sp.Expr], sp.Expr], ...] = (
    lambda e: e,
    sp.expand,
    lambda e: sp.cancel(sp.expand(e)),
    lambda e: sp.factor(sp.together(e)),
    sp.simplify,
    _by_unknowns,
)


class Undecided(Exception):
    """SymPy could not settle a part of the proof."""


# ----------------------------------------------------------------------------- evaluation


def _finite(value: sp.Expr, space: ClassSpace) -> bool:
    return bool(abstract_sums(value, space=space)[0].is_finite)


def _limit(expr: sp.Expr, x: sp.Symbol, x0: sp.Expr, direction: str, space: ClassSpace) -> sp.Expr:
    """The limit of ``expr`` as x -> x0, by the algebraic limit laws where sums appear.

    Sums over 1..K (K independent of x) are finite: their limit is the sum of the limits.
    Sums, products, powers with a nonzero or nonnegative base limit, exp and log of a
    positive limit follow by continuity. Everything without a sum goes to SymPy's limit.
    """
    if not expr.has(x):
        return expr
    if not expr.has(sp.Sum):
        value = sp.limit(expr, x, x0, direction)
        if value.has(sp.Limit) or not value.is_finite:
            raise Undecided(f"limit of {expr} as {x} -> {x0}")
        return value
    if isinstance(expr, sp.Sum):
        (k, lo, hi) = expr.limits[0]
        if len(expr.limits) != 1 or (lo.has(x) or hi.has(x)):
            raise Undecided(f"limit of {expr}")
        return sp.Sum(_limit(expr.function, x, x0, direction, space), (k, lo, hi))
    parts = [_limit(a, x, x0, direction, space) for a in expr.args]
    if not all(_finite(p, space) for p in parts):
        raise Undecided(f"a part of {expr} has no finite limit")
    if isinstance(expr, (sp.Add, sp.Mul)):
        return expr.func(*parts)
    if isinstance(expr, sp.Pow):
        base, power = parts
        b = abstract_sums(base, space=space)[0]
        # b^p is continuous in (b, p) at b > 0, and at b >= 0 when p > 0; with a constant
        # integer exponent, b^p is a polynomial (p >= 0) or continuous where b != 0.
        # Never at 0^0 or 0^(negative).
        constant = not expr.args[1].has(x)
        if (
            b.is_positive
            or (power.is_positive and b.is_nonnegative)
            or (constant and power.is_integer and (power.is_nonnegative or b.is_zero is False))
        ):
            return base**power
    if isinstance(expr, sp.exp):
        return sp.exp(parts[0])
    if isinstance(expr, sp.log) and abstract_sums(parts[0], space=space)[0].is_positive:
        return sp.log(parts[0])
    raise Undecided(f"no limit law applies to {expr}")


def in_range(expr: sp.Basic, space: ClassSpace) -> sp.Basic:
    """Conditions on indices that SymPy leaves in a Piecewise (``j <= K``), decided by the
    ranges of the space where they can be (:mod:`.ranges`); the others stay."""
    if not expr.has(sp.Piecewise):
        return expr
    facts = {}
    for rel in expr.atoms(sp.Rel):
        if not (rel.lhs.is_integer and rel.rhs.is_integer):
            continue
        if isinstance(rel, (sp.LessThan, sp.GreaterThan)):
            a, b = (rel.lhs, rel.rhs) if isinstance(rel, sp.LessThan) else (rel.rhs, rel.lhs)
            verdict = decide_le(a, b, space)
        elif isinstance(rel, (sp.StrictLessThan, sp.StrictGreaterThan)):
            a, b = (rel.lhs, rel.rhs) if isinstance(rel, sp.StrictLessThan) else (rel.rhs, rel.lhs)
            verdict = decide_le(a + 1, b, space)
        else:
            continue
        if verdict is not None:
            facts[rel] = sp.true if verdict else sp.false
    return expr.xreplace(facts) if facts else expr


def evaluate(expr: sp.Basic, space: ClassSpace) -> sp.Basic:
    """Definitions expanded, derivatives taken, limits computed, delta sums collapsed where
    the ranges place the delta's index inside (or outside) the sum."""
    expr = expand_definitions(expr)
    expr = expr.replace(lambda e: isinstance(e, (sp.Derivative, sp.Subs, sp.Determinant)), _done)
    expr = expr.replace(
        lambda e: isinstance(e, sp.Limit),
        lambda e: _limit(evaluate(e.args[0], space), e.args[1], e.args[2], str(e.args[3]), space),
    )
    return sift_deltas(expr, within=within(space))


def _done(e: sp.Derivative | sp.Subs | sp.Determinant) -> sp.Expr:
    """``e.doit(deep=False)``; a derivative of order two or more without the cosmetic
    ``factor_terms(signsimp(...))`` that SymPy applies to it (the same derivative)."""
    if isinstance(e, sp.Derivative):
        return e.doit(deep=False, simplify=False)
    return e.doit(deep=False)


# -------------------------------------------------------------------------- sums as symbols


def _canonical(summand: sp.Expr, k: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> sp.Sum:
    """The sum with its index, and the indices of the sums inside it, renamed canonically:
    sums that differ only in the names of bound indices become the same object."""
    slot = sp.Symbol("_class", integer=True, positive=True)
    return sp.Sum(_alpha(summand.xreplace({k: slot}), 0), (slot, lo, hi))


def _alpha(e: sp.Basic, depth: int) -> sp.Basic:
    """Bound indices of nested sums renamed by their depth and position."""
    if isinstance(e, sp.Sum):
        rule = {
            v: sp.Symbol(f"_bound{depth}_{n}", integer=True, positive=True)
            for n, (v, _, _) in enumerate(e.limits)
        }
        limits = [(rule[v], lo, hi) for v, lo, hi in e.limits]
        return sp.Sum(_alpha(e.function.xreplace(rule), depth + 1), *limits)
    if not e.args or isinstance(e, sp.Indexed):
        return e
    return e.func(*(_alpha(a, depth) for a in e.args))


def _expand(expr: sp.Expr) -> sp.Expr:
    """``sp.expand``, splitting e^{a + b} = e^a e^b but never e^{sum} into a product."""
    split = expr.replace(
        lambda e: isinstance(e, sp.exp),
        lambda e: sp.Mul(
            *(sp.exp(t) for t in sp.Add.make_args(sp.expand(e.args[0], power_exp=False)))
        ),
    )
    return sp.expand(split, power_exp=False)


Known = Callable[[sp.Expr, sp.Symbol, sp.Expr, sp.Expr], "sp.Expr | None"]


def known_sums(space: ClassSpace) -> Known:
    """Sums whose value is a fact of the space: sum_k y_k = 1 and sum_k Y_{s,k} = 1."""

    def value(term: sp.Expr, k: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> sp.Expr | None:
        if (
            isinstance(term, sp.Indexed)
            and term.base in space.distributions
            and term.indices[-1] == k
            and not any(i.has(k) for i in term.indices[:-1])
            and (lo, hi) == (1, space.K)
        ):
            return sp.S.One
        return None

    return value


def abstract_sums(
    expr: sp.Expr, known: Known | None = None, *, space: ClassSpace | None = None
) -> tuple[sp.Expr, dict[sp.Dummy, sp.Sum]]:
    """Replace each distinct sum in normal form by a symbol; return the map back too.

    A sum is replaced only when it depends on no enclosing summation index; the symbol is
    real when every term of the sum is, nonnegative when every term is and the sum is
    not reversed (lo <= hi + 1: with SymPy's convention a sum from 1 to -1 is minus the
    term at 0), and positive when every term is and the sum provably has one (lo <= hi).
    What the ranges decide comes from ``space``; without it only numbers are compared. A
    sum in ``known`` is replaced by its value instead.
    """
    table: dict[sp.Sum, sp.Dummy] = {}

    def holds(a: sp.Expr, b: sp.Expr) -> bool:
        if space is not None:
            return bool(decide_le(a, b, space))
        return bool((b - a).is_nonnegative)

    def symbol_for(s: sp.Sum) -> sp.Expr:
        if s not in table:
            term, (_, lo, hi) = s.function, s.limits[0]
            table[s] = sp.Dummy(
                "S",
                positive=(term.is_positive and holds(lo, hi)) or None,
                nonnegative=(term.is_nonnegative and holds(lo, hi + 1)) or None,
                real=term.is_real or None,
            )
        return table[s]

    def reduce(body: sp.Expr, limit: tuple, bound: frozenset[sp.Symbol]) -> sp.Expr:
        """sum over one limit of an abstracted body, in normal form."""
        k, lo, hi = limit
        total = sp.S.Zero
        for term in sp.Add.make_args(_expand(body)):
            coeff, dep = term.as_independent(k, as_Add=False)
            if dep == 1:
                total += coeff * (hi - lo + 1)
                continue
            fact = known(dep, k, lo, hi) if known else None
            if fact is not None:
                total += coeff * fact
                continue
            s = _canonical(dep, k, lo, hi)
            total += coeff * (sp.Sum(dep, limit) if s.free_symbols & bound else symbol_for(s))
        return total

    def visit(e: sp.Expr, bound: frozenset[sp.Symbol]) -> sp.Expr:
        if isinstance(e, sp.Sum):
            variables = [limit[0] for limit in e.limits]
            result = visit(e.function, bound | set(variables))
            for n, limit in enumerate(e.limits):  # innermost first
                result = reduce(result, limit, bound | set(variables[n + 1 :]))
            return result
        if not e.args or isinstance(e, (sp.Indexed, sp.Lambda)):
            return e
        return e.func(*[visit(a, bound) for a in e.args])

    result = visit(expr, frozenset())
    return result, {v: k for k, v in table.items()}


def _split_sums(
    expr: sp.Expr,
    sums: dict[sp.Dummy, sp.Sum],
    free: set[sp.Symbol],
    space: ClassSpace,
    distinct: frozenset[frozenset[sp.Symbol]] = frozenset(),
) -> sp.Expr:
    """For inequalities: S = f(i) + rest, when a free index i appears beside the sum;
    S = f(i) + f(j) + rest when j appears too and i != j is a fact of the case.

    Only where each index provably lies in the sum's range, and further indices only when
    they are pairwise distinct (``distinct``: the pairs the case says differ), so that the
    terms split off are different terms of the sum. The rest, the sum over the other
    indices of the range, is nonnegative when the terms are, positive when they are
    positive and the rest provably has a term (lo + m <= hi for m terms split off: over all
    K classes, K >= 2 leaves K - 1 >= 1 after one), and real when they are real.
    """
    inside = within(space)
    for symbol, s in sums.items():
        (slot, lo, hi) = s.limits[0]
        taken: list[sp.Symbol] = []
        for i in sorted(free, key=str):
            if not (i in expr.free_symbols and inside(i, lo, hi)):
                continue
            if all(frozenset((i, t)) in distinct for t in taken):
                taken.append(i)
        if not taken:
            continue
        terms = [s.function.xreplace({slot: i}) for i in taken]
        rest = sp.Dummy(
            "R",
            positive=(s.function.is_positive and decide_le(lo + len(taken), hi, space)) or None,
            nonnegative=s.function.is_nonnegative or None,
            real=s.function.is_real or None,
        )
        expr = expr.xreplace({symbol: sp.Add(*terms) + rest})
    return expr


def _distinct_pairs(case: sp.Basic | None) -> frozenset[frozenset[sp.Symbol]]:
    """The pairs of indices that ``case`` says differ (its facts a != b)."""
    facts = sp.And.make_args(case) if case is not None else ()
    return frozenset(
        frozenset(f.args) for f in facts if isinstance(f, sp.Ne) and len(f.free_symbols) == 2
    )


# ---------------------------------------------------------------------------------- cases


def _branches(
    expr: sp.Basic, case: sp.Basic | None, distinct: frozenset = frozenset()
) -> Iterator[tuple[sp.Basic, frozenset[frozenset[sp.Symbol]]]]:
    """The expression in each case of the free Kronecker deltas it contains, with the pairs
    of indices that differ in that case."""
    for fact in sp.And.make_args(case) if case is not None else ():
        if isinstance(fact, sp.Eq):
            expr = expr.xreplace({fact.rhs: fact.lhs})
        elif isinstance(fact, sp.Ne):
            pair = set(fact.args)  # delta_ab and delta_ba, however SymPy orders them
            expr = expr.xreplace(
                {d: 0 for d in expr.atoms(sp.KroneckerDelta) if set(d.args) == pair}
            )
    distinct = distinct | _distinct_pairs(case)
    free = expr.free_symbols
    deltas = [d for d in expr.atoms(sp.KroneckerDelta) if all(a in free for a in d.args)]
    if not deltas:
        yield expr, distinct
        return
    a, b = sorted(deltas, key=str)[0].args
    # The case a = b, unless a fact says a != b (then it does not occur); b becomes a, and
    # a fact about b no longer speaks of the expression's indices (dropped).
    if frozenset((a, b)) not in distinct:
        yield from _branches(
            expr.xreplace({b: a}), None, frozenset(p for p in distinct if b not in p)
        )
    yield from _branches(expr, sp.Ne(a, b), distinct)


def instantiate(space: ClassSpace, expr: sp.Basic) -> Iterator[tuple[dict, sp.Basic]]:
    """Every assignment of the free class indices of ``expr`` (concrete K), with the result."""
    free = sorted((s for s in expr.free_symbols if s in space.indices), key=str)
    values = range(1, int(space.K) + 1)
    for combo in itertools.product(values, repeat=len(free)):
        point = dict(zip(free, map(sp.Integer, combo), strict=True))
        yield point, expr.xreplace(point)


# ------------------------------------------------------------------------------- deciding


def _decide(
    kind: type,
    diff: sp.Expr,
    free: set[sp.Symbol],
    known: Known | None,
    space: ClassSpace,
    distinct: frozenset[frozenset[sp.Symbol]] = frozenset(),
) -> bool:
    """Is rhs - lhs == 0 (Eq), > 0 (Lt, Gt reversed by caller) or >= 0 established?
    ``distinct``: the pairs of free indices that differ in this case."""
    if kind is not sp.Eq:
        want = (
            (lambda e: e.is_positive) if kind is sp.StrictLessThan else (lambda e: e.is_nonnegative)
        )
        # A sum of positive (nonnegative) terms is positive (nonnegative) as it stands,
        # when no sum in it can be empty (SymPy's assumptions do not look at the range).
        if _sums_have_terms(diff, space) and _attempt(lambda e: e, diff, want):
            return True
    reduced, sums = abstract_sums(diff, known, space=space)
    if reduced.has(sp.Sum):
        return False
    if kind is sp.Eq:
        return any(_attempt(t, reduced, lambda e: e == 0) for t in _TRANSFORMS)
    reduced = _split_sums(reduced, sums, free, space, distinct)
    if any(_attempt(t, reduced, want) for t in _TRANSFORMS):
        return True
    against_one = _exp_against_one(reduced)
    if against_one is not reduced and any(_attempt(t, against_one, want) for t in _TRANSFORMS):
        return True
    for above in (False, True):
        lowered = _log_tangent(diff, space, above=above)
        if lowered is not diff and _decide(kind, lowered, free, known, space, distinct):
            return True
    return False


def _log_tangent(expr: sp.Expr, space: ClassSpace, *, above: bool) -> sp.Expr:
    """For inequalities: each log x with x > 0, outside every sum, written through the
    tangent of the logarithm at 1: x - 1 - Q, or with ``above`` 1 - 1/x + Q.

    Exact, for a fresh Q >= 0: log x <= x - 1, so Q = x - 1 - log x >= 0; and
    log x = -log(1/x) >= 1 - 1/x, so Q = log x - 1 + 1/x >= 0. Each logarithm gets its own
    Q, which carries only that fact, so what holds for every Q >= 0 holds for log x
    (completeness only is lost). Not inside a sum: there log x_k takes a value for each k,
    and one Q cannot stand for all of them. Where x is positive is decided with the sums
    in x as unknowns (:func:`abstract_sums`). The result has no such logarithm left, so
    the rule applies once.
    """
    rule: dict[sp.Expr, sp.Expr] = {}

    def visit(e: sp.Basic) -> sp.Basic:
        if isinstance(e, sp.Sum) or not e.args:
            return e  # a sum is left whole, with every logarithm in it
        if isinstance(e, sp.log):
            if e not in rule and abstract_sums(e.args[0], space=space)[0].is_positive:
                x, Q = e.args[0], sp.Dummy("Q", nonnegative=True)
                rule[e] = 1 - 1 / x + Q if above else x - 1 - Q
            if e in rule:
                return rule[e]
        args = [visit(a) for a in e.args]
        return e.func(*args) if any(a is not b for a, b in zip(args, e.args, strict=True)) else e

    lowered = visit(expr)
    return lowered if rule else expr


def _exp_against_one(expr: sp.Expr) -> sp.Expr:
    """For inequalities: each e^t whose exponent has a known sign, written against 1.

    e^t = 1 + P with P > 0 when t > 0 (P >= 0 when t >= 0), and e^t = 1 / (1 + P) when
    t < 0 (t <= 0): e^t - 1 has the sign of t. Each e^t gets its own P, which carries only
    that fact, so what holds for every such P holds for e^t (relations between different
    exponentials are lost: completeness only). An exponent is split first, e^{a + b} =
    e^a e^b, so that e^{M - d} gives e^M (unknown sign, kept) times e^{-d}.
    """
    split = expr.replace(
        lambda e: isinstance(e, sp.exp),
        lambda e: sp.Mul(*(sp.exp(t) for t in sp.Add.make_args(sp.expand(e.args[0])))),
    )
    rule = {}
    for e in split.atoms(sp.exp):
        t = e.args[0]
        if t.is_positive or t.is_nonnegative:
            rule[e] = 1 + sp.Dummy("P", positive=bool(t.is_positive) or None, nonnegative=True)
        elif t.is_negative or t.is_nonpositive:
            rule[e] = 1 / (
                1 + sp.Dummy("P", positive=bool(t.is_negative) or None, nonnegative=True)
            )
    return split.xreplace(rule) if rule else expr


def _sums_have_terms(expr: sp.Expr, space: ClassSpace) -> bool:
    """Does every sum in ``expr`` provably have at least one term (lo <= hi)?"""
    return all(decide_le(lo, hi, space) for s in expr.atoms(sp.Sum) for _, lo, hi in s.limits)


def _attempt(transform: Callable, expr: sp.Expr, test: Callable[[sp.Expr], bool | None]) -> bool:
    try:
        return bool(test(transform(expr)))
    except (RecursionError, StopIteration, NotImplementedError, TypeError, ValueError):
        return False


def _normalized(kind: type, lhs: sp.Expr, rhs: sp.Expr) -> tuple[type, sp.Expr]:
    """(kind, rhs - lhs) with > and >= turned into < and <=."""
    if kind in (sp.StrictGreaterThan, sp.GreaterThan):
        lhs, rhs = rhs, lhs
        kind = sp.StrictLessThan if kind is sp.StrictGreaterThan else sp.LessThan
    if kind not in (sp.Eq, sp.StrictLessThan, sp.LessThan):
        raise TypeError(f"cannot prove a relation of kind {kind.__name__}")
    return kind, rhs - lhs


def _prove_generic(kind: type, diff: sp.Expr, space: ClassSpace, case: sp.Basic | None) -> bool:
    # the free indices, also those met only as a variable of differentiation (d/dz_j)
    variables = [v for d in diff.atoms(sp.Derivative) for v, _ in d.variable_count]
    symbols = diff.free_symbols.union(*(v.free_symbols for v in variables))
    free = {s for s in symbols if space.range_of(s) is not None}
    try:
        diff = in_range(evaluate(diff, space), space)
    except Undecided:
        return False
    known = known_sums(space)
    return all(
        _decide(kind, branch, free, known, space, distinct)
        for branch, distinct in _branches(diff, case)
    )


def _prove_instances(kind: type, diff: sp.Expr, space: ClassSpace, case: sp.Basic | None) -> bool:
    for point, instance in instantiate(space, diff):
        if case is not None and case.xreplace(point) is sp.false:
            continue
        try:
            expanded = in_range(evaluate(instance, space).doit(), space)
        except Undecided:
            return False
        K = int(space.K)
        last = {  # the fact sum_k y_k = 1 (and sum_k Y_{s,k} = 1), solved for the last entry
            e: 1 - sp.Add(*(e.base[(*e.indices[:-1], n)] for n in range(1, K)))
            for e in expanded.atoms(sp.Indexed)
            if e.base in space.distributions and e.indices[-1] == K
        }
        expanded = expanded.xreplace(last)
        if not _decide(kind, expanded, set(), None, space):
            return False
    return True


def _own_indices(node: sp.Basic) -> tuple[sp.Expr, ...]:
    """The class indices of z_n, sigma_n or a delta; () for any other node."""
    if isinstance(node, sp.Indexed):
        return node.indices
    if isinstance(node, Softmax):
        return (node.args[2],)
    if isinstance(node, sp.KroneckerDelta):
        return node.args
    return ()


@functools.lru_cache(maxsize=65536)
def _scan(node: sp.Basic) -> tuple[tuple[sp.Integer, ...], frozenset[str]]:
    """The integers in index positions in ``node`` (its own first, then those of its
    arguments in order: order of first appearance) and the names of all its symbols.

    Cached per subtree: the entries of a K x K matrix share their sigma_n and z_n.
    """
    if isinstance(node, sp.Symbol):
        return (), frozenset((node.name,))
    numbers = [n for n in _own_indices(node) if n.is_Integer]
    names: set[str] = set()
    for arg in node.args:
        inner, inner_names = _scan(arg)
        numbers += inner
        names |= inner_names
    return tuple(dict.fromkeys(numbers)), frozenset(names)


def _renamed(node: sp.Basic, to: dict[sp.Integer, sp.Symbol]) -> sp.Basic:
    """``node`` with each integer n in an index position replaced by to[n].

    The same replacement as ``xreplace`` with every z_n, sigma_n and delta as a key: such a
    node gets its own indices renamed (not what is inside it, e.g. a vector's Lambda), any
    other node is rebuilt from its renamed arguments.
    """
    numbers = _scan(node)[0]
    if not numbers:
        return node
    return _renamed_node(node, tuple((n, to[n]) for n in numbers))


@functools.lru_cache(maxsize=65536)
def _renamed_node(node: sp.Basic, mapping: tuple[tuple[sp.Integer, sp.Symbol], ...]) -> sp.Basic:
    to = dict(mapping)
    if isinstance(node, sp.Indexed):
        return _built(type(node), (node.base, *(to.get(x, x) for x in node.indices)))
    if isinstance(node, Softmax):
        u, K, i = node.args
        return _built(Softmax, (u, K, to.get(i, i)))
    if isinstance(node, sp.KroneckerDelta):
        return _built(sp.KroneckerDelta, tuple(to.get(x, x) for x in node.args))
    return _built(node.func, tuple(_renamed(arg, to) for arg in node.args))


@functools.lru_cache(maxsize=65536)
def _built(func: Callable[..., sp.Basic], args: tuple[sp.Basic, ...]) -> sp.Basic:
    """``func(*args)``, built once: the entries of a matrix that generalize to the same
    statement give the very same object, so the cached proof of it is found at once."""
    return func(*args)


@functools.lru_cache(maxsize=256)
def _distinct(symbols: tuple[sp.Symbol, ...]) -> sp.Basic | None:
    """The case that the index symbols are pairwise distinct (None for fewer than two)."""
    distinct = [sp.Ne(a, b) for a, b in itertools.combinations(symbols, 2)]
    return sp.And(*distinct) if distinct else None


#: The names given to the indices of a generalized instance, in order.
_NAMES = ("i", "j", "l", "m", "n", "p", "q", "r")


def generalize(expr: sp.Basic, space: ClassSpace) -> tuple[sp.Basic, sp.Basic | None]:
    """An instance at concrete class indices, made generic: (statement, case).

    Each distinct integer in an index position becomes its own index symbol, and the case
    says these symbols are pairwise distinct; only when every such integer lies in 1..K,
    the range over which the generic statement is proved. The instance is the generic statement at those
    integers, so a proof of the generic statement (for all distinct indices) proves it; one
    proof then serves every entry of, say, a K x K Jacobian that has the same shape.
    """
    numbers, taken = _scan(expr)
    if not numbers:
        return expr, None
    # The generic statement is proved for indices in 1..K: an integer outside that range
    # (z_5 at K = 3, a position beyond the classes) is not one of its instances.
    if not all(1 <= n <= space.K for n in numbers):
        return expr, None
    names = [n for n in _NAMES if n not in taken]
    if len(names) < len(numbers):
        return expr, None
    symbols = tuple(sp.Symbol(name, integer=True, positive=True) for name in names[: len(numbers)])
    generic = _renamed(expr, dict(zip(numbers, symbols, strict=False)))
    # Each integer went to a symbol that expr did not contain, and only in index positions,
    # so substituting the integers back gives expr again: the instance of a proved statement.
    if _scan(generic)[0]:
        return expr, None
    return generic, _distinct(symbols)


@functools.lru_cache(maxsize=4096)
def _prove_for_all(
    kind: type, lhs: sp.Expr, rhs: sp.Expr, space: ClassSpace, case: sp.Basic | None
) -> bool:
    """The generic proof of lhs (kind) rhs, for all values of its free indices.

    An inequality may also be proved by one of the monotone rules (each sound alone):
    termwise, when both sides are sums over the whole range of their index (sum_k f_k <=
    sum_k g_k when f_k <= g_k for every k; < when moreover the range has a term); times a
    positive symbol that divides a side; and through exp, when a side holds a logarithm
    (a <= b exactly when e^a <= e^b, for real a and b: exp is strictly increasing). When a
    side holds a logarithm or a division by a positive symbol, where the generic proof
    rarely succeeds and takes longest, the rules are tried first (the order decides only
    the time taken).
    """
    if kind is sp.Eq:
        return _prove_generic(*_normalized(kind, lhs, rhs), space, case)

    def generic() -> bool:
        return _prove_generic(*_normalized(kind, lhs, rhs), space, case)

    def monotone() -> bool:
        return (
            _termwise(kind, lhs, rhs, space, case)
            or _times_positive(kind, lhs, rhs, space, case)
            or _through_exp(kind, lhs, rhs, space, case)
        )

    sides = sp.Tuple(lhs, rhs)
    divided = any(p.is_positive and sides.has(1 / p) for p in sides.free_symbols)
    if divided or sides.has(sp.log, LogSumExp):
        return monotone() or generic()
    return generic() or monotone()


def _times_positive(
    kind: type, lhs: sp.Expr, rhs: sp.Expr, space: ClassSpace, case: sp.Basic | None
) -> bool:
    """a (kind) b from p a (kind) p b, for a positive symbol p that divides a side.

    Multiplying both sides by p > 0 keeps the order. Only for a symbol met as 1/p, and only
    when the products have no 1/p left (no progress, no recursion otherwise).
    """
    for p in sorted(lhs.free_symbols | rhs.free_symbols, key=str):
        if not (p.is_positive and (lhs.has(1 / p) or rhs.has(1 / p))):
            continue
        a, b = (sp.expand(p * side, power_exp=False, log=False) for side in (lhs, rhs))
        if not (a.has(1 / p) or b.has(1 / p)):
            return _prove_for_all(kind, a, b, space, case)
    return False


def _termwise(
    kind: type, lhs: sp.Expr, rhs: sp.Expr, space: ClassSpace, case: sp.Basic | None
) -> bool:
    """sum_k f_k (kind) sum_k g_k from f_k (kind) g_k, for every k in the sums' range.

    Only for two sums over one index each, whose range is the whole range of an index of
    the space (1..K for a class index): the term is then proved for that index free, and
    its range is a fact the prover has. Strict only when the range provably has a term.
    """
    if isinstance(lhs, sp.Sum) != isinstance(rhs, sp.Sum):  # c = sum_k c / n, n terms >= 1
        total, c = (lhs, rhs) if isinstance(lhs, sp.Sum) else (rhs, lhs)
        if len(total.limits) != 1 or c.has(total.limits[0][0]):
            return False
        k, lo, hi = total.limits[0]
        if not decide_le(lo, hi, space):
            return False
        spread = sp.Sum(c / (hi - lo + 1), (k, lo, hi))
        lhs, rhs = (total, spread) if total is lhs else (spread, total)
    if not (isinstance(lhs, sp.Sum) and isinstance(rhs, sp.Sum)):
        return False
    if len(lhs.limits) != 1 or len(rhs.limits) != 1:
        return False
    (k, lo, hi), (k2, lo2, hi2) = lhs.limits[0], rhs.limits[0]
    if (lo, hi) != (lo2, hi2) or space.range_of(k) != (lo, hi):
        return False
    f, g = lhs.function, rhs.function.xreplace({k2: k})
    others = (
        lhs.free_symbols | rhs.free_symbols | (case.free_symbols if case is not None else set())
    )
    if k in others or (k2 != k and k2 in others):  # the index must be bound only
        return False
    if kind in (sp.StrictLessThan, sp.StrictGreaterThan) and not decide_le(lo, hi, space):
        return False
    return _prove_for_all(kind, f, g, space, case)


def _through_exp(
    kind: type, lhs: sp.Expr, rhs: sp.Expr, space: ClassSpace, case: sp.Basic | None
) -> bool:
    """a (kind) b from e^a (kind) e^b, for real a and b with a logarithm in them."""
    if not (lhs.has(sp.log, LogSumExp) or rhs.has(sp.log, LogSumExp)):
        return False
    if not (lhs.is_real and rhs.is_real):
        return False
    with sp.evaluate(True):
        a, b = (sp.exp(expand_definitions(side)) for side in (lhs, rhs))
    if a.has(sp.log) or b.has(sp.log):  # a logarithm left: no progress, no recursion
        a, b = (sp.expand(side, power_exp=True) for side in (a, b))
        if a.has(sp.log) or b.has(sp.log):
            return False
    return _prove_for_all(kind, a, b, space, case)


def _has_symbolic_size(expr: sp.Basic) -> bool:
    """Does some sum in ``expr`` run to a bound that is not a number (n, m)?"""
    return any(
        not (lo.is_number and hi.is_number) for s in expr.atoms(sp.Sum) for _, lo, hi in s.limits
    )


def _prove_scalar(
    kind: type, lhs: sp.Expr, rhs: sp.Expr, space: ClassSpace, case: sp.Basic | None
) -> bool:
    if space.symbolic:
        return _prove_for_all(kind, lhs, rhs, space, case)
    pair = sp.Tuple(lhs, rhs)
    try:
        generic, fact = generalize(pair, space) if case is None else (pair, None)
    except (TypeError, ValueError):  # a renamed index that an explicit vector cannot take
        generic, fact = pair, None
    attempts = [
        lambda: generic is not pair and _prove_for_all(kind, *generic, space, fact),
        lambda: _prove_for_all(kind, lhs, rhs, space, case),
        # instances expand the class sums; differentiating sums to a symbolic size (n) there
        # takes SymPy minutes, so that case is not tried
        lambda: (
            not (_has_symbolic_size(pair) and pair.has(sp.Derivative))
            and _prove_instances(*_normalized(kind, lhs, rhs), space, case)
        ),
    ]
    if _names_every_class(pair, space):
        attempts.insert(0, attempts.pop())
    failures = []
    for attempt in attempts:
        try:
            if attempt():
                return True
        except Exception as err:  # SymPy failing inside a route: not proved by it
            failures.append(f"{type(err).__name__}: {err}")
    if failures:
        raise Undecided("SymPy failed: " + "; ".join(failures))
    return False


def _names_every_class(pair: sp.Tuple, space: ClassSpace) -> bool:
    """Do the integer indices of ``pair`` name all K classes, with no index left free?

    Then the statement is about all the classes at once (sigma_1 + sigma_2 = 1 at K = 2),
    which only its instance with the sums written out shows; the generic statement and the
    sums as unknowns lose it. It is tried first (any order gives the same verdict).
    """
    return len(_scan(pair)[0]) >= int(space.K) and not any(
        s in space.indices for s in pair.free_symbols
    )


def unproved(rel: sp.Basic, space: ClassSpace, *, case: sp.Basic | None = None) -> str | None:
    """None when SymPy proves ``rel`` in ``space`` (under ``case``); else why it could not.

    Anything undecided, and any failure inside SymPy, is an answer here (not proved, with
    the reason), never a pass and never an exception.

    Example:
        >>> S = ClassSpace.of(None)
        >>> unproved(sp.Eq(S.sum(S.sigma(S.k)), 1), S) is None
        True
        >>> unproved(sp.Eq(S.sum(S.sigma(S.k)), 2), S)
        'undecided: Sum(σ(z)[k], (k, 1, K)) = 2'
    """
    try:
        claims = list(scalar_claims(rel))
    except (TypeError, ValueError) as err:
        return f"not a statement the prover reads: {err}"
    for kind, lhs, rhs in claims:
        try:
            if _prove_scalar(kind, lhs, rhs, space, case):
                continue
            reason = "undecided"
        except Undecided as err:
            reason = f"undecided ({err})"
        except Exception as err:  # any failure is "not proved", with its reason
            reason = f"SymPy failed ({type(err).__name__}: {err})"
        op = {sp.Eq: "="}.get(kind) or kind.rel_op
        return f"{reason}: {sp.sstr(lhs)} {op} {sp.sstr(rhs)}"
    return None


def prove(rel: sp.Basic, space: ClassSpace, *, case: sp.Basic | None = None) -> bool:
    """True when SymPy proves ``rel`` in ``space`` (under ``case``); False when it cannot.

    Example:
        >>> S = ClassSpace.of(None)
        >>> prove(sp.Eq(S.sum(S.sigma(S.k)), 1), S)
        True
        >>> prove(sp.Eq(S.sum(S.sigma(S.k)), 2), S)
        False
    """
    return unproved(rel, space, case=case) is None
