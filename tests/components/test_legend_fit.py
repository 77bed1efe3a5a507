"""A server-drawn legend never runs one entry's text into the next entry, in
whichever sans font the reader's machine draws it: the SVG names system-ui
first (components.theme.FONT_FAMILY), which on a Linux desktop is DejaVu Sans,
wider than the renderer's average widths (text.text_width).

Each entry's text is measured here with the font itself (PIL's ImageFont on
DejaVu Sans and Liberation Sans from /usr/share/fonts, the wider of the two;
Chromium's own measure of the funnel's entries agreed with PIL's to 0.2 px) at
the font size the SVG gives it, and its box is
checked against the next entry's key and text in the drawn SVG, for every
figure case and every drawing the golden digests cover
(test_render_equivalence._drawings), and for /compare's funnel with its
adjusted limits' long names.

`write_wide_widths()` prints text._WIDE / _WIDE_BOLD, the per-character table
the renderer lays legends out by; `test_the_wide_table_is_the_fonts` checks
the table against the fonts."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from components.figure_svg import figure_svg, text
from tests.components.figure_cases import CASES, funnel_full

ImageFont = pytest.importorskip("PIL.ImageFont")

NS = "{http://www.w3.org/2000/svg}"
FONTS = Path("/usr/share/fonts/truetype")
DEJAVU, LIBERATION = FONTS / "dejavu", FONTS / "liberation"
REGULAR = [DEJAVU / "DejaVuSans.ttf", LIBERATION / "LiberationSans-Regular.ttf"]
BOLD = [DEJAVU / "DejaVuSans-Bold.ttf", LIBERATION / "LiberationSans-Bold.ttf"]
CHARS = "".join(chr(c) for c in range(32, 127)) + (
    "\xa3\u2013\u2014\u2026\xb2\xb3\xb7\xb1\u2264\u2265\xd7\xf7\xe9\xb0"
    "\u2019\u2018\u201c\u201d\u20ac"
)
_UNITS = 2048  # measured at this many px: an em's advance to the font's unit

if not all(p.exists() for p in REGULAR + BOLD):  # pragma: no cover
    pytest.skip("DejaVu Sans / Liberation Sans not installed", allow_module_level=True)

_fonts: dict[tuple[Path, float], object] = {}


def _font(path: Path, size: float):
    key = (path, size)
    if key not in _fonts:
        _fonts[key] = ImageFont.truetype(str(path), size)
    return _fonts[key]


def _measured(runs: list[tuple[str, bool]], size: float) -> float:
    """The width in px of a line of (text, bold) runs at `size` px, in the
    wider of DejaVu Sans and Liberation Sans (PIL's layout, with kerning)."""
    return max(
        sum(_font((BOLD if b else REGULAR)[k], size).getlength(t) for t, b in runs)
        for k in range(2)
    )


def _table(paths: list[Path]) -> dict[str, float]:
    fonts = [_font(p, _UNITS) for p in paths]
    return {
        c: math.ceil(max(f.getlength(c) for f in fonts) / _UNITS * 100) / 100
        for c in CHARS
    }


def write_wide_widths() -> None:
    """Print text._WIDE's and _WIDE_BOLD's rows (characters grouped by width)."""
    for name, paths in (("_WIDE", REGULAR), ("_WIDE_BOLD", BOLD)):
        groups: dict[float, list[str]] = {}
        for c, em in _table(paths).items():
            groups.setdefault(em, []).append(c)
        print(name)
        for em in sorted(groups):
            print(f"    ({ascii(''.join(groups[em]))}, {em}),")


def test_the_wide_table_is_the_fonts():
    assert text._WIDE == _table(REGULAR)
    assert text._WIDE_BOLD == _table(BOLD)
    # and a character outside it counts as wide as the widest in it
    assert next(text._WIDE_OTHER) >= max(text._WIDE_BOLD.values())


# ------------------------------------------------------------ the legends


def _runs(element: ET.Element) -> list[tuple[str, bool]]:
    """A one-line <text>'s runs, (text, bold)."""
    out = [(element.text or "", element.get("font-weight") == "bold")]
    for span in element:
        bold = span.get("font-weight") == "bold"
        out.append((span.text or "", bold))
        out.append((span.tail or "", False))
    return [(t, b) for t, b in out if t]


def _left(element: ET.Element) -> float:
    """Where a legend key's mark starts (its leftmost x, near enough: a
    marker's centre less half its largest size)."""
    if element.get("x") is not None:
        return float(element.get("x"))
    move = re.match(r"M(-?[\d.]+),", element.get("d") or "")
    transform = re.match(r"translate\((-?[\d.]+),", element.get("transform") or "")
    if transform:
        return float(transform.group(1)) - 8
    assert move, ET.tostring(element)
    return float(move.group(1))


def _entries(svg: str) -> list[tuple[float, float, float, float]]:
    """Each legend entry as (row y, key's left, text's left, text's right in
    DejaVu Sans / Liberation Sans), in drawing order."""
    root = ET.fromstring(svg)
    group = next(
        (g for g in root.iter(f"{NS}g") if g.get("data-role") == "legend"), None
    )
    if group is None:
        return []
    out = []
    key: list[float] = []
    for element in group:
        if element.tag == f"{NS}text":
            assert not element.findall(f"{NS}tspan[@y]"), "a legend entry of lines"
            size = float(element.get("font-size"))
            x = float(element.get("x"))
            right = x + _measured(_runs(element), size)
            out.append((float(element.get("y")), min(key or [x]), x, right))
            key = []
        else:
            key.append(_left(element))
    return out


GAP = 6  # px: less between one entry's text and the next key reads as one


def _overlaps(svg: str) -> list[str]:
    width = float(ET.fromstring(svg).get("viewBox").split()[2])
    entries = _entries(svg)
    found = []
    for (y, _, x, right), (y2, key2, x2, _) in zip(entries, entries[1:], strict=False):
        if y2 == y and right > min(key2, x2) - GAP:
            found.append(f"text {x:.0f}-{right:.1f} runs into the key at {key2:.1f}")
    found += [
        f"text {x:.0f}-{right:.0f} past the edge {width:.0f}"
        for _, _, x, right in entries
        if right > width
    ]
    return found


def _compare_funnel() -> dict:
    """/compare's funnel as web/compare_charts.py builds it for a measure with
    adjusted limits (the names it gives them)."""
    figure = funnel_full()
    names = {
        "Unadjusted 99.8% limits": "Unadjusted 99.8% limits (PHE/OHID)",
        "99.8% control limits": "99.8% limits, adjusted for overdispersion",
        "95% control limits": "95% limits, adjusted for overdispersion",
        "England and Wales (20)": "England and Wales (6.0%)",
    }
    for trace in figure["data"]:
        trace["name"] = names.get(trace.get("name"), trace.get("name"))
    return figure


def _svg(figure: dict) -> str:
    return figure_svg(figure, title="t", desc="d", id_prefix="c")


@pytest.mark.parametrize("width", [641, 720, 900, 1116])
def test_compare_funnels_legend_entries_keep_apart(width):
    # 1116: the card's width at 1280 px, where the adjusted limits' entries
    # shared a row and "...overdispersion" ran into the next key (1.9 px apart
    # in Chromium with DejaVu Sans: 267 px of text laid out as 252 px)
    figure = _compare_funnel()
    figure["layout"]["width"] = width
    svg = _svg(figure)
    assert len(_entries(svg)) == 7
    assert _overlaps(svg) == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_legend_entry_runs_into_the_next(name):
    assert _overlaps(_svg(CASES[name]())) == []


def test_no_legend_entry_runs_into_the_next_in_any_golden_drawing():
    from tests.components.test_render_equivalence import _drawings

    found = {name: _overlaps(svg) for name, svg in _drawings().items()}
    assert {name: f for name, f in found.items() if f} == {}
    assert sum(bool(_entries(svg)) for svg in _drawings().values()) > 20
