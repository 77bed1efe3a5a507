"""Area profile: how does one area compare with the benchmark on every public
measure, what interventions does it run and what money does it have?

A spine chart puts each measure's latest value against England and Wales (or the
pooled force areas where no national figure exists) within the range across areas
of the same level; a table gives the figures with confidence intervals,
significance and the recent trend. Interventions and money are restricted to the
user's scope.

Drill down: links to /violence, /compare, /funding and /prevention for this area.
State in the URL: /areas/E23000036 (local authority codes work too).
"""

from __future__ import annotations

import math
import re
import textwrap

import dash
import pandas as pd
from dash import Input, Output, dcc, html

from components.benchmark_figures import spine_figure
from components.chart import ChartSpec, chart_card
from components.chart_tables import accessible_table
from components.formatting import money, number, rate
from components.region_figure import region_part
from components.shell import illustrative_badge, message
from data_access.areas import get_area
from data_access.errors import AccessDenied, NotFound, StoreUnavailable
from data_access.outcomes import headlines, profiles
from data_access.periods import fy_label
from data_access.statistics import TREND_METHOD, TREND_MIN_PERIODS
from web.access import current_scope
from web.view_cache import cached_callback

dash.register_page(
    __name__,
    path_template="/areas/<code>",
    title="Area profile – VRU Outcomes Monitor",
    name="Area profile",
    nav=False,
    order=45,
)

PAGE = "area"
UNAVAILABLE = "Data temporarily unavailable. Please try again shortly."


# What an ONS area code looks like (E23000036, W06000015, K04000001): only such a
# code from the URL is put in the placeholder header's links.
ONS_CODE = re.compile(r"[EKNSW]\d{8}")


def layout(code: str | None = None, **_query):
    return html.Div(
        [
            dcc.Store(id=f"{PAGE}-code", data=code or ""),
            html.Div(
                _header(code if code and ONS_CODE.fullmatch(code) else None),
                id=f"{PAGE}-header",
            ),
            dcc.Loading(
                html.Div(id=f"{PAGE}-content", **{"aria-live": "polite"}),
                type="default",
            ),
        ]
    )


@cached_callback(
    Output(f"{PAGE}-header", "children"),
    Output(f"{PAGE}-content", "children"),
    Input(f"{PAGE}-code", "data"),
)
def show_profile(code):
    scope = current_scope()
    try:
        area = get_area(code or "")
    except NotFound:
        return html.H1("Area not found"), html.Div(
            [
                message(f"No area has the code {code or '(none)'}.", kind="warning"),
                dcc.Link("Compare all force areas", href="/compare"),
            ]
        )
    except StoreUnavailable:
        return html.H1("Area profile"), message(UNAVAILABLE, kind="warning")
    try:
        profile = profiles.area_profile(scope=scope, area_code=area.code)
        regions = [
            headlines.region_headline(
                scope=scope, measure_code=code, area_code=area.code
            )
            for code in profile["measure_code"]
        ]
    except StoreUnavailable:
        return html.H1(area.name), message(UNAVAILABLE, kind="warning")
    content = [_measures_part(area, profile)]
    content += _region_part(area, [r for r in regions if r is not None])
    content.append(_interventions_part(scope, area))
    if area.level == "pfa":
        content.append(_money_part(scope, area))
    return _header(area.code, area), content


def _header(code: str | None, area=None) -> list:
    """Breadcrumbs, heading, description and links of `area`. Before the area is
    read (the layout), the same lines with placeholders, so that the profile
    below is not pushed down when the area arrives (a layout shift of 0.39)."""
    name = area.name if area else "Area profile"
    crumbs = [
        html.Li(dcc.Link("Compare areas", href="/compare"), className="breadcrumb-item")
    ]
    if area and area.parent_code and area.level == "lad":
        parent = dcc.Link(area.parent_name, href=f"/areas/{area.parent_code}")
        crumbs.append(html.Li(parent, className="breadcrumb-item"))
    crumbs.append(
        html.Li(name, className="breadcrumb-item active", **{"aria-current": "page"})
    )
    links = [("Compare force areas", "/compare")]
    if code:
        links[:0] = [("Trends", f"/violence?area={code}")]
        links += [
            ("Funding", f"/funding?area={code}"),
            ("Prevention", f"/prevention?area={code}"),
        ]
    return [
        html.Nav(
            html.Ol(crumbs, className="breadcrumb"), **{"aria-label": "Breadcrumb"}
        ),
        html.H1(name),
        html.P(_describe(area) if area else "\u00a0", className="lead"),
        html.Ul(
            [html.Li(dcc.Link(text, href=href)) for text, href in links],
            className="area-links",
            **{
                "aria-label": f"More about {area.name}"
                if area
                else "More about this area"
            },
        ),
    ]


def _describe(area) -> str:
    kind = {
        "pfa": "Police force area",
        "lad": "Local authority",
        "country": "Country",
    }.get(area.level, area.level)
    text = f"{kind}, code {area.code}."
    if area.parent_name and area.level == "lad":
        text += f" Part of {area.parent_name}."
    if area.is_vru and area.vru_start_year:
        text += (
            f" Violence Reduction Unit funded since {fy_label(area.vru_start_year)}."
        )
    elif area.level == "pfa":
        text += " Not a Violence Reduction Unit area."
    return text


def _period_words(row: dict) -> str:
    """A measure's period beside its name, saying when the figure is illustrative."""
    return f"{row['period']}, illustrative" if row["illustrative"] else row["period"]


def _fmt(kind: str):
    if kind == "value":
        return lambda v: number(v, 0)
    return lambda v: rate(v, 1)


def _unit(row) -> str:
    if row["kind"] == "rate":
        return f"per {int(row['multiplier']):,}"
    if row["kind"] == "percent":  # a proportion: per cent, or per its multiplier
        return "%" if row["multiplier"] == 100 else f"per {int(row['multiplier']):,}"
    return str(row["unit"])


def trend_words(row: dict) -> str:
    """The recent-trend verdict with the dispersion of its quasi-Poisson test."""
    words = str(row["trend"]).capitalize()
    dispersion = row["trend_dispersion"]
    if row["trend"] == "not enough data" or pd.isna(dispersion):
        return words
    return f"{words} (dispersion {dispersion:.1f})"


def profile_table(profile: pd.DataFrame) -> pd.DataFrame:
    """Exactly what the spine chart shows, with the figures behind it."""
    hidden = profile["suppressed"].astype(bool)
    higher = (profile["polarity"] == "higher_is_better").tolist()

    def shown(column, digits):
        return [
            "*" if h else (v if pd.isna(v) else round(float(v), digits))
            for v, h in zip(profile[column], hidden, strict=True)
        ]

    return pd.DataFrame(
        {
            "Measure": profile["measure_name"],
            "Year": profile["period"],
            "Count": shown("count", 0),
            "Value": shown("value", 1),
            "Unit": [_unit(r) for r in profile.to_dict("records")],
            "Lower 95% CI": shown("lower", 1),
            "Upper 95% CI": shown("upper", 1),
            "Benchmark": profile["benchmark"].round(1),
            "Benchmark is": profile["benchmark_label"].replace("", "–"),
            "Compared with benchmark": [
                "*" if h else str(c).capitalize()
                for c, h in zip(profile["comparison"], hidden, strict=True)
            ],
            # The spine's ends, by the measure's direction: the worst area's
            # figure is the highest where lower is better.
            "Worst area": [
                round(float(lo if up else hi), 1)
                for lo, hi, up in zip(
                    profile["min"], profile["max"], higher, strict=True
                )
            ],
            "Best area": [
                round(float(hi if up else lo), 1)
                for lo, hi, up in zip(
                    profile["min"], profile["max"], higher, strict=True
                )
            ],
            "Recent trend": [
                "*" if h else trend_words(r)
                for r, h in zip(profile.to_dict("records"), hidden, strict=True)
            ],
            "Source": profile["source_title"],
        }
    )


def judged_words(area_name: str, profile: pd.DataFrame) -> str:
    """The spine's finding: on how many measures the area was significantly
    worse and better than the benchmark, and how many of those judgements rest
    on illustrative figures. A board reading "better on 4" must not count a
    made-up figure as a finding without being told (the badge and the later
    sentence say some figures are illustrative, not which judgements)."""

    def count(n: int) -> str:
        return "none" if n == 0 else str(n)

    # as the chart marks them: a hidden figure is "not compared"
    shown = ~profile["suppressed"].astype(bool)
    judged = profile[shown & profile["comparison"].isin(["worse", "better"])]
    worse = int((judged["comparison"] == "worse").sum())
    better = len(judged) - worse
    words = (
        f"{area_name} was significantly worse than the benchmark on {count(worse)} "
        f"and better on {count(better)} of {len(profile)} "
        f"measure{'' if len(profile) == 1 else 's'}."
    )
    made_up, judgements = int(judged["illustrative"].astype(bool).sum()), len(judged)
    if made_up == judgements == 1:
        words += " That judgement rests on an illustrative figure."
    elif made_up == 1:
        words += f" 1 of those {judgements} judgements rests on an illustrative figure."
    elif made_up == judgements:
        words += f" All {made_up} judgements rest on illustrative figures."
    elif made_up:
        words += (
            f" {made_up} of those {judgements} judgements rest on illustrative figures."
        )
    return words


def benchmark_words(profile: pd.DataFrame) -> str:
    """Which benchmark each measure's centre line is, by its exact name (England
    and Wales, England for an England-only measure, or the force areas pooled
    where no national figure is published for the year)."""
    groups: dict[str, list[str]] = {}
    for r in profile.to_dict("records"):
        label = r["benchmark_label"] or "no benchmark"
        groups.setdefault(label, []).append(f"{r['measure_name']} ({r['period']})")
    return (
        "Centre line: "
        + "; ".join(
            f"{label} for {', '.join(names)}" for label, names in groups.items()
        )
        + "."
    )


def _measures_part(area, profile: pd.DataFrame):
    if profile.empty:
        return html.Section(
            [
                html.H2("Measures"),
                message(f"There are no measure figures for {area.name} yet."),
            ]
        )
    rows = []
    for r in profile.to_dict("records"):
        rows.append(
            {
                # Each measure's own latest year: they differ between measures.
                # Wrapped: a phone leaves the chart no room beside a 60-character
                # name on one line.
                "measure": "<br>".join(
                    textwrap.wrap(f"{r['measure_name']} ({_period_words(r)})", 30)
                ),
                "value": None if r["suppressed"] else r["value"],
                "benchmark": r["benchmark"],
                "min": r["min"],
                "q25": r["q25"],
                "q75": r["q75"],
                "max": r["max"],
                "category": "not compared" if r["suppressed"] else r["comparison"],
                "polarity": r["polarity"],
                "unit": _unit(r) if r["kind"] != "value" else "",
            }
        )
    figure = spine_figure(
        rows,
        # The centre line's exact name; where measures differ (England-only
        # hospital admissions, pooled years), each measure's is in the caption
        # and the table, not run together here.
        benchmark_label=(
            profile["benchmark_label"].iloc[0]
            if profile["benchmark_label"].nunique() == 1
            else "Benchmark (see caption)"
        ),
        value_formatter=lambda v: number(v, 1),
    )
    title = judged_words(area.name, profile)
    years = sorted(set(profile["period"].astype(str)))
    if len(years) > 1:
        title += (
            f" Each measure is its latest year ({years[0]} to {years[-1]}), "
            "shown beside its name."
        )
    made_up = int(profile["illustrative"].sum())
    if made_up:
        # The latest year of a measure may be illustrative (no published figure
        # yet): say so in the title's words, not only with the badge.
        title += (
            f" {made_up} of the {len(profile)} are illustrative figures, "
            "not official statistics."
        )
    summary = " ".join(
        f"{r['measure_name']}: "
        f"{'*' if r['suppressed'] else _fmt(r['kind'])(r['value'])} "
        f"{_unit(r)} in {r['period']}, "
        f"{'suppressed' if r['suppressed'] else str(r['comparison'])} compared with "
        f"{r['benchmark_label'] or 'the benchmark'}; recent trend: "
        f"{'*' if r['suppressed'] else trend_words(r).lower()}."
        for r in profile.to_dict("records")
    )
    spec = ChartSpec(
        chart_id=f"{PAGE}-spine",
        title=title,
        caption=(
            f"Each measure's latest financial year (or, for a measure published only "
            f"for rolling years, its latest one) for {area.name} (marker) against "
            "the benchmark (centre line), within the range across areas of the same "
            "level (light bar: lowest to highest; dark bar: 25th to 75th "
            "percentile). Better is always to the right. "
            + benchmark_words(profile)
            + " Recent trend: "
            f"{TREND_METHOD} over the latest {TREND_MIN_PERIODS} financial years "
            "(not across a series break), the test the violence page uses; the "
            "dispersion in brackets is how many times more the figures vary than "
            "chance alone (Poisson) would make them, and the test allows for it."
        ),
        figure=figure,
        table=profile_table(profile),
        summary=summary,
        illustrative=bool(profile["illustrative"].any()),
        suppression_note=(
            "Some counts are hidden or rounded under disclosure control."
            if profile["suppressed"].any()
            else None
        ),
        csv_filename=f"{area.code}-profile.csv",
        source="; ".join(dict.fromkeys(profile["source_title"].astype(str))),
    )
    links = html.Ul(
        [
            html.Li(
                dcc.Link(
                    f"Compare force areas: {r['measure_name']}",
                    href=f"/compare?measure={r['measure_code']}",
                )
            )
            for r in profile.to_dict("records")
            if r["kind"] == "rate"
        ],
        className="area-measure-links",
    )
    return html.Section([chart_card(spec), links], className="area-measures")


def _region_part(area, regions: list[dict]) -> list:
    """The English region's published figures where the area has none of its
    own, or only older ones (headlines.region_headline), in words."""
    if not regions:
        return []
    return [
        html.Section(
            [
                html.H2("Published figures for the region"),
                html.P(
                    f"Where {area.name} has no published figure of its own for a "
                    "measure, or only an older one, its English region's latest "
                    "published figure is given here. The region is a coarser "
                    f"geography: its figure counts everyone in the region, not "
                    f"{area.name} alone, and the chart above does not use it."
                ),
                *(
                    html.Div(
                        [html.H3(r["name"]), region_part(r, area.name)],
                        className="region-measure",
                    )
                    for r in regions
                ),
            ],
            className="area-region",
            id=f"{PAGE}-region",
        )
    ]


def _interventions_part(scope, area):
    heading = html.H2("Interventions")
    try:
        frame = profiles.area_interventions(scope=scope, area_code=area.code)
    except AccessDenied:
        return html.Section(
            [
                heading,
                message(
                    f"Interventions in {area.name} are outside your access.",
                    kind="info",
                ),
            ]
        )
    except StoreUnavailable:
        return html.Section([heading, message(UNAVAILABLE, kind="warning")])
    if frame.empty:
        return html.Section(
            [heading, html.P(f"No interventions are recorded for {area.name}.")]
        )
    table = pd.DataFrame(
        {
            "Intervention": frame["name"],
            "Prevention tier": frame["tier"].str.capitalize(),
            "Delivered in": frame["delivering_area"],
            "Provider": frame["provider"].fillna("–"),
            "Evidence rating": frame["evidence_rating"].fillna("Not rated"),
            "Data": [
                "Illustrative data" if i else "Published" for i in frame["illustrative"]
            ],
        }
    )
    return html.Section(
        [
            heading,
            *([illustrative_badge()] if frame["illustrative"].any() else []),
            accessible_table(
                table,
                caption=f"Interventions in {area.name}, by prevention tier",
                table_id=f"{PAGE}-interventions",
            ),
        ]
    )


def _money_part(scope, area):
    heading = html.H2("Money")
    try:
        frame = profiles.area_money(scope=scope, area_code=area.code)
    except AccessDenied:
        return html.Section(
            [
                heading,
                message(f"Money for {area.name} is outside your access.", kind="info"),
            ]
        )
    except StoreUnavailable:
        return html.Section([heading, message(UNAVAILABLE, kind="warning")])
    if frame.empty:
        return html.Section(
            [heading, html.P(f"No allocations or spend are recorded for {area.name}.")]
        )
    precision_words = {
        "exact": "Exact",
        "rounded": "Rounded",
        "approx": "Approximate",
        "up_to": "Up to",
        "more_than": "More than",
    }
    table = pd.DataFrame(
        {
            "Financial year": frame["period"],
            "Home Office VRU allocation": [
                money(v) if not _missing(v) else "–" for v in frame["allocated"]
            ],
            "Precision": [precision_words.get(p, "–") for p in frame["precision"]],
            "Spent": [money(v) if not _missing(v) else "–" for v in frame["spent"]],
            "Quarters reported": frame["quarters_reported"],
            "Allocation source": frame["allocation_source"].fillna("–"),
            "Data": [
                "Includes illustrative data" if i else "Published"
                for i in frame["illustrative"]
            ],
        }
    )
    return html.Section(
        [
            heading,
            *([illustrative_badge()] if frame["illustrative"].any() else []),
            accessible_table(
                table,
                caption=f"VRU allocation and spend by financial year, {area.name}",
                table_id=f"{PAGE}-money",
            ),
        ]
    )


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))
