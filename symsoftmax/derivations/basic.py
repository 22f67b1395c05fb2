"""The properties of the source note: definition, normalization, range, shift invariance."""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace

DEFINITION = Text("The softmax function", "Softmax 函数的定义")
NORMALIZATION = Text("The outputs of softmax sum to 1", "Softmax 的输出之和为 1")
RANGE = Text("Every output of softmax lies in (0, 1)", "Softmax 的每个输出都属于区间 (0, 1)")
SHIFT = Text(
    "Adding a constant to every logit does not change softmax",
    "所有输入同时加上同一个常数，Softmax 不变（平移不变性）",
)


def _exp_sum(S: ClassSpace, over: sp.Symbol | None = None, shift: sp.Expr = 0) -> sp.Expr:
    k = over or S.k
    with sp.evaluate(False):  # z_k + c, as written
        exponent = S.z[k] + shift if shift != 0 else S.z[k]
    return sp.Sum(sp.exp(exponent), (k, 1, S.K))


def definition(S: ClassSpace) -> list[Line]:
    i, z = S.i, S.z
    sigma = S.sigma(i)
    lines = [
        Line(
            sp.Eq(sigma, sp.exp(z[i]) / _exp_sum(S)),
            Text(
                r"definition, for $i = 1, \dots, K$ and $\mathbf{z} \in \mathbb{R}^K$, with $K > 1$ classes",
                r"定义如下，其中 $i = 1, \dots, K$，$\mathbf{z} \in \mathbb{R}^K$，类别数 $K > 1$",
            ),
            label="definition",
        ),
        Line(
            sp.Contains(sigma, sp.Interval.open(0, 1), evaluate=False),
            Text(
                rf"each output lies in $(0, 1)$ (see “{RANGE('en')}”): $\sigma$ maps "
                r"$\mathbb{R}^K$ to $(0, 1)^K$",
                r"由“Softmax 的每个输出都属于区间 $(0, 1)$”，$\sigma$ 把 $\mathbb{R}^K$ 映到 "
                r"$(0, 1)^K$",
            ),
            label="open_interval",
        ),
        Line(
            sp.Eq(sp.Sum(S.sigma(S.k), (S.k, 1, S.K)), 1),
            Text(
                rf"the outputs sum to 1 (see “{NORMALIZATION('en')}”): with the previous line, "
                r"$\sigma(\mathbf{z})_k$ reads as the probability "
                r"$P(\text{class } k \mid \mathbf{z})$ of class $k$ among the $K$ classes",
                rf"由“{NORMALIZATION('zh')}”，各分量之和为 1；结合上一行，"
                r"$\sigma(\mathbf{z})_k$ 可以看作 $K$ 个类别中第 $k$ 类的概率 "
                r"$P(\text{类别 } k \mid \mathbf{z})$",
            ),
            label="sums_to_one",
        ),
    ]
    if not S.symbolic:
        K = int(S.K)
        total = _exp_sum(S)
        with sp.evaluate(False):
            vector = sp.MatMul(
                1 / total, sp.ImmutableMatrix([sp.exp(z[n]) for n in range(1, K + 1)])
            )
        lines.append(
            Line(
                sp.Eq(sp.ImmutableMatrix([S.sigma(n) for n in range(1, K + 1)]), vector),
                Text(
                    "the whole vector at once: one common factor times the exponentials",
                    "写成向量形式，即公因子乘以各分量的指数组成的向量",
                ),
                label="vector_form",
            )
        )
    return lines


def normalization(S: ClassSpace) -> list[Line]:
    i, z = S.i, S.z
    total = sp.Sum(S.sigma(i), (i, 1, S.K))
    denominator = _exp_sum(S)
    numerator = sp.Sum(sp.exp(z[i]), (i, 1, S.K))
    with sp.evaluate(False):
        ratio = sp.exp(z[i]) / denominator
        outside = numerator / denominator
    each = sp.Sum(ratio, (i, 1, S.K))
    lines = [
        Line(
            sp.Eq(total, each),
            Text(r"definition of $\sigma(\mathbf{z})_i$", r"由 $\sigma(\mathbf{z})_i$ 的定义"),
            label="definition",
        ),
        Line(
            sp.Eq(total, outside),
            Text(
                "the denominator does not depend on $i$: take it out of the sum",
                "分母与 $i$ 无关，可提到求和号外",
            ),
            label="common_denominator",
        ),
        Line(
            sp.Eq(total, 1, evaluate=False),
            Text(
                "numerator and denominator are the same sum (the name of the index is immaterial)",
                "分子与分母是同一个和（求和指标换个字母不改变和）",
            ),
            label="sum_is_one",
        ),
    ]
    if not S.symbolic:
        with sp.evaluate(False):
            explicit = sp.Add(*[S.sigma(n) for n in range(1, int(S.K) + 1)])
        lines.append(
            Line(
                sp.Eq(explicit, 1, evaluate=False),
                Text(f"written out for $K = {S.K}$", f"当 $K = {S.K}$ 时逐项写出"),
                label="written_out",
            )
        )
    return lines


def range_(S: ClassSpace) -> list[Line]:
    i, j, k, z = S.i, S.j, S.k, S.z
    sigma = S.sigma(i)
    sigma_sum = _exp_sum(S)
    others = sp.Sum((1 - sp.KroneckerDelta(i, k)) * sp.exp(z[k]), (k, 1, S.K))
    with sp.evaluate(False):
        complement = (sigma_sum - sp.exp(z[i])) / sigma_sum
    return [
        Line(
            sp.Gt(sp.exp(z[j]), 0, evaluate=False),
            Text("the exponential of a real number is positive", "指数函数在实数上取正值"),
            label="exp_positive",
        ),
        Line(
            sp.Gt(sigma_sum, 0, evaluate=False),
            Text("a sum of $K$ positive terms is positive", "由上式，$K$ 个正数之和为正数"),
            label="sum_positive",
        ),
        Line(
            sp.Gt(sigma, 0, evaluate=False),
            Text(
                r"$\sigma(\mathbf{z})_i$ is a positive number over a positive number",
                r"由定义，$\sigma(\mathbf{z})_i$ 是两个正数之商，因此为正",
            ),
            label="positive",
        ),
        Line(
            sp.Eq(1 - sigma, complement, evaluate=False),
            Text(
                "subtract from 1 over the common denominator",
                r"通分，用 1 减去 $\sigma(\mathbf{z})_i$",
            ),
            label="one_minus",
        ),
        Line(
            sp.Eq(sigma_sum - sp.exp(z[i]), others, evaluate=False),
            Text(
                r"the numerator is the sum over the $K - 1$ classes $k \neq i$",
                r"分子是对其余 $K - 1$ 个类别 $k \neq i$ 求和",
            ),
            label="others",
        ),
        Line(
            sp.Gt(others, 0, evaluate=False),
            Text(
                r"$K \geq 2$, so at least one positive term remains",
                r"由 $K \geq 2$，和中至少还有一个正项",
            ),
            label="others_positive",
        ),
        Line(
            sp.Lt(sigma, 1, evaluate=False),
            Text(
                r"by the previous three lines, $1 - \sigma(\mathbf{z})_i$ is a positive number "
                r"over the positive $\sum_k e^{z_k}$",
                r"由以上三行，$1 - \sigma(\mathbf{z})_i$ 是正数除以正数 $\sum_k e^{z_k}$，"
                "因此为正",
            ),
            label="below_one",
        ),
        Line(
            sp.Contains(sigma, sp.Interval.open(0, 1), evaluate=False),
            Text(
                r"both bounds: $\sigma$ maps $\mathbb{R}^K$ to $(0, 1)^K$",
                r"结合上下两个界，$\sigma$ 把 $\mathbb{R}^K$ 映到 $(0, 1)^K$",
            ),
            label="in_unit_interval",
        ),
    ]


def shift_invariance(S: ClassSpace) -> list[Line]:
    i, k, z = S.i, S.k, S.z
    c = sp.Symbol("c", real=True)
    shifted = S.sigma(i, S.vector(shift=c))
    shifted_sum, plain_sum = _exp_sum(S, shift=c), _exp_sum(S)
    with sp.evaluate(False):
        split_term = sp.exp(c) * sp.exp(z[k])
    split_sum = sp.Sum(split_term, (k, 1, S.K))
    with sp.evaluate(False):
        split_num = sp.exp(c) * sp.exp(z[i])
        forms = [
            sp.exp(z[i] + c) / shifted_sum,
            split_num / split_sum,
            split_num / (sp.exp(c) * plain_sum),
        ]
    reasons = [
        Text(
            r"definition, applied to $\mathbf{z} + c \mathbf{1}$ for a real $c$",
            r"由定义，把 $\mathbf{z}$ 换成 $\mathbf{z} + c \mathbf{1}$（$c$ 为任意实数）",
        ),
        Text(
            "$e^{z_k + c} = e^c e^{z_k}$, in numerator and denominator",
            "由指数运算法则，分子分母中 $e^{z_k + c} = e^c e^{z_k}$",
        ),
        Text(
            "$e^c$ does not depend on $k$: take it out of the sum",
            "$e^c$ 与 $k$ 无关，可提到求和号外",
        ),
    ]
    labels = ["shifted_definition", "exp_of_sum", "factor_out"]
    lines = [
        Line(sp.Eq(shifted, f, evaluate=False), r, label=label)
        for f, r, label in zip(forms, reasons, labels, strict=True)
    ]
    lines += [
        Line(
            sp.Eq(shifted, sp.exp(z[i]) / _exp_sum(S), evaluate=False),
            Text(
                "cancel the common factor $e^c > 0$ of numerator and denominator",
                "分子分母约去公因子 $e^c > 0$",
            ),
            label="cancel",
        ),
        Line(
            sp.Eq(shifted, S.sigma(i), evaluate=False),
            Text(
                r"the definition of $\sigma(\mathbf{z})_i$: adding $c$ to every logit changes nothing",
                r"右边正是 $\sigma(\mathbf{z})_i$ 的定义，因此所有输入都加上同一个 $c$ 时结果不变",
            ),
            label="invariant",
        ),
    ]
    return lines
