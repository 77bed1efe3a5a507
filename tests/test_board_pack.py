"""Board packs (data_access/board_pack.py, web/pack_pptx.py, web/pack_pdf.py,
data_access/pack_records.py, web/board_pack.py) over the shipped data.

The PowerPoint is opened with python-pptx and the PDF with pikepdf and pdftotext:
every chart's series must hold the figures the pages' own view functions give the
pack's audience (trend_view, money_forecast / quarter_spend, reach_by_tier,
workstream_list), called here directly; every chart has alternative text and notes;
every slide and page carries the stamp; the PDF is tagged (structure tree with
headings, table headers and figures with /Alt), with /Lang and a title.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
import subprocess

import pikepdf
import pytest
from pptx import Presentation
from sqlalchemy import delete, select

from components.formatting import money as money_words
from data_access import (
    board_overview,
    board_pack,
    db,
    pack_records,
    periods,
    trend_spc,
    workstreams,
)
from data_access.errors import AccessDenied, InvalidParameter
from data_access.models import AuditLog
from data_access.money import outturn, spending
from data_access.outcomes.trend_views import trend_view
from data_access.pack_models import BoardPack
from data_access.scope import PUBLIC, SYSTEM, Scope
from web import pack_svg
from web.pack_pdf import pack_html as render_pdf_html
from web.pack_pdf import render_pdf
from web.pack_pptx import render_pptx
from web.pack_svg import chart_svg

AVON, WEST_MIDLANDS = "E23000036", "E23000014"
QUARTER = "2025-07"  # 2025/26 Q2; the tests' clock is 22 Nov 2025
VIEWER = Scope(role="viewer", area_codes=frozenset({AVON}), actor="Board Member")
MADE_AT = dt.datetime(2025, 11, 22, 9, 30)


def _pack(scope=VIEWER, audience="internal", **kwargs):
    return board_pack.build_pack(
        scope=scope,
        vru_code=AVON,
        quarter_start=QUARTER,
        audience=audience,
        made_at=MADE_AT,
        **kwargs,
    )


def _clean(values):
    return [
        None if v is None or (isinstance(v, float) and math.isnan(v)) else v
        for v in values
    ]


def _measure_view(reader: Scope, code: str) -> dict:
    """trend_view as /violence shows it to `reader`, over the pack's ten years
    (once per test run: the loaded store does not change)."""
    key = (reader, code, db.get_engine().url.render_as_string())
    if key not in _VIEWS:
        _VIEWS[key] = _fresh_view(reader, code)
    return _VIEWS[key]


_VIEWS: dict = {}


def _fresh_view(reader: Scope, code: str) -> dict:
    return trend_view(
        scope=reader,
        measure_code=code,
        area_code=AVON,
        length="year",
        start=dt.date(2015, 4, 1),
        end=dt.date(2025, 9, 30),
    )


def _every_year(labels) -> list[str]:
    """Every financial year label ("2016/17") from the first to the last given."""
    years = sorted(int(label[:4]) for label in labels)
    return [f"{y}/{(y + 1) % 100:02d}" for y in range(years[0], years[-1] + 1)]


def _expected_measure_series(reader: Scope, code: str) -> tuple[list, list, list]:
    """(periods, area rates, benchmark rates) straight from trend_view, as
    /violence shows them to `reader`, over the pack's ten years: every year from
    the first figure to the last (a year with none is a gap, None)."""
    series = _measure_view(reader, code)["series"]
    rate = {
        (role, p): float(v)
        for role, p, v in zip(
            series["role"], series["period"], series["rate"], strict=True
        )
    }
    periods = _every_year(series["period"])
    return (
        periods,
        _clean([rate.get(("area", p)) for p in periods]),
        _clean([rate.get(("benchmark", p)) for p in periods]),
    )


def _illustrative_periods(reader: Scope, code: str, role: str = "area") -> set:
    series = _measure_view(reader, code)["series"]
    mine = series[(series["role"] == role) & series["illustrative"].astype(bool)]
    return set(mine["period"])


def _merged(*lines) -> list:
    """One value per period from lines that are None wherever another has one."""
    out = []
    for values in zip(*lines, strict=True):
        given = [v for v in values if v is not None]
        assert len(given) <= 1, "two lines carry a figure for one period"
        out.append(given[0] if given else None)
    return out


def _line_series(plot, name: str) -> list:
    """The values of the published line and of the illustrative line (None where
    absent) of one of the chart's lines, by name, merged into one list."""
    lines = [
        list(series.values)
        for series in plot.series
        if series.name.split(",")[0].removesuffix(" (illustrative)") == name
    ]
    return _merged(*lines)


def _assert_never_joined(categories, lines, illustrative: set) -> None:
    """Each line joins only figures in adjacent periods (blanks are gaps), and
    never a published figure to an illustrative one: so every line holds
    published figures only or illustrative figures only."""
    for values in lines:
        kinds = {
            categories[i] in illustrative for i, v in enumerate(values) if v is not None
        }
        assert len(kinds) <= 1, "a line joins published and illustrative figures"


def _chart_slides(deck):
    for page in deck.slides:
        for shape in page.shapes:
            if shape.has_chart:
                yield page, shape


def _approx_equal(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        if w is None:
            assert g is None
        else:
            assert g == pytest.approx(w, rel=1e-9)


def test_a_pack_names_its_quarter_by_any_day_of_it():
    """The board pack reads its quarter with the returns' own parser
    (periods.parse_quarter), leniently: any month or day of the quarter."""

    def quarter(text):
        return periods.parse_quarter(text, parameter="quarter", any_day=True)

    assert quarter("2026-07") == quarter("2026-09") == dt.date(2026, 7, 1)
    assert quarter("2026-09-17") == quarter("2026/27 Q2") == dt.date(2026, 7, 1)
    assert quarter(dt.date(2026, 8, 3)) == dt.date(2026, 7, 1)
    assert quarter("2026/27 Q4") == dt.date(2027, 1, 1)
    for bad in ("2026-13", "soon", "", "2026/27 Q5", "2026/28 Q1", "2026-02-30"):
        with pytest.raises(InvalidParameter) as refused:
            quarter(bad)
        assert refused.value.parameter == "quarter"


def test_a_pack_for_a_quarter_that_is_not_one_is_refused_naming_the_quarter(
    loaded_store,
):
    def pack(quarter):
        return board_pack.build_pack(scope=VIEWER, vru_code=AVON, quarter_start=quarter)

    with pytest.raises(InvalidParameter) as refused:
        pack("2026/27 Q5")
    assert refused.value.parameter == "quarter"
    assert pack("2025-08-14").quarter_start == dt.date(2025, 7, 1)


FIGURES = ["measures", "money", "reach", "workstreams"]


def test_pptx_charts_carry_the_store_figures_for_the_audience(loaded_store):
    pack = _pack(sections=FIGURES)
    deck = Presentation(io.BytesIO(render_pptx(pack)))
    charts = list(_chart_slides(deck))
    assert len(charts) == len([s for s in pack.slides if s.chart]) == 6
    codes = [s.measure_code for s in pack.slides if s.section == "measures"]
    assert codes == ["hospital_admissions_knife", "knife_offences", "homicide_knife"]
    for (_page, shape), code in zip(charts[:3], codes, strict=False):
        periods, area, bench = _expected_measure_series(VIEWER, code)
        plot = shape.chart.plots[0]
        assert list(plot.categories) == periods
        # Ten years at most, up to the last complete before the quarter's end.
        assert 5 <= len(periods) <= 10 and periods[-1] == "2024/25"
        _approx_equal(_line_series(plot, "Avon and Somerset"), area)
        bench_name = _measure_view(VIEWER, code)["benchmark_name"]
        _approx_equal(_line_series(plot, bench_name), bench)
        # Published and illustrative figures on separate lines, never joined,
        # illustrative ones dashed; blank cells are gaps.
        for role, name in (("area", "Avon and Somerset"), ("benchmark", bench_name)):
            _assert_never_joined(
                periods,
                [list(x.values) for x in plot.series if x.name.startswith(name)],
                _illustrative_periods(VIEWER, code, role),
            )
        assert shape.chart._chartSpace.xpath("c:chart/c:dispBlanksAs/@val") == ["gap"]
        # The data table says which figures are illustrative, year by year.
        flagged = _illustrative_periods(VIEWER, code)
        table = next(s for s in pack.slides if s.measure_code == code).table
        assert [row[0] for row in table.rows] == periods
        series = _measure_view(VIEWER, code)["series"]
        listed = set(series.loc[series["role"] == "area", "period"])
        assert [row[-1] for row in table.rows] == [
            "No figure published"
            if p not in listed
            else "Illustrative"
            if p in flagged
            else "Published"
            for p in periods
        ]
        # The variation icon and words: /violence's SPC verdict, on the quarterly
        # view for knife offences (published by quarter: ten years cut at the
        # funding step leave too few points), else on the chart's yearly view.
        judged = (
            trend_view(
                scope=VIEWER,
                measure_code=code,
                area_code=AVON,
                length="quarter",
                end=dt.date(2025, 9, 30),
            )
            if code == "knife_offences"
            else _measure_view(VIEWER, code)
        )
        verdict = trend_spc.trend_spc(judged)
        slide = next(s for s in pack.slides if s.measure_code == code)
        assert slide.variation == verdict["variation"]
        assert verdict["variation_words"] in slide.variation_words
        if code == "knife_offences":
            assert slide.variation != "not assessed"
            assert (
                ", judged on 2008/09 Q1 to 2025/26 Q2 quarterly figures (the chart "
                "shows financial years)" in slide.variation_words
            )
        else:
            assert " financial-year figures" in slide.variation_words
        assert slide.variation_words in slide.summary
        (icon,) = [s for s in _page.shapes if s.name == "Variation icon"]
        assert icon._element.xpath("p:nvGrpSpPr/p:cNvPr/@descr") == [
            slide.variation_alt
        ]
        assert any(
            s.has_text_frame and s.text_frame.text == slide.variation_words
            for s in _page.shapes
        )
        for series in plot.series:
            dashes = series._element.xpath("c:spPr/a:ln/a:prstDash/@val")
            assert dashes == (["dash"] if "(illustrative)" in series.name else [])
    # Money: the spend of 2025/26 by quarter and the forecast of the same year.
    spend = spending.quarter_spend(scope=VIEWER, area_code=AVON)
    spend = spend[spend["financial_year"] == 2025]
    want = {
        int(q): float(a) for q, a in zip(spend["quarter"], spend["amount"], strict=True)
    }
    got = list(charts[3][1].chart.plots[0].series[0].values)
    _approx_equal(got, [want.get(q) for q in range(1, 5)])
    forecast = outturn.money_forecast(scope=VIEWER, area_code=AVON, financial_year=2025)
    money_slide = next(s for s in pack.slides if s.section == "money")
    assert money_slide.table.rows[2][1] == forecast["forecast_outturn"]
    # Reach by tier, as the overview shows it.
    reach = board_overview.reach_by_tier(scope=VIEWER, area_code=AVON)
    _approx_equal(
        list(charts[4][1].chart.plots[0].series[0].values),
        [float(v) for v in reach["tiers"]["young_people"]],
    )
    # Workstream RAG counts, as /workstreams lists them at the quarter's end.
    listed = workstreams.workstream_list(
        scope=VIEWER, area_code=AVON, as_at=dt.date(2025, 9, 30)
    )
    rag = charts[5][1].chart
    assert list(rag.plots[0].categories) == listed["name"].tolist()
    for series, key in zip(
        rag.plots[0].series, ("green", "amber", "red", "other"), strict=True
    ):
        assert list(series.values) == [float(v) for v in listed[key]]
    # Alternative text, notes, and a data table on the slide after each chart.
    slides = list(deck.slides)
    for page, shape in charts:
        descr = shape._element.nvGraphicFramePr.cNvPr.get("descr")
        assert descr and len(descr) > 40
        assert page.has_notes_slide and page.notes_slide.notes_text_frame.text.strip()
        following = slides[slides.index(page) + 1]
        assert any(s.has_table for s in following.shapes)
        assert following.shapes.title.text.startswith("Data: ")
    # The stamp on every slide: VRU, as-at quarter, date made, filters, sources,
    # and "Illustrative data" (the shipped series after 2019 are illustrative).
    for page in deck.slides:
        stamp = next(s for s in page.shapes if s.name == "Stamp").text_frame.text
        assert (
            "Avon and Somerset VRU · As at 2025/26 Q2 · Made 22 Nov 2025 09:30 UTC"
            in stamp
        )
        assert "Audience: internal" in stamp and "sections: Success measures" in stamp
        assert "Illustrative data" in stamp and "Sources: " in stamp


def test_publication_pack_passes_the_public_disclosure_rules(loaded_sqlite_store):
    # Made by an admin, who sees figures before disclosure control.
    public = _pack(scope=SYSTEM, audience="publication")
    internal = _pack(scope=SYSTEM, sections=["measures"])
    assert [s.section for s in public.slides] == ["measures"] * 3
    assert len(public.omitted) == 7 and "restricted" in public.omitted[0]
    deck = Presentation(io.BytesIO(render_pptx(public)))
    differs = False
    for (_page, shape), slide in zip(_chart_slides(deck), public.slides, strict=True):
        _periods, area, _bench = _expected_measure_series(PUBLIC, slide.measure_code)
        _approx_equal(_line_series(shape.chart.plots[0], "Avon and Somerset"), area)
        _p, unrestricted, _b = _expected_measure_series(SYSTEM, slide.measure_code)
        differs |= area != unrestricted
    # Rounding to 5 (and suppression) changes what the public sees.
    assert differs
    assert internal.slides[0].chart.series != public.slides[0].chart.series


def test_maker_needs_the_vru_in_scope(loaded_sqlite_store):
    outsider = Scope(role="viewer", area_codes=frozenset({WEST_MIDLANDS}))
    for scope in (outsider, PUBLIC):
        for audience in ("internal", "publication"):
            with pytest.raises(AccessDenied):
                _pack(scope=scope, audience=audience)
    with pytest.raises(InvalidParameter):
        _pack(sections=["measures", "gossip"])
    with pytest.raises(InvalidParameter):
        board_pack.build_pack(scope=SYSTEM, vru_code="E92000001", quarter_start=QUARTER)


def _tags(node, found):
    tag = node.get("/S")
    if tag is not None:
        found.append((str(tag), str(node.get("/Alt", ""))))
    kids = node.get("/K")
    if isinstance(kids, pikepdf.Array):
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary):
                _tags(kid, found)
    elif isinstance(kids, pikepdf.Dictionary):
        _tags(kids, found)
    return found


def test_pdf_is_tagged_and_holds_the_same_figures(loaded_sqlite_store):
    pack = _pack(sections=["measures", "money"])
    content = render_pdf(pack)
    pdf = pikepdf.open(io.BytesIO(content))
    assert str(pdf.Root.Lang) == "en-GB"
    assert pdf.Root.MarkInfo.Marked
    assert str(pdf.docinfo["/Title"]) == pack.title
    tags = _tags(pdf.Root.StructTreeRoot, [])
    names = [t for t, _ in tags]
    assert names.count("/H1") == 1
    assert names.count("/H2") >= len(pack.slides)
    assert names.count("/Table") == len(pack.slides)
    assert "/TH" in names and "/TD" in names
    figures = [alt for t, alt in tags if t == "/Figure"]
    # Each chart, and each success measure's variation icon after it.
    assert figures == [
        alt
        for s in pack.slides
        for alt in [s.chart.alt] + ([s.variation_alt] if s.variation else [])
    ]
    assert sum(s.variation is not None for s in pack.slides) == 3
    # The SVG charts never join a published figure to an illustrative one: each
    # polyline runs through adjacent periods, of one kind (by the line's colour).
    colours = {"area": ("#1d70b8", "#5694ca"), "benchmark": ("#505a5f", "#6f777b")}
    for slide in pack.slides[:3]:
        categories = slide.chart.categories
        drawn = _drawn_lines(chart_svg(slide.chart), categories, with_colour=True)
        assert drawn
        for role, shades in colours.items():
            lines = [line for colour, line in drawn if colour in shades]
            for line in lines:
                assert line == list(range(line[0], line[-1] + 1))
            _assert_never_joined(
                categories,
                [[i in line or None for i in range(len(categories))] for line in lines],
                _illustrative_periods(VIEWER, slide.measure_code, role),
            )
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    pages = text.split("\f")[:-1]
    assert len(pages) == len(pdf.pages)
    for page in pages:
        assert "Avon and Somerset VRU · As at 2025/26 Q2 · Made 22 Nov 2025" in page
    flat = " ".join(text.split())
    # The knife offences rates as /violence shows this viewer, one decimal place.
    _periods, area, _bench = _expected_measure_series(VIEWER, "knife_offences")
    for value in area:
        assert f"{value:,.1f}" in flat
    forecast = outturn.money_forecast(scope=VIEWER, area_code=AVON, financial_year=2025)
    assert (
        f"Forecast outturn by 31 March {money_words(forecast['forecast_outturn'])}"
        in flat
    )


@pytest.fixture
def packs_cleaned(loaded_store):
    """No recorded packs before the test, and none left after it: the loaded store
    is shared, and other tests (the access matrix, the wide-tables page test) make
    packs in it too, which in the full suite showed up in this test's list."""

    def remove_packs() -> None:
        with db.session_scope() as session:
            session.execute(delete(BoardPack))
            session.execute(
                delete(AuditLog).where(AuditLog.action == "make_board_pack")
            )

    remove_packs()
    yield loaded_store
    remove_packs()


def test_packs_are_kept_with_sha256_and_access_checked(packs_cleaned):
    from web.board_pack import make_pack

    record, content = make_pack(
        scope=VIEWER, vru_code=AVON, quarter=QUARTER, fmt="pptx", sections=["reach"]
    )
    assert record.sha256 == hashlib.sha256(content).hexdigest()
    assert record.made_by == "Board Member" and record.sections == ["reach"]
    kept, again = pack_records.get_pack(scope=VIEWER, pack_id=record.id)
    assert again == content and kept == record
    assert [p.id for p in pack_records.list_packs(scope=VIEWER)] == [record.id]
    outsider = Scope(role="viewer", area_codes=frozenset({WEST_MIDLANDS}))
    assert pack_records.list_packs(scope=outsider) == []
    with pytest.raises(AccessDenied):
        pack_records.get_pack(scope=outsider, pack_id=record.id)
    with pytest.raises(AccessDenied):
        pack_records.list_packs(scope=outsider, vru_code=AVON)
    with pytest.raises(AccessDenied):
        pack_records.get_pack(scope=PUBLIC, pack_id=record.id)
    with db.session_scope() as session:
        entry = session.scalars(
            select(AuditLog).where(AuditLog.action == "make_board_pack")
        ).one()
        assert entry.entity_id == str(record.id) and record.sha256 in entry.after


def test_command_line_writes_and_records_a_pack(packs_cleaned, tmp_path):
    from app import app

    out = tmp_path / "pack.pdf"
    result = app.server.test_cli_runner().invoke(
        args=[
            "board-pack",
            "--vru",
            AVON,
            "--quarter",
            QUARTER,
            "--format",
            "pdf",
            "--out",
            str(out),
            "--section",
            "reach",
            "--actor",
            "Scheduler",
        ]
    )
    assert result.exit_code == 0, result.output
    content = out.read_bytes()
    assert content.startswith(b"%PDF")
    (kept,) = pack_records.list_packs(scope=SYSTEM)
    assert kept.sha256 == hashlib.sha256(content).hexdigest() in result.output
    assert kept.made_by == "Scheduler" and kept.format == "pdf"
    bad = app.server.test_cli_runner().invoke(
        args=[
            "board-pack",
            "--vru",
            AVON,
            "--quarter",
            "2025-13",
            "--format",
            "pdf",
            "--out",
            str(tmp_path / "x.pdf"),
        ]
    )
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output
    assert not (tmp_path / "x.pdf").exists()


def _slide_texts(deck) -> list[str]:
    texts = []
    for page in deck.slides:
        parts = []
        for shape in page.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [c.text for row in shape.table.rows for c in row.cells]
        texts.append("\n".join(parts))
    return texts


def test_the_boards_record_in_the_pack(store):
    """Since the last board, commentary and open actions, on the board cycle's
    small store (tests/data_access/board_store.py: hand-set arrivals)."""
    from data_access import board, commentary
    from tests.data_access import board_store as bs

    s = bs.build()["scopes"]
    for day in ("2025-06-01", "2026-02-01"):
        board.add_meeting(scope=s["admin"], vru_code=bs.AVON, meeting_date=day)
    commentary.write_commentary(
        scope=s["analyst"],
        vru_code=bs.AVON,
        measure_code=bs.KNIFE,
        quarter_start="2025-07-01",
        text="Rising since 2024/25 Q2; the <b>hub</b> reviews it.",
    )
    commentary.sign_off(
        scope=s["admin"],
        vru_code=bs.AVON,
        measure_code=bs.KNIFE,
        quarter_start="2025-07-01",
        version=1,
    )
    board.record_action(
        scope=s["admin"],
        vru_code=bs.AVON,
        measure_code=bs.KNIFE,
        quarter_start="2025-07-01",
        kind="action",
        text="Report the hotspot review.",
        owner_role="Head of Analysis",
        due_date="2026-01-10",
    )
    pack = board_pack.build_pack(
        scope=s["avon-viewer"],
        vru_code=bs.AVON,
        quarter_start="2025-07",
        sections=["since", "commentary", "actions"],
        meeting_date=dt.date(2026, 2, 1),
        made_at=MADE_AT,
    )
    since, said, actions = pack.slides
    # The lines the board page lists for this viewer, since the meeting before.
    listed = board.changes_since(
        scope=s["avon-viewer"], vru_code=bs.AVON, since_date="2025-06-01",
        as_at="2026-02-01",
    )  # fmt: skip
    assert since.title == f"Since the last board (1 June 2025): {len(listed)} changes"
    assert [row[1:5] for row in since.table.rows] == [
        [r.measure_name, r.period, r.old, r.new] for r in listed.itertuples()
    ]
    assert ["Knife offences", "2024/25 Q1", "100", "110"] in [
        row[1:5] for row in since.table.rows
    ]
    assert board.CHANGE_RULE in since.points[-1]
    assert said.title == "Commentary, 2025/26 Q2: 1 measures, 1 signed off"
    assert (
        said.table.rows[0][1] == "Rising since 2024/25 Q2; the <b>hub</b> reviews it."
    )
    assert "signed off by Title admin" in said.points[0]
    assert actions.title == "Decisions and actions: 1 open, 1 overdue"
    assert actions.points[0].startswith("OVERDUE: Action on Knife offences")
    deck = Presentation(io.BytesIO(render_pptx(pack)))
    texts = _slide_texts(deck)
    assert any("Report the hotspot review." in t and "Overdue" in t for t in texts)
    assert all("Avon and Somerset VRU · As at 2025/26 Q2" in t for t in texts)
    # The markup is text in the PDF, never markup.
    html = render_pdf_html(pack)
    assert "the &lt;b&gt;hub&lt;/b&gt; reviews it" in html
    # Nothing of the board's record goes into a pack for publication.
    public = board_pack.build_pack(
        scope=s["admin"],
        vru_code=bs.AVON,
        quarter_start="2025-07",
        sections=["since", "commentary", "actions", "exceptions"],
        audience="publication",
    )
    assert public.slides == [] and len(public.omitted) == 4


def _drawn_lines(svg: str, categories: list[str], with_colour=False) -> list:
    """The category indexes each SVG polyline passes through (by its x), with
    its stroke colour if asked."""
    step = (pack_svg.WIDTH - pack_svg.LEFT - pack_svg.RIGHT) / len(categories)
    lines = []
    for colour, points in re.findall(
        r'<polyline [^>]*stroke="([^"]+)"[^>]*points="([^"]+)"', svg
    ):
        xs = [float(pair.split(",")[0]) for pair in points.split()]
        line = [round((x - pack_svg.LEFT) / step - 0.5) for x in xs]
        lines.append((colour, line) if with_colour else line)
    return lines


def test_published_and_illustrative_are_never_joined_and_gaps_stay_gaps():
    """A hand-made chart: published figures for 2014/15 to 2016/17, none for
    2017/18, illustrative from 2018/19; the benchmark published throughout but
    for 2015/16. The SVG draws a polyline only through adjacent figures of one
    line, and the PowerPoint keeps the lines apart with blanks as gaps."""
    categories = ["2014/15", "2015/16", "2016/17", "2017/18", "2018/19", "2019/20"]
    chart = board_pack.Chart(
        kind="line",
        categories=categories,
        series=[
            ("Area, rate", [1.0, 2.0, 3.0, None, None, None]),
            ("Area (illustrative), rate", [None, None, None, None, 5.0, 6.0]),
            ("Benchmark, rate", [2.0, None, 2.5, 2.6, 2.7, 2.8]),
        ],
        value_title="Rate",
        alt="A test chart.",
        styles=("area", "area illustrative", "benchmark"),
    )
    svg = pack_svg.chart_svg(chart)
    # Published area 0-2, illustrative area 4-5, benchmark 2-5 (0 stands alone).
    assert sorted(_drawn_lines(svg, categories)) == [[0, 1, 2], [2, 3, 4, 5], [4, 5]]
    assert svg.count('stroke-dasharray="7 4"') == 2  # the line and its legend key
    assert "No figure published" not in svg  # the benchmark has 2017/18
    alone = board_pack.Chart(
        **{**chart.__dict__, "series": chart.series[:2], "styles": chart.styles[:2]}
    )
    assert pack_svg.chart_svg(alone).count("No figure published") == 1
    slide = board_pack.Slide(
        section="measures",
        title="A test slide",
        summary="A test chart.",
        chart=chart,
        points=["One point."],
        variation="concerning high",
        variation_words="Signal or noise: concerning (higher).",
    )
    pack = board_pack.Pack(
        vru_code=AVON,
        vru_name="Avon and Somerset",
        quarter_start=dt.date(2025, 7, 1),
        quarter_label="2025/26 Q2",
        meeting_date=None,
        made_at=MADE_AT,
        made_by="Board Member",
        audience="internal",
        sections=["measures"],
        slides=[slide],
        omitted=[],
    )
    deck = Presentation(io.BytesIO(render_pptx(pack)))
    ((page, shape),) = _chart_slides(deck)
    assert shape.chart._chartSpace.xpath("c:chart/c:dispBlanksAs/@val") == ["gap"]
    drawn = [list(series.values) for series in shape.chart.plots[0].series]
    assert drawn == [values for _name, values in chart.series]
    # The variation icon: a group with alternative text, its words beside it.
    (icon,) = [s for s in page.shapes if s.name == "Variation icon"]
    assert icon._element.xpath("p:nvGrpSpPr/p:cNvPr/@descr") == [
        "Making Data Count variation icon: concerning high"
    ]
    assert "H" in [s.text_frame.text for s in icon.shapes if s.has_text_frame]
    assert "Signal or noise: concerning (higher)." in _slide_texts(deck)[1]


def test_workstream_measures_carry_their_variation_and_assurance_icons(loaded_store):
    """The workstream signals slide: every workstream measure's verdict as the
    workstream page gives it (workstreams.measure_spc) over the quarters up to
    the pack's quarter end, drawn as icons with alternative text beside words."""
    pack = _pack(sections=["workstreams"])
    rag, signals = pack.slides
    as_at = dt.date(2025, 9, 30)
    listed = workstreams.workstream_list(scope=VIEWER, area_code=AVON, as_at=as_at)
    want = []
    for wid in listed["workstream_id"]:
        verdicts = workstreams.measure_spc(
            scope=VIEWER, workstream_id=int(wid), as_at=as_at
        )
        want += [(v["variation"], v["assurance"]) for v in verdicts.values()]
    assert len(want) >= 4
    assert [(s.variation, s.assurance) for s in signals.signals] == want
    assert [row[3] for row in signals.table.rows] == [
        s.variation_words for s in signals.signals
    ]
    # as_at cuts the series: a verdict as at 2023/24 Q1 rests on quarters to then.
    wid = int(listed["workstream_id"].iloc[0])
    trends = workstreams.measure_trends(scope=VIEWER, workstream_id=wid)
    earlier = workstreams.measure_spc(
        scope=VIEWER, workstream_id=wid, as_at=dt.date(2023, 6, 30)
    )
    for code, verdict in earlier.items():
        mine = trends[trends["measure_code"] == code]
        kept = mine[[str(d) <= "2023-06-30" for d in mine["period_start"]]]
        assert verdict["points"]["period"].tolist() == kept["period"].tolist()
        assert len(kept) < len(mine)
    # PowerPoint: an icon group per verdict, with its alternative text.
    deck = Presentation(io.BytesIO(render_pptx(pack)))
    drawn = [
        shape._element.xpath("p:nvGrpSpPr/p:cNvPr/@descr")[0]
        for page in deck.slides
        for shape in page.shapes
        if shape.name in ("Variation icon", "Assurance icon")
    ]
    alts = [
        alt
        for s in signals.signals
        for alt in [s.variation_alt] + ([s.assurance_alt] if s.assurance else [])
    ]
    assert drawn == alts
    # PDF: the same icons as images with that alternative text, words beside.
    html = render_pdf_html(pack)
    assert (
        re.findall(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', html)[
            1:
        ]
        == alts
    )  # the first image is the RAG chart
    assert all(s.words in html for s in signals.signals)


def test_sections_with_nothing_to_show_say_so_in_one_slide(monkeypatch):
    """Reach, workstreams, actions and exceptions with nothing in the store each
    give one slide that says so: its words are its summary and its only point, with
    no chart or table, under its own section and link (readers stubbed empty, no
    store). Catches a 'nothing' slide with the wrong section, title, words or link,
    or one that drops its point (read out on the slide) or summary (its notes)."""
    import types

    import pandas as pd

    from data_access import board, board_pack_record, exceptions

    area = types.SimpleNamespace(code="E99000001", name="Testshire")
    start, meeting = dt.date(2026, 4, 1), dt.date(2026, 7, 20)
    monkeypatch.setattr(
        board_overview, "reach_by_tier", lambda **_: {"financial_year": None}
    )
    monkeypatch.setattr(workstreams, "workstream_list", lambda **_: pd.DataFrame())
    monkeypatch.setattr(board, "actions_for", lambda **_: pd.DataFrame())
    monkeypatch.setattr(
        exceptions,
        "read_exceptions",
        lambda **_: pd.DataFrame(columns=exceptions.EXCEPTION_COLUMNS),
    )
    made = {
        "reach": board_pack._BUILDERS["reach"](SYSTEM, area, start, meeting),
        "workstreams": board_pack._BUILDERS["workstreams"](
            SYSTEM, area, start, meeting
        ),
        "actions": board_pack_record.action_slides(SYSTEM, area, start, meeting),
        "exceptions": board_pack_record.exception_slides(SYSTEM, area, start, meeting),
    }
    expected = {
        "reach": (
            "Young people reached: no outputs reported yet",
            "No outputs reported yet for Testshire.",
            "/prevention?area=E99000001",
        ),
        "workstreams": (
            "Workstream RAG: no workstreams recorded",
            "No workstreams recorded for Testshire.",
            "/workstreams",
        ),
        "actions": (
            "Decisions and actions: none open",
            "No open decisions or actions for Testshire.",
            "/board?area=E99000001",
        ),
        "exceptions": (
            "Exceptions: none open",
            "No open exceptions for Testshire.",
            "/alerts",
        ),
    }
    for section, (title, words, link) in expected.items():
        (slide,) = made[section]
        assert (slide.section, slide.title, slide.link) == (section, title, link)
        assert slide.summary == words and slide.points == [words]
        assert slide.chart is None and slide.table is None


def test_column_labels_write_each_value_as_its_table_does_in_both_renderers(
    loaded_sqlite_store,
):
    """One bar, one label, in every renderer: the PDF's SVG columns are labelled
    as the slide's table writes the figure ("£381,060" for money, "1,749" for
    people), never a shortened "381.06k"; the PowerPoint's data labels and
    value axis carry the matching number format; money ticks carry the pound
    sign. Reference: the slide's own table cells written by web.pack_text."""
    from web.pack_text import cell_text

    pack = _pack(sections=["money", "reach"])
    deck = Presentation(io.BytesIO(render_pptx(pack)))
    charts = list(_chart_slides(deck))
    bars = [s for s in pack.slides if s.chart and s.chart.kind == "bar"]
    assert [s.section for s in bars] == ["money", "reach"]
    for slide, (_page, shape) in zip(bars, charts, strict=True):
        money = slide.section == "money"
        assert slide.chart.value_kind == ("money" if money else "count")
        values = [v for v in slide.chart.series[0][1] if v is not None]
        assert values
        svg = chart_svg(slide.chart)
        drawn = re.findall(r'text-anchor="middle"[^>]*>([^<]+)</text>', svg)
        kind = "money" if money else "count"
        for value in values:
            label = cell_text(value, kind)
            assert label in drawn, (label, drawn)
            if money:
                assert label.startswith("£") and "k" not in label
        # the same figure is in the slide's table, written the same way
        table_cells = {
            cell_text(row[i], k)
            for row in slide.table.rows
            for i, (_h, k) in enumerate(slide.table.columns)
            if k == kind
        }
        assert {cell_text(v, kind) for v in values} <= table_cells
        ticks = re.findall(r'text-anchor="end"[^>]*>([^<]+)</text>', svg)
        assert all(t.startswith("£") for t in ticks) == money and ticks
        plot = shape.chart.plots[0]
        wanted = '"£"#,##0' if money else "#,##0"
        assert plot.data_labels.number_format == wanted
