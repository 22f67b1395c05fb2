"""The Jacobian of softmax, derived case by case as the source note does."""

from __future__ import annotations

import sympy as sp

from ..derivation import Text
from ..functions import Sigmoid
from ..space import ClassSpace
from . import Line

TITLE = Text("The Jacobian of softmax", "Softmax 的雅可比矩阵 (导数)")


def _quotient(S: ClassSpace, numerator_derivative: sp.Expr, sum_derivative: sp.Expr) -> sp.Expr:
    """(N' Σ - N Σ') / Σ², unevaluated, with N = e^{z_i} and Σ = Σ_k e^{z_k}."""
    total = sp.Sum(sp.exp(S.z[S.k]), (S.k, 1, S.K))
    with sp.evaluate(False):
        return (numerator_derivative * total - sp.exp(S.z[S.i]) * sum_derivative) / total**2


def jacobian(S: ClassSpace) -> list[Line]:
    i, j, k, z, K = S.i, S.j, S.k, S.z, S.K
    si, sj = S.sigma(i), S.sigma(j)
    total = sp.Sum(sp.exp(z[k]), (k, 1, K))
    d_ij = sp.Derivative(si, z[j])
    d_ii = sp.Derivative(si, z[i])
    with sp.evaluate(False):
        ratio_i = sp.exp(z[i]) / total
        ratio_j = sp.exp(z[j]) / total
        same = [
            _quotient(S, sp.exp(z[i]), sp.exp(z[i])),
            ratio_i * ((total - sp.exp(z[i])) / total),
            ratio_i * (1 - ratio_i),
        ]
        other = [_quotient(S, sp.S.Zero, sp.exp(z[j])), -(ratio_i * ratio_j)]
    lines = [
        Line(
            sp.Eq(d_ij, sp.Derivative(sp.exp(z[i]) / total, z[j]), evaluate=False),
            Text(
                "definition: σ_i = e^{z_i} / Σ_K with Σ_K = Σ_k e^{z_k}",
                "定义: σ_i = e^{z_i} / Σ_K, 其中 Σ_K = Σ_k e^{z_k}",
            ),
        ),
        Line(
            sp.Eq(
                d_ij,
                _quotient(S, sp.Derivative(sp.exp(z[i]), z[j]), sp.Derivative(total, z[j])),
                evaluate=False,
            ),
            Text("quotient rule", "商的求导法则"),
        ),
        Line(
            sp.Eq(sp.Derivative(total, z[j]), sp.exp(z[j]), evaluate=False),
            Text(
                "only the term k = j of Σ_K depends on z_j",
                "Σ_K 中只有 k = j 这一项依赖于 z_j",
            ),
        ),
    ]
    same_reasons = [
        Text("case i = j: the numerator's derivative is e^{z_i}", "分情况讨论, i = j: 分子的导数为 e^{z_i}"),
        Text("factor out e^{z_i} / Σ_K", "提出公因子 e^{z_i} / Σ_K"),
        Text("split the fraction", "拆开分式"),
    ]
    lines += [
        Line(sp.Eq(d_ii, f, evaluate=False), r, sp.Eq(i, j)) for f, r in zip(same, same_reasons)
    ]
    lines.append(
        Line(
            sp.Eq(d_ii, si * (1 - si), evaluate=False),
            Text("definition of σ_i", "σ_i 的定义"),
            sp.Eq(i, j),
        )
    )
    other_reasons = [
        Text("case i ≠ j: e^{z_i} does not depend on z_j", "分情况讨论, i ≠ j: e^{z_i} 与 z_j 无关"),
        Text("split the fraction", "拆开分式"),
    ]
    lines += [
        Line(sp.Eq(d_ij, f, evaluate=False), r, sp.Ne(i, j)) for f, r in zip(other, other_reasons)
    ]
    lines += [
        Line(
            sp.Eq(d_ij, -si * sj, evaluate=False),
            Text("definition of σ_i and σ_j", "σ_i 与 σ_j 的定义"),
            sp.Ne(i, j),
        ),
        Line(
            sp.Eq(d_ij, si * (sp.KroneckerDelta(i, j) - sj), evaluate=False),
            Text(
                "both cases at once, with the Kronecker delta δ_ij",
                "用 Kronecker δ_ij 把两种情况合成一个公式",
            ),
        ),
    ]
    if not S.symbolic:
        n = int(K)
        sigma = sp.ImmutableMatrix([S.sigma(a) for a in range(1, n + 1)])
        J = sp.ImmutableMatrix(n, n, lambda a, b: sp.Derivative(S.sigma(a + 1), z[b + 1]))
        with sp.evaluate(False):
            form = sp.MatAdd(sp.diag(*sigma), -sp.MatMul(sigma, sigma.T))
        lines.append(
            Line(
                sp.Eq(J, form, evaluate=False),
                Text(
                    "in matrix form: J = diag(σ) - σ σ^T",
                    "写成矩阵形式: J = diag(σ) - σ σ^T",
                ),
            )
        )
    # The remark of the note, proved: the diagonal is the sigmoid's derivative s (1 - s)
    # at x = z_i - log Σ_{k≠i} e^{z_k} (derivation 'sigmoid').
    x = sp.Symbol("x", real=True)
    rest = sp.Sum((1 - sp.KroneckerDelta(i, k)) * sp.exp(z[k]), (k, 1, K))
    lines += [
        Line(
            sp.Eq(sp.Derivative(Sigmoid(x), x), Sigmoid(x) * (1 - Sigmoid(x)), evaluate=False),
            Text(
                "the derivative of the logistic sigmoid is s (1 - s)",
                "Sigmoid 函数的导数为 s (1 - s)",
            ),
        ),
        Line(
            sp.Eq(
                sp.Derivative(si, z[i]),
                sp.Subs(sp.Derivative(Sigmoid(x), x), x, z[i] - sp.log(rest)),
                evaluate=False,
            ),
            Text(
                "so the diagonal entry is the sigmoid's derivative at z_i - log Σ_{k≠i} e^{z_k}",
                "所以对角元正是 Sigmoid 在 z_i - log Σ_{k≠i} e^{z_k} 处的导数",
            ),
        ),
    ]
    return lines


def conclusion(lines: list[Line]) -> sp.Basic:
    """The unified entry formula ∂σ_i/∂z_j = σ_i (δ_ij - σ_j)."""
    return next(ln.expr for ln in lines if ln.expr.has(sp.KroneckerDelta) and ln.case is None)
