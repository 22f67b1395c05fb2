"""The library of derivations: the source note's results, each a verified step chain.

Every derivation here is written with the public authoring API alone
(:class:`~symsoftmax.Line`, :class:`~symsoftmax.Text`, :func:`~symsoftmax.register`),
exactly as a user's own would be, and registered from the table below, in the order of
the source note. Each must be written in English and Chinese.
"""

from __future__ import annotations

from ..engine import register
from . import (
    attention,
    backprop,
    basic,
    hessian,
    inverse,
    jacobian,
    logsoftmax,
    losses,
    odds,
    products,
    regression,
    saturation,
    sigmoid,
    smoothmax,
    temperature,
    variational,
)

__all__: list[str] = []

#: (name, title, builder, label of the result; None: the last line, which differs with K)
LIBRARY = (
    ("definition", basic.DEFINITION, basic.definition, "definition"),
    ("normalization", basic.NORMALIZATION, basic.normalization, None),
    ("range", basic.RANGE, basic.range_, "in_unit_interval"),
    ("shift_invariance", basic.SHIFT, basic.shift_invariance, "invariant"),
    ("temperature", temperature.TITLE, temperature.temperature, "log_ratio"),
    ("sigmoid", sigmoid.TITLE, sigmoid.sigmoid, "sigmoid_form"),
    ("jacobian", jacobian.TITLE, jacobian.jacobian, "entry"),
    ("jacobian_properties", products.PROPERTIES, products.jacobian_properties, "trace"),
    ("log_softmax", logsoftmax.LOG_SOFTMAX, logsoftmax.log_softmax, "gradient"),
    ("cross_entropy", logsoftmax.CROSS_ENTROPY, logsoftmax.cross_entropy, "gradient"),
    ("jvp", products.JVP, products.jvp, "jvp"),
    ("lse_hessian", hessian.LSE_HESSIAN, hessian.lse_hessian, "hessian"),
    ("second_derivative", hessian.SECOND, hessian.second_derivative, "second"),
    ("overparameterization", regression.TITLE, regression.overparameterization, "shifted"),
    ("regression_hessian", regression.HESSIAN, regression.regression_hessian, "variance"),
    # beyond the source note
    ("odds", odds.TITLE, odds.odds, "odds"),
    ("smooth_max", smoothmax.TITLE, smoothmax.smooth_max, "scaled_upper"),
    ("inverse", inverse.TITLE, inverse.inverse, "recovered"),
    ("variational", variational.TITLE, variational.variational, "gibbs"),
    ("saturation", saturation.TITLE, saturation.saturation, "bound"),
    ("backprop", backprop.TITLE, backprop.backprop, "gradient"),
    ("distillation", losses.DISTILLATION, losses.distillation, "gradient"),
    ("label_smoothing", losses.LABEL_SMOOTHING, losses.label_smoothing, "gradient"),
    ("attention", attention.TITLE, attention.attention, "by_query"),
)

#: What a derivation declares of its space: further index families and the arrays that
#: are distributions over the classes (the facts its steps may use).
SPACES = {
    "cross_entropy": {"distributions": ("y",)},
    "overparameterization": {"indices": regression.INDICES, "distributions": ("Y",)},
    "regression_hessian": {"indices": regression.INDICES, "distributions": ("y", "Y")},
    "inverse": {"distributions": ("y",)},
    "backprop": {"distributions": ("y",)},
    "label_smoothing": {"distributions": ("y",)},
    "attention": {"indices": attention.INDICES},
}

for _name, _title, _build, _result in LIBRARY:
    register(
        _name, _build, title=_title, result=_result, languages=("en", "zh"), **SPACES.get(_name, {})
    )
