r"""The odds of two classes: softmax keeps the order of the logits.

.. math::

    \frac{\sigma_i}{\sigma_j} = e^{z_i - z_j}, \qquad
    \sigma_i - \sigma_j = \sigma_j \left(e^{z_i - z_j} - 1\right),

so :math:`\sigma_i > \sigma_j` exactly when :math:`z_i > z_j`, and the arg max of
:math:`\sigma(\mathbf{z})` is the arg max of :math:`\mathbf{z}`. The odds depend on
differences of logits only: the identity behind shift invariance, temperature
(:math:`e^{\beta (z_i - z_j)}`) and the sigmoid form :math:`\sigma_i = 1 / \sum_k e^{z_k - z_i}`.
"""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace

TITLE = Text(
    "The odds of two classes: softmax keeps the order of the logits",
    "两个类别的几率：Softmax 保持输入的大小顺序",
)


def odds(S: ClassSpace) -> list[Line]:
    i, j, k, z = S.i, S.j, S.k, S.z
    si, sj = S.sigma(i), S.sigma(j)
    total = S.sum(sp.exp(z[k]))
    a = sp.Symbol("a", positive=True)  # a gap between two logits
    M = sp.Symbol("M", real=True)  # the largest logit
    d = sp.IndexedBase("d", nonnegative=True)  # z_k = M - d_k
    below = sp.Lambda(k, M - d[k])
    below_total = S.sum(sp.exp(M - d[k]))
    with sp.evaluate(False):
        quotient = (sp.exp(z[i]) / total) / (sp.exp(z[j]) / total)
        cancelled = sp.exp(z[i]) / sp.exp(z[j])
        gap = sp.exp(z[i] - z[j])
        difference = si - sj
        factored = sj * (gap - 1)
        log_odds = sp.log(si) - sp.log(sj)
        up = sj * (sp.exp(a) - 1)
        down = sj * (sp.exp(-a) - 1)
        inverse_odds = 1 / S.sum(sp.exp(z[k] - z[i]))
        top = sp.exp(M) / below_total
    return [
        Line(
            sp.Eq(si / sj, quotient, evaluate=False),
            Text(
                r"the definition of softmax, twice, with $\Sigma_K = \sum_k e^{z_k}$",
                r"由 Softmax 的定义（两次），其中 $\Sigma_K = \sum_k e^{z_k}$",
            ),
            label="definition",
            names={total: "Sigma_K"},
        ),
        Line(
            sp.Eq(si / sj, cancelled, evaluate=False),
            Text(
                r"the common denominator $\Sigma_K$ cancels",
                r"分子分母中的 $\Sigma_K$ 约去",
            ),
            label="cancel",
        ),
        Line(
            sp.Eq(si / sj, gap, evaluate=False),
            Text(
                "$e^a / e^b = e^{a - b}$: the odds depend on the difference of the two logits only",
                "由 $e^a / e^b = e^{a - b}$，几率只依赖于两个输入之差",
            ),
            label="odds",
        ),
        Line(
            sp.Eq(log_odds, z[i] - z[j], evaluate=False),
            Text(
                r"take logarithms: the log-odds of class $i$ against class $j$ are $z_i - z_j$; "
                r"adding one constant to every logit leaves them unchanged, and scaling the "
                r"logits by $\beta$ scales them by $\beta$",
                r"两边取对数，类别 $i$ 相对类别 $j$ 的对数几率为 $z_i - z_j$。"
                r"因此所有输入加上同一个常数时对数几率不变，所有输入乘以 $\beta$ 时对数几率也乘以 $\beta$",
            ),
            label="log_odds",
        ),
        Line(
            sp.Eq(si, inverse_odds, evaluate=False),
            Text(
                r"$\sigma_i = 1 / \sum_k (\sigma_k / \sigma_i)$, each ratio by the odds: "
                r"the form behind the sigmoid (see “One logit alone moves its probability along a sigmoid”)",
                r"由 $\sigma_i = 1 / \sum_k (\sigma_k / \sigma_i)$，再对每个比值用几率公式；"
                r"Sigmoid 形式即由此而来（见“单独改变某一个输入，其对应概率的变化符合 Sigmoid 函数曲线”）",
            ),
            label="inverse_odds",
        ),
        Line(
            sp.Eq(difference, factored, evaluate=False),
            Text(
                r"$\sigma_i = \sigma_j e^{z_i - z_j}$ by the odds; $\sigma_j > 0$, so "
                r"$\sigma_i - \sigma_j$ has the sign of $e^{z_i - z_j} - 1$",
                r"由几率公式，$\sigma_i = \sigma_j e^{z_i - z_j}$。又 $\sigma_j > 0$，"
                r"故 $\sigma_i - \sigma_j$ 与 $e^{z_i - z_j} - 1$ 同号",
            ),
            label="difference",
        ),
        Line(
            sp.Gt(up, 0, evaluate=False),
            Text(
                r"if $z_i > z_j$, put $a = z_i - z_j > 0$ in the previous line: $e^a > 1$, so "
                r"$\sigma_i > \sigma_j$",
                r"若 $z_i > z_j$，在上一行中令 $a = z_i - z_j > 0$。由 $e^a > 1$ 得 $\sigma_i > \sigma_j$",
            ),
            label="larger",
        ),
        Line(
            sp.Lt(down, 0, evaluate=False),
            Text(
                r"if $z_i < z_j$, put $z_i - z_j = -a$ with $a > 0$: $e^{-a} < 1$, so "
                r"$\sigma_i < \sigma_j$; and $z_i = z_j$ gives $e^0 - 1 = 0$, $\sigma_i = \sigma_j$. "
                r"Hence $\sigma_i > \sigma_j$ exactly when $z_i > z_j$: softmax keeps the order of the logits",
                r"若 $z_i < z_j$，令 $z_i - z_j = -a$，$a > 0$。由 $e^{-a} < 1$ 得 $\sigma_i < \sigma_j$；"
                r"而 $z_i = z_j$ 时 $e^0 - 1 = 0$，$\sigma_i = \sigma_j$。"
                r"因此 $\sigma_i > \sigma_j$ 当且仅当 $z_i > z_j$：Softmax 保持输入的大小顺序",
            ),
            label="order",
        ),
        Line(
            sp.Le(S.sigma(i, below), top, evaluate=False),
            Text(
                r"with $M = \max_k z_k$, write $z_k = M - d_k$, $d_k \geq 0$: no probability exceeds "
                r"$e^M / \sum_k e^{z_k}$, the probability of a class whose logit is $M$. "
                r"So the largest logit has the largest probability: arg max $\sigma$ = arg max $\mathbf{z}$",
                r"记 $M = \max_k z_k$，并写 $z_k = M - d_k$，$d_k \geq 0$。"
                r"任何概率都不超过 $e^M / \sum_k e^{z_k}$，即输入等于 $M$ 的类别的概率。"
                r"因此最大的输入对应最大的概率：$\sigma$ 的 arg max 就是 $\mathbf{z}$ 的 arg max",
            ),
            label="arg_max",
        ),
    ]
