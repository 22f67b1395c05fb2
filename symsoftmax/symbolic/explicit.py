"""Softmax of a concrete vector of SymPy expressions: the logits and the map itself.

.. math::

    \\sigma(\\mathbf{z})_i = \\frac{e^{z_i}}{\\sum_{j=1}^{K} e^{z_j}}

The Jacobian in closed form is a result of the ``jacobian`` derivation
(:func:`symsoftmax.derivations.results.jacobian`).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import sympy as sp

__all__ = ["check_K", "logits", "softmax"]


def check_K(K: object) -> int:
    """``K`` as an int if it is an integer >= 2 (the number of classes), else raise.

    Any integral type counts (``operator.index``): int, a numpy integer, a sympy Integer.

    Raises:
        TypeError: K is not integral (bool and floats are refused, even 3.0).
        ValueError: K < 2.

    Example:
        >>> import sympy as sp
        >>> check_K(sp.Integer(3))
        3
        >>> check_K(3.0)
        Traceback (most recent call last):
        ...
        TypeError: K must be an int >= 2 (the number of classes; any integer type: int, numpy integer, sympy Integer), got 3.0 (a float)
    """
    try:
        value = None if isinstance(K, bool) else operator.index(K)  # numpy.bool_ has no index
    except TypeError:
        value = None
    if value is None:
        raise TypeError(
            "K must be an int >= 2 (the number of classes; any integer type: int, numpy "
            f"integer, sympy Integer), got {K!r} (a {type(K).__name__})"
        )
    if value < 2:
        raise ValueError(f"K must be an int >= 2 (softmax needs at least two classes), got {value}")
    return value


def logits(K: int, name: str = "z") -> sp.Matrix:
    """The column of K real logit symbols ``z_1, ..., z_K``.

    Args:
        K: number of classes, an int >= 2.
        name: stem of the symbol names.

    Returns:
        A K x 1 ``sympy.Matrix`` of real symbols.

    Raises:
        TypeError: K is not an int, or name is not a str.
        ValueError: K < 2, or name is empty.

    Example:
        >>> logits(3).T
        Matrix([[z_1, z_2, z_3]])
        >>> logits(3)[0].is_real
        True
    """
    K = check_K(K)
    if not isinstance(name, str) or not name.isidentifier():
        raise (TypeError if not isinstance(name, str) else ValueError)(
            f"name must be a str usable as a symbol name such as 'z', got {name!r}"
        )
    return sp.Matrix(sp.symbols(f"{name}_1:{K + 1}", real=True))


def _components(z: object) -> list[sp.Expr]:
    """The entries of a vector given as a Matrix (a row or a column) or a sequence."""
    if isinstance(z, sp.MatrixBase):
        if 1 not in z.shape:
            raise ValueError(
                f"z must be a vector (K x 1 or 1 x K), got a {z.rows} x {z.cols} matrix"
            )
        entries = list(z)
    elif isinstance(z, Sequence) and not isinstance(z, str):
        entries = list(z)
    else:
        raise TypeError(
            f"z must be a sympy Matrix or a sequence of sympy expressions, got {type(z).__name__}"
        )
    try:
        entries = [sp.sympify(e, strict=True) for e in entries]
    except sp.SympifyError as err:
        raise TypeError(f"every entry of z must be a sympy expression or a number: {err}") from None
    if len(entries) < 2:
        raise ValueError(
            f"z must have K >= 2 entries (softmax needs two classes), got {len(entries)}"
        )
    return entries


def _shaped(z: object, entries: list[sp.Expr]) -> sp.Matrix:
    if isinstance(z, sp.MatrixBase):
        return sp.Matrix(z.rows, z.cols, entries)
    return sp.Matrix(entries)


def softmax(z: sp.MatrixBase | Sequence[sp.Expr]) -> sp.Matrix:
    """The softmax of ``z`` in explicit form, entry i equal to exp(z_i) / sum_j exp(z_j).

    .. math:: \\sigma(\\mathbf{z})_i = \\frac{e^{z_i}}{\\sum_{j=1}^{K} e^{z_j}}

    Args:
        z: a sympy Matrix (K x 1 or 1 x K) or a sequence of K >= 2 sympy expressions.

    Returns:
        A ``sympy.Matrix`` of z's shape (K x 1 for a sequence).

    Raises:
        TypeError: z is not a vector of sympy expressions.
        ValueError: z is not a vector, or has fewer than two entries.

    Example:
        >>> s = softmax(logits(2))
        >>> s[0]
        exp(z_1)/(exp(z_1) + exp(z_2))
        >>> sum(softmax([0, 0, 0]))
        1
    """
    entries = _components(z)
    total = sp.Add(*[sp.exp(e) for e in entries])
    return _shaped(z, [sp.exp(e) / total for e in entries])
