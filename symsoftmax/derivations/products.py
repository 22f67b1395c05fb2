"""Products with the Jacobian: its structure (symmetry, null space, definiteness, trace, rank)
and the O(K) Jacobian-vector product."""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace
from .basic import RANGE, SHIFT
from .jacobian import TITLE as JACOBIAN

PROPERTIES = Text("Properties of the softmax Jacobian", "Softmax 雅可比矩阵的性质")
JVP = Text("Jacobian-vector products in O(K)", "以 O(K) 的计算量求雅可比矩阵与向量之积")

# The Chinese titles as cited inside a reason, where (0, 1) and O(K) are formulas.
RANGE_ZH = "Softmax 的每个输出都属于区间 $(0, 1)$"
JVP_ZH = "以 $O(K)$ 的计算量求雅可比矩阵与向量之积"


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
    i, j, k, l, z, v, K = S.i, S.j, S.k, S.l, S.z, S.v, S.K
    c = sp.Symbol("c", real=True)
    d_ij = sp.Derivative(S.sigma(i), z[j])
    row = sp.Sum(d_ij, (j, 1, K))
    mean, variance = _variance(S, v)
    form = _quadratic_form(S, lambda a, b: sp.Derivative(S.sigma(a), z[b]))
    constant_mean = sp.Sum(S.sigma(l) * c, (l, 1, K))
    constant_variance = sp.Sum(S.sigma(k) * (c - constant_mean) ** 2, (k, 1, K))
    R = _rank_example(S)
    n = int(R.K)
    minor = sp.ImmutableMatrix(n - 1, n - 1, lambda a, b: sp.Derivative(R.sigma(a + 1), R.z[b + 1]))
    moment = sp.Sum(S.sigma(k) * v[k] ** 2, (k, 1, K))

    def product(a: sp.Expr) -> sp.Expr:
        """(J v)_a = sum_l J_al v_l."""
        return sp.Sum(sp.Derivative(S.sigma(a), z[l]) * v[l], (l, 1, K))

    with sp.evaluate(False):
        entry = sp.KroneckerDelta(i, j) * S.sigma(i) - S.sigma(i) * S.sigma(j)
        sigmas = sp.Mul(*(R.sigma(a) for a in range(1, n + 1)))
        second_moment = moment - mean**2
        quotients = product(i) / S.sigma(i) - product(j) / S.sigma(j)
    squares = sp.Sum(S.sigma(i) ** 2, (i, 1, K))
    return [
        Line(
            sp.Eq(d_ij, entry, evaluate=False),
            Text(
                rf"entry $(i, j)$ of $J = \partial \sigma / \partial \mathbf{{z}}$ (see "
                rf"“{JACOBIAN('en')}”): $\delta_{{ij}} \sigma_i$ is entry $(i, j)$ of "
                r"$\operatorname{diag}(\sigma)$, and $\sigma_i \sigma_j$ that of "
                r"$\sigma \sigma^{T}$; in matrix notation "
                r"$J = \operatorname{diag}(\sigma) - \sigma \sigma^{T}$",
                rf"由“{JACOBIAN('zh')}”，$J = \partial \sigma / \partial \mathbf{{z}}$ 的第 "
                r"$(i, j)$ 个元素如下；其中 $\delta_{ij} \sigma_i$ 是 "
                r"$\operatorname{diag}(\sigma)$ 的第 $(i, j)$ 个元素，$\sigma_i \sigma_j$ 是 "
                r"$\sigma \sigma^{T}$ 的第 $(i, j)$ 个元素，写成矩阵即 "
                r"$J = \operatorname{diag}(\sigma) - \sigma \sigma^{T}$",
            ),
            label="matrix_form",
        ),
        Line(
            sp.Eq(d_ij, sp.Derivative(S.sigma(j), z[i]), evaluate=False),
            Text(
                r"$\delta_{ij} \sigma_i - \sigma_i \sigma_j$ is symmetric in $i$ and $j$ "
                r"($\delta_{ij} \sigma_i = \delta_{ij} \sigma_j$): $J = J^{T}$",
                r"由 $\delta_{ij} \sigma_i = \delta_{ij} \sigma_j$ 知 "
                r"$\delta_{ij} \sigma_i - \sigma_i \sigma_j$ 关于 $i$ 与 $j$ 对称，即 $J = J^{T}$",
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
                r"chain rule: $\frac{d}{dc} \sigma(\mathbf{z} + c \mathbf{1})_i = "
                r"\sum_j \frac{\partial \sigma_i}{\partial z_j}$",
                r"由链式法则，$\frac{d}{dc} \sigma(\mathbf{z} + c \mathbf{1})_i = "
                r"\sum_j \frac{\partial \sigma_i}{\partial z_j}$",
            ),
            label="chain_rule",
        ),
        Line(
            sp.Eq(row, 0, evaluate=False),
            Text(
                rf"$\sigma(\mathbf{{z}} + c \mathbf{{1}})$ does not depend on $c$ (see "
                rf"“{SHIFT('en')}”): every row of $J$ sums to 0, $J \mathbf{{1}} = 0$",
                rf"由“{SHIFT('zh')}”，$\sigma(\mathbf{{z}} + c \mathbf{{1}})$ 与 $c$ 无关，"
                r"因此 $J$ 的每一行之和为 0，即 $J \mathbf{1} = 0$",
            ),
            label="rows_sum_to_zero",
        ),
        Line(
            sp.Eq(form, second_moment, evaluate=False),
            Text(
                r"the quadratic form $v^{T} J v$, with "
                r"$J_{ij} = \delta_{ij} \sigma_i - \sigma_i \sigma_j$",
                r"把 $J_{ij} = \delta_{ij} \sigma_i - \sigma_i \sigma_j$ 代入二次型 "
                r"$v^{T} J v$ 得",
            ),
            label="quadratic_form",
        ),
        Line(
            sp.Eq(form, variance, evaluate=False),
            Text(
                r"$E[v^2] - E[v]^2$ is the variance of $v$ under $\sigma$",
                r"$E[v^2] - E[v]^2$ 即 $v$ 在分布 $\sigma$ 下的方差",
            ),
            label="variance",
        ),
        Line(
            sp.Ge(variance, 0, evaluate=False),
            Text(
                r"a variance is $\geq 0$: $J$ is positive semidefinite",
                r"方差 $\geq 0$，因此 $J$ 半正定",
            ),
            label="semidefinite",
        ),
        Line(
            sp.Eq(constant_variance, 0, evaluate=False),
            Text(
                r"for a constant $v = c \mathbf{1}$ the variance is 0, as $J \mathbf{1} = 0$ "
                "requires",
                r"常向量 $v = c \mathbf{1}$ 的方差为 0，这与 $J \mathbf{1} = 0$ 一致",
            ),
            label="null_direction",
        ),
        Line(
            sp.Eq(v[i] - v[j], quotients, evaluate=False),
            Text(
                r"$(J v)_i = \sigma_i (v_i - \langle \sigma, v \rangle)$ (see "
                rf"“{JVP('en')}”) and $\langle \sigma, v \rangle$ is the same for every $i$. "
                r"If $J v = 0$, the right side is 0, so every $v_i$ is the same: $v$ is a "
                r"multiple of $\mathbf{1}$. With $J \mathbf{1} = 0$, the null space of $J$ is "
                r"spanned by $\mathbf{1}$ for every $K$, hence "
                r"$\operatorname{rank} J = K - 1$ (rank–nullity)",
                r"由“" + JVP_ZH + r"”，$(J v)_i = \sigma_i (v_i - \langle \sigma, v \rangle)$，"
                r"而 $\langle \sigma, v \rangle$ 与 $i$ 无关，故得下式。若 $J v = 0$，则右边为 0，"
                r"各 $v_i$ 全都相等，即 $v$ 是 $\mathbf{1}$ 的倍数。又 $J \mathbf{1} = 0$，"
                r"因此对任意 $K$，$J$ 的零空间都由 $\mathbf{1}$ 张成；由秩–零化度定理，"
                r"$\operatorname{rank} J = K - 1$",
            ),
            label="null_space",
        ),
        Line(
            sp.Eq(sp.Determinant(minor), sigmas, evaluate=False),
            Text(
                rf"a check at $K = {n}$: the leading minor of order $K - 1$ is the product of "
                rf"the $\sigma_k$, which is $> 0$ (see “{RANGE('en')}”); a nonzero minor of "
                r"order $K - 1$ agrees with $\operatorname{rank} J = K - 1$",
                rf"在 $K = {n}$ 时验证：$K - 1$ 阶顺序主子式等于各 $\sigma_k$ 之积，由“"
                + RANGE_ZH
                + r"”知它 $> 0$；$K - 1$ 阶子式不为零，与 $\operatorname{rank} J = K - 1$ 相符",
            ),
            space=None if R is S else R,
            label="minor",
        ),
        Line(
            sp.Eq(sp.Sum(sp.Derivative(S.sigma(i), z[i]), (i, 1, K)), 1 - squares, evaluate=False),
            Text(
                r"the trace: the diagonal is $\sigma_i (1 - \sigma_i)$ and $\sum_i \sigma_i = 1$",
                r"由对角元 $\sigma_i (1 - \sigma_i)$ 及 $\sum_i \sigma_i = 1$ 得迹",
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
                r"$(J v)_i = \sum_j J_{ij} v_j$ with $J_{ij} = \sigma_i (\delta_{ij} - \sigma_j)$ "
                rf"(see “{JACOBIAN('en')}”)",
                rf"由“{JACOBIAN('zh')}”，$(J v)_i = \sum_j J_{{ij}} v_j$，其中 "
                r"$J_{ij} = \sigma_i (\delta_{ij} - \sigma_j)$",
            ),
            label="expand",
        ),
        Line(
            sp.Eq(product, picked, evaluate=False),
            Text(
                r"the delta keeps $j = i$; $\sigma_i$ comes out of the sum",
                r"Kronecker $\delta$ 只保留 $j = i$ 一项，再把 $\sigma_i$ 提到求和号外",
            ),
            label="sift",
        ),
        Line(
            sp.Eq(product, si * (v[i] - inner), evaluate=False),
            Text(
                r"entry $i$ of $J v = \sigma \odot (v - \langle \sigma, v \rangle \mathbf{1})$, "
                r"with $\langle \sigma, v \rangle = \sum_j \sigma_j v_j$: one inner product, then "
                r"$K$ products, $O(K)$ work, never the $K \times K$ matrix",
                r"提出 $\sigma_i$ 得下式，即 "
                r"$J v = \sigma \odot (v - \langle \sigma, v \rangle \mathbf{1})$ 的第 $i$ 个分量，"
                r"其中 $\langle \sigma, v \rangle = \sum_j \sigma_j v_j$。只需一次内积和 $K$ "
                r"次乘法，计算量为 $O(K)$，无需构造 $K \times K$ 矩阵",
            ),
            label="jvp",
        ),
        Line(
            sp.Eq(transposed, si * (v[i] - inner), evaluate=False),
            Text(
                rf"$J$ is symmetric (see “{PROPERTIES('en')}”): the vector-Jacobian product "
                r"$J^{T} v$ is the same",
                rf"由“{PROPERTIES('zh')}”，$J$ 是对称矩阵，因此向量与雅可比矩阵之积 $J^{{T}} v$ "
                "与上式相同",
            ),
            label="vjp",
        ),
    ]
