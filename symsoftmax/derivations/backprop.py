r"""Backpropagation of the cross-entropy loss through softmax, by the chain rule.

With :math:`L = -\sum_i y_i \log \sigma_i` and a target distribution :math:`\mathbf{y}`:

.. math::

    \frac{\partial L}{\partial z_j}
        = \sum_i \frac{\partial L}{\partial \sigma_i} \frac{\partial \sigma_i}{\partial z_j}
        = \sum_i \left(-\frac{y_i}{\sigma_i}\right) \sigma_i (\delta_{ij} - \sigma_j)
        = \sigma_j - y_j,

and :math:`\sum_j (\sigma_j - y_j) = 0`: the gradient is orthogonal to :math:`\mathbf{1}`,
so a gradient step never changes :math:`\sum_k z_k`.
"""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace

TITLE = Text(
    "Backpropagation: the cross-entropy gradient through the softmax Jacobian",
    "反向传播：交叉熵梯度经由 Softmax 雅可比矩阵的链式法则",
)


def backprop(S: ClassSpace) -> list[Line]:
    i, j, k, z, y, K = S.i, S.j, S.k, S.z, S.y, S.K
    p = sp.IndexedBase("p", positive=True)  # the probabilities, as variables of the loss
    eta = sp.Symbol("eta", positive=True)  # a learning rate
    loss_of_p = -S.sum(y[k] * sp.log(p[k]))
    loss = -S.sum(y[k] * sp.log(S.sigma(k)))
    d_loss = sp.Derivative(loss, z[j])
    delta = sp.KroneckerDelta(i, j)
    with sp.evaluate(False):
        outer = -y[i] / p[i]
        chained = sp.Sum((-y[i] / S.sigma(i)) * (S.sigma(i) * (delta - S.sigma(j))), (i, 1, K))
        cancelled = sp.Sum(-y[i] * (delta - S.sigma(j)), (i, 1, K))
        sifted = -y[j] + S.sigma(j) * sp.Sum(y[i], (i, 1, K))
        residual = S.sigma(j) - y[j]
        total = S.sum(S.sigma(k) - y[k])
        stepped = S.sum(z[k] - eta * (S.sigma(k) - y[k]))
    return [
        Line(
            sp.Eq(sp.Derivative(loss_of_p, p[i]), outer, evaluate=False),
            Text(
                r"the loss $L = -\sum_k y_k \log p_k$ as a function of the probabilities $p_k$: "
                r"only the term $k = i$ depends on $p_i$",
                r"把损失 $L = -\sum_k y_k \log p_k$ 看作概率 $p_k$ 的函数：只有 $k = i$ 这一项依赖于 $p_i$",
            ),
            label="outer",
        ),
        Line(
            sp.Eq(d_loss, chained, evaluate=False),
            Text(
                r"chain rule through $p = \sigma(\mathbf{z})$, with the entries "
                r"$\sigma_i (\delta_{ij} - \sigma_j)$ of the Jacobian (see “The Jacobian of softmax”)",
                r"对 $p = \sigma(\mathbf{z})$ 用链式法则，雅可比矩阵的元素为 "
                r"$\sigma_i (\delta_{ij} - \sigma_j)$（见“Softmax 的雅可比矩阵（导数）”）",
            ),
            label="chain_rule",
        ),
        Line(
            sp.Eq(d_loss, cancelled, evaluate=False),
            Text(
                r"$\sigma_i$ cancels: $\sigma_i > 0$",
                r"由 $\sigma_i > 0$，约去 $\sigma_i$",
            ),
            label="cancel",
        ),
        Line(
            sp.Eq(d_loss, sifted, evaluate=False),
            Text(
                r"the delta keeps the term $i = j$ of the first sum",
                r"Kronecker $\delta$ 只保留第一个和中 $i = j$ 这一项",
            ),
            label="sift",
        ),
        Line(
            sp.Eq(d_loss, residual, evaluate=False),
            Text(
                r"$\sum_i y_i = 1$: the gradient is the prediction minus the target, as "
                r"differentiating the loss directly gives (see “The cross-entropy loss and its gradient”)",
                r"由 $\sum_i y_i = 1$，梯度等于预测减去目标，与直接对损失求导的结果一致"
                r"（见“交叉熵损失及其梯度”）",
            ),
            label="gradient",
        ),
        Line(
            sp.Eq(total, 0, evaluate=False),
            Text(
                r"both $\sigma$ and $\mathbf{y}$ sum to 1: the gradient sums to 0, it is "
                r"orthogonal to $\mathbf{1}$",
                r"$\sigma$ 与 $\mathbf{y}$ 之和都为 1，所以梯度各分量之和为 0，即梯度与 $\mathbf{1}$ 正交",
            ),
            label="orthogonal",
        ),
        Line(
            sp.Eq(stepped, S.sum(z[k]), evaluate=False),
            Text(
                r"a gradient step $\mathbf{z} - \eta \nabla L$ keeps $\sum_k z_k$: gradient descent "
                r"never moves the logits along $\mathbf{1}$, the direction that does not change "
                r"softmax (see “Adding a constant to every logit does not change softmax”)",
                r"梯度下降的一步 $\mathbf{z} - \eta \nabla L$ 不改变 $\sum_k z_k$：梯度下降从不沿 $\mathbf{1}$ "
                r"方向移动输入，而这正是不改变 Softmax 的方向（见“所有输入同时加上同一个常数，Softmax 不变（平移不变性）”）",
            ),
            label="step",
        ),
    ]
