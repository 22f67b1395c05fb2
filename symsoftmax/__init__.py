"""symsoftmax: derive, verify, print and compile the mathematics of the softmax function.

The package is layered, each folder one layer importing only the layers below it:
:mod:`~symsoftmax.symbolic` (SymPy objects), :mod:`~symsoftmax.engine` (derivations, the
prover, the numeric check), :mod:`~symsoftmax.derivations` (the library),
:mod:`~symsoftmax.numeric` (generated numeric code), :mod:`~symsoftmax.output` (printers,
typesetting, docs, figures); the regression demo and the command line sit on top.

Example:
    >>> import symsoftmax as ss
    >>> d = ss.derive("jacobian")
    >>> d.result
    Eq(Derivative(σ(z)[i], z[j]), (KroneckerDelta(i, j) - σ(z)[j])*σ(z)[i])
    >>> d.verify()
    True
    >>> float(ss.numeric.softmax([0.0, 0.0])[0])   # generated on first use
    0.5
"""

from __future__ import annotations

import importlib
from types import ModuleType

from . import derivations as _library  # noqa: F401  (registers the built-in derivations)
from .derivations.results import jacobian
from .engine import Derivation, Line, Step, Text, derivations, derive, register, unregister
from .engine.registry import derivation
from .errors import SymsoftmaxError, VerificationError
from .symbolic import (
    ClassSpace,
    LogSumExp,
    Sigmoid,
    Softmax,
    lambdify,
    logits,
    sift_deltas,
    softmax,
)

__all__ = [
    "ClassSpace",
    "Derivation",
    "Line",
    "LogSumExp",
    "Sigmoid",
    "Softmax",
    "Step",
    "SymsoftmaxError",
    "Text",
    "VerificationError",
    "derivation",
    "derivations",
    "derive",
    "jacobian",
    "lambdify",
    "logits",
    "numeric",
    "register",
    "sift_deltas",
    "softmax",
    "unregister",
]

__version__ = "0.2.0"

#: Subpackages loaded on first use: ``ss.numeric`` generates nothing until it is called.
_LAZY = ("numeric", "output")


def __getattr__(name: str) -> ModuleType:
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
