"""The board pack as an accessible PDF: WeasyPrint's PDF/UA-1 variant writes a tagged
PDF (structure tree with H1/H2, P, Table/TH/TD, Figure with its alternative text),
the document language (/Lang en-GB) and title, selectable text and vector charts
(web/pack_svg.py) and, on a success measure's page, its Making Data Count variation
icon (components.spc_icons, a Figure with its alternative text) beside its words;
the workstream signals page has each measure's variation and assurance icons.
Every page carries the stamp (web/pack_text.py) in its footer.

render_pdf(pack) -> bytes. The figures are the pack model's
(data_access/board_pack.py); nothing is computed here.
"""

from __future__ import annotations

import base64
from html import escape

from components.spc_icons import assurance_svg, variation_svg
from data_access.board_pack import Pack, Slide, Table
from data_access.periods import long_date
from web.pack_svg import chart_svg
from web.pack_text import ILLUSTRATIVE, cell_text, slide_stamp, stamp_line

CSS = """
@page { size: A4 landscape; margin: 14mm 14mm 24mm 14mm;
  @bottom-left { content: "%(stamp)s"; font-family: "DejaVu Sans", sans-serif;
    font-size: 7pt; color: #505a5f;
    vertical-align: top; width: 85%%; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages);
    font-family: "DejaVu Sans", sans-serif; font-size: 7pt; color: #505a5f;
    vertical-align: top; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; color: #0b0c0c; }
h1 { font-size: 20pt; margin: 0 0 6mm; }
h2 { font-size: 14pt; margin: 0 0 3mm; }
section.slide { break-before: page; }
.columns { display: flex; gap: 6mm; }
.columns > img { width: 165mm; height: auto; }
.points { flex: 1; }
.variation { display: flex; gap: 2.5mm; align-items: flex-start; margin: 0 0 2mm; }
.variation img { width: 10mm; height: 10mm; flex: none; }
ul.signals { columns: 2; column-gap: 8mm; list-style: none; padding: 0;
  font-size: 9pt; }
ul.signals li { display: flex; gap: 2mm; align-items: flex-start;
  break-inside: avoid; margin-bottom: 2mm; }
ul.signals img { width: 7mm; height: 7mm; flex: none; }
.illustrative { font-weight: bold; border: 1.5pt solid #0b0c0c; padding: 1mm 2mm;
  display: inline-block; }
table { border-collapse: collapse; margin-top: 3mm; font-size: 10pt;
  break-before: page; break-inside: avoid; }
caption { text-align: left; font-weight: bold; margin-bottom: 1.5mm; }
th, td { border-bottom: 0.5pt solid #b1b4b6; padding: 1mm 2.5mm; }
th { text-align: left; }
td.num { text-align: right; }
.sources { font-size: 8pt; color: #505a5f; }
"""


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def render_pdf(pack: Pack) -> bytes:
    import weasyprint  # imported here: only pack makers pay its start-up

    html = pack_html(pack)
    return weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def pack_html(pack: Pack) -> str:
    footer = stamp_line(pack)
    if pack.illustrative:
        footer += f" · {ILLUSTRATIVE}: marked figures are not official statistics"
    css = CSS % {"stamp": _css_string(footer)}
    body = [_title_page(pack)]
    body += [_slide(pack, slide) for slide in pack.slides]
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{escape(pack.title)}</title>"
        f'<meta name="author" content="{escape(pack.made_by)}">'
        f'<meta name="description" content="{escape(pack.filters())}">'
        f"<style>{css}</style></head><body>" + "".join(body) + "</body></html>"
    )


def _title_page(pack: Pack) -> str:
    items = "".join(f"<li>{escape(s.title)}</li>" for s in pack.slides)
    omitted = "".join(f"<li>{escape(reason)}</li>" for reason in pack.omitted)
    stamp = "".join(f"<p>{escape(line)}</p>" for line in slide_stamp(pack, None))
    return (
        f"<h1>{escape(pack.title)}</h1>"
        f"<p>Made {long_date(pack.made_at)} at {pack.made_at:%H:%M} UTC"
        f" by {escape(pack.made_by)}.</p>"
        f"<p>{escape(pack.filters())}.</p>"
        + (f"<h2>Contents</h2><ul>{items}</ul>" if items else "<p>No sections.</p>")
        + (f"<h2>Not included</h2><ul>{omitted}</ul>" if omitted else "")
        + f'<div class="sources">{stamp}</div>'
    )


def _slide(pack: Pack, slide: Slide) -> str:
    parts = [f'<section class="slide"><h2>{escape(slide.title)}</h2>']
    if slide.illustrative:
        parts.append(f'<p class="illustrative">{ILLUSTRATIVE}</p>')
    points = "".join(f"<li>{escape(p)}</li>" for p in slide.points)
    if slide.chart is not None:
        svg = base64.b64encode(chart_svg(slide.chart).encode()).decode()
        parts.append(
            '<div class="columns">'
            f'<img src="data:image/svg+xml;base64,{svg}" '
            f'alt="{escape(slide.chart.alt)}">'
            f'<div class="points">{_variation(slide)}<ul>{points}</ul></div></div>'
        )
    else:
        parts.append(f"{_variation(slide)}<ul>{points}</ul>{_signals(slide)}")
    if slide.table is not None:
        parts.append(_table(slide.table))
    if slide.sources:
        parts.append(
            f'<p class="sources">Sources: {escape("; ".join(slide.sources))}</p>'
        )
    parts.append("</section>")
    return "".join(parts)


def _variation(slide: Slide) -> str:
    """The variation icon (components.spc_icons, as on the pages) and its words."""
    if not slide.variation:
        return ""
    icon = _icon(variation_svg(slide.variation), slide.variation_alt)
    words = escape(slide.variation_words or "")
    return f'<p class="variation">{icon}<span>{words}</span></p>'


def _icon(svg: str, alt: str) -> str:
    data = base64.b64encode(svg.encode()).decode()
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{escape(alt)}">'


def _signals(slide: Slide) -> str:
    """Each series' variation and assurance icons beside its words."""
    items = []
    for signal in slide.signals:
        icons = _icon(variation_svg(signal.variation), signal.variation_alt)
        if signal.assurance:
            icons += _icon(assurance_svg(signal.assurance), signal.assurance_alt)
        items.append(
            f"<li>{icons}<span><strong>{escape(signal.label)}</strong>: "
            f"{escape(signal.words)}</span></li>"
        )
    return f'<ul class="signals">{"".join(items)}</ul>' if items else ""


def _table(table: Table) -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h, _kind in table.columns)
    rows = []
    for row in table.rows:
        cells = []
        for i, (value, (_header, kind)) in enumerate(
            zip(row, table.columns, strict=True)
        ):
            text = escape(cell_text(value, kind))
            if i == 0:
                cells.append(f'<th scope="row">{text}</th>')
            else:
                cells.append(
                    f'<td class="{"num" if kind != "text" else ""}">{text}</td>'
                )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption>{escape(table.caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


__all__ = ["pack_html", "render_pdf"]
