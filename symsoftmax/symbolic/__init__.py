"""The symbolic layer: softmax, log-sum-exp and the sigmoid as SymPy objects.

It holds the function objects (:mod:`.functions`), the explicit forms of a concrete vector
(:mod:`.explicit`), the space of classes and indices a derivation speaks of (:mod:`.space`)
and the stable rewrites for numeric code (:mod:`.stable`). It imports nothing else of
symsoftmax but its errors.
"""

from __future__ import annotations

from .explicit import check_K, logits, softmax
from .functions import LogSumExp, Sigmoid, Softmax, expand_definitions
from .space import ClassSpace
from .stable import lambdify
from .sums import sift_deltas

__all__ = [
    "ClassSpace",
    "LogSumExp",
    "Sigmoid",
    "Softmax",
    "check_K",
    "expand_definitions",
    "lambdify",
    "logits",
    "sift_deltas",
    "softmax",
]
