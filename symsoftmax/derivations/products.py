"""Products with the Jacobian: its structure (symmetry, null space, definiteness, trace, rank)
and the O(K) Jacobian-vector product."""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace

PROPERTIES = Text("Properties of the softmax Jacobian", "Softmax 雅可比矩阵的性质")
JVP = Text("Jacobian-vector products in O(K)", "以 O(K) 的计算量求雅可比矩阵与向量之积")


def _variance(S: ClassSpace, v: sp.IndexedBase) -> tuple[sp.Expr, sp.Expr]:
    """(<sigma, v>, sum_k sigma_k (v_k - <sigma, v>)^2): the mean and variance of v under sigma."""
    k, l, K = S.k, S.l, S.K
    mean = sp.Sum(S.sigma(l) * v[l], (l, 1, K))
    return mean, sp.Sum(S.sigma(k) * (v[k] - mean) ** 2, (k, 1, K))


def _quadratic_form(S: ClassSpace, entry) -> sp.Expr:
    """sum_i sum_j v_i entry(i, j) v_j, with i and j bound."""
    i, j, v, K = S.i, S.j, S.v, S.K
    return sp.Sum(sp.Sum(v[i] * entry(i, j) * v[j], (j, 1, K)), (i, 1, K))


def _rank_example(S: ClassSpace) -> ClassSpace:
    """The space in which the determinant of the leading minor is shown (a small K)."""
    return S if not S.symbolic and int(S.K) <= 4 else ClassSpace.of(3)


def jacobian_properties(S: ClassSpace) -> list[Line]:
    i, j, k, z, v, K = S.i, S.j, S.k, S.z, S.v, S.K
    c = sp.Symbol("c", real=True)
    t = sp.Symbol("t", real=True)
    d_ij = sp.Derivative(S.sigma(i), z[j])
    row = sp.Sum(d_ij, (j, 1, K))
    mean, variance = _variance(S, v)
    form = _quadratic_form(S, lambda a, b: sp.Derivative(S.sigma(a), z[b]))
    constant_mean = sp.Sum(S.sigma(S.l) * t, (S.l, 1, K))
    constant_variance = sp.Sum(S.sigma(k) * (t - constant_mean) ** 2, (k, 1, K))
    R = _rank_example(S)
    n = int(R.K)
    minor = sp.ImmutableMatrix(n - 1, n - 1, lambda a, b: sp.Derivative(R.sigma(a + 1), R.z[b + 1]))
    moment = sp.Sum(S.sigma(k) * v[k] ** 2, (k, 1, K))
    with sp.evaluate(False):
        product = sp.Mul(*(R.sigma(a) for a in range(1, n + 1)))
        second_moment = moment - mean**2
    squares = sp.Sum(S.sigma(i) ** 2, (i, 1, K))
    return [
        Line(
            sp.Eq(d_ij, sp.Derivative(S.sigma(j), z[i]), evaluate=False),
            Text(
                r"$\sigma_i (\delta_{ij} - \sigma_j) = \sigma_i \delta_{ij} - \sigma_i \sigma_j$ "
                r"is symmetric in $i, j$: $J = J^{T}$",
                r"$\sigma_i (\delta_{ij} - \sigma_j) = \sigma_i \delta_{ij} - \sigma_i \sigma_j$ "
                r"关于 $i, j$ 对称：$J = J^{T}$",
            ),
            label="symmetric",
        ),
        Line(
            sp.Eq(
                row,
                sp.Subs(sp.Derivative(S.sigma(i, S.vector(shift=c)), c), c, 0),
                evaluate=False,
            ),
            Text(
                r"chain rule: $\frac{d}{dc} \sigma(\mathbf{z} + c \mathbf{1})_i = \sum_j \frac{\partial \sigma_i}{\partial z_j}$",
                r"链式法则：$\frac{d}{dc} \sigma(\mathbf{z} + c \mathbf{1})_i = \sum_j \frac{\partial \sigma_i}{\partial z_j}$",
            ),
            label="chain_rule",
        ),
        Line(
            sp.Eq(row, 0, evaluate=False),
            Text(
                r"$\sigma(\mathbf{z} + c \mathbf{1})$ does not depend on $c$ (derivation "
                r"shift\_invariance): every row of $J$ sums to 0, $J \mathbf{1} = 0$",
                r"$\sigma(\mathbf{z} + c \mathbf{1})$ 与 $c$ 无关（见推导 shift\_invariance）："
                r"$J$ 的每一行之和为 0，即 $J \mathbf{1} = 0$",
            ),
            label="rows_sum_to_zero",
        ),
        Line(
            sp.Eq(form, second_moment, evaluate=False),
            Text(
                r"the quadratic form $v^{T} J v$, with $J_{ij} = \sigma_i (\delta_{ij} - \sigma_j)$",
                r"二次型 $v^{T} J v$，其中 $J_{ij} = \sigma_i (\delta_{ij} - \sigma_j)$",
            ),
            label="quadratic_form",
        ),
        Line(
            sp.Eq(form, variance, evaluate=False),
            Text(
                r"$E[v^2] - E[v]^2$: the variance of $v$ under $\sigma$",
                r"$E[v^2] - E[v]^2$：$v$ 关于分布 $\sigma$ 的方差",
            ),
            label="variance",
        ),
        Line(
            sp.Ge(variance, 0, evaluate=False),
            Text(
                r"a variance is $\geq 0$: $J$ is positive semidefinite",
                r"方差 $\geq 0$：$J$ 是半正定矩阵",
            ),
            label="semidefinite",
        ),
        Line(
            sp.Eq(constant_variance, 0, evaluate=False),
            Text(
                r"it is 0 for a constant $v = t \mathbf{1}$, and only then, since every "
                r"$\sigma_k > 0$: the null space of $J$ is spanned by $\mathbf{1}$",
                r"方差为 0 当且仅当 $v = t \mathbf{1}$ 为常向量（因为每个 $\sigma_k > 0$）："
                r"$J$ 的零空间由 $\mathbf{1}$ 张成",
            ),
            label="null_direction",
        ),
        Line(
            sp.Eq(sp.Determinant(minor), product, evaluate=False),
            Text(
                rf"for $K = {n}$: the leading minor of order $K - 1$ has determinant "
                r"$\prod_k \sigma_k > 0$, so $\operatorname{rank} J = K - 1$",
                rf"$K = {n}$ 时：$K - 1$ 阶顺序主子式等于 $\prod_k \sigma_k > 0$，"
                r"所以 $\operatorname{rank} J = K - 1$",
            ),
            space=None if R is S else R,
            label="minor",
        ),
        Line(
            sp.Eq(sp.Sum(sp.Derivative(S.sigma(i), z[i]), (i, 1, K)), 1 - squares, evaluate=False),
            Text(
                r"the trace: the diagonal is $\sigma_i (1 - \sigma_i)$ and $\sum_i \sigma_i = 1$",
                r"迹：对角元为 $\sigma_i (1 - \sigma_i)$，且 $\sum_i \sigma_i = 1$",
            ),
            label="trace",
        ),
    ]


def jvp(S: ClassSpace) -> list[Line]:
    i, j, z, v, K = S.i, S.j, S.z, S.v, S.K
    si = S.sigma(i)
    product = sp.Sum(sp.Derivative(si, z[j]) * v[j], (j, 1, K))
    transposed = sp.Sum(sp.Derivative(S.sigma(j), z[i]) * v[j], (j, 1, K))
    entries = sp.Sum(si * (sp.KroneckerDelta(i, j) - S.sigma(j)) * v[j], (j, 1, K))
    inner = sp.Sum(S.sigma(j) * v[j], (j, 1, K))
    with sp.evaluate(False):
        picked = si * v[i] - si * inner
    return [
        Line(
            sp.Eq(product, entries, evaluate=False),
            Text(
                r"$(J v)_i = \sum_j J_{ij} v_j$ with $J_{ij} = \sigma_i (\delta_{ij} - \sigma_j)$ (derivation jacobian)",
                r"$(J v)_i = \sum_j J_{ij} v_j$，其中 $J_{ij} = \sigma_i (\delta_{ij} - \sigma_j)$（见推导 jacobian）",
            ),
            label="expand",
        ),
        Line(
            sp.Eq(product, picked, evaluate=False),
            Text(
                r"the delta keeps $j = i$; $\sigma_i$ comes out of the sum",
                r"Kronecker $\delta$ 只保留 $j = i$ 这一项；$\sigma_i$ 提到求和号外",
            ),
            label="sift",
        ),
        Line(
            sp.Eq(product, si * (v[i] - inner), evaluate=False),
            Text(
                r"one inner product $\langle \sigma, v \rangle$, then $K$ products: "
                r"$O(K)$ work, never the $K \times K$ matrix",
                r"先算一次内积 $\langle \sigma, v \rangle$，再做 $K$ 次乘法："
                r"计算量为 $O(K)$，无需构造 $K \times K$ 矩阵",
            ),
            label="jvp",
        ),
        Line(
            sp.Eq(transposed, si * (v[i] - inner), evaluate=False),
            Text(
                r"$J$ is symmetric (derivation jacobian\_properties), so the vector-Jacobian "
                r"product $J^{T} v$ is the same",
                r"$J$ 对称（见推导 jacobian\_properties），所以向量与雅可比矩阵之积 $J^{T} v$ 与之相同",
            ),
            label="vjp",
        ),
    ]
