"""Scaling the logits by beta > 0 (inverse temperature) sharpens or flattens softmax.

"Sharper" is made precise three ways: the entropy H(beta) of sigma(beta z) never increases
(dH/dbeta = -beta Var <= 0); the largest probability never decreases; and the limits are the
uniform distribution (beta -> 0) and the one-hot vector of a unique arg max (beta -> oo).
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
    beta = sp.Symbol("beta", positive=True)
    scaled = S.vector(scale=beta)

    def s(n: sp.Expr) -> sp.Expr:
        return S.sigma(n, scaled)

    mean = sp.Sum(s(l) * z[l], (l, 1, K))
    entropy = -sp.Sum(s(k) * sp.log(s(k)), (k, 1, K))
    variance = sp.Sum(s(k) * (z[k] - mean) ** 2, (k, 1, K))
    # An upper bound M of the logits: z_k = M - d_k with d_k >= 0.
    M = sp.Symbol("M", real=True)
    d = sp.IndexedBase("d", nonnegative=True)
    bounded = sp.Lambda(k, beta * (M - d[k]))
    bounded_mean = sp.Sum(S.sigma(k, bounded) * (M - d[k]), (k, 1, K))
    # A unique arg max i: z_k = z_i - a_k with a_k > 0 for k != i.
    a = sp.IndexedBase("a", positive=True)
    others = sp.Sum((1 - sp.KroneckerDelta(i, k)) * sp.exp(-beta * a[k]), (k, 1, K))
    flat_sum = sp.Sum(sp.exp(beta * z[k]), (k, 1, K))
    with sp.evaluate(False):
        term = (1 - sp.KroneckerDelta(i, k)) * sp.exp(-beta * (z[i] - z[k]))
    rest = sp.Sum(term, (k, 1, K))
    with sp.evaluate(False):
        divided = 1 / (1 + rest)
    return [
        Line(
            sp.Eq(s(i), sp.exp(beta * z[i]) / flat_sum, evaluate=False),
            Text(
                r"definition, applied to $\beta \mathbf{z}$ with $\beta > 0$ ($\beta = 1/T$, $T$ the temperature)",
                r"对 $\beta \mathbf{z}$ 应用定义，其中 $\beta > 0$（$\beta = 1/T$ 为逆温度，$T$ 为温度）",
            ),
            label="definition",
        ),
        Line(
            sp.Eq(sp.Derivative(s(i), beta), s(i) * (z[i] - mean), evaluate=False),
            Text(
                r"quotient rule; $\sum_l \sigma_l z_l$ is the mean of $z$ under $\sigma(\beta \mathbf{z})$",
                r"商的求导法则；$\sum_l \sigma_l z_l$ 是 $z$ 关于分布 $\sigma(\beta \mathbf{z})$ 的均值",
            ),
            label="derivative",
        ),
        Line(
            sp.Eq(
                sp.Derivative(entropy, beta),
                -beta * (sp.Sum(s(k) * z[k] ** 2, (k, 1, K)) - mean**2),
                evaluate=False,
            ),
            Text(
                r"the entropy $H(\beta) = -\sum_k \sigma_k \log \sigma_k$, with $\log \sigma_k = \beta z_k - \log \sum_l e^{\beta z_l}$ and $\sum_k \sigma_k = 1$",
                r"熵 $H(\beta) = -\sum_k \sigma_k \log \sigma_k$，利用 $\log \sigma_k = \beta z_k - \log \sum_l e^{\beta z_l}$ 及 $\sum_k \sigma_k = 1$",
            ),
            label="entropy_derivative",
        ),
        Line(
            sp.Eq(sp.Derivative(entropy, beta), -beta * variance, evaluate=False),
            Text(
                r"$E[z^2] - E[z]^2$ is the variance of $z$ under $\sigma(\beta \mathbf{z})$",
                r"$E[z^2] - E[z]^2$ 是 $z$ 关于分布 $\sigma(\beta \mathbf{z})$ 的方差",
            ),
            label="entropy",
        ),
        Line(
            sp.Le(-beta * variance, 0, evaluate=False),
            Text(
                r"$\beta > 0$ and a variance is $\geq 0$: the entropy never increases as $\beta$ grows; "
                r"$\beta > 1$ sharpens, $\beta < 1$ flattens",
                r"$\beta > 0$ 且方差 $\geq 0$：熵随 $\beta$ 增大而不增；$\beta > 1$ 使输出更尖锐，$\beta < 1$ 使输出更平缓",
            ),
            label="entropy_falls",
        ),
        Line(
            sp.Le(bounded_mean, M, evaluate=False),
            Text(
                r"the mean never exceeds the largest logit $M$ (write $z_k = M - d_k$ with $d_k \geq 0$)",
                r"均值不超过最大的输入 $M$（记 $z_k = M - d_k$，其中 $d_k \geq 0$）",
            ),
            label="mean_below_max",
        ),
        Line(
            sp.Ge(S.sigma(i, bounded) * (M - bounded_mean), 0, evaluate=False),
            Text(
                r"so at an arg max $i$ ($z_i = M$), $\partial \sigma_i / \partial \beta = \sigma_i (z_i - \text{mean}) \geq 0$: "
                r"the largest probability never decreases as $\beta$ grows",
                r"所以对取到最大值的下标 $i$（$z_i = M$），$\partial \sigma_i / \partial \beta = \sigma_i (z_i - \text{均值}) \geq 0$：最大的概率随 $\beta$ 增大而不减",
            ),
            label="max_grows",
        ),
        Line(
            sp.Eq(sp.Limit(s(i), beta, 0, "+"), 1 / K, evaluate=False),
            Text(
                r"as $\beta \to 0$, every $e^{\beta z_k} \to 1$: the uniform distribution, flattest of all",
                r"当 $\beta \to 0$ 时，每个 $e^{\beta z_k} \to 1$：极限是均匀分布，最平缓",
            ),
            label="limit_zero",
        ),
        Line(
            sp.Eq(s(i), divided, evaluate=False),
            Text(
                r"divide numerator and denominator by $e^{\beta z_i}$; the term $k = i$ is 1",
                r"分子分母同除以 $e^{\beta z_i}$；$k = i$ 这一项为 1",
            ),
            label="divided",
        ),
        Line(
            sp.Eq(sp.Limit(1 / (1 + others), beta, sp.oo), 1, evaluate=False),
            Text(
                r"if $i$ is the unique arg max, $a_k = z_i - z_k > 0$ for $k \neq i$, and $e^{-\beta a_k} \to 0$",
                r"若 $i$ 是唯一的最大值下标，则对 $k \neq i$ 有 $a_k = z_i - z_k > 0$，从而 $e^{-\beta a_k} \to 0$",
            ),
            label="limit_infinity",
        ),
        Line(
            sp.Eq(sp.Limit(sp.exp(-beta * a[j]) / (1 + others), beta, sp.oo), 0, evaluate=False),
            Text(
                r"and $\sigma(\beta \mathbf{z})_j \to 0$ for $j \neq i$: as $\beta \to \infty$ softmax becomes the one-hot vector of the arg max",
                r"而对 $j \neq i$ 有 $\sigma(\beta \mathbf{z})_j \to 0$：当 $\beta \to \infty$ 时，Softmax 趋于在最大值下标处取 1 的 one-hot 向量",
            ),
            sp.Ne(i, j),
            label="others_vanish",
        ),
    ]
