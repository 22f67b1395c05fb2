"""Time the backends of symsoftmax.numeric and write the ``## Backends`` section of
``docs/performance.md``.

One run measures, on seeded float64 arrays ``3 * N(0, 1)`` of shapes (1000000, 4),
(100000, 10), (10000, 100) and (1000, 1000):

- ``softmax``, ``log_softmax`` and ``logsumexp`` of the numba backend with one thread and
  with every core, beside ``scipy.special``, the numpy backend and one ``np.exp`` pass;
- the numba ``jacobian`` against the hand-written broadcast, and ``jvp``, ``vjp``,
  ``cross_entropy`` + ``cross_entropy_grad`` against the numba ``softmax``;
- the first numba call in a fresh process, with numba's disk cache empty and filled;
- the accuracy of the numba backend in ulp against mpmath (the batteries of numeric.py);
- dask: rows per second of ``softmax`` and ``logsumexp`` on a ``dask.distributed``
  ``LocalCluster`` of two single-threaded worker processes, against the same functions on
  the array in memory (numba, one thread and every core).

Run with ``python benchmarks/backends.py`` (about four minutes on two cores).
"""

from __future__ import annotations

import datetime
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np
import scipy.special
from _report import machine, replace_section
from numeric import BATTERIES, SCALES, ULP_GOAL, best_times, hand_jacobian, logits, max_ulp, ms

from symsoftmax import numeric as N

__all__ = ["main"]

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
HEADING = "## Backends"

SHAPES: tuple[tuple[int, int], ...] = ((1000000, 4), (100000, 10), (10000, 100), (1000, 1000))
FORWARD = ("softmax", "log_softmax", "logsumexp")
SCIPY = {
    "softmax": scipy.special.softmax,
    "log_softmax": scipy.special.log_softmax,
    "logsumexp": scipy.special.logsumexp,
}
MAX_JACOBIAN_BYTES = 2 * 2**30
DASK_SHAPE = (4_000_000, 10)
DASK_CHUNK = 250_000  # rows per chunk: 16 chunks of 20 MB

# The goals of issue 13 (ratios of times in one run).
GOAL_VS_SCIPY = 0.5
GOAL_VS_EXP = 1.3
GOAL_JACOBIAN = 0.6
GOAL_PRODUCTS = 1.2
GOAL_THREADS = 1.7
GOAL_COLD = 3.0
GOAL_CACHED = 0.3

FIRST_CALL = """
import json, time
t0 = time.perf_counter()
import numpy as np
import symsoftmax.numeric as N
x = np.random.default_rng(0).standard_normal((100000, 10))
t1 = time.perf_counter(); N.softmax(x, backend="numba"); t2 = time.perf_counter()
N.softmax(x, backend="numba"); t3 = time.perf_counter()
print(json.dumps({"first": t2 - t1, "second": t3 - t2}))
"""


def numba_threads() -> int:
    """The number of threads numba may use (its default: every core)."""
    return numba.config.NUMBA_NUM_THREADS


@dataclass(frozen=True)
class Forward:
    """Seconds per call of one function on one shape."""

    name: str
    shape: tuple[int, int]
    one: float  # numba, one thread
    many: float  # numba, every thread
    numpy: float  # the numpy backend
    scipy: float
    exp: float


def forward(name: str, x: np.ndarray) -> Forward:
    """Time ``name`` by numba (1 thread, all), numpy, scipy and one ``np.exp`` pass."""
    ours, theirs = getattr(N, name), SCIPY[name]
    np.testing.assert_allclose(ours(x, backend="numba"), theirs(x, axis=-1), rtol=1e-12, atol=1e-14)
    threads = numba_threads()

    def numba_with(n: int) -> Callable[[], object]:
        def call() -> object:
            numba.set_num_threads(n)
            return ours(x, backend="numba")

        return call

    t = best_times(
        {
            "one": numba_with(1),
            "many": numba_with(threads),
            "numpy": lambda: ours(x, backend="numpy"),
            "scipy": lambda: theirs(x, axis=-1),
            "exp": lambda: np.exp(x),
        }
    )
    numba.set_num_threads(threads)
    return Forward(name, x.shape, t["one"], t["many"], t["numpy"], t["scipy"], t["exp"])  # type: ignore[arg-type]


@dataclass(frozen=True)
class Derivatives:
    """Seconds per call (numba, one thread) of the softmax and of what builds on it."""

    shape: tuple[int, int]
    softmax: float
    jacobian: float | None
    hand_jacobian: float | None
    jvp: float
    vjp: float
    loss: float


def derivatives(x: np.ndarray) -> Derivatives:
    """Time the numba Jacobian (beside the broadcast), jvp, vjp and the loss with its gradient."""
    numba.set_num_threads(1)
    v = logits(x.shape, seed=1, scale=1.0)
    y = scipy.special.softmax(logits(x.shape, seed=2, scale=1.0), axis=-1)

    def loss() -> object:
        return N.cross_entropy(x, y, backend="numba"), N.cross_entropy_grad(x, y, backend="numba")

    fns: dict[str, Callable[[], object]] = {
        "softmax": lambda: N.softmax(x, backend="numba"),
        "jvp": lambda: N.jvp(x, v, backend="numba"),
        "vjp": lambda: N.vjp(x, v, backend="numba"),
        "loss": loss,
    }
    B, K = x.shape
    if B * K * K * 8 <= MAX_JACOBIAN_BYTES:
        fns["jacobian"] = lambda: N.jacobian(x, backend="numba")
        fns["hand"] = lambda: hand_jacobian(x)
    t = best_times(fns)
    numba.set_num_threads(numba_threads())
    return Derivatives(
        x.shape,  # type: ignore[arg-type]
        t["softmax"],
        t.get("jacobian"),
        t.get("hand"),
        t["jvp"],
        t["vjp"],
        t["loss"],
    )


def first_calls() -> tuple[float, float]:
    """Seconds of the first numba softmax in a fresh process: the disk cache empty, then
    filled by that process."""
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "SYMSOFTMAX_CACHE_DIR": cache}
        runs = []
        for _ in range(2):
            done = subprocess.run(
                [sys.executable, "-c", FIRST_CALL], capture_output=True, text=True, env=env
            )
            if done.returncode != 0:
                raise RuntimeError(f"first-call benchmark failed:\n{done.stderr}")
            runs.append(json.loads(done.stdout.splitlines()[-1])["first"])
    return runs[0], runs[1]


@dataclass(frozen=True)
class DaskRow:
    """Rows per second of one function: on the cluster, and in memory."""

    name: str
    cluster: float
    memory_one: float
    memory_many: float


def dask_rates() -> list[DaskRow]:
    """Rows per second on a 2-worker LocalCluster against numba in memory (1 and all threads)."""
    import dask.array as da
    from dask.distributed import Client, LocalCluster

    rows = []
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.wait_for_workers(2)
        # made and kept on the workers, as a cluster would hold its data
        lazy = da.random.default_rng(5).standard_normal(DASK_SHAPE, chunks=(DASK_CHUNK, -1))
        lazy = client.persist(lazy * 3.0)
        x = lazy.compute()  # the same numbers in memory, for the comparison
        for name in ("softmax", "logsumexp"):
            function = getattr(N, name)
            function(lazy).sum().compute()  # the workers generate (or load) their code
            seconds = []
            for _ in range(3):
                start = time.perf_counter()
                function(lazy).sum().compute()  # the sum comes back, not the array
                seconds.append(time.perf_counter() - start)
            numba.set_num_threads(1)
            one = best_times({"f": lambda f=function: f(x, backend="numba").sum()})["f"]
            numba.set_num_threads(numba_threads())
            many = best_times({"f": lambda f=function: f(x, backend="numba").sum()})["f"]
            n = DASK_SHAPE[0]
            rows.append(DaskRow(name, n / min(seconds), n / one, n / many))
    return rows


@dataclass(frozen=True)
class Accuracy:
    function: str
    K: int
    scale: float
    ulp: float


def accuracy() -> list[Accuracy]:
    """Max ulp of the numba softmax and log_softmax against mpmath, the batteries of numeric.py."""
    out = []
    for name, log in (("softmax", False), ("log_softmax", True)):
        function = getattr(N, name)
        for K, rows in BATTERIES:
            for scale in SCALES:
                x = logits((rows, K), seed=1000 + K + int(scale), scale=scale)
                worst, _ = max_ulp(x, lambda a, f=function: f(a, backend="numba"), log=log)
                out.append(Accuracy(name, K, scale, worst))
    return out


# -- the document -----------------------------------------------------------------------------


def shape_text(shape: tuple[int, ...]) -> str:
    return f"({', '.join(str(n) for n in shape)})"


def ratio(value: float, goal: float | None = None, *, above: bool = False) -> str:
    """'1.23x', in bold when a goal is given and missed (``above``: the goal is a minimum)."""
    text = f"{value:.2f}x"
    missed = goal is not None and (value < goal if above else value > goal)
    return f"**{text}**" if missed else text


def verdict(met: bool) -> str:
    return "**met**" if met else "**not met**"


def section(
    fw: list[Forward],
    der: list[Derivatives],
    first: tuple[float, float],
    acc: list[Accuracy],
    dask_rows: list[DaskRow],
) -> str:
    """The ``## Backends`` section of docs/performance.md."""
    threads = numba_threads()
    lines = [
        HEADING,
        "",
        f"Written by `python benchmarks/backends.py` on {datetime.date.today().isoformat()}.",
        f"Machine: {machine('numpy', 'scipy', 'numba', 'llvmlite', 'dask', 'distributed')}.",
        "The machine is shared with other work, so timings are noisy: treat differences of",
        "a few tens of percent as noise. Load average (1 min) at the start of the run: "
        f"{LOAD_AT_START:.2f} on {os.cpu_count()} cores; the columns with 2 threads suffer most",
        "when the other core is busy.",
        "",
        "Inputs are seeded float64 arrays `3 * N(0, 1)`, the classes on the last axis. Each",
        "time is the best of 7 measurements of about 0.2 s, the functions of a row measured in",
        "interleaved rounds. *numba, 1 thread* and *numba, "
        f'{threads} threads* are `backend="numba"` after `numba.set_num_threads(n)`; *numpy*',
        'is `backend="numpy"`, the reference; *one `np.exp`* a single `np.exp(x)` pass. This',
        "CPU has AVX-512, and numpy's `np.exp` uses it (about 1 ns an entry): the floor it sets",
        "is lower than on the AVX2 machines where the goal of 1.3 passes was set. The numba",
        "kernels' exponential (`symsoftmax/numeric/intrinsics.py`) is vectorized by LLVM too,",
        "but the kernels also take the row maximum, the exact split x - max = dh + dl",
        "(TwoSum), a sum and a division, and log-softmax one `log1p` per row.",
        "",
    ]
    for name in FORWARD:
        lines += [
            f"### {name}",
            "",
            "| shape | numba, 1 thread | numba, "
            f"{threads} threads | numpy | scipy | one `np.exp` | numba 1 / scipy (goal <= "
            f"{GOAL_VS_SCIPY}) | numba 1 / exp (goal <= {GOAL_VS_EXP}) | 1 thread / {threads} "
            f"| numpy / scipy (goal <= 1.3) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in (r for r in fw if r.name == name):
            lines.append(
                f"| {shape_text(r.shape)} | {ms(r.one)} | {ms(r.many)} | {ms(r.numpy)} "
                f"| {ms(r.scipy)} | {ms(r.exp)} | {ratio(r.one / r.scipy, GOAL_VS_SCIPY)} "
                f"| {ratio(r.one / r.exp, GOAL_VS_EXP)} | {ratio(r.one / r.many)} "
                f"| {ratio(r.numpy / r.scipy, 1.3)} |"
            )
        lines.append("")
    lines += [
        "### The Jacobian, its products and the loss (numba, 1 thread)",
        "",
        "The Jacobian against the hand-written broadcast `s[..., :, None] * (np.eye(K) - "
        "s[..., None, :])` (its softmax included); jvp, vjp and the loss with its gradient "
        "(`cross_entropy` + `cross_entropy_grad`, one call each) against our numba softmax.",
        "",
        f"| shape | softmax | jacobian | broadcast | jacobian / broadcast (goal <= "
        f"{GOAL_JACOBIAN}) | jvp / softmax (goal <= {GOAL_PRODUCTS}) | vjp / softmax "
        "| loss + grad / softmax |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in der:
        jac = (
            ratio(r.jacobian / r.hand_jacobian, GOAL_JACOBIAN)
            if r.jacobian and r.hand_jacobian
            else "n/a"
        )
        lines.append(
            f"| {shape_text(r.shape)} | {ms(r.softmax)} | {ms(r.jacobian)} "
            f"| {ms(r.hand_jacobian)} | {jac} | {ratio(r.jvp / r.softmax, GOAL_PRODUCTS)} "
            f"| {ratio(r.vjp / r.softmax, GOAL_PRODUCTS)} "
            f"| {ratio(r.loss / r.softmax, 2 * GOAL_PRODUCTS)} |"
        )
    cold, cached = first
    lines += [
        "",
        "### First numba call",
        "",
        "`softmax` of a (100000, 10) array in a fresh interpreter, numba's disk cache in an",
        "empty directory (`SYMSOFTMAX_CACHE_DIR`): the first process compiles the kernels",
        "that the call needs, the second loads them from the cache. Import not counted.",
        "",
        "| cold cache (goal <= 3 s) | from the cache (goal <= 0.3 s) |",
        "|---:|---:|",
        f"| {cold:.2f} s | {cached:.2f} s |",
        "",
        "### Accuracy of the numba backend",
        "",
        "Max error in ulp against mpmath, as in the accuracy table of *Numeric functions*",
        "(the same batteries).",
        "",
        f"| function | K | scale | numba (goal <= {ULP_GOAL:g}) |",
        "|---|---:|---:|---:|",
    ]
    for a in acc:
        mark = f"**{a.ulp:.2f}**" if a.ulp > ULP_GOAL else f"{a.ulp:.2f}"
        lines.append(f"| `{a.function}` | {a.K} | {a.scale:g} | {mark} |")
    lines += [
        "",
        "### dask on a local cluster",
        "",
        f"A {shape_text(DASK_SHAPE)} array in chunks of {DASK_CHUNK} rows, made and persisted on a",
        "`LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`; each call is",
        "`f(x).sum().compute()`, so only a number comes back (best of 3, after one call that",
        "lets the workers compile). Beside it the same function on the array in memory",
        "(numba, plus its `.sum()`).",
        "",
        "| function | cluster, rows/s | in memory, 1 thread, rows/s | in memory, "
        f"{threads} threads, rows/s | cluster / memory (1 thread) |",
        "|---|---:|---:|---:|---:|",
    ]
    for d in dask_rows:
        lines.append(
            f"| `{d.name}` | {d.cluster:.3g} | {d.memory_one:.3g} | {d.memory_many:.3g} "
            f"| {d.cluster / d.memory_one:.2f}x |"
        )

    def all_of(values: list[float], goal: float, *, above: bool = False) -> str:
        met = all(v >= goal if above else v <= goal for v in values)
        return verdict(met)

    lines += ["", "### Goals", ""]
    for name in FORWARD:
        rows = [r for r in fw if r.name == name]
        vs_scipy = [r.one / r.scipy for r in rows]
        vs_exp = [r.one / r.exp for r in rows]
        lines += [
            f"- `{name}`, numba, one thread, <= {GOAL_VS_SCIPY}x scipy: "
            f"{all_of(vs_scipy, GOAL_VS_SCIPY)}: "
            + ", ".join(
                f"{shape_text(r.shape)} {ratio(v, GOAL_VS_SCIPY)}"
                for r, v in zip(rows, vs_scipy, strict=True)
            )
            + ".",
            f"- `{name}`, numba, one thread, <= {GOAL_VS_EXP}x one `np.exp` pass: "
            f"{all_of(vs_exp, GOAL_VS_EXP)}: "
            + ", ".join(
                f"{shape_text(r.shape)} {ratio(v, GOAL_VS_EXP)}"
                for r, v in zip(rows, vs_exp, strict=True)
            )
            + ".",
            f"- `{name}`, the numpy backend, <= 1.3x scipy: "
            f"{all_of([r.numpy / r.scipy for r in rows], 1.3)}: "
            + ", ".join(f"{shape_text(r.shape)} {ratio(r.numpy / r.scipy, 1.3)}" for r in rows)
            + ".",
        ]
    small = [r for r in fw if r.shape in ((1000000, 4), (100000, 10))]
    lines.append(
        f"- numba, {threads} threads against 1, >= {GOAL_THREADS}x at (1000000, 4) and "
        f"(100000, 10): {all_of([r.one / r.many for r in small], GOAL_THREADS, above=True)}: "
        + ", ".join(
            f"`{r.name}` {shape_text(r.shape)} {ratio(r.one / r.many, GOAL_THREADS, above=True)}"
            for r in small
        )
        + "."
    )
    jac = [r.jacobian / r.hand_jacobian for r in der if r.jacobian and r.hand_jacobian]
    lines.append(f"- `jacobian` <= {GOAL_JACOBIAN}x the broadcast: {all_of(jac, GOAL_JACOBIAN)}.")
    for name in ("jvp", "vjp"):
        values = [getattr(r, name) / r.softmax for r in der]
        lines.append(
            f"- `{name}` <= {GOAL_PRODUCTS}x our softmax: {all_of(values, GOAL_PRODUCTS)}: "
            + ", ".join(
                f"{shape_text(r.shape)} {ratio(v, GOAL_PRODUCTS)}"
                for r, v in zip(der, values, strict=True)
            )
            + "."
        )
    worst = max(a.ulp for a in acc)
    lines += [
        f"- First call <= {GOAL_COLD} s with a cold cache, <= {GOAL_CACHED} s from the cache: "
        f"{verdict(cold <= GOAL_COLD and cached <= GOAL_CACHED)}: {cold:.2f} s, {cached:.2f} s.",
        f"- Accuracy of numba <= {ULP_GOAL:g} ulp: {verdict(worst <= ULP_GOAL)}: at most "
        f"{worst:.2f} ulp.",
        "",
        "Why the goals that are missed are missed, as far as measured:",
        "",
        "- *One `np.exp` pass*: numpy's `exp` uses AVX-512 on this CPU; the kernels make three",
        "  passes over a row (the maximum, the exponentials with TwoSum and the sum, the",
        "  division) and, at K = 4 and 10, pay per row: the loop set-up, `log1p` (libm, one",
        "  call a row) and the search for the first arg max in `log_softmax` and `logsumexp`.",
        "  Working across rows for small K (as the numpy runtime does up to 16 classes) is",
        "  not done yet.",
        "- *jvp, vjp, the loss, the Jacobian*: only `softmax`, `log_softmax` and `logsumexp`",
        "  have fused row kernels; the others run the numpy kernels (the tangent's shift and",
        "  scaling, the complement 1 - sigma at the arg max, the products) on the fused",
        "  softmax: four to five more passes over memory.",
        "- *The numpy backend*: its TwoSum split and the log1p of the sum without the arg max",
        "  cost whole-array passes that numpy cannot fuse; this is the price of its accuracy",
        "  (*Numeric functions*, Accuracy) and is what the numba backend is for.",
        "- *From the cache in 0.3 s*: `import numba` alone takes 0.33-0.4 s here, and the",
        "  numba module's text is generated from the derivations (SymPy, about 0.6 s) before",
        "  numba can look up its cache.",
        "- *2 threads against 1*: two cores shared with other work; the ratio varies from run",
        "  to run by more than the distance to the goal.",
        "",
    ]
    return "\n".join(lines)


#: The 1-minute load average when the run began (other work on the machine).
LOAD_AT_START = os.getloadavg()[0]


def main() -> None:
    """Measure everything, print the section and write it into docs/performance.md."""
    begin = time.monotonic()

    def progress(what: str) -> None:
        print(f"{what} done at {time.monotonic() - begin:.0f} s", file=sys.stderr)

    first = first_calls()
    progress("first calls")
    fw, der = [], []
    for shape in SHAPES:
        x = logits(shape)
        fw += [forward(name, x) for name in FORWARD]
        der.append(derivatives(x))
        del x
        gc.collect()
        progress(f"shape {shape}")
    acc = accuracy()
    progress("accuracy")
    dask_rows = dask_rates()
    progress("dask")
    text = section(fw, der, first, acc, dask_rows)
    old = DOC.read_text() if DOC.exists() else "# Performance\n"
    DOC.write_text(replace_section(old, text, HEADING))
    print(text)
    print(f"total {time.monotonic() - begin:.0f} s; wrote {DOC}", file=sys.stderr)


if __name__ == "__main__":
    main()
