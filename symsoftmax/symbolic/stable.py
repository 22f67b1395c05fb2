"""``lambdify`` for user expressions, with softmax patterns rewritten to be stable first.

SymPy keeps what a user builds from softmax in its canonical form: sigma_1^2 is
exp(2 z_1)/S**2 with S = exp(z_1) + exp(z_2) + exp(z_3), an entry of ``Matrix.jacobian`` is
exp(z_1)/S - exp(2 z_1)/S**2, log sigma_1 is log(exp(z_1)/S), and a sigmoid written out is
1/(1 + exp(-x)), a constant among the terms. Printed as they stand, these give inf/inf = nan
once an exponent passes ~709, or log(0) = -inf. SymPy's own stabilizing rewrites
(``sympy.codegen.rewriting``) cover the two-term log(exp(a) + exp(b)) only. The rewrites
here are data in the same manner, named ``ReplaceOptim`` objects applied by ``optimize``
(highest priority first):

1. :data:`log_product_opt`: the log of a product of positive factors (exponentials, powers
   of sums of exponentials, softmax entries, positive numbers) is the sum of their logs
   (``sympy.expand_log``), so that each log left meets one factor;
2. :data:`log_form_opt`: the log of a function object that has a stable logarithm
   (``log_form``): log sigma(u)_i = u_i - LSE(u), log sigmoid(x) = -LSE(0, -x);
3. :data:`logsumexp_opt`: log(sum_k c_k exp(a_k)) -> LSE(a_k + log c_k), for any number of
   terms; a positive constant term c is c exp(0);
4. :data:`max_shift_opt`: every other sum of exponentials S = sum_k exp(a_k) ->
   exp(M) sum_k exp(a_k - M), M = max_k a_k. exp(M) then joins the other exponentials of
   the product it stands in (SymPy distributes the power over it), so exp(2 z_1)/S**2 becomes
   exp(2 z_1 - 2 M)/(sum_k exp(z_k - M))**2: a shifted sum lies in [1, n], and what is left
   outside it is the size of the result itself;
5. :data:`merge_exp_opt`: exp(a) exp(b) -> exp(a + b), which is where that merging happens.

The Softmax, LogSumExp and Sigmoid function objects print their stable forms themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy as sp
from sympy.codegen.rewriting import ReplaceOptim, optimize
from sympy.utilities.iterables import sift

from .functions import LogSumExp

__all__ = [
    "REWRITES",
    "lambdify",
    "log_form_opt",
    "log_product_opt",
    "logsumexp_opt",
    "max_shift_opt",
    "merge_exp_opt",
    "stabilized",
]


def _exponents(s: sp.Basic) -> list[sp.Expr] | None:
    """[a_1, ..., a_n] when ``s`` = sum_k c_k exp(b_k) with n >= 2 terms, numbers c_k > 0
    and a_k = b_k + log c_k (a constant term c is c exp(0)), not all of them constant;
    else None."""
    if not isinstance(s, sp.Add) or not s.free_symbols:
        return None
    found = []
    for term in s.args:
        coeff, rest = term.as_independent(*term.free_symbols, as_Add=False)
        if not coeff.is_positive:
            return None
        if rest == 1:
            found.append(sp.log(coeff))
        elif isinstance(rest, sp.exp):
            found.append(rest.exp + sp.log(coeff))
        else:
            return None
    if any(a.is_extended_real is False or a.has(sp.I) for a in found):
        return None  # no maximum of complex exponents
    return found


def _has_stable_log(factor: sp.Basic) -> bool:
    """Is log(factor) one of the logs the rewrites below turn into a stable form?"""
    if isinstance(factor, sp.exp) or (factor.is_number and factor.is_positive):
        return True
    base, power = factor.as_base_exp()
    return bool(power.is_extended_real) and (
        _exponents(base) is not None or callable(getattr(base, "log_form", None))
    )


def _is_log_of_product(e: sp.Basic) -> bool:
    if not (isinstance(e, sp.log) and isinstance(e.args[0], (sp.Mul, sp.Pow, sp.exp))):
        return False
    factors = sp.Mul.make_args(e.args[0])
    return all(_has_stable_log(f) for f in factors) and not all(f.is_number for f in factors)


def _logsumexp(e: sp.log) -> LogSumExp:
    exponents = _exponents(e.args[0])
    return LogSumExp(sp.Tuple(*exponents), len(exponents))


def _shifted(s: sp.Add) -> sp.Expr:
    # The shift invariance that the ``shift_invariance`` derivation proves, sigma(z + c 1) =
    # sigma(z), says the same of the sum: sum_k e^{a_k} = e^{M} sum_k e^{a_k - M} for every
    # M, since the factor e^{M} leaves numerator and denominator alike. With M = max_k a_k
    # every shifted exponent is <= 0 and one is 0: the shifted sum is in [1, n], so it
    # neither overflows nor underflows to 0.
    exponents = _exponents(s)
    M = sp.Max(*exponents)
    return sp.exp(M) * sp.Add(*(sp.exp(a - M) for a in exponents))


#: log(x y) = log x + log y for the positive factors of softmax expressions (``expand_log``
#: with ``force``: each factor is checked positive by :func:`_has_stable_log` first).
log_product_opt = ReplaceOptim(
    _is_log_of_product, lambda e: sp.expand_log(e, deep=False, force=True), priority=4
)

#: log f -> f.log_form(): log sigma(u)_i = u_i - LSE(u), log sigmoid(x) = -LSE(0, -x).
log_form_opt = ReplaceOptim(
    lambda e: isinstance(e, sp.log) and callable(getattr(e.args[0], "log_form", None)),
    lambda e: e.args[0].log_form(),
    priority=3,
)

#: log(sum_k c_k exp(a_k)) -> LSE(a + log c), printed as M + log sum_k exp(a_k + log c_k - M).
logsumexp_opt = ReplaceOptim(
    lambda e: isinstance(e, sp.log) and _exponents(e.args[0]) is not None,
    _logsumexp,
    priority=2,
)

#: sum_k exp(a_k) -> exp(M) sum_k exp(a_k - M), M = max_k a_k (shift invariance).
max_shift_opt = ReplaceOptim(lambda e: _exponents(e) is not None, _shifted, priority=1)


def _merged(product: sp.Mul) -> sp.Expr:
    exps, rest = _exp_factors(product)
    return sp.Mul(*rest) * sp.exp(sp.Add(*(f.exp for f in exps)))


def _exp_factors(product: sp.Mul) -> tuple[list[sp.exp], list[sp.Expr]]:
    """(the exponential factors of ``product``, the others)."""
    return sift(sp.Mul.make_args(product), lambda f: isinstance(f, sp.exp), binary=True)


#: exp(a) exp(b) -> exp(a + b): what max_shift_opt takes out of a sum meets the other
#: exponentials of its product, e^{2 z_1} e^{-2 M} = e^{2 z_1 - 2 M} (no inf * 0).
merge_exp_opt = ReplaceOptim(
    lambda e: isinstance(e, sp.Mul) and len(_exp_factors(e)[0]) > 1, _merged, priority=0
)

#: The rewrites, in the order ``optimize`` applies them (by priority).
REWRITES = (log_product_opt, log_form_opt, logsumexp_opt, max_shift_opt, merge_exp_opt)


def stabilized(expr: Any) -> Any:
    """``expr`` (or each entry of a matrix, list or tuple) with :data:`REWRITES` applied.

    Raises:
        TypeError: ``expr`` is not a SymPy expression or a number (a string is not parsed).

    Example:
        >>> import sympy as sp
        >>> x = sp.Symbol("x", real=True)
        >>> stabilized(sp.log(1 + sp.exp(x)))
        LSE((0, x))
        >>> stabilized(sp.exp(x) / (1 + sp.exp(x)))
        exp(x - Max(0, x))/(exp(x - Max(0, x)) + exp(-Max(0, x)))
    """
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(stabilized)
    if isinstance(expr, (list, tuple)):
        return type(expr)(stabilized(e) for e in expr)
    try:
        expr = sp.sympify(expr, strict=True)
    except sp.SympifyError:
        raise TypeError(
            "expr must be a SymPy expression, a number, or a matrix, list or tuple of them, "
            f"got {expr!r} (a {type(expr).__name__}); a string is not parsed"
        ) from None
    return optimize(expr, REWRITES)


def lambdify(args: Iterable[sp.Basic] | sp.Basic, expr: Any, modules: Any = "numpy", **kwargs: Any):
    """Like :func:`sympy.lambdify`, with softmax and log-sum-exp patterns made stable.

    The code computes the same function; only sums of exponentials are shifted by their
    maximum and logs of them become log-sum-exp (see :data:`REWRITES`): softmax ratios and
    their powers and products, the Jacobian and Hessian SymPy differentiates from them,
    log sigma, and such ratios with constant terms (1/(1 + exp(-x))) neither overflow nor
    underflow where the value itself is a finite float.

    Args:
        args: the arguments, as for ``sympy.lambdify`` (a Matrix of logits is flattened).
        expr: an expression, matrix or list of them (a string is not parsed).
        modules: as for ``sympy.lambdify``.
        **kwargs: passed to ``sympy.lambdify`` (e.g. ``cse=True``).

    Returns:
        The numeric function.

    Raises:
        TypeError: ``expr`` is not a SymPy expression, a number or a container of them.

    Example:
        >>> import sympy as sp
        >>> import symsoftmax as ss
        >>> z = ss.logits(3)
        >>> f = lambdify(z, ss.softmax(z))
        >>> f(1000.0, 0.0, 0.0).ravel()          # sympy.lambdify gives nan here
        array([1., 0., 0.])
        >>> g = lambdify(z, sp.log(ss.softmax(z)[0]), modules="math")
        >>> round(g(-1000.0, 0.0, 0.0), 6)       # sympy.lambdify: math domain error
        -1000.693147
    """
    if isinstance(args, sp.MatrixBase):
        args = list(args)
    return sp.lambdify(args, stabilized(expr), modules=modules, **kwargs)
