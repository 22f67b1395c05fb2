"""Softmax regression, an application of the toolkit: the model, the over-parameterization
demonstration and its figure. It uses the generated numeric code and adds no math.

The modules, each one idea: :mod:`~symsoftmax.regression.model` (cost, gradient, Hessian,
gradient descent), :mod:`~symsoftmax.regression.data` (the data set),
:mod:`~symsoftmax.regression.experiment` (the demonstration and its result types),
:mod:`~symsoftmax.regression.report` (its text table) and
:mod:`~symsoftmax.regression.figure` (its figure, needs matplotlib; its drawing function is
``figure.overparameterization``, not re-exported here, where that name is the experiment).

Example:
    >>> import numpy as np
    >>> from symsoftmax import regression
    >>> X, y = regression.blobs(K=3, m=6)
    >>> round(regression.cost(np.zeros((3, 3)), X, y), 6)  # log 3: uniform probabilities
    1.098612
"""

from __future__ import annotations

from .data import blobs
from .experiment import (
    Comparison,
    HessianSpectrum,
    OverparameterizationResult,
    overparameterization,
)
from .figure import plot
from .model import Fit, cost, fit, gradient, hessian, lipschitz
from .report import format_table

__all__ = [
    "Comparison",
    "Fit",
    "HessianSpectrum",
    "OverparameterizationResult",
    "blobs",
    "cost",
    "fit",
    "format_table",
    "gradient",
    "hessian",
    "lipschitz",
    "overparameterization",
    "plot",
]
