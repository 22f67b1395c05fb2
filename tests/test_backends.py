"""Every backend of symsoftmax.numeric keeps the same conventions and accuracy: the same
tests, run on numpy (the reference), numba, the array API (array-api-strict) and dask,
against mpmath at 60 digits, scipy and values by hand; and the edge cases of issue 13.

Each numba case is in the xdist group "numba", so that one worker compiles the kernels
(or loads them from numba's disk cache) once; each dask case in the group "dask".
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Callable

import mpmath
import numpy as np
import pytest
import scipy.special
from test_numeric import DPS, mp_softmax_row, ulp_errors

from symsoftmax import numeric as N
from symsoftmax.numeric import codegen, dispatch, fused, loops

da = pytest.importorskip("dask.array")
xp = pytest.importorskip("array_api_strict")

BACKENDS = [
    "numpy",
    pytest.param("numba", marks=pytest.mark.xdist_group("numba")),
    "array-api",
    pytest.param("dask", marks=pytest.mark.xdist_group("dask")),
]


def on(backend: str) -> Callable[..., np.ndarray]:
    """``call(name, *arrays, **options)``: the function ``name`` of ``backend`` on numpy
    arrays given in that backend's array type (array-api-strict, dask with chunks that split
    the rows and the classes), its result checked to be of that type, back as numpy."""

    def call(name: str, *arrays, **options):
        function = getattr(N, name)
        arrays = [np.asarray(a) for a in arrays]
        if "where" in options and options["where"] is not None:
            options["where"] = np.asarray(options["where"])
        if backend in ("numpy", "numba"):
            return function(*arrays, backend=backend, **options)
        if backend == "array-api":
            converted = [xp.asarray(a) for a in arrays]
            if options.get("where") is not None:
                options["where"] = xp.asarray(options["where"])
            out = function(*converted, **options)
            assert type(out) is type(converted[0]), type(out)  # the input's own type
            return np.from_dlpack(out)
        chunks = tuple(max(1, (n + 1) // 2) for n in arrays[0].shape)  # rows and classes split
        converted = [da.from_array(a, chunks=chunks) for a in arrays]
        out = function(*converted, **options)
        assert isinstance(out, da.Array)  # lazy: computed below
        return out.compute()

    return call


# -------------------------------------------------------------------------------- accuracy


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("K", "rows"), [(10, 12), (1000, 2)])
@pytest.mark.parametrize("scale", [1.0, 10.0, 300.0])
def test_accuracy_within_8_ulp_of_mpmath(backend: str, K: int, rows: int, scale: float) -> None:
    x = np.random.default_rng(K + int(scale)).standard_normal((rows, K)) * scale
    call = on(backend)
    s, logs, lse = call("softmax", x), call("log_softmax", x), call("logsumexp", x)
    worst = 0.0
    for n, row in enumerate(x):
        ref_s, ref_log, ref_lse = mp_softmax_row(row)
        for got, ref in ((s[n], ref_s), (logs[n], ref_log), (lse[n : n + 1], [ref_lse])):
            worst = max(worst, ulp_errors(got, ref).max(initial=0))
    # The goal of the issue, on every backend: at most 8 ulp componentwise.
    assert worst <= 8, worst


@pytest.mark.parametrize("backend", BACKENDS)
def test_agrees_with_scipy_along_any_axes(backend: str) -> None:
    x = np.random.default_rng(1).standard_normal((3, 4, 5)) * 5
    call = on(backend)
    for axis in (0, -1, (0, 2), (2, 0), None):
        # scipy flattens a tuple of axes (or all of them, for None) into one class axis
        np.testing.assert_allclose(
            call("softmax", x, axis=axis), scipy.special.softmax(x, axis=axis), rtol=1e-13
        )
        np.testing.assert_allclose(
            call("log_softmax", x, axis=axis),
            scipy.special.log_softmax(x, axis=axis),
            rtol=1e-13,
            atol=1e-15,
        )
        np.testing.assert_allclose(
            call("logsumexp", x, axis=axis), scipy.special.logsumexp(x, axis=axis), rtol=1e-13
        )


def mp_jacobian_row(row) -> list[list[mpmath.mpf]]:
    """sigma_i (delta_ij - sigma_j) in mpmath, sigma at 60 digits plus the row's spread."""
    s, _, _ = mp_softmax_row(row)
    with mpmath.workdps(DPS + 20):
        return [[s[i] * ((i == j) - s[j]) for j in range(len(row))] for i in range(len(row))]


def assert_relative(got: np.ndarray, exact: list, ulps: float) -> None:
    """Every entry within ``ulps`` units in the last place of the exact value (an exact
    zero must be computed as zero): full relative accuracy, however small the entry."""
    for g, e in zip(np.ravel(got), exact, strict=True):
        e = float(e)
        assert abs(float(g) - e) <= ulps * np.spacing(abs(e)), (g, e)


# ---------------------------------------------------------------- the edge cases of issue 13


@pytest.mark.parametrize("backend", BACKENDS)
def test_jacobian_keeps_full_accuracy_at_the_dominant_class(backend: str) -> None:
    # J_00 = sigma_0 sigma_1 = 4.248e-18, not sigma_0 - sigma_0^2 = 0 (1 - sigma_0 rounds to 0)
    x = np.array([[0.0, -40.0], [0.0, -20.0], [3.0, 1.0]])
    J = on(backend)("jacobian", x)
    for n, row in enumerate(x):
        assert_relative(J[n], [e for r in mp_jacobian_row(row) for e in r], 4)
    # J 1 = 0: each row sums to 0 up to the rounding of its entries (was: J_00 = 0 while
    # J_01 = -4.2e-18, a row sum as large as the row)
    assert np.all(np.abs(J.sum(axis=-1)) <= 4 * np.finfo(float).eps * np.abs(J).sum(axis=-1))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["jvp", "vjp"])
def test_products_keep_full_accuracy_at_the_dominant_class(backend: str, name: str) -> None:
    x = np.array([[0.0, -20.0, -20.0], [0.0, -40.0, 1.0], [5.0, 5.0, -30.0]])
    v = np.array([[1.0, 2.0, 3.0], [-4.0, 0.5, 7.0], [1.0, 1.0 + 2**-40, 2.0]])
    got = on(backend)(name, x, v)
    for n in range(len(x)):
        J = mp_jacobian_row(x[n])
        with mpmath.workdps(DPS + 20):
            # J is symmetric: J v = v^T J
            exact = [
                mpmath.fsum(J[i][j] * mpmath.mpf(float(v[n, j])) for j in range(3))
                for i in range(3)
            ]
        assert_relative(got[n], exact, 8)  # jvp([0, -20, -20], [1, 2, 3])[0]: was 3.4e-8 off


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["jvp", "vjp"])
def test_products_of_finite_input_never_overflow(backend: str, name: str) -> None:
    x = np.array([[0.0, 23.0], [0.0, 0.0], [1e308, -1e308]])
    v = np.array([[1.7e308, -1.7e308], [1.7e308, -1.7e308], [-1.7e308, 1.7e308]])
    got = on(backend)(name, x, v)
    assert np.all(np.isfinite(got))
    for n in range(2):
        J = mp_jacobian_row(x[n])
        with mpmath.workdps(DPS + 20):
            exact = [
                mpmath.fsum(J[i][j] * mpmath.mpf(float(v[n, j])) for j in range(2))
                for i in range(2)
            ]
        assert_relative(got[n], exact, 8)
    np.testing.assert_array_equal(got[2], [0.0, 0.0])  # sigma = (1, 0): J = 0 exactly


@pytest.mark.parametrize("backend", BACKENDS)
def test_cross_entropy_grad_keeps_full_accuracy_at_the_dominant_class(backend: str) -> None:
    z = np.array([[0.0, -40.0], [0.0, -40.0], [2.0, -1.0]])
    y = np.array([[1.0, 0.0], [0.75, 0.25], [0.25, 0.75]])
    got = on(backend)("cross_entropy_grad", z, y)
    for n in range(3):
        s, _, _ = mp_softmax_row(z[n])
        with mpmath.workdps(DPS):
            exact = [s[k] - mpmath.mpf(float(y[n, k])) for k in range(2)]
        assert_relative(got[n], exact, 4)  # -sigma_1 = -4.248e-18, not 0


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("poison", [np.nan, np.inf, -np.inf, 1e308])
def test_masked_tangent_entries_are_ignored(backend: str, poison: float) -> None:
    x = np.array([[1.0, 5.0, 2.0, -np.inf], [0.5, 0.25, 3.0, 1.0]])
    where = np.array([True, False, True, True])
    v = np.array([[1.0, poison, -2.0, poison], [3.0, poison, 1.0, 2.0]])
    clean = np.where(where & np.isfinite(x), v, 0.0)
    for name in ("jvp", "vjp"):
        got = on(backend)(name, x, v, where=where)
        # J's column of a masked (or -inf) entry is 0: what v holds there does not count
        np.testing.assert_array_equal(got, N.jvp(x, clean, where=where, backend="numpy"))
        assert np.all(np.isfinite(got))


@pytest.mark.parametrize(
    "backend", ["numpy", pytest.param("numba", marks=pytest.mark.xdist_group("numba"))]
)
def test_float16_is_computed_in_float32_and_returned_in_float16(backend: str) -> None:
    x = np.zeros(100000, dtype=np.float16)
    s = N.softmax(x, backend=backend)
    lse = N.logsumexp(x, backend=backend)
    # was: all zeros and inf (the sum of exponentials, 1e5, is beyond float16's 65504)
    assert s.dtype == lse.dtype == np.float16
    assert s[0] == np.float16(1e-5) and float(lse) == float(np.float16(math.log(1e5)))
    z = np.array([[1.0, 2.0, 30.0]], dtype=np.float16)
    for name in ("softmax", "log_softmax", "jacobian"):
        out = getattr(N, name)(z, backend=backend)
        assert out.dtype == np.float16
    # computed in float32 and rounded once to float16: scipy in float64, rounded to float16,
    # within one float16 ulp (log softmax of 30 is -9.5e-13, below float16's smallest: -0)
    want = scipy.special.log_softmax(z.astype(float)).astype(np.float16)
    got = N.log_softmax(z, backend=backend)
    assert np.all(np.abs(got.astype(float) - want) <= np.spacing(np.abs(want))), (got, want)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "y",
    [[[np.nan, 1.0]], [[np.inf, 1.0]], [[-0.5, 1.5]], [[0.5, 0.6]], [[np.nan, np.nan]]],
)
def test_cross_entropy_refuses_targets_that_are_no_probabilities(backend: str, y) -> None:
    z = np.array([[0.0, 1.0]])
    with pytest.raises(ValueError, match="probability vector"):
        on(backend)("cross_entropy", z, y)
    with pytest.raises(ValueError, match="probability vector"):
        on(backend)("cross_entropy_grad", z, y)


@pytest.mark.parametrize(
    "backend", ["numpy", "array-api", pytest.param("dask", marks=pytest.mark.xdist_group("dask"))]
)
@pytest.mark.parametrize(
    ("axis", "error", "message"),
    [
        (1.5, TypeError, "axis must be an int, a tuple of ints or None, got float 1.5"),
        ("0", TypeError, "got str '0'"),
        ((0, 0), ValueError, "repeated axis"),
        (2, (ValueError, IndexError), "out of bounds"),
    ],
)
def test_bad_axes_are_refused_naming_them(backend: str, axis, error, message: str) -> None:
    with pytest.raises(error, match=message):
        on(backend)("softmax", np.zeros((2, 3)), axis=axis)


# ---------------------------------------------------------------------------- conventions


@pytest.mark.parametrize("backend", BACKENDS)
def test_conventions_for_non_finite_and_huge_entries(backend: str) -> None:
    call = on(backend)
    x = np.array(
        [
            [1e308, -1e308, 0.0],
            [-np.inf, 0.0, 0.0],
            [np.inf, 5.0, np.inf],
            [-np.inf, -np.inf, -np.inf],
            [np.nan, 1.0, 2.0],
            [1.0, 2.0, 3.0],
        ]
    )
    s = call("softmax", x)
    expected = [[1, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0, 0, 0]]
    np.testing.assert_allclose(s[:4], expected, rtol=1e-15, atol=0)
    assert np.isnan(s[4]).all()  # a NaN makes its row NaN ...
    np.testing.assert_allclose(s[5], scipy.special.softmax(x[5]), rtol=1e-14)  # ... only its row
    logs = call("log_softmax", x)
    assert logs[1, 0] == -np.inf and logs[2, 1] == -np.inf and np.all(logs[3] == -np.inf)
    lse = call("logsumexp", x)
    np.testing.assert_allclose(lse[[0, 1]], [1e308, np.log(2.0)], rtol=1e-15)
    assert lse[2] == np.inf and lse[3] == -np.inf and np.isnan(lse[4])
    for name in ("jacobian", "jvp"):
        args = (x[:1],) if name == "jacobian" else (x[:1], np.ones((1, 3)))
        assert np.all(np.isfinite(call(name, *args)))  # finite input: never inf or nan


@pytest.mark.parametrize("backend", BACKENDS)
def test_masks(backend: str) -> None:
    call = on(backend)
    where = np.array([[True, False, True, True], [False, False, False, False]])
    x = np.array([[1.0, 1e308, 2.0, 0.5], [1.0, 2.0, 3.0, 4.0]])
    s = call("softmax", x, where=where)
    np.testing.assert_allclose(s[0, [0, 2, 3]], scipy.special.softmax(x[0, [0, 2, 3]]), rtol=1e-14)
    assert s[0, 1] == 0 and np.all(s[1] == 0)
    assert np.all(call("log_softmax", x, where=where)[1] == -np.inf)
    J = call("jacobian", x, where=where)
    assert np.all(J[0, 1, :] == 0) and np.all(J[0, :, 1] == 0) and np.all(J[1] == 0)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_dtypes(backend: str, dtype) -> None:
    x = np.array([[1, 0, 1], [0, 1, 1]], dtype=dtype)
    expected = dtype if np.dtype(dtype).kind == "f" else np.float64
    call = on(backend)
    for name in ("softmax", "log_softmax", "logsumexp", "jacobian"):
        assert call(name, x).dtype == expected, name
    rtol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(
        call("softmax", x), scipy.special.softmax(x.astype(float), axis=-1), rtol=rtol
    )


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("shape", [(0, 4), (3, 0)])
def test_empty_input_gives_empty_output(backend: str, shape) -> None:
    call = on(backend)
    x = np.zeros(shape)
    assert call("softmax", x).shape == shape and call("log_softmax", x).shape == shape
    np.testing.assert_array_equal(call("logsumexp", x), np.full(shape[:-1], -np.inf))


@pytest.mark.parametrize("backend", BACKENDS)
def test_products_and_loss_against_scipy(backend: str) -> None:
    rng = np.random.default_rng(5)
    z = rng.standard_normal((6, 5)) * 4
    v = rng.standard_normal((6, 5))
    y = rng.random((6, 5))
    y /= y.sum(axis=-1, keepdims=True)
    call = on(backend)
    s = scipy.special.softmax(z, axis=-1)
    J = np.stack([np.diag(r) - np.outer(r, r) for r in s])
    np.testing.assert_allclose(call("jacobian", z), J, rtol=1e-13, atol=1e-17)
    np.testing.assert_allclose(
        call("jvp", z, v), np.einsum("nij,nj->ni", J, v), rtol=1e-12, atol=1e-16
    )
    np.testing.assert_allclose(
        call("vjp", z, v), np.einsum("ni,nij->nj", v, J), rtol=1e-12, atol=1e-16
    )
    loss = -np.sum(y * scipy.special.log_softmax(z, axis=-1), axis=-1)
    np.testing.assert_allclose(call("cross_entropy", z, y), loss, rtol=1e-13)
    np.testing.assert_allclose(call("cross_entropy_grad", z, y), s - y, rtol=1e-12, atol=1e-16)


# ------------------------------------------------------------------------- the backends


def test_backends_lists_the_installed_ones_reference_first() -> None:
    assert N.backends() == ["numpy", "numba", "array-api", "dask"]  # the test extra has all


@pytest.mark.parametrize(
    ("x", "backend", "message"),
    [
        (
            np.zeros(2),
            "cuda",
            "unknown backend 'cuda'; known: 'numpy', 'numba', 'array-api', 'dask'",
        ),
        (xp.zeros(2), "numba", "backend 'numba' computes numpy arrays, got array_api_strict"),
        (da.zeros(2), "numpy", "cannot compute a dask array lazily"),
        (np.zeros(2), "dask", "backend 'dask' computes dask arrays, got ndarray"),
    ],
)
def test_a_backend_that_cannot_compute_the_input_is_refused(x, backend, message) -> None:
    with pytest.raises(ValueError, match=message):
        N.softmax(x, backend=backend)


def test_none_chooses_by_the_input() -> None:
    assert dispatch.choose(np.zeros(3), None) is dispatch.Backend.NUMPY  # small: no compile
    big = np.zeros((dispatch.NUMBA_FROM // 4, 4))
    assert dispatch.choose(big, None) is dispatch.Backend.NUMBA
    assert dispatch.choose(xp.zeros(3), None) is dispatch.Backend.ARRAY_API
    assert dispatch.choose(da.zeros(3), None) is dispatch.Backend.DASK


def test_numpy_arrays_through_the_array_api_backend() -> None:
    x = np.array([[1.0, 2.0, 3.0]])
    out = N.softmax(x, backend="array-api")
    np.testing.assert_allclose(out, scipy.special.softmax(x, axis=-1), rtol=1e-15)


def test_array_api_kernels_are_printed_from_the_same_formulas() -> None:
    # the array-API printer is the numpy printer with the namespace xp: the same formula
    for name in codegen.NAMES:
        numpy_body = codegen.kernel_source(name).split('"""')[-1]
        portable_body = codegen.kernel_source(name, "array-api").split('"""')[-1]
        if "select" not in numpy_body and "_diagonal" not in numpy_body:
            translated = numpy_body.replace("numpy.", "xp.")
            if "_rowsum(" not in translated:
                assert translated == portable_body, name
    assert "xp.where((s > (1/2)), -c + (1 - y), s - y)" in codegen.kernel_source(
        "cross_entropy_grad", "array-api"
    )


def test_array_api_module_never_updates_in_place() -> None:
    import ast

    tree = ast.parse(codegen.module_source(None, "array-api"))
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.AugAssign)]
    subscript_stores = [
        n for n in ast.walk(tree) if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store)
    ]
    assert subscript_stores == []


# ------------------------------------------------------------------------------------ numba


def test_numba_kernels_are_printed_from_the_rewritten_formulas() -> None:
    printer = loops.NumbaPrinter()
    for name in loops.FUSED:
        program = loops.row_program(name)
        text = loops.kernel_source(name)
        assert text.startswith('@numba.njit(cache=True, parallel=True, fastmath={"contract"})')
        for acc, term in program.sums:  # each sum's term, printed from the formula
            assert f"{acc} = _radd({acc}, {printer.doprint(term)})" in text
    # softmax stores e^{d_k} in the output row and divides it there: one exp per entry
    assert loops.kernel_source("softmax").count("_exp(") == 1
    assert "out[row, k] = t0/acc0" in loops.kernel_source("softmax")
    assert "math.log1p(acc0)" in loops.kernel_source("log_softmax")


def test_exp_polynomial_degree_is_the_smallest_with_an_error_below_an_eighth_ulp() -> None:
    # the Taylor remainder of e^r on |r| <= ln(2)/2, relative to e^r, by mpmath directly
    h = mpmath.log(2) / 2
    bound = [mpmath.e ** (2 * h) * h ** (N + 1) / mpmath.factorial(N + 1) for N in (12, 13)]
    assert bound[0] > 2.0**-56 >= bound[1]
    assert loops.exp_degree() == 13


def test_exp_range_reduction_constants() -> None:
    constants = loops.exp_constants()
    with mpmath.workdps(60):
        hi, lo = mpmath.mpf(constants["_LN2_HI"]), mpmath.mpf(constants["_LN2_LO"])
        assert abs(hi + lo - mpmath.log(2)) < mpmath.mpf(2) ** -85  # ln 2 in two parts
        assert hi * 2**32 == int(hi * 2**32)  # 32 bits: n * ln2_hi exact for |n| < 2^21
        assert abs(constants["_LOG2E"] - 1 / mpmath.log(2)) <= 2**-53
        assert mpmath.exp(constants["_EXP_LOW"]) < mpmath.mpf(2) ** -1075  # rounds to 0
    # the intrinsics module holds the same numbers (it is plain source, copied out)
    module = loops._intrinsics()
    for name, value in constants.items():
        assert module[name].text.splitlines()[-1] == f"{name} = {value!r}", name


@pytest.mark.xdist_group("numba")
def test_vectorizable_exp_is_within_one_ulp_of_mpmath() -> None:
    exp = dispatch._numba_module()._exp
    rng = np.random.default_rng(4)
    d = np.concatenate(
        [
            -rng.random(400) * 1e-3,
            -rng.random(400),
            -rng.random(400) * 40,
            -rng.random(400) * 745,
            [0.0, -0.0, -5e-324, -708.3964185322641, -708.5, -744.4, -745.13, -745.2, -746.0],
            [-800.0, -1e300, -np.log(2) / 2, -np.log(2) * 1022.5],
        ]
    )
    worst = 0.0
    for v in d:
        got, exact = exp(float(v)), mpmath.exp(mpmath.mpf(float(v)))
        if exact < np.finfo(float).tiny:  # subnormal or 0: within one subnormal step
            assert abs(got - exact) <= 2.0**-1074, (v, got, exact)
        else:
            worst = max(worst, float(abs(got - exact) / np.spacing(float(exact))))
    assert worst <= 1, worst
    assert exp(0.0) == 1.0 and exp(-746.0) == 0.0


@pytest.mark.parametrize("name", loops.FUSED)
def test_a_row_kernel_stub_refuses_to_run(name: str) -> None:
    with pytest.raises(NotImplementedError, match="loops"):
        getattr(fused, f"_{name}_rows")(np.zeros((1, 2)), np.zeros((1, 2)), np.zeros(1, bool), 1.0)


@pytest.mark.xdist_group("numba")
def test_numba_module_is_the_exported_source_and_imports_numba_alone() -> None:
    module = dispatch._numba_module()
    with open(module.__file__) as f:
        assert f.read() == N.source(None, backend="numba")
    import ast

    imports = {
        alias.name
        for node in ast.walk(ast.parse(N.source(None, backend="numba")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imports == {"annotations", "math", "numba", "numpy"}


@pytest.mark.xdist_group("numba")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numba_rows_left_to_numpy_are_computed_there_beside_fused_ones(dtype) -> None:
    x = np.random.default_rng(2).standard_normal((9, 7)).astype(dtype) * 10
    x[2, 3], x[5, 0], x[7, 6] = np.inf, np.nan, np.finfo(dtype).max
    left = [2, 5, 7]  # an inf, a NaN, an entry beyond half the largest float
    fused_rows = [n for n in range(len(x)) if n not in left]
    exact = [mp_softmax_row(x[n].astype(float)) for n in fused_rows]
    for got, name in zip(
        (N.softmax(x, backend="numba"), N.log_softmax(x, backend="numba")),
        ("softmax", "log_softmax"),
        strict=True,
    ):
        assert got.dtype == dtype
        # the rows left to numpy: what the numpy backend gives, bit for bit
        np.testing.assert_array_equal(got[left], getattr(N, name)(x[left], backend="numpy"))
        # the fused rows: within 8 ulp of mpmath (the goal of every backend)
        which = 0 if name == "softmax" else 1
        worst = max(
            ulp_errors(got[n], e[which]).max() for n, e in zip(fused_rows, exact, strict=True)
        )
        assert worst <= 8, (name, worst)
    lse = N.logsumexp(x, backend="numba")
    np.testing.assert_array_equal(lse[left], N.logsumexp(x[left], backend="numpy"))
    assert (
        max(
            ulp_errors(lse[n : n + 1], [e[2]]).max() for n, e in zip(fused_rows, exact, strict=True)
        )
        <= 8
    )


# ------------------------------------------------------------------------------------- dask


@pytest.mark.xdist_group("dask")
def test_dask_is_lazy_and_rechunks_a_split_class_axis() -> None:
    x = da.random.default_rng(0).standard_normal((10, 6), chunks=(4, 2))
    s = N.softmax(x)
    assert isinstance(s, da.Array) and s.chunks == ((4, 4, 2), (6,))  # rows kept, classes whole
    lse = N.logsumexp(x, axis=0)
    assert lse.chunks == ((2, 2, 2),)
    np.testing.assert_allclose(s.compute(), N.softmax(x.compute()), rtol=1e-15)
    J = N.jacobian(x)
    assert J.shape == (10, 6, 6) and J.chunks == ((4, 4, 2), (6,), (6,))


@pytest.mark.xdist_group("dask")
def test_dask_checks_types_at_the_call_and_targets_at_compute() -> None:
    with pytest.raises(TypeError, match="real numeric array"):
        N.softmax(da.from_array(np.array(["a", "b"])))
    loss = N.cross_entropy(da.zeros((2, 2), chunks=1), da.full((2, 2), 0.75, chunks=1))
    with pytest.raises(ValueError, match="probability vector"):
        loss.compute()


@pytest.mark.xdist_group("numba")
def test_dask_chunks_by_numba_take_turns_under_the_threaded_scheduler(tmp_path) -> None:
    # numba's fallback threading layer aborts the process when two threads enter parallel
    # code at once; dask's threaded scheduler computes chunks (here of 200000 entries: by
    # numba) on 4 threads
    code = (
        "import numpy as np, dask.array as da, numba, scipy.special, symsoftmax as ss\n"
        "x = np.random.default_rng(0).standard_normal((200000, 10))\n"
        "lazy = da.from_array(x, chunks=(20000, 10))\n"
        "s = ss.numeric.softmax(lazy).compute(scheduler='threads', num_workers=4)\n"
        "assert numba.threading_layer() == 'workqueue'\n"
        "print(np.max(np.abs(s - scipy.special.softmax(x, axis=-1)) / s))\n"
    )
    env = {**os.environ, "NUMBA_THREADING_LAYER": "workqueue"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert float(done.stdout) < 1e-14


@pytest.mark.xdist_group("dask")
def test_dask_on_a_local_cluster_of_two_worker_processes() -> None:
    distributed = pytest.importorskip("dask.distributed")
    x = np.random.default_rng(3).standard_normal((4000, 10)) * 5
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        lazy = da.from_array(x, chunks=(1000, 5))  # 8 chunks, the classes split in two
        s, lse = N.softmax(lazy), N.logsumexp(lazy)
        got_s, got_lse = client.compute([s, lse], sync=True)
        assert len(client.scheduler_info()["workers"]) == 2
    np.testing.assert_allclose(got_s, scipy.special.softmax(x, axis=-1), rtol=1e-13)
    np.testing.assert_allclose(got_lse, scipy.special.logsumexp(x, axis=-1), rtol=1e-14)
