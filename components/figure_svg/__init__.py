"""Every app chart drawn as SVG on the server, from the same plain figure dict
that plotly.js would draw (issue 19: "server-drawn SVG first").

`figure_svg(figure, title=..., desc=..., id_prefix=...)` returns one <svg> that
shows the chart with no JavaScript, prints and exports as it looks, and works
inside an <img> or a PDF: presentation attributes only, no CSS, no script, no
external reference. plotly.js is loaded only when a user asks for interaction,
so the renderer follows what plotly.js would draw closely enough that swapping
one for the other moves nothing a reader would notice:

- the same marks at the same data positions: axis ranges are worked out as
  plotly's autorange does (each mark's extent with its pixel padding, 5% of the
  axis for padded marks, "tozero"), and explicit ranges are honoured;
- the same colours, dashes, marker symbols, bar patterns, error bars, fill bands,
  reference lines and rectangles (shapes), notes (annotations, the
  "Illustrative data" watermark among them) and legend keys;
- tick labels that stay readable: a crowded category axis labels every k-th
  category, and a label still too long for its room is cut with "…" instead of
  overlapping its neighbour (plotly turns such labels 30 degrees);
- each marker, bar and map area carries its hover text as a <title>, which the
  browser shows as a tooltip: values can be read on hover with no JavaScript.

The /compare map's figure carries no coordinates (layout.meta.outlines names
the file that has them): pass `outlines` (area code -> {"x", "y"}, as
components.area_map.outlines makes them) to draw it.

Text is measured by an estimate of the system-ui font (no font is loaded), and
all of it goes through html.escape: the chart card inserts this markup as HTML,
so a title, category or label can never inject markup. The plot area and the
axis ranges are written on the <svg> (data-plot-area, data-x-range,
data-y-range) so tests can check positions against their own linear mapping.

Plain string building, no plotly import: it runs on every uncached answer.
"""

from __future__ import annotations

from components.figure_svg.renderer import NOMINAL_HEIGHT, NOMINAL_WIDTH, _Renderer
from components.figure_svg.text import text_width


def figure_svg(
    figure: dict,
    *,
    title: str,
    desc: str = "",
    id_prefix: str,
    outlines: dict | None = None,
) -> str:
    """The figure drawn as one accessible <svg> (see the module's docstring).

    `title` and `desc` become the svg's <title> and <desc> (its accessible
    name and description); `id_prefix` (the chart's id) starts every id inside
    it, so two charts on a page never clash; `outlines` (area code -> {"x",
    "y"}) gives the map's areas their coordinates, which its figure leaves out.
    """
    return _Renderer(figure, title, desc, id_prefix, outlines).render()


__all__ = ["NOMINAL_HEIGHT", "NOMINAL_WIDTH", "figure_svg", "text_width"]
