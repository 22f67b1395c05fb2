"""Numpy code generated from the derivations: the formulas, lowered to arrays, printed.

The pipeline, one stage a function:

1. **Formulas** (:func:`formulas`): each numeric function starts from a relation that a
   derivation proves, read from the derivation object, never typed again here: softmax from
   ``shift_invariance`` (sigma(z) = sigma(z - m 1)), log-softmax and log-sum-exp from
   ``log_softmax`` (log sigma_i = (z_i - m) - log sum_k e^{z_k - m}), the Jacobian from
   ``jacobian``, the products from ``jvp``, the loss and its gradient from
   ``cross_entropy``. The logits are written z = m + d with m the row maximum, so every
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
4. **Printing** (:func:`module_source`): SymPy's NumPy printer and ``cse`` write the
   kernels; fixed plumbing (input checks, masks, the row maximum, non-finite entries) is
   shared by all of them. The result is a module whose only import is numpy; the package
   runs exactly that text.
"""

from __future__ import annotations

import functools
import textwrap

import sympy as sp
from sympy.codegen.cfunctions import log1p
from sympy.codegen.rewriting import ReplaceOptim, optimize
from sympy.printing.numpy import NumPyPrinter

from ..engine import derive
from ..symbolic import ClassSpace, Softmax, expand_definitions

__all__ = ["NAMES", "formulas", "lower", "module_source"]

#: The generated functions, in the order of the module.
NAMES = (
    "softmax",
    "log_softmax",
    "logsumexp",
    "jacobian",
    "jvp",
    "vjp",
    "cross_entropy",
    "cross_entropy_grad",
)

_S = ClassSpace.of(None)
_z, _i, _j, _k, _y, _v = _S.z, _S.i, _S.j, _S.k, _S.y, _S.v
_m = sp.Symbol("m", real=True)
_d = sp.IndexedBase("d", real=True)  # d = z - m
_dh = sp.IndexedBase("dh", real=True)  # fl(z - m)
_dl = sp.IndexedBase("dl", real=True)  # z - m - fl(z - m), exactly (TwoSum)
_r = sp.IndexedBase("r", nonnegative=True)  # 0 at the first arg max, 1 elsewhere
_logp = sp.IndexedBase("logp", real=True)  # log softmax(z), from the generated log_softmax


def _in_shifted(expr: sp.Expr) -> sp.Expr:
    """Write the logits as z = m + d (m the row maximum)."""
    return expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == _z,
        lambda e: _d[e.indices] + _m,
    )


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
    return {
        "softmax": _in_shifted(expand_definitions(shift.lhs.xreplace({c: -_m}))),
        "log_softmax": _in_shifted(stable_log),
        "logsumexp": _in_shifted(lse),
        "jacobian": derive("jacobian").result.rhs,
        "jvp": jvp.step("jvp").expr.rhs,
        "vjp": jvp.step("vjp").expr.rhs,
        "cross_entropy": loss,
        "cross_entropy_grad": cross_entropy.step("gradient").expr.rhs.xreplace({_j: _i}),
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
    def __init__(self) -> None:
        super().__init__({"fully_qualified_modules": True, "allow_unknown_functions": False})

    def _print__Entry(self, expr: _Entry) -> str:
        return expr.name

    def _print_log1p(self, expr: sp.Expr) -> str:
        return f"numpy.log1p({self._print(expr.args[0])})"


def _assignments(expr: sp.Expr, target: str) -> list[str]:
    """``cse`` lines, then ``target = ...``."""
    printer = _Printer()
    shared, (reduced,) = sp.cse([expr], symbols=sp.numbered_symbols("t"))
    lines = [f"{name} = {printer.doprint(value)}" for name, value in shared]
    return [*lines, f"{target} = {printer.doprint(reduced)}"]


def _vector_kernel(name: str) -> list[str]:
    return _assignments(lower(optimize(formulas()[name], REWRITES), {_i: ""}), "out")


def _matrix_kernel(name: str) -> list[str]:
    """sigma_i (delta_ij - sigma_j) = (delta_ij sigma_i) - sigma_i sigma_j: the outer
    product in one pass, then the diagonal added in place (no identity matrix)."""
    diagonal, full = [], []
    for term in sp.Add.make_args(sp.expand(formulas()[name])):
        delta = sp.KroneckerDelta(_i, _j)
        if term.has(delta):
            diagonal.append((term / delta).xreplace({_j: _i}))
        else:
            full.append(term)
    lines = _assignments(lower(sp.Add(*full), {_i: "[..., :, None]", _j: "[..., None, :]"}), "out")
    if diagonal:
        lines += _assignments(lower(sp.Add(*diagonal), {_i: ""}), "on_diagonal")
        lines.append("_diagonal(out)[...] += on_diagonal")
    return lines


_PLUMBING = '''
import numpy

_FLOATING = (numpy.float16, numpy.float32, numpy.float64, numpy.longdouble)


def _as_array(x, what="x"):
    """A floating array: floating dtypes kept, integers and bools computed in float64."""
    try:
        a = numpy.asarray(x)
    except Exception as err:  # ragged lists and the like
        raise TypeError(f"{what} must be a numeric array, got {type(x).__name__}: {err}") from None
    if a.ndim == 0 and a.dtype.kind in "biuf":
        raise ValueError(f"{what} must have at least one axis (the classes), got a scalar")
    if a.dtype.type in _FLOATING:
        return a
    if a.dtype.kind in "biu":
        return a.astype(numpy.float64)
    raise TypeError(f"{what} must be a real numeric array, got dtype {a.dtype}")


def _mask(where, shape):
    """The entries that take part: all of them, or the True entries of ``where``."""
    if where is None:
        return None
    w = numpy.asarray(where)
    if w.dtype != bool:
        raise TypeError(f"where must be a boolean array, got dtype {w.dtype}")
    try:
        if numpy.broadcast_shapes(w.shape, shape) != tuple(shape):
            raise ValueError
    except ValueError:
        raise ValueError(
            f"where of shape {w.shape} does not broadcast to x of shape {tuple(shape)}"
        ) from None
    return numpy.broadcast_to(w, shape)


#: Up to this many classes, row reductions go column by column: numpy's reductions over a
#: short last axis are several times slower than elementwise passes over the columns.
_FEW = 16


def _rowmax(x):
    if 0 < x.shape[-1] <= _FEW:
        m = x[..., 0].copy()
        for k in range(1, x.shape[-1]):
            numpy.maximum(m, x[..., k], out=m)
        return m[..., None]
    return numpy.max(x, axis=-1, keepdims=True, initial=-numpy.inf)


def _rowsum(a):
    if 0 < a.shape[-1] <= _FEW:
        total = a[..., 0].copy()
        for k in range(1, a.shape[-1]):
            total += a[..., k]
        return total[..., None]
    return numpy.sum(a, axis=-1, keepdims=True)


def _shift(x, keep, first=False):
    """The row maximum m and d = x - m, as dh + dl exactly (TwoSum).

    softmax(x) = softmax(x - m 1) by the shift invariance that the derivation
    'shift_invariance' proves; with m the maximum no exponent is positive. Entries that are
    masked or -inf get d = -inf (probability exactly 0); when a row has +inf entries they
    share all the mass (d = 0 there, -inf elsewhere); a row with nothing left has m = 0.
    Returns dh, dl, r (with ``first``: 0 at the first arg max, where e^d = 1 exactly, else
    1), m, and for inputs with non-finite or masked entries: the entries that take part,
    the rows with +inf, the rows holding a NaN that takes part (else three None).
    """
    half = numpy.finfo(x.dtype).max / 2  # below it in size, x - m cannot overflow
    if keep is None and x.size and x.min() > -half and x.max() < half:  # the common case
        m = _rowmax(x)
        dh = x - m
        back = dh - x
        dl = (x - (dh - back)) + (-m - back)
        return dh, dl, _not_first(dh) if first else None, m, None, None, None
    keep = numpy.ones(x.shape, dtype=bool) if keep is None else keep
    with numpy.errstate(invalid="ignore", over="ignore"):
        live = keep & (x > -numpy.inf)
        xl = numpy.where(live, x, -numpy.inf)
        m = _rowmax(xl)
        infinite = m == numpy.inf
        m = numpy.where(numpy.isfinite(m), m, 0).astype(x.dtype, copy=False)
        dh = xl - m
        back = dh - xl
        dl = (xl - (dh - back)) + (-m - back)
    dl = numpy.where(numpy.isfinite(dl) & live & ~infinite, dl, 0).astype(x.dtype, copy=False)
    dh = numpy.where(infinite, numpy.where(xl == numpy.inf, 0, -numpy.inf), dh)
    dh = dh.astype(x.dtype, copy=False)
    nan_rows = numpy.any(numpy.isnan(x) & keep, axis=-1, keepdims=True)
    return dh, dl, _not_first(dh) if first else None, m, live, infinite, nan_rows


def _not_first(dh):
    """1 everywhere but at the first arg max of each row (where d = 0)."""
    r = numpy.ones_like(dh)
    if dh.shape[-1]:
        numpy.put_along_axis(r, numpy.argmax(dh, axis=-1)[..., None], 0, axis=-1)
    return r


def _finish(out, live, nan_rows, masked_value):
    """Masked and -inf entries get ``masked_value``; rows with a NaN that takes part, NaN."""
    if live is None:
        return out
    out = numpy.where(live, out, masked_value)
    return numpy.where(nan_rows, numpy.nan, out)


def _diagonal(a):
    """A writeable view of the diagonals of the last two axes."""
    return numpy.einsum("...ii->...i", a)


def _check_same_shape(a, b, what):
    if a.shape != b.shape:
        raise ValueError(f"{what} of shape {b.shape} does not match x of shape {a.shape}")


def _last_axis(x):
    if x.ndim == 0:
        raise ValueError("x must have at least one axis (the classes), got a scalar")
'''

#: jvp and vjp: the same wrapper around their own kernels (J is symmetric).
_PRODUCT = '''
def {name}(x, v, where=None):
    """{doc}"""
    s = softmax(x, where=where)
    _last_axis(s)
    v = _as_array(v, "v")
    _check_same_shape(s, v, "v")
    with numpy.errstate(invalid="ignore"):
{kernel}
    return out.astype(s.dtype, copy=False)
'''

_WRAPPERS = {
    "softmax": '''
def softmax(x, axis=-1, where=None):
    """softmax(x)_i = exp(x_i) / sum_k exp(x_k) along ``axis``; masked entries get 0."""
    x = numpy.moveaxis(_as_array(x), axis, -1)
    keep = _mask(where, numpy.moveaxis(x, -1, axis).shape)
    keep = None if keep is None else numpy.moveaxis(keep, axis, -1)
    dh, dl, r, m, live, infinite, nan_rows = _shift(x, keep)
    with numpy.errstate(invalid="ignore", divide="ignore", over="ignore"):
{kernel}
    out = _finish(out, live, nan_rows, 0).astype(x.dtype, copy=False)
    return numpy.moveaxis(out, -1, axis)
''',
    "log_softmax": '''
def log_softmax(x, axis=-1, where=None):
    """log softmax(x)_i along ``axis``, never log(softmax); masked entries get -inf."""
    x = numpy.moveaxis(_as_array(x), axis, -1)
    keep = _mask(where, numpy.moveaxis(x, -1, axis).shape)
    keep = None if keep is None else numpy.moveaxis(keep, axis, -1)
    dh, dl, r, m, live, infinite, nan_rows = _shift(x, keep, first=True)
    with numpy.errstate(invalid="ignore", divide="ignore", over="ignore"):
{kernel}
    out = _finish(out, live, nan_rows, -numpy.inf).astype(x.dtype, copy=False)
    return numpy.moveaxis(out, -1, axis)
''',
    "logsumexp": '''
def logsumexp(x, axis=-1):
    """log sum_k exp(x_k) along ``axis`` (that axis is removed)."""
    x = numpy.moveaxis(_as_array(x), axis, -1)
    dh, dl, r, m, live, infinite, nan_rows = _shift(x, None, first=True)
    with numpy.errstate(invalid="ignore", divide="ignore", over="ignore"):
{kernel}
    if live is not None:
        out = numpy.where(numpy.any(live, axis=-1, keepdims=True), out, -numpy.inf)
        out = numpy.where(infinite, numpy.inf, out)
        out = numpy.where(nan_rows, numpy.nan, out)
    return out.astype(x.dtype, copy=False)[..., 0]
''',
    "jacobian": '''
def jacobian(x, where=None):
    """J[..., i, j] = d softmax(x)_i / d x_j over the last axis: shape x.shape + (K,)."""
    s = softmax(x, where=where)
    _last_axis(s)
    with numpy.errstate(invalid="ignore"):
{kernel}
    return out
''',
    "jvp": _PRODUCT,
    "vjp": _PRODUCT,
    "cross_entropy": '''
def cross_entropy(z, y):
    """-sum_k y_k log softmax(z)_k over the last axis, for targets y that sum to 1."""
    z = _as_array(z, "z")
    _last_axis(z)
    y = _target(z, y)
    # 0 log 0 = 0: a class the target gives no weight adds nothing, even at -inf
    logp = numpy.where(y > 0, log_softmax(z), 0)
    with numpy.errstate(invalid="ignore", divide="ignore", over="ignore"):
{kernel}
    return out.astype(z.dtype, copy=False)[..., 0]
''',
    "cross_entropy_grad": '''
def cross_entropy_grad(z, y):
    """The gradient of cross_entropy(z, y) with respect to z: softmax(z) - y."""
    s = softmax(z)
    _last_axis(s)
    y = _target(s, y)
    with numpy.errstate(invalid="ignore"):
{kernel}
    return out.astype(s.dtype, copy=False)
''',
}

_PRODUCT_DOCS = {
    "jvp": "J v over the last axis, in O(K) per row (no K x K matrix).",
    "vjp": "v^T J (= J^T v) over the last axis, in O(K) per row (no K x K matrix).",
}

_TARGET = '''
def _target(z, y):
    """Targets y: the shape of z, nonnegative, each row summing to 1."""
    y = _as_array(y, "y")
    _check_same_shape(z, y, "y")
    total = numpy.sum(y, axis=-1)
    tolerance = 16 * numpy.finfo(numpy.result_type(y, numpy.float32)).eps * y.shape[-1]
    if numpy.any(y < 0) or numpy.any(numpy.abs(total - 1) > tolerance):
        raise ValueError(
            "each row of y must be a probability vector (entries >= 0 summing to 1)"
        )
    return y
'''

#: Which generated functions each one calls.
_NEEDS = {
    "jacobian": ("softmax",),
    "jvp": ("softmax",),
    "vjp": ("softmax",),
    "cross_entropy": ("log_softmax", "_target"),
    "cross_entropy_grad": ("softmax", "_target"),
}


@functools.cache
def function_source(name: str) -> str:
    """The generated source of one function: its wrapper around the printed kernel."""
    if name not in _WRAPPERS:
        known = ", ".join(NAMES)
        raise ValueError(f"unknown numeric function {name!r}; known: {known}")
    kernel = _matrix_kernel(name) if name == "jacobian" else _vector_kernel(name)
    return (
        _WRAPPERS[name]
        .replace("{name}", name)
        .replace("{doc}", _PRODUCT_DOCS.get(name, ""))
        .replace("{kernel}", textwrap.indent("\n".join(kernel), " " * 8))
    )


def _closure(name: str) -> list[str]:
    order: list[str] = []
    for dep in _NEEDS.get(name, ()):
        if dep != "_target":
            order += [d for d in _closure(dep) if d not in order]
    return [*order, name] if name not in order else order


@functools.cache
def module_source(name: str | None = None) -> str:
    """A standalone module (numpy its only import) with ``name`` and what it calls, or
    every generated function when ``name`` is None."""
    names = list(NAMES) if name is None else _closure(name)
    needs_target = any("_target" in _NEEDS.get(n, ()) for n in names)
    header = (
        '"""Generated by symsoftmax from its verified derivations. numpy is the only import.\n\n'
        "Conventions: floating dtypes are kept (integers and bools compute in float64); a -inf\n"
        "or masked entry gets probability 0; +inf entries share all the mass; a NaN that takes\n"
        'part makes its row NaN; an empty input gives an empty output.\n"""\n'
    )
    parts = [header, _PLUMBING]
    if needs_target:
        parts.append(_TARGET)
    parts += [function_source(n) for n in names]
    return "\n".join(part.strip("\n") + "\n" for part in parts).replace("\n\n\n\n", "\n\n\n")
