"""components.figure_svg draws every figure builder's output as SVG on the server
(issue 19): checked here against the figures themselves, case by case
(figure_cases.py), with positions worked out independently from the plot area
and axis ranges the drawing states (data-plot-area, data-x-range, data-y-range):
a value v on an axis with range [r0, r1] over a plot area from `left`, `width`
is at left + (v - r0) / (r1 - r0) * width (y counts up from the bottom), and a
category at its index in the axis's category order."""

from __future__ import annotations

import base64
import html
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from components.area_map import outlines
from components.figure_layout import typed_array
from components.figure_svg import NOMINAL_HEIGHT, NOMINAL_WIDTH, figure_svg, text_width
from tests.components.figure_cases import CASES, _map_geojson

NS = "{http://www.w3.org/2000/svg}"
_NUMBER = r"-?\d+(?:\.\d+)?"


def _svg(figure: dict, name: str = "case", **kwargs) -> str:
    return figure_svg(
        figure, title=f"{name} title", desc=f"{name} desc", id_prefix=name, **kwargs
    )


class Drawing:
    """A rendered figure, parsed, with the independent linear mappings."""

    def __init__(self, figure: dict, name: str = "case", **kwargs) -> None:
        self.figure = figure
        self.markup = _svg(figure, name, **kwargs)
        self.root = ET.fromstring(self.markup)
        left, top, width, height = map(float, self.root.get("data-plot-area").split())
        self.left, self.top, self.width, self.height = left, top, width, height
        self.xr = tuple(map(float, self.root.get("data-x-range").split()))
        self.yr = tuple(map(float, self.root.get("data-y-range").split()))
        layout = figure["layout"]
        self.x_categories = list((layout.get("xaxis") or {}).get("categoryarray") or [])
        self.y_categories = list((layout.get("yaxis") or {}).get("categoryarray") or [])

    def px(self, v) -> float:
        if isinstance(v, str):
            v = self.x_categories.index(v)
        r0, r1 = self.xr
        return self.left + (v - r0) / (r1 - r0) * self.width

    def py(self, v) -> float:
        if isinstance(v, str):
            v = self.y_categories.index(v)
        r0, r1 = self.yr
        return self.top + self.height - (v - r0) / (r1 - r0) * self.height

    def trace(self, name: str) -> ET.Element:
        """The trace's group, with its haloed labels (drawn in a group of their
        own over the shapes above the traces) appended."""
        found = [g for g in self.root.iter(f"{NS}g") if g.get("data-name") == name]
        assert found, f"no trace drawn named {name!r}"
        group = ET.Element(found[0].tag, found[0].attrib)
        for part in found:
            if part is found[0] or part.get("data-role") == "labels":
                group.extend(list(part))
        return group

    def markers(self, name: str) -> list[tuple[float, float]]:
        out = []
        for group in self.trace(name).iter(f"{NS}g"):
            if group.get("data-role") == "markers":
                for mark in group:
                    x, y = re.match(
                        rf"translate\(({_NUMBER}),({_NUMBER})\)", mark.get("transform")
                    ).groups()
                    out.append((float(x), float(y)))
        return out

    def line(self, name: str) -> ET.Element:
        return next(
            p
            for p in self.trace(name).iter(f"{NS}path")
            if p.get("data-role") == "line"
        )

    def texts(self, within: ET.Element | None = None) -> list[str]:
        return ["".join(t.itertext()) for t in (within or self.root).iter(f"{NS}text")]

    def legend(self) -> list[str]:
        group = next(
            (g for g in self.root.iter(f"{NS}g") if g.get("data-role") == "legend"),
            None,
        )
        return [] if group is None else self.texts(group)


def _numbers(values) -> list:
    """A trace's array: plotly's base64 typed array decoded."""
    if isinstance(values, dict):
        return np.frombuffer(
            base64.b64decode(values["bdata"]), values["dtype"]
        ).tolist()
    return list(values)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.1  # coordinates are written to 0.1 px


def _errors(path: ET.Element) -> list[tuple[float, float, float]]:
    """(position, one end, other end) of each error bar in an error-bar path:
    its first segment of each bar runs along the bar, "M a,b V c" (vertical)
    or "M a,b H c" (horizontal)."""
    out = []
    for kind in ("V", "H"):
        for a, b, c in re.findall(
            rf"M({_NUMBER}),({_NUMBER}){kind}({_NUMBER})", path.get("d")
        ):
            if kind == "V":
                out.append((float(a), float(b), float(c)))
            else:
                out.append((float(b), float(a), float(c)))
    return out


def _error_path(group: ET.Element) -> ET.Element:
    return next(
        p for p in group.iter(f"{NS}path") if p.get("data-role") == "error-bars"
    )


# ------------------------------------------------------------------ every case


def _case(name: str) -> tuple[dict, dict]:
    figure = CASES[name]()
    extra = {"outlines": outlines(_map_geojson())} if name == "area_map" else {}
    return figure, extra


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_case_is_one_labelled_svg(name):
    figure, extra = _case(name)
    markup = _svg(figure, name, **extra)
    root = ET.fromstring(markup)  # well-formed XML
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img" and root.get("class") == "chart-svg"
    assert root.get("width") == "100%"
    layout = figure["layout"]
    width = layout.get("width") or NOMINAL_WIDTH
    height = layout.get("height") or NOMINAL_HEIGHT
    assert root.get("viewBox") == f"0 0 {width:g} {height:g}"
    title, desc = list(root)[:2]
    assert title.tag == f"{NS}title" and title.text == f"{name} title"
    assert desc.tag == f"{NS}desc" and desc.text == f"{name} desc"
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    # no script, no style sheet, nothing fetched: it must work inside an <img>
    tags = {e.tag for e in root.iter()}
    assert not tags & {f"{NS}script", f"{NS}style", f"{NS}image", f"{NS}foreignObject"}
    assert "href" not in markup and "style=" not in markup
    # every internal reference is to an id of this drawing, all ids its own
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    # under "<id>-svg": the chart card's own elements are "<id>-plot",
    # "<id>-title", "<id>-table"... and the svg sits in the same page
    assert len(ids) == len(set(ids)) and all(i.startswith(f"{name}-svg") for i in ids)
    assert set(re.findall(r"url\(#([^)]+)\)", markup)) <= set(ids)
    # no text under 11 px at the nominal size
    sizes = [float(e.get("font-size")) for e in root.iter() if e.get("font-size")]
    assert min(sizes, default=11) >= 11


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_case_has_its_legend_names(name):
    """The legend lists every trace plotly lists, by name, in plotly's order."""
    figure, extra = _case(name)
    drawing = Drawing(figure, name, **extra)
    layout = figure["layout"]
    named = [t for t in figure["data"] if t.get("showlegend", True) is not False]
    shown = layout.get("showlegend")
    if shown is None:
        shown = len(named) > 1 or any(t.get("showlegend") for t in named)
    expected = [t["name"] for t in named] if shown else []
    if layout.get("barmode") == "stack":
        expected = expected[::-1]  # plotly lists stacked bars top first
    if any(t.get("legendgroup") for t in named) and shown:
        groups: dict = {}
        for t in named:
            groups.setdefault(t.get("legendgroup"), []).append(t["name"])
        expected = [n for names in groups.values() for n in names]
    assert drawing.legend() == expected


def test_two_charts_on_a_page_share_no_id():
    figure = CASES["ranked_categories"]()
    first, second = (ET.fromstring(_svg(figure, name)) for name in ("one", "two"))
    ids = [{e.get("id") for e in r.iter() if e.get("id")} for r in (first, second)]
    assert ids[0] and not ids[0] & ids[1]


# ------------------------------------------------------------------ lines


def test_points_sit_at_their_values_and_a_gap_breaks_the_line():
    figure = CASES["trend_periods"]()
    drawing = Drawing(figure)
    avon = next(t for t in figure["data"] if t["name"] == "Avon")
    expected = [
        (drawing.px(x), drawing.py(y))
        for x, y in zip(avon["x"], avon["y"], strict=True)
        if y is not None
    ]
    markers = drawing.markers("Avon")
    assert len(markers) == len(expected) == 6  # no marker for either gap
    for (x, y), (ex, ey) in zip(markers, expected, strict=True):
        assert _close(x, ex) and _close(y, ey), ((x, y), (ex, ey))
    # 2017/18 missing and 2019/20 withheld: three runs, each a new "M"
    assert drawing.line("Avon").get("d").count("M") == 3
    assert drawing.line("England").get("d").count("M") == 1


def test_a_withheld_value_is_not_drawn():
    figure = {
        "data": [
            {
                "type": "scatter",
                "x": ["a", "b", "c", "d"],
                "y": [1, "*", 3, float("nan")],
                "mode": "lines+markers",
                "name": "Series",
                "line": {"color": "#12436D"},
            }
        ],
        "layout": {
            "xaxis": {"type": "category", "categoryarray": ["a", "b", "c", "d"]}
        },
    }
    drawing = Drawing(figure)
    assert len(drawing.markers("Series")) == 2
    path = drawing.line("Series").get("d")
    assert path.count("M") == 2 and "L" not in path  # two lone points


def test_a_typed_array_is_read_as_its_numbers():
    """Builders send floats as plotly's base64 typed arrays."""
    plain = {
        "data": [
            {
                "type": "scatter",
                "x": [1.0, 2.0],
                "y": [3.0, 4.0],
                "mode": "markers",
                "name": "s",
            }
        ],
        "layout": {},
    }
    typed = {
        "data": [
            {
                **plain["data"][0],
                "x": typed_array(np.array([1.0, 2.0])),
                "y": typed_array(np.array([3.0, 4.0])),
            }
        ],
        "layout": {},
    }
    assert Drawing(typed).markers("s") == Drawing(plain).markers("s")


def test_date_axis_points_at_their_dates():
    figure = CASES["trend_dates"]()
    drawing = Drawing(figure)
    day = 86_400_000
    xs = [18262 * day, 18353 * day, 18444 * day]  # 2020-01-01, 04-01, 07-01
    for (x, y), ex, ey in zip(
        drawing.markers("Value"), xs, [1.5, 2.25, 3.0], strict=True
    ):
        assert _close(x, drawing.px(ex)) and _close(y, drawing.py(ey))


def test_series_colours_and_dashes_are_the_traces():
    figure = CASES["trend_periods"]()
    drawing = Drawing(figure)
    for trace in figure["data"]:
        if (trace.get("meta") or {}).get("role") != "series":
            continue
        line = drawing.line(trace["name"])
        assert line.get("stroke") == trace["line"]["color"]
        assert (line.get("stroke-dasharray") is None) == (
            trace["line"]["dash"] == "solid"
        )
    # the interval band between upper and lower, in the band's colour
    bands = [p for p in drawing.root.iter(f"{NS}path") if p.get("data-role") == "band"]
    assert len(bands) == 4  # Avon's three runs and England's one
    assert bands[0].get("fill") == "#12436D"
    assert float(bands[0].get("fill-opacity")) == pytest.approx(0.15)


def test_range_starts_at_zero_and_pads_the_top():
    """rangemode tozero, and 5% of the axis plus the marker's radius above the
    highest mark (plotly's autorange), and no more."""
    drawing = Drawing(CASES["trend_calendar_years"]())
    assert drawing.yr[0] == 0
    top = drawing.py(6.0) - drawing.top  # pixels above the highest point
    assert top == pytest.approx(0.05 * drawing.height + 9 / 1.6, abs=0.5)


def test_error_bars_end_at_the_limits():
    figure = CASES["trend_bars_no_periods"]()
    drawing = Drawing(figure)
    england = figure["data"][0]
    bars = _errors(_error_path(drawing.trace(england["name"])))
    assert len(bars) == 8
    for (x, a, b), period, value in zip(bars, england["x"], england["y"], strict=True):
        assert _close(x, drawing.px(period))
        assert _close(a, drawing.py(value - 3)) and _close(b, drawing.py(value + 3))
    # Avon's withheld 2019/20 has no bar
    assert len(_errors(_error_path(drawing.trace("Avon")))) == 6


# ------------------------------------------------------------------ bars


def test_horizontal_bars_run_from_zero_to_their_values_in_category_order():
    figure = CASES["ranked_plain"]()
    drawing = Drawing(figure)
    trace = figure["data"][0]
    rects = list(drawing.trace("Rate").iter(f"{NS}rect"))
    assert len(rects) == len(trace["x"])
    zero = drawing.px(0)
    for rect, value, area in zip(rects, trace["x"], trace["y"], strict=True):
        x, w = float(rect.get("x")), float(rect.get("width"))
        y, h = float(rect.get("y")), float(rect.get("height"))
        assert _close(x, zero) and _close(x + w, drawing.px(value))
        assert _close(y + h / 2, drawing.py(area))
        assert rect.get("fill") == trace["marker"]["color"]
    # the tick labels read up the axis in the category order, "Area 3" (no
    # value) at the bottom
    labels = [
        (float(t.get("y")), "".join(t.itertext()))
        for t in drawing.root.iter(f"{NS}text")
        if "".join(t.itertext()) in drawing.y_categories
    ]
    bottom_up = [name for _, name in sorted(labels, reverse=True)]
    assert bottom_up == drawing.y_categories


def test_bar_lengths_are_proportional_to_values():
    figure = CASES["bars_grouped_money"]()
    drawing = Drawing(figure)
    drawing.x_categories = ["2019/20", "2020/21"]
    zero = drawing.py(0)
    heights = {}
    for trace in figure["data"]:
        rects = list(drawing.trace(trace["name"]).iter(f"{NS}rect"))
        values = [v for v in trace["y"] if v is not None]  # no bar for None
        solid = [r for r in rects if not r.get("fill").startswith("url(")]
        for rect, value in zip(solid, values, strict=True):
            assert _close(float(rect.get("y")) + float(rect.get("height")), zero)
            heights[value] = float(rect.get("height"))
            assert rect.get("fill") == trace["marker"]["color"]
    assert heights[1_200_000.5] / heights[900_000] == pytest.approx(
        1_200_000.5 / 900_000, rel=1e-3
    )


def test_stacked_bars_start_where_the_last_ended():
    figure = CASES["bars_stacked_money"]()
    drawing = Drawing(figure)
    other = [
        r
        for r in drawing.trace("Other").iter(f"{NS}rect")
        if not r.get("fill").startswith("url(")
    ]
    first = other[0]  # 2019/20: 1m of Home Office, then 250,000 of Other
    assert _close(float(first.get("y")), drawing.py(1_250_000))
    assert _close(float(first.get("y")) + float(first.get("height")), drawing.py(1e6))
    # the part-year bar is drawn faint, and every category keeps its pattern
    faint = [
        r.get("fill-opacity")
        for r in drawing.trace("Home Office").iter(f"{NS}rect")
        if r.get("fill-opacity")
    ]
    assert faint == ["0.45"]
    assert any(
        r.get("fill", "").startswith("url(#case-svg-pattern")
        for r in drawing.trace("Other").iter(f"{NS}rect")
    )


def test_ranked_error_bars_and_benchmark_line():
    figure = CASES["ranked_categories"]()
    drawing = Drawing(figure)
    similar = next(t for t in figure["data"] if t["name"] == "Similar")
    bars = _errors(_error_path(drawing.trace("Similar")))
    for (y, a, b), value, area in zip(bars, similar["x"], similar["y"], strict=True):
        assert _close(y, drawing.py(area))
        assert _close(a, drawing.px(value - 2)) and _close(b, drawing.px(value + 2))
    line = next(
        p for p in drawing.root.iter(f"{NS}path") if p.get("data-shape") == "benchmark"
    )
    x0, y0, x1, y1 = map(
        float,
        re.fullmatch(
            rf"M({_NUMBER}),({_NUMBER})L({_NUMBER}),({_NUMBER})", line.get("d")
        ).groups(),
    )
    assert _close(x0, drawing.px(15.0)) and _close(x1, drawing.px(15.0))
    assert {y0, y1} == {drawing.top, drawing.top + drawing.height}  # paper 0 to 1
    assert line.get("stroke-dasharray")  # dashed, as the figure says
    # the highlighted area's label is bold
    bold = [t for t in drawing.root.iter(f"{NS}tspan") if t.get("font-weight")]
    assert [t.text for t in bold] == ["Area 2"]


def test_spine_reads_top_down_and_places_the_value():
    figure = CASES["spine"]()
    drawing = Drawing(figure)
    assert drawing.yr[0] > drawing.yr[1]  # autorange reversed: first on top
    ((x, y),) = drawing.markers("Worse")
    assert _close(x, drawing.px(0.375)) and _close(y, drawing.py("Knife offences"))
    assert drawing.py("Knife offences") < drawing.py("Reach")


def test_funnel_points_and_limits():
    figure = CASES["funnel_full"]()
    drawing = Drawing(figure)
    above = next(t for t in figure["data"] if t["name"] == "Above 99.8% limit")
    for (x, y), ex, ey in zip(
        drawing.markers(above["name"]),
        _numbers(above["x"]),
        _numbers(above["y"]),
        strict=True,
    ):
        assert _close(x, drawing.px(ex)) and _close(y, drawing.py(ey))
    assert drawing.yr == (3.6, 43.2)  # the figure's own range
    # the limits' two curves, upper and lower, broken between them
    assert drawing.line("95% control limits").get("d").count("M") == 2
    assert {"B", "C", "F \u00bb 80"} <= set(drawing.texts(drawing.trace(above["name"])))


def test_spc_signals_in_their_colours():
    figure = CASES["spc"]()
    drawing = Drawing(figure)
    for trace in figure["data"]:
        if (trace.get("meta") or {}).get("role") == "spc-signal":
            (mark,) = [
                m
                for g in drawing.trace(trace["name"]).iter(f"{NS}g")
                if g.get("data-role") == "markers"
                for m in g
            ]
            assert mark.get("fill") == trace["marker"]["color"]


# ------------------------------------------------------------------ notes, text


def test_watermark_only_when_the_figure_has_it():
    assert "Illustrative data" in Drawing(CASES["trend_marked"]()).texts()
    assert "Illustrative data" not in Drawing(CASES["trend_periods"]()).texts()


def test_marks_and_notes_show_their_text_as_written():
    """The builders escape a label for plotly's pseudo-HTML: the drawing shows
    the characters, not markup."""
    drawing = Drawing(CASES["trend_marked"]())
    texts = drawing.texts()
    assert "Event: <b>a &b</b>" in texts  # wrapped onto two lines at the space
    assert "x" in texts


def test_nothing_in_a_figure_can_inject_markup():
    """Labels are plotly's pseudo-HTML: a tag in one is dropped (as plotly
    drops it) and an escaped one shown as its characters; either way no markup
    of the figure's reaches the page. Title and description are plain text."""
    evil = "<script>alert(\"x\")</script> & 'quoted'"
    escaped = html.escape(evil)  # what the builders pass for a name
    figure = {
        "data": [
            {
                "type": "bar",
                "x": [escaped, evil],
                "y": [1, 2],
                "name": escaped,
                "text": [escaped, evil],
                "textposition": "outside",
                "hovertext": [evil, escaped],
                "marker": {"color": '"/><script>alert(1)</script>'},
            },
            {
                "type": "scatter",
                "x": [escaped, evil],
                "y": [1, 2],
                "name": evil,
                "mode": "lines+markers+text",
                "text": [escaped, ""],
            },
        ],
        "layout": {
            "showlegend": True,
            "xaxis": {"title": {"text": escaped}},
            "yaxis": {"title": {"text": evil}},
            "annotations": [
                {
                    "text": escaped,
                    "x": 0.5,
                    "y": 0.5,
                    "xref": "paper",
                    "yref": "paper",
                    "name": evil,
                }
            ],
            "shapes": [
                {
                    "type": "line",
                    "x0": 0,
                    "x1": 1,
                    "y0": 0,
                    "y1": 1,
                    "xref": "paper",
                    "yref": "paper",
                    "name": evil,
                }
            ],
        },
    }
    markup = figure_svg(figure, title=evil, desc=evil, id_prefix='x"><script>')
    root = ET.fromstring(markup)  # still well-formed
    assert "<script" not in markup
    assert not [e for e in root.iter() if "script" in e.tag]
    assert root.find(f"{NS}title").text == evil
    assert root.find(f"{NS}desc").text == evil
    texts = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    assert texts.count(evil) >= 4  # legend, x title, note, bar and point labels
    assert "alert(\"x\") & 'quoted'" in texts  # the raw tag dropped
    tips = [t.text for t in root.iter(f"{NS}title")][1:]
    assert tips == ["alert(\"x\") & 'quoted'", evil]  # the bars' hover texts


def test_crowded_category_labels_never_overlap_and_long_ones_are_cut():
    crowded = [f"A long name for place number {i}" for i in range(12)]
    two = ["A name far too long to fit under its bar at this width " * 3, "B"]
    for names in (crowded, two):
        figure = {
            "data": [
                {"type": "bar", "x": names, "y": list(range(len(names))), "name": "n"}
            ],
            "layout": {"xaxis": {"type": "category", "categoryarray": names}},
        }
        drawing = Drawing(figure)
        below = drawing.top + drawing.height
        labels = [
            t
            for t in drawing.root.iter(f"{NS}text")
            if float(t.get("y")) > below and t.get("text-anchor") == "middle"
        ]
        shown = ["".join(t.itertext()) for t in labels]
        assert shown and all(
            text in names
            or (
                text.endswith("\u2026")
                and any(n.startswith(text[:-1].rstrip()) for n in names)
            )
            for text in shown
        ), shown
        extents = sorted(
            (float(t.get("x")) - w / 2, float(t.get("x")) + w / 2)
            for t in labels
            for w in [text_width("".join(t.itertext()), float(t.get("font-size")))]
        )
        for (_, right), (left, _) in zip(extents, extents[1:], strict=False):
            assert right <= left
    assert shown[0].endswith("\u2026") and shown[1] == "B"


def test_map_areas_from_their_outlines_in_their_colours():
    figure = CASES["area_map"]()
    drawing = Drawing(figure, outlines=outlines(_map_geojson()))
    for trace in figure["data"]:
        (path,) = [
            p
            for p in drawing.root.iter(f"{NS}path")
            if p.get("data-name") == trace["name"]
            and p.get("fill") == trace["fillcolor"]
        ]
        polygons = 2 if trace["meta"]["code"] == "E2" else 1
        assert path.get("d").count("M") == polygons
    # the outlines keep their shape: a unit of y is 1.64 units of x
    x_scale = drawing.width / (drawing.xr[1] - drawing.xr[0])
    y_scale = drawing.height / (drawing.yr[1] - drawing.yr[0])
    assert y_scale == pytest.approx(1.64 * x_scale, rel=1e-6)


def test_a_category_with_no_bar_keeps_its_place():
    """ "Area 3" has no value and "Tertiary" none drawn: plotly keeps their
    slots, so the axis runs half a slot beyond the first and last category."""
    # (the top has more: the value labels' markers are padded, as in plotly)
    assert Drawing(CASES["ranked_plain"]()).yr[0] == -0.5
    assert Drawing(CASES["bars_horizontal_grouped"]()).yr == (2.5, -0.5)  # reversed


def test_log_axis_places_points_by_their_logarithm():
    figure = {
        "data": [
            {
                "type": "scatter",
                "x": [1000, 10000, 100000],
                "y": [1, 2, 3],
                "mode": "markers",
                "name": "s",
            }
        ],
        "layout": {"xaxis": {"type": "log", "tickformat": ","}},
    }
    drawing = Drawing(figure)
    xs = [x for x, _ in drawing.markers("s")]
    assert len(xs) == 3
    assert all(
        _close(x, drawing.px(v)) for x, v in zip(xs, (3.0, 4.0, 5.0), strict=True)
    )
    assert {"1,000", "10,000", "100,000"} <= set(drawing.texts())


def test_bar_labels_inside_when_they_fit_else_beyond_or_not_at_all():
    figure = {
        "data": [
            {
                "type": "bar",
                "x": ["a", "b", "c"],
                "y": [100, 2, 0],
                "text": ["100 long label", "2", "0"],
                "textposition": "auto",
                "textfont": {"color": "#FFFFFF"},
                "outsidetextfont": {"color": "#0B0C0C"},
                "name": "n",
            }
        ],
        "layout": {"xaxis": {"type": "category"}, "width": 720},
    }
    drawing = Drawing(figure)
    texts = {"".join(t.itertext()): t for t in drawing.trace("n").iter(f"{NS}text")}
    assert texts["100 long label"].get("fill") == "#FFFFFF"  # inside the tall bar
    assert texts["2"].get("fill") == "#0B0C0C"  # beyond the short one
    assert float(texts["2"].get("y")) < drawing.py(2)
    assert "0" not in texts  # no bar to label


def test_a_label_too_wide_for_its_column_is_turned_along_it():
    figure = {
        "data": [
            {
                "type": "bar",
                "x": [f"c{i}" for i in range(12)],
                "y": [100] * 12,
                "text": ["1,234,567"] * 12,
                "textposition": "auto",
                "name": "n",
            }
        ],
        "layout": {"xaxis": {"type": "category"}, "width": 500},
    }
    labels = list(Drawing(figure).trace("n").iter(f"{NS}text"))
    assert len(labels) == 12
    assert all(t.get("transform", "").startswith("rotate(90 ") for t in labels)
    assert all(float(t.get("font-size")) == 13 for t in labels)  # full size


def test_odd_figures_still_draw():
    """Empty, template-less, bars with only values, numbers as categories."""
    for figure in (
        {},
        {"data": [], "layout": {}},
        {"data": [{"type": "bar", "y": [3, 1, 2], "name": "only y"}], "layout": {}},
        {
            "data": [{"type": "scatter", "x": [2019, 2020], "y": [1, 2], "name": "s"}],
            "layout": {
                "xaxis": {"type": "category"},
                "shapes": [
                    {
                        "type": "line",
                        "x0": 0.5,
                        "x1": 0.5,
                        "y0": 0,
                        "y1": 1,
                        "xref": "x",
                        "yref": "paper",
                        "name": "between",
                    }
                ],
            },
        },
    ):
        drawing = Drawing({"data": [], "layout": {}, **figure})
        assert drawing.root.tag == f"{NS}svg"
    # the years are categories 0 and 1, and the line halfway between them
    (first, second) = drawing.markers("s")
    drawing.x_categories = [2019, 2020]
    assert _close(first[0], drawing.px(0)) and _close(second[0], drawing.px(1))
    line = next(
        p for p in drawing.root.iter(f"{NS}path") if p.get("data-shape") == "between"
    )
    assert _close(float(line.get("d")[1:].split(",")[0]), drawing.px(0.5))


def test_an_empty_chart_has_plotlys_empty_axes():
    drawing = Drawing(CASES["trend_empty"]())
    assert drawing.xr == (-1, 6) and drawing.yr == (0, 4)  # y from zero


def test_marks_carry_their_hover_text_as_tooltips():
    """With no JavaScript a mark's values still show on hover: its <title>."""
    figure = CASES["trend_periods"]()
    drawing = Drawing(figure)
    avon = next(t for t in figure["data"] if t["name"] == "Avon")
    tips = [
        m.find(f"{NS}title").text
        for g in drawing.trace("Avon").iter(f"{NS}g")
        if g.get("data-role") == "markers"
        for m in g
    ]
    expected = [
        text.replace("<br>", "\n")
        for text, y in zip(avon["hovertext"], avon["y"], strict=True)
        if y is not None
    ]
    assert tips == expected
    assert tips[0] == "Avon\n2014/15: 50.0\n95% CI: 47.0 to 53.0"
    # bars and map areas too; nothing for what plotly skips (the CI bands)
    ranked = Drawing(CASES["ranked_categories"]())
    (bar,) = [r for r in ranked.trace("Better").iter(f"{NS}rect") if len(r)]
    assert bar.find(f"{NS}title").text == "Area 2: 14\n95% CI: 12 to 16\nBetter"
    bands = [p for p in drawing.root.iter(f"{NS}path") if p.get("data-role") == "band"]
    assert bands and not any(len(b) for b in bands)
    area_map = Drawing(CASES["area_map"](), outlines=outlines(_map_geojson()))
    titles = [t.text for t in area_map.root.iter(f"{NS}title")][1:]
    assert titles[0] == "One\n10.0 per 100,000\n95% CI: 8.0 to 12.0\nBetter"


def test_no_tooltip_where_plotly_shows_no_hover():
    trace = {
        "type": "scatter",
        "x": [1.0],
        "y": [2.0],
        "mode": "markers",
        "hovertext": ["hidden"],
        "name": "s",
    }
    shown = Drawing({"data": [trace], "layout": {}})
    skipped = Drawing({"data": [{**trace, "hoverinfo": "skip"}], "layout": {}})
    assert [t.text for t in shown.root.iter(f"{NS}title")][1:] == ["hidden"]
    assert [t.text for t in skipped.root.iter(f"{NS}title")][1:] == []


def test_figure_title_hidden_tick_labels_and_a_note_on_a_log_axis():
    figure = {
        "data": [
            {
                "type": "scatter",
                "x": [10, 1000],
                "y": [1, 2],
                "name": "s",
                "mode": "markers",
            }
        ],
        "layout": {
            "title": {"text": "A <b>title</b>"},
            "xaxis": {"type": "log"},
            "yaxis": {"showticklabels": False},
            "annotations": [
                {
                    "text": "at 100",
                    "x": 2,
                    "y": 1.5,
                    "xref": "x",
                    "yref": "y",
                    "xanchor": "center",
                    "showarrow": False,
                }
            ],
        },
    }
    drawing = Drawing(figure)
    texts = drawing.texts()
    assert "A title" in texts
    assert not {"1", "1.5", "2"} & set(texts)  # the y axis's labels hidden
    note = next(
        t for t in drawing.root.iter(f"{NS}text") if "".join(t.itertext()) == "at 100"
    )
    assert _close(float(note.get("x")), drawing.px(2.0))  # log10(100): plotly's rule


def _outline_points(d: str) -> list[list[tuple[float, float]]]:
    """An outline path's rings as absolute points: "M x,y l dx,dy dx,dy ... Z"."""
    rings = []
    for ring in re.findall(r"M([^Z]*)Z", d):
        numbers = [float(n) for n in re.findall(r"-?\d*\.?\d+", ring)]
        x, y = numbers[0], numbers[1]
        points = [(x, y)]
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
            x, y = x + dx, y + dy
            points.append((x, y))
        rings.append(points)
    return rings


def test_map_outlines_follow_their_coordinates():
    geojson = _map_geojson()
    drawing = Drawing(CASES["area_map"](), outlines=outlines(geojson))
    two = next(
        p for p in drawing.root.iter(f"{NS}path") if p.get("data-name") == "Worse"
    )
    rings = _outline_points(two.get("d"))
    expected = [
        [(drawing.px(x), drawing.py(y)) for x, y in polygon[0]]
        for polygon in geojson["features"][1]["geometry"]["coordinates"]
    ]
    assert len(rings) == len(expected) == 2
    for ring, want in zip(rings, expected, strict=True):
        assert len(ring) == len(want)
        for (x, y), (ex, ey) in zip(ring, want, strict=True):
            assert abs(x - ex) <= 0.15 and abs(y - ey) <= 0.15, ((x, y), (ex, ey))


def test_a_benchmark_line_never_strikes_through_a_bar_label():
    """The ranked bars' dashed benchmark line is a shape drawn above the traces,
    and their "71.8 Better" labels a haloed text trace drawn with the traces:
    the line struck through every label near it (the compare embed at phone
    width, /compare). Haloed labels are now drawn after the shapes above the
    traces, each on a patch of the background as wide as its text."""
    from components.bar_figures import ranked_bar_figure
    from tests.components.figure_cases import _areas

    figure = ranked_bar_figure(
        _areas(),
        label="Area",
        value="Rate",
        lower="Lower",
        upper="Upper",
        category_col="Compared",
        benchmark=15.0,
        benchmark_label="England and Wales",
        value_formatter=lambda v: f"{v:.1f}",
    )
    drawing = Drawing(figure)
    order = list(drawing.root.iter())
    line = next(e for e in order if e.get("data-shape") == "benchmark")
    labels = [
        g
        for g in order
        if g.get("data-name") == "bar-labels" and g.get("data-role") == "labels"
    ]
    assert len(labels) == 1
    assert order.index(labels[0]) > order.index(line)
    grounds = list(labels[0].iter(f"{NS}rect"))
    texts = list(labels[0].iter(f"{NS}text"))
    assert len(texts) == len(grounds) == len(figure["data"][-1]["text"])
    for ground, label in zip(grounds, texts, strict=True):
        assert ground.get("data-role") == "label-ground"
        assert ground.get("fill") == "#FFFFFF"
        # the patch spans the label's text, measured as the renderer measures it
        width = text_width("".join(label.itertext()), float(label.get("font-size")))
        assert float(ground.get("width")) == pytest.approx(width + 2, abs=0.2)
        assert float(ground.get("x")) == pytest.approx(
            float(label.get("x")) - 1, abs=0.2
        )
        assert float(ground.get("y")) < float(label.get("y"))
