"""The chart card's drawing, numbers and CSV made faster (issue 19, uncached
clicks) write exactly what they wrote before.

- Every figure case (figure_cases.py), as it is, watermarked, and with its
  numbers jittered and rounded to few places (so halves and ".0"s turn up),
  is drawn byte for byte as the renderer at main b80b248 drew it
  (figure_svg_golden.json, the SHA-256 of each drawing made by that renderer:
  `write_golden` below).
- Each rewritten helper is compared with the implementation it replaced, kept
  here as the reference, over random inputs: the SVG's numbers (`_f`,
  `_coords`), escaping, text widths and rich text, paint attributes (now kept
  per colour), an axis's values and pixels read a trace at a time,
  `formatting.number` (now rounding repr's digits as text) also over every
  number in the shipped data, and the CSV's percent-encoding.

To change the drawing on purpose, regenerate the golden file from the changed
renderer and review its diff:
    python -c "import tests.components.test_render_equivalence as t; t.write_golden()"
"""

from __future__ import annotations

import copy
import csv
import hashlib
import html
import json
import math
import random
import re
import struct
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
import pytest

from components import chart_tables as ct
from components.area_map import outline_symbols, outlines
from components.chart import watermark
from components.figure_svg import figure_svg, paint, text
from components.figure_svg.axis import _Axis
from components.formatting import _grouped, number
from data_access.number_format import rounded_half_up
from tests.components.figure_cases import CASES, _map_geojson

GOLDEN = Path(__file__).with_name("figure_svg_golden.json")
DATA = Path(__file__).resolve().parents[2] / "data"
OUTLINES_HREF = "/embed/static/pfa-outlines.svg?v=test"

# ------------------------------------------------------------ the drawings


def _jittered(figure: dict, seed: int) -> dict:
    """The figure with every plain float of its traces' x, y, text positions
    and error arrays scaled a little and rounded to 0-3 places."""
    rng = random.Random(seed)
    figure = copy.deepcopy(figure)

    def jitter(values: Any) -> Any:
        if not isinstance(values, list):
            return values
        return [
            round(v * rng.uniform(0.5, 1.5), rng.randint(0, 3))
            if type(v) is float
            else v
            for v in values
        ]

    for trace in figure["data"]:
        for key in ("x", "y"):
            trace[key] = jitter(trace.get(key))
        for key in ("error_x", "error_y"):
            if isinstance(trace.get(key), dict):
                trace[key]["array"] = jitter(trace[key].get("array"))
    return figure


def _drawings() -> dict[str, str]:
    out = {}
    for name in sorted(CASES):
        extras = [("", {})]
        if name == "area_map":
            geojson = _map_geojson()
            extras = [
                ("", {"outlines": outlines(geojson)}),
                (" symbols", {"outlines": outline_symbols(geojson, OUTLINES_HREF)}),
            ]
        for suffix, kwargs in extras:
            figure = CASES[name]()
            variants = {
                "": figure,
                " watermarked": watermark(copy.deepcopy(figure)),
                **{f" jittered {k}": _jittered(figure, k) for k in range(3)},
            }
            for variant, fig in variants.items():
                out[name + suffix + variant] = figure_svg(
                    fig,
                    title=f"{name} title",
                    desc=f"{name} <desc>",
                    id_prefix=name,
                    **kwargs,
                )
    return out


def _digests() -> dict[str, str]:
    """Each drawing's SHA-256 (the drawings themselves are half a megabyte)."""
    return {
        name: hashlib.sha256(svg.encode("utf-8")).hexdigest()
        for name, svg in _drawings().items()
    }


def write_golden() -> None:
    GOLDEN.write_text(json.dumps(_digests(), indent=0, sort_keys=True) + "\n")


def test_every_case_is_drawn_as_before():
    golden = json.loads(GOLDEN.read_text())
    drawn = _digests()
    assert sorted(drawn) == sorted(golden)
    changed = [name for name in golden if drawn[name] != golden[name]]
    assert changed == []


# ------------------------------------------------------------ the old helpers


def _old_f(v: float) -> str:
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _old_text_width(text_: str, size: float, bold: bool = False) -> float:
    em = sum(text._WIDTHS.get(c, 0.6) for c in text_)
    return em * size * (1.13 if bold else 1.06)


def _old_rich_lines(value: Any) -> list:
    lines = []
    bold = italic = False
    for line in text._BR.split(str(value)):
        runs = []
        for part in text._TAG.split(line):
            if not part:
                continue
            if part.startswith("<") and part.endswith(">"):
                tag = part[1:-1].strip().lower()
                if tag in ("b", "/b"):
                    bold = tag == "b"
                elif tag in ("i", "em", "/i", "/em"):
                    italic = not tag.startswith("/")
                continue
            runs.append((html.unescape(part), bold, italic))
        lines.append(runs)
    return lines


def _old_plain(value: Any) -> str:
    return "\n".join("".join(t for t, _, _ in runs) for runs in _old_rich_lines(value))


def _old_paint(colour: Any) -> tuple[str, float]:
    if not colour:
        return "none", 0.0
    text_ = str(colour).strip()
    if text_.startswith("rgba("):
        parts = [p.strip() for p in text_[5:-1].split(",")]
        if len(parts) == 4:
            r, g, b = (int(float(p)) for p in parts[:3])
            return f"#{r:02X}{g:02X}{b:02X}", float(parts[3])
    return text_, 1.0


def _old_fill_attrs(colour: Any, opacity: float = 1.0) -> str:
    colour_, alpha = _old_paint(colour)
    alpha *= opacity
    out = f'fill="{html.escape(colour_, quote=True)}"'
    if colour_ != "none" and alpha < 1:
        out += f' fill-opacity="{alpha:.3g}"'
    return out


def _old_stroke_attrs(colour: Any, width: float, dash: str | None = None) -> str:
    colour_, alpha = _old_paint(colour)
    out = f'stroke="{html.escape(colour_, quote=True)}" stroke-width="{_old_f(width)}"'
    if colour_ != "none" and alpha < 1:
        out += f' stroke-opacity="{alpha:.3g}"'
    pattern = paint._dasharray(dash, width)
    if pattern:
        out += f' stroke-dasharray="{pattern}"'
    return out


def _old_number(x: Any, decimals: int = 0) -> str:
    value = Decimal(repr(x)) if type(x) is float else Decimal(x)
    return _grouped(rounded_half_up(value, decimals), decimals)


# ------------------------------------------------------------ random inputs


def _floats(n: int, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    out = [0.0, -0.0, 0.05, -0.05, 0.25, 2.5, 1e15, 1e16, 5e-324, 1e-7, 0.1 + 0.2]
    for _ in range(n):
        kind = rng.random()
        if kind < 0.3:
            out.append(rng.uniform(-2000, 2000))
        elif kind < 0.6:  # few places: ties at the rounding digit
            out.append(round(rng.uniform(-1e6, 1e6), rng.randint(0, 4)))
        elif kind < 0.7:  # any bit pattern
            v = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
            out.append(v if math.isfinite(v) else 1.0)
        else:
            out.append(rng.randint(-(10**6), 10**6) / 10 ** rng.randint(0, 8))
    return out


def _texts(n: int, seed: int = 2) -> list[str]:
    rng = random.Random(seed)
    pieces = [
        "Avon",
        " and ",
        "Somerset",
        "&amp;",
        "&",
        "<br>",
        "<BR />",
        "<b>",
        "</b>",
        "<i>",
        "</em>",
        "<span>",
        "<",
        ">",
        '"',
        "'",
        "£1,200",
        "\u2013",
        "é",
        "😀",
        "rgba(1, 2, 3, 0.5)",
        "%",
        "\r\n",
        "\t",
        "",
    ]
    return [
        "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(n)
    ]


def test_coordinates_are_written_as_before():
    values = _floats(20000)
    assert [text._f(v) for v in values] == [_old_f(v) for v in values]
    assert text._f(7) == _old_f(7) and text._f(True) == _old_f(True)
    pairs = list(zip(values[::2], values[1::2], strict=False))
    for k in range(0, len(pairs), 50):
        run = pairs[k : k + 50]
        old = "L".join(f"{_old_f(x)},{_old_f(y)}" for x, y in run)
        assert text._coords(run) == old


def test_markup_numbers_are_written_as_before():
    values = _floats(6000, seed=6)
    rng = random.Random(6)
    for k in range(0, len(values) - 9, 9):
        a, b, c, d, e, f, g, h, i = values[k : k + 9]
        assert text._written(
            'x="%.1f" y="%.1f" width="%.1f" height="%.1f"', a, b, c, d
        ) == (
            f'x="{_old_f(a)}" y="{_old_f(b)}" width="{_old_f(c)}" height="{_old_f(d)}"'
        )
        assert text._written(
            "M%.1f,%.1fV%.1fM%.1f,%.1fh%.1fM%.1f,%.1fh%.1f", a, b, c, d, e, f, g, h, i
        ) == (
            f"M{_old_f(a)},{_old_f(b)}V{_old_f(c)}M{_old_f(d)},{_old_f(e)}h{_old_f(f)}"
            f"M{_old_f(g)},{_old_f(h)}h{_old_f(i)}"
        )
        size = rng.choice([11, 12.0, 13.5, a])
        assert text._written(
            '<text x="%.1f" y="%.1f" font-size="%.1f" ', a, b, size
        ) == (f'<text x="{_old_f(a)}" y="{_old_f(b)}" font-size="{_old_f(size)}" ')


def test_a_traces_numbers_are_read_as_each_was():
    values: list[Any] = _floats(5000, seed=9) + [
        math.nan,
        math.inf,
        -math.inf,
        None,
        "*",
        "12",
        "1,200",
        "x",
        3,
        True,
        np.float64(2.5),
        np.int64(4),
        [1],
        Decimal("1.5"),
    ]
    assert text._nums(values) == [text._num(v) for v in values]


def test_per_point_properties_are_read_as_before():
    rng = random.Random(7)
    for _ in range(2000):
        values = rng.choice(
            [None, "red", 0, 1.5, [], (), ["a", None, "b"], ("x",), [1, 2, 3, 4, 5]]
        )
        n, default = rng.randint(0, 7), rng.choice([None, "", 1.0, "#000000"])
        assert paint._each(values, n, default) == [
            paint._at(values, i, default) for i in range(n)
        ]


def test_text_is_escaped_measured_and_read_as_before():
    for value in _texts(5000):
        assert text._esc(value) == html.escape(value, quote=True)
        assert text._rich_lines(value) == _old_rich_lines(value)
        assert paint._plain_text(value) == _old_plain(value)
        for size, bold in ((12, False), (13.5, True)):
            assert text.text_width(value, size, bold) == _old_text_width(
                value, size, bold
            )


def test_paint_attributes_are_written_as_before():
    colours = [
        "#1F77B4",
        " #ABC ",
        "rgba(10, 20, 30, 0.25)",
        "rgba(255,0,0,1)",
        "none",
        "",
        None,
        0,
        "red",
        "a&b",
    ]
    rng = random.Random(3)
    for _ in range(3):  # the second and third time from what was kept
        for colour in colours:
            assert paint._paint(colour) == _old_paint(colour)
            for opacity in (1.0, 1, 0.5, 0.0, -0.0, 0.333333, rng.random()):
                assert paint._fill_attrs(colour, opacity) == _old_fill_attrs(
                    colour, opacity
                ), (colour, opacity)
            for width in (1, 1.0, 2.5, 0, 0.0, -0.0, rng.uniform(0, 5)):
                for dash in (None, "dash", "dot", "5px,10px"):
                    assert paint._stroke_attrs(colour, width, dash) == (
                        _old_stroke_attrs(colour, width, dash)
                    ), (colour, width, dash)


@pytest.mark.parametrize("kind", ["linear", "log", "category", "date"])
def test_an_axis_reads_a_trace_as_it_reads_each_value(kind):
    rng = random.Random(4)
    values: list[Any] = _floats(3000) + [
        math.nan,
        math.inf,
        -math.inf,
        None,
        "*",
        "12",
        "1,200",
        "A",
        "B",
        3,
        True,
        "2020-01-31",
        [1],
        {"a": 1},
    ]
    rng.shuffle(values)
    axis = _Axis("y", {"type": kind}, [{"y": ["A", "B", "C"]}])
    axis.range, axis.start, axis.length = (rng.uniform(-5, 5), 1000.0), 400.0, 350.0
    numbers = axis.numbers(values)
    assert numbers == [axis.value(v) for v in values]
    assert axis.pixels(numbers) == [
        None if n is None else axis.pixel(n) for n in numbers
    ]
    x_axis = _Axis("x", {"type": kind}, [{"x": ["A"]}])
    x_axis.range, x_axis.start, x_axis.length = (0.5, -3.0), 80.0, 900.0
    assert x_axis.pixels(numbers) == [
        None if n is None else x_axis.pixel(n) for n in numbers
    ]


def test_numbers_are_written_as_before():
    values: list[Any] = _floats(20000) + [
        10**15 - 1,
        10**15,
        -(10**16),
        10**30,
        0,
        -7,
        999999999999999.9,
    ]
    for v in values:
        for decimals in range(0, 8):
            try:
                old = _old_number(v, decimals)
            except Exception as error:  # noqa: BLE001 - the same error, both roads
                with pytest.raises(type(error)):
                    number(v, decimals)
                continue
            assert number(v, decimals) == old, (v, decimals)


def _shipped_numbers() -> list[float]:
    out = []
    for path in sorted(DATA.rglob("*.csv")):
        with path.open(newline="", encoding="utf-8-sig") as f:
            for row in csv.reader(f):
                for cell in row:
                    if re.fullmatch(r"-?\d+(\.\d+)?", cell.strip()):
                        out.append(float(cell))
    return sorted(set(out))  # each distinct number once


def test_numbers_of_the_shipped_data_are_written_as_before():
    values = _shipped_numbers()
    assert len(values) > 1000
    for v in values:
        for decimals in (0, 1, 2):
            assert number(v, decimals) == _old_number(v, decimals), v
            # the rates and shares worked out from them, too
            assert number(v / 7, decimals) == _old_number(v / 7, decimals), v


def _old_is_numeric_dtype(dtype: Any) -> bool | None:
    """What the pandas dtype tests said before the values were looked at."""
    if pd.api.types.is_bool_dtype(dtype):
        return False
    if pd.api.types.is_numeric_dtype(dtype):
        return True
    return None


@pytest.mark.parametrize(
    "values",
    [
        [1, 2],
        [1.5, None],
        [True, False],
        ["a", "b"],
        ["1", "*"],
        [1, "2"],
        [date(2020, 1, 1)],
        [pd.Timestamp("2020-01-01")],
        [pd.Timedelta(1)],
        [1 + 2j],
        [Decimal("1.5")],
        [None, None],
        [],
    ],
)
@pytest.mark.parametrize(
    "dtype",
    [
        None,
        "int8",
        "uint16",
        "float32",
        "Int64",
        "Float64",
        "boolean",
        "string",
        "category",
        "object",
        "bool",
    ],
)
def test_numeric_columns_are_told_apart_as_before(values, dtype):
    try:
        column = pd.Series(values, dtype=dtype)
    except (TypeError, ValueError):
        return  # no such column
    listed = column.tolist()
    old = _old_is_numeric_dtype(column.dtype)
    if old is None:  # the values decide, as before
        old = ct._is_numeric_column(np.dtype(object), listed)
    assert ct._is_numeric_column(column.dtype, listed) == old


def test_decimal_places_are_counted_as_before():
    values = _floats(20000, seed=8) + [math.nan, math.inf, 1e-5, 100.0, 2.50]
    for k in range(0, len(values), 7):
        column = values[k : k + 7]
        for cap in (1, 3):
            assert ct._decimals_needed(column, cap) == _old_decimals_needed(column, cap)


def _old_decimals_needed(values: list[Any], cap: int = 3) -> int:
    needed = 0
    for v in values:
        if type(v) is float:
            if v - v == 0:
                needed = max(needed, min(cap, ct._float_places(v)))
                if needed == cap:
                    break
            continue
    return needed


def test_csv_is_percent_encoded_as_urllib_does():
    for value in _texts(3000, seed=5):
        assert ct._quoted(value) == quote(value, safe="")
    every = "".join(chr(c) for c in range(0x300)) + "\ud7ff\ue000\U0001f600"
    assert ct._quoted(every) == quote(every, safe="")
