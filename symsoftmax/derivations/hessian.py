"""Second derivatives: the Hessian of log-sum-exp and the second derivative of softmax."""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace
from .jacobian import matrix_form
from .products import _quadratic_form, _variance

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
                "the gradient of log-sum-exp is softmax (derivation log\\_softmax)",
                "log-sum-exp 的梯度就是 Softmax（见推导 log\\_softmax）",
            ),
            label="gradient",
        ),
        Line(
            sp.Eq(hessian, sp.Derivative(si, z[j]), evaluate=False),
            Text("differentiate the gradient once more", "对梯度再求一次导"),
            label="differentiate",
        ),
        Line(
            sp.Eq(hessian, si * (sp.KroneckerDelta(i, j) - sj), evaluate=False),
            Text(
                r"the Hessian of LSE is the Jacobian of softmax: "
                r"$\nabla^2 \operatorname{LSE} = \operatorname{diag}(\sigma) - \sigma \sigma^{T}$",
                r"LSE 的 Hessian 矩阵就是 Softmax 的雅可比矩阵："
                r"$\nabla^2 \operatorname{LSE} = \operatorname{diag}(\sigma) - \sigma \sigma^{T}$",
            ),
            label="hessian",
        ),
        Line(
            sp.Eq(form, variance, evaluate=False),
            Text(
                r"$v^{T} \nabla^2 \operatorname{LSE}\, v$ is the variance of $v$ under $\sigma$ (derivation jacobian\_properties)",
                r"$v^{T} \nabla^2 \operatorname{LSE}\, v$ 是 $v$ 关于分布 $\sigma$ 的方差（见推导 jacobian\_properties）",
            ),
            label="quadratic_form",
        ),
        Line(
            sp.Ge(variance, 0, evaluate=False),
            Text(
                "nonnegative for every $v$: the Hessian is positive semidefinite everywhere, "
                "so log-sum-exp is convex",
                "对任意 $v$ 非负：Hessian 矩阵处处半正定，所以 log-sum-exp 是凸函数",
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
                    r"整个 Hessian 矩阵：$\operatorname{diag}(\sigma) - \sigma \sigma^{T}$",
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
                r"differentiate the Jacobian entry $\sigma_i (\delta_{ij} - \sigma_j)$ (derivation jacobian) with respect to $z_l$",
                r"将雅可比矩阵的元素 $\sigma_i (\delta_{ij} - \sigma_j)$（见推导 jacobian）对 $z_l$ 求偏导",
            ),
            label="differentiate",
        ),
        Line(
            sp.Eq(second, product_rule, evaluate=False),
            Text(
                r"product rule; $\delta_{ij}$ is a constant",
                r"乘积的求导法则；$\delta_{ij}$ 是常数",
            ),
            label="product_rule",
        ),
        Line(
            sp.Eq(second, twice, evaluate=False),
            Text(
                r"the Jacobian again, for $\sigma_i$ and for $\sigma_j$",
                r"对 $\sigma_i$ 与 $\sigma_j$ 再次使用雅可比矩阵的公式",
            ),
            label="jacobian_again",
        ),
        Line(
            sp.Eq(second, closed, evaluate=False),
            Text(
                r"expanded: a closed form in Kronecker deltas, symmetric in $j$ and $l$",
                r"展开：得到用 Kronecker $\delta$ 表示的闭合形式，关于 $j$ 与 $l$ 对称",
            ),
            label="second",
        ),
        Line(
            sp.Eq(second, sp.Derivative(si, z[l], z[j]), evaluate=False),
            Text(
                "the mixed partial derivatives agree (Schwarz)",
                "混合偏导数相等（Schwarz 定理）",
            ),
            label="symmetric",
        ),
    ]
