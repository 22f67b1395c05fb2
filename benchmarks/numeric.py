"""Time and check the numeric functions of symsoftmax, and write the ``## Numeric functions``
section of ``docs/performance.md``.

One run measures the numpy backend (``backend="numpy"``, the reference; the numba and dask
backends: ``benchmarks/backends.py``), on seeded float64 arrays ``3 * N(0, 1)`` of shapes
(1000000, 4), (100000, 10), (10000, 100) and (1000, 1000), with one thread:

- ``softmax`` and ``log_softmax`` against ``scipy.special``, a hand-written numpy version,
  the naive ``sympy.lambdify`` of the explicit definition (K <= 10) and one ``np.exp`` pass
  over the same array (the floor: every element needs one exponential);
- ``jacobian`` against the hand-written broadcast ``s_i (delta_ij - s_j)``;
- ``jvp`` and ``vjp`` against our own ``softmax``, and their peak memory (``tracemalloc``);
- the import of ``symsoftmax.numeric`` and the first call, in fresh interpreters;
- the accuracy of ``softmax`` and ``log_softmax``, ours and scipy's, in ulp against mpmath;
- where our ``softmax`` spends its time, line by line of the generated code.

Run with ``python benchmarks/numeric.py`` (about three minutes on two cores).
"""

from __future__ import annotations

import os

from _report import machine, replace_section

# One thread, set before numpy is imported (none of these functions calls BLAS, but numpy
# builds may still start thread pools).
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import datetime
import functools
import gc
import json
import statistics
import subprocess
import sys
import time
import timeit
import tracemalloc
import types
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import mpmath
import numpy as np
import scipy.special
import sympy

import symsoftmax as ss
from symsoftmax import numeric
from symsoftmax.numeric.codegen import module_source

__all__ = ["main"]

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
HEADING = "## Numeric functions"

SHAPES: tuple[tuple[int, int], ...] = ((1000000, 4), (100000, 10), (10000, 100), (1000, 1000))
SCALE = 3.0  # the inputs are SCALE * N(0, 1)
TARGET = 0.2  # seconds per measurement: the number of calls is chosen to fill it
REPEATS = 7  # measurements per timing; the best is kept
MAX_JACOBIAN_BYTES = 2 * 2**30  # skip jacobian shapes whose (..., K, K) output is larger
LAMBDIFY_MAX_K = 10  # the naive lambdify has K^2 exponentials per row: only small K
GENERATED = "<symsoftmax generated>"  # the file name the generated module is compiled under

# The accuracy batteries: (K, rows) for each scale.
BATTERIES = ((10, 200), (1000, 5))
SCALES = (1.0, 10.0, 300.0)
DPS = 60  # mpmath digits, plus the row's spread / 2.3 so that the reference never cancels
ULP_GOAL = 8.0

# Goals (ratios of times; see the issue).
GOAL_VS_SCIPY = 1.3  # the numpy backend (issue 13); the numba goals: benchmarks/backends.py
GOAL_VS_EXP = 1.5
GOAL_JACOBIAN = 0.6
GOAL_PRODUCTS = 1.2
MEMORY_MULTIPLE = 16  # "a small multiple of the input": peak extra <= this x input bytes

#: The numpy backend, the reference, whatever else is installed (benchmarks/backends.py
#: times numba and dask).
N = types.SimpleNamespace(
    **{
        name: functools.partial(getattr(numeric, name), backend="numpy")
        for name in ("softmax", "log_softmax", "jacobian", "jvp", "vjp")
    }
)

IMPORT = """
import json, time
t0 = time.perf_counter()
import symsoftmax.numeric as N
t1 = time.perf_counter()
from symsoftmax.numeric import codegen
at_import = codegen.module_source.cache_info().currsize
import numpy as np
x = np.random.default_rng(0).standard_normal((1000, 10))
t2 = time.perf_counter(); N.softmax(x, backend="numpy"); t3 = time.perf_counter()
N.softmax(x, backend="numpy"); t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t3 - t2, "second": t4 - t3,
                  "cached_at_import": at_import,
                  "cached_after_call": codegen.module_source.cache_info().currsize}))
"""


# -- the competitors --------------------------------------------------------------------------


def hand_softmax(x: np.ndarray) -> np.ndarray:
    """Softmax as one would write it in numpy: shift by the row maximum, exponentiate, divide."""
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def hand_log_softmax(x: np.ndarray) -> np.ndarray:
    """Log-softmax as one would write it in numpy: d - log(sum(exp(d))) with d = x - max."""
    d = x - x.max(-1, keepdims=True)
    return d - np.log(np.exp(d).sum(-1, keepdims=True))


def hand_jacobian(x: np.ndarray) -> np.ndarray:
    """The Jacobian as one would write it in numpy: s_i (delta_ij - s_j), broadcast."""
    s = hand_softmax(x)
    K = x.shape[-1]
    return s[..., :, None] * (np.eye(K) - s[..., None, :])


def naive_lambdified(K: int, *, log: bool) -> Callable[[np.ndarray], np.ndarray]:
    """``sympy.lambdify`` of the explicit softmax (or its log) for K classes, called on the
    columns of ``x`` and stacked back to ``x``'s shape. No max shift: exp overflows to inf
    (and inf / inf to nan) once an entry passes ~709.8."""
    z = ss.logits(K)
    entries = [sympy.log(e) if log else e for e in ss.softmax(z)]
    f = sympy.lambdify(list(z), entries, modules="numpy")

    def call(x: np.ndarray) -> np.ndarray:
        return np.stack(f(*x.T), axis=-1)

    return call


def scipy_softmax(x: np.ndarray) -> np.ndarray:
    """``scipy.special.softmax`` along the last axis."""
    return scipy.special.softmax(x, axis=-1)


def scipy_log_softmax(x: np.ndarray) -> np.ndarray:
    """``scipy.special.log_softmax`` along the last axis."""
    return scipy.special.log_softmax(x, axis=-1)


def logits(shape: tuple[int, ...], *, seed: int = 0, scale: float = SCALE) -> np.ndarray:
    """Seeded ``scale * N(0, 1)`` float64 array."""
    return np.random.default_rng(seed).standard_normal(shape) * scale


# -- measuring --------------------------------------------------------------------------------


def best_times(fns: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Seconds per call of each function: the best of REPEATS measurements of about TARGET
    seconds each.

    One untimed call of each warms up and sets its number of calls per measurement. The
    measurements are interleaved (one of each function per round), so that a change in the
    load of the shared machine hits all of them alike and their ratios stay meaningful.
    """
    numbers = {}
    for name, fn in fns.items():
        start = time.perf_counter()
        fn()
        once = time.perf_counter() - start
        numbers[name] = max(1, round(TARGET / max(once, 1e-9)))
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(REPEATS):
        for name, fn in fns.items():
            seconds = timeit.timeit(fn, number=numbers[name]) / numbers[name]
            best[name] = min(best[name], seconds)
    return best


def peak_extra_bytes(fn: Callable[[], object]) -> int:
    """Peak bytes allocated during one call of ``fn`` beyond what was held before (its
    result included), as ``tracemalloc`` sees it (numpy reports its array buffers to it)."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    return peak - before


def line_profile(fn: Callable[[], object], calls: int) -> dict[tuple[str, int], float]:
    """Seconds spent on each line of the generated module over ``calls`` calls of ``fn``.

    A trace function charges the time between two events to the line that ran: time in a
    library call (numpy) goes to the generated line that made it; time in a generated helper
    (``_shift``) goes to the helper's own lines, not to its caller's.
    """
    totals: dict[tuple[str, int], float] = defaultdict(float)
    stack: list[tuple[str, int]] = []  # the current line of each generated frame
    last = time.perf_counter()

    def charge() -> None:
        if stack:
            totals[stack[-1]] += time.perf_counter() - last

    def local(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        nonlocal last
        charge()
        if event == "line":
            stack[-1] = (frame.f_code.co_name, frame.f_lineno)
        elif event == "return":
            stack.pop()
        last = time.perf_counter()
        return local

    def calls_into(frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        nonlocal last
        if frame.f_code.co_filename != GENERATED:
            return None
        charge()
        stack.append((frame.f_code.co_name, frame.f_lineno))
        last = time.perf_counter()
        return local

    sys.settrace(calls_into)
    try:
        for _ in range(calls):
            fn()
    finally:
        sys.settrace(None)
    return dict(totals)


def cold_import(runs: int) -> list[dict[str, float]]:
    """Import ``symsoftmax.numeric`` and call softmax twice, in ``runs`` fresh interpreters."""
    samples = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", IMPORT], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"import benchmark failed:\n{done.stderr}")
        samples.append(json.loads(done.stdout.splitlines()[-1]))
    return samples


# -- accuracy ---------------------------------------------------------------------------------


def max_ulp(
    x: np.ndarray, fn: Callable[[np.ndarray], np.ndarray], *, log: bool
) -> tuple[float, float]:
    """Largest error of ``fn(x)`` (softmax, or log-softmax when ``log``) over normal-range
    results, in units of the last place of the correctly rounded mpmath reference, and the
    reference value where it occurs.

    The reference is the definition at DPS + spread / 2.3 digits (as ``mp_softmax_row`` in
    tests/test_numeric.py), and the error is measured against it exactly: a correctly
    rounded result scores at most 0.5.
    """
    computed = fn(x)
    tiny = np.finfo(np.float64).tiny
    worst, where = 0.0, float("nan")
    for row, out in zip(x, computed, strict=True):
        with mpmath.workdps(DPS + int(float(np.ptp(row)) / 2.3)):
            xs = [mpmath.mpf(float(v)) for v in row]
            lse = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in xs))
            for v, c in zip(xs, out, strict=True):
                exact = v - lse if log else mpmath.exp(v - lse)
                rounded = float(exact)
                if rounded == 0 or abs(rounded) < tiny:
                    continue  # only normal-range results are counted
                if not np.isfinite(c):
                    return float("inf"), rounded
                error = abs(mpmath.mpf(float(c)) - exact) / float(np.spacing(abs(rounded)))
                if error > worst:
                    worst, where = float(error), rounded
    return worst, where


@dataclass(frozen=True)
class Accuracy:
    """Max ulp errors of ours and scipy's on one battery, and the exact value where
    scipy's occurs."""

    function: str
    K: int
    scale: float
    rows: int
    ours: float
    scipy: float
    scipy_at: float


def accuracy() -> list[Accuracy]:
    """Every (function, K, scale) battery, seeded."""
    out = []
    for name, ours, theirs, log in (
        ("softmax", N.softmax, scipy_softmax, False),
        ("log_softmax", N.log_softmax, scipy_log_softmax, True),
    ):
        for K, rows in BATTERIES:
            for scale in SCALES:
                x = logits((rows, K), seed=1000 + K + int(scale), scale=scale)
                (mine, _), (scipys, at) = max_ulp(x, ours, log=log), max_ulp(x, theirs, log=log)
                out.append(Accuracy(name, K, scale, rows, mine, scipys, at))
    return out


# -- the measurements -------------------------------------------------------------------------


@dataclass(frozen=True)
class Forward:
    """Seconds per call of softmax or log_softmax on one shape; ``naive`` is None for K > 10."""

    shape: tuple[int, int]
    ours: float
    scipy: float
    hand: float
    naive: float | None
    exp: float


@dataclass(frozen=True)
class JacobianRow:
    """Seconds per call and peak extra bytes of ours and the hand-written broadcast."""

    shape: tuple[int, int]
    ours: float
    hand: float
    ours_peak: int
    hand_peak: int


@dataclass(frozen=True)
class Products:
    """Seconds per call of our softmax, jvp and vjp on one shape, and their peak extra bytes."""

    shape: tuple[int, int]
    softmax: float
    jvp: float
    vjp: float
    softmax_peak: int
    jvp_peak: int
    vjp_peak: int


def forward(x: np.ndarray, *, log: bool) -> Forward:
    """Time softmax (or log_softmax), its competitors and one ``np.exp`` pass on ``x``."""
    ours, theirs, hand = (
        (N.log_softmax, scipy_log_softmax, hand_log_softmax)
        if log
        else (N.softmax, scipy_softmax, hand_softmax)
    )
    reference = theirs(x)
    # Agreement, not accuracy: log-probabilities near 0 agree only absolutely (see Accuracy).
    atol = 1e-14 if log else 1e-300
    np.testing.assert_allclose(ours(x), reference, rtol=1e-12, atol=atol)
    np.testing.assert_allclose(hand(x), reference, rtol=1e-12, atol=atol)
    fns: dict[str, Callable[[], object]] = {
        "ours": lambda: ours(x),
        "scipy": lambda: theirs(x),
        "hand": lambda: hand(x),
        "exp": lambda: np.exp(x),
    }
    if x.shape[-1] <= LAMBDIFY_MAX_K:
        f = naive_lambdified(x.shape[-1], log=log)
        np.testing.assert_allclose(f(x), reference, rtol=1e-12, atol=atol)
        fns["naive"] = lambda: f(x)
    t = best_times(fns)
    return Forward(
        x.shape,  # type: ignore[arg-type]
        t["ours"],
        t["scipy"],
        t["hand"],
        t.get("naive"),
        t["exp"],
    )


def jacobian_row(x: np.ndarray) -> JacobianRow:
    """Time and measure the memory of our Jacobian and the hand-written one on ``x``."""
    np.testing.assert_allclose(N.jacobian(x), hand_jacobian(x), rtol=1e-12, atol=1e-15)
    t = best_times({"ours": lambda: N.jacobian(x), "hand": lambda: hand_jacobian(x)})
    return JacobianRow(
        x.shape,  # type: ignore[arg-type]
        t["ours"],
        t["hand"],
        peak_extra_bytes(lambda: N.jacobian(x)),
        peak_extra_bytes(lambda: hand_jacobian(x)),
    )


def products(x: np.ndarray, v: np.ndarray) -> Products:
    """Time our softmax, jvp and vjp on ``x`` (and ``v``), interleaved, and measure the peak
    memory of one call of each."""
    s = hand_softmax(x)
    expected = s * (v - (s * v).sum(-1, keepdims=True))  # J v = J^T v: J is symmetric
    np.testing.assert_allclose(N.jvp(x, v), expected, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(N.vjp(x, v), expected, rtol=1e-10, atol=1e-15)
    t = best_times(
        {
            "softmax": lambda: N.softmax(x),
            "jvp": lambda: N.jvp(x, v),
            "vjp": lambda: N.vjp(x, v),
        }
    )
    return Products(
        x.shape,  # type: ignore[arg-type]
        t["softmax"],
        t["jvp"],
        t["vjp"],
        peak_extra_bytes(lambda: N.softmax(x)),
        peak_extra_bytes(lambda: N.jvp(x, v)),
        peak_extra_bytes(lambda: N.vjp(x, v)),
    )


def overflow_share(shape: tuple[int, int], scale: float) -> tuple[float, float]:
    """Share of rows with a nan from the naive lambdify and from ours on ``scale * N(0, 1)``."""
    x = logits(shape, seed=7, scale=scale)
    with np.errstate(over="ignore", invalid="ignore"):
        naive = naive_lambdified(shape[-1], log=False)(x)
    ours = N.softmax(x)
    return float(np.isnan(naive).any(-1).mean()), float(np.isnan(ours).any(-1).mean())


@dataclass(frozen=True)
class ProfileLine:
    """One line of the generated code, and the seconds per call spent on it."""

    function: str
    text: str
    seconds: float


def profile_softmax(shape: tuple[int, int], calls: int = 20) -> tuple[list[ProfileLine], float]:
    """Per-line seconds per call of our softmax on ``shape``, largest first, and the untraced
    seconds per call."""
    x = logits(shape)
    lines = module_source().splitlines()
    totals = line_profile(lambda: N.softmax(x), calls)
    rows = [
        ProfileLine(function, lines[number - 1].strip(), seconds / calls)
        for (function, number), seconds in totals.items()
    ]
    untraced = best_times({"softmax": lambda: N.softmax(x)})["softmax"]
    return sorted(rows, key=lambda r: -r.seconds), untraced


# -- the document -----------------------------------------------------------------------------


def openblas_note() -> str:
    """Whether OPENBLAS_CORETYPE is set; either way, nothing timed here calls BLAS."""
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    if coretype is None:
        return "OPENBLAS_CORETYPE is not set on this machine (nothing timed here calls BLAS)."
    return (
        f"OPENBLAS_CORETYPE={coretype} is set on this machine; it affects BLAS only, which "
        "nothing timed here calls (np.exp and the elementwise passes do not)."
    )


def ms(seconds: float | None) -> str:
    """A table cell in milliseconds, three significant digits; n/a for None."""
    if seconds is None:
        return "n/a"
    value = seconds * 1e3
    return f"{value:.3g} ms" if value < 100 else f"{value:.0f} ms"


def ratio(value: float, goal: float | None = None) -> str:
    """'1.23x', in bold when a goal is given and missed."""
    text = f"{value:.2f}x"
    return f"**{text}**" if goal is not None and value > goal else text


def mib(n: int) -> str:
    """Bytes as MiB, one decimal."""
    return f"{n / 2**20:.1f} MiB"


def shape_text(shape: tuple[int, ...]) -> str:
    """(B, K) as a table cell."""
    return f"({', '.join(str(n) for n in shape)})"


def ulp(value: float) -> str:
    """An ulp error as a table cell."""
    return "inf" if value == float("inf") else f"{value:.2f}" if value < 100 else f"{value:.3g}"


def verdict(met: bool) -> str:
    """'met' or 'not met', in bold."""
    return "**met**" if met else "**not met**"


def listing(values: dict[tuple[int, int], float], goal: float) -> str:
    """Each shape's ratio, the ones over ``goal`` in bold."""
    return ", ".join(f"{shape_text(k)} {ratio(v, goal)}" for k, v in values.items())


def forward_table(rows: list[Forward]) -> list[str]:
    """The Markdown table of one forward function's timings and ratios."""
    lines = [
        "| shape | ours | scipy | hand-written numpy | naive lambdify | one `np.exp` "
        f"| ours / scipy (goal <= {GOAL_VS_SCIPY}) | ours / exp (goal <= {GOAL_VS_EXP}) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {shape_text(r.shape)} | {ms(r.ours)} | {ms(r.scipy)} | {ms(r.hand)} "
            f"| {ms(r.naive)} | {ms(r.exp)} | {ratio(r.ours / r.scipy, GOAL_VS_SCIPY)} "
            f"| {ratio(r.ours / r.exp, GOAL_VS_EXP)} |"
        )
    return lines


def section(
    *,
    soft: list[Forward],
    logsoft: list[Forward],
    jac: list[JacobianRow],
    skipped: list[tuple[int, int]],
    prods: list[Products],
    cold: list[dict[str, float]],
    overflow: tuple[tuple[int, int], float, float, float],
    acc: list[Accuracy],
    profile: tuple[list[ProfileLine], float],
    profile_shape: tuple[int, int],
) -> str:
    """The ``## Numeric functions`` section of docs/performance.md, in Markdown."""
    o_shape, o_scale, o_naive, o_ours = overflow
    lines = [
        HEADING,
        "",
        f"Written by `python benchmarks/numeric.py` on {datetime.date.today().isoformat()}.",
        f"Machine: {machine('numpy', 'scipy', 'sympy')}.",
        "The machine is shared with other work, so timings are noisy: treat differences of",
        "a few tens of percent as noise.",
        "",
        '*Ours* is the numpy backend (`backend="numpy"`), the reference; the numba and dask',
        "backends are in *Backends* below.",
        f"Inputs are seeded float64 arrays `{SCALE:g} * N(0, 1)`, the classes on the last axis.",
        "One thread (`OMP_NUM_THREADS=1`, `OPENBLAS_NUM_THREADS=1` before numpy is imported);",
        openblas_note(),
        f"Each time is the best of {REPEATS} measurements (`timeit`) of about {TARGET} s each,",
        "divided by the number of calls in one measurement; the functions compared in a row",
        "are measured in interleaved rounds, so a change of load hits them alike.",
        "Ratios over their goal are in bold.",
        "",
        "*Hand-written numpy*: `e = np.exp(x - x.max(-1, keepdims=True)); "
        "e / e.sum(-1, keepdims=True)`, and for the log `d - np.log(np.exp(d).sum(-1, "
        "keepdims=True))` with `d = x - x.max(-1, keepdims=True)`. *Naive lambdify*: "
        "`sympy.lambdify(z_1..z_K, ss.softmax(z))` (and the `log` of each entry), called on "
        "the columns and stacked back; only for K <= 10, since it computes K^2 exponentials "
        "per row (the denominator again for every entry), and it has no max shift: on "
        f"`{o_scale:g} * N(0, 1)` of shape {shape_text(o_shape)} it gives nan in "
        f"{o_naive:.1%} of the rows (ours: {o_ours:.1%}). *One `np.exp`*: a single "
        "`np.exp(x)` over the same array, the floor, since every entry needs one exponential.",
        "",
        "### softmax",
        "",
        *forward_table(soft),
        "",
        "### log_softmax",
        "",
        *forward_table(logsoft),
        "",
        "### jacobian",
        "",
        "Ours against the hand-written broadcast `s[..., :, None] * (np.eye(K) - s[..., None, "
        ":])`, with `s` from the hand-written softmax (the softmax is included in both).",
        "*Peak* is the peak memory of one call beyond what was held before, its output included",
        "(`tracemalloc`, to which numpy reports its array buffers).",
        "",
        "| shape | output | ours | hand-written | ours / hand (goal <= "
        f"{GOAL_JACOBIAN}) | peak, ours | peak, hand-written |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in jac:
        B, K = r.shape
        lines.append(
            f"| {shape_text(r.shape)} | {mib(B * K * K * 8)} | {ms(r.ours)} | {ms(r.hand)} "
            f"| {ratio(r.ours / r.hand, GOAL_JACOBIAN)} | {mib(r.ours_peak)} "
            f"| {mib(r.hand_peak)} |"
        )
    if skipped:
        lines += [
            "",
            "Skipped: "
            + ", ".join(
                f"{shape_text(s)} (its output would be {s[0] * s[1] * s[1] * 8 / 2**30:.1f} GiB)"
                for s in skipped
            )
            + f"; only outputs up to {MAX_JACOBIAN_BYTES / 2**30:.0f} GiB are timed.",
        ]
    lines += [
        "",
        "### jvp and vjp",
        "",
        "Time against our own `softmax` on the same input, measured again beside them (`v` is",
        "another seeded `N(0, 1)` array), and the peak memory of one call beyond what was held",
        "before, output included, as a multiple of the input's size. A K x K intermediate",
        "would be K times the input.",
        "",
        "| shape | input | softmax | jvp | vjp | jvp / softmax (goal <= "
        f"{GOAL_PRODUCTS}) | vjp / softmax | peak: softmax | peak: jvp | peak: vjp "
        "| a K x K array |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in prods:
        B, K = r.shape
        size = B * K * 8

        def times_input(n: int, size: int = size) -> str:
            return f"{n / size:.1f}x"

        lines.append(
            f"| {shape_text(r.shape)} | {mib(size)} | {ms(r.softmax)} | {ms(r.jvp)} "
            f"| {ms(r.vjp)} | {ratio(r.jvp / r.softmax, GOAL_PRODUCTS)} "
            f"| {ratio(r.vjp / r.softmax, GOAL_PRODUCTS)} | {times_input(r.softmax_peak)} "
            f"| {times_input(r.jvp_peak)} | {times_input(r.vjp_peak)} | {K}x |"
        )
    imports = statistics.median(c["import"] for c in cold)
    first = statistics.median(c["first"] for c in cold)
    second = statistics.median(c["second"] for c in cold)
    cached_at_import = max(c["cached_at_import"] for c in cold)
    cached_after = min(c["cached_after_call"] for c in cold)
    lines += [
        "",
        "### Import and first call",
        "",
        f"In {len(cold)} fresh interpreters (median; interpreter start not counted): "
        "`import symsoftmax.numeric` (which imports numpy and SymPy), then "
        "`softmax` of a (1000, 10) array twice. The first call generates the module "
        "(derivations, rewrites, printing) and compiles it; later calls run it.",
        "",
        "| import | first call | second call |",
        "|---:|---:|---:|",
        f"| {imports:.3f} s | {first:.3f} s | {ms(second)} |",
        "",
        "Generation does not happen at import: `symsoftmax.numeric.codegen.module_source.cache_info()`"
        f" holds {cached_at_import:.0f} entries right after the import and {cached_after:.0f}"
        " after the first call.",
        "",
        "### Accuracy",
        "",
        f"Max error in ulp against an mpmath reference at {DPS} digits plus the row's spread",
        "/ 2.3 (as `mp_softmax_row` in tests/test_numeric.py, so the reference itself never",
        "cancels), measured against the exact reference in units of the ulp of its correctly",
        "rounded value (a correctly rounded result scores <= 0.5). Only normal-range results",
        "count (nonzero, >= the smallest normal). Seeded batteries `scale * N(0, 1)`.",
        "",
        "*Scipy's worst at* is the exact value where scipy's worst error occurs. Its softmax",
        "loses on the smallest probabilities: the rounding of x - max, amplified by exp, costs",
        "about |x - max| / 2 ulp. Its log_softmax loses its relative accuracy on the entries",
        "whose log-probability is close to 0: it takes the log of a sum that includes the arg",
        "max's 1, where ours takes log1p of the other terms; an error near 2^52 or 2^53 ulp",
        "means it returned 0 or a value of another magnitude there.",
        "",
        f"| function | K | rows | scale | ours (goal <= {ULP_GOAL:g}) | scipy | scipy's worst at |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for a in acc:
        mark = f"**{ulp(a.ours)}**" if a.ours > ULP_GOAL else ulp(a.ours)
        lines.append(
            f"| `{a.function}` | {a.K} | {a.rows} | {a.scale:g} | {mark} | {ulp(a.scipy)} "
            f"| {a.scipy_at:.3g} |"
        )
    prof, untraced = profile
    traced = sum(p.seconds for p in prof)
    in_shift = sum(p.seconds for p in prof if p.function == "_shift")
    lines += [
        "",
        f"### Where our softmax spends its time, {shape_text(profile_shape)}",
        "",
        "Seconds per call on each line of the generated code",
        '(`symsoftmax.numeric.source("softmax")`), from a line tracer (with its overhead the',
        f"total is {ms(traced)}, against {ms(untraced)} untraced); the time in a numpy function",
        "goes to the line that called it. Lines of 2% or more, largest first. `_shift` (the max",
        "shift with its TwoSum error term, the arg max, and the plumbing for masks and",
        f"non-finite entries) takes {in_shift / traced:.0%} of the total.",
        "",
        "| function | line | time | share |",
        "|---|---|---:|---:|",
    ]
    for p in prof:
        if p.seconds >= 0.02 * traced:
            text = p.text.replace("|", "\\|")
            lines.append(
                f"| `{p.function}` | `{text}` | {ms(p.seconds)} | {p.seconds / traced:.0%} |"
            )

    def by_shape(rows: list[Any], key: Callable[[Any], float]) -> dict[tuple[int, int], float]:
        return {r.shape: key(r) for r in rows}

    lines += ["", "### Goals", ""]
    for name, rows in (("softmax", soft), ("log_softmax", logsoft)):
        vs_scipy = by_shape(rows, lambda r: r.ours / r.scipy)
        vs_exp = by_shape(rows, lambda r: r.ours / r.exp)
        lines += [
            f"- `{name}` <= {GOAL_VS_SCIPY}x scipy's time on every shape: "
            f"{verdict(max(vs_scipy.values()) <= GOAL_VS_SCIPY)}: "
            f"{listing(vs_scipy, GOAL_VS_SCIPY)}.",
            f"- `{name}` <= {GOAL_VS_EXP}x one `np.exp` pass on every shape: "
            f"{verdict(max(vs_exp.values()) <= GOAL_VS_EXP)}: {listing(vs_exp, GOAL_VS_EXP)}.",
        ]
    vs_hand = by_shape(jac, lambda r: r.ours / r.hand)
    lines.append(
        f"- `jacobian` <= {GOAL_JACOBIAN}x the hand-written broadcast: "
        f"{verdict(max(vs_hand.values()) <= GOAL_JACOBIAN)}: {listing(vs_hand, GOAL_JACOBIAN)}."
    )
    for name in ("jvp", "vjp"):
        vs_soft = by_shape(prods, lambda r, name=name: getattr(r, name) / r.softmax)
        peaks = by_shape(
            prods, lambda r, name=name: getattr(r, f"{name}_peak") / (r.shape[0] * r.shape[1] * 8)
        )
        worst = max(peaks.values())
        lines += [
            f"- `{name}` <= {GOAL_PRODUCTS}x our softmax's time: "
            f"{verdict(max(vs_soft.values()) <= GOAL_PRODUCTS)}: "
            f"{listing(vs_soft, GOAL_PRODUCTS)}.",
            f"- `{name}` has no K x K intermediate: {verdict(worst <= MEMORY_MULTIPLE)}: its peak "
            f"extra memory is at most {worst:.1f}x the input on every shape, K = 4 to 1000 "
            f"(a K x K array would be 1000x the input at K = 1000).",
        ]
    worst_ours = max(a.ours for a in acc)
    worst_scipy = max(a.scipy for a in acc)
    lines += [
        f"- Import and first call: {imports:.2f} s to import, {first:.2f} s for the first "
        f"call (generation), {ms(second)} for the second; nothing is generated at import.",
        f"- Accuracy, ours <= {ULP_GOAL:g} ulp: {verdict(worst_ours <= ULP_GOAL)}: at most "
        f"{ulp(worst_ours)} ulp (scipy: at most {ulp(worst_scipy)} ulp).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Measure everything, print the section and write it into docs/performance.md."""
    begin = time.monotonic()

    def progress(what: str) -> None:
        print(f"{what} done at {time.monotonic() - begin:.0f} s", file=sys.stderr)

    cold = cold_import(runs=3)
    progress("import")
    soft, logsoft, jac, skipped, prods = [], [], [], [], []
    for shape in SHAPES:
        x = logits(shape)
        soft.append(forward(x, log=False))
        logsoft.append(forward(x, log=True))
        B, K = shape
        if B * K * K * 8 > MAX_JACOBIAN_BYTES:
            skipped.append(shape)
        else:
            jac.append(jacobian_row(x))
        prods.append(products(x, logits(shape, seed=1, scale=1.0)))
        del x
        gc.collect()
        progress(f"shape {shape}")
    overflow_shape, overflow_scale = (100000, 10), 300.0
    overflow = (overflow_shape, overflow_scale, *overflow_share(overflow_shape, overflow_scale))
    profile_shape = (100000, 10)
    profile = profile_softmax(profile_shape)
    progress("profile")
    acc = accuracy()
    progress("accuracy")
    text = section(
        soft=soft,
        logsoft=logsoft,
        jac=jac,
        skipped=skipped,
        prods=prods,
        cold=cold,
        overflow=overflow,
        acc=acc,
        profile=profile,
        profile_shape=profile_shape,
    )
    # Another script owns another section: read the file right before writing it.
    old = DOC.read_text() if DOC.exists() else "# Performance\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(replace_section(old, text, HEADING))
    print(text)
    print(f"total {time.monotonic() - begin:.0f} s; wrote {DOC}", file=sys.stderr)


if __name__ == "__main__":
    main()
