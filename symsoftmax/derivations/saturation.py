r"""Saturation: the entries of the softmax Jacobian are small, and vanish at a one-hot output.

.. math::

    \left|\frac{\partial \sigma_i}{\partial z_j}\right| \le \frac14, \qquad
    \left|\frac{\partial \sigma_i}{\partial z_j}\right| \le \sigma_i, \qquad
    \left|\frac{\partial \sigma_i}{\partial z_j}\right| \le 1 - \sigma_i,

and :math:`\sigma_i + \sigma_j \le 1` for :math:`i \ne j`: when one probability
:math:`\sigma_m` tends to 1 every entry of :math:`J` is at most :math:`1 - \sigma_m`, so
:math:`J \to 0` and a saturated softmax passes almost no gradient back.
"""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace

TITLE = Text(
    "Saturation: every Jacobian entry is at most 1/4 and vanishes at a one-hot output",
    "饱和：雅可比矩阵的每个元素都不超过 1/4，输出趋于 one-hot 时趋于 0",
)


def saturation(S: ClassSpace) -> list[Line]:
    i, j = S.i, S.j
    si, sj = S.sigma(i), S.sigma(j)
    J = sp.Derivative(si, S.z[j])
    quarter, half = sp.Rational(1, 4), sp.Rational(1, 2)
    with sp.evaluate(False):
        entry = si * (sp.KroneckerDelta(i, j) - sj)
        gap = quarter - si * (1 - si)
        square = (si - half) ** 2
        complement = 1 - si
    return [
        Line(
            sp.Eq(J, entry, evaluate=False),
            Text(
                r"the entries of the Jacobian (see “The Jacobian of softmax”)",
                r"雅可比矩阵的元素（见“Softmax 的雅可比矩阵（导数）”）",
            ),
            label="entry",
        ),
        Line(
            sp.Eq(gap, square, evaluate=False),
            Text(
                r"complete the square in $\sigma_i$",
                r"对 $\sigma_i$ 配方",
            ),
            label="square",
        ),
        Line(
            sp.Le(sp.Derivative(si, S.z[i]), quarter, evaluate=False),
            Text(
                r"so on the diagonal $\sigma_i (1 - \sigma_i) \leq 1/4$, with equality only at "
                r"$\sigma_i = 1/2$",
                r"因此对角元满足 $\sigma_i (1 - \sigma_i) \leq 1/4$，仅当 $\sigma_i = 1/2$ 时取等号",
            ),
            label="diagonal",
        ),
        Line(
            sp.Le(si + sj, 1, evaluate=False),
            Text(
                r"for $i \neq j$, $\sigma_i + \sigma_j$ is part of $\sum_k \sigma_k = 1$",
                r"当 $i \neq j$ 时，$\sigma_i + \sigma_j$ 是 $\sum_k \sigma_k = 1$ 中的两项",
            ),
            sp.Ne(i, j),
            label="pair",
        ),
        Line(
            sp.Le(si * sj, quarter, evaluate=False),
            Text(
                r"off the diagonal $|\partial \sigma_i / \partial z_j| = \sigma_i \sigma_j "
                r"\leq ((\sigma_i + \sigma_j)/2)^2 \leq 1/4$",
                r"非对角元 $|\partial \sigma_i / \partial z_j| = \sigma_i \sigma_j "
                r"\leq ((\sigma_i + \sigma_j)/2)^2 \leq 1/4$",
            ),
            sp.Ne(i, j),
            label="off_diagonal",
        ),
        Line(
            sp.Le(sp.Abs(J), quarter, evaluate=False),
            Text(
                r"both cases: $|\partial \sigma_i / \partial z_j| \leq 1/4$ for every $i$ and $j$, "
                r"whatever the logits",
                r"合并两种情形：无论输入取何值，对所有 $i$、$j$ 都有 $|\partial \sigma_i / \partial z_j| \leq 1/4$",
            ),
            label="bound",
        ),
        Line(
            sp.Le(sp.Abs(J), si, evaluate=False),
            Text(
                r"also $|\partial \sigma_i / \partial z_j| = \sigma_i |\delta_{ij} - \sigma_j| \leq \sigma_i$: "
                r"a row is small when its probability is",
                r"又 $|\partial \sigma_i / \partial z_j| = \sigma_i |\delta_{ij} - \sigma_j| \leq \sigma_i$："
                r"概率小的类别，其所在行的元素也小",
            ),
            label="row",
        ),
        Line(
            sp.Le(sp.Abs(J), complement, evaluate=False),
            Text(
                r"and $|\partial \sigma_i / \partial z_j| \leq 1 - \sigma_i$: $\sigma_i (1 - \sigma_i) \leq 1 - \sigma_i$ "
                r"and $\sigma_i \sigma_j \leq \sigma_j \leq 1 - \sigma_i$. So when one probability "
                r"$\sigma_m$ tends to 1 (a one-hot output), every entry of $J$ is at most $1 - \sigma_m$ "
                r"(row $m$ by this line, row $a \neq m$ by the previous two, $\sigma_a \leq 1 - \sigma_m$): "
                r"$J \to 0$, and a saturated softmax stops passing gradient back",
                r"以及 $|\partial \sigma_i / \partial z_j| \leq 1 - \sigma_i$：由 $\sigma_i (1 - \sigma_i) \leq 1 - \sigma_i$ "
                r"及 $\sigma_i \sigma_j \leq \sigma_j \leq 1 - \sigma_i$ 得。因此当某个概率 $\sigma_m$ 趋于 1"
                r"（输出趋于 one-hot 向量）时，$J$ 的每个元素都不超过 $1 - \sigma_m$"
                r"（第 $m$ 行由本行，第 $a \neq m$ 行由前两行及 $\sigma_a \leq 1 - \sigma_m$ 得），"
                r"于是 $J \to 0$：饱和的 Softmax 几乎不再向后传递梯度",
            ),
            label="one_hot",
        ),
    ]
