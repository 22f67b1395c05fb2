"""symsoftmax.numeric.runtime, each helper on its own: the row shift against exact rational
arithmetic (TwoSum), the column-by-column reductions against numpy's, masks and non-finite
rows against hand-made expectations; the public functions' plumbing with stand-in kernels.

The same source runs in the package as the generated module (tests/test_numeric.py); here
it runs as the real module, which is what ruff, the formatter and coverage see.
"""

from __future__ import annotations

import ast
import functools
import inspect
from fractions import Fraction

import numpy as np
import pytest

from symsoftmax.numeric import runtime as R

# ----------------------------------------------------------------------------- the module


def test_runtime_imports_numpy_and_nothing_else() -> None:
    # its definitions are copied into a standalone module whose only import is numpy
    tree = ast.parse(inspect.getsource(R))
    imported = {
        alias.name if isinstance(node, ast.Import) else node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {"__future__", "numpy", "numpy.typing"}
    inner = [
        node
        for function in tree.body
        if isinstance(function, ast.FunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    assert not inner


@pytest.mark.parametrize("name", R.__all__)
def test_a_kernel_stub_refuses_to_run(name: str) -> None:
    # the formulas are printed by codegen, never typed here
    stub = getattr(R, f"_{name}_kernel")
    arrays = [np.zeros(2)] * len(inspect.signature(stub).parameters)
    with pytest.raises(NotImplementedError, match="codegen"):
        stub(*arrays)


# ---------------------------------------------------------------------------------- input


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.longdouble])
def test_as_array_keeps_a_floating_array_as_it_is(dtype) -> None:
    x = np.arange(3, dtype=dtype)
    assert R._as_array(x) is x


@pytest.mark.parametrize(
    "x", [[1, 2], np.array([1, 2], dtype=np.int8), np.array([7], dtype=np.uint64), [True, False]]
)
def test_as_array_computes_integers_and_bools_in_float64(x) -> None:
    a = R._as_array(x)
    assert a.dtype == np.float64
    np.testing.assert_array_equal(a, np.asarray(x).astype(float))


@pytest.mark.parametrize(
    ("x", "message"),
    [
        ("abc", "v must be a real numeric array, got dtype <U3"),
        (np.array([1 + 2j]), "v must be a real numeric array, got dtype complex128"),
        (np.array([object()]), "v must be a real numeric array, got dtype object"),
        ([[1.0], [1.0, 2.0]], "v must be a numeric array, got list"),
    ],
)
def test_as_array_refuses_non_numeric_input_naming_it(x, message: str) -> None:
    with pytest.raises(TypeError, match=message.replace("(", r"\(")):
        R._as_array(x, "v")


@pytest.mark.parametrize("x", [3.0, np.float32(3.0), 2, True])
def test_as_array_refuses_a_scalar(x) -> None:
    with pytest.raises(ValueError, match="x must have at least one axis"):
        R._as_array(x)


def test_mask_none_means_every_entry() -> None:
    assert R._mask(None, (2, 3)) is None


def test_mask_broadcasts_to_the_shape_of_x() -> None:
    keep = R._mask([True, False, True], (2, 3))
    np.testing.assert_array_equal(keep, [[True, False, True]] * 2)


@pytest.mark.parametrize(
    ("where", "shape", "error", "message"),
    [
        (np.ones(3), (2, 3), TypeError, "where must be a boolean array, got dtype float64"),
        (np.ones((3, 3), bool), (2, 3), ValueError, r"where of shape \(3, 3\) .* \(2, 3\)"),
        # broadcasting may not enlarge x
        (np.ones((2, 1, 3), bool), (1, 3), ValueError, r"\(2, 1, 3\) .* \(1, 3\)"),
    ],
)
def test_mask_refuses_what_does_not_fit(where, shape, error, message: str) -> None:
    with pytest.raises(error, match=message):
        R._mask(where, shape)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, np.int64(1)])
def test_classes_last_moves_x_and_its_mask_alike(axis: int) -> None:
    x = np.arange(24.0).reshape(2, 3, 4)
    x_last, keep, axes, moved = R._classes_last(x, axis, x % 3 == 0)
    np.testing.assert_array_equal(x_last, np.moveaxis(x, axis, -1))
    np.testing.assert_array_equal(keep, x_last % 3 == 0)  # each entry keeps its own flag
    assert R._classes_last(x, axis, None)[1] is None
    np.testing.assert_array_equal(R._classes_back(x_last, axes, moved), x)


@pytest.mark.parametrize(
    ("axis", "classes"), [(None, (0, 1, 2)), ((0, 2), (0, 2)), ((2, 0), (2, 0)), ((-1,), (2,))]
)
def test_classes_last_flattens_several_class_axes_as_scipy_does(axis, classes) -> None:
    x = np.arange(24.0).reshape(2, 3, 4)
    x_last, keep, axes, moved = R._classes_last(x, axis, x > 5)
    # the batch axes first, in order, then the class axes in the order given, flattened
    batch = [a for a in range(3) if a not in [c % 3 for c in classes]]
    expected = np.transpose(x, [*batch, *classes]).reshape(*(x.shape[a] for a in batch), -1)
    np.testing.assert_array_equal(x_last, expected)
    np.testing.assert_array_equal(keep, x_last > 5)
    np.testing.assert_array_equal(R._classes_back(x_last, axes, moved), x)


@pytest.mark.parametrize(
    ("axis", "error", "message"),
    [
        (1.5, TypeError, "axis must be an int, a tuple of ints or None, got float 1.5"),
        ("0", TypeError, "got str '0'"),
        (True, TypeError, "got bool True"),
        ((0, 0.5), TypeError, "got float 0.5"),
        (3, np.exceptions.AxisError, "axis 3 is out of bounds"),
        ((0, 0), ValueError, "repeated axis"),
    ],
)
def test_classes_last_refuses_bad_axes_naming_them(axis, error, message: str) -> None:
    with pytest.raises(error, match=message):
        R._classes_last(np.zeros((2, 3)), axis, None)


def test_computed_in_widens_only_float16() -> None:
    assert R._computed_in(np.zeros(2, np.float16)).dtype == np.float32
    for dtype in (np.float32, np.float64, np.longdouble):
        a = np.zeros(2, dtype)
        assert R._computed_in(a) is a


def test_check_same_shape_names_both_shapes() -> None:
    R._check_same_shape(np.zeros((2, 3)), np.ones((2, 3)), "v")
    with pytest.raises(ValueError, match=r"y of shape \(3, 2\) does not match x of shape \(2, 3\)"):
        R._check_same_shape(np.zeros((2, 3)), np.zeros((3, 2)), "y")


def test_last_axis_refuses_only_a_scalar() -> None:
    R._last_axis(np.zeros(0))
    with pytest.raises(ValueError, match="at least one axis"):
        R._last_axis(np.zeros(()))


# --------------------------------------------------------------------------------- target


def test_target_accepts_probability_rows_and_computes_integers_in_float64() -> None:
    z = np.zeros((2, 3))
    y = R._target(z, np.array([[0, 1, 0], [1, 0, 0]]))
    assert y.dtype == np.float64
    # float32 probabilities that sum to 1 only up to their rounding
    p = np.full((1, 11), 1 / 11, dtype=np.float32)
    assert np.sum(p) != 1
    assert R._target(np.zeros((1, 11)), p) is p


@pytest.mark.parametrize(
    ("extra", "accepted"),
    [(60, True), (64, True), (68, False)],  # the tolerance is 16 eps K = 64 eps for K = 4
)
def test_target_tolerance_is_16_eps_per_class(extra: int, accepted: bool) -> None:
    eps = np.finfo(np.float64).eps
    y = np.full((1, 4), 0.25)
    y[0, 0] += extra * eps  # every partial sum is exact: the row sums to 1 + extra eps
    assert np.sum(y) - 1 == extra * eps
    if accepted:
        R._target(np.zeros((1, 4)), y)
    else:
        with pytest.raises(ValueError, match="probability vector"):
            R._target(np.zeros((1, 4)), y)


@pytest.mark.parametrize(
    ("y", "message"),
    [
        ([[1.5, -0.5]], r"probability vector .*got \[1.5, -0.5\] in row \(0,\)"),
        ([[0.5, 0.6]], "probability vector"),
        ([[np.nan, 1.0]], r"got \[nan, 1.0\]"),  # a NaN fails every comparison: refused
        ([[np.inf, 1.0]], r"got \[inf, 1.0\] in row \(0,\)"),
        ([[np.nan, np.nan]], "probability vector"),
        ([[0.5, 0.25, 0.25]], r"y of shape \(1, 3\) does not match x of shape \(1, 2\)"),
    ],
)
def test_target_refuses_what_is_no_probability_vector(y, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        R._target(np.zeros((1, 2)), y)


# ----------------------------------------------------------------------------- reductions


def left_to_right_sum(a: np.ndarray) -> np.ndarray:
    """The columns of ``a`` added in order, the way the short-row path promises to."""
    return functools.reduce(np.add, [a[..., k] for k in range(a.shape[-1])])[..., None]


@pytest.mark.parametrize("K", [1, 2, 3, 9, R._FEW, R._FEW + 1, 100])
@pytest.mark.parametrize("batch", [(), (7,), (2, 3)])
def test_row_reductions_agree_with_numpy(K: int, batch: tuple[int, ...]) -> None:
    rng = np.random.default_rng(K)
    shape = (*batch, K)
    a = rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 9, shape)  # order matters
    m, total = R._rowmax(a), R._rowsum(a)
    assert m.shape == total.shape == (*batch, 1)
    np.testing.assert_array_equal(m, np.max(a, axis=-1, keepdims=True))  # max is exact
    scale = np.sum(np.abs(a), axis=-1, keepdims=True)
    assert np.all(np.abs(total - np.sum(a, axis=-1, keepdims=True)) <= 1e-15 * K * scale)
    # a short row is added column by column, left to right; a long one by numpy (pairwise)
    exact = left_to_right_sum(a) if K <= R._FEW else np.sum(a, axis=-1, keepdims=True)
    np.testing.assert_array_equal(total, exact)


def test_row_reductions_of_rows_without_classes() -> None:
    a = np.zeros((3, 0))
    np.testing.assert_array_equal(R._rowmax(a), np.full((3, 1), -np.inf))
    np.testing.assert_array_equal(R._rowsum(a), np.zeros((3, 1)))


@pytest.mark.parametrize("K", [3, 40])
def test_row_reductions_propagate_nan_row_by_row(K: int) -> None:
    a = np.ones((2, K))
    a[0, 1] = np.nan
    for reduce in (R._rowmax, R._rowsum):
        out = reduce(a)
        assert np.isnan(out[0, 0]) and np.isfinite(out[1, 0])


@pytest.mark.parametrize("K", [3, 40])
def test_row_reductions_do_not_write_to_their_input(K: int) -> None:
    a = np.arange(2.0 * K).reshape(2, K)
    before = a.copy()
    R._rowmax(a)[...] = 99
    R._rowsum(a)[...] = 99
    np.testing.assert_array_equal(a, before)


# ------------------------------------------------------------------------------ the shift


def mixed_magnitudes(dtype, scale: float, seed: int = 0) -> np.ndarray:
    """Rows whose entries span many binades, so that x - max rounds (dl != 0)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((12, 9)) * scale * 10.0 ** rng.integers(-12, 1, (12, 9))
    return x.astype(dtype)


def assert_two_sum_exact(x, dh, dl, m, where) -> None:
    """dh + dl == x - m exactly, in rational arithmetic, at the entries ``where``."""
    for i in zip(*np.nonzero(where), strict=True):
        row = i[:-1]
        exact = Fraction(float(x[i])) - Fraction(float(m[(*row, 0)]))
        assert Fraction(float(dh[i])) + Fraction(float(dl[i])) == exact, (i, x[i], dh[i], dl[i])


@pytest.mark.parametrize(
    ("dtype", "scale"),
    [
        (np.float64, 1.0),
        (np.float64, 1e16),
        (np.float64, 1e300),
        (np.float32, 1.0),
        (np.float32, 1e30),
    ],
)
def test_shift_is_exact_two_sum(dtype, scale: float) -> None:
    x = mixed_magnitudes(dtype, scale)
    dh, dl, r, m, live, infinite, nan_rows = R._shift(x, None)
    assert live is infinite is nan_rows is r is None  # finite input: the common path
    assert dh.dtype == dl.dtype == m.dtype == dtype
    np.testing.assert_array_equal(m, np.max(x, axis=-1, keepdims=True))
    np.testing.assert_array_equal(dh, x - m)  # dh is the rounded difference ...
    assert np.all(dh <= 0)
    assert np.count_nonzero(dl) > x.size // 4  # ... that rounds often here
    assert_two_sum_exact(x, dh, dl, m, np.ones(x.shape, bool))  # ... and dl its exact error
    # |dl| is at most half an ulp of dh
    assert np.all(np.abs(dl) <= np.spacing(np.abs(dh)) / 2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_shift_with_a_mask_is_exact_two_sum_on_the_entries_that_take_part(dtype) -> None:
    x = mixed_magnitudes(dtype, 1e6, seed=1)
    keep = np.random.default_rng(2).random(x.shape) < 0.6
    keep[:, 0] = True
    dh, dl, _, m, live, infinite, nan_rows = R._shift(x, keep)
    np.testing.assert_array_equal(live, keep)
    assert not infinite.any() and not nan_rows.any()
    np.testing.assert_array_equal(m[:, 0], [row[k].max() for row, k in zip(x, keep, strict=True)])
    assert_two_sum_exact(x, dh, dl, m, keep)
    assert np.all(dh[~keep] == -np.inf) and np.all(dl[~keep] == 0)  # probability exactly 0


def test_shift_near_overflow_stays_exact_where_the_difference_is_finite() -> None:
    x = np.array([[1.7e308, -1.7e308, 1e308, -1.0]])  # beyond max / 2: the careful path
    dh, dl, _, m, live, infinite, nan_rows = R._shift(x, None)
    assert m[0, 0] == 1.7e308 and live.all() and not infinite.any() and not nan_rows.any()
    assert dh[0, 1] == -np.inf and dl[0, 1] == 0  # -3.4e308 overflows: probability 0
    finite = np.isfinite(dh)
    assert finite.sum() == 3
    assert_two_sum_exact(x, dh, dl, m, finite)


#: Rows with non-finite or masked entries: (row, mask, dh, m, live, +inf row, NaN row).
NONFINITE = [
    ([-np.inf, 0.0, 0.0], None, [-np.inf, 0, 0], 0, [0, 1, 1], False, False),
    ([np.inf, 5.0, np.inf], None, [0, -np.inf, 0], 0, [1, 1, 1], True, False),
    ([-np.inf, -np.inf, -np.inf], None, [-np.inf] * 3, 0, [0, 0, 0], False, False),
    ([np.nan, 1.0, 2.0], None, [-np.inf, -1, 0], 2, [0, 1, 1], False, True),
    ([np.nan, 1.0, 2.0], [False, True, True], [-np.inf, -1, 0], 2, [0, 1, 1], False, False),
    ([3.0, 1e308, 2.0], [True, False, True], [0, -np.inf, -1], 3, [1, 0, 1], False, False),
    ([1.0, 2.0, 3.0], [False, False, False], [-np.inf] * 3, 0, [0, 0, 0], False, False),
    ([np.inf, np.nan, 1.0], None, [0, -np.inf, -np.inf], 0, [1, 0, 1], True, True),
]


@pytest.mark.parametrize(("row", "mask", "dh", "m", "live", "infinite", "nan"), NONFINITE)
def test_shift_of_non_finite_and_masked_rows(row, mask, dh, m, live, infinite, nan) -> None:
    x = np.array([row, [1.0, 2.0, 3.0]])  # a finite row beside it
    keep = None if mask is None else np.array([mask, [True] * 3])
    got_dh, got_dl, _, got_m, got_live, got_inf, got_nan = R._shift(x, keep)
    np.testing.assert_array_equal(got_dh[0], dh)
    np.testing.assert_array_equal(got_m[0], [m])
    np.testing.assert_array_equal(got_live[0], np.array(live, bool))
    assert got_inf[0, 0] == infinite and got_nan[0, 0] == nan
    assert np.all(got_dl[0] == 0)  # nothing was rounded in these rows
    # the finite row beside it comes out as on the common path, and is left alone
    common = R._shift(x[1:], None)
    for careful, fast in zip(
        (got_dh, got_dl, got_m), (common[0], common[1], common[3]), strict=True
    ):
        np.testing.assert_array_equal(careful[1:], fast)
    assert got_live[1].all() and not got_inf[1, 0] and not got_nan[1, 0]


def test_shift_marks_the_first_arg_max_only_when_asked() -> None:
    x = np.array([[1.0, 3.0, 3.0], [-np.inf, 0.0, -np.inf]])
    assert R._shift(x, None)[2] is None
    np.testing.assert_array_equal(R._shift(x, None, first=True)[2], [[1, 0, 1], [1, 0, 1]])


@pytest.mark.parametrize(
    ("dh", "r"),
    [
        ([[-1.0, 0.0, 0.0]], [[1, 0, 1]]),  # ties: the first
        ([[0.0, -np.inf], [-np.inf, 0.0]], [[0, 1], [1, 0]]),
        ([[0.0]], [[0]]),
        (np.zeros((2, 0)), np.zeros((2, 0))),
    ],
)
def test_not_first_zeroes_the_first_arg_max_of_each_row(dh, r) -> None:
    dh = np.array(dh, dtype=np.float32)
    got = R._not_first(dh)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, r)


# ------------------------------------------------------------------------------ finishing


def test_finish_without_masked_entries_returns_its_input() -> None:
    out = np.ones((2, 2))
    assert R._finish(out, None, None, 0) is out


@pytest.mark.parametrize("masked_value", [0.0, -np.inf])
def test_finish_sets_masked_entries_and_nan_rows(masked_value: float) -> None:
    live = np.array([[True, False, True], [True, True, True], [False, True, True]])
    nan_rows = np.array([[False], [False], [True]])
    out = R._finish(np.full((3, 3), 0.5), live, nan_rows, masked_value)
    expected = np.array([[0.5, masked_value, 0.5], [0.5] * 3, [np.nan] * 3])
    np.testing.assert_array_equal(out, expected)


def test_diagonal_is_a_writeable_view_of_the_last_two_axes() -> None:
    a = np.zeros((2, 3, 3))
    d = R._diagonal(a)
    assert d.shape == (2, 3) and np.shares_memory(d, a)
    d[...] = [[1, 2, 3], [4, 5, 6]]
    np.testing.assert_array_equal(a[1], np.diag([4.0, 5.0, 6.0]))
    assert np.count_nonzero(a) == 6


# ------------------------------------------------- the public functions, stand-in kernels


@pytest.fixture
def stand_in(monkeypatch):
    """Replace kernels by functions that record their arguments and return a fixed array."""
    seen = {}

    def install(name: str, result):
        def kernel(*arrays):
            seen[name] = arrays
            return result(*arrays)

        monkeypatch.setattr(R, f"_{name}_kernel", kernel)
        return seen

    return install


def test_softmax_gives_the_kernel_classes_last_and_masks_what_it_returns(stand_in) -> None:
    seen = stand_in("softmax", lambda dh, dl: np.full(dh.shape, 7.0))
    x = np.array([[1.0, np.nan], [2.0, 0.0], [3.0, 1.0]])  # classes on axis 0
    where = np.array([[True, True], [False, True], [True, True]])
    out = R.softmax(x.astype(np.float32), axis=0, where=where)
    dh, _ = seen["softmax"]
    assert dh.shape == (2, 3)  # (batch, classes)
    assert out.shape == x.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out[:, 0], [7, 0, 7])  # the masked entry gets 0
    assert np.isnan(out[:, 1]).all()  # a NaN that takes part: its row is NaN


def test_log_softmax_gives_masked_entries_minus_inf(stand_in) -> None:
    stand_in("log_softmax", lambda dh, dl, r: np.zeros(dh.shape))
    out = R.log_softmax(np.array([[0.0, -np.inf, 1.0]]), where=np.array([True, True, False]))
    np.testing.assert_array_equal(out, [[0, -np.inf, -np.inf]])


def test_logsumexp_decides_the_non_finite_rows_itself(stand_in) -> None:
    stand_in("logsumexp", lambda dh, dl, r, m: np.full(m.shape, 5.0))
    x = np.array([[1.0, 2.0], [-np.inf, -np.inf], [np.inf, 1.0], [np.nan, 1.0], [np.inf, np.nan]])
    np.testing.assert_array_equal(R.logsumexp(x), [5, -np.inf, np.inf, np.nan, np.nan])
    assert R.logsumexp(np.ones((3, 2)), axis=0).shape == (2,)


def test_products_check_v_before_calling_their_kernels(stand_in) -> None:
    stand_in("softmax", lambda dh, dl: np.array([[0.25, 0.75]]))
    for name in ("jvp", "vjp"):
        stand_in(name, lambda s, v: s + v)
        # the kernel sees v - v_{k*}, k* = 1 the arg max of s
        np.testing.assert_array_equal(getattr(R, name)(np.zeros((1, 2)), [[1, 3]]), [[-1.75, 0.75]])
        with pytest.raises(ValueError, match=r"v of shape \(1, 3\) does not match"):
            getattr(R, name)(np.zeros((1, 2)), np.zeros((1, 3)))


def test_cross_entropy_gives_its_kernel_zero_where_the_target_is_zero(stand_in) -> None:
    stand_in("log_softmax", lambda dh, dl, r: np.full(dh.shape, -np.inf))
    seen = stand_in("cross_entropy", lambda logp, y: np.sum(logp, axis=-1, keepdims=True))
    assert R.cross_entropy(np.zeros((1, 3)), [[0.0, 1.0, 0.0]]) == [-np.inf]
    logp, _ = seen["cross_entropy"]
    np.testing.assert_array_equal(logp, [[0, -np.inf, 0]])  # 0 log 0 = 0
