"""The choropleth of force areas by their comparison with a benchmark, drawn as
filled shapes on plain axes (no base map fetched from another host). Pure
presentation: the boundaries and the figures are passed in."""

from __future__ import annotations

import pandas as pd

from components import theme
from components.figure_layout import Figure, axis, new_figure
from components.figure_svg.symbols import OutlineSymbols, outline_bounds, outline_file
from components.formatting import rate

# One degree of longitude is about 0.61 of a degree of latitude at 52.5°N: the
# map's y units are this many times as long as its x units.
MAP_SCALE_RATIO = 1.64


def outlines(geojson: dict) -> dict[str, dict[str, list]]:
    """Each feature's outline as the map draws it, by its id (the area code):
    {"x": longitudes, "y": latitudes} of every ring, rings separated by None.
    The app serves this once, as a long-cached static file (web/embed.py,
    "pfa-outlines.json"), and the browser puts each area's outline into the map's
    traces (assets/vru.js `mapOutlines`): the map's answer no longer carries
    about 140 KB of coordinates on every click."""
    return {
        feature["id"]: dict(zip(("x", "y"), _flatten(feature["geometry"]), strict=True))
        for feature in geojson["features"]
    }


def outline_symbols_file(geojson: dict) -> str:
    """The outlines as one SVG file of <path id="<area code>">, in the frame the
    map's SVG draws them from with <use> (components.figure_svg.symbols); the
    app serves it once, long-cached (web/embed.py, "pfa-outlines.svg")."""
    return outline_file(outlines(geojson), MAP_SCALE_RATIO)


def outline_symbols(geojson: dict, href: str) -> OutlineSymbols:
    """What the map's SVG needs to draw its areas from that file at `href`."""
    return OutlineSymbols(
        href=href, bounds=outline_bounds(outlines(geojson)), y_ratio=MAP_SCALE_RATIO
    )


def _flatten(geometry: dict) -> tuple[list, list]:
    polygons = (
        [geometry["coordinates"]]
        if geometry["type"] == "Polygon"
        else geometry["coordinates"]
    )
    xs: list = []
    ys: list = []
    for polygon in polygons:
        for ring in polygon:
            xs += [p[0] for p in ring] + [None]
            ys += [p[1] for p in ring] + [None]
    return xs, ys


def area_map_figure(
    geojson: dict,
    frame: pd.DataFrame,
    *,
    per: str,
    level_text: str,
    outlines_url: str,
) -> Figure:
    """Force areas filled by significance category, drawn from the boundaries
    (`geojson`: features with id = area code, properties.name, geometry) as filled
    shapes on plain axes: plotly's geo maps fetch a base map from cdn.plot.ly even
    when hidden, which the app's CSP (rightly) blocks, and the app's plotly.js
    basic bundle has no geo traces (so no choropleth with a `geojson` URL).
    `frame` has a row per area compared (code, name, rate, rate_lower,
    rate_upper, comparison, suppressed);
    `per` is the rate's unit ("per 100,000", or a share's "%"), `level_text` the
    confidence level.

    The traces carry no coordinates: `layout.meta.outlines` names the URL that
    serves `outlines(geojson)`, and the browser fills each trace (meta.code) from
    it before the map is drawn (assets/vru.js `mapOutlines`)."""
    # each area's row, of the columns drawn, from the columns' lists (not
    # to_dict("records") of every column: issue 19)
    keys = ["code", "name", "suppressed", "comparison"]
    keys += ["rate", "rate_lower", "rate_upper"]
    rows = {
        values[0]: dict(zip(keys, values, strict=True))
        for values in zip(*(frame[k].tolist() for k in keys), strict=True)
    }
    fig = new_figure()
    legend_done: set[str] = set()
    for feature in geojson["features"]:
        code = feature["id"]
        row = rows.get(code)
        if row is None:
            key, name, colour = "none", "No figure", theme.WHITE
            hover = f"{feature['properties']['name']}<br>No figure"
        else:
            hidden = bool(row["suppressed"])
            key = (
                "not compared" if hidden else theme.significance_key(row["comparison"])
            )
            style = theme.SIGNIFICANCE[key]
            name, colour = style.label, style.colour

            def show(v, hidden=hidden):
                return "*" if hidden else rate(v, 1)

            # "52.1 per 100,000", but a share's "11.1%"
            unit = per if per == "%" else f" {per}"
            hover = (
                f"{row['name']}<br>{show(row['rate'])}{unit}<br>{level_text} CI: "
                f"{show(row['rate_lower'])} to {show(row['rate_upper'])}<br>{name}"
            )
        fig["data"].append(
            dict(
                type="scatter",
                mode="lines",
                fill="toself",
                fillcolor=colour,
                line=dict(color=theme.DARK_GREY, width=0.5),
                name=name,
                legendgroup=key,
                showlegend=key not in legend_done,
                hoveron="fills",
                text=hover,
                hoverinfo="text",
                meta={"role": "area", "code": code},
            )
        )
        legend_done.add(key)
    axis(fig, "x").update(visible=False, fixedrange=True)
    axis(fig, "y").update(
        visible=False, scaleanchor="x", scaleratio=MAP_SCALE_RATIO, fixedrange=True
    )
    fig["layout"].update(
        height=620,
        margin=dict(l=0, r=0, t=40, b=0),
        hovermode="closest",
        meta={"outlines": outlines_url},
        legend=dict(
            orientation="v",
            x=0,
            y=1,
            xanchor="left",
            yanchor="top",
            title={},  # none (what plotly made of title=None)
        ),
    )
    return fig
