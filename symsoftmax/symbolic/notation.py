"""How a vector over the classes prints: the argument of sigma(.) and LSE(.).

``k -> z_k`` prints as :math:`\\mathbf{z}`, ``k -> beta z_k + c`` as
:math:`\\beta \\mathbf{z} + c \\mathbf{1}`, ``k -> sum_a Theta_{k,a} x_a`` as
:math:`\\Theta \\mathbf{x}` (with row shifts such as :math:`(\\Theta - \\mathbf{1}
\\psi^{T}) \\mathbf{x}`), anything else as :math:`(u_k)_k`. The function objects'
``_latex`` and ``_sympystr`` methods call these, as SymPy's own functions print
themselves.
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.printer import Printer

from .sums import fresh_index

__all__ = ["powered", "vector_latex", "vector_str"]

Vector = sp.Lambda | sp.Tuple


def _vector_parts(u: sp.Lambda, *avoid: sp.Basic) -> tuple[sp.Symbol, sp.Expr, sp.Expr, sp.Expr]:
    """(k, coeff, rest, shift) with u_k = coeff * rest + shift, coeff and shift free of k.

    The index k is named so that it clashes with nothing in ``u`` or ``avoid``.
    """
    (slot,) = u.variables
    k = fresh_index(u.expr, *avoid)
    body = sp.expand(u.expr.xreplace({slot: k}))
    shift, scaled = body.as_independent(k, as_Add=True)
    coeff, rest = scaled.as_independent(k, as_Add=False)
    return k, coeff, rest, shift


def _stem(u: sp.Tuple) -> str | None:
    """``z`` when the entries are the symbols z_1, ..., z_K (as ``logits(K)`` makes them)."""
    names = [x.name if isinstance(x, sp.Symbol) else "" for x in u]
    stem = names[0].rpartition("_")[0]
    ok = stem and all(name == f"{stem}_{n}" for n, name in enumerate(names, start=1))
    return stem if ok else None


def _matrix_vector_latex(printer: LatexPrinter, body: sp.Expr, k: sp.Symbol) -> str | None:
    """``\\Theta \\mathbf{x}`` for k -> sum_a Theta_{k,a} x_a, with row shifts such as
    ``(\\Theta - \\mathbf{1} \\psi^{T}) \\mathbf{x}``; None for any other body."""
    if not (isinstance(body, sp.Sum) and len(body.limits) == 1):
        return None
    a = body.limits[0][0]
    factors = sp.Mul.make_args(body.function)
    vectors = [
        f for f in factors if isinstance(f, sp.Indexed) and f.indices[-1] == a and not f.has(k)
    ]
    if len(vectors) != 1:
        return None
    x = vectors[0]
    weight = sp.Mul(*(f for f in factors if f is not x))
    rows = []
    for term in sp.Add.make_args(sp.expand(weight)):
        sign = "-" if term.could_extract_minus_sign() else "+"
        t = -term if sign == "-" else term
        if isinstance(t, sp.Indexed) and t.indices == (k, a):
            rows.append(f"{sign} {printer._print(t.base)}")
        elif isinstance(t, sp.Indexed) and t.indices == (a,):
            rows.append(rf"{sign} \mathbf{{1}} {printer._print(t.base)}^{{T}}")
        elif isinstance(t, sp.Indexed) and len(t.indices) == 2 and t.indices[1] == a:
            rows.append(
                rf"{sign} \mathbf{{1}} {printer._print(t.base)}_{{{printer._print(t.indices[0])}}}^{{T}}"
            )
        else:
            return None
    rows.sort(key=lambda row: row.startswith("-"))  # positive terms first
    matrix = " ".join(rows).lstrip("+ ").strip()
    if len(rows) > 1:
        matrix = rf"\left({matrix}\right)"
    vector = rf"\mathbf{{{printer._print(x.base)}}}"
    if len(x.indices) > 1:
        vector += "_{" + ",".join(printer._print(i) for i in x.indices[:-1]) + "}"
    return f"{matrix} {vector}"


def powered(tex: str, exp: str | None) -> str:
    """``tex`` raised to ``exp``: SymPy's printer passes the exponent of a power of a function."""
    return tex if exp is None else f"{tex}^{{{exp}}}"


def vector_latex(printer: LatexPrinter, u: Vector, *avoid: sp.Basic) -> str:
    """``\\mathbf{z}`` for k -> z_k, ``\\beta \\mathbf{z} + c \\mathbf{1}`` for k -> beta z_k + c."""
    if isinstance(u, sp.Tuple):
        stem = _stem(u)
        if stem:
            return rf"\mathbf{{{stem}}}"
        return r"\left(" + ", ".join(printer._print(x) for x in u) + r"\right)"
    k, coeff, rest, shift = _vector_parts(u, *avoid)
    product = _matrix_vector_latex(printer, u.expr.xreplace({u.variables[0]: k}), k)
    if product is not None:
        return product
    if not (isinstance(rest, sp.Indexed) and rest.indices == (k,)):
        return rf"\left({printer._print(u.expr.xreplace({u.variables[0]: k}))}\right)_{{{k}}}"
    text = rf"\mathbf{{{printer._print(rest.base)}}}"
    if coeff.could_extract_minus_sign():
        coeff, text = -coeff, "-" + text if coeff == -1 else text
        if coeff != 1:
            text = f"-{printer.parenthesize(coeff, 40)} {text}"
    elif coeff != 1:
        text = f"{printer.parenthesize(coeff, 40)} {text}"
    if shift != 0:
        sign, size = ("-", -shift) if shift.could_extract_minus_sign() else ("+", shift)
        text += rf" {sign} {printer.parenthesize(size, 40)} \mathbf{{1}}"
    return text


def vector_str(printer: Printer, u: Vector, *avoid: sp.Basic) -> str:
    """``z`` for k -> z_k, ``beta*z + c`` for k -> beta z_k + c, else ``(u_k)_k``."""
    if isinstance(u, sp.Tuple):
        return _stem(u) or "(" + ", ".join(printer._print(x) for x in u) + ")"
    k, coeff, rest, shift = _vector_parts(u, *avoid)
    if not (isinstance(rest, sp.Indexed) and rest.indices == (k,)):
        return f"({printer._print(u.expr.xreplace({u.variables[0]: k}))})_{k}"
    text = printer._print(coeff * rest.base.label)
    return text if shift == 0 else f"{text} + {printer._print(shift)}"
