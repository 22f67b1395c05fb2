"""Time the symbolic work of symsoftmax, cold, and write the ``## Symbolic work`` section of
``docs/performance.md`` (issue 3, "Scale of the symbolic work").

Every measurement runs in a fresh ``python -c`` subprocess, so neither SymPy's caches nor our
own ``lru_cache`` entries from another K make a number look better than a first call would.
Only the statement is timed, never the interpreter start or the imports.

Run with ``python benchmarks/symbolic.py`` (about three minutes on two cores).
"""

from __future__ import annotations

import datetime
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from _report import machine, replace_section

__all__ = ["main"]

SIZES = (2, 4, 8, 16, 32, 64)
BUDGET = 120.0  # seconds per K for the naive baseline, all its runs together
DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
HEADING = "## Symbolic work"

# Each snippet prints one JSON object of {what: seconds}.
DERIVE = """
import json, time, symsoftmax as ss
t0 = time.perf_counter(); d = ss.derive({name!r}, K={K!r}); t1 = time.perf_counter()
assert d.verify() is True; t2 = time.perf_counter()
print(json.dumps({{"derive": t1 - t0, "verify": t2 - t1}}))
"""
JACOBIAN = """
import json, time, symsoftmax as ss
t0 = time.perf_counter(); J = ss.jacobian(ss.logits({K})); t1 = time.perf_counter()
print(json.dumps({{"jacobian": t1 - t0}}))
"""
# What a user would do by hand: differentiate the explicit softmax, then simplify every entry
# minus the closed form s_i (delta_ij - s_j) and check that each difference is zero.
NAIVE = """
import json, time, sympy as sp
t0 = time.perf_counter()
z = sp.Matrix(sp.symbols("z_1:{K_plus_1}", real=True))
e = [sp.exp(zi) for zi in z]
s = sp.Matrix([ei / sum(e) for ei in e])
J = s.jacobian(z)
assert all(sp.simplify(J[i, j] - s[i] * (int(i == j) - s[j])) == 0
           for i in range({K}) for j in range({K}))
print(json.dumps({{"naive": time.perf_counter() - t0}}))
"""


def cold(snippet: str, *, runs: int, budget: float | None = None) -> list[dict[str, float]]:
    """Run ``snippet`` in ``runs`` fresh interpreters; the JSON timings of those that finished.

    Args:
        snippet: Python source whose last output line is a JSON object of seconds.
        runs: how many fresh subprocesses to run, one after another.
        budget: wall-clock seconds for all the runs together; the run that passes it is killed
            and no further run starts. None for no limit.

    Returns:
        One dict per finished run (fewer than ``runs``, maybe none, if the budget ran out).

    Raises:
        RuntimeError: if a run exits with an error, with the snippet and its stderr.
    """
    deadline = None if budget is None else time.monotonic() + budget
    samples = []
    for _ in range(runs):
        limit = None if deadline is None else max(deadline - time.monotonic(), 0.0)
        try:
            done = subprocess.run(
                [sys.executable, "-c", snippet], capture_output=True, text=True, timeout=limit
            )
        except subprocess.TimeoutExpired:
            break
        if done.returncode != 0:
            raise RuntimeError(f"benchmark run failed:\n{snippet}\n{done.stderr}")
        samples.append(json.loads(done.stdout.splitlines()[-1]))
    return samples


def median(samples: list[dict[str, float]], key: str) -> float | None:
    """Median of ``key`` over the samples, None when there are none (all timed out)."""
    return statistics.median(s[key] for s in samples) if samples else None


@dataclass(frozen=True)
class Row:
    """Cold timings in seconds for one concrete K; ``naive`` is None when it timed out, and
    ``naive_runs`` says how many of its ``runs`` finished within the budget."""

    K: int
    runs: int
    derive: float
    verify: float
    jacobian: float
    naive: float | None
    naive_runs: int

    @property
    def speedup(self) -> float | None:
        """Naive differentiate-and-simplify time over derive + verify, if the naive finished."""
        return None if self.naive is None else self.naive / (self.derive + self.verify)


def concrete_row(K: int) -> Row:
    """Measure every statement for one concrete K (median of 3 runs for K <= 16, else 1)."""
    runs = 3 if K <= 16 else 1
    pair = cold(DERIVE.format(name="jacobian", K=K), runs=runs)
    jac = cold(JACOBIAN.format(K=K), runs=runs)
    naive = cold(NAIVE.format(K=K, K_plus_1=K + 1), runs=runs, budget=BUDGET)
    derive, verify, jacobian = (
        median(pair, "derive"),
        median(pair, "verify"),
        median(jac, "jacobian"),
    )
    assert derive is not None and verify is not None and jacobian is not None  # no budget: ran
    return Row(K, runs, derive, verify, jacobian, median(naive, "naive"), len(naive))


def symbolic_times(name: str) -> tuple[float, float]:
    """Cold (derive, verify) seconds of ``ss.derive(name)`` for a symbolic K, median of 3."""
    pair = cold(DERIVE.format(name=name, K=None), runs=3)
    derive, verify = median(pair, "derive"), median(pair, "verify")
    assert derive is not None and verify is not None  # no budget: every run ran
    return derive, verify


def seconds(value: float | None) -> str:
    """A table cell: seconds to three decimals, or the timeout when the run did not finish."""
    return f"> {BUDGET:.0f} s (timed out)" if value is None else f"{value:.3f} s"


def verdict(met: bool) -> str:
    """'met' or 'not met', in bold."""
    return "**met**" if met else "**not met**"


def baseline_sentence(rows: list[Row]) -> str:
    """The goal line for the naive baseline: met where the speedup exceeds 1, K by K."""
    ahead = [f"K = {r.K} ({r.speedup:.1f}x)" for r in rows if r.speedup and r.speedup > 1]
    behind = [f"K = {r.K} ({r.speedup:.2f}x)" for r in rows if r.speedup and r.speedup <= 1]
    timed_out = [str(r.K) for r in rows if r.naive is None]
    parts = [f"{verdict(True)} at {', '.join(ahead)}"] if ahead else []
    parts += [f"{verdict(False)} at {', '.join(behind)}"] if behind else []
    parts += [f"the baseline timed out at K = {', '.join(timed_out)}"] if timed_out else []
    return (
        "- Faster than the naive baseline (derive + verify against it): " + "; ".join(parts) + "."
    )


def section(rows: list[Row], symbolic: dict[str, tuple[float, float]]) -> str:
    """The ``## Symbolic work`` section of docs/performance.md, in Markdown."""
    by_K = {row.K: row for row in rows}
    lines = [
        HEADING,
        "",
        f"Written by `python benchmarks/symbolic.py` on {datetime.date.today().isoformat()}.",
        f"Machine: {machine('sympy', 'numpy')}.",
        "The machine is shared with other work, so timings are noisy: treat differences of",
        "a few tens of percent as noise.",
        "",
        "Each number times one statement in a fresh `python -c` subprocess (cold SymPy caches",
        "and cold `lru_cache`s), excluding interpreter start and imports: the median of 3 runs",
        "for K <= 16, a single run for K = 32 and K = 64. *Naive* is what a user would do by",
        "hand: `sympy.Matrix([exp(z_i)/sum_j exp(z_j)]).jacobian(z)`, then `sympy.simplify` of",
        "every entry minus the closed form s_i (delta_ij - s_j), checked to be zero; it has a",
        f"budget of {BUDGET:.0f} s per K for all its runs. *Speedup* is naive / (derive + verify).",
        "The comparison favours the naive way: it checks the final formula only, while",
        "`verify()` proves every step of the derivation with SymPy and also checks each one",
        "with mpmath at 40 digits.",
        "",
        "### Concrete K",
        "",
        '| K | runs | `derive("jacobian", K=K)` | `.verify()` | `jacobian(logits(K))` '
        "| naive | speedup |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        speedup = "n/a" if r.speedup is None else f"{r.speedup:.1f}x"
        partial = f" ({r.naive_runs} of {r.runs} runs)" if 0 < r.naive_runs < r.runs else ""
        lines.append(
            f"| {r.K} | {r.runs} | {seconds(r.derive)} | {seconds(r.verify)} "
            f"| {seconds(r.jacobian)} | {seconds(r.naive)}{partial} | {speedup} |"
        )
    lines += [
        "",
        "### Symbolic K",
        "",
        "`ss.derive(name)` with K symbolic, then `.verify()`; median of 3 runs.",
        "",
        "| derivation | derive | verify | total |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| `{name}` | {seconds(d)} | {seconds(v)} | {seconds(d + v)} |"
        for name, (d, v) in symbolic.items()
    ]
    big = by_K[max(by_K)]
    slow = sorted(((d + v, name) for name, (d, v) in symbolic.items() if d + v >= 1), reverse=True)
    over = ", ".join(f"`{name}` {total:.2f} s" for total, name in slow)
    lines += [
        "",
        "### Goals",
        "",
        f'- `derive("jacobian", K={big.K}).verify()` under 5 s: {verdict(big.verify < 5)}, '
        f"{big.verify:.2f} s ({big.verify / 5:.2f} of the goal).",
        f"- `jacobian(logits({big.K}))` under 5 s: {verdict(big.jacobian < 5)}, "
        f"{big.jacobian:.2f} s ({big.jacobian / 5:.2f} of the goal).",
        f"- Symbolic-K derivations well under 1 s each (derive + verify): {verdict(not slow)}, "
        f"{len(symbolic) - len(slow)} of {len(symbolic)} under 1 s"
        + (f"; over: {over}." if slow else "."),
        baseline_sentence(rows),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    """Measure everything, print the section and write it into docs/performance.md."""
    import symsoftmax as ss  # only for the registry: every timing runs in a subprocess

    begin = time.monotonic()
    rows = []
    for K in SIZES:
        rows.append(concrete_row(K))
        print(f"K = {K} done at {time.monotonic() - begin:.0f} s", file=sys.stderr)
    symbolic = {name: symbolic_times(name) for name in ss.derivations()}
    text = section(rows, symbolic)
    old = DOC.read_text() if DOC.exists() else "# Performance\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(replace_section(old, text, HEADING))
    print(text)
    print(f"total {time.monotonic() - begin:.0f} s; wrote {DOC}", file=sys.stderr)


if __name__ == "__main__":
    main()
