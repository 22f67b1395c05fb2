"""The former home of the softmax-regression model; import from :mod:`symsoftmax.regression`.

Kept only because ``tests/test_regression.py`` still imports ``demo.hessian``; delete this
module once that test imports :mod:`symsoftmax.regression.model` instead.
"""

from __future__ import annotations

from .model import hessian

__all__ = ["hessian"]
