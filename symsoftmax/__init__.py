"""symsoftmax: derive, verify, print and compile the mathematics of the softmax function.

Example:
    >>> import symsoftmax as ss
    >>> d = ss.derive("jacobian")
    >>> d.result
    Eq(Derivative(σ(z)[i], z[j]), (KroneckerDelta(i, j) - σ(z)[j])*σ(z)[i])
    >>> d.verify()
    True
"""

from __future__ import annotations

from .core import jacobian, logits, softmax
from .derivation import Derivation, Step
from .derivations import derivations, derive
from .errors import SymsoftmaxError, VerificationError
from .functions import LogSumExp, Sigmoid, Softmax, sift_deltas
from .stable import lambdify

__all__ = [
    "Derivation",
    "LogSumExp",
    "Sigmoid",
    "Softmax",
    "Step",
    "SymsoftmaxError",
    "VerificationError",
    "derivations",
    "derive",
    "jacobian",
    "lambdify",
    "logits",
    "sift_deltas",
    "softmax",
]

__version__ = "0.1.0"
