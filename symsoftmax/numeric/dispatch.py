"""Which code computes an array: the backends, what is installed, and the choice per call.

| backend | computes | with |
|---|---|---|
| ``"numpy"`` | numpy arrays and array-likes | the generated numpy module (the reference) |
| ``"numba"`` | numpy arrays | the numpy module with fused row kernels (``pip install "symsoftmax[fast]"``) |
| ``"array-api"`` | any array with ``__array_namespace__`` | the generated array-API module, in that array's own library |
| ``"dask"`` | dask arrays | chunk by chunk (``map_blocks``), each chunk by the fastest numpy backend |

``backend=None`` chooses by the input: a dask array goes to ``"dask"``, another array with
``__array_namespace__`` (array-api-strict, torch, jax, cupy) to ``"array-api"``, a numpy
input of at least :data:`NUMBA_FROM` entries to ``"numba"`` when numba is installed, and
anything else to ``"numpy"`` (below that size a call takes microseconds either way, and the
first numba call of a process costs its compilation, or loading it from the disk cache). Nothing here imports numba,
dask or array-api-compat until a call needs them.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import importlib.util
import linecache
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from . import codegen, loops

__all__ = ["Backend", "backends", "choose", "functions"]


class Backend(str, enum.Enum):
    """The backends, by the name a user passes as ``backend=``."""

    NUMPY = "numpy"
    NUMBA = "numba"
    ARRAY_API = "array-api"
    DASK = "dask"


#: What each backend needs installed, beside numpy.
_REQUIRES = {
    Backend.NUMPY: (),
    Backend.NUMBA: ("numba",),
    Backend.ARRAY_API: ("array_api_compat",),
    Backend.DASK: ("dask",),
}

#: The extra that installs it.
_EXTRA = {Backend.NUMBA: "fast", Backend.ARRAY_API: "array-api", Backend.DASK: "dask"}


def _installed(backend: Backend) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in _REQUIRES[backend])


def backends() -> list[str]:
    """The names of the installed backends, the reference ``"numpy"`` first.

    Example:
        >>> backends()[0]
        'numpy'
    """
    return [b.value for b in Backend if _installed(b)]


def _backend(name: object) -> Backend:
    """``name`` as a Backend, or ValueError naming the known ones and the installed ones."""
    try:
        backend = Backend(name)
    except ValueError:
        known = ", ".join(repr(b.value) for b in Backend)
        raise ValueError(f"unknown backend {name!r}; known: {known} (or None)") from None
    if not _installed(backend):
        raise ValueError(
            f"backend {backend.value!r} is not installed (pip install "
            f'"symsoftmax[{_EXTRA[backend]}]"); installed: {", ".join(backends())}'
        )
    return backend


#: From this many entries on, a numpy input goes to numba when it is installed.
NUMBA_FROM = 2**14


def _size(x: object) -> int:
    size = getattr(x, "size", None)
    return size if isinstance(size, int) else 0


def _is_dask(x: object) -> bool:
    return type(x).__module__.partition(".")[0] == "dask" and hasattr(x, "map_blocks")


def _is_foreign(x: object) -> bool:
    """An array of another library than numpy that declares its array-API namespace."""
    return hasattr(x, "__array_namespace__") and type(x).__module__.partition(".")[0] != "numpy"


def choose(x: object, backend: str | None) -> Backend:
    """The backend that computes ``x``: ``backend``, or by the input when it is None.

    Raises:
        ValueError: an unknown or uninstalled backend, or one that cannot compute ``x``
            (numpy and numba compute numpy arrays; a dask array is computed by "dask").

    Example:
        >>> choose([1.0, 2.0], "numpy")
        <Backend.NUMPY: 'numpy'>
    """
    if backend is None:
        if _is_dask(x):
            return _backend(Backend.DASK)
        if _is_foreign(x):
            return _backend(Backend.ARRAY_API)
        if _size(x) >= NUMBA_FROM and _installed(Backend.NUMBA):
            return Backend.NUMBA
        return Backend.NUMPY
    chosen = _backend(backend)
    if _is_dask(x) and chosen is not Backend.DASK:
        raise ValueError(
            f"backend {chosen.value!r} cannot compute a dask array lazily: use backend=None "
            "or 'dask' (each chunk is then computed by the fastest numpy backend)"
        )
    if _is_foreign(x) and not _is_dask(x) and chosen is not Backend.ARRAY_API:
        raise ValueError(
            f"backend {chosen.value!r} computes numpy arrays, got {type(x).__module__}."
            f"{type(x).__name__}: use backend=None or 'array-api'"
        )
    if chosen is Backend.DASK and not _is_dask(x):
        raise ValueError(f"backend 'dask' computes dask arrays, got {type(x).__name__}")
    return chosen


def _run(text: str, filename: str) -> dict[str, object]:
    """Compile and run ``text`` as a module; its lines go to ``linecache`` (tracebacks)."""
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    namespace: dict[str, object] = {"__name__": "symsoftmax_generated"}
    exec(compile(text, filename, "exec"), namespace)
    return namespace


#: The file name the generated numpy module is compiled under (tracebacks and profilers).
NUMPY_FILENAME = "<symsoftmax generated>"


@functools.cache
def _numpy_module() -> dict[str, object]:
    return _run(codegen.module_source(), NUMPY_FILENAME)


def _cache_directory() -> Path:
    """Where the generated numba module is written, so that numba can cache its machine
    code beside it: $SYMSOFTMAX_CACHE_DIR, else $XDG_CACHE_HOME/symsoftmax or
    ~/.cache/symsoftmax, else a temporary directory."""
    configured = os.environ.get("SYMSOFTMAX_CACHE_DIR")
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "symsoftmax"
    for directory in (Path(configured) if configured else None, base):
        if directory is None:
            continue
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(directory, os.W_OK):
            return directory
    return Path(tempfile.mkdtemp(prefix="symsoftmax-"))


@functools.cache
def _numba_module() -> ModuleType:
    """The generated numba module, written to a file named by its content's hash and
    imported from there: numba's ``cache=True`` keys its disk cache on that file."""
    text = loops.module_source()
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    path = _cache_directory() / f"symsoftmax_numba_{digest}.py"
    if not path.exists() or path.read_text() != text:
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text)
        os.replace(partial, path)  # atomic: another process never reads half a file
    name = f"symsoftmax_numba_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


#: The file name the generated array-API module is compiled under.
ARRAY_API_FILENAME = "<symsoftmax generated array-api>"


@functools.cache
def _array_api_module() -> dict[str, object]:
    return _run(codegen.module_source(None, "array-api"), ARRAY_API_FILENAME)


def functions(backend: Backend) -> Callable[[str], Callable]:
    """A lookup ``name -> function`` for the generated functions of ``backend`` (numpy,
    numba or the array API; dask runs these chunk by chunk, see :mod:`.chunked`)."""
    if backend is Backend.NUMPY:
        return _numpy_module().__getitem__
    if backend is Backend.NUMBA:
        return functools.partial(getattr, _numba_module())
    if backend is Backend.ARRAY_API:
        return _array_api_module().__getitem__
    raise ValueError(f"backend {backend.value!r} has no generated module of its own")
