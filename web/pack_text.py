"""What every board pack renderer writes the same way: the stamp on each slide or
page, and a table cell as text (components.formatting, as the pages write numbers).
Used by web/pack_pptx.py, web/pack_pdf.py and pages/present.py."""

from __future__ import annotations

from components.formatting import is_missing, money, number, percent, rate
from data_access.board_pack import Pack, Slide
from data_access.periods import short_date

ILLUSTRATIVE = "Illustrative data"


def cell_text(value, kind: str) -> str:
    """One table cell as the pages write it: "*" for a figure hidden by disclosure
    control, "–" for a missing one."""
    if kind == "text":
        return "" if is_missing(value) else str(value)
    if kind == "count":
        return number(value)
    if kind == "rate":
        return rate(value)
    if kind == "money":
        return money(value)
    if kind == "percent":
        return percent(value, 0)
    raise ValueError(f"unknown column kind {kind!r}")


def stamp_line(pack: Pack) -> str:
    """VRU, as-at quarter, date made and filters: on every slide and page."""
    return (
        f"{pack.vru_name} VRU · As at {pack.quarter_label} · "
        f"Made {short_date(pack.made_at)} {pack.made_at:%H:%M} UTC · {pack.filters()}"
    )


def slide_stamp(pack: Pack, slide: Slide | None) -> list[str]:
    """The stamp lines of one slide (None: the title slide, stamped with the
    whole pack's illustrative flag and sources)."""
    illustrative = pack.illustrative if slide is None else slide.illustrative
    sources = pack.sources if slide is None else slide.sources
    lines = [stamp_line(pack)]
    if illustrative:
        lines.append(
            f"{ILLUSTRATIVE}: figures on this "
            f"{'pack' if slide is None else 'slide'} include illustrative data, not "
            "official statistics."
        )
    if sources:
        lines.append("Sources: " + "; ".join(sources))
    return lines


def table_pages(rows: list, size: int) -> list[list]:
    """Rows in pages of at most `size` (at least one page, even when empty)."""
    return [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]
