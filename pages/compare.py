"""Compare force areas: how does each police force area's rate of one measure in one
financial year compare, fairly, with England and Wales or with a group of areas?
A share (the percentage of offences involving a knife) is ranked by its
percentage, its funnel drawn against its denominator with binomial limits: the
measures offered are those force areas can be ranked by
(year_values.can_rank), as on the public compare embed.

Ranked bars with confidence intervals coloured and labelled by significance against
the benchmark, a map of the same categories, a funnel plot of rate against
population with 95% and 99.8% control limits, and VRU against non-VRU areas before
and after funding began (descriptive, not causal).

Drill down: each area in the ranking table links to its profile (/areas/<code>).
State in the URL: ?measure=knife_offences&period=2018-04&benchmark=national&level=95
"""

from __future__ import annotations

import functools
from collections import Counter

import dash
import numpy as np
import pandas as pd
from dash import Input, Output, State, dcc, html

from components import filters
from components.area_map import area_map_figure, outline_symbols
from components.bar_figures import RANKED_MIN_WIDTH, ranked_bar_figure
from components.chart import ChartSpec, chart_card
from components.chart_tables import TableLink, accessible_table
from components.chart_text import summary_for_ranking
from components.figure_svg.symbols import OutlineSymbols
from components.shell import message
from data_access.comparator_groups import (
    not_comparable,
    region_groups,
    split_not_comparable,
)
from data_access.errors import (
    AccessDenied,
    InvalidParameter,
    NotFound,
    StoreUnavailable,
)
from data_access.geography import BOUNDARIES_SOURCE, pfa_boundaries
from data_access.measures import get_measure
from data_access.outcomes import force_areas, funnels, vru_groups, year_values
from web import embed
from web.access import current_scope
from web.comparator_parts import (
    register_saved_groups,
    saved_groups_panel,
    saved_option,
)
from web.compare_charts import (
    chart_caption,
    clip_top,
    column_values,
    figure_word,
    funnel_spec,
    is_share,
    overflow_note,
    per_label,
    rate_text_once,
    rounded_or_hidden,
    size_heading,
    sources_text,
    suppression_note_for,
    value_heading,
    vru_spec,
)
from web.view_cache import cached_callback

dash.register_page(
    __name__,
    path="/compare",
    title="Compare force areas – VRU Outcomes Monitor",
    name="Compare areas",
    order=40,
)

PAGE = "compare"
DEFAULT_MEASURE = "knife_offences"
DEFAULT_BENCHMARK = "national"
DEFAULT_LEVEL = "95"
LEVELS = {"95": 0.95, "99.8": 0.998}
BENCHMARK_OPTIONS = [
    {"label": "England and Wales", "value": "national"},
    {"label": "VRU areas (pooled)", "value": "vru"},
    {"label": "Non-VRU areas (pooled)", "value": "non_vru"},
]


def benchmark_options() -> list[dict]:
    """England and Wales, the VRU groups, then each region's force areas (from
    the shipped ONS reference file, not the store: the layout may call it)."""
    return BENCHMARK_OPTIONS + [
        {"label": f"{label} force areas (pooled)", "value": key}
        for key, (label, _codes) in region_groups().items()
    ]


LEVEL_OPTIONS = [
    {"label": "95%", "value": "95"},
    {"label": "99.8%", "value": "99.8"},
]
URL_PARAMS = {
    "measure": f"{PAGE}-measure",
    "period": f"{PAGE}-period",
    "benchmark": f"{PAGE}-benchmark",
    "level": f"{PAGE}-level",
    "outliers": f"{PAGE}-outliers",
}
OUTLIER_OPTIONS = [
    {"label": "Left out (rates not comparable)", "value": "exclude"},
    {"label": "Included", "value": "include"},
]
CITY_OF_LONDON = "E23000034"
SHARE_CITY_NOTE = (
    "City of London is ranked: a percentage is worked out from its own "
    "denominator, not from the few people who live there, so its figure is "
    "comparable (the City of London choice applies to rates per head of "
    "population)."
)
CAUSAL_CAVEAT = (
    "This is a descriptive comparison, not evidence of what VRUs caused. Areas were "
    "chosen for funding because they had the most serious violence, and much else "
    "changed between the two periods, so a difference between the groups cannot be "
    "put down to the VRUs alone."
)


def layout(
    measure: str | None = None,
    period: str | None = None,
    benchmark: str | None = None,
    level: str | None = None,
    outliers: str | None = None,
    **_query,
):
    # A saved group's key is kept until the user's groups arrive (the layout
    # never reads the store); a group that is not theirs is then named so.
    options = benchmark_options() + saved_option(benchmark)
    benchmark = benchmark if benchmark in {o["value"] for o in options} else None
    outliers = outliers if outliers in {"exclude", "include"} else "exclude"
    level = level if level in LEVELS else None
    return html.Div(
        [
            html.H1("Compare force areas"),
            html.P(
                "Rates per head of population (or, for a share such as the "
                "percentage of offences involving a knife, percentages) for one "
                "measure and one financial "
                "year (or, for a measure published only for rolling years, the "
                "latest such year), for every police force area in England and "
                "Wales, with confidence intervals and a fair comparison with a "
                "benchmark.",
                className="lead",
            ),
            filters.filter_bar(
                [
                    filters.select(
                        PAGE,
                        "measure",
                        label="Measure",
                        options=[
                            {
                                "label": measure or DEFAULT_MEASURE,
                                "value": measure or DEFAULT_MEASURE,
                            }
                        ],
                        value=measure or DEFAULT_MEASURE,
                    ),
                    filters.select(
                        PAGE,
                        "period",
                        label="Year",
                        options=[],
                        value=period,
                    ),
                    filters.select(
                        PAGE,
                        "benchmark",
                        label="Compare with",
                        options=options,
                        value=benchmark or DEFAULT_BENCHMARK,
                    ),
                    filters.select(
                        PAGE,
                        "level",
                        label="Confidence level",
                        options=LEVEL_OPTIONS,
                        value=level or DEFAULT_LEVEL,
                    ),
                    filters.select(
                        PAGE,
                        "outliers",
                        label="City of London",
                        options=OUTLIER_OPTIONS,
                        value=outliers,
                    ),
                ]
            ),
            saved_groups_panel(PAGE),
            filters.url_params(PAGE, URL_PARAMS),
            filters.url_sync(PAGE),
            html.Div(id=f"{PAGE}-note", **{"aria-live": "polite"}),
            dcc.Loading(
                html.Div(id=f"{PAGE}-content", **{"aria-live": "polite"}),
                type="default",
            ),
            dcc.Store(id=f"{PAGE}-map-outlines"),
            dcc.Loading(
                html.Div(id=f"{PAGE}-vru", **{"aria-live": "polite"}),
                type="default",
            ),
        ]
    )


filters.link_url_sync(PAGE, URL_PARAMS)
register_saved_groups(PAGE, benchmark_options)


# ------------------------------------------------------------------ controls


@cached_callback(
    Output(f"{PAGE}-measure", "options"),
    Input(f"{PAGE}-measure", "id"),
    State(f"{PAGE}-measure", "value"),
)
def measure_options(_id, current):
    """The measures force areas can be ranked by (rates and shares: the public
    compare embed's rule, year_values.can_rank) with force area figures (plus
    the URL's value, so an unknown code stays visible and is explained)."""
    try:
        names = year_values.ranked_measure_names(scope=current_scope())
    except (StoreUnavailable, AccessDenied):
        return [{"label": current, "value": current}] if current else []
    options = [{"label": name, "value": code} for code, name in names]
    if current and current not in {code for code, _name in names}:
        options.append({"label": f"Unknown measure: {current}", "value": current})
    return options


@cached_callback(
    Output(f"{PAGE}-period", "options"),
    Output(f"{PAGE}-period", "value"),
    Output(f"{PAGE}-note", "children"),
    Input(f"{PAGE}-measure", "value"),
    State(f"{PAGE}-period", "value"),
)
def period_options(measure_code, current):
    """Financial years with force area figures for the measure (a measure with
    none: its stored rolling years, "year ending Jun 2025"); keeps the chosen
    year when the measure has it, else the latest year whose figures are all
    published (issue 17: a PCC's first view must not rest on illustrative data),
    or the latest year where every year holds illustrative figures, saying so."""
    try:
        # available_periods' rows as tuples: a few dozen years (issue 19)
        rows = year_values.period_rows(measure_code=measure_code or "")
    except NotFound:
        return [], None, None
    except StoreUnavailable:
        return [], None, _unavailable()
    if not rows:
        return [], None, None
    options = [
        {
            "label": f"{label} (illustrative)" if illustrative else label,
            "value": value,
        }
        for _year, value, label, _n, illustrative in rows
    ]
    if current in {row[1] for row in rows}:
        return options, current, None
    _year, value, label, _n, illustrative = rows[
        year_values.default_year_position([row[4] for row in rows])
    ]
    which = "latest published year" if not illustrative else "latest year"
    note = None
    if current:
        note = message(
            f"There are no force area figures for the period '{current}' for this "
            f"measure, so the {which}, {label}, is shown.",
            kind="warning",
        )
    return options, value, note


# ------------------------------------------------------------------ content


@cached_callback(
    Output(f"{PAGE}-content", "children"),
    Input(f"{PAGE}-measure", "value"),
    Input(f"{PAGE}-period", "value"),
    Input(f"{PAGE}-benchmark", "value"),
    Input(f"{PAGE}-level", "value"),
    Input(f"{PAGE}-outliers", "value"),
)
def show_comparison(measure_code, period, benchmark, level, outliers="exclude"):
    scope = current_scope()
    try:
        measure = get_measure(measure_code or "", scope=scope)
    except NotFound:
        return message(
            f"No measure has the code '{measure_code}'. Choose one from the list.",
            kind="warning",
        )
    if not period:
        return message("There are no force area figures for this measure yet.")
    confidence = LEVELS.get(level or DEFAULT_LEVEL)
    if confidence is None:
        return message("The confidence level must be 95% or 99.8%.", kind="warning")
    try:
        ranked = force_areas.force_area_rates(
            scope=scope,
            measure_code=measure["code"],
            period_start=period,
            confidence=confidence,
            benchmark=benchmark or DEFAULT_BENCHMARK,
        )
        # City of London left out by default (not_comparable): out of the
        # funnel's limits range and overdispersion too, not only undrawn.
        points, limits, overdispersion = funnels.funnel(
            scope=scope,
            measure_code=measure["code"],
            period_start=period,
            benchmark=benchmark or DEFAULT_BENCHMARK,
            leave_out=set() if outliers == "include" else set(not_comparable(measure)),
            # the ranking's rows at 95% are the funnel's points: not read again
            rates=ranked if confidence == 0.95 else None,
        )
    except InvalidParameter as error:
        return message(f"{error}.", kind="warning")
    except StoreUnavailable:
        return _unavailable()
    if ranked.empty:
        return message("There are no force area figures for this selection.")
    ranked, points = _plain_frame(ranked), _plain_frame(points)
    level_text = "95%" if confidence == 0.95 else "99.8%"
    note = None
    if outliers != "include":
        # the one road /violence's ranking and the compare embed take too
        ranked, notes = split_not_comparable(ranked, measure)
        if notes:
            note = message(
                " ".join(notes) + " Choose City of London: Included to show it.",
                kind="info",
            )
        elif is_share(measure) and CITY_OF_LONDON in ranked["code"].tolist():
            # nothing left out (not_comparable: none for a proportion), which
            # the control's "Left out" would otherwise seem to deny
            note = message(SHARE_CITY_NOTE, kind="info")
    if ranked.empty:  # only areas left out have a figure this year
        return [note, message("There are no other force area figures to compare.")]
    own = _own_force(scope, ranked)
    # The ranking's table, and the columns of it that the map's table repeats.
    table = _table(measure, ranked, level_text)
    return [
        note,
        chart_card(ranking_spec(measure, ranked, level_text, table, own=own)),
        _map_section(measure, ranked, level_text, table),
        chart_card(funnel_spec(measure, points, limits, overdispersion)),
    ]


def _plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (a shallow, copy-on-write copy) without its attrs: the reads'
    notes for one another (force_areas' "pooled"), which nothing drawn reads,
    and which pandas deep-copies into every column and frame taken from it,
    a few dozen times per chart (issue 19)."""
    if not frame.attrs:
        return frame
    plain = frame.copy(deep=False)
    plain.attrs = {}
    return plain


def _own_force(scope, ranked: pd.DataFrame) -> str | None:
    """The viewer's own force area (a board member's or a lead's one area), by
    name, to highlight; None for analysts and admins (all areas)."""
    if scope.unrestricted or len(scope.area_codes) != 1:
        return None
    match = ranked.loc[ranked["code"].isin(scope.area_codes), "name"]
    return match.iloc[0] if not match.empty else None


def _unavailable():
    return message(
        "Data temporarily unavailable. Please try again shortly.", kind="warning"
    )


def _table(measure: dict, frame: pd.DataFrame, level_text: str) -> pd.DataFrame:
    """Exactly what the ranking shows: one row per area, rates rounded."""
    hidden = [bool(h) for h in frame["suppressed"].tolist()]

    def shown(column: str, digits: int = 1) -> pd.Series:
        return rounded_or_hidden(frame[column], hidden, digits)

    comparison = frame["comparison"]
    # The frame's own columns as their arrays, on its index given once: a dict
    # of Series is aligned column by column (issue 19: about half the cost).
    return pd.DataFrame(
        {
            # Each area opens its profile: every measure against the benchmark.
            "Area": [
                TableLink(name, f"/areas/{code}")
                for name, code in zip(
                    frame["name"].tolist(), frame["code"].tolist(), strict=True
                )
            ],
            "Code": column_values(frame["code"]),
            "VRU area": [
                f"Yes, from {int(y)}/{(int(y) + 1) % 100:02d}" if v else "No"
                for v, y in zip(
                    frame["is_vru"].tolist(),
                    frame["vru_start_year"].tolist(),
                    strict=True,
                )
            ],
            "Year": column_values(frame["period"]),
            # a share's count is its numerator, its "population" the denominator
            (
                "Count (numerator)"
                if is_share(measure)
                else f"Count ({measure['unit']})"
            ): shown("count", 0),
            size_heading(measure): column_values(frame["population"].round(0)),
            value_heading(measure): shown("rate"),
            f"Lower {level_text} CI": shown("rate_lower"),
            f"Upper {level_text} CI": shown("rate_upper"),
            f"Benchmark: {frame['benchmark_label'].iloc[0]}": column_values(
                frame["benchmark_rate"].round(1)
            ),
            # "*" where hidden, else the comparison with a capital letter (typed
            # as the objects' map to those words typed them)
            "Compared with benchmark": [
                "*" if h else str(c).capitalize()
                for c, h in zip(comparison.tolist(), hidden, strict=True)
            ],
            "Source": column_values(frame["source_title"]),
        },
        index=frame.index,
    )


def ranking_spec(
    measure: dict,
    frame: pd.DataFrame,
    level_text: str,
    table: pd.DataFrame,
    own: str | None = None,
) -> ChartSpec:
    bench = frame["benchmark_rate"].iloc[0]
    bench_label = frame["benchmark_label"].iloc[0]
    period = frame["period"].iloc[0]
    # Counted and looked through in plain Python over the columns' lists, not
    # by filtering frames (issue 19; tests/pages/test_compare_specs.py).
    hidden = [bool(h) for h in frame["suppressed"].tolist()]
    names = frame["name"].tolist()
    counts = Counter(
        c
        for c, h in zip(frame["comparison"].tolist(), hidden, strict=True)
        if not h and not pd.isna(c)
    )
    # the first area with a rate (rows are highest rate first)
    top_name = next(
        (
            n
            for n, r in zip(names, frame["rate"].tolist(), strict=True)
            if not pd.isna(r)
        ),
        None,
    )
    words = [
        f"{counts[k]} {k}"
        for k in ("worse", "higher", "similar", "better", "lower")
        if counts.get(k)
    ]
    title = f"{measure['name']}, {period}"
    if top_name:
        title += f": {top_name} had the highest {figure_word(measure)}"
    if words and not pd.isna(bench):
        # "similar than" is not English: name the benchmark once, then the counts.
        title += f"; against {bench_label} at {level_text}: {', '.join(words)}"
    # VRU areas are marked in words on the bars' labels; the viewer's own force
    # is in bold and says so.
    labels = [
        ("▶ " if name == own else "") + name + (" (VRU)" if bool(vru) else "")
        for name, vru in zip(names, frame["is_vru"].tolist(), strict=True)
    ]
    chart_frame = frame.assign(
        # none hidden (the usual case): the rates as they are, not masked
        rate=frame["rate"].where(~np.array(hidden, dtype=bool))
        if any(hidden)
        else frame["rate"],
        name=labels,
    )
    highlight = next((label for label in labels if label.startswith("▶ ")), None)
    # the bars and the summary write the same rates (a share's "11.1%")
    rate_text = rate_text_once(measure)
    top = clip_top(frame)
    figure = ranked_bar_figure(
        chart_frame,
        label="name",
        value="rate",
        lower="rate_lower",
        upper="rate_upper",
        category_col="comparison",
        benchmark=None if pd.isna(bench) else float(bench),
        benchmark_label=bench_label,
        value_title=(
            f"Percentage ({level_text} CI)"
            if is_share(measure)
            else f"Rate {per_label(measure)} population ({level_text} CI)"
        ),
        value_formatter=rate_text,
        highlight=highlight,
        axis_top=top,
    )
    summary = summary_for_ranking(
        chart_frame,
        label="name",
        value="rate",
        measure=f"{measure['name']}, {period}",
        category_col="comparison",
        unit="" if is_share(measure) else per_label(measure),
        benchmark=None if pd.isna(bench) else float(bench),
        benchmark_label=bench_label,
        value_formatter=rate_text,
        noun="force areas",
    )
    return ChartSpec(
        chart_id=f"{PAGE}-ranking",
        title=title + ".",
        caption=chart_caption(
            measure,
            frame,
            f"Bars show {figure_word(measure)}s with {level_text} confidence "
            "intervals; colour, pattern "
            "and the word after each value give the comparison with the benchmark. "
            "(VRU) marks the force areas with a Violence Reduction Unit"
            + (f"; ▶ marks your own force area, {own}." if own else ".")
            + overflow_note(frame, top, word=figure_word(measure)),
        ),
        figure=figure,
        table=table,
        summary=summary,
        illustrative=bool(frame["illustrative"].any()),
        suppression_note=suppression_note_for(measure, frame),
        csv_filename=f"{measure['code']}-{period.replace('/', '-')}-force-areas.csv",
        source=sources_text(frame),
        # Long area names beside the bars: on a phone the chart keeps room for
        # the bars and scrolls sideways in its own box.
        min_width=RANKED_MIN_WIDTH,
    )


def _map_section(
    measure: dict, frame: pd.DataFrame, level_text: str, table: pd.DataFrame
):
    period = frame["period"].iloc[0]
    bench_label = frame["benchmark_label"].iloc[0]
    rate_column = value_heading(measure)
    # The ranking's own rounded and disclosure-controlled columns (_table), not a
    # second rounding of the same rates that could drift from it.
    ranking = pd.DataFrame(
        {
            "Rank": range(1, len(frame) + 1),
            "Area": column_values(frame["name"]),
            rate_column: column_values(table[rate_column]),
            f"Compared with {bench_label}": column_values(
                table["Compared with benchmark"]
            ),
        },
        index=frame.index,
    )
    spec = ChartSpec(
        chart_id=f"{PAGE}-map",
        title=f"Where force areas differ from {bench_label}: {measure['name']}, "
        f"{period}.",
        caption=chart_caption(
            measure,
            frame,
            f"Each force area is coloured by its comparison with {bench_label} at "
            f"{level_text}; the table beside the map gives the same figures.",
        ),
        figure=area_map_figure(
            pfa_boundaries(),
            frame,
            per=per_label(measure),
            level_text=level_text,
            outlines_url=embed.static_path("pfa-outlines.json"),
        ),
        # Every figure the map shows is in the ranked table beside it, and every
        # column of the ranking's table (counts, populations, intervals) would be
        # the same table again, with the same CSV: point to them, do not ship a
        # copy (about 28 KB a click).
        table_elsewhere=[
            "The figures behind this map are in ",
            html.A("the table beside it", href=f"#{PAGE}-map-ranking"),
            "; with counts, "
            + ("denominators" if is_share(measure) else "populations")
            + " and confidence intervals, in ",
            html.A("the ranking's table and CSV above", href=f"#{PAGE}-ranking-title"),
            ".",
        ],
        summary=(
            "Map of police force areas in England and Wales; the ranked table next "
            f"to it lists every area's {figure_word(measure)} and comparison."
        ),
        illustrative=bool(frame["illustrative"].any()),
        suppression_note=suppression_note_for(measure, frame),
        csv_filename=f"{measure['code']}-{period.replace('/', '-')}-map.csv",
        source=f"{sources_text(frame)}; boundaries: {BOUNDARIES_SOURCE}",
        # drawn on the server as SVG at its column's width (col-lg-7 of the
        # 1140 px container, less the gutters)
        outlines=_map_outlines(),
        svg_width=MAP_SVG_WIDTH,
    )
    return html.Div(
        [
            html.Div(chart_card(spec), className="col-lg-7"),
            html.Div(
                accessible_table(
                    ranking,
                    caption=f"Force areas ranked by {figure_word(measure)}, {period}",
                    table_id=f"{PAGE}-map-ranking",
                    suppression_note=suppression_note_for(measure, frame),
                ),
                className="col-lg-5 compare-map-table",
            ),
        ],
        className="row compare-map-row",
    )


MAP_SVG_WIDTH = 641


@functools.cache
def _map_outlines() -> OutlineSymbols:
    """The force areas' outlines for the map's SVG: drawn with <use> from the
    long-cached outlines file (web/embed.py "pfa-outlines.svg"), so the answer
    carries a <use> per area, not about 67 KB of outlines. The boundaries are
    read once per process (data_access.geography), so this is worked out once."""
    return outline_symbols(pfa_boundaries(), href=embed.static_path("pfa-outlines.svg"))


# The map's traces arrive without their outlines, which the browser fetches once
# (a long-cached static file) and puts in before the map is drawn: assets/vru.js
# `mapOutlines`, components.area_map.
dash.clientside_callback(
    dash.ClientsideFunction("vru", "mapOutlines"),
    Output(f"{PAGE}-map-outlines", "data"),
    Input(f"{PAGE}-content", "children"),
)


# ------------------------------------------------------------ VRU vs non-VRU


def _no_vru_comparison(scope, measure_code: str):
    """For a share, ranked above but not compared here (vru_groups pools rates
    per head of population), a sentence saying so; nothing for another measure
    that is not a rate (it is not offered)."""
    try:
        measure = get_measure(measure_code or "", scope=scope)
    except (NotFound, StoreUnavailable):
        return None
    if not (is_share(measure) and year_values.can_rank(measure)):
        return None
    return html.Section(
        [
            html.H2("VRU and non-VRU areas, before and after funding began"),
            message(
                "The VRU and non-VRU areas are compared by their pooled rates per "
                "head of population, so this comparison is not made for a "
                "percentage such as this one."
            ),
        ]
    )


@cached_callback(Output(f"{PAGE}-vru", "children"), Input(f"{PAGE}-measure", "value"))
def show_vru_comparison(measure_code):
    scope = current_scope()
    try:
        measure, frame, relative = vru_groups.vru_comparison(
            scope=scope, measure_code=measure_code or ""
        )
    except NotFound:
        return None
    except InvalidParameter:
        return _no_vru_comparison(scope, measure_code)
    except StoreUnavailable:
        return _unavailable()
    heading = html.H2("VRU and non-VRU areas, before and after funding began")
    if frame.empty:
        return html.Section(
            [
                heading,
                message(
                    "There are not enough years of force area figures for this "
                    "measure to compare the groups before and after funding."
                ),
            ]
        )
    return html.Section(
        [
            heading,
            html.P(CAUSAL_CAVEAT),
            chart_card(vru_spec(measure, frame, relative), heading_level=3),
        ],
        className="compare-vru",
    )
