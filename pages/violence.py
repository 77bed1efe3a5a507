"""Success-measure trends: is a success measure rising or falling in an area, with
confidence intervals, against England and Wales, before and after VRU funding
began?

Drill down England and Wales → force area → local authority by following an area
in the "Areas within" table (each row is a link); breadcrumbs lead back up. Every
level and control is in the URL, e.g.
/violence?measure=knife_offences&area=E23000036&view=quarter&age=all&from=2016-04&to=2025-09&chart=spc

The chart is either the rates with 95% confidence intervals (`chart=ci`, the
default) or the SPC chart of the same disclosed figures (`chart=spc`,
data_access.trend_spc: is a change signal or noise?). Both mark the annotations
(dated local events, data_access.annotations) that the reader may see.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from urllib.parse import quote_plus, urlencode

import dash
import numpy as np
import pandas as pd
from dash import Input, Output, dcc, html

from components import annotation_marks, filters, spc_chart
from components.bar_figures import RANKED_MIN_WIDTH, ranked_bar_figure
from components.chart import ChartSpec, chart_card
from components.chart_tables import TableLink, accessible_table
from components.chart_text import summary_for_ranking, summary_for_series
from components.figure_layout import written_once
from components.formatting import count_text, number, percent, rate
from components.shell import message
from components.spc_icons import spc_summary
from components.trend_figure import trend_figure
from components.trend_table import count_values, trend_table
from components.trend_table import per_words as _per
from data_access import trend_spc
from data_access.annotations import annotations_for
from data_access.areas import NATIONAL_CODE, get_area
from data_access.chart_lines import ILLUSTRATIVE_SUFFIX, line_names
from data_access.comparator_groups import split_not_comparable
from data_access.errors import InvalidParameter, NotFound, StoreUnavailable
from data_access.outcomes import area_trends, benchmarking, raw_series, trend_views
from data_access.periods import every_period, parse_month
from data_access.spc import VARIATION_WORDS
from web import board_parts
from web.access import current_scope
from web.compare_charts import clip_top, figure_word, overflow_note
from web.view_cache import cached_callback

dash.register_page(
    __name__,
    path="/violence",
    title="Success-measure trends – VRU Outcomes Monitor",
    name="Violence trends",
    order=1,
)

PAGE = "violence"
DEFAULTS = {
    "measure": "knife_offences",
    "area": NATIONAL_CODE,
    # ONS publishes annual figures; the quarterly series is unrevised
    "view": "year",
    "age": "all",
    "from": "",
    "to": "",
    "chart": "ci",
}
MEASURES = {
    "knife_offences": "Knife or sharp instrument offences",
    "hospital_admissions_knife": "Hospital admissions for assault by a sharp object",
    "homicide_knife": "Homicides involving a knife or sharp instrument",
    "knife_offences_share": "Share of selected offences involving a knife",
    # Published with the VRU era's ONS tables (issue 17): years ending June 2025
    "possession_of_weapons": "Possession of weapons offences",
    "violence_with_injury": "Violence with injury",
    "homicide": "Homicide, all methods",
}
SINGULAR = {"force areas": "force area", "local authorities": "local authority"}
# Calendar years (London boroughs' knife homicides, ONS years ending December)
# are a view of their own, never drawn among financial years (issue 17).
VIEWS = {"quarter": "Quarterly", "year": "Financial year", "calendar": "Calendar year"}
AGES = {"all": "All ages", "under25": "Aged under 25"}
CHARTS = {"ci": "Confidence intervals", "spc": "SPC: signal or noise"}
PARAMS = {name: f"{PAGE}-{name}" for name in DEFAULTS}
COMPARISON_WORDS = {
    "better": "better than",
    "worse": "worse than",
    "similar": "similar to",
    "higher": "higher than",
    "lower": "lower than",
}


def layout(**query):
    values = {k: query.get(k) or v for k, v in DEFAULTS.items()}
    # Dropdowns drop a value that is not one of their options, so invalid choices
    # from the URL are reported here (no store needed) and replaced by defaults.
    problems = []
    for name, allowed in (
        ("measure", MEASURES),
        ("view", VIEWS),
        ("age", AGES),
        ("chart", CHARTS),
    ):
        if values[name] not in allowed:
            problems.append(
                f"{name}: '{values[name]}' is not allowed. Use one of "
                f"{', '.join(allowed)}. Showing {DEFAULTS[name]} instead."
            )
            values[name] = DEFAULTS[name]
    return html.Div(
        [
            html.H1("Success-measure trends"),
            html.P(
                "How each Home Office success measure has moved, as counts and as "
                "rates with 95% confidence intervals, against England and Wales. "
                "Follow an area in the table to drill down to force areas and "
                "local authorities.",
                className="lead",
            ),
            filters.filter_bar(
                [
                    filters.select(
                        PAGE,
                        "measure",
                        label="Measure",
                        options=_options(MEASURES),
                        value=values["measure"],
                    ),
                    filters.area_picker(PAGE, value=values["area"]),
                    filters.select(
                        PAGE,
                        "view",
                        label="Periods",
                        options=_options(VIEWS),
                        value=values["view"],
                    ),
                    filters.select(
                        PAGE,
                        "age",
                        label="Age",
                        options=_options(AGES),
                        value=values["age"],
                    ),
                    filters.month_picker(
                        PAGE, "from", label="From (month)", value=values["from"]
                    ),
                    filters.month_picker(
                        PAGE, "to", label="To (month)", value=values["to"]
                    ),
                    filters.select(
                        PAGE,
                        "chart",
                        label="Chart",
                        options=_options(CHARTS),
                        value=values["chart"],
                    ),
                ]
            ),
            html.Div(
                [
                    message(
                        "Some settings in the address were not valid:", kind="warning"
                    ),
                    html.Ul([html.Li(p) for p in problems], className="param-errors"),
                ]
                if problems
                else [],
                id=f"{PAGE}-query-errors",
            ),
            filters.area_levels(
                PAGE, ("country", "pfa", "lad"), key=repr(sorted(query.items()))
            ),
            filters.url_params(PAGE, PARAMS),
            filters.url_sync(PAGE),
            dcc.Loading(
                html.Div(id=f"{PAGE}-content", **{"aria-live": "polite"}), type="dot"
            ),
            board_parts.commentary_panel(PAGE),
        ]
    )


def _options(labels: dict) -> list[dict]:
    return [{"label": label, "value": value} for value, label in labels.items()]


filters.link_area_options(PAGE)
filters.link_url_sync(PAGE, PARAMS)
show_commentary = board_parts.register_commentary_panel(
    PAGE, f"{PAGE}-measure", f"{PAGE}-area"
)


def view_url(**params) -> str:
    """The /violence URL for a view (empty parameters left out)."""
    return _area_urls(params)(params.get("area"))


def _area_urls(params: dict) -> Callable[[str | None], str]:
    """`view_url(area=code, **params)` for any area code: the parameters other
    than the area encoded once (the drill table links a few dozen areas, and
    an urlencode of every parameter per row cost more than the row). The same
    query as urlencode of them all in DEFAULTS' order: each key and value by
    quote_plus, joined by "&"."""
    keys = list(DEFAULTS)
    at = keys.index("area")
    before, after = (
        urlencode({k: params[k] for k in part if params.get(k)})
        for part in (keys[:at], keys[at + 1 :])
    )

    def url(area: str | None) -> str:
        parts = (before, f"area={quote_plus(area)}" if area else "", after)
        return "/violence?" + "&".join(part for part in parts if part)

    return url


def validate(
    measure, area, view, age, start, end, chart="ci"
) -> tuple[dict, list[str]]:
    """Parsed parameters and a message per invalid one (naming it and its form)."""
    errors: list[str] = []
    parsed: dict = {}
    if measure not in MEASURES:
        errors.append(
            f"measure: '{measure}' is not one of the measures here. Use one of "
            f"{', '.join(MEASURES)}."
        )
    try:
        parsed["area"] = get_area(area or NATIONAL_CODE)
    except NotFound:
        errors.append(
            f"area: there is no area with the code '{area}'. Use an ONS code such "
            f"as {NATIONAL_CODE} (England and Wales) or E23000036, or choose from "
            "the list."
        )
    if view not in VIEWS:
        errors.append(f"view: '{view}' is not allowed. Use quarter, year or calendar.")
    if age not in AGES:
        errors.append(f"age: '{age}' is not allowed. Use all or under25.")
    if chart not in CHARTS:
        errors.append(f"chart: '{chart}' is not allowed. Use ci or spc.")
    for name, value, is_end in (("from", start, False), ("to", end, True)):
        if not value:
            parsed[name] = None
            continue
        try:
            parsed[name] = parse_month(value, parameter=name, end=is_end)
        except InvalidParameter:
            errors.append(
                f"{name}: '{value}' is not a month. Use the form YYYY-MM, "
                "for example 2018-04."
            )
    if not errors and parsed["from"] and parsed["to"]:
        if parsed["from"] > parsed["to"]:
            errors.append("from: the first month must come before the 'to' month.")
    return parsed, errors


@cached_callback(
    Output(f"{PAGE}-content", "children"),
    *(Input(component_id, "value") for component_id in PARAMS.values()),
)
def show_trend(measure, area, view, age, start, end, chart=None):
    scope = current_scope()
    measure = measure or DEFAULTS["measure"]
    view = view or DEFAULTS["view"]
    age = age or DEFAULTS["age"]
    chart = chart or DEFAULTS["chart"]
    try:
        parsed, errors = validate(measure, area, view, age, start, end, chart)
        if errors:
            return [
                message(
                    "Some of this page's settings are not valid, so nothing is shown. "
                    "Change them above:",
                    kind="warning",
                ),
                html.Ul([html.Li(e) for e in errors], className="param-errors"),
            ]
        return _content(scope, measure, parsed, view, age, start, end, chart)
    except StoreUnavailable:
        return message(
            "Data temporarily unavailable. Please try again shortly.", kind="warning"
        )


def _content(scope, measure_code, parsed, view, age, start, end, chart):
    area = parsed["area"]
    params = dict(measure=measure_code, view=view, age=age, chart=chart)
    params["from"], params["to"] = start or "", end or ""
    view_data = trend_views.trend_view(
        scope=scope,
        measure_code=measure_code,
        area_code=area.code,
        length=view,
        age_band=age,
        start=parsed["from"],
        end=parsed["to"],
    )
    series = view_data["series"]
    parts = [
        _breadcrumbs(area, params),
        html.P(
            dcc.Link(
                f"Every measure for {area.name} against the benchmark (area profile)",
                href=f"/areas/{area.code}",
            ),
            className="profile-link",
        ),
    ]
    own = series[series["role"] == "area"]
    if own.empty:
        parts.append(_no_series(scope, measure_code, area, view, age, params))
    else:
        events = annotations_for(
            scope,
            area.code,
            measure_code,
            own["period_start"].min(),
            own["period_end"].max(),
        )
        if chart == "spc":
            verdict = trend_spc.trend_spc(view_data)
            variation = verdict["variation"]
        else:  # the variation alone: no chart of points is drawn
            variation = trend_spc.trend_variation(view_data)
        parts.append(
            spc_summary(variation=variation, variation_words=VARIATION_WORDS[variation])
        )
        if chart == "spc":
            parts.append(_spc_card(view_data, view, age, events, verdict))
        else:
            parts.append(_trend_card(view_data, view, age, events))
    measure = view_data["measure"]
    parts.append(_children(scope, measure, area, view, age, params, view_data))
    return parts


def _breadcrumbs(area, params) -> html.Nav:
    chain = [area]
    while chain[0].parent_code:
        chain.insert(0, get_area(chain[0].parent_code))
    if chain[0].code != NATIONAL_CODE:
        chain.insert(0, get_area(NATIONAL_CODE))
    items = []
    for i, step in enumerate(chain):
        if i == len(chain) - 1:
            items.append(
                html.Li(
                    step.name,
                    className="breadcrumb-item active",
                    **{"aria-current": "page"},
                )
            )
        else:
            items.append(
                html.Li(
                    dcc.Link(step.name, href=view_url(area=step.code, **params)),
                    className="breadcrumb-item",
                )
            )
    return html.Nav(
        html.Ol(items, className="breadcrumb"),
        **{"aria-label": "Breadcrumb"},
        id=f"{PAGE}-breadcrumbs",
    )


def _no_series(scope, measure_code, area, view, age, params):
    if age == "under25":
        text = (
            f"{MEASURES[measure_code]}: there are no figures for people aged under "
            f"25 for {area.name}. Choose All ages, or hospital admissions, which "
            "have an under-25 split."
        )
        link = view_url(area=area.code, **{**params, "age": "all"})
    elif view == "quarter":
        text = (
            f"{MEASURES[measure_code]}: there are no quarterly figures for "
            f"{area.name}. They are published by financial year."
        )
        link = view_url(area=area.code, **{**params, "view": "year"})
    elif view == "calendar":
        text = (
            f"{MEASURES[measure_code]}: there are no calendar-year figures for "
            f"{area.name}. Calendar years are published for London boroughs' knife "
            "homicides; the other figures are by financial year."
        )
        link = view_url(area=area.code, **{**params, "view": "year"})
    elif not area_trends.area_series(
        scope=scope, measure_code=measure_code, area_code=area.code, length="calendar"
    ).empty:
        text = (
            f"{MEASURES[measure_code]}: {area.name}'s figures are published by "
            "calendar year (January to December), not by financial year. They "
            "are shown in the Calendar year view, on an axis of their own."
        )
        link = view_url(area=area.code, **{**params, "view": "calendar"})
    else:
        text = f"There are no figures for {area.name} for this selection."
        link = None
    children = [message(text, kind="info")]
    if link:
        children.append(html.P(dcc.Link("Show the figures that exist", href=link)))
    return html.Div(children, id=f"{PAGE}-empty")


def _with_events(table: pd.DataFrame, series: pd.DataFrame, events) -> pd.DataFrame:
    """The table with a column of the marked events in each of the area's periods."""
    if events.empty:
        return table
    texts = annotation_marks.events_column(events, series)
    own = (series["role"] == "area").tolist()
    table[annotation_marks.EVENTS_COLUMN] = [
        t if is_own else "" for t, is_own in zip(texts, own, strict=True)
    ]
    return table


def _trend_card(view_data, view, age, events):
    measure, area, series = view_data["measure"], view_data["area"], view_data["series"]
    code = measure["code"]
    own = series[series["role"] == "area"]
    bench = series[series["role"] == "benchmark"]
    table = _with_events(trend_table(series, measure), series, events)
    per = _per(measure)
    y_title = "Percentage" if per == "%" else f"Rate {per}"
    rate_col = table.columns[3]
    # The chart, its hover and its sentences from the figures as stored, not
    # the table's two-decimal copy: 5.8486 rounded to 5.85 and then written to
    # one decimal would read 5.9, where the title and the embed say 5.8.
    hidden = series["suppressed"].astype(bool).tolist()
    stored = {
        "rate": "rate",
        "Lower 95% CI": "rate_lower",
        "Upper 95% CI": "rate_upper",
    }
    bench_name = view_data["benchmark_name"]
    names, lines = line_names(series, area.name, bench_name)
    periods = series["period"].tolist()
    order = list(dict.fromkeys(own["period"].tolist() + bench["period"].tolist()))
    order_index = {p: i for i, p in enumerate(sorted(order, key=_period_key))}
    orders = [order_index[p] for p in periods]
    # The table's columns (its rate named "rate"), the stored figures, periods
    # and lines in place of the table's, and the order: one frame built at
    # once (a renamed copy and a column set at a time cost more, issue 19).
    columns: dict = {}
    for name in table.columns:
        column = "rate" if name == rate_col else name
        if column in stored:
            columns[column] = [
                "*" if h else v
                for v, h in zip(series[stored[column]].tolist(), hidden, strict=True)
            ]
        elif column == "Period":
            columns[column] = periods
        elif column == "Area":
            columns[column] = names
        else:
            columns[column] = table[name]
    plot = pd.DataFrame({**columns, "_order": orders})
    # a stable sort by period (as sort_values(kind="stable")), by one take and
    # only when out of order: sorting the frame cost more than the check
    if any(a > b for a, b in zip(orders, orders[1:], strict=False)):
        plot = plot.take(sorted(range(len(orders)), key=orders.__getitem__))
    funding, breaks = view_data["funding_start"], view_data["breaks"]
    time_axis = every_period(series["period_start"].tolist(), view)
    figure = trend_figure(
        plot,
        x="Period",
        y="rate",
        lower="Lower 95% CI",
        upper="Upper 95% CI",
        series="Area",
        series_order=lines,
        y_title=y_title,
        x_title=VIEWS[view],
        vlines=[(funding, "VRU funding began")] if funding in set(time_axis) else [],
        breaks=[b for b in breaks if b[0] in set(time_axis)],
        periods=time_axis,
        # a share's hover says "5.8%", as its title and table do
        value_formatter=percent if per == "%" else None,
    )
    annotation_marks.add_marks(
        figure, annotation_marks.chart_marks(events, own, "period")
    )
    latest = own.iloc[-1]
    short = measure["short_name"]
    age_words = "" if age == "all" else " (aged under 25)"
    if latest["suppressed"]:
        title = (
            f"{short}{age_words} in {area.name}, {latest['period']}: too few to show"
        )
    else:
        value = (
            count_text(latest["value"], latest["precision"])
            if per != "%"
            else f"{rate(latest['rate'])}%"
        )
        comparison = COMPARISON_WORDS.get(latest["comparison"])
        title = f"{short}{age_words} in {area.name}: {value} in {latest['period']}"
        if comparison and not bench.empty:
            title += (
                f", a rate {comparison} "
                f"{_bench_label(view_data, bench, latest['period'])}"
            )
    trend = view_data["recent_trend"]
    # Published and illustrative figures are described apart, never as one change.
    summary = " ".join(
        summary_for_series(
            plot[plot["Area"] == line],
            x="Period",
            y="rate",
            label=f"The {y_title.lower()} in {area.name}"
            + (" (illustrative figures)" if line.endswith(ILLUSTRATIVE_SUFFIX) else ""),
            value_formatter=rate,
            percentage=per == "%",
        )
        for line in (area.name, area.name + ILLUSTRATIVE_SUFFIX)
        if line in lines
    )
    summary += " " + trend["text"]
    baseline = view_data["baseline"]
    if baseline["available"]:
        pct = baseline["percent_change"]
        summary += (
            f" Against the {raw_series.BASELINE_LABEL} baseline the "
            f"{baseline['current_period']} rate is "
            f"{'up' if pct > 0 else 'down'} {abs(pct):.0f}% "
            f"({baseline['direction']}; {baseline['test_text']})"
            + (", both illustrative figures." if baseline["illustrative"] else ".")
        )
    caption = (
        f"{MEASURES[code]}, {AGES[age].lower()}, {area.name}, "
        f"{own['period'].iloc[0]} to {own['period'].iloc[-1]}, "
        f"{VIEWS[view].lower()} figures; shaded bands are 95% confidence intervals. "
        "Each period has its place on the time axis; a period with no published "
        "figure is a gap, never a line across it. "
    )
    if view == "calendar":
        caption += (
            "Calendar years run January to December; financial-year figures "
            "(April to March) are never drawn on this axis. "
        )
    # (over the columns as lists: three masks and a filter cost more)
    unrated = [
        period
        for period, value, rate_value, hidden in zip(
            *(own[col].tolist() for col in ("period", "value", "rate", "suppressed")),
            strict=True,
        )
        if pd.notna(value) and pd.isna(rate_value) and not hidden
    ]
    if unrated:
        caption += (
            f"{len(unrated)} periods between {unrated[0]} and "
            f"{unrated[-1]} have a count but no population "
            "estimate, so no rate is drawn for them; the table gives the counts. "
        )
    if not bench.empty:
        caption += benchmarking.basis_text(bench, bench_name) + " "
    elif view == "calendar":
        caption += f"No {bench_name} figure is published by calendar year. "
    illustrative = any(bool(i) for i in series["illustrative"].tolist())
    if illustrative:
        caption += (
            "Illustrative figures are drawn as their own series, never joined to "
            "published ones, and are compared only with illustrative figures. "
        )
    if view_data["benchmark_name"] != "England and Wales":
        caption += (
            f"These figures cover {view_data['benchmark_name']} only, so the "
            f"benchmark is {view_data['benchmark_name']}, not England and Wales. "
        )
    if view_data["disclosure_note"]:
        caption += view_data["disclosure_note"] + " "
    if funding:
        caption += f"VRU funding began in {funding}. "
    if breaks:
        caption += "Marked breaks: " + "; ".join(f"{p}: {t}" for p, t in breaks) + ". "
    if not events.empty:
        summary += " " + annotation_marks.events_sentence(events)
    titles = series["source_title"].tolist()
    sources = "; ".join(dict.fromkeys(t for t in titles if not pd.isna(t)))
    suppressed = any(bool(h) for h in series["suppressed"].tolist())
    return html.Div(
        [
            chart_card(
                ChartSpec(
                    chart_id=f"{PAGE}-trend",
                    title=title,
                    caption=caption,
                    figure=figure,
                    table=table,
                    summary=summary,
                    illustrative=illustrative,
                    source=sources,
                    csv_filename=f"{code}-{area.code}-{view}-{age}.csv",
                    suppression_note=measure_suppression_note(measure)
                    if suppressed
                    else None,
                )
            ),
            html.P(trend["text"], id=f"{PAGE}-trend-tag", className="trend-tag"),
        ]
    )


def _spc_card(view_data, view, age, events, result):
    """The SPC chart of the area's figures (`result`: trend_spc of the view)."""
    measure, area = view_data["measure"], view_data["area"]
    code, per = measure["code"], _per(measure)
    points = result["points"]
    value_name = "Percentage" if per == "%" else f"Rate {per}"
    if result["column"] == "value":
        value_name = "Count"
    noun = "quarter" if view == "quarter" else "year"
    label = f"the {value_name.lower()} in {area.name}"
    age_words = "" if age == "all" else " (aged under 25)"
    shown = points[points["value"].notna()]
    words = result["variation_words"]
    latest = shown["period"].iloc[-1] if not shown.empty else ""
    title = (
        f"{measure['short_name']}{age_words} in {area.name}, {latest}: "
        f"{words[0].lower()}{words[1:]}"
    )
    method = result["method"].split("; limits recalculated")[0]
    caption = (
        f"{MEASURES[code]}, {AGES[age].lower()}, {area.name}, "
        f"{VIEWS[view].lower()} figures as a statistical process control chart "
        f"({method}). Points outside the grey limits, long runs and "
        "trends are special causes, marked by kind; the table names the rule. "
    )
    if result["steps"]:
        caption += (
            "Limits are recalculated at: "
            + "; ".join(f"{p} ({reason})" for p, reason in result["steps"])
            + ". "
        )
    if view_data["disclosure_note"]:
        caption += view_data["disclosure_note"] + " "
    summary = spc_chart.spc_summary_text(result, label=label, noun=noun)
    if not events.empty:
        summary += " " + annotation_marks.events_sentence(events)
    figure = spc_chart.spc_figure(
        points,
        y_title=value_name,
        x_title=VIEWS[view],
        steps=result["steps"],
        marks=annotation_marks.chart_marks(events, points, "period"),
    )
    series = view_data["series"]
    own = series[series["role"] == "area"]
    return chart_card(
        ChartSpec(
            chart_id=f"{PAGE}-spc",
            title=title,
            caption=caption,
            figure=figure,
            table=spc_chart.spc_table(
                result, value_name=value_name, annotations=events
            ),
            summary=summary,
            illustrative=bool(own["illustrative"].any()),
            source="; ".join(dict.fromkeys(own["source_title"].dropna())),
            csv_filename=f"{code}-{area.code}-{view}-{age}-spc.csv",
            suppression_note=measure_suppression_note(measure)
            if bool(own["suppressed"].any())
            else None,
        )
    )


def measure_suppression_note(measure) -> str:
    from data_access.disclosure import get_rule

    return get_rule(measure["disclosure_rule"]).why_hidden


def _bench_label(view_data: dict, bench: pd.DataFrame, period: str) -> str:
    """The benchmark's name in `period`, which says what it covers ("England and
    Wales excluding Greater Manchester"), else the measure's benchmark."""
    names = bench.loc[bench["period"] == period, "area_name"]
    return names.iloc[0] if not names.empty else view_data["benchmark_name"]


def _period_key(label: str):
    # "2019/20 Q3" -> (2019, 3); "2019/20" -> (2019, 0)
    year = int(label[:4]) if label[:4].isdigit() else 0
    quarter = int(label[-1]) if " Q" in label else 0
    return (year, quarter)


def _children(scope, measure, area, view, age, params, view_data):
    if area.code != NATIONAL_CODE and area.level != "pfa":
        return html.Div()
    code = measure["code"]
    # the measure and area the trend view looked up (no second lookup)
    kids = area_trends.children_of(
        scope, measure, area, length=view, age_band=age, parent_own=view_data["own"]
    )
    level_words = "force areas" if area.code == NATIONAL_CODE else "local authorities"
    heading = html.H2(f"Areas within {area.name}", id=f"{PAGE}-children-heading")
    if kids.empty or kids["value"].isna().all():
        hint = (
            " Local authority figures exist for knife offences by quarter."
            if level_words == "local authorities"
            else ""
        )
        return html.Section(
            [
                heading,
                message(
                    f"There are no {level_words} figures for this measure and "
                    f"selection.{hint}",
                    kind="info",
                ),
            ]
        )
    per = _per(measure)
    period = kids["period"].iloc[0]
    ranked, notes = kids, []
    if area.code == NATIONAL_CODE:
        # Force areas: left out of the chart, its table, CSV and summary as on
        # /compare and the compare embed (one road); still in the drill table
        # above, whose rows lead to each area's own trend.
        ranked, notes = split_not_comparable(kids, measure, code_column="area_code")
    left_out = _left_out_note(notes, kids, ranked, measure, view, age, period)
    if ranked["value"].isna().all():  # only areas left out have a figure
        return html.Section(
            [
                heading,
                _drill_table(kids, params, measure, period, level_words),
                left_out,
                message(f"There are no other {level_words} figures to compare."),
            ],
            className="children",
        )
    # The ranked areas' columns as plain lists (a few dozen areas: copying the
    # frame and masking four of its columns cost more than the bars).
    sups = [bool(s) for s in ranked["suppressed"].tolist()]
    names = ranked["area_name"].tolist()

    def unless_hidden(column: str) -> list:
        return [
            math.nan if s else v
            for v, s in zip(ranked[column].tolist(), sups, strict=True)
        ]

    # the figures as stored for the bars and the summary (written to one
    # decimal once); the table and CSV round their own copy to two
    rates, lowers, uppers = (
        unless_hidden(column) for column in ("rate", "rate_lower", "rate_upper")
    )
    compared = np.array(
        [
            "not compared" if s else word
            for word, s in zip(ranked["comparison"].tolist(), sups, strict=True)
        ],
        dtype=object,
    )
    bars = pd.DataFrame(
        {
            "area_name": names,
            "Rate": rates,
            "Lower": lowers,
            "Upper": uppers,
            "Compared": compared,
        }
    )
    parent_label = (
        view_data["benchmark_name"] if area.code == NATIONAL_CODE else area.name
    )
    # the bars and the summary write the same figures: a share's with "%"
    rate_text = written_once(percent if per == "%" else rate)
    # No single area squashes the axis: /compare's clip (web.compare_charts.
    # clip_top, Tukey's far-out fence) on the figures drawn, with the areas past
    # the edge named in the caption, as /compare and the compare embed do. No
    # benchmark line is drawn here, so none holds the axis open.
    clip_frame = pd.DataFrame(
        {
            "name": names,
            "rate": rates,
            "rate_upper": uppers,
            "benchmark_rate": math.nan,
            "suppressed": sups,
        }
    )
    top = clip_top(clip_frame)
    figure = ranked_bar_figure(
        bars,
        label="area_name",
        value="Rate",
        lower="Lower",
        upper="Upper",
        category_col="Compared",
        value_title=per if per == "%" else f"Rate {per}",
        value_formatter=rate_text,
        axis_top=top,
    )

    def two_places(values: list) -> list:
        return [
            "*" if s else (None if pd.isna(v) else round(float(v), 2))
            for v, s in zip(values, sups, strict=True)
        ]

    table = pd.DataFrame(
        {
            "Area": ranked["area_name"],
            "Period": period,
            "Count": [
                "*" if s else (None if pd.isna(v) else round(float(v)))
                for v, s in zip(count_values(ranked, measure), sups, strict=True)
            ],
            "Rate" if per == "%" else f"Rate {per}": two_places(rates),
            "Lower 95% CI": two_places(lowers),
            "Upper 95% CI": two_places(uppers),
            f"Compared with {parent_label} (95%)": compared,
            "Source": ranked["source_title"],
            "Illustrative": [
                "Illustrative data" if i else "No"
                for i in ranked["illustrative"].tolist()
            ],
        }
    )
    summary = summary_for_ranking(
        bars,
        label="area_name",
        value="Rate",
        measure=f"{measure['short_name']} {figure_word(measure)}, {period}",
        category_col="Compared",
        noun=level_words,
        value_formatter=rate_text,
    )
    card = chart_card(
        ChartSpec(
            chart_id=f"{PAGE}-children",
            title=(
                f"{measure['short_name']} by {SINGULAR[level_words]} in "
                f"{area.name}, {period}"
            ),
            caption=" ".join(
                part.strip()
                for part in (
                    f"{MEASURES[code]}, {AGES[age].lower()}, {level_words} in "
                    f"{area.name}, {period}. Bars show {figure_word(measure)}s "
                    f"with 95% confidence intervals, compared with {parent_label}.",
                    _left_out_caption(kids, ranked),
                    view_data["disclosure_note"],
                    overflow_note(clip_frame, top, word=figure_word(measure)),
                )
                if part.strip()
            ),
            figure=figure,
            table=table,
            summary=summary,
            illustrative=bool(ranked["illustrative"].any()),
            source="; ".join(dict.fromkeys(ranked["source_title"].dropna())),
            min_width=RANKED_MIN_WIDTH,
        ),
        heading_level=3,
    )
    return html.Section(
        [
            heading,
            _drill_table(kids, params, measure, period, level_words),
            left_out,
            card,
        ],
        className="children",
    )


def _left_out_note(notes, kids, ranked, measure, view, age, period):
    """The note on the areas the ranking leaves out (None when it leaves out
    none), with a link to /compare showing them ranked with the others: for
    the same year when the view is financial years (/compare's years are
    those), else /compare's own latest year; /compare has every age only."""
    if not notes:
        return None
    query = {"measure": measure["code"]}
    when = " by financial year"
    if view == "year":  # one period for every child (area_trends.children_of)
        query["period"] = pd.Timestamp(kids["period_start"].iloc[0]).strftime("%Y-%m")
        when = f", {period}"
    query["outliers"] = "include"
    names = _names(
        set(kids["area_code"].tolist()) - set(ranked["area_code"].tolist()), kids
    )
    ages = ", all ages" if age != "all" else ""
    listed = (
        "It is still listed in the table above, with a link to its own trend."
        if len(notes) == 1
        else "They are still listed in the table above, with links to their trends."
    )
    return html.Div(
        [
            message(" ".join([*notes, listed]), kind="info"),
            html.P(
                dcc.Link(
                    f"See {names} ranked with the other force areas{when}{ages} "
                    "(Compare force areas)",
                    href="/compare?" + urlencode(query),
                ),
                className="left-out-link",
            ),
        ],
        id=f"{PAGE}-children-left-out",
    )


def _left_out_caption(kids, ranked) -> str:
    """The caption's word on the areas the chart leaves out ("" for none): the
    caption describes exactly what is drawn."""
    gone = set(kids["area_code"].tolist()) - set(ranked["area_code"].tolist())
    if not gone:
        return ""
    verb = "is" if len(gone) == 1 else "are"
    return f"{_names(gone, kids)} {verb} left out (see the note above the chart). "


def _names(codes, kids) -> str:
    # over the two columns as lists: isin and a masked read cost more
    pairs = zip(kids["area_code"].tolist(), kids["area_name"].tolist(), strict=True)
    return " and ".join(sorted(name for code, name in pairs if code in codes))


def _drill_table(kids, params, measure, period, level_words):
    # One StaticTable (components.chart) instead of ~260 Dash components: Dash's
    # renderer re-checks every component on each update while the page loads.
    per = _per(measure)
    rate_head = "Percentage" if per == "%" else f"Rate {per}"
    rows = []
    link = _area_urls(params)
    # the children's columns as plain lists: itertuples builds a tuple of
    # every column per row, and a Series yields a step per cell
    for code, name, level, value, count, rate_value, comparison, suppressed in zip(
        *(kids[col].tolist() for col in ("area_code", "area_name", "level", "value")),
        count_values(kids, measure),
        *(kids[col].tolist() for col in ("rate", "comparison", "suppressed")),
        strict=True,
    ):
        if level in ("pfa", "lad"):
            name = TableLink(name, link(code), class_name="drill-link")
        if suppressed:
            value_text, rate_text = "*", "*"
        else:
            value_text = number(count)
            rate_text = rate(rate_value) if pd.notna(rate_value) else None
        compared = comparison if pd.notna(value) else "no data"
        rows.append((name, value_text, rate_text, compared))
    return accessible_table(
        pd.DataFrame(rows, columns=["Area", "Count", rate_head, "Compared (95%)"]),
        caption=f"Select an area to see its trend ({level_words}, {period})",
        table_id=f"{PAGE}-drill-table",
        class_name="drill-table",
    )
