"""Annotations in board packs (issue 16 item 6), in a copy of the shipped store: a
success measure's slide marks each annotation the pack's reader may see on its
chart (SVG for the PDF and meeting mode, connectors over the PowerPoint chart), in
its data table and in its words; a pack "for publication" shows only annotations
marked public (a private canary must not appear anywhere in it).

Expected years worked by hand: 14 March 2021 lies in 2020/21 (1 April 2020 to
31 March 2021), 2 October 2017 in 2017/18.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import shutil

import pytest
from pptx import Presentation

from data_access import annotations, board_pack, db, pack_events
from data_access.areas import get_area
from data_access.scope import SYSTEM, Scope
from web import pack_pptx, pack_svg
from web.pack_pdf import pack_html

AVON = "E23000036"
VIEWER = Scope(role="viewer", area_codes=frozenset({AVON}), actor="Board Member")
PUBLIC_LABEL = "Operation Sceptre <b>week</b> of action"
CANARY = "Canary private review"
PUBLIC_TEXT = f"14 March 2021: {PUBLIC_LABEL} (operation)"
CANARY_TEXT = f"2 October 2017: {CANARY} (campaign)"


@pytest.fixture
def annotated(_loaded_urls, tmp_path, monkeypatch):
    copy = tmp_path / "store.sqlite3"
    shutil.copyfile(_loaded_urls("sqlite").removeprefix("sqlite:///"), copy)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{copy}")
    db.reset_engine()
    admin = Scope(role="admin", actor="VRU Director")
    # public, tied to knife offences; private, tied to no measure (every chart)
    annotations.add_annotation(
        scope=admin,
        area_code=AVON,
        event_date=dt.date(2021, 3, 14),
        label=PUBLIC_LABEL,
        kind="operation",
        measure_code="knife_offences",
        is_public=True,
    )
    annotations.add_annotation(
        scope=admin,
        area_code=AVON,
        event_date=dt.date(2017, 10, 2),
        label=CANARY,
        kind="campaign",
        is_public=False,
    )
    yield
    db.reset_engine()


def _slide(pack, code):
    return next(s for s in pack.slides if s.measure_code == code)


def test_annotations_on_pack_slides_by_audience(annotated):
    # For publication (the whole measures section, as the maker makes it): the
    # public annotation only; the canary nowhere.
    public = board_pack.build_pack(
        scope=SYSTEM,
        vru_code=AVON,
        quarter_start="2025-07",
        audience="publication",
        sections=["measures"],
        made_at=dt.datetime(2025, 11, 22, 9, 30),
    )
    assert [t for *_x, t in _slide(public, "knife_offences").chart.marks] == [
        PUBLIC_TEXT
    ]
    assert not _slide(public, "homicide_knife").chart.marks
    html = pack_html(public)
    assert "Operation Sceptre" in html
    for text in (html, repr(public)):
        assert not re.search("canary", text, re.IGNORECASE)

    # Internal, read by a viewer of the VRU: both (one slide, to keep it quick).
    knife = board_pack._measure_slide(
        VIEWER, get_area(AVON), dt.date(2025, 7, 1), "knife_offences", None
    )
    assert knife.chart.marks == (
        ("2017/18", f"Campaign: {CANARY}", CANARY_TEXT),
        ("2020/21", "Operation: Operation Sceptre <b>week</b> of action", PUBLIC_TEXT),
    )
    # The table's last column holds each year's events, the words list them all.
    assert knife.table.columns[-1] == ("Marked events", "text")
    events = {row[0]: row[-1] for row in knife.table.rows}
    assert events["2017/18"] == CANARY_TEXT and events["2020/21"] == PUBLIC_TEXT
    assert sum(bool(text) for text in events.values()) == 2
    sentence = f"Marked events: {CANARY_TEXT}; {PUBLIC_TEXT}."
    assert sentence in knife.points and sentence in knife.summary
    # An annotation tied to no measure shows on every measure's chart; one tied
    # to knife offences only there.
    years = knife.chart.categories
    homicide = pack_events.year_events(VIEWER, AVON, "homicide_knife", years)
    assert [text for *_x, text in homicide.marks] == [CANARY_TEXT]

    # SVG (PDF, meeting mode): a dashed line in the middle of the event's year,
    # its label escaped, its full text as the line's title.
    svg = pack_svg.chart_svg(knife.chart)
    step = (pack_svg.WIDTH - pack_svg.LEFT - pack_svg.RIGHT) / len(
        knife.chart.categories
    )
    at = knife.chart.categories.index("2020/21")
    x = f"{pack_svg.LEFT + step * (at + 0.5):.1f}"
    assert f'<line x1="{x}" x2="{x}"' in svg
    assert "<title>14 March 2021: Operation Sceptre &lt;b&gt;week" in svg
    assert "<b>" not in svg

    # PowerPoint: a dashed connector over the chart at the year, its alternative
    # text the annotation's text, the plot's inner area pinned (PLOT_BOX).
    internal = dataclasses.replace(public, audience="internal", slides=[knife])
    deck = Presentation(io.BytesIO(pack_pptx.render_pptx(internal)))
    page = next(p for p in deck.slides if any(s.has_chart for s in p.shapes))
    frame = next(s for s in page.shapes if s.has_chart)
    lines = [s for s in page.shapes if s.name == "Marked event"]
    descr = [s._element.xpath("p:nvCxnSpPr/p:cNvPr/@descr")[0] for s in lines]
    assert descr == [CANARY_TEXT, PUBLIC_TEXT]
    x0, _y, w, _h = pack_pptx.PLOT_BOX
    year_width = frame.width * w / len(knife.chart.categories)
    for line, year in zip(lines, ("2017/18", "2020/21"), strict=True):
        at = knife.chart.categories.index(year)
        assert line.begin_x == line.end_x
        assert (
            abs(
                line.begin_x - (frame.left + frame.width * x0 + year_width * (at + 0.5))
            )
            <= 1
        )
    xml = frame.chart._chartSpace
    assert xml.xpath("c:chart/c:plotArea/c:layout/c:manualLayout/c:x/@val") == [str(x0)]
    assert xml.xpath("c:chart/c:plotArea/c:valAx/c:crossBetween/@val") == ["between"]
