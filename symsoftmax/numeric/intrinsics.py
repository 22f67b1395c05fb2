"""The scalar helpers of the numba row kernels: a few LLVM instructions that numba does not
spell, and the exponential as arithmetic that LLVM vectorizes.

Numba compiles ``math.exp`` to a call of the scalar libm function, one entry at a time (its
llvmlite is built without SVML), and keeps every floating-point operation in program
order, so a loop that sums or takes a maximum is not vectorized. Here:

- :func:`_fmax` is ``a if a > b else b`` with the fast-math flags ``nnan nsz`` on that one
  comparison, so that LLVM may vectorize a row maximum (a row with a NaN is sent to the
  numpy reference by the kernel's own test, so what it returns there is never used);
- :func:`_radd` is an addition that LLVM may reassociate (the flag ``reassoc`` on that one
  instruction): a sum over a row becomes partial sums in vector lanes (8 lanes with
  AVX-512, and LLVM may unroll them), added at the end. Its error grows with the longest
  chain of additions, a fraction of K: at K = 1000 the softmax stays within 8 ulp of mpmath
  (docs/performance.md), with little margin. Sums in blocks with TwoSum between the
  blocks were measured at 2x the time and are not used;
- :func:`_exp` is e^d for d <= 0 (every exponent in the kernels, after the shift by the
  row maximum) by range reduction, d = n ln 2 + r with |r| <= ln(2)/2, the Taylor
  polynomial of e^r (:func:`_exp_polynomial`, printed by
  :func:`symsoftmax.numeric.loops.exp_polynomial_source` from SymPy's series, of the
  degree that :func:`symsoftmax.numeric.loops.exp_degree` derives from its error bound),
  and the power 2^n put into the exponent bits (:func:`_bits`, :func:`_float`).

This module is never imported by the package (it imports numba): its definitions are
copied as source into the generated numba module (:mod:`symsoftmax.numeric.loops`).
"""

from __future__ import annotations

import numba
import numba.extending

__all__ = ["_exp"]


@numba.extending.intrinsic
def _bits(typingctx, a):
    """The 64 bits of the float64 ``a`` as an int64 (LLVM ``bitcast``)."""
    signature = numba.types.int64(numba.types.float64)

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], context.get_value_type(numba.types.int64))

    return signature, codegen


@numba.extending.intrinsic
def _float(typingctx, a):
    """The int64 ``a`` read as the 64 bits of a float64 (LLVM ``bitcast``)."""
    signature = numba.types.float64(numba.types.int64)

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], context.get_value_type(numba.types.float64))

    return signature, codegen


@numba.extending.intrinsic
def _fmax(typingctx, a, b):
    """max(a, b) for numbers that are not NaN, as a reduction LLVM may vectorize."""
    kind = typingctx.unify_types(a, b)
    signature = kind(kind, kind)

    def codegen(context, builder, sig, args):
        larger = builder.fcmp_ordered(">", args[0], args[1], flags=("nnan", "nsz"))
        return builder.select(larger, args[0], args[1], flags=("nnan", "nsz"))

    return signature, codegen


@numba.extending.intrinsic
def _radd(typingctx, a, b):
    """a + b, an addition that LLVM may reassociate (a sum split into vector lanes)."""
    kind = typingctx.unify_types(a, b)
    signature = kind(kind, kind)

    def codegen(context, builder, sig, args):
        return builder.fadd(args[0], args[1], flags=("reassoc", "nsz"))

    return signature, codegen


#: The constants of the range reduction (:func:`symsoftmax.numeric.loops.exp_constants`
#: derives them and the tests check them against mpmath): 1/ln 2 rounded; ln 2 in two
#: parts, the first with its last 21 bits 0 (so n ln2_hi is exact for |n| < 2^21); the
#: number 1.5 * 2^52 whose addition rounds a float to an integer (and its bits); below
#: _EXP_LOW, e^d is below half the smallest subnormal, 0.
_LOG2E = 1.4426950408889634
_LN2_HI = 0.6931471803691238
_LN2_LO = 1.9082149292705877e-10
_ROUND = 6755399441055744.0
_ROUND_BITS = 4843621399236968448
_EXP_LOW = -746.0


@numba.njit(fastmath={"contract"}, cache=True)
def _exp_polynomial(r: float) -> float:
    """e^r for |r| <= ln(2)/2: the Taylor polynomial, printed from SymPy's series."""
    raise NotImplementedError("printed by symsoftmax.numeric.loops: use backend='numba'")


@numba.njit(fastmath={"contract"}, cache=True)
def _exp(d: float) -> float:
    """e^d for d <= 0, within 1 ulp (tests/test_backends.py checks it against mpmath).

    d = n ln 2 + r, n = round(d / ln 2) (by adding _ROUND, whose last bits then hold n),
    r = (d - n ln2_hi) - n ln2_lo; e^d = e^r 2^n, with 2^n as 2^{n//2} 2^{n - n//2} so that
    each factor is a normal float down to the subnormal results (n >= -1076).
    """
    d = d if d > _EXP_LOW else _EXP_LOW
    t = d * _LOG2E + _ROUND
    n = t - _ROUND
    r = (d - n * _LN2_HI) - n * _LN2_LO
    k = _bits(t) - _ROUND_BITS
    half = k >> 1
    return _exp_polynomial(r) * _float((half + 1023) << 52) * _float((k - half + 1023) << 52)
