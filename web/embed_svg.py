"""Each public embed's chart drawn on the server, the only drawing of it (the
page loads no script, so it reads the same with JavaScript off): its figure
(web/embed_charts.py builds it) drawn by components.figure_svg, the renderer of
the app's chart cards, so an embed and the app draw a chart the same way
(issue 19: one renderer).

Drawn twice, and the page's CSS shows the one that fits (web/static/embed.css):
- at a phone's width: an embed's box on a 390 px phone is 351 to 366 px wide
  (with or without a scroll bar), and figure_svg writes no text under 11 units
  (figure_svg.text.MIN_FONT), so at PHONE_WIDTH units no word comes out under
  11 CSS px; the copy of the figure it draws is fitted to the narrow width
  (`_fit_to_phone`);
- at WIDE_WIDTH, the figure as built, shown in a box at least that wide.
Both on copies, with "Illustrative data" across them where any figure is."""

from __future__ import annotations

from typing import Any

from components.chart import WATERMARK_NAME, watermark
from components.figure_svg import figure_svg, text_width

# units: 351 px / PHONE_WIDTH * 11 units = 11.4 px, the smallest text on a phone
PHONE_WIDTH = 340
# units: shown only in a box this wide or wider (embed.css), never shrunk
WIDE_WIDTH = 720
# figure_svg's legend: a row's height, and an entry's room beside its name
# (figure_svg.notes: key and gaps); its text size where the figure sets none
_LEGEND_ROW, _LEGEND_KEY, _LEGEND_FONT = 20.0, 52.0, 13.0
_TICK_FONT = 13.0  # the template's tick labels (components.theme)


def drawings(
    figure: dict[str, Any], title: str, summary: str, *, illustrative: bool
) -> dict[str, str]:
    """Built's `svg` (the phone's drawing) and `svg_wide`."""
    return {
        "svg": phone_svg(figure, title, summary, illustrative=illustrative),
        "svg_wide": _drawn(
            _copy(figure, WIDE_WIDTH, illustrative), title, summary, "embed-wide"
        ),
    }


def phone_svg(
    figure: dict[str, Any], title: str, summary: str, *, illustrative: bool
) -> str:
    """The embed's figure as one accessible <svg> (its <title> the embed's
    heading, its <desc> the text summary), drawn at PHONE_WIDTH."""
    drawn = _copy(figure, PHONE_WIDTH, illustrative)
    _fit_to_phone(drawn)
    return _drawn(drawn, title, summary, "embed-phone")


def _copy(figure: dict[str, Any], width: int, illustrative: bool) -> dict[str, Any]:
    """The figure at `width`, watermarked where illustrative: the layout and
    its notes copied, the figure itself left as it was."""
    layout = dict(figure.get("layout") or {})
    layout["width"] = width
    layout["annotations"] = list(layout.get("annotations") or ())
    drawn = {**figure, "layout": layout}
    if illustrative:
        watermark(drawn)
    return drawn


def _drawn(figure: dict[str, Any], title: str, summary: str, prefix: str) -> str:
    # both drawings are in the page: their ids must differ
    return figure_svg(figure, title=title, desc=summary, id_prefix=prefix)


def _fit_to_phone(figure: dict[str, Any]) -> None:
    """Margins and notes sized for PHONE_WIDTH, on the copy's own layout: the
    figure's were chosen for a desktop card (the /compare ranking keeps 167
    units for names a phone needs no more than their own width for)."""
    layout = figure["layout"]
    margin = dict(layout.get("margin") or {})
    yaxis = layout.get("yaxis") or {}
    if yaxis.get("type") == "category" and yaxis.get("ticktext"):
        # names on the left as wide as the longest, at most 45% of the width;
        # 15% to spare: the estimate is of system-ui, and a phone without it
        # (DejaVu Sans) sets names wider
        widest = max(text_width(str(t), _TICK_FONT) for t in yaxis["ticktext"])
        margin["l"] = min(int(widest * 1.15) + 8, int(PHONE_WIDTH * 0.45))
    legend = layout.get("legend") or {}
    if legend.get("yref") == "container" and legend.get("yanchor") == "top":
        # a legend across the top of the drawing wraps onto more rows at this
        # width: the top margin grows by them, so the legend does not run into
        # the plot or the notes above it (a benchmark's label)
        rows = _legend_rows(figure, margin)
        margin["t"] = float(margin.get("t", 100)) + _LEGEND_ROW * (rows - 1)
    layout["margin"] = margin
    notes = layout["annotations"]
    for k, note in enumerate(notes):
        if note.get("name") == WATERMARK_NAME:
            # across the plot, not past the drawing's edges
            font = dict(note.get("font") or {})
            font["size"] = min(font.get("size", 44), 30)
            notes[k] = {**note, "font": font}


def _legend_rows(figure: dict[str, Any], margin: dict) -> int:
    """The rows figure_svg wraps a horizontal legend onto (figure_svg.notes
    `_legend`: entries in a row up to the plot's width; once wrapped, every
    entry as wide as the widest)."""
    layout = figure["layout"]
    size = float(((layout.get("legend") or {}).get("font") or {}).get("size") or 0)
    size = size or _LEGEND_FONT
    names = [
        str(t.get("name", ""))
        for t in figure.get("data") or []
        if t.get("showlegend", True) is not False and t.get("name")
    ]
    if not names or layout.get("showlegend") is False:
        return 1
    room = PHONE_WIDTH - float(margin.get("l", 80)) - float(margin.get("r", 80))
    widths = [_LEGEND_KEY + text_width(n, size) for n in names]
    if sum(widths) <= room:
        return 1
    per_row = max(int(room // max(widths)), 1)
    return -(-len(names) // per_row)
