"""Softmax and log-sum-exp as SymPy functions of a vector indexed by the class.

A vector over the classes 1..K is a ``Lambda`` ``k -> u_k``: ``Lambda(k, z[k])`` is the
logit vector itself, ``Lambda(k, beta*z[k])`` the tempered one. K is an integer symbol
(derivations for any K) or an Integer.

.. math::

    \\sigma(\\mathbf{u})_i = \\frac{e^{u_i}}{\\sum_{k=1}^{K} e^{u_k}}, \\qquad
    \\operatorname{LSE}(\\mathbf{u}) = \\log \\sum_{k=1}^{K} e^{u_k}

Both are SymPy citizens: ``diff`` applies the chain rule through the derived Jacobian
(:math:`d\\sigma_i = \\sigma_i (du_i - \\sum_k \\sigma_k du_k)`, and
:math:`d\\operatorname{LSE} = \\sum_k \\sigma_k du_k`), ``rewrite(exp)`` gives the
explicit definition, and ``latex`` prints :math:`\\sigma(\\mathbf{z})_{i}`.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.logic import fuzzy_and
from sympy.printing.latex import LatexPrinter
from sympy.printing.pretty.stringpict import prettyForm
from sympy.printing.printer import Printer
from sympy.printing.str import StrPrinter

from .notation import powered, vector_latex, vector_str
from .sums import class_sum, fresh_index, sift_deltas

__all__ = ["LogSumExp", "Sigmoid", "Softmax", "expand_definitions"]

# The bound index of every vector Lambda: one shared Dummy, so that k -> z_k and j -> z_j
# build the same SymPy object and alpha-equivalent expressions compare equal.
_SLOT = sp.Dummy("k", integer=True, positive=True)


Vector = sp.Lambda | sp.Tuple


def _strict(value: object, what: str) -> sp.Basic:
    """``value`` as a SymPy object, without evaluating strings (``sympify(strict=True)``)."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be a SymPy expression or a number, got {value!r} (a bool)")
    try:
        return sp.sympify(value, strict=True)
    except sp.SympifyError:
        raise TypeError(
            f"{what} must be a SymPy expression or a number, got {value!r} "
            f"(a {type(value).__name__}); a string is not parsed, build the expression instead"
        ) from None


def _vector(u: object, K: object) -> tuple[Vector, sp.Expr]:
    """Check a (vector, K) pair; give a Lambda its canonical bound index, a list a Tuple."""
    K = _strict(K, "K")
    if not (K.is_integer and K.is_positive) or (K.is_Integer and K < 2):
        raise ValueError(f"K must be an integer >= 2 or a positive integer symbol, got {K!r}")
    if isinstance(u, (sp.MatrixBase, list, tuple, sp.Tuple)):
        entries = sp.Tuple(*(sp.sympify(x, strict=True) for x in u))
        if not K.is_Integer or len(entries) != K:
            raise ValueError(f"a vector of {len(entries)} entries does not have K = {K} classes")
        return entries, K
    if not isinstance(u, sp.Lambda) or len(u.variables) != 1:
        raise TypeError(
            f"the vector must be a sympy Lambda k -> u_k or a sequence of K entries, got {u!r}"
        )
    if u.variables[0] is _SLOT:
        return u, K  # already canonical (the common case: rebuilt by SymPy)
    (k,) = u.variables
    return sp.Lambda(_SLOT, u.expr.xreplace({k: _SLOT})), K


def _entry(u: Vector, n: sp.Expr) -> sp.Expr:
    """u_n: the Lambda applied to n, or entry n (1-based) of an explicit vector."""
    if isinstance(u, sp.Lambda):
        return u(n)
    if not n.is_Integer:
        raise ValueError(f"an explicit vector needs a concrete index, got {n}")
    return u[int(n) - 1]


def _exp_sum(u: Vector, K: sp.Expr, *avoid: sp.Basic) -> sp.Expr:
    """sum_k exp(u_k): a Sum over the class index, or the explicit sum of K terms."""
    if isinstance(u, sp.Tuple):
        return sp.Add(*(sp.exp(x) for x in u))
    k = fresh_index(u, *avoid)
    return sp.Sum(sp.exp(u(k)), (k, 1, K))


def _is_real(u: Vector) -> bool | None:
    if isinstance(u, sp.Tuple):
        return fuzzy_and(x.is_real for x in u)
    return u.expr.is_real


def _weighted_change(
    u: Vector, K: sp.Expr, s: sp.Symbol
) -> tuple[sp.Expr, sp.Symbol | None, sp.Expr]:
    """(du as a function of the class, its index variable, sum_k sigma_k du_k)."""
    if isinstance(u, sp.Tuple):
        du = [sp.diff(x, s) for x in u]
        weighted = sp.Add(*(Softmax(u, K, n + 1) * d for n, d in enumerate(du)))
        return sp.Tuple(*du), None, weighted
    k = fresh_index(u, s)
    du = sift_deltas(sp.diff(u(k), s))
    return du, k, class_sum(Softmax(u, K, k) * du, k, K)


class _VectorFunction(sp.Function):
    """What Softmax and LogSumExp share: a vector over classes 1..K as the first argument.

    The vector is a ``Lambda`` k -> u_k (any K, the indexed form) or the explicit tuple of
    its K entries. A value given for one entry (``subs``, ``xreplace``, and so ``lambdify``
    with the entries as arguments) turns a Lambda of a concrete K into the explicit tuple,
    where the entry is visible.
    """

    def _explicit_vector(self) -> _VectorFunction:
        u, K, *rest = self.args
        return self.func(sp.Tuple(*(u(n) for n in range(1, int(K) + 1))), K, *rest)

    def _touches_entry(self, keys: object) -> bool:
        """Does some key name an entry z_n of this (Lambda) vector?"""
        u = self.args[0]
        return isinstance(u, sp.Lambda) and any(
            isinstance(key, sp.Indexed) and u.expr.has(key.base) and key.indices[0].is_Integer
            for key in keys
        )

    def _xreplace(self, rule: dict) -> tuple[sp.Basic, bool]:
        if self in rule:
            return rule[self], True
        result, changed = super()._xreplace(rule)
        if changed or not self.args[1].is_Integer or not self._touches_entry(rule):
            return result, changed
        return self._explicit_vector()._xreplace(rule)

    def _eval_subs(self, old: sp.Basic, new: sp.Basic) -> sp.Expr | None:
        if self.args[1].is_Integer and self._touches_entry([old]):
            return self._explicit_vector().subs(old, new)
        return None

    def _components(self) -> list[sp.Expr]:
        u, K = self.args[0], self.args[1]
        if not K.is_Integer:
            raise ValueError(
                f"{type(self).__name__} over a symbolic number of classes K has no numeric "
                "form; substitute a concrete K first"
            )
        return [_entry(u, sp.Integer(n)) for n in range(1, int(K) + 1)]

    def _eval_evalf(self, prec: int) -> sp.Expr | None:
        if not self.args[1].is_Integer:
            return None
        return self.stable_form()._eval_evalf(prec)

    def _eval_is_real(self) -> bool | None:
        return _is_real(self.args[0])

    def _numpycode(self, printer: Printer) -> str:
        return f"({printer._print(self.stable_form())})"  # an Add inside a product

    _mpmathcode = _pythoncode = _numpycode

    def _pretty(self, printer: Printer) -> prettyForm:
        return prettyForm(self._sympystr(StrPrinter()))

    def stable_form(self) -> sp.Expr:
        """The explicit form with the maximum subtracted, which cannot overflow."""
        raise NotImplementedError


class Softmax(_VectorFunction):
    """Component ``i`` of the softmax of the vector ``u`` over classes 1..K.

    .. math:: \\sigma(\\mathbf{u})_i = \\frac{e^{u_i}}{\\sum_{k=1}^{K} e^{u_k}}

    Args (positional, as SymPy functions take them):
        u: the vector: ``Lambda(k, u_k)``, or a sequence (or column Matrix) of K entries.
        K: number of classes, an Integer >= 2 or a positive integer symbol.
        i: the component, an integer expression in 1..K.

    Example:
        >>> import sympy as sp
        >>> K = sp.Symbol("K", integer=True, positive=True)
        >>> z = sp.IndexedBase("z", real=True)
        >>> i, j, k = sp.symbols("i j k", integer=True, positive=True)
        >>> s = Softmax(sp.Lambda(k, z[k]), K, i)
        >>> sp.latex(s)
        '\\\\sigma(\\\\mathbf{z})_{i}'
        >>> sp.diff(s, z[j]) == s * (sp.KroneckerDelta(i, j) - Softmax(sp.Lambda(k, z[k]), K, j))
        True
        >>> s.rewrite(sp.exp)
        exp(z[i])/Sum(exp(z[k]), (k, 1, K))

        With the explicit logits of ``logits(3)``, and numbers:

        >>> z1, z2, z3 = sp.symbols("z_1 z_2 z_3", real=True)
        >>> s1 = Softmax([z1, z2, z3], 3, 1)
        >>> s1, sp.diff(s1, z2)
        (σ(z)[1], -σ(z)[1]*σ(z)[2])
        >>> s1.subs({z1: 1000, z2: 0, z3: 0}).evalf(5)
        1.0000
    """

    nargs = 3

    def __new__(cls, u: Vector, K: sp.Expr | int, i: sp.Expr | int, **kwargs) -> sp.Expr:
        u, K = _vector(u, K)
        return super().__new__(cls, u, K, _strict(i, "the component index i"), **kwargs)

    @classmethod
    def eval(cls, u: sp.Basic, K: sp.Basic, i: sp.Basic) -> None:
        if i.is_integer is False or (i.is_number and not i.is_Integer):
            raise ValueError(f"the component index must be an integer, got {i!r}")
        if i.is_Integer and K.is_Integer and not 1 <= i <= K:
            raise ValueError(f"the component index must be in 1..{K}, got {i}")
        return None

    def _eval_rewrite_as_exp(self, u: Vector, K: sp.Expr, i: sp.Expr, **kwargs) -> sp.Expr:
        return sp.exp(_entry(u, i)) / _exp_sum(u, K, i)

    def _eval_derivative(self, s: sp.Symbol) -> sp.Expr:
        # d sigma_i = sigma_i (du_i - sum_k sigma_k du_k): the chain rule through the
        # Jacobian sigma_i (delta_ik - sigma_k) that the `jacobian` derivation proves.
        u, K, i = self.args
        du, k, weighted = _weighted_change(u, K, s)
        du_i = du[int(i) - 1] if k is None else du.xreplace({k: i})
        if du_i == 0 and weighted == 0:
            return sp.S.Zero
        return self * (du_i - weighted)

    def _eval_is_positive(self) -> bool | None:
        return _is_real(self.args[0])

    def _latex(self, printer: LatexPrinter, exp: str | None = None) -> str:
        u, _, i = self.args
        return powered(rf"\sigma({vector_latex(printer, u, i)})_{{{printer._print(i)}}}", exp)

    def _sympystr(self, printer: Printer) -> str:
        u, _, i = self.args
        return f"σ({vector_str(printer, u, i)})[{printer._print(i)}]"

    def log_form(self) -> sp.Expr:
        """log sigma(u)_i = u_i - LSE(u) (the ``log_softmax`` derivation, step ``lse_form``).

        Its printed form cannot underflow to log 0 = -inf as log of the printed sigma_i does.
        """
        u, K, i = self.args
        return _entry(u, i) - LogSumExp(u, K)

    def stable_form(self) -> sp.Expr:
        """exp(u_i - m) / sum_k exp(u_k - m) with m = max_k u_k.

        Equal to the definition by the shift invariance that the ``shift_invariance``
        derivation proves (c = -m); no exponent is positive, so nothing overflows.
        """
        u = self._components()
        if not self.args[2].is_Integer:
            raise ValueError("the numeric form of a softmax component needs a concrete index")
        m = sp.Max(*u)
        return sp.exp(u[int(self.args[2]) - 1] - m) / sp.Add(*(sp.exp(x - m) for x in u))


class LogSumExp(_VectorFunction):
    """Log-sum-exp of the vector ``u`` over classes 1..K.

    .. math:: \\operatorname{LSE}(\\mathbf{u}) = \\log \\sum_{k=1}^{K} e^{u_k}, \\qquad
        \\frac{\\partial \\operatorname{LSE}}{\\partial u_j} = \\sigma(\\mathbf{u})_j

    Example:
        >>> import sympy as sp
        >>> z = sp.IndexedBase("z", real=True)
        >>> k = sp.Symbol("k", integer=True, positive=True)
        >>> lse = LogSumExp(sp.Lambda(k, z[k]), 2)
        >>> sp.latex(lse)
        '\\\\operatorname{LSE}(\\\\mathbf{z})'
        >>> lse.rewrite(sp.exp).doit()
        log(exp(z[1]) + exp(z[2]))
        >>> f = sp.lambdify([z[1], z[2]], lse)      # stable: the maximum comes out first
        >>> float(f(1000.0, 0.0))
        1000.0
    """

    nargs = 2

    def __new__(cls, u: Vector, K: sp.Expr | int, **kwargs) -> sp.Expr:
        u, K = _vector(u, K)
        return super().__new__(cls, u, K, **kwargs)

    def _eval_rewrite_as_exp(self, u: Vector, K: sp.Expr, **kwargs) -> sp.Expr:
        return sp.log(_exp_sum(u, K))

    def _eval_derivative(self, s: sp.Symbol) -> sp.Expr:
        # d LSE = sum_k sigma_k du_k: the gradient of log-sum-exp is softmax.
        return _weighted_change(self.args[0], self.args[1], s)[2]

    def _latex(self, printer: LatexPrinter, exp: str | None = None) -> str:
        return powered(rf"\operatorname{{LSE}}({vector_latex(printer, self.args[0])})", exp)

    def _sympystr(self, printer: Printer) -> str:
        return f"LSE({vector_str(printer, self.args[0])})"

    def stable_form(self) -> sp.Expr:
        """m + log(sum_k exp(u_k - m)) with m = max_k u_k (shift invariance, c = -m)."""
        u = self._components()
        m = sp.Max(*u)
        return m + sp.log(sp.Add(*(sp.exp(x - m) for x in u)))


class Sigmoid(sp.Function):
    """The logistic sigmoid.

    .. math:: \\operatorname{sigmoid}(x) = \\frac{1}{1 + e^{-x}}, \\qquad
        \\operatorname{sigmoid}'(x) = \\operatorname{sigmoid}(x) (1 - \\operatorname{sigmoid}(x))

    Example:
        >>> import sympy as sp
        >>> x = sp.Symbol("x", real=True)
        >>> Sigmoid(x).diff(x)
        (1 - Sigmoid(x))*Sigmoid(x)
        >>> Sigmoid(0).rewrite(sp.exp)
        1/2
        >>> f = sp.lambdify(x, Sigmoid(x))  # stable: 1 / (1 + e^{800}) would overflow
        >>> float(f(-800.0)), float(f(800.0))
        (0.0, 1.0)
    """

    nargs = 1

    def __new__(cls, x: sp.Expr | float, **kwargs) -> sp.Expr:
        return super().__new__(cls, _strict(x, "the argument of Sigmoid"), **kwargs)

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return self * (1 - self)

    def log_form(self) -> sp.Expr:
        """log sigmoid(x) = -log(1 + e^{-x}) = -LSE(0, -x), which does not underflow."""
        return -LogSumExp(sp.Tuple(sp.S.Zero, -self.args[0]), 2)

    def _eval_rewrite_as_exp(self, x: sp.Expr, **kwargs) -> sp.Expr:
        return 1 / (1 + sp.exp(-x))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_is_positive(self) -> bool | None:
        return self.args[0].is_real

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(sp.exp)._eval_evalf(prec)

    def _numpycode(self, printer: Printer) -> str:
        # 1 / (1 + e^{-x}) = e^{-log(1 + e^{-x})}; numpy's logaddexp(0, -x) never overflows
        # (-1.0 * x: an unsigned integer x is negated as a float, not wrapped around).
        exp, logaddexp = (printer._module_format(f"numpy.{f}") for f in ("exp", "logaddexp"))
        return f"{exp}(-{logaddexp}(0, -1.0 * ({printer._print(self.args[0])})))"

    def _pythoncode(self, printer: Printer) -> str:
        # math.exp overflows past 709: use e^{-|x|}, in (0, 1], on either side of 0.
        exp = printer._module_format("math.exp")
        x = printer._print(self.args[0])
        return f"(1 / (1 + {exp}(-({x}))) if ({x}) >= 0 else {exp}({x}) / (1 + {exp}({x})))"

    def _mpmathcode(self, printer: Printer) -> str:
        exp = printer._module_format("mpmath.exp")
        return f"(1 / (1 + {exp}(-({printer._print(self.args[0])}))))"

    def _latex(self, printer: LatexPrinter, exp: str | None = None) -> str:
        return powered(rf"\operatorname{{sigmoid}}\left({printer._print(self.args[0])}\right)", exp)


def expand_definitions(expr: sp.Basic) -> sp.Basic:
    """Replace every Softmax, LogSumExp and Sigmoid in ``expr`` by its explicit exp form."""
    return expr.replace(
        lambda e: isinstance(e, (Softmax, LogSumExp, Sigmoid)),
        lambda e: e._eval_rewrite_as_exp(*e.args),
    )
