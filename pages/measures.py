"""Measure definitions: what each measure counts, how it is shown and compared, how
small numbers are protected, where it comes from and what to watch out for.

Drill down: the index links to each public measure's definition on the page; the
table of workstream measures (not public; each reader sees those of the
workstreams within their access, a lead their own) links each to its own;
`?measure=<code>` shows one measure (with a link back to all of them).
State in the URL: /measures?measure=knife_offences
"""

from __future__ import annotations

from urllib.parse import quote

import dash
import pandas as pd
from dash import Input, Output, dcc, html

from components.chart_tables import TableLink, accessible_table
from components.shell import message
from components.static_html import static_html
from data_access.disclosure import RULES
from data_access.errors import StoreUnavailable
from data_access.measures import measures_for
from data_access.periods import fy_label, long_date
from data_access.statistics import RAG_RULE_TEXT
from web.access import current_scope
from web.view_cache import cached_callback

dash.register_page(
    __name__,
    path="/measures",
    title="Measure definitions – VRU Outcomes Monitor",
    name="Measures",
    order=90,
)

PAGE = "measures"

POLARITY_WORDS = {
    "lower_is_better": "Lower is better",
    "higher_is_better": "Higher is better",
    "no_judgement": "No better or worse direction",
}
CI_WORDS = {
    "byar": (
        "95% confidence intervals by Byar's method; exact Poisson limits for counts "
        "below 10"
    ),
    "wilson": "95% confidence intervals by the Wilson score method (proportions)",
    "none": "No confidence interval",
}
PERIOD_WORDS = {
    "quarter": "Quarters of the financial year (April to June is Q1)",
    "financial_year": "Financial years (April to March)",
    "rolling_year": "Rolling 12-month periods",
}
CATEGORY_WORDS = {"outcome": "Outcome", "output": "Output", "finance": "Finance"}


def layout(measure: str | None = None, **_query):
    return html.Div(
        [
            html.H1("Measure definitions"),
            html.P(
                "What each measure counts and how it is shown, compared and protected.",
                className="lead",
            ),
            dcc.Store(id=f"{PAGE}-selected", data=measure or ""),
            html.Div(id=f"{PAGE}-content", **{"aria-live": "polite"}),
        ]
    )


@cached_callback(
    Output(f"{PAGE}-content", "children"), Input(f"{PAGE}-selected", "data")
)
def show_measures(selected):
    scope = current_scope()
    try:
        # Workstream measures belong to one VRU: each reader sees those of the
        # workstreams within their access (a lead, their own).
        table = measures_for(scope)
    except StoreUnavailable:
        return message(
            "Data temporarily unavailable. Please try again shortly.", kind="warning"
        )
    parts = []
    if selected:
        one = table[table["code"] == selected]
        if one.empty:
            parts.append(
                message(
                    f"No measure has the code '{selected}'. All measures are "
                    "listed below.",
                    kind="warning",
                )
            )
        else:
            return static_html(_one_definition(one.iloc[0]))
    public = table[table["is_public"].astype(bool)]
    parts.append(static_html(_definitions(public)))
    private = table[~table["is_public"].astype(bool)]
    if not private.empty:
        parts.append(_workstream_measures(private))
    return parts


# The definitions are written as dash.html elements and sent as one StaticHtml:
# as ~320 Dash components they kept the browser's main thread busy for about a
# second while the page loaded (components/static_html.py).


def _one_definition(row) -> list:
    return [
        html.P(dcc.Link("All measure definitions", href="/measures")),
        _definition(row),
    ]


def _definitions(public: pd.DataFrame) -> list:
    """The index of the public measures, then each one's definition."""
    rows = [row for _, row in public.iterrows()]
    return [_index(rows), *(_definition(row) for row in rows)]


def _workstream_measures(table: pd.DataFrame) -> html.Section:
    """Workstream measures (not public) as one table, each opening its definition.
    Written out in full, the 215 of the demo were 7,500 Dash components, which the
    browser took over two minutes to draw."""
    rows = pd.DataFrame(
        {
            "Measure": [
                TableLink(name, f"/measures?measure={quote(code)}")
                for name, code in zip(table["name"], table["code"], strict=True)
            ],
            "Unit": [_text(u) for u in table["unit"]],
            "Category": [CATEGORY_WORDS.get(c, _text(c)) for c in table["category"]],
            "Prevention tier": [
                _text(t, "Not specific to a tier").capitalize() for t in table["tier"]
            ],
            "Polarity": [POLARITY_WORDS.get(p, _text(p)) for p in table["polarity"]],
            "Latest figure": [_last_updated(v) for v in table["last_updated"]],
        }
    )
    heading = f"Workstream measures ({len(table)})"
    return html.Section(
        [
            html.H2(heading, id=f"{PAGE}-workstream-heading"),
            html.P(
                "Measures that VRU workstreams report in their quarterly returns. "
                "They are not published; each name opens its full definition."
            ),
            accessible_table(
                rows,
                caption="Workstream measures: unit, category, tier, polarity and "
                "latest figure",
                table_id=f"{PAGE}-workstream-table",
                class_name="measures-table",
            ),
        ],
        **{"aria-labelledby": f"{PAGE}-workstream-heading"},
    )


def _index(rows: list) -> html.Nav:
    return html.Nav(
        [
            html.H2("Measures", id=f"{PAGE}-index-heading"),
            html.Ul(
                [
                    html.Li(html.A(row["name"], href=f"#measure-{row['code']}"))
                    for row in rows
                ],
                className="measure-index",
            ),
        ],
        **{"aria-labelledby": f"{PAGE}-index-heading"},
    )


def _text(value, default: str = "–") -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return default
    text = str(value).strip()
    return text or default


def _disclosure_text(rule: str) -> str:
    found = RULES.get(rule)
    if found is None:
        return f"Rule '{rule}'."
    return f"{found.label}. {found.description}"


def _definition(row) -> html.Section:
    code = row["code"]
    multiplier = row["rate_multiplier"]
    items = [
        ("Code", html.Code(code)),
        ("Definition", _text(row["definition"])),
        ("Unit", _text(row["unit"])),
        ("Polarity", POLARITY_WORDS.get(row["polarity"], _text(row["polarity"]))),
        ("Category", CATEGORY_WORDS.get(row["category"], _text(row["category"]))),
        (
            "Prevention tier",
            _text(row["tier"], "Not specific to a tier").capitalize(),
        ),
        (
            "Rate",
            f"Per {int(multiplier):,} population"
            if multiplier and not pd.isna(multiplier)
            else "No rate is shown",
        ),
        ("Confidence intervals", CI_WORDS.get(row["ci_method"], row["ci_method"])),
        ("Disclosure control", _disclosure_text(row["disclosure_rule"])),
        ("Periods", PERIOD_WORDS.get(row["period_type"], _text(row["period_type"]))),
        ("RAG against a target", RAG_RULE_TEXT.get(row["polarity"], "–")),
        ("Caveats", _text(row["caveats"], "None recorded")),
        (
            "Source",
            html.A(row["source_title"], href=row["source_url"])
            if row["source_url"]
            else _text(row["source_title"], "Not recorded"),
        ),
        ("Latest figure", _last_updated(row["last_updated"])),
    ]
    body = []
    for term, detail in items:
        body += [html.Dt(term), html.Dd(detail)]
    return html.Section(
        [
            html.H2(row["name"], id=f"measure-{code}"),
            html.Dl(body, className="measure-definition"),
        ],
        className="measure-section",
        **{"aria-labelledby": f"measure-{code}"},
    )


def _last_updated(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "No figures yet"
    try:
        day = pd.Timestamp(value).date()
    except (TypeError, ValueError):
        return str(value)
    year = day.year if day.month >= 4 else day.year - 1
    return f"Figures up to {long_date(day)} (financial year {fy_label(year)})"
