"""Fused row kernels for numba, printed from the same rewritten formulas as the numpy code.

The numpy code (:mod:`symsoftmax.numeric.codegen`) lowers a class-indexed formula to whole
arrays: a sum over the classes is a reduction, and each array operation is one pass over
memory. Here the same formula (:func:`~symsoftmax.numeric.codegen.rewritten`: the derived
relation after the accuracy rewrites) is lowered to loops over one row instead:

1. **Sums to accumulators** (:func:`row_program`): each sum over the classes becomes an
   accumulator in a first loop over the row; what is left of the formula is evaluated in
   a second loop, or once per row when it has no class index (log-sum-exp). SymPy's
   ``cse`` finds what both loops need; an entry of that kind that costs an exponential is
   stored in the output row by the first loop and read back by the second (softmax:
   e^{d_k} once per entry), one without is recomputed. Terms that do not depend on the
   entry (log1p of the sum) are computed once between the loops.
2. **Printing** (:class:`NumbaPrinter`): SymPy's Python code printer, with the scalar math
   module (``math.log1p``) as its ``_module``, prints each line; e^d prints as ``_exp(d)``,
   the exponential of :mod:`~symsoftmax.numeric.intrinsics` that LLVM vectorizes, whose
   polynomial is printed here too (:func:`exp_polynomial_source`, of the degree that
   :func:`exp_degree` derives from the error bound of the series).
3. **The row template** (:func:`kernel_source`): the row maximum and, where the formula
   needs it, the first arg max; the exact split d = dh + dl of x - m (TwoSum, as
   ``runtime._shift``); the test that sends a row with non-finite or huge entries to the
   numpy reference; sums in vector lanes; a ``numba.prange`` over the rows (numba's
   threads; ``numba.set_num_threads`` limits them), compiled with ``cache=True`` so that
   numba keeps the machine code on disk. The only fast-math flag of the whole kernel is
   ``contract`` (a multiplication and an addition may become one fused multiply-add, one
   rounding instead of two); TwoSum has no multiplication, so it stays exact.
4. **Assembly** (:func:`module_source`): the numpy module of codegen, then the intrinsics,
   the kernels and the functions of :mod:`~symsoftmax.numeric.fused` that run them, copied
   as source.
"""

from __future__ import annotations

import ast
import functools
import inspect
import struct
from dataclasses import dataclass
from pathlib import Path

import mpmath
import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from . import codegen, fused

__all__ = ["FUSED", "NumbaPrinter", "RowProgram", "kernel_source", "module_source", "row_program"]

#: The functions with a fused row kernel (the others run the numpy kernels on their output).
FUSED = ("softmax", "log_softmax", "logsumexp")

#: The per-entry quantities the row template provides, by the array names of codegen.
_ENTRIES = ("dh", "dl", "r")


class NumbaPrinter(PythonCodePrinter):
    """SymPy's Python printer for the scalar code inside a numba loop.

    The math library is ``_module`` ("math", whose ``exp`` and ``log1p`` numba compiles to
    the scalar libm calls), with its known functions in ``_kf``, as SymPy's NumPy printer
    keeps "numpy"; a printer for another scalar library is a subclass that sets those.
    """

    _module = "math"

    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": True, "allow_unknown_functions": False})

    def _print_exp(self, expr: sp.exp) -> str:
        # every exponent in the kernels is <= 0 (the shift by the row maximum): the
        # vectorizable exponential of the intrinsics module, not libm's
        return f"_exp({self._print(expr.args[0])})"


#: The largest |r| after the range reduction d = n ln 2 + r of :func:`_exp`.
_HALF_LN2 = "log(2)/2"


def exp_degree(bits: int = 56) -> int:
    """The smallest degree N of the Taylor polynomial of e^r whose relative error on
    |r| <= ln(2)/2 is below 2^-bits (an eighth of an ulp of a float64 for 56).

    The remainder of the series is e^xi r^{N+1} / (N+1)! for some xi between 0 and r, so
    its size relative to e^r is at most e^{2h} h^{N+1} / (N+1)!, h = ln(2)/2.

    Example:
        >>> exp_degree()
        13
    """
    h = mpmath.log(2) / 2
    N = 1
    while mpmath.e ** (2 * h) * h ** (N + 1) / mpmath.factorial(N + 1) > mpmath.mpf(2) ** -bits:
        N += 1
    return N


def exp_constants() -> dict[str, float | int]:
    """The constants of the range reduction of :func:`_exp`, derived (the intrinsics
    module holds them as numbers; the tests compare the two).

    Example:
        >>> exp_constants()["_LN2_HI"]
        0.6931471803691238
    """
    with mpmath.workdps(50):
        ln2 = mpmath.log(2)
        bits = struct.unpack("<q", struct.pack("<d", float(ln2)))[0]
        hi = struct.unpack("<d", struct.pack("<q", bits & ~(2**21 - 1)))[0]
        rounding = 1.5 * 2.0**52
        return {
            "_LOG2E": float(1 / ln2),
            "_LN2_HI": hi,
            "_LN2_LO": float(ln2 - hi),
            "_ROUND": rounding,
            "_ROUND_BITS": struct.unpack("<q", struct.pack("<d", rounding))[0],
            # e^d < 2^-1075 (half the smallest subnormal) for d < -1075 ln 2 = -745.13...
            "_EXP_LOW": float(mpmath.floor(-1075 * ln2)),
        }


@functools.cache
def exp_polynomial_source() -> str:
    """The body of ``_exp_polynomial``: the Taylor polynomial of e^r of degree
    :func:`exp_degree`, from SymPy's series, in Horner's form.

    Example:
        >>> print(exp_polynomial_source().splitlines()[-1].strip().split(" + 1/3")[0])
        return r*(r*(r*(r*(r*(r*(r*(r*(r*(r*(r*(r*((1/6227020800)*r + 1/479001600)
    """
    r = sp.Symbol("r", real=True)
    series = sp.series(sp.exp(r), r, 0, exp_degree() + 1).removeO()
    stub = _intrinsics()["_exp_polynomial"]
    raises = ast.parse(stub.text).body[0].body[-1]
    header = stub.text.splitlines()[: raises.lineno - 1]
    return "\n".join([*header, f"    return {NumbaPrinter().doprint(sp.horner(series))}"])


@dataclass(frozen=True)
class RowProgram:
    """A formula as loops over one row (see the module docstring).

    ``sums`` are (accumulator, per-entry term) pairs, ``first`` the lines of the first
    loop before the terms, ``between`` the per-row lines after it, ``second`` the lines of
    the second loop (or of the row, for a scalar result) before the result ``result``;
    ``stored`` is the name the first loop writes to the output row, if any; ``entries``
    are the per-entry quantities each loop needs.
    """

    sums: tuple[tuple[str, sp.Expr], ...]
    first: tuple[tuple[str, sp.Expr], ...]
    between: tuple[tuple[str, sp.Expr], ...]
    second: tuple[tuple[str, sp.Expr], ...]
    result: sp.Expr
    vector: bool
    stored: str | None
    entries_first: frozenset[str]
    entries_second: frozenset[str]


def _entries_as_symbols(expr: sp.Expr) -> sp.Expr:
    """dh[i], dl[k], r[k] (any index) -> the loop's scalars dh, dl, r."""
    return expr.replace(
        lambda e: isinstance(e, sp.Indexed) and str(e.base) in _ENTRIES,
        lambda e: sp.Symbol(str(e.base), real=True),
    )


def _depends(expr: sp.Expr, vectors: set[sp.Symbol]) -> bool:
    return bool(expr.free_symbols & vectors)


def _hoist(expr: sp.Expr, vectors: set[sp.Symbol], found: list) -> sp.Expr:
    """``expr`` with its largest subexpressions free of per-entry values named (``found``);
    a reciprocal 1/a stays (a product with it prints as the one division of the formula)."""
    if not _depends(expr, vectors):
        if expr.is_Atom or (expr.is_Pow and expr.exp == -1 and expr.base.is_Atom):
            return expr
        name = sp.Symbol(f"u{len(found)}", real=True)
        found.append((name, expr))
        return name
    if expr.is_Atom:
        return expr
    return expr.func(*(_hoist(a, vectors, found) for a in expr.args))


@functools.cache
def row_program(name: str) -> RowProgram:
    """The loops of ``name``'s rewritten formula (one level of sums over the classes).

    Example:
        >>> p = row_program("softmax")
        >>> p.sums, p.stored, p.result
        ((('acc0', t0),), 't0', t0/acc0)
    """
    expr = codegen.rewritten(name)
    sums = sorted(expr.atoms(sp.Sum), key=str)
    if any(s.function.has(sp.Sum) for s in sums):
        raise NotImplementedError(f"nested sums in the formula of {name}: {expr}")
    accs = [sp.Symbol(f"acc{n}", real=True) for n in range(len(sums))]
    outer = _entries_as_symbols(expr.xreplace(dict(zip(sums, accs, strict=True))))
    bodies = [_entries_as_symbols(s.function) for s in sums]
    if outer.atoms(sp.Indexed) or any(b.atoms(sp.Indexed) for b in bodies):
        raise NotImplementedError(f"an entry the row template does not provide: {expr}")
    shared, reduced = sp.cse([*bodies, outer], symbols=sp.numbered_symbols("t", real=True))
    *terms, result = reduced
    entries = {sp.Symbol(e, real=True) for e in _ENTRIES}
    vectors = set(entries)
    for t, value in shared:
        if _depends(value, vectors):
            vectors.add(t)

    def needs(exprs: list[sp.Expr]) -> set[sp.Symbol]:
        """The shared names that ``exprs`` read, directly or not."""
        found: set[sp.Symbol] = set()
        todo = [s for e in exprs for s in e.free_symbols]
        values = dict(shared)
        while todo:
            s = todo.pop()
            if s in values and s not in found:
                found.add(s)
                todo += list(values[s].free_symbols)
        return found

    in_first, in_second = needs(terms), needs([result])
    vector = _depends(result, vectors)
    # an entry computed in both loops that costs an exponential is stored, not recomputed
    both = [t for t, v in shared if t in in_first and t in in_second and t in vectors]
    stored = next((t for t in both if dict(shared)[t].has(sp.exp)), None) if vector else None
    second_shared = [(t, v) for t, v in shared if t in in_second and t != stored]
    if stored is not None:
        second_shared = [(t, v) for t, v in second_shared if t not in needs([dict(shared)[stored]])]
    between: list = []
    result = _hoist(result, vectors | {stored} - {None}, between)
    second = [(str(t), v) for t, v in second_shared if t in vectors]
    between = [(str(t), v) for t, v in second_shared if t not in vectors] + [
        (str(t), v) for t, v in between
    ]

    def used_entries(lines: list, extra: list[sp.Expr]) -> frozenset[str]:
        symbols = set().union(*(v.free_symbols for _, v in lines), *(e.free_symbols for e in extra))
        return frozenset(str(e) for e in entries if e in symbols)

    first = [(str(t), v) for t, v in shared if t in in_first]
    return RowProgram(
        sums=tuple((str(a), b) for a, b in zip(accs, terms, strict=True)),
        first=tuple(first),
        between=tuple(between),
        second=tuple(second),
        result=result,
        vector=vector,
        stored=None if stored is None else str(stored),
        entries_first=used_entries(first, terms),
        entries_second=used_entries(second, [result]),
    )


def _prelude(entries: frozenset[str], indent: str) -> list[str]:
    """The per-entry quantities of the row template: x_k - m = dh + dl exactly (TwoSum, as
    ``runtime._shift``) and r = 0 at the first arg max, 1 elsewhere (``runtime._not_first``)."""
    lines = []
    if entries & {"dh", "dl"}:
        lines += ["xk = x[row, k]", "dh = xk - m"]
    if "dl" in entries:
        lines += ["back = dh - xk", "dl = (xk - (dh - back)) + (-m - back)"]
    if "r" in entries:
        lines.append("r = 0.0 if k == first else 1.0")
    return [indent + line for line in lines]


@functools.cache
def kernel_source(name: str) -> str:
    """The numba row kernel of ``name``: the header of its stub in
    :mod:`~symsoftmax.numeric.fused` and the loops of :func:`row_program`, printed.

    Example:
        >>> print(*kernel_source("logsumexp").splitlines()[-9:], sep="\\n")
                for k in range(K):
                    xk = x[row, k]
                    dh = xk - m
                    back = dh - xk
                    dl = (xk - (dh - back)) + (-m - back)
                    r = 0.0 if k == first else 1.0
                    acc0 = _radd(acc0, r*(dl + 1)*_exp(dh))
                u0 = m + math.log1p(acc0)
                out[row] = u0
    """
    if name not in FUSED:
        raise ValueError(f"no fused row kernel for {name!r}; fused: {', '.join(FUSED)}")
    program = row_program(name)
    printer = NumbaPrinter()
    stub = _fused()[f"_{name}_rows"]
    raises = ast.parse(stub.text).body[0].body[-1]
    header = stub.text.splitlines()[: raises.lineno - 1]
    body = [
        "n, K = x.shape",
        "for row in numba.prange(n):",
        # the row maximum; a row with an inf, a NaN or an entry beyond half the largest
        # float is left to the numpy reference (runtime._shift). Both are reductions that
        # LLVM vectorizes (_fmax: see the intrinsics module)
        "    m = x[row, 0]",
        "    done = True",
        "    for k in range(K):",
        "        xk = x[row, k]",
        "        done &= -half < xk < half",
        "        m = _fmax(m, xk)",
        "    ok[row] = done",
        "    if not done:",
        "        continue",
    ]
    if "r" in program.entries_first | program.entries_second:
        body += ["    first = 0", "    while x[row, first] != m:", "        first += 1"]
    for acc, _ in program.sums:
        body.append(f"    {acc} = 0.0")
    if program.sums:
        body.append("    for k in range(K):")
        body += _prelude(program.entries_first, "        ")
        body += [f"        {t} = {printer.doprint(v)}" for t, v in program.first]
        if program.stored:
            body.append(f"        out[row, k] = {program.stored}")
        for acc, term in program.sums:
            # a sum in vector lanes (_radd: see the intrinsics module)
            body.append(f"        {acc} = _radd({acc}, {printer.doprint(term)})")
    body += [f"    {t} = {printer.doprint(v)}" for t, v in program.between]
    result = printer.doprint(program.result)
    if program.vector:
        body.append("    for k in range(K):")
        body += _prelude(program.entries_second, "        ")
        if program.stored:
            body.append(f"        {program.stored} = out[row, k]")
        body += [f"        {t} = {printer.doprint(v)}" for t, v in program.second]
        body.append(f"        out[row, k] = {result}")
    else:
        body.append(f"    out[row] = {result}")
    decorator = '@numba.njit(cache=True, parallel=True, fastmath={"contract"})'
    return "\n".join([decorator, *header, *("    " + line for line in body)])


@dataclass(frozen=True)
class _Aliases:
    """``from .runtime import a as b`` lines of the fused module: (b, a) pairs."""

    pairs: tuple[tuple[str, str], ...]


@functools.cache
def _fused() -> dict[str, codegen._Definition]:
    return codegen._definitions(inspect.getsource(fused))


@functools.cache
def _intrinsics() -> dict[str, codegen._Definition]:
    """The definitions of the intrinsics module, read as text (importing it imports numba)."""
    return codegen._definitions(Path(__file__).with_name("intrinsics.py").read_text())


@functools.cache
def _aliases() -> _Aliases:
    """The names the fused module takes from the runtime under another name."""
    tree = ast.parse(inspect.getsource(fused))
    pairs = tuple(
        (alias.asname, alias.name)
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module == "runtime"
        for alias in node.names
        if alias.asname
    )
    return _Aliases(pairs)


_HEADER = '''"""Generated by symsoftmax from its verified derivations, for numba (the row kernels
compile on their first call, and numba caches them on disk). numpy and numba are the only
imports.

Conventions: those of the numpy functions, which this module holds and which compute every
row that the fused kernels leave (non-finite or huge entries, masks, other dtypes).
"""

from __future__ import annotations

import math

import numba
import numpy

__all__ = [{names}]
'''


@functools.cache
def module_source(name: str | None = None) -> str:
    """A standalone module (numpy and numba its only imports) with ``name``, or every
    generated function when ``name`` is None, run by fused row kernels where there are any.

    Example:
        >>> text = module_source("logsumexp")
        >>> "@numba.njit(cache=True, parallel=True" in text, "def _logsumexp_kernel(" in text
        (True, True)
    """
    roots = codegen.NAMES if name is None else (name,)
    numpy_text = codegen.module_source(name)
    body = numpy_text[numpy_text.index("__all__") :]
    body = body[body.index("]") + 1 :].strip("\n")
    needed_fused = [n for n in FUSED if n in roots or n in _calls(numpy_text)]
    # the runtime's definitions the fused functions read, when the numpy part lacks them
    extra = [
        codegen._runtime()[r].text
        for r in codegen._runtime()
        if any(r in _fused()[f].reads for f in ("_by_rows",))
        and f"def {r}(" not in numpy_text
        and needed_fused
    ]
    aliases = [f"{b} = {a}" for b, a in _aliases().pairs if a in needed_fused]
    kernels = [kernel_source(n) for n in needed_fused]
    if needed_fused:
        helpers = [
            exp_polynomial_source() if n == "_exp_polynomial" else d.text
            for n, d in _intrinsics().items()
        ]
        kernels = [*helpers, *kernels]
    glue = (
        [_fused()[n].text for n in ("_FUSED_DTYPES", "_by_rows", *needed_fused)]
        if needed_fused
        else []
    )
    names = "".join(f'\n    "{n}",' for n in codegen.NAMES if n in roots or n in needed_fused)
    header = _HEADER.format(names=names + "\n")
    parts = [header.rstrip("\n"), body, *extra, "\n".join(aliases), *kernels, *glue]
    return "\n\n\n".join(p for p in parts if p) + "\n"


def _calls(text: str) -> set[str]:
    """The names that ``text`` defines as functions."""
    return {n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)}
