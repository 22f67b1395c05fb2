"""The numeric functions of the derivations beyond the note (issue 14, item 10):
distillation_loss and distillation_grad, label_smoothing_loss and label_smoothing_grad,
and logsumexp at an inverse temperature beta; against mpmath at high precision (the
formulas written out here), scipy.special, finite differences of the losses and values by
hand, with the conventions of the other numeric functions, on every backend."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import scipy.special
from test_backends import BACKENDS, on

from symsoftmax import numeric as N
from symsoftmax.numeric import codegen

DPS = 60
EPS64 = np.finfo(np.float64).eps


def mp_lse(xs: list) -> mpmath.mpf:
    """log sum_k e^{x_k} of mpmath numbers: m + log sum_k e^{x_k - m}, exact but for the
    rounding at DPS digits (mpmath's exponent range is unbounded: nothing overflows)."""
    m = max(xs)
    return m + mpmath.log(mpmath.fsum(mpmath.exp(v - m) for v in xs))


def mp_log_softmax(xs: list) -> list:
    """log softmax of mpmath numbers, by the definition."""
    lse = mp_lse(xs)
    return [v - lse for v in xs]


def mp_distillation(t: np.ndarray, z: np.ndarray, T: float) -> tuple:
    """T^2 KL(p || q), T (q - p) and the size of the loss's terms T^2 sum p (|log p| + |log q|)
    (how much rounding the sum can amplify), with p = softmax(t/T), q = softmax(z/T)."""
    with mpmath.workdps(DPS):
        T = mpmath.mpf(T)
        logp = mp_log_softmax([mpmath.mpf(float(v)) / T for v in t])
        logq = mp_log_softmax([mpmath.mpf(float(v)) / T for v in z])
        p, q = [mpmath.exp(v) for v in logp], [mpmath.exp(v) for v in logq]
        terms = list(zip(p, logp, logq, strict=True))
        loss = T**2 * mpmath.fsum(a * (b - c) for a, b, c in terms)
        size = T**2 * mpmath.fsum(a * (abs(b) + abs(c)) for a, b, c in terms)
        return loss, [T * (b - a) for a, b in zip(p, q, strict=True)], size, p, q


def mp_smoothing(z: np.ndarray, y: np.ndarray, eps: float) -> tuple:
    """The smoothed loss -sum_k ((1 - eps) y_k + eps/K) log sigma_k and its gradient."""
    with mpmath.workdps(DPS):
        K = len(z)
        logs = mp_log_softmax([mpmath.mpf(float(v)) for v in z])
        eps = mpmath.mpf(eps)
        target = [(1 - eps) * mpmath.mpf(float(v)) + eps / K for v in y]
        loss = -mpmath.fsum(a * b for a, b in zip(target, logs, strict=True))
        return loss, [mpmath.exp(b) - a for a, b in zip(target, logs, strict=True)]


def mp_smooth_max(x: np.ndarray, beta: float) -> mpmath.mpf:
    """beta^-1 log sum_k e^{beta x_k}, from the exact inputs (beta x is not rounded here)."""
    with mpmath.workdps(DPS):
        b = mpmath.mpf(beta)
        return mp_lse([b * mpmath.mpf(float(v)) for v in x]) / b


def logits(K: int, scale: float, rows: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((rows, K)) * scale


def targets(K: int, rows: int, seed: int) -> np.ndarray:
    y = np.random.default_rng(seed).random((rows, K))
    return y / y.sum(axis=-1, keepdims=True)


# ------------------------------------------------------------------ accuracy against mpmath

# T a power of two: t / T is exact, so the error measured is the algorithm's alone


@pytest.mark.parametrize(("K", "rows"), [(10, 6), (1000, 2)])
@pytest.mark.parametrize("scale", [1.0, 10.0, 300.0])
@pytest.mark.parametrize("T", [0.5, 1.0, 4.0, 1024.0])
def test_distillation_against_mpmath(K: int, rows: int, scale: float, T: float) -> None:
    t, z = logits(K, scale, rows, 1), logits(K, scale, rows, 2)
    L = N.distillation_loss(t, z, T, backend="numpy")
    G = N.distillation_grad(t, z, T, backend="numpy")
    for r in range(rows):
        loss, grad, size, p, q = mp_distillation(t[r], z[r], T)
        # the loss: within a few roundings of itself, also where p and q are close and
        # sum_k p_k (log p_k - log q_k) would cancel (its terms are ``size`` in all)
        assert abs(L[r] - loss) <= 16 * EPS64 * loss, (L[r], loss, size)
        # each entry of the gradient: within a few roundings of T max(p_k, q_k)
        for k in range(K):
            bound = 8 * EPS64 * T * max(p[k], q[k]) + 1e-300
            assert abs(G[r, k] - grad[k]) <= bound, (k, G[r, k], grad[k])


@pytest.mark.parametrize(("K", "rows"), [(10, 6), (1000, 2)])
@pytest.mark.parametrize("scale", [1.0, 10.0, 300.0])
@pytest.mark.parametrize("eps", [0.0, 0.1, 1.0])
def test_label_smoothing_against_mpmath(K: int, rows: int, scale: float, eps: float) -> None:
    z, y = logits(K, scale, rows, 3), targets(K, rows, 4)
    L = N.label_smoothing_loss(z, y, eps, backend="numpy")
    G = N.label_smoothing_grad(z, y, eps, backend="numpy")
    for r in range(rows):
        loss, grad = mp_smoothing(z[r], y[r], eps)
        # a sum of terms of one sign (weights >= 0, log sigma <= 0): relative accuracy
        assert abs(L[r] - loss) <= 8 * EPS64 * abs(loss), (L[r], loss)
        for k in range(K):  # a difference sigma - target: within roundings of its terms
            assert abs(G[r, k] - grad[k]) <= 4 * EPS64 * (abs(grad[k]) + abs(y[r, k]) + 1 / K)


@pytest.mark.parametrize("beta", [1e-3, 0.5, 1.0, 2.0, 8.0, 1e3])
@pytest.mark.parametrize("scale", [1.0, 300.0, 1e300])
def test_logsumexp_at_a_temperature_against_mpmath(beta: float, scale: float) -> None:
    x = logits(12, scale, 5, 5)
    got = N.logsumexp(x, beta=beta, backend="numpy")
    assert np.all(np.isfinite(got))  # beta x is never formed: no overflow at 1e300
    for r in range(5):
        exact = mp_smooth_max(x[r], beta)
        assert abs(got[r] - exact) <= 8 * EPS64 * abs(exact), (got[r], exact)


# ---------------------------------------------------------------------------- scipy, by hand


def test_against_scipy() -> None:
    t, z, y = logits(7, 3.0, 20, 6), logits(7, 3.0, 20, 7), targets(7, 20, 8)
    T, eps = 2.7, 0.15  # T not a power of two: scipy divides the same way
    sp = scipy.special
    p, q = sp.softmax(t / T, axis=-1), sp.softmax(z / T, axis=-1)
    np.testing.assert_allclose(
        N.distillation_loss(t, z, T), T**2 * sp.rel_entr(p, q).sum(axis=-1), rtol=1e-12
    )
    np.testing.assert_allclose(N.distillation_grad(t, z, T), T * (q - p), rtol=1e-12, atol=1e-15)
    smoothed = (1 - eps) * y + eps / 7
    np.testing.assert_allclose(
        N.label_smoothing_loss(z, y, eps),
        -(smoothed * sp.log_softmax(z, axis=-1)).sum(axis=-1),
        rtol=1e-13,
    )
    np.testing.assert_allclose(
        N.label_smoothing_grad(z, y, eps), sp.softmax(z, axis=-1) - smoothed, atol=1e-15
    )
    for beta in (0.5, 3.0):
        np.testing.assert_allclose(
            N.logsumexp(z, beta=beta), sp.logsumexp(beta * z, axis=-1) / beta, rtol=1e-14
        )
        np.testing.assert_allclose(
            N.logsumexp(z, axis=0, beta=beta), sp.logsumexp(beta * z, axis=0) / beta, rtol=1e-14
        )


def test_reductions_by_hand() -> None:
    t, z, y = logits(5, 2.0, 8, 9), logits(5, 2.0, 8, 10), targets(5, 8, 11)
    sp = scipy.special
    # T = 1: the loss is KL(softmax(t) || softmax(z)), the gradient softmax(z) - softmax(t)
    kl = sp.rel_entr(sp.softmax(t, axis=-1), sp.softmax(z, axis=-1)).sum(axis=-1)
    np.testing.assert_allclose(N.distillation_loss(t, z, 1), kl, rtol=1e-13)
    # eps = 0: the cross-entropy, the same code path for the logs
    np.testing.assert_allclose(N.label_smoothing_loss(z, y, 0), N.cross_entropy(z, y), rtol=1e-15)
    np.testing.assert_allclose(N.label_smoothing_grad(z, y, 0), N.cross_entropy_grad(z, y))
    # eps = 1: the target is uniform whatever y; at equal logits the loss is log K
    assert N.label_smoothing_loss(np.zeros(5), y[0], 1.0) == pytest.approx(np.log(5), 1e-15)
    np.testing.assert_allclose(
        N.label_smoothing_grad(z, y, 1.0), sp.softmax(z, axis=-1) - 0.2, atol=1e-16
    )
    # beta = 1 is the plain log-sum-exp; beta^-1 LSE(beta x) lies in (max, max + log K / beta]
    np.testing.assert_array_equal(N.logsumexp(z, beta=1.0), N.logsumexp(z))
    for beta in (0.5, 2.0, 8.0, 64.0):
        smooth = N.logsumexp(z, beta=beta)
        # (strictly above the max in exact arithmetic; e^{-beta gap} can fall below the
        # rounding of the max for large beta)
        assert np.all(z.max(axis=-1) < smooth) or beta > 8
        assert np.all(z.max(axis=-1) <= smooth)
        assert np.all(smooth <= z.max(axis=-1) + np.log(5) / beta + 1e-14)
    # equal entries attain the upper bound: max + log K / beta
    assert N.logsumexp(np.full(4, 3.0), beta=2.0) == pytest.approx(3 + np.log(4) / 2, 1e-15)
    # identical teacher and student: no loss, no gradient
    assert np.all(N.distillation_loss(z, z, 3.0) == 0)
    assert np.all(N.distillation_grad(z, z, 3.0) == 0)


@pytest.mark.parametrize("T", [1e4, 1e6, 1e8])
def test_high_temperature_gradient_matches_the_logits(T: float) -> None:
    # for logits of mean zero, T (q - p) -> (z - t)/K as T -> oo (Hinton et al. 2015); the
    # difference is O(1/T) (the next term of the expansion in 1/T)
    t, z = logits(6, 1.0, 4, 12), logits(6, 1.0, 4, 13)
    t -= t.mean(axis=-1, keepdims=True)
    z -= z.mean(axis=-1, keepdims=True)
    np.testing.assert_allclose(N.distillation_grad(t, z, T), (z - t) / 6, rtol=50 / T, atol=0)
    # and the loss tends to the squared distance of the logits, |z - t|^2 / (2K)
    np.testing.assert_allclose(
        N.distillation_loss(t, z, T), ((z - t) ** 2).sum(axis=-1) / 12, rtol=50 / T + 1e-7
    )


# --------------------------------------------------------------------- finite differences


@pytest.mark.parametrize("K", [2, 3, 7])
def test_gradients_are_the_finite_differences_of_the_losses(K: int) -> None:
    rng = np.random.default_rng(K)
    t, z, y = rng.standard_normal(K) * 2, rng.standard_normal(K) * 2, targets(K, 1, K)[0]
    h = 1e-5
    for T in (0.7, 1.0, 5.0):
        fd = [
            (N.distillation_loss(t, z + h * e, T) - N.distillation_loss(t, z - h * e, T)) / (2 * h)
            for e in np.eye(K)
        ]
        np.testing.assert_allclose(N.distillation_grad(t, z, T), fd, rtol=1e-6, atol=1e-9)
    for eps in (0.0, 0.1, 1.0):
        fd = [
            (N.label_smoothing_loss(z + h * e, y, eps) - N.label_smoothing_loss(z - h * e, y, eps))
            / (2 * h)
            for e in np.eye(K)
        ]
        np.testing.assert_allclose(N.label_smoothing_grad(z, y, eps), fd, rtol=1e-6, atol=1e-9)
    for beta in (0.3, 4.0):  # the gradient of beta^-1 LSE(beta x) is softmax(beta x)
        fd = [
            (N.logsumexp(z + h * e, beta=beta) - N.logsumexp(z - h * e, beta=beta)) / (2 * h)
            for e in np.eye(K)
        ]
        np.testing.assert_allclose(N.softmax(beta * z), fd, rtol=1e-6, atol=1e-9)


# ------------------------------------------------------------------------------ conventions


def test_the_dominant_class_keeps_its_accuracy() -> None:
    # q_1 - p_1 = e^-100/(1 + e^-100) - e^-50/(1 + e^-50): 1 - 1 would give 0
    t, z = np.array([100.0, 0.0]), np.array([50.0, 0.0])
    with mpmath.workdps(40):
        exact = 1 / (1 + mpmath.e**100) - 1 / (1 + mpmath.e**50)
    got = N.distillation_grad(t, z, 1.0)
    assert abs(got[0] - exact) <= 4 * EPS64 * abs(exact), (got[0], exact)
    assert got.sum() == pytest.approx(0, abs=1e-37)  # the gradient is orthogonal to 1


def test_non_finite_entries() -> None:
    inf, nan = np.inf, np.nan
    # a class the teacher excludes adds nothing, even where the student excludes it too
    t = np.array([[0.0, -inf, 1.0], [0.0, 0.0, 0.0], [nan, 0.0, 0.0], [0.0, 1.0, 2.0]])
    z = np.array([[1.0, -inf, 0.0], [0.0, -inf, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, nan]])
    L = N.distillation_loss(t, z, 2.0)
    G = N.distillation_grad(t, z, 2.0)
    expected = N.distillation_loss(t[0, [0, 2]], z[0, [0, 2]], 2.0)
    assert L[0] == pytest.approx(expected, rel=1e-15)
    assert G[0, 1] == 0
    assert L[1] == inf  # the teacher gives weight to a class the student excludes
    assert np.all(np.isfinite(G[1]))
    assert np.isnan(L[2]) and np.isnan(L[3])  # a NaN makes its row NaN ...
    assert np.all(np.isnan(G[2])) and np.all(np.isnan(G[3]))
    # ... and only its row
    np.testing.assert_array_equal(np.isnan(N.logsumexp(t, beta=3.0)), [False, False, True, False])
    assert N.logsumexp(np.array([-inf, -inf]), beta=2.0) == -inf
    assert N.logsumexp(np.array([inf, 0.0]), beta=2.0) == inf
    y = np.array([[1.0, 0.0, 0.0]] * 2)
    zs = np.array([[0.0, -inf, 0.0], [nan, 0.0, 0.0]])
    # eps = 0: 0 log 0 = 0; eps > 0: every class has weight, so -inf costs inf
    assert np.isfinite(N.label_smoothing_loss(zs[0], y[0], 0.0))
    assert N.label_smoothing_loss(zs[0], y[0], 0.1) == inf
    assert np.isnan(N.label_smoothing_loss(zs, y, 0.1)[1])


def test_huge_finite_logits_never_give_nan() -> None:
    t = np.array([[1e300, -1e300, 0.0], [1e308, 1e308, -1e308]])
    z = np.array([[-1e300, 1e300, 0.0], [1e308, -1e308, 1e308]])
    for T in (1e-3, 1.0, 1e3):
        assert not np.any(np.isnan(N.distillation_loss(t, z, T)))
        assert np.all(np.isfinite(N.distillation_grad(t, z * 1e-8, T)))
    y = np.array([[1.0, 0.0, 0.0]] * 2)
    assert np.all(np.isfinite(N.label_smoothing_loss(z * 0.5, y, 0.1)))
    assert np.all(np.isfinite(N.label_smoothing_grad(z, y, 0.1)))
    assert np.all(np.isfinite(N.logsumexp(z, beta=1e10)))
    assert np.all(np.isfinite(N.logsumexp(z, beta=1e-10)))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64])
def test_dtypes(dtype) -> None:
    t, z = np.array([[1, 2, 3], [0, 0, 4]], dtype=dtype), np.array([[3, 2, 1], [1, 0, 0]], dtype)
    y = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], dtype=np.float32)
    kept = np.float64 if dtype == np.int64 else dtype
    for out in (
        N.distillation_loss(t, z, 2.0),
        N.distillation_grad(t, z, 2.0),
        N.label_smoothing_loss(z, y, 0.1),
        N.label_smoothing_grad(z, y, 0.1),
        N.logsumexp(z, beta=2.0),
    ):
        assert out.dtype == kept
    reference = N.distillation_grad(t.astype(np.float64), z.astype(np.float64), 2.0)
    rtol = {np.float16: 1e-3, np.float32: 1e-6}.get(dtype, 1e-15)  # float16 in float32
    np.testing.assert_allclose(N.distillation_grad(t, z, 2.0), reference, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("shape", [(0,), (0, 4), (3, 0)])
def test_empty_input_gives_empty_output(shape) -> None:
    x = np.zeros(shape)
    assert N.distillation_loss(x, x, 2.0).shape == shape[:-1]
    assert N.distillation_grad(x, x, 2.0).shape == shape
    assert N.logsumexp(x, beta=2.0).shape == shape[:-1]
    if shape[-1]:  # a row of no classes holds no probability vector
        y = np.full(shape, 1 / shape[-1])
        assert N.label_smoothing_loss(x, y, 0.1).shape == shape[:-1]
        assert N.label_smoothing_grad(x, y, 0.1).shape == shape


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: N.logsumexp([1.0, 2.0], beta=0),
            ValueError,
            r"beta must be a number in \(0, inf\)",
        ),
        (lambda: N.logsumexp([1.0, 2.0], beta=-1.0), ValueError, "got -1.0"),
        (lambda: N.logsumexp([1.0, 2.0], beta=np.nan), ValueError, "beta"),
        (lambda: N.logsumexp([1.0, 2.0], beta=np.inf), ValueError, "beta"),
        (lambda: N.logsumexp([1.0, 2.0], beta="2"), TypeError, "beta must be a real number"),
        (lambda: N.distillation_loss([1.0], [1.0], 0.0), ValueError, r"T must be .* got 0.0"),
        (lambda: N.distillation_grad([1.0], [1.0], None), TypeError, "T must be a real number"),
        (lambda: N.distillation_loss([1.0, 2.0], [1.0], 1), ValueError, r"teacher of shape \(2,\)"),
        (lambda: N.distillation_loss(["a"], [1.0], 1), TypeError, "teacher must be a real"),
        (lambda: N.label_smoothing_loss([1.0, 2.0], [1.0, 0.0], 1.5), ValueError, r"\[0, 1\]"),
        (lambda: N.label_smoothing_grad([1.0, 2.0], [0.7, 0.7], 0.1), ValueError, "probability"),
    ],
)
def test_bad_input_is_refused_clearly(call, error, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


# -------------------------------------------------------------------------------- backends


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_agrees_with_the_references(backend: str) -> None:
    call = on(backend)
    t, z, y = logits(6, 5.0, 5, 14), logits(6, 5.0, 5, 15), targets(6, 5, 16)
    t[0, 2], z[1, 3] = -np.inf, -np.inf
    sp = scipy.special
    T, eps = 2.0, 0.2
    p, q = sp.softmax(t / T, axis=-1), sp.softmax(z / T, axis=-1)
    kl = T**2 * sp.rel_entr(p, q).sum(axis=-1)
    np.testing.assert_allclose(call("distillation_loss", t, z, T), kl, rtol=1e-13)
    np.testing.assert_allclose(call("distillation_grad", t, z, T), T * (q - p), atol=1e-15)
    smoothed = (1 - eps) * y + eps / 6
    logs = sp.log_softmax(z[2:], axis=-1)
    np.testing.assert_allclose(
        call("label_smoothing_loss", z[2:], y[2:], eps), -(smoothed[2:] * logs).sum(-1), rtol=1e-14
    )
    np.testing.assert_allclose(
        call("label_smoothing_grad", z, y, eps), sp.softmax(z, axis=-1) - smoothed, atol=1e-15
    )
    big = logits(6, 1e300, 5, 17)
    for beta in (0.5, 4.0):
        np.testing.assert_allclose(
            call("logsumexp", z, beta=beta), sp.logsumexp(beta * z, axis=-1) / beta, rtol=1e-14
        )
        assert np.all(np.isfinite(call("logsumexp", big, beta=beta)))
    with pytest.raises(ValueError, match="beta"):
        call("logsumexp", z, beta=0.0)


# --------------------------------------------------------------------- generated from formulas


def test_kernels_are_printed_from_the_derived_formulas() -> None:
    # the formulas are read from the derivations' steps by label, then printed
    assert "T**2*_rowsum(p*(logp - logq))" in codegen.kernel_source("distillation_loss")
    assert "numpy.greater(p + q, 1)" in codegen.kernel_source("distillation_grad")
    assert "-_rowsum(logp*(y*(1 - epsilon) + epsilon/K))" in codegen.kernel_source(
        "label_smoothing_loss"
    )
    assert "xp.where(((p + q) > 1), cp - cq, -p + q)" in codegen.kernel_source(
        "distillation_grad", "array-api"
    )
    for name in ("distillation_loss", "distillation_grad"):
        assert name in N.source(name) and "def _distillation" in N.source(name)
