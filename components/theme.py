"""The one visual theme: GSS accessible palette, line and marker styles, and the "vru"
plotly template (TEMPLATE_JSON), which every figure builder puts in its figure's
layout. Fonts are the system-ui stack: no web font is fetched from any host.

Colour is never the only cue: every series also gets a marker symbol and a dash
style (`series_style`), and every significance category a bar pattern, a marker
symbol and a word (`SIGNIFICANCE`).
"""

from __future__ import annotations

from dataclasses import dataclass

# Government Analysis Function (GSS) categorical palette, in its recommended order;
# tested for contrast against white and for colour-vision deficiency.
DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
PLUM = "#A285D1"
PALETTE: tuple[str, ...] = (DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, PLUM)

TEXT = "#0B0C0C"  # GOV.UK text colour
SECONDARY_TEXT = "#505A5F"  # GOV.UK secondary text, 7:1 on white
GRID = "#E5E5E5"
AXIS_LINE = "#B1B4B6"
LIGHT_GREY = "#D9D9D9"
MID_GREY = "#8C8C8C"
WHITE = "#FFFFFF"

FONT_FAMILY = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, '
    '"Noto Sans", "Liberation Sans", sans-serif'
)

# Cycled together, so series i and j (i != j, both < 24) never share symbol and dash.
SYMBOLS: tuple[str, ...] = (
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "x",
    "triangle-down",
    "cross",
    "star",
)
DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
PATTERNS: tuple[str, ...] = ("", "/", "\\", "x", ".", "+", "-", "|")


@dataclass(frozen=True)
class SeriesStyle:
    colour: str
    symbol: str
    dash: str
    pattern: str


def series_style(i: int) -> SeriesStyle:
    """The style of the i-th series: colour, marker symbol, dash and bar pattern."""
    return SeriesStyle(
        colour=PALETTE[i % len(PALETTE)],
        symbol=SYMBOLS[i % len(SYMBOLS)],
        dash=DASHES[i % len(DASHES)],
        pattern=PATTERNS[i % len(PATTERNS)],
    )


@dataclass(frozen=True)
class CategoryStyle:
    label: str  # the word shown on the chart and in the legend
    colour: str
    pattern: str  # bar fill pattern
    symbol: str  # marker symbol
    text_colour: str  # for text drawn inside a bar of this colour


# Comparison with a benchmark (Fingertips conventions), the one palette for bars,
# funnels, spines, maps and tables. Colour-blind safe: better and worse are the
# blue / orange pair that stays apart under every common colour-vision deficiency
# (GSS "Data visualisation: colours", two-colour pairing), "similar" is a neutral
# mid grey (not amber, which reads as a warning) and "not compared" a pale grey
# with a hatch; each also has its own pattern, marker and word. "higher" / "lower"
# are for measures without polarity, so they avoid the better/worse colours.
SIGNIFICANCE: dict[str, CategoryStyle] = {
    "better": CategoryStyle("Better", DARK_BLUE, "", "circle", WHITE),
    "similar": CategoryStyle("Similar", MID_GREY, ".", "diamond", TEXT),
    "worse": CategoryStyle("Worse", ORANGE, "x", "square", TEXT),
    "higher": CategoryStyle("Higher", TURQUOISE, "/", "triangle-up", TEXT),
    "lower": CategoryStyle("Lower", PLUM, "\\", "triangle-down", TEXT),
    "not compared": CategoryStyle("Not compared", LIGHT_GREY, "-", "circle-open", TEXT),
}
SIGNIFICANCE_ORDER: tuple[str, ...] = tuple(SIGNIFICANCE)


def significance_key(category: object) -> str:
    """Normalise a category ("Worse", "not_compared", None) to a SIGNIFICANCE key."""
    if category is None or (isinstance(category, float) and category != category):
        return "not compared"
    key = str(category).strip().lower().replace("_", " ").replace("-", " ")
    if key in SIGNIFICANCE:
        return key
    if key in {"", "none", "nan", "not tested", "no comparison", "n/a"}:
        return "not compared"
    raise ValueError(
        f"unknown significance category {category!r}; expected one of "
        + ", ".join(SIGNIFICANCE)
    )


def _template() -> dict:
    """The "vru" plotly template as plain data: what
    go.layout.Template(...).to_plotly_json() made of the same settings, keys in
    plotly's (alphabetical) order, so figures serialise byte for byte as before
    (tests/components/test_chart.py has plotly validate it and compare). Not built
    through plotly's validators: that cost every app process ~11 MB and 0.7 s at
    start for one dict (issue 19, target 5)."""
    axis = {
        "automargin": True,
        "gridcolor": GRID,
        "gridwidth": 1,
        "linecolor": AXIS_LINE,
        "showgrid": True,
        "showline": True,
        "tickcolor": AXIS_LINE,
        "tickfont": {"color": TEXT, "size": 13},
        "ticklen": 4,
        "ticks": "outside",
        "title": {"font": {"color": TEXT, "size": 14}, "standoff": 8},
        "zeroline": False,
    }
    # 1,200 not 1200, as GOV.UK tables
    value_axis = dict(sorted({**axis, "tickformat": ","}.items()))
    return {
        "data": {
            "bar": [
                {
                    "cliponaxis": False,
                    "marker": {"line": {"color": DARK_GREY, "width": 1}},
                    "textfont": {"size": 13},
                    "type": "bar",
                }
            ],
            "scatter": [
                {"line": {"width": 2.5}, "marker": {"size": 8}, "type": "scatter"}
            ],
        },
        "layout": {
            "bargap": 0.25,
            "colorway": list(PALETTE),
            "font": {"color": TEXT, "family": FONT_FAMILY, "size": 14},
            "hoverlabel": {
                "bgcolor": WHITE,
                "bordercolor": DARK_GREY,
                "font": {"color": TEXT, "family": FONT_FAMILY, "size": 14},
            },
            "hovermode": "closest",
            "legend": {
                "bgcolor": "rgba(255,255,255,0)",
                "font": {"color": TEXT, "size": 13},
                "orientation": "h",
                "x": 0,
                "xanchor": "left",
                "y": 1.02,
                "yanchor": "bottom",
            },
            "margin": {"b": 16, "l": 16, "r": 24, "t": 48},
            # the default modebar grey is too faint against white (WCAG 1.4.11)
            "modebar": {
                "activecolor": TEXT,
                "bgcolor": "rgba(255,255,255,0.8)",
                "color": DARK_GREY,
            },
            "paper_bgcolor": WHITE,
            "plot_bgcolor": WHITE,
            "separators": ".,",
            "title": {"font": {"color": TEXT, "size": 18}, "x": 0, "xanchor": "left"},
            "xaxis": axis,
            "yaxis": value_axis,
        },
    }


# Every figure builder puts this one dict in its figure's layout (as go.Figure did
# from plotly's default template), without validating it again. Shared by every
# figure, so never change it in place.
TEMPLATE_JSON: dict = _template()
