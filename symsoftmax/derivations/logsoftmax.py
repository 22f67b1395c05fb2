"""Log-softmax and the cross-entropy loss: log sigma_i = z_i - LSE(z), grad L = sigma - y."""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace
from .basic import SHIFT

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
            Text(r"definition of $\sigma_i$", r"由 $\sigma_i$ 的定义"),
            label="definition",
        ),
        Line(
            sp.Eq(log_si, split, evaluate=False),
            Text(
                "the log of a quotient of positive numbers is the difference of their logs",
                "正数之商的对数等于对数之差",
            ),
            label="log_quotient",
        ),
        Line(
            sp.Eq(log_si, z[i] - lse, evaluate=False),
            Text(
                r"$\log e^{z_i} = z_i$, and $\operatorname{LSE}(\mathbf{z}) = \log \sum_k e^{z_k}$ "
                "(log-sum-exp)",
                r"由 $\log e^{z_i} = z_i$，并记 $\operatorname{LSE}(\mathbf{z}) = \log \sum_k e^{z_k}$"
                "（log-sum-exp 函数）",
            ),
            label="lse_form",
        ),
        Line(
            sp.Eq(log_si, stable, evaluate=False),
            Text(
                rf"for every real $m$ (see “{SHIFT('en')}”, with $c = -m$); with "
                r"$m = \max_k z_k$ no exponent is positive, so nothing overflows, and "
                r"$\log \sigma_i$ is never the log of a rounded 0",
                rf"由“{SHIFT('zh')}”（取 $c = -m$），下式对任意实数 $m$ 成立。取 "
                r"$m = \max_k z_k$ 时所有指数都不为正，不会上溢；也不会出现 $\log \sigma_i$ "
                "中的概率先下溢为 0 再取对数的情形",
            ),
            label="stable",
        ),
        Line(
            sp.Eq(sp.Derivative(lse, z[j]), chain, evaluate=False),
            Text(
                r"chain rule: $d \log \Sigma = d\Sigma / \Sigma$, and "
                r"$\partial e^{z_k} / \partial z_j = \delta_{kj} e^{z_k}$",
                r"由链式法则 $d \log \Sigma = d\Sigma / \Sigma$，及 "
                r"$\partial e^{z_k} / \partial z_j = \delta_{kj} e^{z_k}$ 得",
            ),
            label="lse_chain_rule",
        ),
        Line(
            sp.Eq(sp.Derivative(lse, z[j]), sj, evaluate=False),
            Text(
                r"the delta keeps the term $k = j$: the gradient of log-sum-exp is softmax, "
                r"$\nabla \operatorname{LSE} = \sigma$",
                r"Kronecker $\delta$ 只保留 $k = j$ 一项，因此 log-sum-exp 的梯度就是 Softmax，"
                r"即 $\nabla \operatorname{LSE} = \sigma$",
            ),
            label="lse_gradient",
        ),
        Line(
            sp.Eq(sp.Derivative(log_si, z[j]), difference, evaluate=False),
            Text(
                r"differentiate $\log \sigma_i = z_i - \operatorname{LSE}(\mathbf{z})$",
                r"将 $\log \sigma_i = z_i - \operatorname{LSE}(\mathbf{z})$ 两边对 $z_j$ 求导",
            ),
            label="differentiate",
        ),
        Line(
            sp.Eq(sp.Derivative(log_si, z[j]), sp.KroneckerDelta(i, j) - sj, evaluate=False),
            Text(
                r"$\partial z_i / \partial z_j = \delta_{ij}$, and the gradient of LSE above",
                r"由 $\partial z_i / \partial z_j = \delta_{ij}$ 及上面 LSE 的梯度得",
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
                r"the loss $L$ for a target distribution $y$, with "
                r"$\log \sigma_k = z_k - \operatorname{LSE}(\mathbf{z})$ "
                rf"(see “{LOG_SOFTMAX('en')}”)",
                r"目标分布为 $y$ 时的交叉熵损失 $L$；由“" + LOG_SOFTMAX("zh") + "”，"
                r"$\log \sigma_k = z_k - \operatorname{LSE}(\mathbf{z})$",
            ),
            label="loss",
        ),
        Line(
            sp.Eq(loss, form2, evaluate=False),
            Text(
                r"$\sum_k y_k = 1$: the target is a probability vector",
                r"目标是概率向量，由 $\sum_k y_k = 1$ 得",
            ),
            label="loss_lse",
        ),
        Line(
            sp.Eq(sp.Derivative(loss, z[j]), S.sigma(j) - y[j], evaluate=False),
            Text(
                r"$\partial \operatorname{LSE} / \partial z_j = \sigma_j$ and "
                r"$\partial (\sum_k y_k z_k) / \partial z_j = y_j$: prediction minus target, "
                r"entry $j$ of $\nabla_{\mathbf{z}} L = \sigma - y$",
                r"由 $\partial \operatorname{LSE} / \partial z_j = \sigma_j$ 及 "
                r"$\partial (\sum_k y_k z_k) / \partial z_j = y_j$ 得：梯度等于预测减去目标，"
                r"下式即 $\nabla_{\mathbf{z}} L = \sigma - y$ 的第 $j$ 个分量",
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
                    r"写成整个梯度向量，即 $\nabla_{\mathbf{z}} L = \sigma - y$",
                ),
                label="gradient_vector",
            )
        )
    return lines
