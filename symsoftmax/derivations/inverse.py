r"""Softmax maps the logits onto the open simplex, and the logits come back up to a shift.

.. math::

    \sigma(\log \mathbf{y}) = \mathbf{y} \quad (y_k > 0,\ \textstyle\sum_k y_k = 1), \qquad
    \mathbf{z} = \log \sigma(\mathbf{z}) + \operatorname{LSE}(\mathbf{z}) \mathbf{1},

so every point of the open simplex is reached, and two logit vectors with the same image
differ by a multiple of :math:`\mathbf{1}`: fixing :math:`z_K = 0` leaves the
:math:`K - 1` log-odds :math:`z_i - z_K = \log(\sigma_i / \sigma_K)`, the logits.
"""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace

TITLE = Text(
    "Softmax maps onto the open simplex; the logits come back up to a shift",
    "Softmax 的像是整个开单纯形；由概率可以还原输入（相差一个平移）",
)


def inverse(S: ClassSpace) -> list[Line]:
    i, k, z, y, K = S.i, S.k, S.z, S.y, S.K
    si = S.sigma(i)
    w = sp.IndexedBase("w", real=True)  # another logit vector
    w_vector = sp.Lambda(k, w[k])
    log_y = sp.Lambda(k, sp.log(y[k]))
    with sp.evaluate(False):
        ratio = y[i] / S.sum(y[k])
        recovered = sp.log(si) + S.lse()
        apart = (z[i] - w[i]) - (sp.log(si) - sp.log(S.sigma(i, w_vector)))
        lse_gap = S.lse() - S.lse(w_vector)
        log_odds = sp.log(si) - sp.log(S.sigma(K))
    return [
        Line(
            sp.Contains(si, sp.Interval.open(0, 1), evaluate=False),
            Text(
                r"every output lies in $(0, 1)$ (see “Every output of softmax lies in (0, 1)”)",
                r"每个输出都属于 $(0, 1)$（见“Softmax 的每个输出都属于区间 $(0, 1)$”）",
            ),
            label="positive",
        ),
        Line(
            sp.Eq(S.sum(S.sigma(k)), 1),
            Text(
                r"and the outputs sum to 1: $\sigma(\mathbf{z})$ lies in the open simplex "
                r"$\{\mathbf{p} : p_k > 0, \sum_k p_k = 1\}$",
                r"且各输出之和为 1。因此 $\sigma(\mathbf{z})$ 属于开单纯形 "
                r"$\{\mathbf{p} : p_k > 0, \sum_k p_k = 1\}$",
            ),
            label="in_simplex",
        ),
        Line(
            sp.Eq(S.sigma(i, log_y), ratio, evaluate=False),
            Text(
                r"conversely, take a point $\mathbf{y}$ of the open simplex ($y_k > 0$) and the "
                r"logits $z_k = \log y_k$: $e^{\log y_k} = y_k$",
                r"反过来，任取开单纯形中的一点 $\mathbf{y}$（$y_k > 0$），令 $z_k = \log y_k$。"
                r"由 $e^{\log y_k} = y_k$ 得",
            ),
            label="log_of_point",
        ),
        Line(
            sp.Eq(S.sigma(i, log_y), y[i], evaluate=False),
            Text(
                r"$\sum_k y_k = 1$: every point of the open simplex is reached, so softmax maps "
                r"$\mathbb{R}^K$ onto the open simplex",
                r"由 $\sum_k y_k = 1$ 得。因此开单纯形中的每一点都能取到，"
                r"Softmax 把 $\mathbb{R}^K$ 映满整个开单纯形",
            ),
            label="onto",
        ),
        Line(
            sp.Eq(z[i], recovered, evaluate=False),
            Text(
                r"$\log \sigma_i = z_i - \operatorname{LSE}(\mathbf{z})$ (see “Log-softmax and its "
                r"derivative”): the logits come back from the probabilities, "
                r"$\mathbf{z} = \log \sigma(\mathbf{z}) + \operatorname{LSE}(\mathbf{z}) \mathbf{1}$",
                r"由 $\log \sigma_i = z_i - \operatorname{LSE}(\mathbf{z})$（见“Log-Softmax 及其导数”），"
                r"输入可由概率还原：$\mathbf{z} = \log \sigma(\mathbf{z}) + \operatorname{LSE}(\mathbf{z}) \mathbf{1}$",
            ),
            label="recovered",
        ),
        Line(
            sp.Eq(apart, lse_gap, evaluate=False),
            Text(
                r"for two logit vectors $\mathbf{z}$ and $\mathbf{w}$, subtract the previous line "
                r"for each. If $\sigma(\mathbf{z}) = \sigma(\mathbf{w})$ the logarithms cancel and "
                r"$z_i - w_i = \operatorname{LSE}(\mathbf{z}) - \operatorname{LSE}(\mathbf{w})$, "
                r"the same $c$ for every $i$: the logits are determined up to a shift $c \mathbf{1}$, "
                r"and every shift gives the same probabilities (see “Adding a constant to every "
                r"logit does not change softmax”)",
                r"对两个输入向量 $\mathbf{z}$ 与 $\mathbf{w}$ 分别写出上一行并相减。"
                r"若 $\sigma(\mathbf{z}) = \sigma(\mathbf{w})$，对数项相消，"
                r"$z_i - w_i = \operatorname{LSE}(\mathbf{z}) - \operatorname{LSE}(\mathbf{w})$，"
                r"对每个 $i$ 都是同一个常数 $c$。因此由概率确定的输入只相差一个平移 $c \mathbf{1}$；"
                r"而任何平移都给出相同的概率（见“所有输入同时加上同一个常数，Softmax 不变（平移不变性）”）",
            ),
            label="up_to_shift",
        ),
        Line(
            sp.Eq(z[i] - z[K], log_odds, evaluate=False),
            Text(
                r"fix the shift by $z_K = 0$: the other $K - 1$ logits are the log-odds "
                r"$\log(\sigma_i / \sigma_K)$ against class $K$, hence the name “logit”; "
                r"the probabilities have $K - 1$ degrees of freedom",
                r"取 $z_K = 0$ 来固定平移，其余 $K - 1$ 个输入就是相对类别 $K$ 的对数几率 "
                r"$\log(\sigma_i / \sigma_K)$，“logit”一词即由此而来；概率向量有 $K - 1$ 个自由度",
            ),
            label="log_odds",
        ),
    ]
