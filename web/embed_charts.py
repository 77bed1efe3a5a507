"""What each public embed shows (`CHARTS`): its parameters checked, and its title,
caption, figure, table, CSV frame and text summary built from data_access.public
and the signed-in pages' roads with the public scope (disclosure control applied).
web/embed.py renders and serves them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from flask import url_for

from components import theme
from components.annotation_marks import (
    EVENTS_COLUMN,
    add_marks,
    chart_marks,
    events_column,
    events_sentence,
)
from components.bar_figures import bar_figure, ranked_bar_figure
from components.baseline_text import baseline_sentence
from components.chart import DATA_STATUS_COLUMN, ILLUSTRATIVE_LABEL
from components.chart_text import summary_for_ranking, summary_for_series
from components.figure_layout import add_annotation, axis
from components.formatting import money, number, percent, rate
from components.spc_icons import variation_svg
from components.trend_figure import trend_figure
from data_access import periods, public, trend_spc
from data_access.annotations import annotations_for
from data_access.areas import get_area
from data_access.chart_lines import ILLUSTRATIVE_SUFFIX, line_names
from data_access.comparator_groups import split_not_comparable
from data_access.disclosure import MARKER, get_rule
from data_access.errors import InvalidParameter, NotFound
from data_access.measures import disclosure_columns, trend_length
from data_access.outcomes import benchmarking, trend_views
from data_access.scope import PUBLIC
from data_access.statistics import proportion_scale, rate_scale
from web.compare_charts import clip_top, figure_word, overflow_note
from web.embed_svg import drawings

DEFAULT_AREA = "E23000036"
DEFAULT_MEASURE = "hospital_admissions_knife"
SOURCE_LINE = "VRU Outcomes Monitor"


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str, status: int = 400):
        super().__init__(message)
        self.parameter = parameter
        self.status = status


@dataclass
class Built:
    """What one embed shows."""

    title: str
    caption: str
    source: str
    table: pd.DataFrame  # display strings, suppressed as "*"
    csv: pd.DataFrame  # the same figures for the CSV
    summary: str = ""
    figure: object | None = None
    illustrative: bool = False
    suppression_note: str | None = None
    message: str | None = None
    api_url: str | None = None
    numeric_columns: set[str] = field(default_factory=set)
    # Making Data Count variation icon (SVG from components.spc_icons) and words
    variation: tuple[str, str] | None = None
    # The chart drawn on the server (web.embed_svg: components.figure_svg, as
    # the app's chart cards), the only drawing of it: at a phone's width, and
    # wide (the page shows the one that fits)
    svg: str | None = None
    svg_wide: str | None = None


@dataclass(frozen=True)
class EmbedChart:
    name: str
    label: str
    description: str
    params: tuple[str, ...]
    build: Callable[[dict], Built]
    defaults: dict


# ------------------------------------------------------------------ parameters


def _area(value: str | None, *, vru_only: bool = False) -> str:
    code = (value or DEFAULT_AREA).strip()
    try:
        area = get_area(code)
    except NotFound:
        raise BadParameter(
            "area", f"There is no area with the code '{code}'.", 404
        ) from None
    if vru_only and not (area.level == "pfa" and area.is_vru):
        raise BadParameter("area", f"{area.name} is not a VRU area.", 404)
    return code


def _measure(value: str | None) -> dict:
    code = (value or DEFAULT_MEASURE).strip()
    try:
        return public.public_measure(code)
    except NotFound:
        raise BadParameter(
            "measure", f"There is no public measure with the code '{code}'.", 404
        ) from None


def _age(value: str | None) -> str:
    age = (value or "all").strip()
    if age not in public.AGE_BANDS:
        raise BadParameter("age", "age must be 'all' or 'under25'.")
    return age


def _period(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return periods.parse_fy_label(value.strip())
    except (InvalidParameter, ValueError):
        raise BadParameter(
            "period", f"'{value}' is not a financial year like 2019/20."
        ) from None


def _months(params: dict) -> tuple[dt.date | None, dt.date | None]:
    out = []
    for name, end in (("from", False), ("to", True)):
        value = params.get(name)
        if not value:
            out.append(None)
            continue
        try:
            out.append(periods.parse_month(value, parameter=name, end=end))
        except InvalidParameter as error:
            raise BadParameter(name, str(error)) from None
    return out[0], out[1]


# ------------------------------------------------------------------ helpers


def _source_text(frame: pd.DataFrame) -> str:
    titles = [t for t in dict.fromkeys(frame.get("source_title", [])) if t]
    return "; ".join(titles) if titles else "VRU Outcomes Monitor store"


def _fmt(value, formatter) -> str:
    if isinstance(value, str):
        return value
    if value is None or pd.isna(value):
        return "–"
    return formatter(value)


def _display(frame: pd.DataFrame, columns: dict, formats: dict) -> pd.DataFrame:
    """Human columns as text, hidden figures as "*"."""
    hidden = frame["suppressed"].to_numpy(dtype=bool)
    out = {}
    for col, label in columns.items():
        fmt = formats.get(col)
        values = []
        for value, is_hidden in zip(frame[col], hidden, strict=True):
            if fmt is not None and is_hidden:
                values.append(MARKER)
            elif fmt is not None:
                values.append(_fmt(value, fmt))
            else:
                values.append("" if value is None or pd.isna(value) else str(value))
        out[label] = values
    return pd.DataFrame(out)


def _csv_frame(frame: pd.DataFrame, columns: dict, numeric: set[str]) -> pd.DataFrame:
    """The shown figures for the CSV: numbers stay numbers, hidden ones "*"."""
    hidden = frame["suppressed"].to_numpy(dtype=bool)
    out = {}
    for col, label in columns.items():
        values = frame[col].astype(object).where(frame[col].notna(), None).tolist()
        if col in numeric:
            values = [MARKER if h else v for v, h in zip(values, hidden, strict=True)]
        out[label] = values
    table = pd.DataFrame(out)
    if "illustrative" in frame and frame["illustrative"].any():
        table[DATA_STATUS_COLUMN] = [
            ILLUSTRATIVE_LABEL if i else "" for i in frame["illustrative"]
        ]
    return table


def _blank_withheld(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`columns` blank on every row withheld under disclosure control (its
    `suppressed` flag), whatever figure the row carries: data_access.public
    blanks them already; this keeps a figure that slipped through out of the
    chart, its hover texts and the summary, as the table and CSV keep it out."""
    hidden = frame["suppressed"].astype(bool)
    return frame.assign(**{c: frame[c].mask(hidden) for c in columns})


def _mark_withheld(fig: dict, positions: list[tuple[object, float]]) -> None:
    """A "*" at each (category, value) of a vertical bar chart where a withheld
    figure would be: drawn in the chart, never as a bar (the table says why)."""
    for category, value in positions:
        add_annotation(
            fig,
            name="withheld",
            text=MARKER,
            x=category,
            y=value,
            xref="x",
            yref="y",
            yanchor="bottom",
            showarrow=False,
            font=dict(size=16, color=theme.TEXT),
        )


def _note(frame: pd.DataFrame, rule: str) -> str | None:
    if frame.empty or not frame["suppressed"].any():
        return None
    return get_rule(rule).text


def empty_built(title: str, caption: str, message: str) -> Built:
    return Built(
        title=title,
        caption=caption,
        source="",
        table=pd.DataFrame(),
        csv=pd.DataFrame(),
        message=message,
    )


def _value_column(measure: dict) -> tuple[str, Callable[[object], str]]:
    """The table heading and format of a measure's `value`: a count ("Count",
    whole numbers), or a percentage of two counts ("Percentage", one decimal):
    as a count, 3.4% would read "3"."""
    count_cols, _ = disclosure_columns(measure)
    if "value" in count_cols:
        return "Count", number
    if measure["unit"] == "%":
        return "Percentage", percent
    return measure["unit"][:1].upper() + measure["unit"][1:], rate


def _has_interval(measure: dict) -> bool:
    """Whether a measure's figures have a 95% interval (rate_lower, rate_upper):
    those with a rate, `statistics.rate_scale` (a rate per people, or a
    proportion with its Wilson score interval, Newcombe 1998), exactly the ones
    `statistics.rates_for` gives limits; a count with no multiplier, or a
    percentage stored without its counts, has none."""
    return rate_scale(measure) is not None


def _is_proportion(measure: dict) -> bool:
    """Whether a measure's value is a proportion of two counts (numerator /
    denominator x `statistics.proportion_scale`), so that its value is its rate
    and is not repeated as one."""
    return proportion_scale(measure) is not None


def _unit_text(measure: dict) -> str:
    mult = measure.get("rate_multiplier")
    if mult and not pd.isna(mult):
        return f"per {int(mult):,} people"
    return measure["unit"]


# ------------------------------------------------------------------ charts


def _build_trend(params: dict) -> Built:
    measure = _measure(params.get("measure"))
    area_code = _area(params.get("area"))
    age = _age(params.get("age"))
    start, end = _months(params)
    length = trend_length(measure["period_type"])
    # The signed-in /violence page's road, with the public scope.
    view = trend_views.trend_view(
        scope=PUBLIC,
        measure_code=measure["code"],
        area_code=area_code,
        length=length,
        age_band=age,
        start=start,
        end=end,
    )
    area, frame = view["area"], view["series"].copy()
    frame = _blank_withheld(frame, ["value", "rate", "rate_lower", "rate_upper"])
    # The measure says whether it has rates, not the figures: a percentage with
    # some rows hidden has none, and its shown percentages are still drawn.
    multiplier = measure["rate_multiplier"]
    has_rate = bool(multiplier) and not pd.isna(multiplier)
    y_col = "rate" if has_rate else "value"
    # ... and whether its figures have a 95% interval: a rate's (Byar / exact
    # Poisson), or a proportion's Wilson score interval (a share in per cent is
    # drawn as its value, the percentage, inside its interval), as the disclosed
    # series carries them (trend_views: statistics.rates_for, worked out from
    # the published counts, blank on hidden rows) and /violence draws them. A
    # percentage stored without its counts has none: no band, no CI columns.
    has_interval = _has_interval(measure)
    unit = _unit_text(measure) if has_rate else measure["unit"]
    own = frame[frame["role"] == "area"]
    bench = frame[(frame["role"] == "benchmark") & frame[y_col].notna()]
    with_bench = f" with {view['benchmark_name']}" if not bench.empty else ""
    caption = (
        f"{measure['name']} ({unit}), {area.name}{with_bench}, "
        f"{'quarterly' if length == 'quarter' else 'by financial year'}"
        f"{', aged under 25' if age == 'under25' else ''}."
    )
    if own.empty or own[y_col].notna().sum() == 0:
        message = f"There are no published figures of this measure for {area.name}."
        if own["suppressed"].any():  # figures exist, but none may be shown
            rule = _note(own, measure["disclosure_rule"])
            message = (
                f"Every figure of this measure for {area.name} in this period is "
                f"hidden under disclosure control. {rule}"
            )
        return empty_built(f"{measure['name']}: {area.name}", caption, message)
    frame = frame.sort_values(["role", "period_start"]).reset_index(drop=True)
    # One benchmark, named exactly; published and illustrative never one line;
    # every period in its place on the time axis, a missing one a marked gap.
    frame["series"], order = line_names(frame, area.name, view["benchmark_name"])
    axis = periods.every_period(frame["period_start"].tolist(), length)
    fig = trend_figure(
        frame,
        x="period",
        y=y_col,
        lower="rate_lower" if has_interval else None,
        upper="rate_upper" if has_interval else None,
        series="series",
        series_order=order,
        y_title=unit[:1].upper() + unit[1:],
        height=400,
        periods=axis,
        # a share's points say "4.8%", as its sentences and /violence's do
        value_formatter=percent if measure["unit"] == "%" else None,
    )
    if not bench.empty:
        caption += " " + benchmarking.basis_text(bench, view["benchmark_name"])
    if frame["illustrative"].astype(bool).any():
        caption += (
            " Illustrative figures are drawn as their own series, never joined to "
            "published ones."
        )
    own_lines = frame[frame["role"] == "area"]
    summary = " ".join(
        summary_for_series(
            part.assign(shown=part[y_col].astype("Float64")),
            x="period",
            y="shown",
            label=f"{measure['name']} in {area.name}"
            + (" (illustrative figures)" if line.endswith(ILLUSTRATIVE_SUFFIX) else ""),
            unit=unit if has_rate else "",
            percentage=measure["unit"] == "%",
            # The change is stated once, on the baseline road, as the overview
            # states it (not first-to-last of the points shown).
            change=False,
        )
        for line, part in own_lines.groupby("series", sort=False)
    )
    value_heading, value_format = _value_column(measure)
    columns = {
        "area_name": "Area",
        "period": "Period",
        "value": value_heading,
        "rate": "Rate",
        "rate_lower": "95% CI lower",
        "rate_upper": "95% CI upper",
        "status": "Status",
    }
    # the limits in the figure's own terms: a share's are percentages
    limit_format = rate if has_rate else value_format
    formats = {
        "value": value_format,
        "rate": rate,
        "rate_lower": limit_format,
        "rate_upper": limit_format,
    }
    # a share's value is its own rate: not repeated as one
    dropped = [] if has_rate else ["rate"]
    if not has_interval:
        dropped += ["rate_lower", "rate_upper"]
    for col in dropped:
        columns.pop(col)
        formats.pop(col)
    trend = view["recent_trend"]
    summary += " " + trend["text"]
    if view["baseline"] is not None:
        summary += " " + baseline_sentence(view["baseline"], measure["polarity"])[1]
    # Signal or noise, from the same disclosed public series (data_access.trend_spc).
    verdict = trend_spc.trend_spc(view)
    # Only annotations marked public, on the public scope's road.
    marks = []  # the public annotations the chart covers, on both drawings
    events = annotations_for(
        PUBLIC,
        area_code,
        measure["code"],
        own["period_start"].min(),
        own["period_end"].max(),
        public_only=True,
    )
    if not events.empty:
        is_own = (frame["role"] == "area").tolist()
        frame["events"] = [
            text if mine else ""
            for text, mine in zip(events_column(events, frame), is_own, strict=True)
        ]
        columns["events"] = EVENTS_COLUMN
        marks = chart_marks(events, frame[frame["role"] == "area"], "period")
        add_marks(fig, marks)
        summary += " " + events_sentence(events)
    title = f"{measure['name']} in {area.name}: {_trend_title(trend)}"
    return Built(
        title=title,
        caption=caption,
        source=_source_text(frame),
        table=_display(frame, columns, formats),
        csv=_csv_frame(frame, columns, set(formats)),
        summary=summary,
        figure=fig,
        illustrative=bool(frame["illustrative"].any()),
        suppression_note=_note(frame, measure["disclosure_rule"]),
        api_url=url_for(
            "api.measure_values",
            code=measure["code"],
            area=area_code,
            length=length,
            age=age,
            format="csv",
        ),
        numeric_columns=set(formats),
        variation=(variation_svg(verdict["variation"]), verdict["variation_words"]),
        **drawings(fig, title, summary, illustrative=bool(frame["illustrative"].any())),
    )


def _trend_title(trend: dict) -> str:
    """The title's finding: the one recent-trend verdict (trend_views.trend_view,
    the same verdict the /violence page shows; never across a series break),
    never a comparison of the first and last points shown."""
    if trend["direction"] == "not enough data":
        return "recent trend not tested"
    return (
        f"{trend['direction']} over {trend['first_period']} to "
        f"{trend['last_period']} ({trend['method']})"
    )


def _build_funding(params: dict) -> Built:
    area_code = _area(params.get("area"), vru_only=True)
    area = get_area(area_code)
    frame = public.funding_allocated_vs_spent(area_code=area_code)
    caption = (
        f"Home Office VRU grant allocated and spent by {area.name} VRU, "
        "by financial year. Underspend is repaid at the year end."
    )
    if frame.empty:
        return empty_built(
            f"Funding: {area.name}", caption, "No funding has been published yet."
        )
    frame = _blank_withheld(frame, ["allocated", "spent"])
    long = pd.concat(
        [
            frame.assign(kind="Allocated", amount=frame["allocated"]),
            frame.assign(kind="Spent", amount=frame["spent"]),
        ],
        ignore_index=True,
    )
    fig = bar_figure(
        long,
        x="period",
        y="amount",
        color="kind",
        barmode="group",
        y_title="£",
        value_formatter=money,
        color_order=["Allocated", "Spent"],
        x_title="Financial year",
        height=400,
    )
    _mark_withheld(fig, [(p, 0.0) for p in frame.loc[frame["suppressed"], "period"]])
    complete = frame[frame["quarters_reported"] >= 4]
    latest = complete.iloc[-1] if not complete.empty else frame.iloc[-1]
    share = (
        f"{latest['spent'] / latest['allocated']:.0%}"
        if latest["allocated"] and not pd.isna(latest["spent"])
        else "not known"
    )
    title = f"{area.name} VRU spent {share} of its allocation in {latest['period']}"
    summary = " ".join(
        f"{r.period}: allocated {_fmt(r.allocated, money)}, spent "
        f"{_fmt(r.spent, money)} ({r.quarters_reported} of 4 quarters reported)."
        for r in frame.itertuples()
    )
    columns = {
        "period": "Financial year",
        "allocated": "Allocated",
        "spent": "Spent",
        "quarters_reported": "Quarters reported",
    }
    formats = {"allocated": money, "spent": money, "quarters_reported": number}
    return Built(
        title=title,
        caption=caption,
        source="Home Office VRU allocations as published; spend from VRU returns",
        table=_display(frame, columns, formats),
        csv=_csv_frame(frame, columns, set(formats)),
        summary=summary,
        figure=fig,
        illustrative=bool(frame["illustrative"].any()),
        numeric_columns=set(formats),
        **drawings(fig, title, summary, illustrative=bool(frame["illustrative"].any())),
    )


def _build_reach(params: dict) -> Built:
    area_code = _area(params.get("area"), vru_only=True)
    area = get_area(area_code)
    frame = public.reach_by_tier(area_code=area_code)
    caption = (
        f"Young people supported by {area.name} VRU's interventions, by "
        "prevention tier (primary: universal; secondary: at risk; tertiary: "
        "already involved) and financial year."
    )
    if frame.empty:
        return empty_built(
            f"Reach by prevention tier: {area.name}",
            caption,
            "No reach has been reported yet.",
        )
    frame = _blank_withheld(frame, ["young_people"])
    frame["tier_label"] = frame["tier"].map(
        lambda t: "All tiers" if t is None or pd.isna(t) else str(t).capitalize()
    )
    cells = frame[frame["tier"].notna()]
    totals = frame[frame["tier"].isna()]
    fig = bar_figure(
        cells.assign(young_people=cells["young_people"].astype("Float64")),
        x="period",
        y="young_people",
        color="tier_label",
        barmode="stack",
        y_title="Young people supported",
        value_formatter=number,
        color_order=["Primary", "Secondary", "Tertiary"],
        x_title="Financial year",
        height=400,
    )
    # Years in order: plotly's category order is order of appearance, and a tier
    # with no figures in the early years would otherwise push those years last.
    axis(fig, "x").update(
        categoryorder="array",
        categoryarray=list(
            dict.fromkeys(frame.sort_values("financial_year")["period"].tolist())
        ),
    )
    # a "*" over each year with a withheld tier, on top of the tiers shown
    withheld = cells.loc[cells["suppressed"], "period"].unique()
    tops = cells[~cells["suppressed"]].groupby("period")["young_people"].sum()
    _mark_withheld(fig, [(p, float(tops.get(p, 0))) for p in withheld])
    shown = totals[~totals["suppressed"]]
    if not shown.empty:
        best = shown.loc[shown["young_people"].astype(float).idxmax()]
        title = (
            f"{area.name} VRU reached the most young people in {best['period']}: "
            f"{number(best['young_people'])}"
        )
    else:
        title = f"Young people reached by {area.name} VRU, by prevention tier"
    summary = " ".join(
        f"{r.period}: {_fmt(r.young_people, number) if not r.suppressed else MARKER}"
        f" young people in total."
        for r in totals.itertuples()
    )
    columns = {
        "period": "Financial year",
        "tier_label": "Prevention tier",
        "young_people": "Young people supported",
    }
    formats = {"young_people": number}
    return Built(
        title=title,
        caption=caption,
        source="VRU quarterly returns (outputs of funded interventions)",
        table=_display(frame, columns, formats),
        csv=_csv_frame(frame, columns, set(formats)),
        summary=summary,
        figure=fig,
        illustrative=bool(frame["illustrative"].any()),
        suppression_note=_note(frame, public.REACH_RULE),
        numeric_columns=set(formats),
        **drawings(fig, title, summary, illustrative=bool(frame["illustrative"].any())),
    )


def _build_compare(params: dict) -> Built:
    measure = _measure(params.get("measure"))
    year = _period(params.get("period"))
    age = _age(params.get("age"))
    frame = public.force_area_comparison(
        measure_code=measure["code"], financial_year=year, age_band=age
    )
    year_label = frame["period"].iloc[0] if not frame.empty else "the latest year"
    unit = _unit_text(measure)
    bench_name = benchmarking.benchmark_name(measure)
    caption = (
        f"{measure['name']} ({unit}) by police force area, {year_label}, with 95% "
        "confidence intervals"
    )
    pfa = frame[frame["area_level"] == "pfa"]
    # Rates per resident that are not comparable stay out of the ranking (the
    # one road /compare and /violence's ranking take too).
    pfa, notes = split_not_comparable(pfa, measure, code_column="area_code")
    pfa = _blank_withheld(pfa, ["value", "rate", "rate_lower", "rate_upper"])
    if pfa.empty or pfa["rate"].notna().sum() == 0:
        return empty_built(
            f"{measure['name']}: force areas compared",
            caption,
            "There are no published force-area rates of this measure for this year.",
        )
    national = frame[frame["area_level"] == "country"]
    bench = (
        float(national["rate"].iloc[0])
        if not national.empty and pd.notna(national["rate"].iloc[0])
        else None
    )
    # The caption describes only what is drawn.
    caption += (
        f"; the dashed line is {bench_name}."
        if bench is not None
        else f"; no {bench_name} figure is published for {year_label}, so no "
        "benchmark line is drawn."
    )
    # No single area squashes the axis: /compare's clip (web.compare_charts.clip_top,
    # Tukey's far-out fence), with the areas past the edge named in the caption.
    clip_frame = pfa.assign(benchmark_rate=bench, name=pfa["area_name"])
    top = clip_top(clip_frame)
    caption = " ".join([caption, *notes]) + overflow_note(
        clip_frame, top, word=figure_word(measure)
    )
    # compared on the trend road (trend_views.level_series), after disclosure
    pfa["comparison_95"] = pfa["comparison"].mask(pfa["suppressed"])
    # a share's bars and sentence say "11.1%", as /violence's ranking does
    share = measure["unit"] == "%"
    fig = ranked_bar_figure(
        pfa.assign(rate=pfa["rate"].astype("Float64")),
        label="area_name",
        value="rate",
        lower="rate_lower",
        upper="rate_upper",
        category_col="comparison_95" if bench is not None else None,
        benchmark=bench,
        benchmark_label=bench_name,
        value_title=unit[:1].upper() + unit[1:],
        value_formatter=percent if share else rate,
        axis_top=top,
        withheld="suppressed",  # "* hidden" on its row, not "No value shown"
    )
    summary = summary_for_ranking(
        pfa.assign(rate=pfa["rate"].astype("Float64")),
        label="area_name",
        value="rate",
        measure=f"{measure['name']}, {year_label}",
        category_col="comparison_95" if bench is not None else None,
        unit="" if share else unit,
        benchmark=bench,
        benchmark_label=bench_name,
        noun="force areas",
        value_formatter=percent if share else None,
    )
    top = pfa.dropna(subset=["rate"]).sort_values("rate").iloc[-1]
    # a share's figure is a percentage, not a rate of the force areas' people
    title = (
        f"{measure['name']}: {top['area_name']} had the highest "
        f"{figure_word(measure)} of the force areas in {year_label}"
    )
    svg = drawings(fig, title, summary, illustrative=bool(frame["illustrative"].any()))
    # The value as the trend embed heads it (`_value_column`): a share's value
    # is its percentage, which "Count" would misname and round to a whole number
    # (4.8% shown as "5"); being its own rate, it is not repeated as one.
    value_heading, value_format = _value_column(measure)
    columns = {
        "area_name": "Force area",
        "period": "Year",
        "value": value_heading,
        "rate": "Rate",
        "rate_lower": "95% CI lower",
        "rate_upper": "95% CI upper",
        "comparison_95": f"Compared with {bench_name}",
    }
    # a proportion's limits in its value's terms (a share's are percentages)
    limit_format = value_format if _is_proportion(measure) else rate
    formats = {
        "value": value_format,
        "rate": rate,
        "rate_lower": limit_format,
        "rate_upper": limit_format,
    }
    if _is_proportion(measure):
        del columns["rate"], formats["rate"]
    pfa["comparison_95"] = pfa["comparison_95"].fillna(MARKER).astype(str)
    return Built(
        title=title,
        caption=caption,
        source=_source_text(frame),
        table=_display(pfa, columns, formats),
        csv=_csv_frame(pfa, columns, set(formats)),
        summary=summary,
        figure=fig,
        illustrative=bool(frame["illustrative"].any()),
        suppression_note=_note(pfa, measure["disclosure_rule"]),
        api_url=url_for(
            "api.measure_values",
            code=measure["code"],
            **{"from": f"{frame['period_start'].iloc[0]:%Y-%m}"},
            to=f"{frame['period_end'].iloc[0]:%Y-%m}",
            length="year",
            age=age,
            format="csv",
        ),
        numeric_columns=set(formats),
        **svg,
    )


CHARTS: dict[str, EmbedChart] = {
    c.name: c
    for c in (
        EmbedChart(
            "trend",
            "Success measure trend",
            "One success measure over time for an area, with England and Wales "
            "alongside and 95% confidence intervals.",
            ("measure", "area", "age", "from", "to"),
            _build_trend,
            {"measure": DEFAULT_MEASURE, "area": DEFAULT_AREA},
        ),
        EmbedChart(
            "funding",
            "Funding allocated and spent",
            "A VRU's Home Office grant allocated and spent, by financial year.",
            ("area",),
            _build_funding,
            {"area": DEFAULT_AREA},
        ),
        EmbedChart(
            "reach",
            "Reach by prevention tier",
            "Young people supported by a VRU's interventions, by prevention tier.",
            ("area",),
            _build_reach,
            {"area": DEFAULT_AREA},
        ),
        EmbedChart(
            "compare",
            "Force areas compared",
            "One success measure for every police force area in a year, ranked, "
            "against England and Wales.",
            ("measure", "period", "age"),
            _build_compare,
            {"measure": DEFAULT_MEASURE},
        ),
    )
}
