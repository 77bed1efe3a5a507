"""The board pack as PowerPoint (python-pptx): native, editable chart objects that
carry the pack's figures (not pictures), alternative text on every chart (the
graphic frame's `descr`), the chart's text summary as speaker notes, the data
table on the following slide(s), and the stamp (web/pack_text.py) on every slide.

Lines: published and illustrative figures are separate series (the model's
`Chart.styles`), illustrative ones dashed and lighter with hollow markers and
their own legend entry; blanks are gaps (`dispBlanksAs` "gap"), never joined.
Annotations (the chart's `marks`) are dashed vertical connectors over the chart at
their year, with a label, in the pages' event colour.
A success measure's slide shows its Making Data Count variation icon, drawn from
editable shapes as components.spc_icons draws the SVG (a group with alternative
text), beside its words.

render_pptx(pack) -> bytes. The figures are the pack model's
(data_access/board_pack.py); nothing is computed here.
"""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.shapes import MSO_CONNECTOR
from pptx.enum.text import PP_ALIGN
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls
from pptx.util import Emu, Inches, Pt

from components.annotation_marks import EVENT_COLOUR as EVENT_MARK
from data_access.board_pack import Chart, Pack, Slide, Table
from data_access.periods import long_date
from web.pack_pptx_icons import draw_icon
from web.pack_text import cell_text, slide_stamp, table_pages

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
TABLE_ROWS = 12  # data rows per table slide of short cells
LONG_CELL = 40  # a table with a longer cell is set in smaller type, paged by height
LINES_PER_SLIDE = 24  # lines of 10 pt type a table slide holds
CHARS_PER_INCH = 13  # characters of 10 pt type in an inch of column
INK = RGBColor(0x0B, 0x0C, 0x0C)
GREY = RGBColor(0x50, 0x5A, 0x5F)
SERIES_COLOURS = [RGBColor(0x1D, 0x70, 0xB8), RGBColor(0x50, 0x5A, 0x5F)]
RAG_COLOURS = {
    "Green (on target)": RGBColor(0x00, 0x70, 0x3C),
    "Amber": RGBColor(0xB5, 0x5A, 0x00),
    "Red (off target)": RGBColor(0xA8, 0x1F, 0x16),
    "No rating": RGBColor(0x8C, 0x96, 0x9B),
}
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
EVENT_COLOUR = RGBColor.from_string(EVENT_MARK.lstrip("#"))  # as the pages
# A line chart with annotations: its plot's inner area as shares of the chart
# (x, y, width, height), room left for the value axis, category labels and legend.
PLOT_BOX = (0.12, 0.05, 0.85, 0.66)
# Chart.styles -> (colour, width in points, dashed, hollow markers): as web/pack_svg.
LINE_STYLES = {
    "area": (RGBColor(0x1D, 0x70, 0xB8), 2.5, False, False),
    "area illustrative": (RGBColor(0x56, 0x94, 0xCA), 2.0, True, True),
    "benchmark": (RGBColor(0x50, 0x5A, 0x5F), 1.75, False, False),
    "benchmark illustrative": (RGBColor(0x6F, 0x77, 0x7B), 1.75, True, True),
}
ICON = Inches(0.6)
SIGNAL_ROWS = 6  # rows of icons and words per column; two columns a slide
CHART_TYPES = {
    "line": XL_CHART_TYPE.LINE_MARKERS,
    "bar": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "stacked_bar": XL_CHART_TYPE.BAR_STACKED,
}
TITLE_ONLY = 5  # the default template's "Title Only" layout


def render_pptx(pack: Pack) -> bytes:
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    # Core properties hold at most 255 characters each (the stamp has them all).
    deck.core_properties.subject = pack.filters()[:255]
    deck.core_properties.title = pack.title[:255]
    deck.core_properties.author = pack.made_by
    deck.core_properties.language = "en-GB"
    _title_slide(deck, pack)
    for slide in pack.slides:
        _content_slide(deck, pack, slide)
        if slide.table is not None:
            _table_slides(deck, pack, slide, slide.table)
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ pieces


def _new_slide(deck, pack: Pack, slide: Slide | None, title: str):
    page = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    heading = page.shapes.title
    heading.left, heading.top = MARGIN, Inches(0.3)
    heading.width, heading.height = WIDTH - 2 * MARGIN, Inches(1.0)
    heading.text = title
    for paragraph in heading.text_frame.paragraphs:
        paragraph.font.size = Pt(26)
        paragraph.font.bold = True
        paragraph.font.color.rgb = INK
    _stamp(page, pack, slide)
    return page


def _stamp(page, pack: Pack, slide: Slide | None) -> None:
    box = page.shapes.add_textbox(
        MARGIN, HEIGHT - Inches(1.1), WIDTH - 2 * MARGIN, Inches(1.0)
    )
    box.name = "Stamp"
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(slide_stamp(pack, slide)):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(8)
        paragraph.font.color.rgb = GREY
        if line.startswith("Illustrative data"):
            paragraph.font.bold = True
            paragraph.font.color.rgb = INK


def _size_for(lines: list[str], size: int) -> int:
    """A smaller type size for more words, so the text stays inside its box."""
    chars = sum(len(line) for line in lines)
    if chars > 900:
        return size - 4
    if chars > 550:
        return size - 2
    return size


def _text_box(page, left, top, width, height, lines: list[str], size: int = 16):
    size = _size_for(lines, size)
    box = page.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(size)
        paragraph.font.color.rgb = INK
        paragraph.space_after = Pt(6)
    return box


def _title_slide(deck, pack: Pack) -> None:
    page = _new_slide(deck, pack, None, pack.title)
    lines = [
        f"Made {long_date(pack.made_at)} at {pack.made_at:%H:%M} UTC"
        f" by {pack.made_by}.",
        pack.filters() + ".",
        "Contents: " + "; ".join(dict.fromkeys(s.title for s in pack.slides)) + "."
        if pack.slides
        else "Contents: no sections.",
    ]
    lines += [f"Not included: {reason}." for reason in pack.omitted]
    _text_box(page, MARGIN, Inches(1.5), WIDTH - 2 * MARGIN, Inches(4.8), lines, 16)
    page.notes_slide.notes_text_frame.text = " ".join(lines)


def _content_slide(deck, pack: Pack, slide: Slide) -> None:
    page = _new_slide(deck, pack, slide, slide.title)
    body_top, body_height = Inches(1.4), Inches(4.9)
    if slide.signals:
        _text_box(
            page, MARGIN, body_top, WIDTH - 2 * MARGIN, Inches(0.9), slide.points, 11
        )
        per_slide = 2 * SIGNAL_ROWS
        for first in range(0, len(slide.signals), per_slide):
            if first:  # more measures than a slide holds: continued
                page.notes_slide.notes_text_frame.text = slide.summary
                more = f" (continued, {first // per_slide + 1})"
                page = _new_slide(deck, pack, slide, slide.title + more)
            chunk = slide.signals[first : first + per_slide]
            _signal_rows(page, chunk, body_top + Inches(1.0))
    elif slide.chart is None:
        _text_box(page, MARGIN, body_top, WIDTH - 2 * MARGIN, body_height, slide.points)
    else:
        chart_width = Inches(7.8)
        _chart(page, slide.chart, MARGIN, body_top, chart_width, body_height)
        left = MARGIN + chart_width + Inches(0.3)
        width = WIDTH - 2 * MARGIN - chart_width - Inches(0.3)
        size = 14
        if slide.variation:
            words_height = Inches(1.5)
            _variation(page, slide, left, body_top, width, words_height)
            body_top += words_height
            body_height -= words_height
            size = 12  # the points share the column with the icon's words
        _text_box(page, left, body_top, width, body_height, slide.points, size)
    page.notes_slide.notes_text_frame.text = slide.summary


def _chart(page, chart: Chart, left, top, width, height) -> None:
    data = CategoryChartData()
    data.categories = chart.categories
    for name, values in chart.series:
        data.add_series(name, values)
    frame = page.shapes.add_chart(
        CHART_TYPES[chart.kind], left, top, width, height, data
    )
    # Alternative text: the description of the graphic frame (what PowerPoint's
    # "Alt Text" pane edits and screen readers read).
    properties = frame._element.nvGraphicFramePr.cNvPr
    properties.set("descr", chart.alt)
    properties.set("title", chart.series[0][0] if chart.series else "Chart")
    drawn = frame.chart
    drawn.has_legend = len(chart.series) > 1
    if drawn.has_legend:
        drawn.legend.position = XL_LEGEND_POSITION.BOTTOM
        drawn.legend.include_in_layout = False
        drawn.legend.font.size = Pt(12)
    drawn.font.size = Pt(12)
    drawn.value_axis.has_title = True
    drawn.value_axis.axis_title.text_frame.text = chart.value_title
    drawn.value_axis.axis_title.text_frame.paragraphs[0].font.size = Pt(12)
    drawn.category_axis.tick_labels.font.size = Pt(10)
    if chart.value_kind == "money":
        drawn.value_axis.tick_labels.number_format = '"£"#,##0'
        drawn.value_axis.tick_labels.number_format_is_linked = False
    if chart.kind == "stacked_bar":
        drawn.category_axis.reverse_order = True
    for i, plot_series in enumerate(drawn.plots[0].series):
        name = chart.series[i][0]
        colour = RAG_COLOURS.get(name, SERIES_COLOURS[i % len(SERIES_COLOURS)])
        if chart.kind == "line":
            colour, width, dashed, hollow = (
                LINE_STYLES[chart.styles[i]]
                if chart.styles
                else (colour, 2.5 if i == 0 else 1.75, False, False)
            )
            plot_series.format.line.color.rgb = colour
            plot_series.format.line.width = Pt(width)
            if dashed:
                plot_series.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
            plot_series.smooth = False
            plot_series.marker.style = XL_MARKER_STYLE.CIRCLE
            plot_series.marker.size = 7
            plot_series.marker.format.fill.solid()
            plot_series.marker.format.fill.fore_color.rgb = WHITE if hollow else colour
            plot_series.marker.format.line.color.rgb = colour
        else:
            plot_series.format.fill.solid()
            plot_series.format.fill.fore_color.rgb = colour
    if chart.kind != "line":
        plot = drawn.plots[0]
        plot.has_data_labels = True
        plot.data_labels.font.size = Pt(11)
        plot.data_labels.number_format = (
            '"£"#,##0' if chart.value_kind == "money" else "#,##0"
        )
        plot.data_labels.number_format_is_linked = False
    if chart.kind == "line" and chart.marks:
        _event_marks(page, chart, frame)


def _event_marks(page, chart: Chart, frame) -> None:
    """Each annotation (Chart.marks) as a dashed vertical line at its category
    with its short label, over the chart. The plot's inner area is given a fixed
    place in the chart (`PLOT_BOX`) and the points sit in the middle of their
    category ("between"), so the line lands on its year; the line's alternative
    text is the annotation's full text (also in the notes and the data table)."""
    x0, y0, w, h = PLOT_BOX
    space = frame.chart._chartSpace
    plot_area = space.xpath("c:chart/c:plotArea")[0]
    plot_area.insert(
        0,
        parse_xml(
            f"<c:layout {nsdecls('c')}><c:manualLayout>"
            '<c:layoutTarget val="inner"/><c:xMode val="edge"/><c:yMode val="edge"/>'
            f'<c:x val="{x0}"/><c:y val="{y0}"/><c:w val="{w}"/><c:h val="{h}"/>'
            "</c:manualLayout></c:layout>"
        ),
    )
    for axis in space.xpath("c:chart/c:plotArea/c:valAx"):
        axis.xpath("c:crosses")[0].addnext(
            parse_xml(f'<c:crossBetween {nsdecls("c")} val="between"/>')
        )
    step = frame.width * w / max(len(chart.categories), 1)
    top, bottom = frame.top + int(frame.height * y0), frame.height * (y0 + h)
    for level, (category, label, text) in enumerate(chart.marks):
        if category not in chart.categories:
            continue
        x = int(
            frame.left
            + frame.width * x0
            + step * (chart.categories.index(category) + 0.5)
        )
        line = page.shapes.add_connector(
            MSO_CONNECTOR.STRAIGHT, x, top, x, frame.top + int(bottom)
        )
        line.name = "Marked event"
        line._element.xpath("p:nvCxnSpPr/p:cNvPr")[0].set("descr", text)
        line.line.color.rgb = EVENT_COLOUR
        line.line.width = Pt(1.5)
        line.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        right = x > frame.left + frame.width / 2
        box_width = Inches(3.2)
        box = page.shapes.add_textbox(
            x - box_width if right else x,
            top + Inches(0.25) * (level % 3),
            box_width,
            Inches(0.3),
        )
        box.name = "Marked event label"
        paragraph = box.text_frame.paragraphs[0]
        paragraph.text = label
        paragraph.font.size = Pt(10)
        paragraph.font.color.rgb = EVENT_COLOUR
        paragraph.alignment = PP_ALIGN.RIGHT if right else PP_ALIGN.LEFT


def _variation(page, slide: Slide, left, top, width, height) -> None:
    """The variation icon (a group of shapes with alternative text) and its words
    beside it."""
    draw_icon(
        page,
        kind="variation",
        value=slide.variation,
        left=left,
        top=top,
        size=ICON,
        alt=slide.variation_alt,
    )
    _text_box(
        page,
        left + ICON + Inches(0.15),
        top,
        width - ICON - Inches(0.15),
        height,
        [slide.variation_words or ""],
        12,
    )


def _signal_rows(page, signals, top) -> None:
    """Each series' variation and assurance icons beside its words, in two
    columns of SIGNAL_ROWS rows."""
    column_width = (WIDTH - 2 * MARGIN - Inches(0.3)) / 2
    row_height = Inches(0.64)  # four lines of 9 pt type
    icon = Inches(0.46)
    for n, signal in enumerate(signals):
        left = MARGIN + (column_width + Inches(0.3)) * (n // SIGNAL_ROWS)
        y = top + row_height * (n % SIGNAL_ROWS)
        draw_icon(
            page,
            kind="variation",
            value=signal.variation,
            left=left,
            top=y,
            size=icon,
            alt=signal.variation_alt,
        )
        if signal.assurance:
            draw_icon(
                page,
                kind="assurance",
                value=signal.assurance,
                left=left + icon + Inches(0.05),
                top=y,
                size=icon,
                alt=signal.assurance_alt,
            )
        text_left = left + 2 * icon + Inches(0.15)
        box = page.shapes.add_textbox(
            text_left, y, Emu(int(column_width - 2 * icon - Inches(0.15))), row_height
        )
        frame = box.text_frame
        frame.word_wrap = True
        frame.margin_top = frame.margin_bottom = 0
        label = frame.paragraphs[0].add_run()
        label.text = f"{signal.label}: "
        label.font.bold = True
        rest = frame.paragraphs[0].add_run()
        rest.text = signal.words
        frame.paragraphs[0].font.size = Pt(9)
        frame.paragraphs[0].font.color.rgb = INK
        for run in (label, rest):
            run.font.size = Pt(9)
            run.font.color.rgb = INK


def _table_slides(deck, pack: Pack, slide: Slide, table: Table) -> None:
    wordy = any(len(str(value)) > LONG_CELL for row in table.rows for value in row)
    pages = _pages_by_height(table) if wordy else table_pages(table.rows, TABLE_ROWS)
    for number, rows in enumerate(pages, start=1):
        more = f" ({number} of {len(pages)})" if len(pages) > 1 else ""
        page = _new_slide(deck, pack, slide, f"Data: {table.caption}{more}")
        shape = page.shapes.add_table(
            len(rows) + 1,
            len(table.columns),
            MARGIN,
            Inches(1.4),
            WIDTH - 2 * MARGIN,
            Emu(Inches(0.36) * (len(rows) + 1)),
        )
        shape._element.nvGraphicFramePr.cNvPr.set("descr", table.caption)
        grid = shape.table
        if wordy:
            total = WIDTH - 2 * MARGIN
            for column, share in zip(grid.columns, _column_weights(table), strict=True):
                column.width = Emu(int(total * share))
        for col, (header, _kind) in enumerate(table.columns):
            _cell(grid.cell(0, col), header, bold=True)
        for r, row in enumerate(rows, start=1):
            for col, (value, (_header, kind)) in enumerate(
                zip(row, table.columns, strict=True)
            ):
                _cell(
                    grid.cell(r, col),
                    cell_text(value, kind),
                    right=kind != "text",
                    size=10 if wordy else 12,
                )
        page.notes_slide.notes_text_frame.text = (
            f"Table: {table.caption}{more}. {slide.summary}"
        )


def _column_weights(table: Table) -> list[float]:
    """Each column's share of the width, by its longest text (within bounds)."""
    longest = [
        max([len(header)] + [len(cell_text(row[i], kind)) for row in table.rows])
        for i, (header, kind) in enumerate(table.columns)
    ]
    # at least 15: a year ("2016/17") and its cell margins on one line
    weights = [min(max(n, 15), 70) for n in longest]
    return [w / sum(weights) for w in weights]


def _pages_by_height(table: Table) -> list[list]:
    """Rows in slides by their estimated height in lines of 10 pt type: a cell of
    n characters in a column c characters wide wraps to ceil(n / c) lines."""
    inches = (WIDTH - 2 * MARGIN) / 914400
    widths = [
        max(int(share * inches * CHARS_PER_INCH) - 1, 4)
        for share in _column_weights(table)
    ]
    pages: list[list] = [[]]
    used = 1  # the header row
    for row in table.rows:
        lines = max(
            -(-len(cell_text(v, kind)) // width) or 1
            for v, (_h, kind), width in zip(row, table.columns, widths, strict=True)
        )
        if pages[-1] and used + lines > LINES_PER_SLIDE:
            pages.append([])
            used = 1
        pages[-1].append(row)
        used += lines
    return pages


def _cell(
    cell, text: str, *, bold: bool = False, right: bool = False, size: int = 12
) -> None:
    cell.text = text
    paragraph = cell.text_frame.paragraphs[0]
    paragraph.font.size = Pt(size)
    paragraph.font.bold = bold
    if right:
        paragraph.alignment = PP_ALIGN.RIGHT


__all__ = ["render_pptx"]
