"""Second derivatives: the Hessian of log-sum-exp and the second derivative of softmax."""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace
from .jacobian import TITLE as JACOBIAN
from .jacobian import matrix_form
from .logsoftmax import LOG_SOFTMAX
from .products import PROPERTIES, _quadratic_form, _variance

LSE_HESSIAN = Text(
    "The Hessian of log-sum-exp: log-sum-exp is convex",
    "log-sum-exp 的 Hessian 矩阵：log-sum-exp 是凸函数",
)
SECOND = Text("The second derivative of softmax", "Softmax 的二阶导数")


def lse_hessian(S: ClassSpace) -> list[Line]:
    i, j, z, v, K = S.i, S.j, S.z, S.v, S.K
    lse = S.lse()
    si, sj = S.sigma(i), S.sigma(j)
    hessian = sp.Derivative(lse, z[i], z[j])
    _, variance = _variance(S, v)
    form = _quadratic_form(S, lambda a, b: sp.Derivative(lse, z[a], z[b]))
    lines = [
        Line(
            sp.Eq(sp.Derivative(lse, z[i]), si, evaluate=False),
            Text(
                f"the gradient of log-sum-exp is softmax (see “{LOG_SOFTMAX('en')}”)",
                f"由“{LOG_SOFTMAX('zh')}”，log-sum-exp 的梯度就是 Softmax",
            ),
            label="gradient",
        ),
        Line(
            sp.Eq(hessian, sp.Derivative(si, z[j]), evaluate=False),
            Text("differentiate the gradient once more", "对梯度再求一次偏导"),
            label="differentiate",
        ),
        Line(
            sp.Eq(hessian, si * (sp.KroneckerDelta(i, j) - sj), evaluate=False),
            Text(
                rf"the Jacobian of softmax (see “{JACOBIAN('en')}”): entry $(i, j)$ of "
                r"$\nabla^2 \operatorname{LSE} = \operatorname{diag}(\sigma) - \sigma \sigma^{T}$",
                rf"由“{JACOBIAN('zh')}”得下式，可见 LSE 的 Hessian 矩阵就是 Softmax 的雅可比矩阵；"
                "下式是 "
                r"$\nabla^2 \operatorname{LSE} = \operatorname{diag}(\sigma) - \sigma \sigma^{T}$ "
                r"的第 $(i, j)$ 个元素",
            ),
            label="hessian",
        ),
        Line(
            sp.Eq(form, variance, evaluate=False),
            Text(
                r"$v^{T} \nabla^2 \operatorname{LSE}\, v$ is the variance of $v$ under $\sigma$ "
                rf"(see “{PROPERTIES('en')}”)",
                rf"由“{PROPERTIES('zh')}”，"
                r"$v^{T} \nabla^2 \operatorname{LSE}\, v$ 是 $v$ 在分布 $\sigma$ 下的方差",
            ),
            label="quadratic_form",
        ),
        Line(
            sp.Ge(variance, 0, evaluate=False),
            Text(
                "nonnegative for every $v$: the Hessian is positive semidefinite everywhere, "
                r"so log-sum-exp is convex (a function on $\mathbb{R}^K$ whose Hessian is "
                "positive semidefinite everywhere is convex)",
                "方差对任意 $v$ 都非负，因此 Hessian 矩阵处处半正定。而 Hessian 矩阵在 "
                r"$\mathbb{R}^K$ 上处处半正定的函数是凸函数，所以 log-sum-exp 是凸函数",
            ),
            label="semidefinite",
        ),
    ]
    if not S.symbolic:
        n = int(K)
        H = sp.ImmutableMatrix(n, n, lambda a, b: sp.Derivative(lse, z[a + 1], z[b + 1]))
        lines.append(
            Line(
                sp.Eq(H, matrix_form(S), evaluate=False),
                Text(
                    r"the whole Hessian matrix: $\operatorname{diag}(\sigma) - \sigma \sigma^{T}$",
                    r"写成整个 Hessian 矩阵，即 $\operatorname{diag}(\sigma) - \sigma \sigma^{T}$",
                ),
                label="matrix",
            )
        )
    return lines


def second_derivative(S: ClassSpace) -> list[Line]:
    i, j, l, z = S.i, S.j, S.l, S.z
    si, sj, sl = S.sigma(i), S.sigma(j), S.sigma(l)
    d_ij, d_il, d_jl = (sp.KroneckerDelta(a, b) for a, b in ((i, j), (i, l), (j, l)))
    second = sp.Derivative(si, z[j], z[l])
    first = si * (d_ij - sj)
    with sp.evaluate(False):
        product_rule = sp.Derivative(si, z[l]) * (d_ij - sj) - si * sp.Derivative(sj, z[l])
        twice = si * (d_il - sl) * (d_ij - sj) - si * sj * (d_jl - sl)
        closed = si * (d_ij * d_il - d_ij * sl - d_il * sj - d_jl * sj + 2 * sj * sl)
    return [
        Line(
            sp.Eq(second, sp.Derivative(first, z[l]), evaluate=False),
            Text(
                r"differentiate the Jacobian entry $\sigma_i (\delta_{ij} - \sigma_j)$ "
                rf"(see “{JACOBIAN('en')}”) with respect to $z_l$",
                rf"由“{JACOBIAN('zh')}”，将雅可比矩阵的元素 "
                r"$\sigma_i (\delta_{ij} - \sigma_j)$ 对 $z_l$ 求偏导",
            ),
            label="differentiate",
        ),
        Line(
            sp.Eq(second, product_rule, evaluate=False),
            Text(
                r"product rule; $\delta_{ij}$ is a constant",
                r"由乘积的求导法则，其中 $\delta_{ij}$ 是常数",
            ),
            label="product_rule",
        ),
        Line(
            sp.Eq(second, twice, evaluate=False),
            Text(
                r"the Jacobian again, for $\sigma_i$ and for $\sigma_j$",
                r"对 $\sigma_i$ 与 $\sigma_j$ 再次应用雅可比矩阵的公式",
            ),
            label="jacobian_again",
        ),
        Line(
            sp.Eq(second, closed, evaluate=False),
            Text(
                r"expanded: a closed form in Kronecker deltas",
                r"展开后得到用 Kronecker $\delta$ 表示的闭合形式",
            ),
            label="second",
        ),
        Line(
            sp.Eq(second, sp.Derivative(si, z[l], z[j]), evaluate=False),
            Text(
                r"the mixed partial derivatives agree (Schwarz): the second derivative is "
                r"symmetric in $j$ and $l$",
                r"由 Schwarz 定理，混合偏导数相等，因此二阶导数关于 $j$ 与 $l$ 对称",
            ),
            label="symmetric",
        ),
    ]
