"""The odds of two classes, a derivation of your own: sigma_i / sigma_j = e^{z_i - z_j}.

Register it and use it like a built-in derivation:

    symsoftmax --load docs/examples/odds.py list
    symsoftmax --load docs/examples/odds.py show example_odds --format markdown
    symsoftmax --load docs/examples/odds.py verify example_odds
    symsoftmax --load docs/examples/odds.py show example_odds --lang zh   # no Chinese here

or, in Python, ``import`` this file (or ``runpy.run_path`` it) and ``ss.derive("example_odds")``.
"""

from __future__ import annotations

import sympy as sp

import symsoftmax as ss


@ss.derivation(
    "example_odds",
    title={"en": "The odds of two classes", "zh": "两个类别的几率"},
    result="odds",
)
def odds(S: ss.ClassSpace) -> list[ss.Line]:
    """sigma_i / sigma_j = e^{z_i - z_j}, for any two classes i and j."""
    i, j, z = S.i, S.j, S.z
    total = S.sum(sp.exp(z[S.k]))  # Sigma_K = sum_k e^{z_k}
    odds_ = S.sigma(i) / S.sigma(j)
    with sp.evaluate(False):  # keep each step as written, not as SymPy would tidy it
        quotient = (sp.exp(z[i]) / total) / (sp.exp(z[j]) / total)
        cancelled = sp.exp(z[i]) / sp.exp(z[j])
    return [
        ss.Line(
            sp.Eq(odds_, quotient, evaluate=False),
            {"en": "the definition of softmax, twice", "zh": "两次应用 Softmax 的定义"},
            label="definition",
        ),
        ss.Line(
            sp.Eq(odds_, cancelled, evaluate=False),
            # English only: printed in Chinese, this reason shows as "[zh missing] ..."
            "the common denominator $\\Sigma_K$ cancels",
            label="cancel",
        ),
        ss.Line(
            sp.Eq(odds_, sp.exp(z[i] - z[j]), evaluate=False),
            {"en": "$e^a / e^b = e^{a - b}$", "zh": "指数运算法则 $e^a / e^b = e^{a - b}$"},
            label="odds",
        ),
    ]
