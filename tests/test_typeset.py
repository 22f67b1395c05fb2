"""The typeset page images of the documentation: every page of the document, each cropped to
its text, stacked with a rule between pages, the same way in English and in Chinese.

The crop, the stacking and the PNG writer are checked on made-up pages; the rendering of a
real derivation against the page count that pdfinfo (poppler, not our code) reports.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import symsoftmax as ss
from symsoftmax.output import typeset
from symsoftmax.output.typeset import MARGIN, PACKAGES, crop, png, stack

RULE = 190  # the grey level of the rule between two pages


def _needs(*programs: str) -> None:
    for program in programs:
        if shutil.which(program) is None:
            message = f"{program} is not installed: apt-get install {PACKAGES.get(program, '')}"
            if os.environ.get("CI") == "true":
                pytest.fail(f"{message} (CI=true: the typeset pages must be made)")
            pytest.skip(message)


def _decode(data: bytes) -> np.ndarray:
    """An 8-bit grey PNG as an array, decoded by matplotlib (an independent reader)."""
    pytest.importorskip("matplotlib")
    import io

    from matplotlib.image import imread

    image = imread(io.BytesIO(data), format="png")
    return np.rint(np.asarray(image) * 255).astype(np.uint8)


def _page(shape: tuple[int, int], *boxes: tuple[int, int, int, int]) -> np.ndarray:
    page = np.full(shape, 255, np.uint8)
    for top, bottom, left, right in boxes:
        page[top:bottom, left:right] = 0
    return page


# -- made-up pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("boxes", "shape"),
    [
        ([(40, 45, 30, 50)], (5 + 2 * MARGIN, 20 + 2 * MARGIN)),
        ([(0, 1, 0, 1)], (1 + 2 * MARGIN, 1 + 2 * MARGIN)),  # ink at the corner
        ([(10, 20, 5, 8), (60, 61, 70, 79)], (51 + 2 * MARGIN, 74 + 2 * MARGIN)),
    ],
)
def test_crop_keeps_the_ink_and_a_margin_of_white(boxes, shape) -> None:
    page = _page((100, 80), *boxes)
    out = crop(page)
    assert out.shape == shape
    # as much ink as before, and a white frame MARGIN wide
    assert np.count_nonzero(out < 250) == np.count_nonzero(page < 250)
    assert np.all(out[:MARGIN] == 255) and np.all(out[-MARGIN:] == 255)
    assert np.all(out[:, :MARGIN] == 255) and np.all(out[:, -MARGIN:] == 255)
    assert np.any(out[MARGIN] < 250) and np.any(out[:, MARGIN] < 250)


def test_a_blank_page_crops_to_nothing() -> None:
    assert crop(_page((30, 30))).size == 0


def test_stack_aligns_the_pages_and_puts_a_rule_between_them() -> None:
    pages = [
        _page((100, 80), (10, 30, 20, 60)),
        _page((100, 80), (5, 8, 40, 75)),  # further right: the columns are the union
        _page((100, 80)),  # blank: left out
        _page((100, 80), (50, 90, 20, 21)),
    ]
    out = stack(pages)
    assert out.shape[1] == (75 - 20) + 2 * MARGIN  # columns 20..74 of every page
    rules = [n for n, row in enumerate(out) if np.all(row == RULE)]
    assert len(rules) == 2  # three pages with ink
    # each page keeps its left edge: ink starts at the margin on pages 1 and 3
    first, third = out[: rules[0]], out[rules[1] + 1 :]
    assert np.flatnonzero((first < 250).any(axis=0))[0] == MARGIN
    assert np.flatnonzero((third < 250).any(axis=0))[0] == MARGIN
    assert (
        np.count_nonzero(out < 250)
        == sum(np.count_nonzero(p < 250) for p in pages) + 2 * (out.shape[1])
    )  # the rules are grey (< 250) too
    with pytest.raises(ValueError, match="no ink"):
        stack([_page((10, 10))])


def test_png_round_trips_through_an_independent_reader() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(37, 53), dtype=np.uint8)
    data = png(image)
    assert data == png(image.copy())  # the same bytes for the same image
    np.testing.assert_array_equal(_decode(data), image)


# -- a real document ----------------------------------------------------------------------------


def _page_count(pdf: Path) -> int:
    run = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    (line,) = [line for line in run.stdout.splitlines() if line.startswith("Pages:")]
    return int(line.split()[1])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_render_shows_every_page_cropped(lang: str, tmp_path: Path) -> None:
    d = ss.derive("jacobian", lang=lang)
    _needs(typeset.ENGINES[d.lang], "pdftoppm", "pdfinfo")
    pdf = typeset.typeset(d, tmp_path)
    pages = _page_count(pdf)
    assert pages >= 2  # the document runs over a page: the image must show them all
    path = tmp_path / "out.png"
    typeset.render(d, path, dpi=60)
    image = _decode(path.read_bytes())
    rules = [n for n, row in enumerate(image) if np.all(row == RULE)]
    assert len(rules) == pages - 1
    # cropped to the text: a white margin of MARGIN pixels, then ink, on every side
    ink = image < 250
    ink[rules] = False  # the rules run the full width
    assert not ink[:MARGIN].any() and not ink[-MARGIN:].any()
    assert not ink[:, :MARGIN].any() and not ink[:, -MARGIN:].any()
    assert ink[MARGIN].any() and ink[-MARGIN - 1].any()
    assert ink[:, MARGIN].any() and ink[:, -MARGIN - 1].any()
    # little whitespace: no run of blank rows taller than a blank line between steps
    blank = ~ink.any(axis=1)
    longest = max(len(run) for run in "".join("1" if b else "0" for b in blank).split("0"))
    assert longest < 60 * 0.9  # less than 0.9 inch at 60 dpi
