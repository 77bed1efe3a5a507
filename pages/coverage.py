"""Data coverage, for analysts: where the app's picture rests on real, published
figures, and where on illustrative stand-ins or on nothing at all.

For each public measure and area level (country, region, force area, local
authority), the years with real figures (their sources and editions), illustrative
figures, both, or none, in a sentence and year by year. No state in the URL.
"""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, dcc, html

from components.chart_tables import accessible_table
from components.shell import message
from data_access.coverage import data_coverage
from data_access.errors import AccessDenied, StoreUnavailable
from web.access import current_scope
from web.view_cache import cached_callback

dash.register_page(
    __name__,
    path="/coverage",
    title="Data coverage – VRU Outcomes Monitor",
    name="Data coverage",
    order=95,
    roles=("admin", "analyst"),
)

PAGE = "coverage"
LEVEL_WORDS = {
    "country": "National",
    "region": "Regions",
    "pfa": "Force areas",
    "lad": "Local authorities",
}
STATUS_WORDS = {
    "real": "Real (published)",
    "illustrative": "Illustrative",
    "real and illustrative": "Real and illustrative",
    "missing": "No figures",
}


def layout(**_query):
    return html.Div(
        [
            html.H1("Data coverage"),
            html.P(
                "Which figures behind each measure are published (real), which are "
                "illustrative stand-ins, and where there are none, by area level "
                "and financial year.",
                className="lead",
            ),
            dcc.Store(id=f"{PAGE}-ready", data=True),
            html.Div(id=f"{PAGE}-content", **{"aria-live": "polite"}),
        ]
    )


@cached_callback(Output(f"{PAGE}-content", "children"), Input(f"{PAGE}-ready", "data"))
def show_coverage(_ready):
    try:
        frame = data_coverage(scope=current_scope())
    except AccessDenied:
        return message(
            "Data coverage is for analysts and admins. The figures you can see are "
            "labelled where they are illustrative.",
            kind="info",
        )
    except StoreUnavailable:
        return message(
            "Data temporarily unavailable. Please try again shortly.", kind="warning"
        )
    if frame.empty:
        return message("No measure figures are loaded yet.")
    return [
        _measure_part(i, part)
        for i, (_, part) in enumerate(frame.groupby("measure_code", sort=False))
    ]


def runs_sentence(part: pd.DataFrame) -> str:
    """One level's years as runs of the same status: 'real 2008/09 to 2018/19;
    illustrative 2019/20 to 2024/25'."""
    runs: list[list] = []
    for row in part.itertuples():
        if runs and runs[-1][0] == row.status:
            runs[-1][2] = row.fy_label
        else:
            runs.append([row.status, row.fy_label, row.fy_label])
    return "; ".join(
        f"{STATUS_WORDS[s].lower()} {a}"
        if a == b
        else f"{STATUS_WORDS[s].lower()} {a} to {b}"
        for s, a, b in runs
    )


def _measure_part(i: int, part: pd.DataFrame) -> html.Section:
    name = part["measure_name"].iloc[0]
    levels = list(dict.fromkeys(part["level"]))
    table = pd.DataFrame(
        {
            "Level": part["level"].map(LEVEL_WORDS).fillna(part["level"]),
            "Financial year": part["fy_label"],
            "Figures": part["status"].map(STATUS_WORDS),
            "Areas with a figure": [
                f"{a} of {t}"
                for a, t in zip(part["areas"], part["area_total"], strict=True)
            ],
            "Periods": part["grains"].replace("", "–"),
            "Sources": part["sources"].replace("", "–"),
        }
    )
    return html.Section(
        [
            html.H2(name),
            html.Ul(
                [
                    html.Li(
                        f"{LEVEL_WORDS.get(level, level)}: "
                        f"{runs_sentence(part[part['level'] == level])}."
                    )
                    for level in levels
                ]
            ),
            html.Details(
                [
                    html.Summary("Year by year, with sources"),
                    accessible_table(
                        table,
                        caption=f"Coverage of {name} by area level and financial year",
                        table_id=f"{PAGE}-table-{i}",
                    ),
                ]
            ),
        ],
        className="coverage-measure",
    )
