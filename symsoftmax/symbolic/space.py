"""The space a derivation lives in: K classes, the logits z_1..z_K and the class indices.

For a symbolic K the logits are an ``IndexedBase`` and sums run over a class index up to
the integer symbol K (K >= 2 is part of the space, not of SymPy's assumptions on K); for a
concrete K the same objects are used with K an Integer, so one derivation text serves both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from .explicit import check_K
from .functions import LogSumExp, Softmax
from .sums import class_sum

__all__ = ["K_MAX", "ClassSpace"]

#: The number of classes when it is left symbolic.
K_SYMBOL = sp.Symbol("K", integer=True, positive=True)

#: Values of K at which statements about a symbolic K are checked numerically.
SAMPLED_K = (2, 3, 4, 5, 7, 10)

#: The largest concrete K a derivation is written out for: its K x K matrices of SymPy
#: expressions are printed and proved entry by entry. Measured here (2 cores, shared) for
#: ``jacobian``: K = 16 derives in 0.1 s, prints in 0.7 s, verifies in 4 s; K = 64 in
#: 1.7 s, 10 s and 53 s. Beyond, the time grows as K^2 and more; K = None covers any K.
K_MAX = 64


def index(name: str) -> sp.Symbol:
    """A class index: an integer symbol ranging over 1..K."""
    return sp.Symbol(name, integer=True, positive=True)


@dataclass(frozen=True)
class ClassSpace:
    """K classes with logits ``z`` and free class indices ``i, j`` (sums run over ``k``).

    Besides the class indices (each in 1..K) a space may declare further families of
    indices, each ranging over 1..size for a positive integer size (features ``a`` in
    1..n, samples ``s`` in 1..m, sequence positions ``t`` in 1..T), and arrays that are
    probability distributions over the classes (nonnegative, summing to 1 over their last
    index). Both are facts the prover and the numeric check use; nothing else is assumed
    of a symbol than what it says itself.

    Example:
        >>> S = ClassSpace.of(None)
        >>> S.sum(sp.exp(S.z[S.k]))
        Sum(exp(z[k]), (k, 1, K))
        >>> ClassSpace.of(3).K
        3
        >>> T = ClassSpace.of(None, indices={"t": "T"})
        >>> T.range_of(T.index("t"))
        (1, T)
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
    families: tuple[tuple[sp.Symbol, sp.Symbol], ...] = ()
    distributions: tuple[sp.IndexedBase, ...] = ()

    @classmethod
    def of(
        cls,
        K: int | None,
        *,
        name: str = "z",
        indices: Mapping[str, str] | None = None,
        distributions: Sequence[str] = (),
    ) -> ClassSpace:
        """The space for K classes; ``K=None`` leaves K symbolic.

        Args:
            K: None, or the number of classes, an int from 2 to :data:`K_MAX`.
            name: the name of the logits.
            indices: further index families, name -> size: ``{"a": "n"}`` declares the
                index ``a`` in 1..n for a positive integer symbol ``n``.
            distributions: names among ``"y"`` (a target distribution ``y_k``) and ``"Y"``
                (a table of them, ``Y[s, k]``) whose entries are nonnegative and sum to 1
                over the classes k.

        Besides the logits the space holds a tangent vector ``v`` (real) and the arrays
        ``y`` and ``Y`` (nonnegative); only those named in ``distributions`` sum to 1.
        """
        if K is not None and check_K(K) > K_MAX:
            raise ValueError(
                f"K must be at most {K_MAX} for a derivation written out for a concrete K "
                f"(K x K matrices of expressions), got {K}; use K=None for any K"
            )
        K_expr = K_SYMBOL if K is None else sp.Integer(K)
        families = []
        for index_name, size_name in (indices or {}).items():
            if not (isinstance(index_name, str) and index_name.isidentifier()):
                raise ValueError(f"an index name must be an identifier, got {index_name!r}")
            if not (isinstance(size_name, str) and size_name.isidentifier()):
                raise ValueError(
                    f"the size of index {index_name!r} must be a name, got {size_name!r}"
                )
            if index_name in "ijkl" or size_name == "K":
                raise ValueError(
                    f"{index_name!r} in 1..{size_name}: i, j, k, l are the class indices and K "
                    "their number; declare another name"
                )
            families.append((index(index_name), sp.Symbol(size_name, integer=True, positive=True)))
        y = sp.IndexedBase("y", nonnegative=True)
        Y = sp.IndexedBase("Y", nonnegative=True)
        known = {"y": y, "Y": Y}
        unknown = [d for d in distributions if d not in known]
        if unknown:
            raise ValueError(f"distributions can be 'y' and 'Y', got {unknown}")
        return cls(
            K_expr,
            sp.IndexedBase(name, real=True),
            *map(index, "ijkl"),
            sp.IndexedBase("v", real=True),
            y,
            Y,
            tuple(families),
            tuple(known[d] for d in dict.fromkeys(distributions)),
        )

    def index(self, name: str) -> sp.Symbol:
        """The index symbol ``name`` of the space (a class index or a declared one).

        Raises:
            ValueError: no index of that name is declared.
        """
        for symbol in (*self.indices, *(s for s, _ in self.families)):
            if symbol.name == name:
                return symbol
        declared = [s.name for s in (*self.indices, *(s for s, _ in self.families))]
        raise ValueError(f"no index named {name!r} in this space; declared: {declared}")

    def range_of(self, symbol: sp.Basic) -> tuple[sp.Expr, sp.Expr] | None:
        """(1, size) for an index of the space, None for any other symbol."""
        if symbol in self.indices:
            return sp.S.One, self.K
        for s, size in self.families:
            if symbol == s:
                return sp.S.One, size
        return None

    @property
    def sizes(self) -> dict[sp.Symbol, int]:
        """The symbolic sizes with their least values: K >= 2 (when symbolic), others >= 1."""
        out = {size: 1 for _, size in self.families}
        if self.symbolic:
            out[self.K] = 2
        return out

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
