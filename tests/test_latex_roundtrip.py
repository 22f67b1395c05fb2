"""Printed formulas mean what they say: their LaTeX parses back to the expression printed.

For every registered derivation at K = 2 and K = 3, each step is printed with
:func:`symsoftmax.printing.relation_latex` (the function ``to_latex`` prints every line with),
split at its alignment point ``&op`` into the two sides, and each side is parsed with SymPy's
Lark LaTeX parser. The parser's symbols are mapped back to ours by their names alone (``e`` is
Euler's number, ``z_{i}`` is the entry ``z[i]``, ``\\delta_{ij}`` is the Kronecker delta), never
by looking at the expression printed; a quantity printed by its name (``\\Sigma_{K}``) is mapped
back to what the derivation declared that name to be (``names`` of a step). The result is compared with the printed expression,
written out (definitions expanded, sums, derivatives done), at every assignment of the free
class indices allowed by the step's case, at random values of the other symbols, with mpmath
to 45 digits (agreement to 30 is required). Where the parser offers several readings of an
ambiguous string (Earley parsing with explicit ambiguity), it suffices that one of them is the
expression. A reading that is not, when none is, is a formula printed wrongly: the test fails.

Before parsing, the printed LaTeX is changed only in ways that do not change what it says:

- ``{z}_{i}`` becomes ``z_{i}`` and ``\\delta_{i j}`` becomes ``\\delta_{ij}`` (TeX typesets
  both pairs identically: braces around a base and spaces in math mode are invisible);
- ``\\left(``, ``\\right)`` become ``(``, ``)`` (sizing only; the grammar ignores ``\\left`` and
  ``\\right`` anyway, but its lexer also reads ``\\left`` as ``\\le`` + ``ft``);
- where the printer juxtaposes factors after a power or a closing parenthesis
  (``e^{c} e^{z_i}``, ``(1 - \\delta_{ik}) e^{z_k}``) a ``\\cdot`` is written between them: the
  grammar takes juxtaposition only after a single symbol, a number or a fraction.

What the parser cannot read is described by construct in ``OUT_OF_REACH`` below, each with its
reason. A formula that fails to parse must be explained by a rule there, and a formula that a
rule claims must indeed fail to parse, so the table stays honest; a rule that explains nothing
fails too.

Most printed formulas are out of reach (the softmax notation sigma(z)_i alone is in most of
them), so that the round trip could become vacuous: the report test also requires that, at
each K, at least ``MIN_ROUND_TRIPS`` formulas that are not a bare number or symbol do round
trip. ``pytest -s tests/test_latex_roundtrip.py`` prints the report: how many formulas,
round trips and out of reach formulas, by rule (the counts are not repeated here, where
nothing would check them).

Earley parsing is nearly all of the time of this file, and the report test needs every
formula: the module is one xdist group, so that each formula is parsed once per run.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sympy as sp
from sympy.core.relational import Relational
from sympy.parsing.latex import parse_latex

import symsoftmax as ss
from symsoftmax.output.printing import expr_latex, relation_latex, statements
from symsoftmax.symbolic.functions import expand_definitions
from symsoftmax.symbolic.space import ClassSpace

KS = (2, 3)

#: The least number, at each K, of formulas that are not a bare number or symbol and that
#: round-trip: a floor, so that the comparison cannot become vacuous
#: by everything falling out of the parser's reach.
MIN_ROUND_TRIPS = 20

# Every test here shares the parses of ``survey``: under xdist they run on one worker.
pytestmark = pytest.mark.xdist_group("latex_roundtrip")

DPS = 45  # digits of the evaluation
TOLERANCE = sp.Float(10, DPS) ** -30  # relative agreement required

# What each relation must print as: stated here again, independently of the printer.
RELATION_SYMBOL = {
    sp.Eq: "=",
    sp.StrictLessThan: "<",
    sp.LessThan: r"\leq",
    sp.StrictGreaterThan: ">",
    sp.GreaterThan: r"\geq",
    sp.Contains: r"\in",
}

# Out of the parser's reach, by construct: (pattern in the prepared LaTeX, why). A side that a
# pattern matches must fail to parse; a side that fails to parse must be matched by one.
OUT_OF_REACH = (
    (
        r"\\sigma\(",
        r"our softmax notation \sigma(\mathbf{z})_{i}: a function of a bold vector, indexed "
        r"after its parenthesis; no grammar rule reads it (\sigma and \mathbf are not tokens)",
    ),
    (
        r"\\partial",
        r"partial derivatives \frac{\partial}{\partial z_j}: the grammar has no \partial "
        "(its derivative rule is commented out)",
    ),
    (
        r"\\operatorname\{",
        r"\operatorname{LSE}, \operatorname{sigmoid}: \operatorname is not in the grammar",
    ),
    (
        r"_\{[^{}]*,[^{}]*\}",
        r"matrix entries \Theta_{i,a}: a subscript must be one letter, digit or word, no comma",
    ),
    (r"\\left\.", r"evaluation at a point, \left. f \right|_{x=a} (Subs): no rule for it"),
    (
        r"\\cdot\s*\\sum",
        r"a power or parenthesis times a sum, e^{c} \sum_{k} ...: the grammar's product "
        r"takes a \sum on its right only after a single symbol, a number or a fraction",
    ),
    (
        r"\\sum_\{\S+ \\neq \S+\}",
        r"a sum over all but one index, \sum_{k \neq i}: the grammar's limits are k=a, ^b only",
    ),
    (r"\\substack", r"a double sum \sum_{\substack{...}}: limits must be one k=a, ^b pair"),
    (r"^\(\S+, \S+\)$", "the open interval (0, 1): the grammar has no intervals or tuples"),
    (r"\\frac\{d\}\{d ", r"\frac{d}{d x}: ordinary derivatives are not in the grammar"),
)

# ------------------------------------------------------------ preparing the printed text

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\s+|.", re.S)
_BIG_OPERATORS = {r"\sum", r"\prod", r"\lim", r"\int"}


def _starts_factor(token: str) -> bool:
    """Can a factor of a product begin with this token?"""
    return token.isalnum() or token in ("(", "{") or (token[0] == "\\" and token[1:].isalpha())


def _explicit_products(tex: str) -> str:
    r"""``\cdot`` between factors juxtaposed after a power ``x^{...}`` or a closing ``)``.

    A superscript of ``\sum``/``\lim`` (its upper limit) is not a power: the summand that
    follows it is not a factor of a product.
    """
    out: list[str] = []
    groups: list[str] = []  # for each open brace: "power", "limit" or "group"
    previous = ""  # the last token that was not a space
    closed = ""  # what the last closing brace closed
    script_of_big = False  # is the current ^ or _ attached to a big operator?
    pending = False  # did a power or a parenthesis just end?
    for token in _TOKEN.findall(tex):
        if token.isspace():
            out.append(token)
            continue
        if pending and _starts_factor(token) and token not in (r"\right", r"\end", r"\cdot"):
            out.append(r"\cdot ")
        pending = False
        if token in ("^", "_"):
            script_of_big = previous in _BIG_OPERATORS or (closed == "limit" and previous == "}")
        elif token == "{":
            if previous in ("^", "_"):
                groups.append("limit" if script_of_big else "power" if previous == "^" else "group")
            else:
                groups.append("group")
        elif token == "}":
            closed = groups.pop() if groups else "group"
            pending = closed == "power"
        elif token == ")":
            pending = True
        out.append(token)
        previous = token
    return "".join(out)


def prepare(tex: str) -> str:
    """The printed LaTeX with changes that do not alter its meaning (see the module doc)."""
    tex = re.sub(r"(?<![A-Za-z])\{(\\?[A-Za-z]+)\}_", r"\1_", tex)
    tex = re.sub(
        r"_\{([A-Za-z0-9]+(?: [A-Za-z0-9]+)+)\}",
        lambda m: "_{" + m.group(1).replace(" ", "") + "}",
        tex,
    )
    tex = _explicit_products(tex)
    tex = re.sub(r"\\left\s*([(\[])", r"\1", tex)
    return re.sub(r"\\right\s*([)\]])", r"\1", tex)


def test_prepare_changes_only_the_form() -> None:
    cases = {
        r"e^{c} e^{{z}_{i}}": r"e^{c} \cdot e^{z_{i}}",
        r"\sum_{k=1}^{3} \left(1 - \delta_{i k}\right) e^{{z}_{k}}": (
            r"\sum_{k=1}^{3} (1 - \delta_{ik}) \cdot e^{z_{k}}"
        ),
        r"\left(\sum_{k=1}^{3} e^{{z}_{k}}\right)^{2}": r"(\sum_{k=1}^{3} e^{z_{k}})^{2}",
        r"\frac{e^{{z}_{i}}}{\sum_{k=1}^{3} e^{{z}_{k}}}": r"\frac{e^{z_{i}}}{\sum_{k=1}^{3} e^{z_{k}}}",
        r"\mathbf{X}_{s} {\Theta}_{i,a}": r"\mathbf{X}_{s} \Theta_{i,a}",
        r"\lim_{\beta \to 0^+} x": r"\lim_{\beta \to 0^+} x",
    }
    for printed, prepared in cases.items():
        assert prepare(printed) == prepared, printed


# --------------------------------------------------------------------------- parsing


@functools.cache
def _readings(tex: str) -> tuple[tuple[sp.Basic, ...], str | None]:
    """Every expression the parser reads ``tex`` as, or its error message."""
    try:
        tree = parse_latex(tex, backend="lark")
    except Exception as exc:  # any parser failure means: out of reach
        return (), f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    found: list[sp.Basic] = []

    def collect(node: object) -> None:
        if isinstance(node, sp.Basic | sp.MatrixBase):
            if not isinstance(node, Relational):  # \left read as \le ft
                found.append(node)
        else:  # a lark Tree("_ambig", [...]) of alternatives
            for child in getattr(node, "children", ()):
                collect(child)

    collect(tree)
    return tuple(found), None if found else "no reading is an expression"


_SUBSCRIPTED = re.compile(r"([A-Za-z]+)_\{([A-Za-z0-9]+)\}")


def _index(text: str) -> sp.Expr:
    return sp.Integer(text) if text.isdigit() else sp.Symbol(text)


def _ours(parsed: sp.Basic) -> sp.Basic:
    """The parser's symbols as ours, by name: ``e`` -> E, ``z_{i}`` -> z[i], ``delta_{ij}``."""
    if isinstance(parsed, sp.MatrixBase):
        return parsed.applyfunc(_ours)
    rule = {}
    for s in parsed.atoms(sp.Symbol):
        name = str(s.name)
        m = _SUBSCRIPTED.fullmatch(name)
        if name == "e":
            rule[s] = sp.E
        elif m and m[1] == "delta" and len(m[2]) == 2:
            rule[s] = sp.KroneckerDelta(_index(m[2][0]), _index(m[2][1]))
        elif m and (len(m[2]) == 1 or m[2].isdigit()):
            rule[s] = sp.Indexed(sp.IndexedBase(m[1]), _index(m[2]))
        else:
            rule[s] = sp.Symbol(name)
    return parsed.xreplace(rule)


def _placeholders(tex: str, named: dict[str, sp.Basic]) -> tuple[str, dict]:
    r"""``tex`` with each named quantity (``\Sigma_{K}``, declared by a step's ``names``)
    written as a letter the parser reads, ``W_{1}``, ..., and the rule that maps those
    letters back to the quantities the derivation declared them to be (with plain
    symbols, as the parser's)."""
    rule = {}
    for n, (printed, quantity) in enumerate(named.items(), start=1):
        if printed in tex:
            tex = tex.replace(printed, f"W_{{{n}}}")
            rule[sp.Indexed(sp.IndexedBase("W"), n)] = _plain(quantity)
    return tex, rule


# ------------------------------------------------------------------------ comparing


def _plain(expr: sp.Basic) -> sp.Basic:
    """The same tree with symbols that carry no assumptions, as the parser's do."""
    return expr.xreplace({s: sp.Symbol(s.name) for s in expr.atoms(sp.Symbol)})


def _real(rng: random.Random) -> float:
    return rng.uniform(-3.0, 3.0)


def _sampler(atom: sp.Expr) -> Callable[[random.Random], float]:
    """Random values that the assumptions on ``atom`` allow (as the numeric check draws)."""
    if atom.is_positive:
        return lambda rng: 2.0 ** rng.uniform(-1.5, 1.5)
    if atom.is_nonnegative:
        return lambda rng: rng.uniform(0.0, 2.0)
    return _real


def _without_limits(expr: sp.Basic) -> tuple[sp.Basic, tuple]:
    """``expr`` with each limit replaced by its body, and (variable, point, side) of each.

    Two limits are equal when they are taken the same way of bodies that are equal as
    functions (of the variable too): a structural comparison, exact, with no evaluation at
    a point near the limit.
    """
    taken = []

    def body(e: sp.Limit) -> sp.Expr:
        f, x, x0, d = e.args
        taken.append((x.name, x0, str(d)))
        return f

    return expr.replace(lambda e: isinstance(e, sp.Limit), body), tuple(taken)


def _written_out(s: sp.Sum) -> sp.Expr:
    """A sum with integer bounds as the Add of its terms, which is what it means."""
    (k, lo, hi), *outer = s.limits
    if not (lo.is_Integer and hi.is_Integer):
        return s.doit()
    total = sp.Add(*(s.function.xreplace({k: sp.Integer(n)}) for n in range(int(lo), int(hi) + 1)))
    return _written_out(sp.Sum(total, *outer)) if outer else total


def _explicit(expr: sp.Basic) -> sp.Basic:
    """Sums written out (innermost first), then derivatives and the like done by SymPy."""
    expr = expr.replace(lambda e: isinstance(e, sp.Sum), _written_out)
    if expr.has(sp.Derivative, sp.Subs, sp.Product, sp.Integral):
        expr = expr.doit()
    return expr.as_explicit() if isinstance(expr, sp.MatrixExpr) else expr


def _values(expr: sp.Basic, values: dict) -> list[sp.Expr]:
    """The entries of ``expr`` (one for a scalar) at ``values``, to ``DPS`` digits."""
    entries = list(expr) if isinstance(expr, sp.MatrixBase) else [expr]
    return [sp.sympify(e).xreplace(values).evalf(DPS) for e in entries]


def _close(a: sp.Expr, b: sp.Expr) -> bool:
    if not (a.is_number and b.is_number) or a.has(sp.nan, sp.zoo) or b.has(sp.nan, sp.zoo):
        return False
    return bool(sp.Abs(a - b) <= TOLERANCE * sp.Max(1, sp.Abs(a)))


def _unknowns(expr: sp.Basic) -> set[sp.Expr]:
    """The symbols and indexed entries (z[1], ...) of ``expr``: what needs a value."""
    indexed = expr.atoms(sp.Indexed)
    labels = {x.base.label for x in indexed}
    return indexed | ({s for s in expr.free_symbols if isinstance(s, sp.Symbol)} - labels)


def _mismatch(original: sp.Basic, readings, space, case, rng) -> str | None:
    """None when some reading equals ``original`` at every point, else where the first differs.

    The points: every assignment of the free class indices in 1..K that the step's case
    allows (at least three points), each with random values of the other unknowns drawn as
    their assumptions allow (positive, nonnegative, real); a name the original does not
    have gets a real value.
    """
    original, orig_limits = _without_limits(original)
    samplers = {x.base.label.name: _sampler(x) for x in original.atoms(sp.Indexed)}
    indices = sorted(
        (s for s in original.free_symbols if isinstance(s, sp.Symbol) and s.is_integer),
        key=sp.default_sort_key,
    )
    for s in original.free_symbols - set(indices):
        if isinstance(s, sp.Symbol):
            samplers.setdefault(s.name, _sampler(s))
    values_of = itertools.product(range(1, int(space.K) + 1), repeat=len(indices))
    assignments = [dict(zip(indices, v, strict=True)) for v in values_of]
    assignments = [a for a in assignments if case is None or case.xreplace(a) is not sp.false]
    assignments = [{sp.Symbol(s.name): sp.Integer(v) for s, v in a.items()} for a in assignments]
    if len(assignments) < 3:
        assignments = (assignments * 3)[:3]
    plain = _plain(original)
    explicit = [_explicit(plain.xreplace(a)) for a in assignments]
    first = None
    for reading in readings:
        miss = _reading_mismatch(explicit, orig_limits, reading, assignments, samplers, rng)
        if miss is None:
            return None
        first = first or miss
    return first


def _reading_mismatch(explicit, orig_limits, reading, assignments, samplers, rng) -> str | None:
    reading, read_limits = _without_limits(reading)
    if read_limits != orig_limits:
        return f"limits {read_limits} instead of {orig_limits}"
    for a, assignment in zip(explicit, assignments, strict=True):
        b = _explicit(reading.xreplace(assignment))
        if isinstance(a, sp.MatrixBase) != isinstance(b, sp.MatrixBase) or (
            isinstance(a, sp.MatrixBase) and a.shape != b.shape
        ):
            return "a matrix and a scalar, or matrices of different shapes"
        values = {}
        for u in sorted(_unknowns(a) | _unknowns(b), key=sp.default_sort_key):
            name = u.base.label.name if isinstance(u, sp.Indexed) else u.name
            values[u] = sp.Float(samplers.get(name, _real)(rng), DPS)
        for x, y in zip(_values(a, values), _values(b, values), strict=True):
            if not _close(x, y):
                point = {str(k): f"{float(v):.6g}" for k, v in {**assignment, **values}.items()}
                return f"at {point} the expression is {x} but the LaTeX says {y}"
    return None


# --------------------------------------------------------------------------- survey


@dataclass(frozen=True)
class Formula:
    """One printed side and what became of it."""

    derivation: str
    K: int
    step: int
    side: str  # "lhs" or "rhs"
    expr: sp.Basic | None
    latex: str
    prepared: str
    reasons: tuple[str, ...]  # the OUT_OF_REACH rules that match
    readings: int  # how many readings the parser offers (more than one: ambiguous)
    error: str | None  # why the parser failed
    problem: str | None  # why the test fails on this formula, if it does

    @property
    def where(self) -> str:
        return f"{self.derivation} K={self.K} step {self.step} {self.side}"

    @property
    def round_trips(self) -> bool:
        return self.error is None and self.problem is None and not self.reasons


def _sides(expr: sp.Basic, text: str) -> tuple[list[tuple[str, sp.Basic, str]], str | None]:
    """[(side, expr, latex)] from the printed relation, or the problem with its symbol."""
    symbol = RELATION_SYMBOL.get(type(expr))
    if symbol is None:
        return [], f"a {type(expr).__name__} step: no relation symbol known to this test"
    m = re.search(r" &(=|<|>|\\leq|\\geq|\\in) ", text)
    if m is None or m[1] != symbol:
        found = m[1] if m else "none"
        return [], f"the {type(expr).__name__} is printed with {found!r}, not {symbol!r}"
    left, right = expr.args if isinstance(expr, sp.Contains) else (expr.lhs, expr.rhs)
    return [("lhs", left, text[: m.start()]), ("rhs", right, text[m.end() :])], None


def _formula(
    name: str, K: int, number: int, side: str, expr: sp.Basic, tex: str, step, space, named
):
    prepared, placeholders = _placeholders(prepare(tex), named)
    reasons = tuple(why for pattern, why in OUT_OF_REACH if re.search(pattern, prepared))
    readings, error = _readings(prepared)
    problem = None
    if reasons and error is None:
        problem = (
            f"the table says out of reach ({reasons[0]}) but the parser reads it as "
            f"{readings[0]}: make the rule precise, or drop it"
        )
    elif error is not None and not reasons:
        problem = (
            f"does not parse ({error}) and no OUT_OF_REACH rule says why: add the construct "
            "to the table if the parser lacks it"
        )
    elif error is None:
        if any(s.name == "e" for s in expr.atoms(sp.Symbol)):
            problem = "a symbol named e: the parser's e (Euler's number) would be ambiguous"
        else:
            original = expand_definitions(expr)
            rng = random.Random(f"{name}/{K}/{number}/{side}")
            ours = [expand_definitions(_ours(r).xreplace(placeholders)) for r in readings]
            miss = _mismatch(original, ours, space, step.case, rng)
            if miss:
                problem = (
                    f"PRINTED WRONGLY: {sp.sstr(expr)} prints as {tex!r}, which the parser "
                    f"reads as {' or '.join(map(sp.sstr, readings))}; {miss}"
                )
    return Formula(
        name, K, number, side, expr, tex, prepared, reasons, len(readings), error, problem
    )


@functools.cache
def survey(name: str, K: int) -> tuple[Formula, ...]:
    """Every side of every step of the derivation, printed, parsed back and compared."""
    d = ss.derive(name, K=K)
    document = d.to_latex()
    found = []
    named = {expr_latex(name): quantity for step in d.steps for quantity, name in step.names}
    printed = statements(d)
    for number, step in enumerate(d.steps, start=1):
        try:
            text = relation_latex(printed[number - 1])
        except Exception as exc:  # the printer itself fails: a bug
            problem = f"the printer raises {type(exc).__name__}: {exc}"
            found.append(Formula(name, K, number, "both", step.expr, "", "", (), 0, None, problem))
            continue
        sides, problem = _sides(step.expr, text)
        if problem:
            found.append(
                Formula(name, K, number, "both", step.expr, text, "", (), 0, None, problem)
            )
        for side, expr, tex in sides:
            f = _formula(name, K, number, side, expr, tex, step, step.space or d.space, named)
            if tex not in document:  # what is parsed must be what to_latex() prints
                f = dataclasses.replace(f, problem=f"{tex!r} is not in to_latex()")
            found.append(f)
    return tuple(found)


# ----------------------------------------------------------------------------- tests


@pytest.mark.parametrize("K", KS)
@pytest.mark.parametrize("name", ss.derivations())
def test_printed_formulas_parse_back_to_themselves(name: str, K: int) -> None:
    # Each side parses to an expression equal to the one printed, or is out of the parser's
    # reach for a reason in OUT_OF_REACH; nothing the table claims is in fact parsed.
    problems = [f"{f.where}: {f.problem}" for f in survey(name, K) if f.problem]
    assert not problems, "\n".join(problems)


def _report(formulas: list[Formula]) -> str:
    sides = [f for f in formulas if f.side != "both"]
    unprinted = [f for f in formulas if f.side == "both"]
    trips = [f for f in sides if f.round_trips]
    trivial = sum(f.expr.is_Atom for f in trips)
    ambiguous = sum(f.readings > 1 for f in trips)
    first = Counter(f.reasons[0] for f in sides if f.reasons)
    contain = Counter(why for f in sides for why in f.reasons)
    return "\n".join(
        [
            f"{len(sides)} formulas (K = {', '.join(map(str, KS))}); {len(unprinted)} relations "
            "fail to print or print with the wrong symbol",
            f"{len(trips)} round-trip: {trivial} a bare number or symbol, {ambiguous} ambiguous "
            "to the parser (one of its readings is the expression)",
            f"{sum(first.values())} out of reach (first reason, formulas with the construct):",
            *(f"  {first[why]:4d} {contain[why]:4d}  {why}" for _, why in OUT_OF_REACH),
        ]
    )


def test_report_and_every_rule_is_used() -> None:
    # Every OUT_OF_REACH rule explains at least one printed formula (else it is stale).
    formulas = [f for name in ss.derivations() for K in KS for f in survey(name, K)]
    report = _report(formulas)
    print("\n" + report)
    unused = [why for _, why in OUT_OF_REACH if not any(why in f.reasons for f in formulas)]
    assert not unused, "rules that explain nothing:\n" + "\n".join(unused) + "\n" + report
    # The round trip is not vacuous: at each K, formulas with structure do parse back.
    for K in KS:
        trips = [f for f in formulas if f.K == K and f.round_trips and not f.expr.is_Atom]
        assert len(trips) >= MIN_ROUND_TRIPS, f"K = {K}: {len(trips)} round trips\n{report}"


_SPACE = ClassSpace.of(3)
_z, _i, _j, _k = _SPACE.z, _SPACE.i, _SPACE.j, _SPACE.k
_beta = sp.Symbol("beta", positive=True)
_c = sp.Symbol("c", real=True)

# (expression, LaTeX that says something else): each must be caught as printed wrongly.
WRONG_PRINTOUTS = [
    pytest.param(
        sp.exp(_z[_i]) / sp.Sum(sp.exp(_z[_k]), (_k, 1, 3)),
        r"\frac{e^{{z}_{i}}}{\sum_{k=1}^{2} e^{{z}_{k}}}",
        id="upper limit of a sum",
    ),
    pytest.param(sp.exp(_c) * sp.exp(_z[_i]), r"e^{c} e^{{z}_{j}}", id="index"),
    pytest.param(
        sp.Sum((1 + sp.KroneckerDelta(_i, _k)) * sp.exp(_z[_k]), (_k, 1, 3)),
        r"\sum_{k=1}^{3} \left(1 - \delta_{i k}\right) e^{{z}_{k}}",
        id="sign",
    ),
    pytest.param(sp.exp(_c + _z[_i]), r"e^{c} + {z}_{i}", id="extent of an exponent"),
    pytest.param(
        sp.Limit(sp.exp(-1 / _beta), _beta, 0, "+"),
        r"\lim_{\beta \to 0^-} e^{- \frac{1}{\beta}}",
        id="side of a limit",
    ),
    pytest.param(
        sp.Matrix([sp.exp(_z[1]), sp.exp(_z[2]), sp.exp(_z[3])]),
        r"\left(\begin{matrix}e^{{z}_{1}}\\e^{{z}_{3}}\\e^{{z}_{2}}\end{matrix}\right)",
        id="order of matrix entries",
    ),
]


@pytest.mark.parametrize(("expr", "wrong"), WRONG_PRINTOUTS)
def test_a_wrong_printout_is_caught(expr: sp.Basic, wrong: str) -> None:
    # The comparison is not vacuous: LaTeX that means something else fails, while the
    # printer's own LaTeX for the same expression passes.
    step = ss.Step(sp.Eq(expr, 0, evaluate=False), "")
    sides, _ = _sides(step.expr, relation_latex(step.expr))
    side, _, printed = sides[0]
    good = _formula("mutation", 3, 1, side, expr, printed, step, _SPACE, {})
    bad = _formula("mutation", 3, 1, side, expr, wrong, step, _SPACE, {})
    assert good.round_trips, good.problem
    assert bad.problem and bad.problem.startswith("PRINTED WRONGLY"), bad.problem
