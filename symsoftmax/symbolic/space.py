"""The space a derivation lives in: K classes, the logits z_1..z_K and the class indices.

For a symbolic K the logits are an ``IndexedBase`` and sums run over a class index up to
the integer symbol K (K >= 2 is part of the space, not of SymPy's assumptions on K); for a
concrete K the same objects are used with K an Integer, so one derivation text serves both.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .explicit import check_K
from .functions import LogSumExp, Softmax, class_sum

__all__ = ["ClassSpace"]

#: The number of classes when it is left symbolic.
K_SYMBOL = sp.Symbol("K", integer=True, positive=True)

#: Values of K at which statements about a symbolic K are checked numerically.
SAMPLED_K = (2, 3, 5)


def index(name: str) -> sp.Symbol:
    """A class index: an integer symbol ranging over 1..K."""
    return sp.Symbol(name, integer=True, positive=True)


@dataclass(frozen=True)
class ClassSpace:
    """K classes with logits ``z`` and free class indices ``i, j`` (sums run over ``k``).

    Example:
        >>> sp_ = ClassSpace.of(None)
        >>> sp_.sum(sp.exp(sp_.z[sp_.k]))
        Sum(exp(z[k]), (k, 1, K))
        >>> ClassSpace.of(3).K
        3
    """

    K: sp.Expr
    z: sp.IndexedBase
    i: sp.Symbol
    j: sp.Symbol
    k: sp.Symbol
    l: sp.Symbol
    v: sp.IndexedBase
    y: sp.IndexedBase
    Y: sp.IndexedBase

    @classmethod
    def of(cls, K: int | None, *, name: str = "z") -> ClassSpace:
        """The space for K classes; ``K=None`` leaves K symbolic.

        Besides the logits it holds a tangent vector ``v`` (real), a target distribution
        ``y`` and a table of targets ``Y[s, k]`` (nonnegative, and summing to 1 over the
        classes k: a fact of the space that the prover and the numeric check both use).
        """
        K_expr = K_SYMBOL if K is None else sp.Integer(check_K(K))
        return cls(
            K_expr,
            sp.IndexedBase(name, real=True),
            *map(index, "ijkl"),
            sp.IndexedBase("v", real=True),
            sp.IndexedBase("y", nonnegative=True),
            sp.IndexedBase("Y", nonnegative=True),
        )

    @property
    def distributions(self) -> tuple[sp.IndexedBase, ...]:
        """Arrays whose entries sum to 1 over the K classes (their last index)."""
        return (self.y, self.Y)

    @property
    def symbolic(self) -> bool:
        """True when K is a symbol rather than a number."""
        return not self.K.is_Integer

    @property
    def indices(self) -> tuple[sp.Symbol, ...]:
        """Every class index of the space, free or bound."""
        return (self.i, self.j, self.k, self.l)

    @property
    def sampled_K(self) -> tuple[int, ...]:
        """The values of K at which numeric checks are made."""
        return SAMPLED_K if self.symbolic else (int(self.K),)

    def sum(self, summand: sp.Expr, over: sp.Symbol | None = None) -> sp.Expr:
        """``sum_{over=1}^{K} summand`` (``over`` defaults to ``k``)."""
        return class_sum(summand, over or self.k, self.K)

    def vector(self, scale: sp.Expr = sp.S.One, shift: sp.Expr = sp.S.Zero) -> sp.Lambda:
        """The vector ``k -> scale * z_k + shift`` as a Lambda."""
        return sp.Lambda(self.k, scale * self.z[self.k] + shift)

    def sigma(self, i: sp.Expr, vector: sp.Lambda | None = None) -> Softmax:
        """``sigma(vector)_i``; the vector defaults to the logits z."""
        return Softmax(vector or self.vector(), self.K, i)

    def lse(self, vector: sp.Lambda | None = None) -> LogSumExp:
        """``LSE(vector)``; the vector defaults to the logits z."""
        return LogSumExp(vector or self.vector(), self.K)
