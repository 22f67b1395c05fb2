"""Scaling the logits by beta > 0 (inverse temperature) sharpens or flattens softmax.

"Sharper" is made precise three ways: the entropy H(beta) of sigma(beta z) never increases
(dH/dbeta = -beta Var <= 0); the largest probability never decreases; and the limits are the
uniform distribution (beta -> 0) and the one-hot vector of a unique arg max (beta -> oo).
"""

from __future__ import annotations

import sympy as sp

from ..derivation import Text
from ..space import ClassSpace
from . import Line

TITLE = Text(
    "Temperature: scaling the logits sharpens or flattens softmax",
    "温度: 把所有输入乘以一个系数, 改变输出的 '突起程度'",
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
    with sp.evaluate(False):
        divided = 1 / (1 + sp.Sum((1 - sp.KroneckerDelta(i, k)) * sp.exp(-beta * (z[i] - z[k])), (k, 1, K)))
        flat_sum = sp.Sum(sp.exp(beta * z[k]), (k, 1, K))
    return [
        Line(
            sp.Eq(s(i), sp.exp(beta * z[i]) / flat_sum, evaluate=False),
            Text(
                "definition, applied to β z with β > 0 (β = 1/T, T the temperature)",
                "对 β z 应用定义, β > 0 (β = 1/T, T 为温度)",
            ),
        ),
        Line(
            sp.Eq(sp.Derivative(s(i), beta), s(i) * (z[i] - mean), evaluate=False),
            Text(
                "quotient rule; Σ_l σ_l z_l is the mean of z under σ(β z)",
                "商的求导法则; Σ_l σ_l z_l 是 z 在 σ(β z) 下的均值",
            ),
        ),
        Line(
            sp.Eq(sp.Derivative(entropy, beta), -beta * (sp.Sum(s(k) * z[k] ** 2, (k, 1, K)) - mean**2), evaluate=False),
            Text(
                "the entropy H(β) = -Σ_k σ_k log σ_k: log σ_k = β z_k - log Σ e^{β z}, and Σ_k σ_k = 1",
                "熵 H(β) = -Σ_k σ_k log σ_k: log σ_k = β z_k - log Σ e^{β z}, 且 Σ_k σ_k = 1",
            ),
        ),
        Line(
            sp.Eq(sp.Derivative(entropy, beta), -beta * variance, evaluate=False),
            Text(
                "E[z²] - E[z]² is the variance of z under σ(β z)",
                "E[z²] - E[z]² 是 z 在 σ(β z) 下的方差",
            ),
        ),
        Line(
            sp.Le(-beta * variance, 0, evaluate=False),
            Text(
                "β > 0 and a variance is ≥ 0: the entropy never increases as β grows; "
                "β > 1 sharpens, β < 1 flattens",
                "β > 0 且方差 ≥ 0: β 增大时熵不增; 系数大于 1 使差异变大, 小于 1 使输出更平缓",
            ),
        ),
        Line(
            sp.Le(bounded_mean, M, evaluate=False),
            Text(
                "the mean never exceeds the largest logit M (write z_k = M - d_k with d_k ≥ 0)",
                "均值不超过最大的输入 M (记 z_k = M - d_k, d_k ≥ 0)",
            ),
        ),
        Line(
            sp.Ge(S.sigma(i, bounded) * (M - bounded_mean), 0, evaluate=False),
            Text(
                "so at an arg max i (z_i = M), ∂σ_i/∂β = σ_i (z_i - mean) ≥ 0: "
                "the largest probability never decreases as β grows",
                "所以在最大值处 i (z_i = M), ∂σ_i/∂β = σ_i (z_i - 均值) ≥ 0: 最大概率随 β 增大而不减",
            ),
        ),
        Line(
            sp.Eq(sp.Limit(s(i), beta, 0, "+"), 1 / K, evaluate=False),
            Text(
                "as β → 0, every e^{β z_k} → 1: the uniform distribution, flattest of all",
                "β → 0 时每个 e^{β z_k} → 1: 均匀分布, 最平缓",
            ),
        ),
        Line(
            sp.Eq(s(i), divided, evaluate=False),
            Text(
                "divide numerator and denominator by e^{β z_i}; the term k = i is 1",
                "分子分母同除以 e^{β z_i}; k = i 这一项为 1",
            ),
        ),
        Line(
            sp.Eq(sp.Limit(1 / (1 + others), beta, sp.oo), 1, evaluate=False),
            Text(
                "if i is the unique arg max, a_k = z_i - z_k > 0 for k ≠ i, and e^{-β a_k} → 0",
                "若 i 是唯一的最大值下标, 则 k ≠ i 时 a_k = z_i - z_k > 0, e^{-β a_k} → 0",
            ),
        ),
        Line(
            sp.Eq(sp.Limit(sp.exp(-beta * a[j]) / (1 + others), beta, sp.oo), 0, evaluate=False),
            Text(
                "and σ(β z)_j → 0 for j ≠ i: as β → ∞ softmax becomes the one-hot vector of the arg max",
                "而 j ≠ i 时 σ(β z)_j → 0: β → ∞ 时 Softmax 趋于最大值处的 one-hot 向量",
            ),
            sp.Ne(i, j),
        ),
    ]
