r"""Softmax attention: the derivative of its output with respect to the scores and the query.

Positions :math:`t = 1, \dots, T` (an index family of the space, beside the classes),
features :math:`a = 1, \dots, d`; a query :math:`\mathbf{q}`, keys :math:`\mathbf{k}_t`,
values :math:`v_t` (one coordinate of the value vectors; every coordinate alike):

.. math::

    s_t = \frac{\mathbf{q} \cdot \mathbf{k}_t}{\sqrt d}, \qquad
    o = \sum_t \sigma(\mathbf{s})_t v_t, \qquad
    \frac{\partial o}{\partial s_t} = \sigma_t (v_t - o), \qquad
    \frac{\partial o}{\partial q_a} = \sum_t \sigma_t (v_t - o) \frac{k_{t a}}{\sqrt d}.

For a concrete number n given to :func:`~symsoftmax.derive` (``K=n``) the gradient is also
written out for :math:`T = n` positions: the classes do not enter attention.
"""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace, Softmax

TITLE = Text(
    "Softmax attention: the derivative with respect to the scores and the query",
    "Softmax 注意力：输出对得分与查询向量的导数",
)

#: The index families of attention, declared at registration: positions t and u in 1..T,
#: features a in 1..d.
INDICES = {"t": "T", "u": "T", "a": "d"}

_s = sp.IndexedBase("s", real=True)  # the scores
_v = sp.IndexedBase("v", real=True)  # the values (one coordinate)
_q = sp.IndexedBase("q", real=True)  # the query
_k = sp.IndexedBase("k", real=True)  # the keys, k[t, a]


def attention(S: ClassSpace) -> list[Line]:
    t, u, a = S.index("t"), S.index("u"), S.index("a")
    T, d = S.range_of(t)[1], S.range_of(a)[1]
    b = sp.Symbol("b", integer=True, positive=True)  # a bound feature index
    c = sp.Symbol("c", real=True)
    scores = sp.Lambda(t, _s[t])
    from_query = sp.Lambda(t, sp.Sum(_q[b] * _k[t, b], (b, 1, d)) / sp.sqrt(d))

    def weight(n: sp.Expr, vector: sp.Lambda = scores) -> Softmax:
        return Softmax(vector, T, n)

    def output(vector: sp.Lambda = scores) -> sp.Expr:
        return sp.Sum(weight(u, vector) * _v[u], (u, 1, T))

    o = output()
    o_q = output(from_query)
    with sp.evaluate(False):
        definition = sp.exp(_s[t]) / sp.Sum(sp.exp(_s[u]), (u, 1, T))
        jacobian = weight(u) * (sp.KroneckerDelta(u, t) - weight(t))
        chained = sp.Sum(_v[u] * jacobian, (u, 1, T))
        by_scores = weight(t) * (_v[t] - o)
        by_query = sp.Sum(weight(t, from_query) * (_v[t] - o_q) * _k[t, a], (t, 1, T)) / sp.sqrt(d)
        score_slope = _k[t, a] / sp.sqrt(d)
    lines = [
        Line(
            sp.Eq(weight(t), definition, evaluate=False),
            Text(
                r"the attention weights: softmax over the $T$ positions of the scores "
                r"$s_t = \mathbf{q} \cdot \mathbf{k}_t / \sqrt{d}$; the output is "
                r"$o = \sum_u \sigma(\mathbf{s})_u v_u$",
                r"注意力权重：对 $T$ 个位置上的得分 $s_t = \mathbf{q} \cdot \mathbf{k}_t / \sqrt{d}$ "
                r"取 Softmax；输出为 $o = \sum_u \sigma(\mathbf{s})_u v_u$",
            ),
            label="weights",
            names={o: "o", o_q: "o"},
        ),
        Line(
            sp.Eq(sp.Derivative(weight(u), _s[t]), jacobian, evaluate=False),
            Text(
                r"the Jacobian of softmax, over positions instead of classes "
                r"(see “The Jacobian of softmax”)",
                r"Softmax 的雅可比矩阵，只是下标从类别换成了位置（见“Softmax 的雅可比矩阵（导数）”）",
            ),
            label="jacobian",
        ),
        Line(
            sp.Eq(sp.Derivative(o, _s[t]), chained, evaluate=False),
            Text(
                r"differentiate the output term by term",
                r"对输出逐项求导",
            ),
            label="chain_rule",
        ),
        Line(
            sp.Eq(sp.Derivative(o, _s[t]), by_scores, evaluate=False),
            Text(
                r"the delta keeps the term $u = t$, and $\sum_u \sigma_u v_u = o$: raising the "
                r"score of a position moves the output toward its value $v_t$, in proportion to "
                r"its weight",
                r"Kronecker $\delta$ 只保留 $u = t$ 这一项，再由 $\sum_u \sigma_u v_u = o$ 得。"
                r"提高某个位置的得分，输出就按该位置的权重向它的值 $v_t$ 移动",
            ),
            label="by_scores",
        ),
        Line(
            sp.Eq(sp.Derivative(from_query(t), _q[a]), score_slope, evaluate=False),
            Text(
                r"the score is linear in the query: only the term $b = a$ of the dot product "
                r"depends on $q_a$",
                r"得分是查询向量的线性函数：点积中只有 $b = a$ 这一项依赖于 $q_a$",
            ),
            label="score_slope",
        ),
        Line(
            sp.Eq(sp.Derivative(o_q, _q[a]), by_query, evaluate=False),
            Text(
                r"chain rule through the scores: "
                r"$\partial o / \partial \mathbf{q} = \sum_t \sigma_t (v_t - o)\, \mathbf{k}_t / \sqrt{d}$",
                r"经由得分用链式法则："
                r"$\partial o / \partial \mathbf{q} = \sum_t \sigma_t (v_t - o)\, \mathbf{k}_t / \sqrt{d}$",
            ),
            label="by_query",
        ),
        Line(
            sp.Eq(weight(t, sp.Lambda(t, _s[t] + c)), weight(t), evaluate=False),
            Text(
                r"adding one constant $c$ to every score leaves the weights unchanged (see "
                r"“Adding a constant to every logit does not change softmax”): so the derivative "
                r"with respect to the scores sums to 0 over the positions",
                r"所有得分同时加上同一个常数 $c$，权重不变（见“所有输入同时加上同一个常数，Softmax 不变（平移不变性）”）；"
                r"因此输出对各个得分的导数之和为 0",
            ),
            label="shift",
        ),
        Line(
            sp.Eq(sp.Sum(by_scores, (t, 1, T)), 0, evaluate=False),
            Text(
                r"indeed $\sum_t \sigma_t (v_t - o) = o - o \sum_t \sigma_t = 0$",
                r"事实上 $\sum_t \sigma_t (v_t - o) = o - o \sum_t \sigma_t = 0$",
            ),
            label="sums_to_zero",
        ),
    ]
    if not S.symbolic:
        n = int(S.K)
        lines += _written_out(n)
    return lines


def _written_out(n: int) -> list[Line]:
    """The gradient with respect to the scores for n positions, every entry written out."""
    t = sp.Symbol("t", integer=True, positive=True)
    w = [Softmax(sp.Lambda(t, _s[t]), n, m) for m in range(1, n + 1)]
    special = Text(rf"$T = {n}$ positions", rf"$T = {n}$ 个位置")
    with sp.evaluate(False):
        o = sp.Add(*(w[m] * _v[m + 1] for m in range(n)))
        gradient = sp.ImmutableMatrix([w[m] * (_v[m + 1] - o) for m in range(n)])
    total = sp.Sum(Softmax(sp.Lambda(t, _s[t]), n, t) * _v[t], (t, 1, n))
    derivatives = sp.ImmutableMatrix([sp.Derivative(o, _s[m]) for m in range(1, n + 1)])
    return [
        Line(
            sp.Eq(total, o, evaluate=False),
            Text(rf"the output for $T = {n}$ positions", rf"$T = {n}$ 个位置时的输出"),
            label="written_output",
            special=special,
            names={o: "o"},
        ),
        Line(
            sp.Eq(derivatives, gradient, evaluate=False),
            Text(
                r"the gradient with respect to the scores, entry by entry",
                r"输出对得分的梯度，逐个分量写出",
            ),
            label="written_out",
            special=special,
        ),
    ]
