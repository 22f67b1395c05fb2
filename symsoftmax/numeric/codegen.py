"""Numpy code generated from the derivations: the formulas, lowered to arrays, printed.

The pipeline, one stage a function:

1. **Formulas** (:func:`formulas`): each numeric function starts from a relation that a
   derivation proves, read from the derivation object, never typed again here: softmax from
   ``shift_invariance`` (sigma(z) = sigma(z - m 1)), log-softmax and log-sum-exp from
   ``log_softmax`` (log sigma_i = (z_i - m) - log sum_k e^{z_k - m}), the Jacobian from
   ``jacobian``, the products from ``jvp``, the loss and its gradient from
   ``cross_entropy``, the distillation loss T^2 KL(p || q) and its gradient from
   ``distillation``, the smoothed loss and its gradient from ``label_smoothing``. The logits are written z = m + d with m the row maximum, so every
   exponent d_k is <= 0: nothing overflows.
2. **Accuracy rewrites** (:data:`REWRITES`), as data in the manner of
   ``sympy.codegen.rewriting``: log(sum_k e^{d_k}) -> log1p(sum over the entries other
   than the arg max), since e^{d} = 1 exactly there (Blanchard, Higham and Higham,
   "Accurately computing the log-sum-exp and softmax functions", IMA J. Numer. Anal.
   41 (2021)); and d_k = dh_k + dl_k, the rounded difference and its exact error
   (TwoSum), with e^{d} = e^{dh} (1 + dl): the rounding of x - max is what costs the usual
   implementations hundreds of ulp at large magnitudes.
3. **Lowering** (:func:`lower`): class-indexed formulas become array expressions: an
   entry u_i is the array u (classes on the last axis), a sum over the classes is a
   reduction along that axis that keeps it; for the K x K Jacobian the two indices become
   the last two axes, and a Kronecker delta the diagonal.
4. **Printing** (:func:`kernel_source`): SymPy's NumPy printer and ``cse`` write each
   kernel's body under the header of its stub in :mod:`symsoftmax.numeric.runtime`.
5. **Assembly** (:func:`module_source`): the runtime's own source (input checks, masks, the
   row shift, non-finite entries, the public functions) is copied with ``inspect``, only
   the definitions that the requested functions need, and the printed kernels take the
   stubs' places. The result is a module whose only import is numpy; the package runs
   exactly that text.
"""

from __future__ import annotations

import ast
import functools
import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType
from typing import ClassVar

import sympy as sp
from sympy.codegen.cfunctions import log1p
from sympy.codegen.rewriting import ReplaceOptim, optimize
from sympy.printing.numpy import NumPyPrinter, _known_functions_numpy

import symsoftmax.numeric.portable as portable  # (not "from . import": no edge to the package)
import symsoftmax.numeric.runtime as runtime

from ..engine import derive
from ..symbolic import ClassSpace, Softmax, expand_definitions

__all__ = [
    "DOMINANT_REWRITES",
    "NAMES",
    "REWRITES",
    "TARGETS",
    "RowSum",
    "Target",
    "formulas",
    "kernel_source",
    "lower",
    "module_source",
    "rewritten",
]

#: The generated functions: the public functions of the runtime, in its order.
NAMES = tuple(name for name in vars(runtime) if name in runtime.__all__)

_S = ClassSpace.of(None)
_z, _i, _j, _k, _y, _v = _S.z, _S.i, _S.j, _S.k, _S.y, _S.v
_m = sp.Symbol("m", real=True)
_d = sp.IndexedBase("d", real=True)  # d = z - m
_dh = sp.IndexedBase("dh", real=True)  # fl(z - m)
_dl = sp.IndexedBase("dl", real=True)  # z - m - fl(z - m), exactly (TwoSum)
_r = sp.IndexedBase("r", nonnegative=True)  # 0 at the first arg max, 1 elsewhere
_logp = sp.IndexedBase("logp", real=True)  # log softmax(z), from the generated log_softmax
_c = sp.IndexedBase("c", nonnegative=True)  # 1 - sigma, accurate at the arg max (_complement)
# distillation: the teacher's p = sigma(t/T) and the student's q = sigma(z/T), their logarithms
# (from the generated log_softmax) and their complements 1 - p, 1 - q (_complement)
_p, _q = sp.IndexedBase("p", nonnegative=True), sp.IndexedBase("q", nonnegative=True)
_logq = sp.IndexedBase("logq", real=True)
_cp, _cq = sp.IndexedBase("cp", nonnegative=True), sp.IndexedBase("cq", nonnegative=True)


def _in_shifted(expr: sp.Expr) -> sp.Expr:
    """Write the logits as z = m + d (m the row maximum)."""
    return expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == _z,
        lambda e: _d[e.indices] + _m,
    )


def _scaled_logits(sigma: Softmax) -> tuple[str, sp.Expr]:
    """The logits of a softmax in a derivation, as (name of the vector, its scale): the
    vector k -> s x_k of ``sigma`` is read from its own body, not from its printed form."""
    k, body = sigma.args[0].variables[0], sigma.args[0].expr
    (entry,) = {e for e in sp.sympify(body).atoms(sp.Indexed) if e.indices == (k,)}
    scale = sp.simplify(body / entry)
    if scale.has(k):
        raise RuntimeError(f"a softmax of other logits than a scaled vector: {sigma}")
    return str(entry.base), scale


def _in_arrays(expr: sp.Expr, arrays: dict[str, tuple[sp.IndexedBase, sp.IndexedBase]]) -> sp.Expr:
    """log sigma(v)_n -> logs[n] and sigma(v)_n -> probabilities[n], for each vector v named
    in ``arrays`` (name -> (probabilities, logs)): the loss in the arrays that the generated
    softmax and log_softmax return."""

    def array(sigma: Softmax, logarithm: bool) -> sp.Expr:
        name, _ = _scaled_logits(sigma)
        if name not in arrays:
            raise RuntimeError(f"a softmax of {name}, none of {sorted(arrays)}: {sigma}")
        return arrays[name][logarithm][sigma.args[2]]

    expr = expr.replace(
        lambda e: isinstance(e, sp.log) and isinstance(e.args[0], Softmax),
        lambda e: array(e.args[0], True),
    )
    return expr.replace(lambda e: isinstance(e, Softmax), lambda e: array(e, False))


def _canonical_softmax(expr: sp.Expr) -> sp.Expr:
    """Each softmax of the logits z (scale 1) as the canonical sigma_n of the class space,
    whatever unevaluated form its vector was built in."""

    def canonical(sigma: Softmax) -> sp.Expr:
        if _scaled_logits(sigma) != ("z", 1):
            raise RuntimeError(f"a softmax of other logits than z: {sigma}")
        return _S.sigma(sigma.args[2])

    return expr.replace(lambda e: isinstance(e, Softmax), canonical)


@functools.cache
def formulas() -> dict[str, sp.Expr]:
    """Each generated function's formula, from the relation its derivation proves.

    Entries are indexed by i (and j for the Jacobian); ``d`` is z - m.
    """
    c = sp.Symbol("c", real=True)
    shift = derive("shift_invariance").result  # sigma(z + c 1)_i = sigma(z)_i
    log_softmax = derive("log_softmax")
    stable_log = log_softmax.step("stable").expr.rhs  # (z_i - m) - log sum_k e^{z_k - m}
    # log sigma_i = z_i - LSE(z) (step 'lse_form') and = stable_log (step 'stable'), so
    # LSE(z) = z_i - stable_log = m + log sum_k e^{z_k - m}.
    lse = _z[_i] - stable_log
    jvp = derive("jvp")
    cross_entropy = derive("cross_entropy")
    # L = -sum_k y_k (z_k - LSE(z)) = -sum_k y_k log sigma_k (log_softmax, 'lse_form'), with
    # log sigma_k the array that the generated log_softmax returns.
    log_sigma_k = _z[_k] - _S.lse()
    loss = cross_entropy.step("loss").expr.rhs.replace(
        lambda e: isinstance(e, sp.Add) and sp.expand(e - log_sigma_k) == 0,
        lambda e: _logp[_k],
    )
    if loss.has(type(_S.lse())):
        raise RuntimeError(f"the cross-entropy is not in log sigma_k alone: {loss}")
    # distillation: L = T^2 sum_k p_k (log p_k - log q_k), the KL divergence in the logs that
    # log_softmax gives (never a log of a softmax), and its gradient T (q_j - p_j)
    distillation = derive("distillation")
    teacher_student = {"t": (_p, _logp), "z": (_q, _logq)}
    smoothing = derive("label_smoothing")
    smoothed_loss = smoothing.step("loss").expr.lhs.replace(
        lambda e: isinstance(e, sp.log) and isinstance(e.args[0], Softmax),
        lambda e: _logp[_canonical_softmax(e.args[0]).args[2]],
    )
    return {
        "softmax": _in_shifted(expand_definitions(shift.lhs.xreplace({c: -_m}))),
        "log_softmax": _in_shifted(stable_log),
        "logsumexp": _in_shifted(lse),
        "jacobian": derive("jacobian").result.rhs,
        "jvp": jvp.step("jvp").expr.rhs,
        "vjp": jvp.step("vjp").expr.rhs,
        "cross_entropy": loss,
        "cross_entropy_grad": cross_entropy.step("gradient").expr.rhs.xreplace({_j: _i}),
        "distillation_loss": _in_arrays(distillation.step("loss").expr.lhs, teacher_student),
        "distillation_grad": _in_arrays(
            distillation.step("gradient").expr.rhs, teacher_student
        ).xreplace({_j: _i}),
        "label_smoothing_loss": smoothed_loss,
        "label_smoothing_grad": _canonical_softmax(
            smoothing.step("gradient").expr.rhs.xreplace({_j: _i})
        ),
    }


def _is_shifted_exp_sum(e: sp.Basic) -> bool:
    return (
        isinstance(e, sp.log)
        and isinstance(e.args[0], sp.Sum)
        and e.args[0].function == sp.exp(_d[e.args[0].limits[0][0]])
    )


def _split_off_max(e: sp.log) -> sp.Expr:
    (k, lo, hi) = e.args[0].limits[0]
    return log1p(sp.Sum(_r[k] * sp.exp(_d[k]), (k, lo, hi)))


#: The accuracy rewrites, applied in this order (see the module docstring).
REWRITES = (
    ReplaceOptim(_is_shifted_exp_sum, _split_off_max),
    ReplaceOptim(
        lambda e: (
            isinstance(e, sp.exp) and isinstance(e.args[0], sp.Indexed) and e.args[0].base == _d
        ),
        lambda e: sp.exp(_dh[e.args[0].indices]) * (1 + _dl[e.args[0].indices]),
    ),
    ReplaceOptim(
        lambda e: isinstance(e, sp.Indexed) and e.base == _d,
        lambda e: _dh[e.indices] + _dl[e.indices],
    ),
)


def _one_minus_sigma(e: sp.Basic) -> bool:
    """1 - sigma_i or sigma_i - 1, for some index i."""
    if not (isinstance(e, sp.Add) and len(e.args) == 2):
        return False
    one, other = sorted(e.args, key=lambda a: not a.is_Number)
    return abs(one) == 1 and isinstance(-one * other, Softmax)


def _complement_of(e: sp.Add) -> sp.Expr:
    one, other = sorted(e.args, key=lambda a: not a.is_Number)
    return one * _c[(-one * other).args[2]]


def _sigma_minus(e: sp.Basic) -> bool:
    """sigma_i - u, u free of sigma: it cancels where sigma_i is close to 1."""
    if not isinstance(e, sp.Add) or _one_minus_sigma(e):
        return False
    sigmas = [a for a in e.args if isinstance(a, Softmax)]
    return len(sigmas) == 1 and not (e - sigmas[0]).has(Softmax)


def _at_the_dominant_class(e: sp.Add) -> sp.Piecewise:
    (sigma,) = [a for a in e.args if isinstance(a, Softmax)]
    rest = e - sigma
    # sigma_i - u = (1 - u) - (1 - sigma_i): where sigma_i > 1/2, 1 - u is exact when u is
    # close to sigma_i (Sterbenz) and 1 - sigma_i is c_i, accurate; elsewhere as it is
    return sp.Piecewise(
        (sp.UnevaluatedExpr(1 + rest) - _c[sigma.args[2]], sigma > sp.Rational(1, 2)),
        (e, True),
    )


def _difference_of_distributions(e: sp.Basic) -> bool:
    """q_i - p_i, the student's probability less the teacher's."""
    return isinstance(e, sp.Add) and set(e.args) in (
        {_q[_i], -_p[_i]},
        {_p[_i], -_q[_i]},
    )


def _by_complements(e: sp.Add) -> sp.Piecewise:
    sign = 1 if _q[_i] in e.args else -1
    # q_i - p_i = (1 - p_i) - (1 - q_i): where p_i + q_i > 1 one of them is above 1/2, the
    # arg max of its row, where its complement (cp or cq) is accurate while 1 - p cancels
    # (the derivation 'normalization', step 'sum_is_one', as for c); elsewhere neither is
    # close to 1 and the difference is taken as it is
    return sp.Piecewise((sign * (_cp[_i] - _cq[_i]), _p[_i] + _q[_i] > 1), (e, True))


#: The accuracy rewrites of the formulas in the probabilities sigma (the Jacobian and the
#: gradient): 1 - sigma_i = sum_{k != i} sigma_k (the derivation 'normalization', step
#: 'sum_is_one') is the array c, which the runtime computes without cancellation at the
#: arg max (:func:`~symsoftmax.numeric.runtime._complement`); a difference sigma_i - u is
#: taken as (1 - u) - c_i where sigma_i > 1/2. Without them J_ii = sigma_i (1 - sigma_i)
#: is 0 at a dominant class whose 1 - sigma_i is below the rounding of 1. The distillation
#: gradient's q_i - p_i is taken as (1 - p_i) - (1 - q_i) = cp_i - cq_i where either
#: probability is above 1/2, for the same reason.
DOMINANT_REWRITES = (
    ReplaceOptim(_one_minus_sigma, _complement_of),
    ReplaceOptim(_sigma_minus, _at_the_dominant_class),
    ReplaceOptim(_difference_of_distributions, _by_complements),
)


class RowSum(sp.Function):
    """The sum over the class axis, kept as an axis of length 1 (numpy keepdims)."""

    nargs = 1

    def _numpycode(self, printer: NumPyPrinter) -> str:
        return f"_rowsum({printer._print(self.args[0])})"


class _Entry(sp.Symbol):
    """An array in the generated code, printed with a broadcasting suffix."""


def lower(expr: sp.Expr, axes: dict[sp.Symbol, str]) -> sp.Expr:
    """Class-indexed formula -> array expression.

    ``axes`` maps each free index to the suffix that places it on its axis ("" for the last
    axis). Entries u_i become arrays, sums over a bound class index become :class:`RowSum`,
    sigma_i (the softmax of the logits) becomes the array ``s``.
    """
    sigma = _S.sigma(_i).args[0]  # the vector k -> z_k, canonical

    def array(name: str, index: sp.Expr) -> sp.Symbol:
        if index not in axes:
            raise NotImplementedError(f"index {index} of {name} is not on an axis: {expr}")
        return _Entry(name + axes[index])

    def visit(e: sp.Basic) -> sp.Basic:
        if isinstance(e, sp.Sum):
            (k, _, _) = e.limits[0]
            if (set(axes) - {k}) & e.function.free_symbols:
                raise NotImplementedError(f"a sum whose terms use a free index: {e}")
            return RowSum(lower(e.function, {k: ""}))
        if isinstance(e, sp.Indexed):
            return array(str(e.base), e.indices[0])
        if isinstance(e, Softmax):
            if e.args[0] != sigma:
                raise NotImplementedError(f"softmax of another vector than the logits: {e}")
            return array("s", e.args[2])
        if isinstance(e, sp.KroneckerDelta):
            raise NotImplementedError("a Kronecker delta needs the matrix lowering")
        if not e.args:
            return e
        return e.func(*(visit(a) for a in e.args))

    return visit(expr)


class _Printer(NumPyPrinter):
    """SymPy's NumPy printer, for the array expressions of :func:`lower`.

    The array library is SymPy's ``_module`` attribute ("numpy"), with its known functions
    (``numpy.exp``, ``numpy.log1p``) in ``_kf``; a printer for another library is a subclass
    that sets those two, as SymPy's ``JaxPrinter`` does. An :class:`_Entry` prints as its
    name, a :class:`RowSum` by its own ``_numpycode``.
    """

    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": True, "allow_unknown_functions": False})

    def _print__Entry(self, expr: _Entry) -> str:
        return expr.name


class _ArrayAPIPrinter(_Printer):
    """The printer for the array API: the namespace is the kernel's parameter ``xp``
    (``_module``), a row sum is ``xp.sum(..., keepdims=True)``, a piecewise expression is
    ``xp.where`` (the standard has no ``select``), a comparison its operator."""

    _module = "xp"
    _kf: ClassVar[dict[str, str]] = {k: "xp." + v for k, v in _known_functions_numpy.items()}

    def __init__(self) -> None:
        super().__init__()
        self.module_imports.clear()

    def _module_format(self, fqn: str, register: bool = False) -> str:
        return fqn  # xp is a parameter, not a module to import

    def _print_RowSum(self, expr: RowSum) -> str:
        return f"xp.sum({self._print(expr.args[0])}, axis=-1, keepdims=True)"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        *cases, (otherwise, cond) = expr.args
        if cond != sp.true:
            raise NotImplementedError(f"a piecewise expression without a default: {expr}")
        text = self._print(otherwise)
        for value, condition in reversed(cases):
            text = f"xp.where({self._print(condition)}, {self._print(value)}, {text})"
        return text

    def _print_Relational(self, expr: sp.core.relational.Relational) -> str:
        lhs, rhs = (self.parenthesize(a, 50) for a in (expr.lhs, expr.rhs))
        return f"({lhs} {expr.rel_op} {rhs})"


@dataclass(frozen=True)
class Target:
    """What a generated module is made of: the hand-written runtime whose stubs the kernels
    replace, the printer of the kernels, the statement that writes the diagonal of the
    Jacobian, and the imports of the module."""

    name: str
    runtime: ModuleType
    printer: type[_Printer]
    set_diagonal: str
    imports: str
    only: str


#: The targets by name: numpy (the reference) and the array API.
TARGETS = {
    "numpy": Target(
        "numpy", runtime, _Printer, "_diagonal(out)[...] = on_diagonal", "import numpy", "numpy"
    ),
    "array-api": Target(
        "array-api",
        portable,
        _ArrayAPIPrinter,
        "out = xp.where(_eye(out, xp), on_diagonal[..., :, None], out)",
        "import importlib\nimport math\nimport warnings\nfrom typing import Any",
        "array_api_compat (at run time)",
    ),
}


def _assignments(expr: sp.Expr, target: str, printer: _Printer | None = None) -> list[str]:
    """``cse`` lines, then ``target = ...``."""
    printer = printer or _Printer()
    shared, (reduced,) = sp.cse([expr], symbols=sp.numbered_symbols("t"))
    lines = [f"{name} = {printer.doprint(value)}" for name, value in shared]
    return [*lines, f"{target} = {printer.doprint(reduced)}"]


def rewritten(name: str) -> sp.Expr:
    """The formula of ``name`` after the accuracy rewrites (:data:`REWRITES`,
    :data:`DOMINANT_REWRITES`), still indexed by i: what every backend prints."""
    return optimize(optimize(formulas()[name], REWRITES), DOMINANT_REWRITES)


def _vector_kernel(name: str, target: Target) -> list[str]:
    return _assignments(lower(rewritten(name), {_i: ""}), "out", target.printer())


def matrix_parts(name: str) -> tuple[sp.Expr, sp.Expr]:
    """The off-diagonal entries (indexed by i, j) and the diagonal (indexed by i) of a
    matrix formula such as sigma_i (delta_ij - sigma_j), each after the accuracy rewrites:
    the diagonal sigma_i (1 - sigma_i) becomes sigma_i c_i."""
    formula = formulas()[name]
    delta = sp.KroneckerDelta(_i, _j)
    off = formula.xreplace({delta: 0})
    on = sp.factor(formula.xreplace({_j: _i}).xreplace({sp.KroneckerDelta(_i, _i): 1}).doit())
    rewrite = DOMINANT_REWRITES[:1]
    return optimize(sp.expand(off), rewrite), optimize(on, rewrite)


def _matrix_kernel(name: str, target: Target) -> list[str]:
    """The off-diagonal formula over the whole matrix in one pass (an outer product), then
    the diagonal written in place (numpy) or selected (the array API): no identity matrix."""
    off, on = matrix_parts(name)
    printer = target.printer()
    axes = {_i: "[..., :, None]", _j: "[..., None, :]"}
    lines = _assignments(lower(off, axes), "out", printer)
    lines += _assignments(lower(on, {_i: ""}), "on_diagonal", printer)
    lines.append(target.set_diagonal)
    return lines


@dataclass(frozen=True)
class _Definition:
    """A top-level definition of a module: its name, its source text, the names it reads."""

    name: str
    text: str
    reads: frozenset[str]


def _definitions(source: str) -> dict[str, _Definition]:
    """The top-level functions and constants of ``source`` in their order, each with the
    comment lines right above it (``#:`` documentation); imports and ``__all__`` are left out.
    """
    lines = source.splitlines()
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            name = node.name
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) != 1 or not isinstance(targets[0], ast.Name):
                raise NotImplementedError(
                    f"an assignment to more than one name: {ast.unparse(node)}"
                )
            name = targets[0].id
        else:
            continue
        if name == "__all__":
            continue
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))]) - 1
        while start > 0 and lines[start - 1].lstrip().startswith("#"):
            start -= 1
        reads = frozenset(
            n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        )
        found[name] = _Definition(name, "\n".join(lines[start : node.end_lineno]), reads)
    return found


@functools.cache
def _runtime(target: str = "numpy") -> dict[str, _Definition]:
    """The definitions of the target's runtime (:mod:`symsoftmax.numeric.runtime` for
    numpy), from its source text."""
    return _definitions(inspect.getsource(TARGETS[target].runtime))


def _stub(name: str) -> str:
    """The name of the kernel that the runtime's function ``name`` calls."""
    return f"_{name}_kernel"


#: The generated function of each kernel.
_KERNELS = {_stub(name): name for name in NAMES}


@functools.cache
def kernel_source(name: str, target: str = "numpy") -> str:
    """The kernel of ``name`` for ``target``: its stub's header from the target's runtime,
    and a body printed from the formula (:func:`rewritten`, :func:`lower`) by the target's
    printer.

    The body may read the stub's parameters, the array module and the runtime's definitions,
    nothing else: a formula that needs another array fails here, not when it runs.

    Example:
        >>> lines = kernel_source("jvp").splitlines()
        >>> print(lines[0], *lines[2:], sep="\\n")   # the header, no docstring, the body
        def _jvp_kernel(s: numpy.ndarray, v: numpy.ndarray) -> numpy.ndarray:
            out = s*(v - _rowsum(s*v))
            return out
        >>> print(kernel_source("jvp", "array-api").splitlines()[-2])
            out = s*(v - xp.sum(s*v, axis=-1, keepdims=True))
    """
    _check_name(name)
    spec = TARGETS[target]
    stub = _runtime(target)[_stub(name)]
    raises = ast.parse(stub.text).body[0].body[-1]  # the stub's body, after its docstring
    header = stub.text.splitlines()[: raises.lineno - 1]
    body = _matrix_kernel(name, spec) if name == "jacobian" else _vector_kernel(name, spec)
    text = "\n".join([*header, *("    " + line for line in [*body, "return out"])])
    kernel = ast.parse(text).body[0]
    names = [n for line in kernel.body for n in ast.walk(line) if isinstance(n, ast.Name)]
    local = {a.arg for a in kernel.args.args} | {
        n.id for n in names if isinstance(n.ctx, ast.Store)
    }
    unknown = {n.id for n in names} - local - set(_runtime(target)) - {spec.printer._module}
    if unknown:
        raise RuntimeError(
            f"the kernel of {name} reads {sorted(unknown)}, which its stub "
            f"{stub.name}{tuple(a.arg for a in kernel.args.args)} does not take"
        )
    return text


def _check_name(name: str) -> None:
    if name not in NAMES:
        raise ValueError(f"unknown numeric function {name!r}; known: {', '.join(NAMES)}")


def _definition(name: str, target: str = "numpy") -> _Definition:
    """A definition of the generated module: a printed kernel, or the runtime's own."""
    if name in _KERNELS:
        return _definitions(kernel_source(_KERNELS[name], target))[name]
    return _runtime(target)[name]


def _needed(names: Iterable[str], target: str = "numpy") -> set[str]:
    """``names`` and every runtime definition that they read, directly or not."""
    needed: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo += [r for r in _definition(name, target).reads if r in _runtime(target)]
    return needed


_HEADER = '''"""Generated by symsoftmax from its verified derivations. {only} is the only import.

Conventions: floating dtypes are kept (integers and bools compute in float64); a -inf
or masked entry gets probability 0; +inf entries share all the mass; a NaN that takes
part makes its row NaN; an empty input gives an empty output.
"""

from __future__ import annotations

{imports}

__all__ = [{names}]
'''


@functools.cache
def module_source(name: str | None = None, target: str = "numpy") -> str:
    """A standalone module for ``target`` (numpy its only import, or for the array API no
    import but array_api_compat at run time) with ``name`` and what it calls, or every
    generated function when ``name`` is None.

    The module is the target runtime's definitions that these functions need, copied from
    its source (:mod:`symsoftmax.numeric.runtime` for numpy) in its order, with the printed
    kernels in place of the stubs. :mod:`symsoftmax.numeric` runs this text.

    Example:
        >>> namespace = {}
        >>> exec(module_source("logsumexp"), namespace)
        >>> float(namespace["logsumexp"]([1000.0, 1000.0]))
        1000.6931471805599
    """
    roots = NAMES if name is None else (name,)
    for root in roots:
        _check_name(root)
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; known: {', '.join(TARGETS)}")
    spec = TARGETS[target]
    needed = _needed(roots, target)
    public = "".join(f'\n    "{n}",' for n in NAMES if n in needed) + "\n"
    header = _HEADER.format(only=spec.only, imports=spec.imports, names=public)
    body = [_definition(n, target).text for n in _runtime(target) if n in needed]
    return "\n\n\n".join([header.rstrip("\n"), *body]) + "\n"
