"""The Jacobian of softmax, derived case by case as the source note does."""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace, Sigmoid

TITLE = Text("The Jacobian of softmax", "Softmax 的雅可比矩阵（导数）")


def _quotient(
    total: sp.Expr, numerator: sp.Expr, numerator_derivative: sp.Expr, sum_derivative: sp.Expr
) -> sp.Expr:
    """(N' Σ - N Σ') / Σ², unevaluated."""
    with sp.evaluate(False):
        return (numerator_derivative * total - numerator * sum_derivative) / total**2


def _minus(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """a - b as written (SymPy would print -b + a)."""
    return sp.Add(a, sp.Mul(-1, b, evaluate=False), evaluate=False)


def matrix_form(S: ClassSpace) -> sp.ImmutableMatrix:
    """diag(sigma) - sigma sigma^T written out for a concrete K, entries as in the note:
    sigma_a (1 - sigma_a) on the diagonal, -sigma_a sigma_b off it (unevaluated)."""
    n = int(S.K)
    sigma = [S.sigma(a) for a in range(1, n + 1)]
    with sp.evaluate(False):
        return sp.ImmutableMatrix(
            n, n, lambda a, b: sigma[a] * (1 - sigma[a]) if a == b else -(sigma[a] * sigma[b])
        )


def jacobian(S: ClassSpace) -> list[Line]:
    i, j, k, z, K = S.i, S.j, S.k, S.z, S.K
    si, sj = S.sigma(i), S.sigma(j)
    total = sp.Sum(sp.exp(z[k]), (k, 1, K))
    d_ij = sp.Derivative(si, z[j])
    d_ii = sp.Derivative(si, z[i])
    ezi, ezj = sp.exp(z[i]), sp.exp(z[j])
    same = [_quotient(total, ezi, ezi, ezi)]
    other = [_quotient(total, ezi, sp.S.Zero, ezj)]
    with sp.evaluate(False):
        ratio_i = ezi / total
        ratio_j = ezj / total
        same += [ratio_i * ((total - ezi) / total), ratio_i * (1 - ratio_i)]
        other += [-(ratio_i * ratio_j)]
    lines = [
        Line(
            sp.Eq(d_ij, sp.Derivative(sp.exp(z[i]) / total, z[j]), evaluate=False),
            Text(
                r"definition: $\sigma_i = e^{z_i} / \Sigma_K$ with $\Sigma_K = \sum_k e^{z_k}$",
                r"由定义，$\sigma_i = e^{z_i} / \Sigma_K$，其中 $\Sigma_K = \sum_k e^{z_k}$",
            ),
            label="definition",
            names={total: "Sigma_K"},
        ),
        Line(
            sp.Eq(
                d_ij,
                _quotient(total, ezi, sp.Derivative(ezi, z[j]), sp.Derivative(total, z[j])),
                evaluate=False,
            ),
            Text("quotient rule", "商的求导法则"),
            label="quotient_rule",
        ),
        Line(
            sp.Eq(sp.Derivative(total, z[j]), sp.exp(z[j]), evaluate=False),
            Text(
                r"only the term $k = j$ of $\Sigma_K$ depends on $z_j$",
                r"$\Sigma_K$ 中只有 $k = j$ 这一项依赖于 $z_j$",
            ),
            label="sum_derivative",
        ),
    ]
    same_reasons = [
        Text("the derivative of the numerator is $e^{z_i}$", "分情况讨论：分子的导数为 $e^{z_i}$"),
        Text(r"factor out $e^{z_i} / \Sigma_K$", r"提出公因子 $e^{z_i} / \Sigma_K$"),
        Text("split the fraction", "拆开分式"),
    ]
    same_labels = ["same_numerator", "same_factor", "same_split"]
    lines += [
        Line(sp.Eq(d_ii, f, evaluate=False), r, sp.Eq(i, j), label)
        for f, r, label in zip(same, same_reasons, same_labels, strict=True)
    ]
    lines.append(
        Line(
            sp.Eq(d_ii, sp.Mul(si, 1 - si, evaluate=False), evaluate=False),
            Text(r"definition of $\sigma_i$", r"$\sigma_i$ 的定义"),
            sp.Eq(i, j),
            label="case_same",
        )
    )
    other_reasons = [
        Text("$e^{z_i}$ does not depend on $z_j$", "$e^{z_i}$ 与 $z_j$ 无关"),
        Text("split the fraction", "拆开分式"),
    ]
    other_labels = ["other_numerator", "other_split"]
    lines += [
        Line(sp.Eq(d_ij, f, evaluate=False), r, sp.Ne(i, j), label)
        for f, r, label in zip(other, other_reasons, other_labels, strict=True)
    ]
    lines += [
        Line(
            sp.Eq(d_ij, sp.Mul(-1, si, sj, evaluate=False), evaluate=False),
            Text(r"definition of $\sigma_i$ and $\sigma_j$", r"$\sigma_i$ 与 $\sigma_j$ 的定义"),
            sp.Ne(i, j),
            label="case_other",
        ),
        Line(
            sp.Eq(
                d_ij,
                sp.Mul(si, _minus(sp.KroneckerDelta(i, j), sj), evaluate=False),
                evaluate=False,
            ),
            Text(
                r"both cases at once, with the Kronecker delta $\delta_{ij}$",
                r"用 Kronecker $\delta_{ij}$ 把两种情况合写成一个公式",
            ),
            label="entry",
        ),
    ]
    if not S.symbolic:
        n = int(K)
        J = sp.ImmutableMatrix(n, n, lambda a, b: sp.Derivative(S.sigma(a + 1), z[b + 1]))
        lines.append(
            Line(
                sp.Eq(J, matrix_form(S), evaluate=False),
                Text(
                    r"in matrix form: $J = \operatorname{diag}(\sigma) - \sigma \sigma^{T}$",
                    r"写成矩阵形式：$J = \operatorname{diag}(\sigma) - \sigma \sigma^{T}$",
                ),
                label="matrix",
            )
        )
    # The remark of the note, proved: the diagonal is the sigmoid's derivative s (1 - s)
    # at x = z_i - log Σ_{k≠i} e^{z_k} (derivation 'sigmoid').
    x = sp.Symbol("x", real=True)
    rest = sp.Sum((1 - sp.KroneckerDelta(i, k)) * sp.exp(z[k]), (k, 1, K))
    lines += [
        Line(
            sp.Eq(
                sp.Derivative(Sigmoid(x), x),
                sp.Mul(Sigmoid(x), _minus(1, Sigmoid(x)), evaluate=False),
                evaluate=False,
            ),
            Text(
                "the derivative of the logistic sigmoid $s$ is $s (1 - s)$",
                "Sigmoid 函数 $s$ 的导数为 $s (1 - s)$",
            ),
            label="sigmoid_slope",
        ),
        Line(
            sp.Eq(
                sp.Derivative(si, z[i]),
                sp.Subs(sp.Derivative(Sigmoid(x), x), x, _minus(z[i], sp.log(rest))),
                evaluate=False,
            ),
            Text(
                r"so the diagonal entry is the sigmoid's derivative at $z_i - \log \sum_{k \neq i} e^{z_k}$ (see “One logit alone moves its probability along a sigmoid”)",
                r"所以对角元正是 Sigmoid 函数在 $z_i - \log \sum_{k \neq i} e^{z_k}$ 处的导数（见“单独改变某一个输入，其对应概率的变化符合 Sigmoid 函数曲线”）",
            ),
            label="sigmoid_diagonal",
        ),
    ]
    return lines
