r"""Log-sum-exp is a smooth maximum.

.. math::

    \max_k z_k < \operatorname{LSE}(\mathbf{z}) \le \max_k z_k + \log K, \qquad
    \max_k z_k < \tfrac{1}{\beta} \operatorname{LSE}(\beta \mathbf{z})
        \le \max_k z_k + \tfrac{\log K}{\beta} \quad (\beta > 0),

so :math:`\beta^{-1} \operatorname{LSE}(\beta \mathbf{z}) \to \max_k z_k` as
:math:`\beta \to \infty`, with an error of at most :math:`\log K / \beta` (both bounds are
steps; the limit follows by the squeeze theorem). Moreover
:math:`\nabla \operatorname{LSE} = \sigma` and
:math:`\operatorname{LSE}(\mathbf{z} + c \mathbf{1}) = \operatorname{LSE}(\mathbf{z}) + c`.
"""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace

TITLE = Text(
    "Log-sum-exp is a smooth maximum",
    "log-sum-exp 是光滑的最大值函数",
)


def smooth_max(S: ClassSpace) -> list[Line]:
    i, j, k, z, K = S.i, S.j, S.k, S.z, S.K
    lse = S.lse()
    M = sp.Symbol("M", real=True)  # the largest logit
    c = sp.Symbol("c", real=True)
    beta = sp.Symbol("beta", positive=True)
    d = sp.IndexedBase("d", nonnegative=True)  # z_k = M - d_k, d_k >= 0
    below = sp.Lambda(k, M - d[k])
    with sp.evaluate(False):
        centred = M + sp.log(S.sum(sp.exp(z[k] - M)))
        top = M + sp.log(K)
        scaled_below = sp.Lambda(k, beta * (M - d[k]))
        scaled_top = M + sp.log(K) / beta
        shifted = lse + c
    return [
        Line(
            sp.Lt(z[i], lse, evaluate=False),
            Text(
                r"$e^{z_i} < \sum_k e^{z_k}$, since the other $K - 1 \geq 1$ terms are positive, "
                r"and $\log$ is increasing. This holds for every $i$, so "
                r"$\max_k z_k < \operatorname{LSE}(\mathbf{z})$: the lower bound is never attained",
                r"由于其余 $K - 1 \geq 1$ 项都为正，$e^{z_i} < \sum_k e^{z_k}$，而 $\log$ 单调递增。"
                r"此式对每个 $i$ 都成立，因此 $\max_k z_k < \operatorname{LSE}(\mathbf{z})$，下界取不到",
            ),
            label="lower",
        ),
        Line(
            sp.Eq(lse, centred, evaluate=False),
            Text(
                r"for every real $M$: take $e^M$ out of the sum, $\log(e^M x) = M + \log x$",
                r"对任意实数 $M$，把 $e^M$ 提到求和号外，再由 $\log(e^M x) = M + \log x$ 得",
            ),
            label="centred",
        ),
        Line(
            sp.Le(S.lse(below), top, evaluate=False),
            Text(
                r"with $M = \max_k z_k$, write $z_k = M - d_k$, $d_k \geq 0$: each "
                r"$e^{M - d_k} \leq e^M$, so the sum is at most $K e^M$",
                r"取 $M = \max_k z_k$，写 $z_k = M - d_k$，$d_k \geq 0$。"
                r"每一项 $e^{M - d_k} \leq e^M$，所以和不超过 $K e^M$",
            ),
            label="upper",
        ),
        Line(
            sp.Eq(S.lse(sp.Lambda(k, M)), top, evaluate=False),
            Text(
                r"when all $K$ logits equal $M$ the upper bound is attained: "
                r"$\max_k z_k < \operatorname{LSE}(\mathbf{z}) \leq \max_k z_k + \log K$",
                r"当 $K$ 个输入都等于 $M$ 时取到上界。"
                r"因此 $\max_k z_k < \operatorname{LSE}(\mathbf{z}) \leq \max_k z_k + \log K$",
            ),
            label="equality",
        ),
        Line(
            sp.Eq(S.lse(S.vector(shift=c)), shifted, evaluate=False),
            Text(
                r"$e^{z_k + c} = e^c e^{z_k}$: adding $c$ to every logit adds $c$ to the smooth maximum, "
                r"as it does to $\max_k z_k$",
                r"由 $e^{z_k + c} = e^c e^{z_k}$，所有输入加上 $c$，光滑最大值也加上 $c$，"
                r"与 $\max_k z_k$ 一样",
            ),
            label="shift",
        ),
        Line(
            sp.Eq(sp.Derivative(lse, z[j]), S.sigma(j), evaluate=False),
            Text(
                r"chain rule: the gradient of log-sum-exp is softmax, "
                r"$\nabla \operatorname{LSE} = \sigma$, a “soft” indicator of the arg max",
                r"由链式法则，log-sum-exp 的梯度就是 Softmax：$\nabla \operatorname{LSE} = \sigma$，"
                r"它是 arg max 的“软”指示向量",
            ),
            label="gradient",
        ),
        Line(
            sp.Lt(z[i], S.lse(S.vector(scale=beta)) / beta, evaluate=False),
            Text(
                r"the lower bound for the logits $\beta \mathbf{z}$, $\beta > 0$, divided by $\beta$",
                r"把下界用于输入 $\beta \mathbf{z}$（$\beta > 0$），再除以 $\beta$",
            ),
            label="scaled_lower",
        ),
        Line(
            sp.Le(S.lse(scaled_below) / beta, scaled_top, evaluate=False),
            Text(
                r"the upper bound for $\beta \mathbf{z}$, whose largest entry is $\beta M$, divided "
                r"by $\beta$. With the previous line, "
                r"$\max_k z_k < \beta^{-1} \operatorname{LSE}(\beta \mathbf{z}) \leq \max_k z_k + \log K / \beta$: "
                r"the error is at most $\log K / \beta$, so $\beta^{-1} \operatorname{LSE}(\beta \mathbf{z}) \to \max_k z_k$ "
                r"as $\beta \to \infty$ (the squeeze theorem; the limit itself is not a step here)",
                r"把上界用于 $\beta \mathbf{z}$（其最大分量为 $\beta M$），再除以 $\beta$。结合上一行得 "
                r"$\max_k z_k < \beta^{-1} \operatorname{LSE}(\beta \mathbf{z}) \leq \max_k z_k + \log K / \beta$："
                r"误差不超过 $\log K / \beta$。因此由夹逼定理，当 $\beta \to \infty$ 时 "
                r"$\beta^{-1} \operatorname{LSE}(\beta \mathbf{z}) \to \max_k z_k$（极限本身未作为推导步骤验证）",
            ),
            label="scaled_upper",
        ),
    ]
