"""symsoftmax: derive, verify, print and compile the mathematics of the softmax function."""

from __future__ import annotations

from .core import jacobian, logits, softmax
from .errors import SymsoftmaxError, VerificationError
from .functions import LogSumExp, Softmax

__all__ = [
    "LogSumExp",
    "Softmax",
    "SymsoftmaxError",
    "VerificationError",
    "jacobian",
    "logits",
    "softmax",
]
