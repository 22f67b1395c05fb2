"""Scaling the logits by beta (the inverse temperature) sharpens or flattens softmax.

The note says that a factor above 1 "increases the differences inside the output". What is
exactly true is about ratios: log(sigma_i / sigma_j) = beta (z_i - z_j), for every real beta
(beta < 0 reverses the order). Absolute gaps can shrink: at z = (2, 1, 0.1), sigma_2 -
sigma_3 is 0.144, 0.0976 and 0.0175 at beta = 1, 2, 4. "Sharper" is then made precise for
beta > 0: the largest probability never decreases; the entropy H(beta) never increases
(dH/dbeta = -beta Var <= 0); the limits are the uniform distribution (beta -> 0) and, as
beta -> oo, the one-hot vector of a unique arg max, or 1/2 on each of two tied maxima.
"""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace

TITLE = Text(
    "Temperature: scaling the logits sharpens or flattens softmax",
    "温度：所有输入乘以同一个系数，改变输出的“突起程度”（更尖锐或更平缓）",
)


def temperature(S: ClassSpace) -> list[Line]:
    i, j, k, l, z, K = S.i, S.j, S.k, S.l, S.z, S.K
    b = sp.Symbol("beta", real=True)  # any real factor, for the ratios
    beta = sp.Symbol("beta", positive=True)  # an inverse temperature, from step 4 on
    mean = sp.Sum(S.sigma(l, S.vector(scale=beta)) * z[l], (l, 1, K))

    def s(n: sp.Expr, factor: sp.Expr = beta) -> sp.Expr:
        return S.sigma(n, S.vector(scale=factor))

    entropy = -sp.Sum(s(k) * sp.log(s(k)), (k, 1, K))
    variance = sp.Sum(s(k) * (z[k] - mean) ** 2, (k, 1, K))
    # i an arg max: the logits z_i - (1 - delta_ik) d_k with gaps d_k >= 0.
    d = sp.IndexedBase("d", nonnegative=True)
    with sp.evaluate(False):
        below = sp.Lambda(k, beta * (z[i] - (1 - sp.KroneckerDelta(i, k)) * d[k]))
    top = S.sigma(i, below)
    gaps = sp.Sum(S.sigma(k, below) * (1 - sp.KroneckerDelta(i, k)) * d[k], (k, 1, K))
    # A unique arg max i: z_k = z_i - g_k with g_k > 0 for k != i.
    g = sp.IndexedBase("g", positive=True)
    others = sp.Sum((1 - sp.KroneckerDelta(i, k)) * sp.exp(-beta * g[k]), (k, 1, K))
    # Two tied maxima z_1 = z_2: the others z_k = z_1 - g_k, k >= 3.
    tied = sp.Sum(sp.exp(-beta * g[k]), (k, 3, K))
    with sp.evaluate(False):
        term = (1 - sp.KroneckerDelta(i, k)) * sp.exp(-beta * (z[i] - z[k]))
        divided = 1 / (1 + sp.Sum(term, (k, 1, K)))
        two = 1 / (2 + tied)
    return [
        Line(
            sp.Eq(s(i, b), sp.exp(b * z[i]) / sp.Sum(sp.exp(b * z[k]), (k, 1, K)), evaluate=False),
            Text(
                r"definition at $\beta \mathbf{z}$, for a real factor $\beta$ "
                r"($\beta = 1/T$ for a temperature $T > 0$)",
                r"在 $\beta \mathbf{z}$ 处由定义得，$\beta$ 为任一实数（温度为 $T > 0$ 时 $\beta = 1/T$）",
            ),
            label="definition",
        ),
        Line(
            sp.Eq(s(i, b) / s(j, b), sp.exp(b * (z[i] - z[j])), evaluate=False),
            Text(
                r"in the ratio of two probabilities the sum $\sum_k e^{\beta z_k}$ cancels",
                r"两个概率相除，分母 $\sum_k e^{\beta z_k}$ 约去",
            ),
            label="ratio",
        ),
        Line(
            sp.Eq(sp.log(s(i, b) / s(j, b)), b * (z[i] - z[j]), evaluate=False),
            Text(
                r"the note's differences, made exact: $\beta$ multiplies every log-ratio. "
                r"For $\beta > 0$ the probabilities are in the order of the logits, and "
                r"$\beta < 0$ reverses it; $\beta > 1$ stretches the log-ratios and "
                r"$0 < \beta < 1$ shrinks them. Absolute gaps need not grow: at "
                r"$\mathbf{z} = (2, 1, 0.1)$, $\sigma_2 - \sigma_3$ is 0.144, 0.0976 and 0.0175 "
                r"at $\beta = 1, 2, 4$",
                r"这正是原文所说的“差距”的精确形式：每个对数比值都乘以 $\beta$。"
                r"$\beta > 0$ 时概率的大小顺序与输入相同，$\beta < 0$ 时顺序颠倒；"
                r"$\beta > 1$ 拉大对数比值，$0 < \beta < 1$ 则缩小它们。"
                r"但概率之差未必变大：取 $\mathbf{z} = (2, 1, 0.1)$，"
                r"在 $\beta = 1, 2, 4$ 时 $\sigma_2 - \sigma_3$ 依次为 0.144、0.0976、0.0175",
            ),
            label="log_ratio",
        ),
        Line(
            sp.Eq(sp.Derivative(s(i), beta), s(i) * (z[i] - mean), evaluate=False),
            Text(
                r"from here on $\beta > 0$; quotient rule, with $\sum_l \sigma_l z_l$ the "
                r"mean of the logits under $\sigma(\beta \mathbf{z})$",
                r"以下设 $\beta > 0$。由商的求导法则得下式，其中 $\sum_l \sigma_l z_l$ 为输入在分布 "
                r"$\sigma(\beta \mathbf{z})$ 下的均值",
            ),
            label="derivative",
        ),
        Line(
            sp.Eq(sp.Derivative(top, beta), top * gaps, evaluate=False),
            Text(
                r"at an arg max $i$, write the logits as $z_i - d_k$ with gaps $d_k \geq 0$ "
                r"($d_i = 0$), and $p = \sigma(\beta (z_i - \mathbf{d}))$: $z_i$ minus the mean "
                r"is the mean gap",
                r"设 $i$ 为最大值下标，把输入写成 $z_i - d_k$，其中差距 $d_k \geq 0$"
                r"（$d_i = 0$），并记 $p = \sigma(\beta (z_i - \mathbf{d}))$：$z_i$ 减去均值即为差距的均值",
            ),
            label="top_derivative",
            names={top: "p_i", S.sigma(k, below): "p_k"},
        ),
        Line(
            sp.Ge(top * gaps, 0, evaluate=False),
            Text(
                r"a probability times a mean of gaps $\geq 0$: the largest probability never "
                r"decreases as $\beta$ grows",
                r"概率与差距的均值（$\geq 0$）之积非负：最大的概率随 $\beta$ 增大而不减",
            ),
            label="max_grows",
        ),
        Line(
            sp.Eq(
                sp.Derivative(entropy, beta),
                -beta * (sp.Sum(s(k) * z[k] ** 2, (k, 1, K)) - mean**2),
                evaluate=False,
            ),
            Text(
                r"the entropy $H(\beta) = -\sum_k \sigma_k \log \sigma_k$, with "
                r"$\log \sigma_k = \beta z_k - \log \sum_l e^{\beta z_l}$ and $\sum_k \sigma_k = 1$",
                r"对熵 $H(\beta) = -\sum_k \sigma_k \log \sigma_k$ 求导，由 "
                r"$\log \sigma_k = \beta z_k - \log \sum_l e^{\beta z_l}$ 及 $\sum_k \sigma_k = 1$ 得",
            ),
            label="entropy_derivative",
        ),
        Line(
            sp.Eq(sp.Derivative(entropy, beta), -beta * variance, evaluate=False),
            Text(
                r"$E[z^2] - E[z]^2$ is the variance of the logits under $\sigma(\beta \mathbf{z})$",
                r"$E[z^2] - E[z]^2$ 即输入在分布 $\sigma(\beta \mathbf{z})$ 下的方差",
            ),
            label="entropy",
        ),
        Line(
            sp.Le(-beta * variance, 0, evaluate=False),
            Text(
                r"$\beta > 0$ and a variance is $\geq 0$: the entropy never increases as "
                r"$\beta$ grows",
                r"由 $\beta > 0$ 且方差 $\geq 0$，熵随 $\beta$ 增大而不增",
            ),
            label="entropy_falls",
        ),
        Line(
            sp.Eq(sp.Limit(s(i), beta, 0, "+"), 1 / K, evaluate=False),
            Text(
                r"as $\beta \to 0$, every $e^{\beta z_k} \to 1$: the uniform distribution, "
                r"the flattest of all",
                r"当 $\beta \to 0$ 时每个 $e^{\beta z_k} \to 1$，极限为均匀分布，最为平缓",
            ),
            label="limit_zero",
        ),
        Line(
            sp.Eq(s(i), divided, evaluate=False),
            Text(
                r"divide numerator and denominator by $e^{\beta z_i}$; the term $k = i$ is 1",
                r"分子分母同除以 $e^{\beta z_i}$，其中 $k = i$ 的一项为 1",
            ),
            label="divided",
        ),
        Line(
            sp.Eq(sp.Limit(1 / (1 + others), beta, sp.oo), 1, evaluate=False),
            Text(
                r"if $i$ is the unique arg max, $g_k = z_i - z_k > 0$ for $k \neq i$, and "
                r"$e^{-\beta g_k} \to 0$ as $\beta \to \infty$",
                r"若 $i$ 是唯一的最大值下标，则对 $k \neq i$ 有 $g_k = z_i - z_k > 0$，"
                r"当 $\beta \to \infty$ 时 $e^{-\beta g_k} \to 0$",
            ),
            label="limit_infinity",
        ),
        Line(
            sp.Eq(sp.Limit(sp.exp(-beta * g[j]) / (1 + others), beta, sp.oo), 0, evaluate=False),
            Text(
                r"and $\sigma(\beta \mathbf{z})_j \to 0$ for $j \neq i$: softmax tends to "
                r"the one-hot vector of the arg max",
                r"而对 $j \neq i$ 有 $\sigma(\beta \mathbf{z})_j \to 0$，即 Softmax 趋于"
                r"在最大值下标处为 1、其余为 0 的独热向量",
            ),
            sp.Ne(i, j),
            label="others_vanish",
        ),
        Line(
            sp.Eq(sp.Limit(two, beta, sp.oo), sp.Rational(1, 2), evaluate=False),
            Text(
                r"a tie: if $z_1 = z_2$ is the maximum and $z_k = z_1 - g_k$, $g_k > 0$ for "
                r"$k \geq 3$, then $\sigma(\beta \mathbf{z})_1 = \sigma(\beta \mathbf{z})_2$ "
                r"tends to $1/2$: the limit is uniform on the arg-max set (with $m$ tied "
                r"maxima, the same computation gives $1/m$)",
                r"并列的情形：若最大值 $z_1 = z_2$，其余 $z_k = z_1 - g_k$，$g_k > 0$"
                r"（$k \geq 3$），则 $\sigma(\beta \mathbf{z})_1 = \sigma(\beta \mathbf{z})_2$ "
                r"趋于 $1/2$：极限在最大值下标集上均匀分布（$m$ 个并列最大值时，同样的计算给出 $1/m$）",
            ),
            label="tie",
        ),
    ]
