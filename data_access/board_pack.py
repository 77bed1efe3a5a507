"""The board pack: one model of what a VRU's pack shows, built from the same view
functions the pages call (DESIGN.md "One road per fact"), for every renderer: the
PowerPoint (web/pack_pptx.py), the tagged PDF (web/pack_pdf.py) and meeting mode
(pages/present.py). Pure data: no figure is computed here, only picked from what
the view functions return and put in order with its text.

Sections (`SECTIONS`, in pack order) and the view function each reads:
- measures: the Home Office success measures, financial years, all ages:
  outcomes.trend_views.trend_view (the /violence road: series with the benchmark, the
  recent trend test and the change against the 2016/17 to 2018/19 baseline),
  trend_spc.trend_spc for the variation icon and its words (over the quarterly
  trend_view for a measure published by quarter, as the public embed judges it,
  else over the chart's view; the words name the series judged), and the
  annotations the reader may see (pack_events: marks, a table column, a line);
- money: outturn.money_forecast (the overview's and /funding's forecast) and
  spending.quarter_spend for the quarters behind it;
- reach: board_overview.reach_by_tier (the overview's reach);
- workstreams: workstreams.workstream_list (the /workstreams RAG counts), then
  each workstream measure's variation and assurance icons (pack_signals:
  workstreams.measure_spc as at the quarter's end, as the workstream pages);
- exceptions, since, commentary, actions: the board's own record
  (data_access/board_pack_record.py); each success measure's slide also carries
  its commentary for the quarter (commentary.commentary_for).

Audience and disclosure. The maker must be able to read the VRU (`Scope.require_area`)
whatever the audience. An "internal" pack reads with the maker's scope (so a viewer's
pack is disclosure-controlled as their pages are); a pack "for publication" reads
with `scope.PUBLIC`, so every figure passes the public disclosure rules, and the
restricted sections (`RESTRICTED_SECTIONS`: all but the success measures) are
left out and listed in `Pack.omitted` with the reason.

"As at" a quarter. The pack reports the quarter starting `quarter_start`: trends show
the YEARS_SHOWN financial years up to the last one complete by the quarter's end
(trend_view's `start` and `end`; the recent trend and baseline are trend_view's), the
money is that quarter's financial year, RAG and returns completeness are judged at
the quarter's end (workstream_list's `as_at`). The reach is the latest financial
year with outputs (reach_by_tier's own rule); its slide names the year.

Chart data (`Chart`): categories and, per series, one value per category (None for
a figure that is missing or hidden by disclosure control). Tables (`Table`) hold raw
values with a column kind ("text", "count", "rate", "money", "percent"); the
renderers format them with components.formatting, so a pack writes numbers as the
pages do. Every slide carries its sources and whether any figure on it is
illustrative.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pandas as pd

from data_access import (
    board_overview,
    board_pack_record,
    chart_lines,
    commentary,
    pack_events,
    pack_signals,
    periods,
    trend_spc,
    workstreams,
)
from data_access.activity.activity_filters import TIER_LABELS
from data_access.areas import get_area
from data_access.errors import AccessDenied, InvalidParameter
from data_access.measures import measure_metadata, success_measures, trend_length
from data_access.money import outturn, spending
from data_access.number_format import money_text, rounded_half_up
from data_access.outcomes.raw_series import BASELINE_LABEL
from data_access.outcomes.trend_views import trend_view
from data_access.pack_slides import Chart, Slide, Table, note_slide
from data_access.periods import long_date
from data_access.scope import PUBLIC, Scope

SECTIONS: dict[str, str] = {
    "measures": "Success measures: trend and significance",
    "money": "Money and forecast",
    "reach": "Young people reached by prevention tier",
    "workstreams": "Workstream RAG",
    "exceptions": "Open exceptions",
    "since": "What changed since the last board",
    "commentary": "Commentary",
    "actions": "Decisions and actions",
}
AUDIENCES: dict[str, str] = {
    "internal": "Internal: figures as the maker's access shows them",
    "publication": "For publication: public disclosure rules applied",
}
FORMATS = ("pptx", "pdf")
RESTRICTED_SECTIONS = (
    "money",
    "reach",
    "workstreams",
    "exceptions",
    "since",
    "commentary",
    "actions",
)
GAP = "No figure published"  # a year inside the chart's span with no area figure
YEARS_SHOWN = 10  # financial years of each success measure's chart and table


@dataclass(frozen=True)
class Pack:
    vru_code: str
    vru_name: str
    quarter_start: dt.date
    quarter_label: str
    meeting_date: dt.date | None
    made_at: dt.datetime
    made_by: str
    audience: str
    sections: list[str]
    slides: list[Slide]
    omitted: list[str]

    @property
    def illustrative(self) -> bool:
        return any(slide.illustrative for slide in self.slides)

    @property
    def sources(self) -> list[str]:
        return _unique(source for slide in self.slides for source in slide.sources)

    @property
    def title(self) -> str:
        when = (
            f", meeting of {long_date(self.meeting_date)}" if self.meeting_date else ""
        )
        return f"{self.vru_name} VRU board pack, as at {self.quarter_label}{when}"

    def filters(self) -> str:
        """The pack's parameters in words, stamped on every slide and page."""
        names = ", ".join(SECTIONS.get(key, key) for key in self.sections)
        audience = "for publication" if self.audience == "publication" else "internal"
        return (
            f"Audience: {audience}; success measures by financial year, all ages; "
            f"sections: {names}"
        )


# ------------------------------------------------------------------ parameters


def check_sections(sections) -> list[str]:
    """The chosen section keys in pack order; all when none are given."""
    chosen = list(sections or SECTIONS)
    unknown = [key for key in chosen if key not in SECTIONS]
    if unknown:
        raise InvalidParameter(
            "sections",
            f"unknown section {unknown[0]!r}; choose from {', '.join(SECTIONS)}",
        )
    return [key for key in SECTIONS if key in chosen]


def check_audience(audience: str) -> str:
    if audience not in AUDIENCES:
        raise InvalidParameter("audience", "choose internal or publication")
    return audience


# ------------------------------------------------------------------ the pack


def build_pack(
    *,
    scope: Scope,
    vru_code: str,
    quarter_start: dt.date | str,
    audience: str = "internal",
    sections=None,
    meeting_date: dt.date | None = None,
    made_at: dt.datetime | None = None,
) -> Pack:
    """The pack of a VRU (a force area) as at a quarter, for an audience (module
    docstring). AccessDenied when the maker may not read the VRU."""
    area = get_area(vru_code)
    scope.require_area(area.code, area.parent_code)
    if scope.is_public:
        raise AccessDenied("sign in to make a board pack")
    if area.level != "pfa":
        raise InvalidParameter("vru", "a board pack is made for a force area (a VRU)")
    audience = check_audience(audience)
    chosen = check_sections(sections)
    start = periods.parse_quarter(quarter_start, parameter="quarter", any_day=True)
    reader = PUBLIC if audience == "publication" else scope
    slides: list[Slide] = []
    omitted: list[str] = []
    for key in chosen:
        if audience == "publication" and key in RESTRICTED_SECTIONS:
            omitted.append(f"{SECTIONS[key]}: restricted data, not published")
            continue
        try:
            slides += _BUILDERS[key](reader, area, start, meeting_date)
        except AccessDenied:
            omitted.append(f"{SECTIONS[key]}: outside the maker's access")
    return Pack(
        vru_code=area.code,
        vru_name=area.name,
        quarter_start=start,
        quarter_label=periods.quarter_label(start),
        meeting_date=meeting_date,
        made_at=made_at or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
        made_by=scope.actor,
        audience=audience,
        sections=chosen,
        slides=slides,
        omitted=omitted,
    )


def _unique(items) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def _value(x) -> float | None:
    if x is None:
        return None
    try:
        number = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _compared(comparison: str, benchmark: str) -> str:
    """'better than England', 'similar to England', 'not compared with England'."""
    joins = {"better": "than", "worse": "than", "similar": "to"}
    return f"{comparison} {joins.get(comparison, 'with')} {benchmark}"


def _one_decimal(x: float) -> str:
    return f"{rounded_half_up(x, 1):,}"


def _whole(x: float) -> str:
    return f"{rounded_half_up(x, 0):,}"


# ------------------------------------------------------------------ measures


def _measure_slides(reader: Scope, area, start: dt.date, _meeting=None) -> list[Slide]:
    codes = success_measures(measure_metadata(include_private=True))["code"].tolist()
    try:
        notes = commentary.commentary_for(
            scope=reader, vru_code=area.code, quarter_start=start, measure_codes=codes
        )
    except AccessDenied:  # the public reads no commentary
        notes = pd.DataFrame(columns=commentary.COMMENTARY_COLUMNS)
    said = {r.measure_code: r for r in notes.itertuples()}
    return [_measure_slide(reader, area, start, code, said.get(code)) for code in codes]


def _measure_slide(reader: Scope, area, start: dt.date, code: str, note) -> Slide:
    first_year = periods.financial_year_of(start) - YEARS_SHOWN
    view = trend_view(
        scope=reader,
        measure_code=code,
        area_code=area.code,
        length="year",
        start=periods.fy_bounds(first_year)[0],
        end=periods.quarter_end(start),
    )
    measure, series = view["measure"], view["series"]
    own = series[series["role"] == "area"].reset_index(drop=True)
    bench = series[series["role"] == "benchmark"]
    multiplier = _value(measure["rate_multiplier"])
    per = f"per {int(multiplier):,} people" if multiplier else measure["unit"]
    bench_rate = dict(zip(bench["period"], bench["rate"], strict=False))
    # Time as time: every financial year from the first figure to the last, so a
    # year with no figure is a gap in the line, never a line across it.
    categories = periods.every_period(
        own["period_start"].tolist() + bench["period_start"].tolist(), "year"
    )
    # Annotations the reader may see, on the chart, in the table and the words.
    events = pack_events.year_events(reader, area.code, code, categories)
    chart = Chart(
        kind="line",
        categories=categories,
        alt="",
        value_title=f"Rate {per}",
        marks=events.marks,
        value_kind="rate",
        **_split_lines(
            categories,
            pd.concat([own, bench], ignore_index=True),
            area.name,
            view["benchmark_name"],
            f", rate {per}",
        ),
    )
    by_period = {r.period: r for r in own.itertuples()}
    rows = [
        [
            r.period,
            "*" if r.suppressed else _value(r.value),
            "*" if r.suppressed else _value(r.rate),
            "*" if r.suppressed else _value(r.rate_lower),
            "*" if r.suppressed else _value(r.rate_upper),
            _value(bench_rate.get(r.period)),
            r.comparison,
            "Illustrative" if r.illustrative else "Published",
        ]
        if r is not None
        else [p, None, None, None, None, _value(bench_rate.get(p)), "", GAP]
        for p, r in ((p, by_period.get(p)) for p in categories)
    ]
    if events:
        rows = [[*row, events.by_category.get(row[0], "")] for row in rows]
    data = Table(
        caption=f"{measure['name']}, {area.name} and {view['benchmark_name']}, "
        "by financial year",
        columns=[
            ("Year", "text"),
            (f"Count ({measure['unit']})", "count"),
            (f"Rate {per}", "rate"),
            ("95% CI lower", "rate"),
            ("95% CI upper", "rate"),
            (f"{view['benchmark_name']} rate", "rate"),
            ("Against the benchmark", "text"),
            (f"{area.name} figure", "text"),
        ]
        + ([(pack_events.EVENTS_COLUMN, "text")] if events else []),
        rows=rows,
    )
    shown = own[own["rate"].notna()]
    if shown.empty:
        latest_words = f"No published rate for {area.name} as at this quarter."
        title = f"{measure['name']}: no figures to show"
    else:
        last = shown.iloc[-1]
        latest_words = (
            f"In {last['period']} the rate in {area.name} was "
            f"{_one_decimal(last['rate'])} {per} (95% CI "
            f"{_one_decimal(last['rate_lower'])} to "
            f"{_one_decimal(last['rate_upper'])}), "
            f"{_compared(last['comparison'], view['benchmark_name'])}"
            + (
                f" ({_one_decimal(bench_rate[last['period']])})"
                if _value(bench_rate.get(last["period"])) is not None
                else ""
            )
            + "."
        )
        title = (
            f"{measure['name']}: "
            f"{_compared(last['comparison'], view['benchmark_name'])}"
            f" in {last['period']}"
        )
    baseline = view["baseline"]
    baseline_words = (
        f"Against the {BASELINE_LABEL} baseline: {baseline['current_period']} "
        f"{'up' if baseline['percent_change'] > 0 else 'down'} "
        f"{abs(baseline['percent_change']):.0f}%, {baseline['direction']} "
        f"({baseline['test_text']})."
        if baseline and baseline.get("available")
        else f"Against the {BASELINE_LABEL} baseline: "
        f"{(baseline or {}).get('reason') or 'not available'}."
    )
    judged, grain = _judged_view(reader, area, start, view)
    verdict = trend_spc.trend_spc(judged)
    variation_words = _variation_words(verdict, grain)
    points = [latest_words, view["recent_trend"]["text"], baseline_words]
    if events:
        points.append(events.sentence)
    if note is not None:
        points.append(f"Commentary: {board_pack_record.commentary_words(note)}")
    if view["disclosure_note"]:
        points.append(view["disclosure_note"])
    summary = (
        f"Line chart of {measure['name'].lower()} in {area.name} by financial year, "
        f"{categories[0] if categories else ''} to "
        f"{categories[-1] if categories else ''}, "
        f"as a rate {per}, with {view['benchmark_name']} for comparison. "
        + _styles_sentence(chart)
        + " ".join([*points, variation_words])
    )
    return Slide(
        section="measures",
        title=title,
        summary=summary,
        chart=Chart(**{**chart.__dict__, "alt": summary}),
        table=data,
        points=points,
        sources=_unique(own["source_title"]) + _unique(bench["source_title"]),
        illustrative=bool(own["illustrative"].any() or bench["illustrative"].any()),
        link=f"/violence?measure={measure['code']}&area={area.code}&view=year",
        measure_code=measure["code"],
        variation=verdict["variation"],
        variation_words=variation_words,
    )


def _split_lines(
    categories: list[str], rows, area_name: str, bench_name: str, suffix: str
) -> dict:
    """The chart's series and styles: the view's rows (area and benchmark) split
    by the one line rule (data_access.chart_lines, the rule the /violence figure
    and the trend embed draw by): a published line and, where there are
    illustrative figures, a separate illustrative line, each None wherever the
    other has its figure (and wherever no figure is published), so no line joins
    a published figure to an illustrative one (issue 14)."""
    lines = chart_lines.split_lines(rows, area_name, bench_name)
    return {
        "series": [
            (line.name + suffix, line.values(categories, "rate")) for line in lines
        ],
        "styles": tuple(line.style for line in lines),
    }


def _styles_sentence(chart: Chart) -> str:
    if not any(style.endswith("illustrative") for style in chart.styles):
        return ""
    return (
        "Published figures are drawn as solid lines, illustrative figures as "
        "dashed lines with hollow markers, never joined to the published ones. "
    )


def _judged_view(reader: Scope, area, start: dt.date, yearly: dict) -> tuple[dict, str]:
    """The view whose series the variation icon judges: for a measure published
    by quarter (measures.trend_length, the embed's and the board's rule), the
    quarterly trend_view up to the quarter's end, every quarter from the first
    (a quarterly series has the points an SPC chart needs; ten financial years,
    cut at the funding step, never do); else, or when the area has no quarterly
    figure, the chart's own yearly view. With its grain in words."""
    measure = yearly["measure"]
    if trend_length(measure["period_type"]) != "quarter":
        return yearly, "financial-year"
    quarterly = trend_view(
        scope=reader,
        measure_code=measure["code"],
        area_code=area.code,
        length="quarter",
        end=periods.quarter_end(start),
    )
    if trend_spc.has_figures(quarterly):
        return quarterly, "quarterly"
    return yearly, "financial-year"


def _judged_on(verdict: dict, grain: str) -> str:
    """', judged on 2008/09 Q1 to 2026/27 Q2 quarterly figures (the chart ...)'."""
    shown = verdict["points"][verdict["points"]["value"].notna()]
    if shown.empty:
        return ""
    chart = " (the chart shows financial years)" if grain == "quarterly" else ""
    return (
        f", judged on {shown['period'].iloc[0]} to {shown['period'].iloc[-1]} "
        f"{grain} figures{chart}"
    )


def _variation_words(verdict: dict, grain: str) -> str:
    """The variation verdict in words, with the series it was judged on
    (`_judged_view`), the step changes and short segments: the SPC chart of
    /violence's SPC view (data_access.trend_spc over the same trend_view), so the
    pack computes no SPC of its own."""
    words = f"Signal or noise (Making Data Count SPC): {verdict['variation_words']}"
    short = [s for s in verdict["segments"] if not s["assessed"] and s["points"]]
    if short and verdict["variation"] == "not assessed":
        words += (
            " in a segment ("
            + "; ".join(f"{s['first']} to {s['last']}: {s['points']}" for s in short)
            + ")"
        )
    words += _judged_on(verdict, grain)
    if verdict["steps"]:
        words += "; limits restart at " + "; ".join(
            f"{period} ({reason})" for period, reason in verdict["steps"]
        )
    return words + "."


# ------------------------------------------------------------------ money


def _money_slides(reader: Scope, area, start: dt.date, _meeting=None) -> list[Slide]:
    year = periods.financial_year_of(start)
    forecast = outturn.money_forecast(
        scope=reader, area_code=area.code, financial_year=year
    )
    spend = spending.quarter_spend(scope=reader, area_code=area.code)
    spend = spend[spend["financial_year"] == year]
    label = periods.fy_label(year)
    by_quarter = dict(zip(spend["quarter"].astype(int), spend["amount"], strict=False))
    categories = [f"{label} Q{q}" for q in range(1, 5)]
    values = [_value(by_quarter.get(q)) for q in range(1, 5)]
    allocation = forecast["allocation"]
    facts = [
        ["Allocated (Home Office VRU grant)", allocation],
        ["Spent to date", forecast["spent_to_date"] if forecast["has_spend"] else None],
        ["Forecast outturn by 31 March", forecast["forecast_outturn"]],
        ["Projected underspend (repaid)", forecast["projected_underspend"]],
    ]
    if not forecast["has_spend"]:
        title = f"Money, {label}: no spend reported yet"
        points = [f"No spend reported yet for {label}."]
    else:
        left = forecast["projected_underspend"]
        outturn_text = money_text(forecast["forecast_outturn"])
        title = f"Money, {label}: forecast outturn {outturn_text}"
        if allocation:
            title += f" against a grant of {money_text(allocation)}"
        points = [
            f"Spent to date: {money_text(forecast['spent_to_date'])} in "
            f"{forecast['last_quarter']} of 4 quarters reported.",
            f"Forecast outturn: {money_text(forecast['forecast_outturn'])}. "
            + forecast["method_words"],
        ]
        if left is not None:
            state = "underspend" if left >= 0 else "overspend"
            points.append(
                f"Projected {state}: {money_text(abs(left))}"
                + (" (the grant is approximate)." if forecast["approximate"] else ".")
            )
    summary = (
        f"Bar chart of spend by quarter in {label} for {area.name}: "
        + "; ".join(
            f"{c} {money_text(v)}" if v is not None else f"{c} not reported"
            for c, v in zip(categories, values, strict=True)
        )
        + ". "
        + " ".join(points)
    )
    sources = _unique([forecast["allocation_source"]]) + (
        ["Quarterly returns: spend"] if forecast["has_spend"] else []
    )
    return [
        Slide(
            section="money",
            title=title,
            summary=summary,
            chart=Chart(
                kind="bar",
                categories=categories,
                series=[("Spend (£)", values)],
                value_title="Spend (£)",
                alt=summary,
                value_kind="money",
            ),
            table=Table(
                caption=f"Money for {area.name}, {label}",
                columns=[("Figure", "text"), ("Amount", "money")],
                rows=facts
                + [
                    [f"Spend in {c}", v]
                    for c, v in zip(categories, values, strict=True)
                ],
            ),
            points=points,
            sources=sources,
            illustrative=bool(forecast["illustrative"]),
            link=f"/funding?area={area.code}",
        )
    ]


# ------------------------------------------------------------------ reach


def _reach_slides(reader: Scope, area, start: dt.date, _meeting=None) -> list[Slide]:
    reach = board_overview.reach_by_tier(scope=reader, area_code=area.code)
    if reach["financial_year"] is None:
        return [
            note_slide(
                "reach",
                "Young people reached: no outputs reported yet",
                f"No outputs reported yet for {area.name}.",
                f"/prevention?area={area.code}",
            )
        ]
    year = periods.fy_label(reach["financial_year"])
    so_far = "" if reach["quarters"] >= 4 else f" (first {reach['quarters']} quarters)"
    tiers = reach["tiers"]
    categories = [TIER_LABELS.get(t, t) for t in tiers["tier"]]
    values = [_value(v) for v in tiers["young_people"]]
    words = "; ".join(
        f"{c}: {_whole(v)}"
        for c, v in zip(categories, values, strict=True)
        if v is not None
    )
    points = [
        f"{_whole(reach['total'])} young people supported in {year}{so_far}, counted "
        "once per intervention (someone in two interventions counts twice).",
    ]
    if reach["financial_year"] > periods.financial_year_of(start):
        points.append(f"{year} is later than the pack's quarter: the latest reported.")
    summary = (
        f"Bar chart of young people supported by prevention tier in {area.name}, "
        f"{year}{so_far}: {words}. " + " ".join(points)
    )
    return [
        Slide(
            section="reach",
            title=f"Young people reached by prevention tier, {year}{so_far}",
            summary=summary,
            chart=Chart(
                kind="bar",
                categories=categories,
                series=[("Young people supported", values)],
                value_title="Young people supported",
                alt=summary,
            ),
            table=Table(
                caption=f"Young people supported by tier, {area.name}, {year}{so_far}",
                columns=[
                    ("Prevention tier", "text"),
                    ("Young people supported", "count"),
                ],
                rows=[[c, v] for c, v in zip(categories, values, strict=True)]
                + [["All tiers", _value(reach["total"])]],
            ),
            points=points,
            sources=["Quarterly returns: intervention outputs"],
            illustrative=bool(reach["illustrative"]),
            link=f"/prevention?area={area.code}",
        )
    ]


# ------------------------------------------------------------------ workstreams


def _workstream_slides(
    reader: Scope, area, start: dt.date, _meeting=None
) -> list[Slide]:
    frame = workstreams.workstream_list(
        scope=reader, area_code=area.code, as_at=periods.quarter_end(start)
    )
    if frame.empty:
        return [
            note_slide(
                "workstreams",
                "Workstream RAG: no workstreams recorded",
                f"No workstreams recorded for {area.name}.",
                "/workstreams",
            )
        ]
    names = frame["name"].tolist()
    keys = [
        ("green", "Green (on target)"),
        ("amber", "Amber"),
        ("red", "Red (off target)"),
        ("other", "No rating"),
    ]
    series = [(label, [float(v) for v in frame[key]]) for key, label in keys]
    totals = {key: int(frame[key].sum()) for key, _ in keys}
    late = int(frame["late_returns"].sum())
    title = (
        f"Workstream RAG: {totals['red']} measures red, {totals['amber']} amber, "
        f"{totals['green']} green across {len(frame)} workstreams"
    )
    points = [
        f"{name}: {g} green, {a} amber, {r} red, {o} without a rating"
        for name, g, a, r, o in zip(
            names,
            frame["green"],
            frame["amber"],
            frame["red"],
            frame["other"],
            strict=True,
        )
    ]
    points.append(
        f"{late} quarterly returns late as at {long_date(periods.quarter_end(start))}."
        if late
        else f"No quarterly returns late as at {long_date(periods.quarter_end(start))}."
    )
    summary = (
        "Stacked bar chart of each workstream's measures by RAG rating in "
        f"{area.name}. " + "; ".join(points)
    )
    rag = [
        Slide(
            section="workstreams",
            title=title,
            summary=summary,
            chart=Chart(
                kind="stacked_bar",
                categories=names,
                series=series,
                value_title="Measures",
                alt=summary,
            ),
            table=Table(
                caption=f"Workstream measures by RAG rating, {area.name}",
                columns=[
                    ("Workstream", "text"),
                    ("Green", "count"),
                    ("Amber", "count"),
                    ("Red", "count"),
                    ("No rating", "count"),
                    ("Returns late", "count"),
                    ("Completeness", "percent"),
                ],
                rows=[
                    [
                        r.name,
                        r.green,
                        r.amber,
                        r.red,
                        r.other,
                        r.late_returns,
                        None if math.isnan(r.completeness) else r.completeness * 100,
                    ]
                    for r in frame.itertuples()
                ],
            ),
            points=points,
            sources=["Quarterly returns: workstream measures and targets"],
            illustrative=bool(frame["illustrative"].any()),
            link="/workstreams",
        )
    ]
    return rag + pack_signals.workstream_signal_slides(
        reader, area, frame, periods.quarter_end(start), periods.quarter_label(start)
    )


_BUILDERS = {
    "measures": _measure_slides,
    "money": _money_slides,
    "reach": _reach_slides,
    "workstreams": _workstream_slides,
    "exceptions": board_pack_record.exception_slides,
    "since": board_pack_record.since_slides,
    "commentary": board_pack_record.commentary_slides,
    "actions": board_pack_record.action_slides,
}

__all__ = [
    "AUDIENCES",
    "FORMATS",
    "SECTIONS",
    "Chart",
    "Pack",
    "Slide",
    "Table",
    "build_pack",
    "check_audience",
    "check_sections",
]
