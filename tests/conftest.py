"""Shared fixtures: each registered derivation is verified at most once per test process.

``verify()`` is the most expensive call of the suite (SymPy proves every step, mpmath checks
it). ``tests/test_engine.py`` verifies every registered derivation at K in {None, 2, 3, 4};
other tests need the same verification again (the command line's table, a derivation's own
file). They share it through the session fixture :func:`verified`. Under pytest-xdist
(``--dist loadgroup``, see pyproject.toml) a test marked ``verifies`` runs in the same worker
as the other tests that need that (name, K), so each is verified once in the whole run.

Broken copies (the mutation tests) are never answered from the cache: they are verified for
real, as is everything not registered, or verified with other options. What they share is
finer: :func:`memoized_steps` remembers, per process, the prover's and the numeric check's
answer for each step statement, so that verifying a copy with step n broken does not prove
steps 1 .. n - 1 again (verified moments before, in the same worker); the broken step is new,
and is proved and checked for real.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import symsoftmax as ss

#: (name, K) -> the registered derivation, verified.
Verified = Callable[..., ss.Derivation]

#: The engine's own verify(), whatever a test patches in its place.
_VERIFY = ss.Derivation.verify


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "verifies(name=..., K=...): the test needs ss.derive(name, K=K) verified; name and K "
        "default to the test's parameters of those names. Under xdist the test runs in the "
        "worker that verifies that (name, K).",
    )
    if hasattr(config, "workerinput") and getattr(config.option, "loadgroup", False):
        config.pluginmanager.register(_GroupSuffix(), "symsoftmax-xdist-group-suffix")


class _GroupSuffix:
    """Workaround for pytest-xdist#1386: with pytest >= 9.2, ``--dist loadgroup`` stops
    grouping, silently. xdist tells its scheduler a test's group by renaming the test to
    ``nodeid@group`` through ``item._nodeid``, which pytest no longer reads (the id is the
    structured ``item._id``). Where the name lacks the suffix after xdist's hook, it is put
    in the way pytest reads it; with a fixed xdist this does nothing. Without it the tests
    still pass, each verification merely runs in every worker that needs it.
    """

    @pytest.hookimpl(trylast=True)  # after xdist's own hook
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        from _pytest.nodeid import NodeId

        for item in items:
            marks = item.iter_markers("xdist_group")
            names = {str(m.args[0] if m.args else m.kwargs.get("name", "default")) for m in marks}
            suffix = "@" + "_".join(sorted(names))
            if names and not item.nodeid.endswith(suffix) and hasattr(item, "_id"):
                item._id = NodeId.parse(item.nodeid + suffix)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        mark = item.get_closest_marker("verifies")
        if mark is None:
            continue
        params = getattr(item, "callspec", None)
        params = params.params if params is not None else {}
        name = mark.kwargs.get("name", params.get("name"))
        K = mark.kwargs.get("K", params.get("K"))
        if name is None:
            raise pytest.UsageError(f"{item.nodeid}: verifies needs a name (or a name parameter)")
        item.add_marker(pytest.mark.xdist_group(f"verify-{name}-K{'any' if K is None else K}"))


def _math(d: ss.Derivation) -> tuple[Any, ...]:
    """What ``verify()`` checks: each step's statement, case and space, and the K."""
    return (d.space, tuple((s.expr, s.case, s.space) for s in d.steps))


def _memoized(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with its results kept by arguments (exceptions are not kept)."""
    results: dict[Any, Any] = {}

    @functools.wraps(function)
    def memo(*args: Any, **kwargs: Any) -> Any:
        key = (args, tuple(sorted(kwargs.items())))
        try:
            return results[key]
        except KeyError:
            value = results[key] = function(*args, **kwargs)
            return value
        except TypeError:  # an argument that cannot be hashed
            return function(*args, **kwargs)

    return memo


@pytest.fixture(scope="session")
def memoized_steps() -> Iterator[None]:
    """From now on in this process, ``Derivation.verify()`` asks the prover (``unproved``) and
    the numeric check (``check``) about a step statement once: both are functions of the
    statement, its space, its case and the check's options (points, dps, seed) alone.

    Without the engine's names (renamed), nothing is memoized: slower, never wrong.
    """
    from symsoftmax.engine import derivation as engine

    with pytest.MonkeyPatch.context() as patch:
        for name in ("unproved", "check"):
            function = getattr(engine, name, None)
            if callable(function):
                patch.setattr(engine, name, _memoized(function))
        yield


@pytest.fixture(scope="session")
def verified(memoized_steps: None) -> Verified:
    """``verified(name, K=None)``: ``ss.derive(name, K=K)`` after ``verify()`` returned True.

    Verified once per (name, K) in this process; a failing verification is not cached, so
    every test that needs it fails with the ``VerificationError`` naming the step.
    """
    done: dict[tuple[str, int | None], ss.Derivation] = {}

    def get(name: str, K: int | None = None) -> ss.Derivation:
        if (name, K) not in done:
            d = ss.derive(name, K=K)
            assert _VERIFY(d) is True
            done[name, K] = d
        return done[name, K]

    return get


@pytest.fixture
def verify_from_cache(monkeypatch: pytest.MonkeyPatch, verified: Verified) -> None:
    """``Derivation.verify()`` answered by :func:`verified` for a registered derivation with
    the registered steps (in any language: the math is the same) and the default options.

    For tests of what is printed around a verification (the command line's table). A copy
    with a step replaced, anything unregistered, other options: verified for real.
    """

    def verify(self: ss.Derivation, **options: Any) -> bool:
        try:
            registered = ss.derive(self.name, K=self.K)
        except ValueError:  # not a registered name
            return _VERIFY(self, **options)
        if options or _math(self) != _math(registered):
            return _VERIFY(self, **options)
        verified(self.name, self.K)  # True once, or it raises VerificationError
        return True

    monkeypatch.setattr(ss.Derivation, "verify", verify)
