r"""Two losses used in training today: distillation at a temperature, and label smoothing.

Distillation (Hinton, Vinyals and Dean, 2015), teacher logits :math:`\mathbf{t}`, student
logits :math:`\mathbf{z}`, temperature :math:`T > 0`, :math:`p = \sigma(\mathbf{t}/T)`,
:math:`q = \sigma(\mathbf{z}/T)`:

.. math::

    L = T^2 \operatorname{KL}(p \,\|\, q), \qquad
    \frac{\partial L}{\partial z_j} = T (q_j - p_j)
        \xrightarrow[T \to \infty]{} \frac{z_j - t_j}{K} - \frac{\sum_k z_k - \sum_k t_k}{K^2}.

Label smoothing: the target :math:`(1 - \varepsilon) \mathbf{y} + \varepsilon / K`, the
gradient :math:`\sigma - (1 - \varepsilon) \mathbf{y} - \varepsilon / K`.
"""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace

DISTILLATION = Text(
    "Distillation at temperature T: the loss, its gradient, the T² factor and the high-T limit",
    "温度为 T 的知识蒸馏：损失、梯度、T² 因子与高温极限",
)
LABEL_SMOOTHING = Text(
    "Label smoothing: the loss and its gradient",
    "标签平滑：损失及其梯度",
)


def distillation(S: ClassSpace) -> list[Line]:
    j, k, z, K = S.j, S.k, S.z, S.K
    t = sp.IndexedBase("t", real=True)  # the teacher's logits
    T = sp.Symbol("T", positive=True)  # the temperature
    beta = sp.Symbol("beta", positive=True)  # 1 / T

    def p(n: sp.Expr, scale: sp.Expr = 1 / T) -> sp.Expr:  # the teacher's probabilities
        return S.sigma(n, sp.Lambda(k, scale * t[k]))

    def q(n: sp.Expr, scale: sp.Expr = 1 / T) -> sp.Expr:  # the student's probabilities
        return S.sigma(n, S.vector(scale=scale))

    loss = T**2 * S.sum(p(k) * (sp.log(p(k)) - sp.log(q(k))))
    d_loss = sp.Derivative(loss, z[j])
    gap = q(j, beta) - p(j, beta)
    uniform = 1 / K
    with sp.evaluate(False):
        loss_lse = T**2 * (
            S.sum(p(k) * sp.log(p(k))) - S.sum(p(k) * z[k]) / T + S.lse(S.vector(scale=1 / T))
        )
        gradient = T * (q(j) - p(j))
        quotient = ((q(j) - uniform) - (p(j) - uniform)) / (1 / T)
        slope = (z[j] - S.sum(z[k]) / K) / K
        limit = (z[j] - t[j]) / K - (S.sum(z[k]) - S.sum(t[k])) / K**2
    names = {p(k): "p_k", p(j): "p_j", q(k): "q_k", q(j): "q_j"}
    with sp.evaluate(False):
        student = sp.exp(z[j] / T) / S.sum(sp.exp(z[k] / T))
    return [
        Line(
            sp.Eq(q(j), student, evaluate=False),
            Text(
                r"at temperature $T > 0$ the student's probabilities are $q = \sigma(\mathbf{z}/T)$ "
                r"and the teacher's $p = \sigma(\mathbf{t}/T)$, for logits $\mathbf{z}$ and $\mathbf{t}$",
                r"温度为 $T > 0$ 时，学生模型的概率为 $q = \sigma(\mathbf{z}/T)$，"
                r"教师模型的概率为 $p = \sigma(\mathbf{t}/T)$，其中 $\mathbf{z}$ 与 $\mathbf{t}$ 分别为二者的输入",
            ),
            label="temperature",
            names=names,
        ),
        Line(
            sp.Eq(loss, loss_lse, evaluate=False),
            Text(
                r"the loss $L = T^2 \operatorname{KL}(p \,\|\, q)$; "
                r"$\log q_k = z_k / T - \operatorname{LSE}(\mathbf{z}/T)$ and $\sum_k p_k = 1$",
                r"损失 $L = T^2 \operatorname{KL}(p \,\|\, q)$。"
                r"由 $\log q_k = z_k / T - \operatorname{LSE}(\mathbf{z}/T)$ 及 $\sum_k p_k = 1$ 得",
            ),
            label="loss",
            names={loss: "L"},
        ),
        Line(
            sp.Eq(d_loss, gradient, evaluate=False),
            Text(
                r"$\partial \operatorname{LSE}(\mathbf{z}/T) / \partial z_j = q_j / T$ and the teacher "
                r"does not depend on $\mathbf{z}$: the gradient is $T (q_j - p_j)$",
                r"由 $\partial \operatorname{LSE}(\mathbf{z}/T) / \partial z_j = q_j / T$，"
                r"且教师的输出与 $\mathbf{z}$ 无关，梯度为 $T (q_j - p_j)$",
            ),
            label="gradient",
        ),
        Line(
            sp.Eq(sp.Subs(q(j, beta), beta, 0), uniform, evaluate=False),
            Text(
                r"at $\beta = 1/T = 0$ softmax is uniform, for the student and the teacher alike",
                r"当 $\beta = 1/T = 0$ 时，学生与教师的 Softmax 输出都是均匀分布",
            ),
            label="uniform",
        ),
        Line(
            sp.Eq(gradient, quotient, evaluate=False),
            Text(
                r"so the gradient is the difference quotient of "
                r"$g(\beta) = \sigma(\beta \mathbf{z})_j - \sigma(\beta \mathbf{t})_j$ at $\beta = 0$, "
                r"with step $1/T$ ($g(0) = 0$)",
                r"因此梯度是 $g(\beta) = \sigma(\beta \mathbf{z})_j - \sigma(\beta \mathbf{t})_j$ "
                r"在 $\beta = 0$ 处、步长为 $1/T$ 的差商（$g(0) = 0$）",
            ),
            label="difference_quotient",
        ),
        Line(
            sp.Eq(sp.Subs(sp.Derivative(q(j, beta), beta), beta, 0), slope, evaluate=False),
            Text(
                r"the derivative of $\sigma(\beta \mathbf{z})_j$ at $\beta = 0$ is $\sigma_j (z_j - "
                r"\sum_l \sigma_l z_l)$ (see “Temperature: scaling the logits sharpens or flattens "
                r"softmax”) with every $\sigma_l = 1/K$",
                r"$\sigma(\beta \mathbf{z})_j$ 在 $\beta = 0$ 处的导数为 $\sigma_j (z_j - \sum_l \sigma_l z_l)$"
                r"（见“温度：所有输入乘以同一个系数，改变输出的“突起程度”（更尖锐或更平缓）”），"
                r"其中每个 $\sigma_l = 1/K$",
            ),
            label="slope",
        ),
        Line(
            sp.Eq(sp.Subs(sp.Derivative(gap, beta), beta, 0), limit, evaluate=False),
            Text(
                r"so $g'(0)$, the limit of the difference quotient as $T \to \infty$ (by the "
                r"definition of the derivative): for logits of mean zero the gradient tends to "
                r"$(z_j - t_j) / K$, matching the logits (Hinton, Vinyals and Dean, 2015). The "
                r"factor $T^2$ keeps this scale: without it the gradient $(q_j - p_j) / T$ would "
                r"vanish like $1/T^2$. (The limit itself is not a step here: it is $g'(0)$ by definition)",
                r"这就是 $g'(0)$；由导数的定义，它是 $T \to \infty$ 时差商的极限。"
                r"因此当输入的均值为零时，梯度趋于 $(z_j - t_j) / K$，即匹配输入（Hinton、Vinyals 与 Dean，2015）。"
                r"$T^2$ 因子保持了梯度的量级：没有它，梯度 $(q_j - p_j) / T$ 会像 $1/T^2$ 一样趋于 0。"
                r"（极限本身未作为推导步骤验证，它按定义等于 $g'(0)$）",
            ),
            label="high_temperature",
        ),
    ]


def label_smoothing(S: ClassSpace) -> list[Line]:
    i, j, k, z, y, K = S.i, S.j, S.k, S.z, S.y, S.K
    eps = sp.Symbol("epsilon", positive=True)

    def smoothed(n: sp.Expr) -> sp.Expr:
        with sp.evaluate(False):
            return (1 - eps) * y[n] + eps / K

    loss = -S.sum(smoothed(k) * sp.log(S.sigma(k)))
    with sp.evaluate(False):
        gradient = S.sigma(j) - (1 - eps) * y[j] - eps / K
        floor = smoothed(i) - eps / K
    return [
        Line(
            sp.Eq(S.sum(smoothed(k)), 1, evaluate=False),
            Text(
                r"the smoothed target $(1 - \varepsilon) \mathbf{y} + \varepsilon / K$, "
                r"$0 < \varepsilon \leq 1$, mixes the target with the uniform distribution; it "
                r"sums to 1 because $\mathbf{y}$ does",
                r"平滑后的目标 $(1 - \varepsilon) \mathbf{y} + \varepsilon / K$（$0 < \varepsilon \leq 1$）"
                r"是目标与均匀分布的混合；由 $\mathbf{y}$ 之和为 1，它的和也为 1",
            ),
            label="target",
        ),
        Line(
            sp.Eq(loss, S.lse() - S.sum(smoothed(k) * z[k]), evaluate=False),
            Text(
                r"$\log \sigma_k = z_k - \operatorname{LSE}(\mathbf{z})$ and the target sums to 1",
                r"由 $\log \sigma_k = z_k - \operatorname{LSE}(\mathbf{z})$，且目标之和为 1",
            ),
            label="loss",
        ),
        Line(
            sp.Eq(sp.Derivative(loss, z[j]), gradient, evaluate=False),
            Text(
                r"$\partial \operatorname{LSE} / \partial z_j = \sigma_j$: prediction minus the "
                r"smoothed target",
                r"由 $\partial \operatorname{LSE} / \partial z_j = \sigma_j$，梯度等于预测减去平滑后的目标",
            ),
            label="gradient",
        ),
        Line(
            sp.Eq(floor, (1 - eps) * y[i], evaluate=False),
            Text(
                r"each entry of the smoothed target exceeds $\varepsilon / K$ by "
                r"$(1 - \varepsilon) y_i \geq 0$ (for $\varepsilon \leq 1$, not a step here): "
                r"every entry is at least $\varepsilon / K > 0$, the target is never one-hot",
                r"平滑后目标的每个分量比 $\varepsilon / K$ 多出 $(1 - \varepsilon) y_i \geq 0$"
                r"（$\varepsilon \leq 1$ 时成立，未作为推导步骤验证）。因此每个分量都不小于 "
                r"$\varepsilon / K > 0$，目标永远不是 one-hot 向量",
            ),
            label="floor",
        ),
        Line(
            sp.Gt(-sp.log(S.sigma(i)), 0, evaluate=False),
            Text(
                r"with a one-hot target at class $i$ ($\varepsilon = 0$) the loss $-\log \sigma_i$ is "
                r"positive at every $\mathbf{z}$ ($\sigma_i < 1$) and its gradient $\sigma - \mathbf{y}$ "
                r"never vanishes: no finite logits are optimal. With $\varepsilon > 0$ the gradient "
                r"vanishes at $\mathbf{z} = \log((1 - \varepsilon) \mathbf{y} + \varepsilon / K)$ "
                r"(see “Softmax maps onto the open simplex; the logits come back up to a shift”), finite "
                r"logits, the minimum of the convex loss. Stated, not steps here: this minimizer, "
                r"and that the loss tends to 0 as $z_i - z_k \to \infty$",
                r"当目标是类别 $i$ 的 one-hot 向量（$\varepsilon = 0$）时，由 $\sigma_i < 1$，"
                r"损失 $-\log \sigma_i$ 在每个 $\mathbf{z}$ 处都为正，梯度 $\sigma - \mathbf{y}$ 永不为零，"
                r"所以不存在有限的最优输入。而当 $\varepsilon > 0$ 时，梯度在 "
                r"$\mathbf{z} = \log((1 - \varepsilon) \mathbf{y} + \varepsilon / K)$ 处为零"
                r"（见“Softmax 的像是整个开单纯形；由概率可以还原输入（相差一个平移）”），"
                r"这是有限的输入，也是凸损失的最小值点。"
                r"此最小值点以及 $z_i - z_k \to \infty$ 时损失趋于 0 均只作陈述，未作为推导步骤验证",
            ),
            label="one_hot",
        ),
    ]
