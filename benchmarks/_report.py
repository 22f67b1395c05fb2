"""What the benchmark scripts share: writing their own section of docs/performance.md."""

from __future__ import annotations


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
