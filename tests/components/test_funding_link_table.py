"""/funding's link tables (funding_tables.link_table) made from their columns
as lists (issue 19) answer exactly as the frame of their rows did: random rows
of linked and unlinked names, text, numbers, missing cells, one row, many or
none."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from dash._utils import to_json

from components import funding_tables
from components.chart_tables import TableLink, accessible_table

CASES = 200
HEADERS = ["Where delivered", "Spend", "Precision", "Interventions"]
NAN = float("nan")


def _link_table_before(rows, *, caption, headers, table_id):
    """funding_tables.link_table before issue 19's columns (the rows' frame)."""
    frame = pd.DataFrame(
        [
            [TableLink(name, href) if href else name, *values]
            for name, href, values in rows
        ],
        columns=headers,
    )
    return accessible_table(
        frame, caption=caption, table_id=table_id, class_name="funding-table"
    )


def _cell(rng: random.Random):
    return rng.choice(
        ["£1,200", "exact", "No spend recorded", "12", "–", "", 7, 1.5, None, NAN]
    )


# A column's cells: text, whole numbers, numbers, or a mixture.
KINDS = [
    ["£1,200", "exact", "12", "–", "No spend recorded"],
    [0, 7, 12, 1500],
    [0.0, 1.5, 1200.25],
    ["£1,200", 7, 1.5],
]


@pytest.mark.parametrize("seed", range(CASES))
def test_link_table_answers_as_the_frame_of_its_rows(seed):
    rng = random.Random(seed)
    missing = rng.random() < 0.3
    kinds = [rng.choice(KINDS) for _ in HEADERS[1:]]
    rows = [
        (
            rng.choice([f"Area {n}", "Force-wide interventions", "Core VRU team"]),
            rng.choice([f"/funding?area=E{n}", None]),
            [_cell(rng) if missing else rng.choice(kind) for kind in kinds],
        )
        for n in range(rng.choice([0, 1, 3, 20]))
    ]
    args = {"caption": "Spend by area", "headers": HEADERS, "table_id": "t"}
    assert to_json(funding_tables.link_table(rows, **args)) == to_json(
        _link_table_before(rows, **args)
    )
