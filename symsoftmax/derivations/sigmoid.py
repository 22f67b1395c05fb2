"""One logit alone moves its output along a sigmoid."""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace, Sigmoid

TITLE = Text(
    "One logit alone moves its probability along a sigmoid",
    "单独改变某一个输入，其对应概率的变化符合 Sigmoid 函数曲线",
)


def sigmoid(S: ClassSpace) -> list[Line]:
    i, k, z, K = S.i, S.k, S.z, S.K
    si = S.sigma(i)
    rest = sp.Sum((1 - sp.KroneckerDelta(i, k)) * sp.exp(z[k]), (k, 1, K))
    shift = sp.log(rest)
    x = sp.Symbol("x", real=True)  # the sigmoid's argument z_i - shift
    with sp.evaluate(False):
        split = sp.exp(z[i]) / (sp.exp(z[i]) + rest)
        divided = 1 / (1 + sp.exp(-z[i]) * rest)
        logistic = 1 / (1 + sp.exp(-(z[i] - shift)))
    lines = [
        Line(
            sp.Eq(si, split, evaluate=False),
            Text(
                "split the denominator into the term $k = i$ and the rest, which does not involve $z_i$",
                "把分母拆成 $k = i$ 这一项与其余各项之和，后者与 $z_i$ 无关",
            ),
            label="split",
        ),
        Line(
            sp.Eq(si, divided, evaluate=False),
            Text("divide numerator and denominator by $e^{z_i}$", "分子分母同除以 $e^{z_i}$"),
            label="divided",
        ),
        Line(
            sp.Eq(si, logistic, evaluate=False),
            Text(
                r"write the rest as $e^{\log \sum_{k \neq i} e^{z_k}}$ (it is positive since $K \geq 2$)",
                r"把其余各项之和写成 $e^{\log \sum_{k \neq i} e^{z_k}}$（因为 $K \geq 2$，它为正）",
            ),
            label="exp_log",
        ),
        Line(
            sp.Eq(si, Sigmoid(z[i] - shift), evaluate=False),
            Text(
                r"the logistic sigmoid $\operatorname{sigmoid}(x) = 1 / (1 + e^{-x})$, shifted by $\log \sum_{k \neq i} e^{z_k}$",
                r"这正是 Sigmoid 函数 $\operatorname{sigmoid}(x) = 1 / (1 + e^{-x})$，只是自变量平移了 $\log \sum_{k \neq i} e^{z_k}$",
            ),
            label="sigmoid_form",
        ),
        Line(
            sp.Eq(sp.Derivative(si, z[i]), si * (1 - si), evaluate=False),
            Text(
                "its slope is $s (1 - s) > 0$ with $s = \\sigma_i$: $\\sigma_i$ increases with $z_i$",
                "其斜率为 $s (1 - s) > 0$，其中 $s = \\sigma_i$：$\\sigma_i$ 随 $z_i$ 单调递增",
            ),
            label="slope",
        ),
        Line(
            sp.Eq(sp.Limit(Sigmoid(x), x, -sp.oo), 0, evaluate=False),
            Text(
                r"as $z_i \to -\infty$ with the other logits fixed, "
                r"$x = z_i - \log \sum_{k \neq i} e^{z_k}$ tends to $-\infty$ as well, and "
                r"$e^{-x} \to \infty$",
                r"当 $z_i \to -\infty$（其余输入不变）时，"
                r"$x = z_i - \log \sum_{k \neq i} e^{z_k}$ 也趋于 $-\infty$，$e^{-x} \to \infty$",
            ),
            label="limit_low",
        ),
        Line(
            sp.Eq(sp.Limit(Sigmoid(x), x, sp.oo), 1, evaluate=False),
            Text(
                r"as $z_i \to \infty$, $e^{-x} \to 0$: $\sigma_i$ rises from 0 to 1 along the "
                "S-shaped curve",
                r"当 $z_i \to \infty$ 时 $e^{-x} \to 0$：$\sigma_i$ 沿 S 形曲线从 0 上升到 1",
            ),
            label="limit_high",
        ),
    ]
    two = S if not S.symbolic and int(K) == 2 else ClassSpace.of(2)
    lines.append(
        Line(
            sp.Eq(two.sigma(1), Sigmoid(two.z[1] - two.z[2]), evaluate=False),
            Text(
                r"for $K = 2$ classes: $\sigma(\mathbf{z})_1 = \operatorname{sigmoid}(z_1 - z_2)$, logistic regression",
                r"$K = 2$ 个类别时：$\sigma(\mathbf{z})_1 = \operatorname{sigmoid}(z_1 - z_2)$，即逻辑回归",
            ),
            space=None if two is S else two,
            label="two_classes",
        )
    )
    return lines
