"""The one visual theme: GSS accessible palette, line and marker styles, and the "vru"
plotly template.

Importing this module registers the template as `pio.templates["vru"]` and makes it
plotly's default, so figures a page builds itself look like those built here. Fonts
are the system-ui stack: no web font is fetched from any host.

Colour is never the only cue: every series also gets a marker symbol and a dash
style (`series_style`), and every significance category a bar pattern, a marker
symbol and a word (`SIGNIFICANCE`).
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE_NAME = "vru"

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


def _build_template() -> go.layout.Template:
    axis = dict(
        showgrid=True,
        gridcolor=GRID,
        gridwidth=1,
        zeroline=False,
        showline=True,
        linecolor=AXIS_LINE,
        ticks="outside",
        tickcolor=AXIS_LINE,
        ticklen=4,
        title=dict(font=dict(size=14, color=TEXT), standoff=8),
        tickfont=dict(size=13, color=TEXT),
        automargin=True,
    )
    value_axis = dict(axis, tickformat=",")  # 1,200 not 1200, as GOV.UK tables
    layout = go.Layout(
        font=dict(family=FONT_FAMILY, size=14, color=TEXT),
        paper_bgcolor=WHITE,
        plot_bgcolor=WHITE,
        colorway=list(PALETTE),
        title=dict(font=dict(size=18, color=TEXT), x=0, xanchor="left"),
        xaxis=axis,
        yaxis=value_axis,
        legend=dict(
            orientation="h",
            yanchor="bottom",
            y=1.02,
            x=0,
            xanchor="left",
            font=dict(size=13, color=TEXT),
            bgcolor="rgba(255,255,255,0)",
        ),
        hoverlabel=dict(
            bgcolor=WHITE,
            bordercolor=DARK_GREY,
            font=dict(family=FONT_FAMILY, size=14, color=TEXT),
        ),
        margin=dict(l=16, r=24, t=48, b=16),
        hovermode="closest",
        # the default modebar grey is too faint against white (WCAG 1.4.11)
        modebar=dict(
            color=DARK_GREY, activecolor=TEXT, bgcolor="rgba(255,255,255,0.8)"
        ),
        separators=".,",
        bargap=0.25,
    )
    template = go.layout.Template(layout=layout)
    template.data.scatter = [go.Scatter(line=dict(width=2.5), marker=dict(size=8))]
    template.data.bar = [
        go.Bar(
            marker=dict(line=dict(width=1, color=DARK_GREY)),
            textfont=dict(size=13),
            cliponaxis=False,
        )
    ]
    return template


pio.templates[TEMPLATE_NAME] = _build_template()
pio.templates.default = TEMPLATE_NAME

# The template as plain data, made once: every figure builder puts this one dict
# in its figure's layout (as go.Figure did from the default), without validating
# it again. Shared by every figure, so never change it in place.
TEMPLATE_JSON: dict = pio.templates[TEMPLATE_NAME].to_plotly_json()
