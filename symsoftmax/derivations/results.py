"""Results of the library as functions of a concrete vector: the Jacobian in closed form.

.. math:: J_{ij} = \\frac{\\partial \\sigma_i}{\\partial z_j} = \\sigma_i (\\delta_{ij} - \\sigma_j),
    \\qquad J = \\operatorname{diag}(\\sigma) - \\sigma \\sigma^{T}
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import sympy as sp

from ..engine import derive
from ..symbolic import softmax

__all__ = ["jacobian"]


def jacobian(z: sp.MatrixBase | Sequence[sp.Expr]) -> sp.Matrix:
    """The Jacobian of softmax at ``z`` in closed form.

    Entry (i, j) is the right side of the ``jacobian`` derivation's result, read from the
    derivation itself, with ``s = softmax(z)`` in place of sigma: K^2 small products, with
    nothing differentiated or simplified. It equals ``softmax(z).jacobian(z)`` for a vector
    of symbols.

    Args:
        z: a sympy Matrix or a sequence of K >= 2 sympy expressions.

    Returns:
        The K x K ``sympy.Matrix`` J.

    Example:
        >>> from symsoftmax import logits
        >>> z = logits(3)
        >>> J = jacobian(z)
        >>> (J - softmax(z).jacobian(z)).applyfunc(sp.simplify) == sp.zeros(3, 3)
        True
    """
    s = list(softmax(z))
    K = len(s)
    entry = _derived_entry()
    return sp.Matrix(K, K, lambda i, j: entry(s[i], s[j], sp.KroneckerDelta(i, j)))


@functools.cache
def _derived_entry() -> sp.Lambda:
    """(sigma_i, sigma_j, delta_ij) -> J_ij, as the ``jacobian`` derivation concludes."""
    derivation = derive("jacobian")
    S = derivation.space
    si, sj, delta = sp.symbols("sigma_i sigma_j delta_ij")
    rule = derivation.result.rhs.xreplace(
        {S.sigma(S.i): si, S.sigma(S.j): sj, sp.KroneckerDelta(S.i, S.j): delta}
    )
    if rule.free_symbols - {si, sj, delta}:
        raise RuntimeError(f"the derived Jacobian entry is not in sigma and delta alone: {rule}")
    return sp.Lambda((si, sj, delta), rule)
