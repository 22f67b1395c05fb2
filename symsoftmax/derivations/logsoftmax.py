"""Log-softmax and the cross-entropy loss: log sigma_i = z_i - LSE(z), grad L = sigma - y."""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace

LOG_SOFTMAX = Text("Log-softmax and its derivative", "Log-Softmax 及其导数")
CROSS_ENTROPY = Text("The cross-entropy loss and its gradient", "交叉熵损失及其梯度")


def log_softmax(S: ClassSpace) -> list[Line]:
    i, j, k, z, K = S.i, S.j, S.k, S.z, S.K
    si, sj, lse = S.sigma(i), S.sigma(j), S.lse()
    log_si = sp.log(si)
    total = sp.Sum(sp.exp(z[k]), (k, 1, K))
    m = sp.Symbol("m", real=True)
    shifted = sp.Sum(sp.exp(z[k] - m), (k, 1, K))
    picked = sp.Sum(sp.KroneckerDelta(k, j) * sp.exp(z[k]), (k, 1, K))
    with sp.evaluate(False):
        ratio = sp.log(sp.exp(z[i]) / total)
        split = sp.log(sp.exp(z[i])) - sp.log(total)
        stable = (z[i] - m) - sp.log(shifted)
        chain = picked / total
        difference = sp.Derivative(z[i], z[j]) - sp.Derivative(lse, z[j])
    return [
        Line(
            sp.Eq(log_si, ratio, evaluate=False),
            Text(r"definition of $\sigma_i$", r"$\sigma_i$ 的定义"),
            label="definition",
        ),
        Line(
            sp.Eq(log_si, split, evaluate=False),
            Text(
                "the log of a quotient of positive numbers",
                "正数之商的对数等于对数之差",
            ),
            label="log_quotient",
        ),
        Line(
            sp.Eq(log_si, z[i] - lse, evaluate=False),
            Text(
                r"$\log e^{z_i} = z_i$, and $\operatorname{LSE}(\mathbf{z}) = \log \sum_k e^{z_k}$",
                r"$\log e^{z_i} = z_i$，且 $\operatorname{LSE}(\mathbf{z}) = \log \sum_k e^{z_k}$（对数-求和-指数，log-sum-exp）",
            ),
            label="lse_form",
        ),
        Line(
            sp.Eq(log_si, stable, evaluate=False),
            Text(
                r"for every real $m$ (shift invariance with $c = -m$); with $m = \max_k z_k$ "
                r"no exponent is positive, so nothing overflows, and $\log \sigma_i$ is never "
                "the log of a rounded 0",
                r"对任意实数 $m$ 成立（平移不变性，取 $c = -m$）；取 $m = \max_k z_k$ 时，"
                r"所有指数都不为正，不会上溢，$\log \sigma_i$ 也绝不会是对舍入成 0 的数取对数",
            ),
            label="stable",
        ),
        Line(
            sp.Eq(sp.Derivative(lse, z[j]), chain, evaluate=False),
            Text(
                r"chain rule: $d \log \Sigma = d\Sigma / \Sigma$, and "
                r"$\partial e^{z_k} / \partial z_j = \delta_{kj} e^{z_k}$",
                r"链式法则：$d \log \Sigma = d\Sigma / \Sigma$，且 "
                r"$\partial e^{z_k} / \partial z_j = \delta_{kj} e^{z_k}$",
            ),
            label="lse_chain_rule",
        ),
        Line(
            sp.Eq(sp.Derivative(lse, z[j]), sj, evaluate=False),
            Text(
                r"the delta keeps the term $k = j$: the gradient of log-sum-exp is softmax",
                r"Kronecker $\delta$ 只保留 $k = j$ 这一项：log-sum-exp 的梯度就是 Softmax",
            ),
            label="lse_gradient",
        ),
        Line(
            sp.Eq(sp.Derivative(log_si, z[j]), difference, evaluate=False),
            Text(
                r"differentiate $\log \sigma_i = z_i - \operatorname{LSE}(\mathbf{z})$",
                r"对 $\log \sigma_i = z_i - \operatorname{LSE}(\mathbf{z})$ 求导",
            ),
            label="differentiate",
        ),
        Line(
            sp.Eq(sp.Derivative(log_si, z[j]), sp.KroneckerDelta(i, j) - sj, evaluate=False),
            Text(
                r"$\partial z_i / \partial z_j = \delta_{ij}$",
                r"$\partial z_i / \partial z_j = \delta_{ij}$（Kronecker $\delta$ 记号）",
            ),
            label="gradient",
        ),
    ]


def cross_entropy(S: ClassSpace) -> list[Line]:
    j, k, z, y, K = S.j, S.k, S.z, S.y, S.K
    lse = S.lse()
    loss_terms = sp.Sum(y[k] * sp.log(S.sigma(k)), (k, 1, K))
    with sp.evaluate(False):
        loss = -loss_terms
        term = y[k] * (z[k] - lse)
    expanded = sp.Sum(term, (k, 1, K))
    linear = sp.Sum(y[k] * z[k], (k, 1, K))
    with sp.evaluate(False):
        form1 = -expanded
        form2 = lse - linear
    lines = [
        Line(
            sp.Eq(loss, form1, evaluate=False),
            Text(
                r"the loss for a target distribution $y$; $\log \sigma_k = z_k - \operatorname{LSE}(\mathbf{z})$ (derivation log\_softmax)",
                r"目标分布为 $y$ 时的交叉熵损失；$\log \sigma_k = z_k - \operatorname{LSE}(\mathbf{z})$（见推导 log\_softmax）",
            ),
            label="loss",
        ),
        Line(
            sp.Eq(loss, form2, evaluate=False),
            Text(
                r"$\sum_k y_k = 1$: the target is a probability vector",
                r"$\sum_k y_k = 1$：目标是一个概率向量",
            ),
            label="loss_lse",
        ),
        Line(
            sp.Eq(sp.Derivative(loss, z[j]), S.sigma(j) - y[j], evaluate=False),
            Text(
                r"$\partial \operatorname{LSE} / \partial z_j = \sigma_j$ and "
                r"$\partial (\sum_k y_k z_k) / \partial z_j = y_j$: prediction minus target",
                r"由 $\partial \operatorname{LSE} / \partial z_j = \sigma_j$ 及 "
                r"$\partial (\sum_k y_k z_k) / \partial z_j = y_j$：梯度等于预测减去目标",
            ),
            label="gradient",
        ),
    ]
    if not S.symbolic:
        n = int(K)
        gradient = sp.ImmutableMatrix([sp.Derivative(loss, z[a]) for a in range(1, n + 1)])
        residual = sp.ImmutableMatrix([S.sigma(a) - y[a] for a in range(1, n + 1)])
        lines.append(
            Line(
                sp.Eq(gradient, residual, evaluate=False),
                Text(
                    r"the whole gradient: $\nabla_{\mathbf{z}} L = \sigma - y$",
                    r"整个梯度向量：$\nabla_{\mathbf{z}} L = \sigma - y$",
                ),
                label="gradient_vector",
            )
        )
    return lines
