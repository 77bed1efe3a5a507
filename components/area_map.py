"""The choropleth of force areas by their comparison with a benchmark, drawn as
filled shapes on plain axes (no base map fetched from another host). Pure
presentation: the boundaries and the figures are passed in."""

from __future__ import annotations

import pandas as pd

from components import theme
from components.figure_layout import Figure, axis, new_figure
from components.formatting import rate

# Outlines already worked out, by the geometry they came from (kept with it, so
# an id is never reused for another): the boundaries are read once per process
# and never change, and flattening 43 areas' rings cost every map a few ms.
_OUTLINES: dict[int, tuple[dict, list, list]] = {}


def _outline(geometry: dict) -> tuple[list, list]:
    """Longitude and latitude lists of every ring, separated by None (shared
    between maps: read them, never change them)."""
    kept = _OUTLINES.get(id(geometry))
    if kept is not None and kept[0] is geometry:
        return kept[1], kept[2]
    xs, ys = _flatten(geometry)
    if len(_OUTLINES) > 1000:  # not the shared boundaries: do not keep them all
        _OUTLINES.clear()
    _OUTLINES[id(geometry)] = (geometry, xs, ys)
    return xs, ys


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
    geojson: dict, frame: pd.DataFrame, *, per: str, level_text: str
) -> Figure:
    """Force areas filled by significance category, drawn from the boundaries
    (`geojson`: features with id = area code, properties.name, geometry) as filled
    shapes on plain axes: plotly's geo maps fetch a base map from cdn.plot.ly even
    when hidden, which the app's CSP (rightly) blocks. `frame` has a row per area
    compared (code, name, rate, rate_lower, rate_upper, comparison, suppressed);
    `per` is the rate's unit ("per 100,000"), `level_text` the confidence level."""
    rows = {r["code"]: r for r in frame.to_dict("records")}
    fig = new_figure()
    legend_done: set[str] = set()
    for feature in geojson["features"]:
        code = feature["id"]
        row = rows.get(code)
        xs, ys = _outline(feature["geometry"])
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

            hover = (
                f"{row['name']}<br>{show(row['rate'])} {per}<br>{level_text} CI: "
                f"{show(row['rate_lower'])} to {show(row['rate_upper'])}<br>{name}"
            )
        fig["data"].append(
            dict(
                type="scatter",
                x=xs,
                y=ys,
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
    # One degree of longitude is about 0.61 of a degree of latitude at 52.5°N.
    axis(fig, "y").update(
        visible=False, scaleanchor="x", scaleratio=1.64, fixedrange=True
    )
    fig["layout"].update(
        height=620,
        margin=dict(l=0, r=0, t=40, b=0),
        hovermode="closest",
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
