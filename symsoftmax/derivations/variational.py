r"""Softmax maximizes expected logit plus entropy; the maximum is log-sum-exp.

For :math:`\mathbf{q}` in the open simplex (every such point is :math:`\sigma(\mathbf{w})`
for some logits :math:`\mathbf{w}`, derivation ``inverse``):

.. math::

    \langle \mathbf{q}, \mathbf{z} \rangle + H(\mathbf{q})
        = \operatorname{LSE}(\mathbf{z}) - \operatorname{KL}(\mathbf{q} \,\|\, \sigma(\mathbf{z}))
        \le \operatorname{LSE}(\mathbf{z}),

with equality at :math:`\mathbf{q} = \sigma(\mathbf{z})`. :math:`\operatorname{KL} \ge 0`
(Gibbs' inequality) term by term from :math:`\log x \le x - 1`, after writing the
divergence as :math:`\sum_k (q_k \log(q_k / \sigma_k) - q_k + \sigma_k)`.
"""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace

TITLE = Text(
    "Softmax maximizes expected logit plus entropy; the maximum is log-sum-exp",
    "Softmax 使“期望输入加熵”取最大值，最大值为 log-sum-exp",
)


def variational(S: ClassSpace) -> list[Line]:
    k, z = S.k, S.z
    w = sp.IndexedBase("w", real=True)
    qk = S.sigma(k, sp.Lambda(k, w[k]))  # a point q of the open simplex, q = sigma(w)
    sk = S.sigma(k)
    lse = S.lse()
    with sp.evaluate(False):
        expected = S.sum(qk * z[k])
        entropy = -S.sum(qk * sp.log(qk))
        objective = expected + entropy
        kl = S.sum(qk * (sp.log(qk) - sp.log(sk)))
        kl_form = lse - objective
        generalized = S.sum(qk * sp.log(qk / sk) - qk + sk)
        at_softmax = S.sum(sk * z[k]) - S.sum(sk * sp.log(sk))
    return [
        Line(
            sp.Eq(kl, kl_form, evaluate=False),
            Text(
                r"a point $\mathbf{q}$ of the open simplex is $\sigma(\mathbf{w})$ for some "
                r"logits $\mathbf{w}$ (see “Softmax maps onto the open simplex; the logits come "
                r"back up to a shift”). Its divergence from $\sigma(\mathbf{z})$: "
                r"$\log \sigma_k = z_k - \operatorname{LSE}(\mathbf{z})$ and $\sum_k q_k = 1$ give "
                r"$\operatorname{KL}(\mathbf{q} \,\|\, \sigma) = \operatorname{LSE}(\mathbf{z}) - "
                r"(\langle \mathbf{q}, \mathbf{z} \rangle + H(\mathbf{q}))$",
                r"开单纯形中的点 $\mathbf{q}$ 都可写成 $\sigma(\mathbf{w})$，其中 $\mathbf{w}$ 为某个输入向量"
                r"（见“Softmax 的像是整个开单纯形；由概率可以还原输入（相差一个平移）”）。"
                r"由 $\log \sigma_k = z_k - \operatorname{LSE}(\mathbf{z})$ 及 $\sum_k q_k = 1$，"
                r"它与 $\sigma(\mathbf{z})$ 的 KL 散度为 "
                r"$\operatorname{KL}(\mathbf{q} \,\|\, \sigma) = \operatorname{LSE}(\mathbf{z}) - "
                r"(\langle \mathbf{q}, \mathbf{z} \rangle + H(\mathbf{q}))$",
            ),
            label="divergence",
        ),
        Line(
            sp.Eq(kl, generalized, evaluate=False),
            Text(
                r"add $\sum_k (\sigma_k - q_k) = 1 - 1 = 0$, term by term",
                r"逐项加上 $\sum_k (\sigma_k - q_k) = 1 - 1 = 0$",
            ),
            label="add_zero",
        ),
        Line(
            sp.Ge(generalized, 0, evaluate=False),
            Text(
                r"each term is $\geq 0$: $\log x \geq 1 - 1/x$ for $x > 0$ (the logarithm lies "
                r"below its tangent at 1) gives $q_k \log(q_k / \sigma_k) \geq q_k - \sigma_k$. "
                r"So $\operatorname{KL} \geq 0$ (Gibbs' inequality), and by the first line "
                r"$\langle \mathbf{q}, \mathbf{z} \rangle + H(\mathbf{q}) \leq \operatorname{LSE}(\mathbf{z})$ "
                r"for every $\mathbf{q}$ in the open simplex",
                r"每一项都 $\geq 0$：由 $\log x \geq 1 - 1/x$（$x > 0$，对数函数位于它在 1 处的切线下方）"
                r"得 $q_k \log(q_k / \sigma_k) \geq q_k - \sigma_k$。因此 $\operatorname{KL} \geq 0$"
                r"（Gibbs 不等式），再由第一行，对开单纯形中的每个 $\mathbf{q}$ 都有 "
                r"$\langle \mathbf{q}, \mathbf{z} \rangle + H(\mathbf{q}) \leq \operatorname{LSE}(\mathbf{z})$",
            ),
            label="gibbs",
        ),
        Line(
            sp.Eq(at_softmax, lse, evaluate=False),
            Text(
                r"at $\mathbf{q} = \sigma(\mathbf{z})$ the bound is attained: $\sigma(\mathbf{z})$ "
                r"maximizes $\langle \mathbf{q}, \mathbf{z} \rangle + H(\mathbf{q})$ (an "
                r"entropy-regularized arg max), and the maximum is $\operatorname{LSE}(\mathbf{z})$: "
                r"log-sum-exp is the convex conjugate of the negative entropy on the simplex. "
                r"Not a step here: that the maximizer is unique ($\operatorname{KL} = 0$ only at "
                r"$\mathbf{q} = \sigma$), and the boundary of the simplex (some $q_k = 0$)",
                r"当 $\mathbf{q} = \sigma(\mathbf{z})$ 时取到上界。因此 $\sigma(\mathbf{z})$ 使 "
                r"$\langle \mathbf{q}, \mathbf{z} \rangle + H(\mathbf{q})$ 取最大值（加熵正则的 arg max），"
                r"最大值为 $\operatorname{LSE}(\mathbf{z})$：log-sum-exp 是单纯形上负熵的凸共轭。"
                r"最大值点的唯一性（$\operatorname{KL} = 0$ 仅当 $\mathbf{q} = \sigma$）"
                r"以及单纯形的边界（某个 $q_k = 0$）未作为推导步骤验证",
            ),
            label="attained",
        ),
    ]
