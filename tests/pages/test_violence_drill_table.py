"""/violence's "Areas within" drill table (pages.violence._drill_table) reads
the children's columns as plain lists (issue 19: it walked the frame with
itertuples, a tuple of every column per row). It gives what the code it
replaced gave: that code is copied below ("as it was") and is the reference,
over the shipped data's children and over random children (suppressed
figures, missing values and rates, areas with and without drill-down).
One change on purpose since (round 8): a percentage's "Count" is the count it
is a percentage of (its numerator), not the percentage rounded to a whole
number; the reference says so where it differs."""

from __future__ import annotations

import json
import random

import numpy as np
import pandas as pd
import plotly
import pytest

from components.chart_tables import TableLink, accessible_table
from components.formatting import number, rate
from data_access.areas import NATIONAL_CODE, get_area
from data_access.measures import get_measure
from data_access.outcomes import area_trends
from data_access.outcomes.raw_series import CHILD_COLUMNS
from data_access.scope import Scope

COMPARISONS = ["better", "similar", "worse", "not compared"]
PARAMS = {"measure": "knife_offences", "view": "year", "age": "all"}


# --------------------------------------------------------------------- as it was


def _old_drill_table(kids, params, measure, period, level_words):
    from pages.violence import PAGE, view_url

    per = "%" if pd.isna(measure["rate_multiplier"]) else "per 100,000 residents"

    rate_head = "Percentage" if per == "%" else f"Rate {per}"
    rows = []
    for row in kids.itertuples():
        name = (
            TableLink(
                row.area_name,
                view_url(area=row.area_code, **params),
                class_name="drill-link",
            )
            if row.level in ("pfa", "lad")
            else row.area_name
        )
        if row.suppressed:
            value, rate_text = "*", "*"
        else:
            # round 8: a percentage's count is its numerator
            value = number(row.numerator if per == "%" else row.value)
            rate_text = rate(row.rate) if pd.notna(row.rate) else None
        comparison = row.comparison if pd.notna(row.value) else "no data"
        rows.append((name, value, rate_text, comparison))
    return accessible_table(
        pd.DataFrame(rows, columns=["Area", "Count", rate_head, "Compared (95%)"]),
        caption=f"Select an area to see its trend ({level_words}, {period})",
        table_id=f"{PAGE}-drill-table",
        class_name="drill-table",
    )


def _as_json(component) -> str:
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True)


def _same(kids: pd.DataFrame, per: str) -> None:
    import app  # noqa: F401 - pages register with the app first
    from pages import violence

    measure = (
        {"rate_multiplier": np.nan, "unit": "%"}
        if per == "%"
        else {"rate_multiplier": 100_000.0, "unit": "offences"}
    )
    args = (kids, PARAMS, measure, "2023/24", "force areas")
    assert _as_json(violence._drill_table(*args)) == _as_json(_old_drill_table(*args))


@pytest.mark.parametrize(
    "code", ["knife_offences", "knife_offences_share", "homicide", "homicide_knife"]
)
def test_the_drill_table_is_what_it_was_on_the_shipped_data(loaded_store, code):
    from app import app

    scope = Scope(role="admin")
    with app.server.test_request_context():
        measure = get_measure(code, scope=scope)
        for parent in (NATIONAL_CODE, "E23000036", "E23000001"):
            for length in ("year", "quarter"):
                kids = area_trends.children_of(
                    scope, measure, get_area(parent), length=length, age_band="all"
                )
                for per in ("%", "per 100,000"):
                    _same(kids, per)


def _random_children(rng: random.Random) -> pd.DataFrame:
    rows = []
    for i in range(rng.randint(0, 12)):
        value = rng.choice([np.nan, 0.0, 3.0, 1234.0, rng.random() * 5000])
        rows.append(
            {
                "area_code": f"E{i:08d}",
                "area_name": f"Area {i}",
                "level": rng.choice(["pfa", "lad", "region"]),
                "value": value,
                "numerator": rng.choice([np.nan, 0.0, 7.0, rng.random() * 900]),
                "rate": rng.choice([np.nan, rng.random() * 100]),
                "comparison": rng.choice(
                    ["better", "similar", "worse", "not compared"]
                ),
                "suppressed": rng.random() < 0.2,
            }
        )
    kids = pd.DataFrame(rows, columns=CHILD_COLUMNS)
    kids["suppressed"] = kids["suppressed"].astype(bool)
    return kids


@pytest.mark.parametrize("seed", range(300))
def test_the_drill_table_is_what_it_was_on_random_children(seed):
    rng = random.Random(seed)
    _same(_random_children(rng), rng.choice(["%", "per 100,000"]))
