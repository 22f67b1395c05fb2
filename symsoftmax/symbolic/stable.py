"""``lambdify`` for user expressions, with softmax patterns rewritten to be stable first.

SymPy's own stabilizing rewrites (``sympy.codegen.rewriting``) handle the two-term
log(exp(a) + exp(b)) only. Here the rewrites, data in the same manner, cover any number of
terms, each justified by the shift invariance that the ``shift_invariance`` derivation
proves (multiply numerator and denominator by e^{-M}, M the largest exponent):

* ``log(sum_k exp(a_k))``                      -> LogSumExp(a), printed as
  ``M + log(sum_k exp(a_k - M))``;
* ``log(prod_j exp(b_j) / (sum_k exp(a_k))^n)`` -> ``sum_j b_j - n LogSumExp(a)``;
* ``prod_j exp(b_j) / (sum_k exp(a_k))^n``      -> ``prod_j exp(b_j - M) / (sum_k exp(a_k - M))^n``,
  which covers the ratio exp(z_i) / sum_j exp(z_j) that :func:`symsoftmax.softmax` returns and
  the entries of :func:`symsoftmax.jacobian`;
* the Softmax and LogSumExp function objects print their stable forms themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sympy as sp
from sympy.codegen.rewriting import ReplaceOptim, optimize

from .functions import LogSumExp

__all__ = ["REWRITES", "lambdify"]


def _exponents(s: sp.Basic) -> list[sp.Expr] | None:
    """[a_1, ..., a_K] when ``s`` is exp(a_1) + ... + exp(a_K) with K >= 2, else None."""
    if not isinstance(s, sp.Add):
        return None
    found = []
    for term in s.args:
        coeff, rest = term.as_coeff_Mul()
        if not isinstance(rest, sp.exp) or not (coeff.is_positive and coeff.is_number):
            return None
        found.append(rest.args[0] + (sp.log(coeff) if coeff != 1 else 0))
    return found


def _parts(product: sp.Mul) -> tuple[list[sp.Expr], list[sp.Expr], int, list[sp.Expr]] | None:
    """(numerator exponents b_j, denominator exponents a_k, power n, other factors)."""
    numerators, others, denominator, power = [], [], None, 0
    for factor in sp.Mul.make_args(product):
        base, exponent = factor.as_base_exp()
        if isinstance(factor, sp.exp):
            numerators.append(factor.args[0])
        elif denominator is None and exponent.is_Integer and exponent < 0 and _exponents(base):
            denominator, power = _exponents(base), int(-exponent)
        else:
            others.append(factor)
    return None if denominator is None else (numerators, denominator, power, others)


def _shifted_ratio(product: sp.Mul) -> sp.Expr:
    numerators, exponents, power, others = _parts(product)
    M = sp.Max(*exponents)
    shifted = sp.Add(*(sp.exp(a - M) for a in exponents))
    moved = [sp.exp(b - M) for b in numerators[:power]] + [sp.exp(b) for b in numerators[power:]]
    leftover = max(power - len(numerators), 0)  # e^{-M} factors with no numerator to absorb them
    return sp.Mul(*others, *moved, sp.exp(-leftover * M), shifted ** (-power))


def _log_ratio(log: sp.log) -> sp.Expr:
    numerators, exponents, power, _ = _parts(log.args[0])
    return sp.Add(*numerators) - power * LogSumExp(sp.Tuple(*exponents), len(exponents))


def _is_log_ratio(e: sp.Basic) -> bool:
    if not (isinstance(e, sp.log) and isinstance(e.args[0], sp.Mul)):
        return False
    parts = _parts(e.args[0])
    return parts is not None and not parts[3]


#: The rewrites, applied in this order.
REWRITES = (
    ReplaceOptim(
        lambda e: isinstance(e, sp.log) and _exponents(e.args[0]) is not None,
        lambda e: LogSumExp(sp.Tuple(*_exponents(e.args[0])), len(e.args[0].args)),
    ),
    ReplaceOptim(_is_log_ratio, _log_ratio),
    ReplaceOptim(
        lambda e: isinstance(e, sp.Mul) and _parts(e) is not None,
        _shifted_ratio,
    ),
    ReplaceOptim(  # a bare 1 / (sum exp)^n
        lambda e: isinstance(e, sp.Pow) and _parts(sp.Mul(e, evaluate=False)) is not None,
        lambda e: _shifted_ratio(sp.Mul(e, evaluate=False)),
    ),
)


def stabilized(expr: Any) -> Any:
    """``expr`` (or each entry of a matrix) with :data:`REWRITES` applied."""
    if isinstance(expr, sp.MatrixBase):
        return expr.applyfunc(stabilized)
    if isinstance(expr, (list, tuple)):
        return type(expr)(stabilized(e) for e in expr)
    return optimize(sp.sympify(expr), REWRITES)


def lambdify(args: Iterable[sp.Basic] | sp.Basic, expr: Any, modules: Any = "numpy", **kwargs: Any):
    """Like :func:`sympy.lambdify`, with softmax and log-sum-exp patterns made stable.

    Args:
        args: the arguments, as for ``sympy.lambdify`` (a Matrix of logits is flattened).
        expr: an expression, matrix or list of them.
        modules: as for ``sympy.lambdify``.
        **kwargs: passed to ``sympy.lambdify`` (e.g. ``cse=True``).

    Returns:
        The numeric function.

    Example:
        >>> import symsoftmax as ss
        >>> z = ss.logits(3)
        >>> f = lambdify(z, ss.softmax(z))
        >>> f(1000.0, 0.0, 0.0).ravel()          # sympy.lambdify gives nan here
        array([1., 0., 0.])
    """
    if isinstance(args, sp.MatrixBase):
        args = list(args)
    return sp.lambdify(args, stabilized(expr), modules=modules, **kwargs)
