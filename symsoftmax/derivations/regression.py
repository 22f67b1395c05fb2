"""Softmax regression is over-parameterized: theta_k -> theta_k - psi changes nothing; its
cost has a singular Hessian, which weight decay makes positive definite.

K classes, n features, parameter vectors theta_1..theta_K (the rows of Theta), an input x:
h_Theta(x)_k = exp(theta_k^T x) / sum_j exp(theta_j^T x), the softmax of the scores. The
cost is L(Theta) (J is the Jacobian of softmax on every page), tau the parameter of a line
Theta + tau V in parameter space.
"""

from __future__ import annotations

import sympy as sp

from ..engine import Line, Text
from ..symbolic import ClassSpace, LogSumExp, Sigmoid, Softmax
from .basic import SHIFT as SHIFT_TITLE
from .hessian import LSE_HESSIAN
from .logsoftmax import CROSS_ENTROPY

TITLE = Text(
    "Softmax regression is over-parameterized",
    "Softmax 回归存在参数冗余（过参数化）",
)
HESSIAN = Text(
    "The Hessian of softmax regression: singular, and positive definite with weight decay",
    "Softmax 回归代价函数的 Hessian 矩阵：奇异，加入权重衰减后正定",
)

_theta = sp.IndexedBase("Theta", real=True)
_x = sp.IndexedBase("x", real=True)
_psi = sp.IndexedBase("psi", real=True)
_X = sp.IndexedBase("X", real=True)  # the m inputs, X[s, a]

#: The index families of the regression derivations, declared at registration: features
#: a in 1..n and samples s in 1..m. The builders take these indices from their space.
INDICES = {"a": "n", "s": "m"}
_tau = sp.Symbol("tau", real=True)  # the parameter of a line Theta + tau V
_V = sp.IndexedBase("V", real=True)  # a direction in parameter space, V[k, a]
_lambda = sp.Symbol("lambda", positive=True)  # the weight decay


def _family(S: ClassSpace, name: str) -> tuple[sp.Symbol, sp.Expr]:
    """The index ``name`` of the space and its size: (a, n) for features, (s, m) for samples."""
    index = S.index(name)
    return index, S.range_of(index)[1]


def _features(S: ClassSpace, term) -> sp.Sum:
    """sum_{a=1}^{n} term(a), over the features."""
    a, n = _family(S, "a")
    return sp.Sum(term(a), (a, 1, n))


def _score(S: ClassSpace, k: sp.Expr, shift: sp.IndexedBase | None = None, x=None) -> sp.Expr:
    """theta_k^T x (or (theta_k - psi)^T x), a sum over the n features."""
    x = x if x is not None else (lambda a: _x[a])
    return _features(S, lambda a: (_theta[k, a] - (shift[a] if shift is not None else 0)) * x(a))


def hypothesis(S: ClassSpace, i: sp.Expr, shift: sp.IndexedBase | None = None, x=None) -> Softmax:
    """h_Theta(x)_i = sigma(Theta x)_i (with theta_k - psi in place of theta_k for a shift)."""
    return Softmax(sp.Lambda(S.k, _score(S, S.k, shift, x)), S.K, i)


def _sample_cost(S: ClassSpace, weight) -> sp.Expr:
    """l_s = -sum_k Y_{s,k} log h(X_s)_k, Theta_{k,a} replaced by weight(k, a)."""
    a, n = _family(S, "a")
    s, _ = _family(S, "s")
    k = S.k
    h = Softmax(sp.Lambda(k, sp.Sum(weight(k, a) * _X[s, a], (a, 1, n))), S.K, k)
    return -sp.Sum(S.Y[s, k] * sp.log(h), (k, 1, S.K))


def _cost(S: ClassSpace, shift: sp.IndexedBase | None, weight=None) -> sp.Expr:
    """L(Theta) = -(1/m) sum_s sum_k Y_{s,k} log h_Theta(X_s)_k (Y one-hot, or any rows
    of probabilities); ``weight(k, a)`` replaces Theta_{k,a} when given."""
    a, n = _family(S, "a")
    s, m = _family(S, "s")
    k = S.k
    if weight is None:
        h = hypothesis(S, k, shift, x=lambda a: _X[s, a])
    else:
        h = Softmax(sp.Lambda(k, sp.Sum(weight(k, a) * _X[s, a], (a, 1, n))), S.K, k)
    inner = sp.Sum(S.Y[s, k] * sp.log(h), (k, 1, S.K))
    return -sp.Sum(inner, (s, 1, m)) / m


def gradient_lines(S: ClassSpace) -> list[Line]:
    """The gradient of the cost: the derivative along any direction V, first of the cost of
    one sample, then of their mean, each written as sum_{k,a} V_{k,a} G_{k,a}."""
    a, n = _family(S, "a")
    s, m = _family(S, "s")
    V, k = _V, S.k

    def moved(c: sp.Expr, b: sp.Expr) -> sp.Expr:
        return _theta[c, b] + _tau * V[c, b]

    h = hypothesis(S, k, None, x=lambda a: _X[s, a])
    pairing = sp.Sum(sp.Sum(V[k, a] * (h - S.Y[s, k]) * _X[s, a], (a, 1, n)), (k, 1, S.K))
    along = sp.Subs(sp.Derivative(_sample_cost(S, moved), _tau), _tau, 0)
    return [
        Line(
            sp.Eq(along, pairing, evaluate=False),
            Text(
                r"the cost of sample $s$, "
                r"$\ell_s(\Theta) = -\sum_k Y_{s,k} \log h_\Theta(x_s)_k$ with "
                r"$Y_{s,k} = 1\{y_s = k\}$, along a direction $V$: the cross-entropy gradient "
                rf"$\sigma - y$ (see “{CROSS_ENTROPY('en')}”) times the change "
                r"$\sum_a V_{k,a} X_{s,a}$ of the scores. It is "
                r"$\langle G, V \rangle = \sum_{k,a} G_{k,a} V_{k,a}$ with "
                r"$G_{k,a} = (h_\Theta(x_s)_k - Y_{s,k}) X_{s,a}$, and the gradient is the $G$ "
                r"with $D_V \ell_s = \langle G, V \rangle$ for every $V$: "
                r"$\nabla_{\theta_k} \ell_s = (h_\Theta(x_s)_k - 1\{y_s = k\})\, x_s$",
                r"样本 $s$ 的代价为 "
                r"$\ell_s(\Theta) = -\sum_k Y_{s,k} \log h_\Theta(x_s)_k$，其中 "
                r"$Y_{s,k} = 1\{y_s = k\}$。由“" + CROSS_ENTROPY("zh") + r"”，沿方向 $V$ "
                r"的导数等于交叉熵梯度 $\sigma - y$ 乘以得分的变化量 "
                r"$\sum_a V_{k,a} X_{s,a}$。它等于 "
                r"$\langle G, V \rangle = \sum_{k,a} G_{k,a} V_{k,a}$，其中 "
                r"$G_{k,a} = (h_\Theta(x_s)_k - Y_{s,k}) X_{s,a}$；"
                r"而梯度正是对任意 $V$ 都满足 $D_V \ell_s = \langle G, V \rangle$ 的 $G$，因此 "
                r"$\nabla_{\theta_k} \ell_s = (h_\Theta(x_s)_k - 1\{y_s = k\})\, x_s$",
            ),
            label="sample_gradient",
        ),
        Line(
            sp.Eq(
                sp.Subs(sp.Derivative(_cost(S, None, weight=moved), _tau), _tau, 0),
                sp.Sum(pairing, (s, 1, m)) / m,
                evaluate=False,
            ),
            Text(
                r"$L(\Theta) = \frac{1}{m} \sum_s \ell_s(\Theta)$: its derivative along $V$ is "
                r"the mean of the samples', and so is its gradient, "
                r"$\nabla_{\theta_k} L = \frac{1}{m} \sum_s "
                r"(h_\Theta(x_s)_k - 1\{y_s = k\})\, x_s$",
                r"由 $L(\Theta) = \frac{1}{m} \sum_s \ell_s(\Theta)$，$L$ 沿 $V$ 的导数是各样本"
                r"导数的平均，梯度也是各样本梯度的平均："
                r"$\nabla_{\theta_k} L = \frac{1}{m} \sum_s "
                r"(h_\Theta(x_s)_k - 1\{y_s = k\})\, x_s$",
            ),
            label="gradient",
        ),
    ]


def overparameterization(S: ClassSpace) -> list[Line]:
    a, n = _family(S, "a")
    i, j, K = S.i, S.j, S.K
    h = hypothesis(S, i)
    shifted = hypothesis(S, i, _psi)
    psi_x = sp.Sum(_psi[a] * _x[a], (a, 1, n))
    theta_x = sp.Sum(_theta[j, a] * _x[a], (a, 1, n))
    scores = sp.Sum(sp.exp(_score(S, j)), (j, 1, K))
    score_j = _score(S, j)
    with sp.evaluate(False):
        shifted_exp = sp.exp(score_j - psi_x)
    shifted_scores = sp.Sum(shifted_exp, (j, 1, K))
    score_i = _score(S, i)
    with sp.evaluate(False):
        factor = sp.exp(-psi_x)
        explicit = sp.exp(score_i) / scores
        moved = sp.exp(score_i - psi_x) / shifted_scores
        out = factor * sp.exp(score_i) / (factor * scores)
        difference = theta_x - psi_x
    fixed_last = Softmax(
        sp.Lambda(S.k, sp.Sum((_theta[S.k, a] - _theta[K, a]) * _x[a], (a, 1, n))),
        K,
        i,
    )
    two = ClassSpace.of(2, indices=INDICES)
    logistic = Sigmoid(sp.Sum((_theta[1, a] - _theta[2, a]) * _x[a], (a, 1, n)))
    return [
        Line(
            sp.Eq(h, explicit, evaluate=False),
            Text(
                r"the hypothesis $h_\Theta(x)_i$: softmax of the scores $\theta_k^{T} x$",
                r"假设函数 $h_\Theta(x)_i$ 是得分 $\theta_k^{T} x$ 的 Softmax",
            ),
            label="hypothesis",
        ),
        Line(
            sp.Eq(
                sp.Sum((_theta[j, a] - _psi[a]) * _x[a], (a, 1, n)),
                difference,
                evaluate=False,
            ),
            Text(
                r"replace every $\theta_j$ by $\theta_j - \psi$ ($\psi \in \mathbb{R}^n$): every "
                r"score drops by the same $\psi^{T} x$",
                r"把每个 $\theta_j$ 换成 $\theta_j - \psi$（$\psi \in \mathbb{R}^n$），"
                r"则每个得分都减去同一个 $\psi^{T} x$",
            ),
            label="shifted_scores",
        ),
        Line(
            sp.Eq(shifted, moved, evaluate=False),
            Text(
                "the hypothesis at the new parameters",
                "由假设函数的定义，新参数下的假设函数为",
            ),
            label="shifted_hypothesis",
        ),
        Line(
            sp.Eq(shifted, out, evaluate=False),
            Text(
                r"$e^{\theta_j^{T} x - \psi^{T} x} = e^{-\psi^{T} x} e^{\theta_j^{T} x}$: the "
                r"factor $e^{-\psi^{T} x}$ comes out of numerator and denominator",
                r"由 $e^{\theta_j^{T} x - \psi^{T} x} = e^{-\psi^{T} x} e^{\theta_j^{T} x}$，"
                r"分子分母都可提出因子 $e^{-\psi^{T} x}$",
            ),
            label="factor",
        ),
        Line(
            sp.Eq(shifted, h, evaluate=False),
            Text(
                rf"it cancels (see “{SHIFT_TITLE('en')}”, with $c = -\psi^{{T}} x$): the same "
                r"hypothesis for every $\psi$, so the parameters are not unique",
                rf"约去该因子（即“{SHIFT_TITLE('zh')}”中取 $c = -\psi^{{T}} x$），"
                r"对任意 $\psi$ 假设函数都相同，因此参数不唯一",
            ),
            label="shifted",
        ),
        Line(
            sp.Eq(_cost(S, _psi), _cost(S, None), evaluate=False),
            Text(
                r"the cost "
                r"$L(\Theta) = -\frac{1}{m} \sum_s \sum_k 1\{y_s = k\} \log h_\Theta(x_s)_k$ "
                r"takes the same value at $\Theta$ and at $\Theta - \mathbf{1} \psi^{T}$: a "
                r"minimizer, where there is one, is never unique",
                r"由上式，代价函数 "
                r"$L(\Theta) = -\frac{1}{m} \sum_s \sum_k 1\{y_s = k\} \log h_\Theta(x_s)_k$ "
                r"在 $\Theta$ 与 $\Theta - \mathbf{1} \psi^{T}$ 处取值相同；因此即使存在"
                "最小值点，它也不唯一",
            ),
            label="cost_unchanged",
        ),
        Line(
            sp.Eq(fixed_last, h, evaluate=False),
            Text(
                r"with $\psi = \theta_K$ the last vector becomes 0: $K - 1$ free vectors reach "
                "every hypothesis",
                r"取 $\psi = \theta_K$，最后一个参数向量变为 0，因此 $K - 1$ 个自由向量就能"
                "给出所有假设函数",
            ),
            label="last_zero",
        ),
        *gradient_lines(S),
        Line(
            sp.Eq(hypothesis(two, 1), logistic, evaluate=False),
            Text(
                r"for $K = 2$: $h_1 = \operatorname{sigmoid}((\theta_1 - \theta_2)^{T} x)$, "
                "logistic regression",
                r"当 $K = 2$ 时 $h_1 = \operatorname{sigmoid}((\theta_1 - \theta_2)^{T} x)$，"
                "这就是逻辑回归",
            ),
            space=None if not S.symbolic and int(S.K) == 2 else two,
            label="logistic",
        ),
    ]


# ----------------------------------------------------------------------------- the Hessian


def _lse_cost(S: ClassSpace, weight) -> sp.Expr:
    """L written with log-sum-exp, Theta_{k,a} replaced by weight(k, a):
    (1/m) sum_s (LSE(Theta x_s) - sum_k Y_{s,k} theta_k^T x_s)."""
    a, n = _family(S, "a")
    s, m = _family(S, "s")
    k = S.k

    def score(c: sp.Expr) -> sp.Expr:
        return sp.Sum(weight(c, a) * _X[s, a], (a, 1, n))

    sample = LogSumExp(sp.Lambda(k, score(k)), S.K) - sp.Sum(S.Y[s, k] * score(k), (k, 1, S.K))
    return sp.Sum(sample, (s, 1, m)) / m


def _second_along(S: ClassSpace, direction, decay: sp.Expr | None = None) -> sp.Subs:
    """d^2/dtau^2 L(Theta + tau V) at tau = 0, with V[k, a] = direction(k, a) and L in its
    log-sum-exp form; with a ``decay`` lambda, of L_lambda = L + (lambda / 2) ||Theta||^2."""
    a, n = _family(S, "a")

    def moved(c: sp.Expr, a: sp.Expr) -> sp.Expr:
        return _theta[c, a] + _tau * direction(c, a)

    L = _lse_cost(S, moved)
    if decay is not None:
        squares = sp.Sum(sp.Sum(moved(S.k, a) ** 2, (a, 1, n)), (S.k, 1, S.K))
        L = L + decay / 2 * squares
    return sp.Subs(sp.Derivative(L, (_tau, 2)), _tau, 0)


def _spread(S: ClassSpace, change) -> tuple[sp.Expr, sp.Expr]:
    """The second moment form and the variance form of (1/m) sum_s Var_{h_s}(u_s), where
    u_{s,k} = change(k) is the change of the score of class k at sample s."""
    s, m = _family(S, "s")
    k, l, K = S.k, S.l, S.K

    def h(c: sp.Expr) -> Softmax:
        return hypothesis(S, c, None, x=lambda a: _X[s, a])

    mean = sp.Sum(h(l) * change(l), (l, 1, K))
    moment = sp.Sum(h(k) * change(k) ** 2, (k, 1, K))
    variance = sp.Sum(sp.Sum(h(k) * (change(k) - mean) ** 2, (k, 1, K)), (s, 1, m))
    return sp.Sum(moment - mean**2, (s, 1, m)) / m, variance / m


#: The Hessian is written out in blocks for one sample x with this many features.
_EXAMPLE_FEATURES = 2


def _hessian_blocks(S: ClassSpace) -> list[Line]:
    """One sample x with n = 2 features: block (i, j) of its Kn x Kn Hessian H_x, and its
    null space.

    H_x = (diag(h) - h h^T) kron x x^T says that block (i, j), the n x n second derivatives
    by theta_i and theta_j, is h_i (delta_ij - h_j) x x^T: one statement for every i, j and
    K, proved here for n = 2 features.
    """
    i, j, k, K, n = S.i, S.j, S.k, S.K, _EXAMPLE_FEATURES
    # The scores written out, theta_k^T x = Theta_{k,1} x_1 + Theta_{k,2} x_2: SymPy
    # differentiates these in a form that the generic proof can follow.
    scores = sp.Lambda(k, sp.Add(*(_theta[k, a] * _x[a] for a in range(1, n + 1))))
    lse = LogSumExp(scores, K)
    per_sample = -sp.Sum(S.y[k] * sp.log(Softmax(scores, K, k)), (k, 1, K))
    linear = sp.Sum(S.y[k] * scores(k), (k, 1, K))
    split = sp.Add(lse, -linear, evaluate=False)

    def second(a: int, b: int) -> sp.Derivative:
        return sp.Derivative(lse, _theta[i, a], _theta[j, b])

    block = sp.ImmutableMatrix(n, n, lambda a, b: second(a + 1, b + 1))
    outer = sp.ImmutableMatrix(n, n, lambda a, b: _x[a + 1] * _x[b + 1])
    h_i, h_j = Softmax(scores, K, i), Softmax(scores, K, j)
    with sp.evaluate(False):
        weight = h_i * (sp.KroneckerDelta(i, j) - h_j)
    row = sp.ImmutableMatrix(
        n,
        1,
        lambda a, _: sp.Sum(sum(second(a + 1, b) * _psi[b] for b in range(1, n + 1)), (j, 1, K)),
    )
    features = Text(rf"$n = {n}$ features", rf"$n = {n}$ 个特征")
    return [
        Line(
            sp.Eq(per_sample, split, evaluate=False),
            Text(
                rf"one sample $x$ with $n = {n}$ features: its cost is "
                r"$\operatorname{LSE}(\Theta x)$ minus a linear function of $\Theta$ "
                r"(as $\sum_k y_k = 1$), so the two have the same Hessian",
                rf"考虑有 $n = {n}$ 个特征的单个样本 $x$。由 $\sum_k y_k = 1$，它的代价等于 "
                r"$\operatorname{LSE}(\Theta x)$ 减去 $\Theta$ 的一个线性函数，"
                "因此两者的 Hessian 矩阵相同",
            ),
            label="sample_cost",
            special=features,
        ),
        Line(
            sp.Eq(block, sp.MatMul(weight, outer, evaluate=False), evaluate=False),
            Text(
                r"block $(i, j)$ of this sample's $Kn \times Kn$ Hessian $H_x$ with respect to "
                r"$\operatorname{vec}(\Theta) = (\theta_1; \dots; \theta_K)$ is "
                r"$h_i (\delta_{ij} - h_j)\, x x^{T}$, that is "
                r"$H_x = (\operatorname{diag}(h) - h h^{T}) \otimes x x^{T}$ (proved here for "
                rf"$n = {n}$; $H$ is the mean of the $H_{{x_s}}$)",
                r"该样本的 Hessian 矩阵 $H_x$ 是关于 "
                r"$\operatorname{vec}(\Theta) = (\theta_1; \dots; \theta_K)$ 的 "
                r"$Kn \times Kn$ 矩阵，其第 $(i, j)$ 块为 "
                r"$h_i (\delta_{ij} - h_j)\, x x^{T}$，即 "
                r"$H_x = (\operatorname{diag}(h) - h h^{T}) \otimes x x^{T}$"
                rf"（此处只对 $n = {n}$ 证明；$H$ 是各 $H_{{x_s}}$ 的平均）",
            ),
            label="blocks",
            special=features,
        ),
        Line(
            sp.Eq(row, sp.zeros(n, 1), evaluate=False),
            Text(
                r"block $i$ of $H_x (\mathbf{1} \otimes \psi)$ is "
                r"$\sum_j h_i (\delta_{ij} - h_j)\, x x^{T} \psi$, which is 0 as "
                r"$\sum_j h_i (\delta_{ij} - h_j) = 0$: for every $\psi$, "
                r"$\mathbf{1} \otimes \psi$ is in the null space of $H_x$",
                r"$H_x (\mathbf{1} \otimes \psi)$ 的第 $i$ 块为 "
                r"$\sum_j h_i (\delta_{ij} - h_j)\, x x^{T} \psi$，由 "
                r"$\sum_j h_i (\delta_{ij} - h_j) = 0$ 知其为零。因此对任意 $\psi$，"
                r"$\mathbf{1} \otimes \psi$ 都在 $H_x$ 的零空间中",
            ),
            label="null_vector",
            special=features,
        ),
    ]


def regression_hessian(S: ClassSpace) -> list[Line]:
    a, n = _family(S, "a")
    s, _ = _family(S, "s")
    V, psi, lam, K = _V, _psi, _lambda, S.K
    along_V = _second_along(S, lambda c, a: V[c, a])
    along_shift = _second_along(S, lambda c, a: psi[a])  # V = 1 psi^T
    moment, variance = _spread(S, lambda c: sp.Sum(V[c, a] * _X[s, a], (a, 1, n)))
    _, flat = _spread(S, lambda c: sp.Sum(psi[a] * _X[s, a], (a, 1, n)))
    norm = sp.Sum(sp.Sum(V[S.k, a] ** 2, (a, 1, n)), (S.k, 1, K))
    with sp.evaluate(False):
        bounded = variance + lam * norm
    lines = [
        Line(
            sp.Eq(_cost(S, None), _lse_cost(S, lambda c, a: _theta[c, a]), evaluate=False),
            Text(
                r"the cost with log-sum-exp: "
                r"$\log h_\Theta(x_s)_k = \theta_k^{T} x_s - \operatorname{LSE}(\Theta x_s)$ "
                r"and $\sum_k 1\{y_s = k\} = 1$",
                r"由 "
                r"$\log h_\Theta(x_s)_k = \theta_k^{T} x_s - \operatorname{LSE}(\Theta x_s)$ "
                r"及 $\sum_k 1\{y_s = k\} = 1$，用 log-sum-exp 改写代价函数",
            ),
            label="cost_lse",
        ),
        Line(
            sp.Eq(along_V, moment, evaluate=False),
            Text(
                r"the second directional derivative along $V$, with "
                r"$u_{s,k} = \sum_a V_{k,a} X_{s,a}$ the change of the scores: the linear part "
                r"drops out, what remains is the second derivative of log-sum-exp along $u_s$ "
                rf"(see “{LSE_HESSIAN('en')}”); this is the quadratic form "
                r"$\operatorname{vec}(V)^{T} H \operatorname{vec}(V)$ of the Hessian",
                r"求沿 $V$ 的二阶方向导数，记 $u_{s,k} = \sum_a V_{k,a} X_{s,a}$ 为得分的"
                r"变化量。线性部分的二阶导数为 0，由“" + LSE_HESSIAN("zh") + r"”，"
                r"剩下的是 log-sum-exp 沿 $u_s$ 的二阶导数；这就是 Hessian 矩阵的二次型 "
                r"$\operatorname{vec}(V)^{T} H \operatorname{vec}(V)$",
            ),
            label="second_directional",
        ),
        Line(
            sp.Eq(along_V, variance, evaluate=False),
            Text(
                r"$\sum_k h_{s,k} = 1$: $E[u^2] - E[u]^2$ is the variance of $u_s$ under $h_s$, "
                r"averaged over the samples",
                r"由 $\sum_k h_{s,k} = 1$，$E[u^2] - E[u]^2$ 是 $u_s$ 在分布 $h_s$ 下的方差，"
                "再对样本取平均",
            ),
            label="variance",
        ),
        Line(
            sp.Ge(variance, 0, evaluate=False),
            Text(
                r"a variance is $\geq 0$: the Hessian is positive semidefinite at every "
                r"$\Theta$, so $L$ is convex",
                r"方差 $\geq 0$，因此 Hessian 矩阵在每个 $\Theta$ 处都半正定，$L$ 是凸函数",
            ),
            label="convex",
        ),
        Line(
            sp.Eq(along_shift, flat, evaluate=False),
            Text(
                r"along $V = \mathbf{1} \psi^{T}$ (every row of $V$ equal to $\psi$): "
                r"$u_{s,k} = \psi^{T} x_s$ for every class $k$",
                r"沿方向 $V = \mathbf{1} \psi^{T}$（$V$ 的每一行都等于 $\psi$），"
                r"对每个类别 $k$ 都有 $u_{s,k} = \psi^{T} x_s$",
            ),
            label="along_shift",
        ),
        Line(
            sp.Eq(along_shift, 0, evaluate=False),
            Text(
                r"the variance of a constant is 0: the Hessian is singular, with "
                r"$\mathbf{1} \otimes \psi$ in its null space for every $\psi$ (for a positive "
                r"semidefinite $H$, $w^{T} H w = 0$ forces $H w = 0$), as the invariance "
                r"$L(\Theta - \mathbf{1} \psi^{T}) = L(\Theta)$ "
                rf"(see “{TITLE('en')}”) requires",
                r"常数的方差为 0，因此 Hessian 矩阵奇异：对任意 $\psi$，"
                r"$\mathbf{1} \otimes \psi$ 都在它的零空间中（对半正定矩阵 $H$，由 "
                r"$w^{T} H w = 0$ 可得 $H w = 0$）。这与“" + TITLE("zh") + r"”中的不变性 "
                r"$L(\Theta - \mathbf{1} \psi^{T}) = L(\Theta)$ 一致",
            ),
            label="singular",
        ),
        Line(
            sp.Eq(_second_along(S, lambda c, a: V[c, a], decay=lam), bounded, evaluate=False),
            Text(
                r"with weight decay "
                r"$L_\lambda = L + \frac{\lambda}{2} \sum_k \sum_a \Theta_{k,a}^2$ "
                r"($\lambda > 0$) the decay adds $\lambda \lVert V \rVert^2$ to the quadratic "
                r"form: $H_\lambda = H + \lambda I$ (a symmetric matrix is determined by its "
                "quadratic form)",
                r"加入权重衰减 "
                r"$L_\lambda = L + \frac{\lambda}{2} \sum_k \sum_a \Theta_{k,a}^2$"
                r"（$\lambda > 0$），衰减项使二次型增加 $\lambda \lVert V \rVert^2$。"
                r"对称矩阵由其二次型唯一确定，因此 $H_\lambda = H + \lambda I$",
            ),
            label="decayed",
        ),
        Line(
            sp.Ge(bounded, lam * norm, evaluate=False),
            Text(
                r"a variance is $\geq 0$. The right side $\lambda \lVert V \rVert^2$ is $> 0$ "
                r"for every $V \neq 0$: $H_\lambda$ is positive definite and $L_\lambda$ "
                "strictly convex, with at most one minimizer",
                r"由方差 $\geq 0$ 得下式。当 $V \neq 0$ 时右边 $\lambda \lVert V \rVert^2$ "
                r"的值 $> 0$，因此 $H_\lambda$ 正定，$L_\lambda$ 严格凸，至多有一个最小值点",
            ),
            label="decayed_bound",
        ),
        Line(
            sp.Eq(
                _second_along(S, lambda c, a: psi[a], decay=lam),
                lam * K * sp.Sum(psi[a] ** 2, (a, 1, n)),
                evaluate=False,
            ),
            Text(
                r"along $\mathbf{1} \psi^{T}$, where the second derivative of $L$ was 0: "
                r"$\lVert \mathbf{1} \psi^{T} \rVert^2 = K \lVert \psi \rVert^2$, so the zero "
                r"eigenvalues of $H$ become $\lambda$ in $H_\lambda$",
                r"沿 $\mathbf{1} \psi^{T}$（$L$ 在此方向的二阶导数为 0），由 "
                r"$\lVert \mathbf{1} \psi^{T} \rVert^2 = K \lVert \psi \rVert^2$ 得下式；"
                r"因此 $H$ 的零特征值在 $H_\lambda$ 中变为 $\lambda$",
            ),
            label="decayed_shift",
        ),
    ]
    return lines + _hessian_blocks(S)
