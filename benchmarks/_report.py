"""What the benchmark scripts share: the machine line, and writing their own section of
docs/performance.md."""

from __future__ import annotations

import os
import platform
import re
from importlib.metadata import version
from pathlib import Path


def machine(*packages: str) -> str:
    """CPU model (from /proc/cpuinfo), core count and the versions of ``packages``, one line."""
    cpuinfo = Path("/proc/cpuinfo")
    text = cpuinfo.read_text() if cpuinfo.exists() else ""
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    cpu = found.group(1).strip() if found else platform.processor() or "unknown CPU"
    names = {"numpy": "NumPy", "scipy": "SciPy", "sympy": "SymPy"}
    versions = ", ".join(f"{names.get(p, p)} {version(p)}" for p in packages)
    return f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, {versions}"


def replace_section(document: str, new: str, heading: str) -> str:
    """``document`` with the section under ``heading`` replaced by ``new`` (or appended);
    every other section is kept as it was."""
    lines = document.splitlines(keepends=True)
    starts = [n for n, line in enumerate(lines) if line.rstrip() == heading]
    if not starts:
        return document.rstrip("\n") + ("\n\n" if document.strip() else "") + new
    start = starts[0]
    end = next((n for n in range(start + 1, len(lines)) if lines[n].startswith("## ")), len(lines))
    after = "".join(lines[end:])
    return "".join(lines[:start]) + new + ("\n" + after if after else "")
