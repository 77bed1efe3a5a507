"""The SVG renderer's helpers made cheaper (issue 19, uncached clicks: a
trace's tooltips read at once, a run of markup numbers written in one go, one-
line text written without its line loop, a single run measured and cut
directly, templates merged with fewer calls, an axis's extremes kept without
min/max calls) give what the helpers they replaced gave, over random inputs.
Each replaced helper is kept here as the reference. The drawings themselves
are held byte for byte by test_render_equivalence.py's golden digests.
"""

from __future__ import annotations

import math
import random
from typing import Any

from components.figure_svg import paint, text
from components.figure_svg.axis import _Axis, _extremes
from components.figure_svg.paint import _fill_attrs, _stroke_attrs
from components.figure_svg.renderer import _Renderer
from components.figure_svg.text import _f
from tests.components.test_render_equivalence import _floats, _texts

# ------------------------------------------------------------ the old helpers


def _old_text(
    lines: list,
    x: float,
    y: float,
    *,
    size: float,
    colour: str,
    anchor: str = "start",
    valign: str = "middle",
    extra: str = "",
) -> str:
    step = size * 1.3
    n = len(lines)
    if valign == "top":
        first = y + size * 0.8
    elif valign == "bottom":
        first = y - (n - 1) * step - size * 0.25
    else:
        first = y - (n - 1) * step / 2 + size * 0.35
    out = [
        text._written('<text x="%.1f" y="%.1f" font-size="%.1f" ', x, first, size)
        + f'fill="{text._esc(colour)}"'
        + (f' text-anchor="{anchor}"' if anchor != "start" else "")
        + extra
        + ">"
    ]
    for k, runs in enumerate(lines):
        if n > 1:
            out.append(
                f'<tspan x="{text._f(x)}" y="{text._f(first + k * step)}">'
                if k
                else "<tspan>"
            )
        for t, b, i in runs:
            body = text._esc(t)
            if b or i:
                attrs = (' font-weight="bold"' if b else "") + (
                    ' font-style="italic"' if i else ""
                )
                body = f"<tspan{attrs}>{body}</tspan>"
            out.append(body)
        if n > 1:
            out.append("</tspan>")
    out.append("</text>")
    return "".join(out)


def _old_lines_width(lines: list, size: float) -> float:
    return max(
        (sum(text.text_width(t, size, b) for t, b, _ in runs) for runs in lines),
        default=0.0,
    )


def _old_truncate(runs: list, size: float, room: float) -> list:
    if sum(text.text_width(t, size, b) for t, b, _ in runs) <= room:
        return runs
    out: list = []
    used = text.text_width("\u2026", size)
    for t, b, i in runs:
        kept = ""
        for c in t:
            w = text.text_width(c, size, b)
            if used + w > room and (out or kept):
                out.append((kept.rstrip() + "\u2026", b, i))
                return out
            kept += c
            used += w
        out.append((kept, b, i))
    return out


def _old_merged(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _old_merged(base.get(k), v) if k in base else v
        return out
    return over if over is not None else base


def _old_extremes(mins: list, maxs: list, extra: float) -> tuple[dict, dict]:
    lows: dict[float, float] = {}
    for v, p, padded in mins:
        key = p + (extra if padded else 0.0)
        lows[key] = min(v, lows.get(key, v))
    highs: dict[float, float] = {}
    for v, p, padded in maxs:
        key = p + (extra if padded else 0.0)
        highs[key] = max(v, highs.get(key, v))
    return lows, highs


def _old_pattern(self: Any, pattern: dict, background: str) -> str | None:
    """The id of a <pattern> for plotly's marker.pattern (colour is never
    the only cue: each category has its own pattern)."""
    shape = pattern.get("shape") or ""
    if not shape:
        return None
    fg = pattern.get("fgcolor") or self.text_colour
    opacity = float(pattern.get("fgopacity", 1))
    size = float(pattern.get("size") or 8)
    solidity = float(pattern.get("solidity") or 0.3)
    key = (shape, fg, opacity, size, solidity)
    if key in self.patterns:
        return self.patterns[key]
    pid = f"{self.pid}-svg-pattern{len(self.patterns)}"
    self.patterns[key] = pid
    s = size
    stroke = _stroke_attrs(fg, max(s * solidity * 0.8, 1))
    paths = {
        "/": f"M0,{_f(s)}L{_f(s)},0M{_f(-s / 4)},{_f(s / 4)}L{_f(s / 4)},"
        f"{_f(-s / 4)}M{_f(s * 0.75)},{_f(s * 1.25)}L{_f(s * 1.25)},{_f(s * 0.75)}",
        "\\": f"M0,0L{_f(s)},{_f(s)}M{_f(-s / 4)},{_f(s * 0.75)}L{_f(s / 4)},"
        f"{_f(s * 1.25)}M{_f(s * 0.75)},{_f(-s / 4)}L{_f(s * 1.25)},{_f(s / 4)}",
        "x": f"M0,{_f(s)}L{_f(s)},0M0,0L{_f(s)},{_f(s)}",
        "-": f"M0,{_f(s / 2)}H{_f(s)}",
        "|": f"M{_f(s / 2)},0V{_f(s)}",
        "+": f"M0,{_f(s / 2)}H{_f(s)}M{_f(s / 2)},0V{_f(s)}",
    }
    if shape == ".":
        r = math.sqrt(solidity * s * s / math.pi)
        mark = (
            f'<circle cx="{_f(s / 2)}" cy="{_f(s / 2)}" r="{_f(r)}" {_fill_attrs(fg)}/>'
        )
    else:
        mark = f'<path d="{paths.get(shape, paths["/"])}" {stroke}/>'
    self.defs.append(
        f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="{_f(s)}" '
        f'height="{_f(s)}"><g opacity="{opacity:.3g}">{mark}</g></pattern>'
    )
    return pid


# ------------------------------------------------------------ the tests


def _rich(rng: random.Random) -> Any:
    return rng.choice(
        [None, "", 0, 0.0, 12.5, "Kent", "a<br>b", "<b>71.8</b> Better", "x &amp; y"]
        + _texts(3, seed=rng.randint(0, 10**6))
    )


def test_a_traces_tooltips_are_read_as_each_was():
    rng = random.Random(11)
    for _ in range(3000):
        trace: dict = {}
        for key, choices in (
            ("hoverinfo", [None, "text", "skip", "none", "x+y"]),
            ("hovertext", ["list", "tuple", "scalar", None, "absent"]),
            ("text", ["list", "scalar", None, "absent"]),
        ):
            choice = rng.choice(choices)
            if choice == "absent":
                continue
            if choice == "list":
                choice = [_rich(rng) for _ in range(rng.randint(0, 8))]
            elif choice == "tuple":
                choice = tuple(_rich(rng) for _ in range(rng.randint(0, 8)))
            elif choice == "scalar":
                choice = _rich(rng)
            trace[key] = choice
        n = rng.randint(0, 10)
        assert paint._tooltips(trace, n) == [paint._tooltip(trace, i) for i in range(n)]


def test_a_run_of_markup_numbers_is_written_as_each_was():
    values = _floats(4000, seed=12) + [7, True, -0.04, 0.04, -0.0]
    rng = random.Random(12)
    template = 'x="%.1f" y="%.1f" width="%.1f" height="%.1f"'
    for _ in range(400):
        rows = [
            tuple(rng.choice(values) for _ in range(4))
            for _ in range(rng.randint(0, 12))
        ]
        assert text._written_each(template, rows) == [
            text._written(template, *row) for row in rows
        ]
        flat = [v for row in rows for v in row[:3]]
        assert text._written("M%.1f,%.1fV%.1f" * len(rows), *flat) == "".join(
            text._written("M%.1f,%.1fV%.1f", *row[:3]) for row in rows
        )


def test_text_is_placed_measured_and_cut_as_before():
    rng = random.Random(13)
    values = _floats(2000, seed=13)
    for value in _texts(3000, seed=13) + ["", "Kent", "71.8 Better"]:
        lines = text._rich_lines(value)
        size = rng.choice([11, 12.0, 13.5, 14, rng.uniform(11, 20)])
        x, y = rng.choice(values), rng.choice(values)
        anchor = rng.choice(["start", "middle", "end"])
        valign = rng.choice(["top", "middle", "bottom"])
        extra = rng.choice(["", ' stroke="#FFFFFF" paint-order="stroke"'])
        colour = rng.choice(["#1F77B4", "rgba(1, 2, 3, 0.5)", '"<&>'])
        args = dict(size=size, colour=colour, anchor=anchor, valign=valign)
        assert text._text(lines, x, y, extra=extra, **args) == _old_text(
            lines, x, y, extra=extra, **args
        )
        assert repr(text._lines_width(lines, size)) == repr(
            _old_lines_width(lines, size)
        )
        room = rng.choice([0.0, 5.0, 40.0, 120.0, 1e9])
        for runs in lines:
            assert text._truncate(runs, size, room) == _old_truncate(runs, size, room)


def _nested(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.random()
    if depth < 3 and kind < 0.4:
        return {
            rng.choice("abcdef"): _nested(rng, depth + 1)
            for _ in range(rng.randint(0, 5))
        }
    return rng.choice([None, 0, 1.5, "", "red", [1, 2], [], False])


def test_templates_are_merged_as_before():
    rng = random.Random(14)
    for _ in range(3000):
        base, over = _nested(rng), _nested(rng)
        assert repr(text._merged(base, over)) == repr(_old_merged(base, over))


def test_an_axis_extremes_are_kept_as_before():
    rng = random.Random(15)
    values = _floats(500, seed=15) + [0.0, -0.0, 0.0, -0.0, 1.0, 1.0, math.nan]
    for _ in range(3000):
        extents = [
            (rng.choice(values), rng.choice([0.0, 3.75, 5.0]), rng.random() < 0.5)
            for _ in range(rng.randint(0, 12))
        ]
        extra = rng.choice([0.0, 3.75, 15.0])
        mins = extents
        maxs = [(v + abs(rng.choice(values)), p, padded) for v, p, padded in extents]
        got, old = _extremes(mins, maxs, extra), _old_extremes(mins, maxs, extra)
        # the same values (-0.0 apart from 0.0) at the same paddings, in order
        assert repr([list(d.items()) for d in got]) == repr(
            [list(d.items()) for d in old]
        )


def test_extents_given_at_once_are_kept_as_given_one_by_one():
    rng = random.Random(16)
    one, many = _Axis("x", {}, []), _Axis("x", {}, [])
    extents = [(rng.choice(_floats(50)), 0.0, rng.random() < 0.5) for _ in range(40)]
    for extent in extents:
        one.expand(*extent)
    many.expand_all(extents)
    assert (one.mins, one.maxs) == (many.mins, many.maxs)


def test_bar_patterns_are_drawn_as_before():
    rng = random.Random(17)
    figure = {"data": [{"type": "bar", "x": ["a"], "y": [1.0]}], "layout": {}}
    for shape in ["/", "\\", "x", "-", "|", "+", ".", "?", ""] * 20:
        pattern = {
            "shape": shape,
            "size": rng.choice([None, 4, 8, 10.5, rng.uniform(2, 20)]),
            "solidity": rng.choice([None, 0.2, 0.3, rng.random()]),
            "fgcolor": rng.choice([None, "#123456", "rgba(1, 2, 3, 0.5)"]),
            "fgopacity": rng.choice([1, 0.5, 0.25]),
        }
        new = _Renderer(figure, "t", "d", "p", None)
        old = _Renderer(figure, "t", "d", "p", None)
        assert new._pattern(pattern, "#FFFFFF") == _old_pattern(old, pattern, "#FFFFFF")
        assert new.defs == old.defs


def test_labels_written_at_once_are_written_as_each_was():
    rng = random.Random(18)
    values = _floats(1000, seed=18)
    texts = _texts(2000, seed=18) + ["", "Kent", "71.8 Better", "a<br>b"]
    for _ in range(300):
        labels = [
            (
                text._rich_lines(rng.choice(texts)),
                rng.choice(values),
                rng.choice(values),
            )
            for _ in range(rng.randint(0, 8))
        ]
        args = dict(
            size=rng.choice([11, 12.0, 13.5, rng.uniform(11, 20)]),
            colour=rng.choice(["#1F77B4", '"<&>']),
            anchor=rng.choice(["start", "middle", "end"]),
            valign=rng.choice(["top", "middle", "bottom"]),
            extra=rng.choice(["", ' stroke="#FFFFFF" paint-order="stroke"']),
        )
        assert text._texts(labels, **args) == [
            _old_text(lines, x, y, **args) for lines, x, y in labels
        ]


def test_a_long_line_written_in_one_format_is_written_point_by_point():
    """`_coords` writes a line of many points (a funnel's limits) in one
    format; the old per-point join is the reference, over lines of every
    length around the switch and numbers of every kind."""
    rng = random.Random(19)
    numbers = _floats(600, seed=19)
    for n in [*range(0, 20), 64, 325]:
        for _ in range(20):
            points = [(rng.choice(numbers), rng.choice(numbers)) for _ in range(n)]
            old = "L".join(["%.1f,%.1f" % p for p in points]).replace(".0", "")  # noqa: UP031
            assert text._coords(points) == old, points
