"""Softmax regression is over-parameterized: theta_k -> theta_k - psi changes nothing.

K classes, n features, parameter vectors theta_1..theta_K (the rows of Theta), an input x:
h_Theta(x)_k = exp(theta_k^T x) / sum_j exp(theta_j^T x), the softmax of the scores.
"""

from __future__ import annotations

import sympy as sp

from ..derivation import Text
from ..functions import Sigmoid, Softmax
from ..space import ClassSpace
from . import Line

TITLE = Text(
    "Softmax regression is over-parameterized",
    "Softmax 回归的参数是过参数化的",
)

#: The number of features, and a feature index.
N_FEATURES = sp.Symbol("n", integer=True, positive=True)
_a = sp.Symbol("a", integer=True, positive=True)
_theta = sp.IndexedBase("Theta", real=True)
_x = sp.IndexedBase("x", real=True)
_psi = sp.IndexedBase("psi", real=True)
_X = sp.IndexedBase("X", real=True)  # the m inputs, X[s, a]
_s = sp.Symbol("s", integer=True, positive=True)  # a sample index
M_SAMPLES = sp.Symbol("m", integer=True, positive=True)


def _score(k: sp.Expr, shift: sp.IndexedBase | None = None, x=None) -> sp.Expr:
    """theta_k^T x (or (theta_k - psi)^T x), a sum over the n features."""
    x = x if x is not None else (lambda a: _x[a])
    weight = _theta[k, _a] - (shift[_a] if shift is not None else 0)
    return sp.Sum(weight * x(_a), (_a, 1, N_FEATURES))


def hypothesis(S: ClassSpace, i: sp.Expr, shift: sp.IndexedBase | None = None, x=None) -> Softmax:
    """h_Theta(x)_i = sigma(Theta x)_i (with theta_k - psi in place of theta_k for a shift)."""
    return Softmax(sp.Lambda(S.k, _score(S.k, shift, x)), S.K, i)


def _cost(S: ClassSpace, shift: sp.IndexedBase | None, weight=None) -> sp.Expr:
    """J(Theta) = -(1/m) sum_s sum_k Y_{s,k} log h_Theta(X_s)_k (Y one-hot, or any rows
    of probabilities); ``weight(k, a)`` replaces Theta_{k,a} when given."""
    k = S.k
    if weight is None:
        h = hypothesis(S, k, shift, x=lambda a: _X[_s, a])
    else:
        h = Softmax(sp.Lambda(k, sp.Sum(weight(k, _a) * _X[_s, _a], (_a, 1, N_FEATURES))), S.K, k)
    inner = sp.Sum(S.Y[_s, k] * sp.log(h), (k, 1, S.K))
    return -sp.Sum(inner, (_s, 1, M_SAMPLES)) / M_SAMPLES


def gradient_line(S: ClassSpace) -> Line:
    """The gradient of the cost, as the derivative along a direction V at t = 0."""
    t = sp.Symbol("t", real=True)
    V = sp.IndexedBase("V", real=True)
    k = S.k
    moved = _cost(S, None, weight=lambda c, a: _theta[c, a] + t * V[c, a])
    h = hypothesis(S, k, None, x=lambda a: _X[_s, a])
    along = sp.Sum(V[k, _a] * _X[_s, _a], (_a, 1, N_FEATURES))
    residual = sp.Sum(sp.Sum((h - S.Y[_s, k]) * along, (k, 1, S.K)), (_s, 1, M_SAMPLES))
    return Line(
        sp.Eq(sp.Subs(sp.Derivative(moved, t), t, 0), residual / M_SAMPLES, evaluate=False),
        Text(
            r"the gradient, as the derivative along any direction $V$: "
            r"$\nabla_{\theta_k} J = \frac{1}{m} \sum_s (h_\Theta(x_s)_k - 1\{y_s = k\})\, x_s$ "
            r"(the cross-entropy gradient $\sigma - y$ through the scores; each $y_s$ sums to 1)",
            r"梯度, 写成沿任意方向 $V$ 的导数: "
            r"$\nabla_{\theta_k} J = \frac{1}{m} \sum_s (h_\Theta(x_s)_k - 1\{y_s = k\})\, x_s$ "
            r"(交叉熵梯度 $\sigma - y$ 经过得分的链式法则; 每个 $y_s$ 之和为 1)",
        ),
    )


def overparameterization(S: ClassSpace) -> list[Line]:
    i, j, K = S.i, S.j, S.K
    h = hypothesis(S, i)
    shifted = hypothesis(S, i, _psi)
    psi_x = sp.Sum(_psi[_a] * _x[_a], (_a, 1, N_FEATURES))
    theta_x = sp.Sum(_theta[j, _a] * _x[_a], (_a, 1, N_FEATURES))
    scores = sp.Sum(sp.exp(_score(j)), (j, 1, K))
    score_j = _score(j)
    with sp.evaluate(False):
        shifted_exp = sp.exp(score_j - psi_x)
    shifted_scores = sp.Sum(shifted_exp, (j, 1, K))
    score_i = _score(i)
    with sp.evaluate(False):
        factor = sp.exp(-psi_x)
        explicit = sp.exp(score_i) / scores
        moved = sp.exp(score_i - psi_x) / shifted_scores
        out = factor * sp.exp(score_i) / (factor * scores)
        difference = theta_x - psi_x
    fixed_last = Softmax(
        sp.Lambda(S.k, sp.Sum((_theta[S.k, _a] - _theta[K, _a]) * _x[_a], (_a, 1, N_FEATURES))),
        K,
        i,
    )
    two = ClassSpace.of(2)
    logistic = Sigmoid(sp.Sum((_theta[1, _a] - _theta[2, _a]) * _x[_a], (_a, 1, N_FEATURES)))
    return [
        Line(
            sp.Eq(h, explicit, evaluate=False),
            Text(
                r"the hypothesis $h_\Theta(x)_i$: softmax of the scores $\theta_k^{T} x$",
                r"假设函数 $h_\Theta(x)_i$: 对得分 $\theta_k^{T} x$ 取 Softmax",
            ),
        ),
        Line(
            sp.Eq(
                sp.Sum((_theta[j, _a] - _psi[_a]) * _x[_a], (_a, 1, N_FEATURES)),
                difference,
                evaluate=False,
            ),
            Text(
                r"replace every $\theta_j$ by $\theta_j - \psi$ ($\psi \in \mathbb{R}^n$): every score drops by the same $\psi^{T} x$",
                r"把每个 $\theta_j$ 换成 $\theta_j - \psi$ ($\psi \in \mathbb{R}^n$): 每个得分都减去同一个 $\psi^{T} x$",
            ),
        ),
        Line(
            sp.Eq(shifted, moved, evaluate=False),
            Text(
                "the hypothesis at the new parameters",
                "新参数下的假设函数",
            ),
        ),
        Line(
            sp.Eq(shifted, out, evaluate=False),
            Text(
                r"$e^{a - b} = e^{-b} e^{a}$: the factor $e^{-\psi^{T} x}$ comes out of numerator and denominator",
                r"$e^{a - b} = e^{-b} e^{a}$: 分子分母都提出因子 $e^{-\psi^{T} x}$",
            ),
        ),
        Line(
            sp.Eq(shifted, h, evaluate=False),
            Text(
                r"it cancels (shift invariance with $c = -\psi^{T} x$): the same hypothesis for every $\psi$, so the parameters are not unique",
                r"约去后不变 (平移不变性, $c = -\psi^{T} x$): 对任意 $\psi$ 假设函数相同, 参数不唯一",
            ),
        ),
        Line(
            sp.Eq(_cost(S, _psi), _cost(S, None), evaluate=False),
            Text(
                r"so the cost $J(\Theta) = -\frac{1}{m} \sum_s \sum_k 1\{y_s = k\} \log h_\Theta(x_s)_k$ is the same at $\Theta$ and $\Theta - \mathbf{1} \psi^{T}$: its minimizer is never unique",
                r"所以代价函数 $J(\Theta) = -\frac{1}{m} \sum_s \sum_k 1\{y_s = k\} \log h_\Theta(x_s)_k$ 在 $\Theta$ 与 $\Theta - \mathbf{1} \psi^{T}$ 处相同: 最小值点不唯一",
            ),
        ),
        Line(
            sp.Eq(fixed_last, h, evaluate=False),
            Text(
                r"with $\psi = \theta_K$ the last vector becomes 0: $K - 1$ free vectors reach every hypothesis",
                r"取 $\psi = \theta_K$, 最后一个参数向量变为 0: $K - 1$ 个自由向量就能得到所有假设函数",
            ),
        ),
        Line(
            sp.Eq(hypothesis(two, 1), logistic, evaluate=False),
            Text(
                r"for $K = 2$: $h_1 = \operatorname{sigmoid}((\theta_1 - \theta_2)^{T} x)$, logistic regression",
                r"$K = 2$ 时: $h_1 = \operatorname{sigmoid}((\theta_1 - \theta_2)^{T} x)$, 即逻辑回归",
            ),
            space=None if not S.symbolic and int(S.K) == 2 else two,
        ),
        gradient_line(S),
    ]
