"""/funding's national ranking drawn from the summary's columns as lists (issue
19: national_summary_columns, the lists its frame is made of, a missing value
None) answers exactly as the frame-per-column version it replaced
(funding_national_reference) drew the frame, over many random national
summaries: ties, figures published "as" text or not at all, sources missing,
illustrative rows, one row or many; with the national totals published
drawn from their columns as lists (allocation_columns_of) too."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from dash._utils import to_json

from components import funding_tables as new
from data_access.money.funding_allocations import (
    NATIONAL_COLUMNS,
    _allocation_columns,
    _allocation_frame,
)
from data_access.money.funding_views import year_view
from tests.components import funding_national_reference as old

CASES = 120


def _summary(rng: random.Random) -> list[dict]:
    """A national summary's rows (one dict per row, a missing value None),
    largest allocation first."""
    rows = []
    for n in range(rng.choice([0, 1, 2, 5, 20])):
        precision = rng.choice(["exact", "rounded_thousand", "approximate"])
        rows.append(
            {
                "area_code": f"E230000{n:02d}",
                "area_name": f"Force {n}",
                "financial_year": 2024,
                "fy_label": "2024/25",
                "vru_allocation": rng.choice([1_000_000.0, 880_000.0, 1_160_000.5]),
                "amount_as_published": rng.choice([None, "£1m", "£880k"]),
                "precision": precision,
                "precision_words": precision.replace("_", " "),
                "source_title": rng.choice(["Home Office grant letter", None]),
                "illustrative": rng.random() < 0.3,
                "figures_published": rng.randint(1, 3),
                "all_funders_total": rng.choice([1_200_000.0, float("nan")]),
            }
        )
    rows.sort(key=lambda r: (-r["vru_allocation"], r["area_name"]))
    return rows


def _national_totals(rng: random.Random) -> list[tuple]:
    """Rows of national allocation figures as `_allocation_rows` reads them
    (often none: most years publish no national totals)."""
    rows = []
    for n in range(rng.choice([0, 0, 1, 3])):
        intervention = rng.choice([None, (7, "Mentoring")])
        rows.append(
            (
                100 + n,
                "K04000001",
                "England and Wales",
                "country",
                2024,
                rng.choice(["Home Office", "Youth Endowment Fund"]),
                rng.choice(["VRU core grant", "Grip", "Interventions"]),
                None if intervention is None else intervention[0],
                None if intervention is None else intervention[1],
                rng.choice([35_500_000.0, 1_250_000.25, None]),
                rng.choice([None, "£35.5m"]),
                rng.choice(["exact", "rounded_million", "approximate"]),
                rng.random() < 0.7,
                rng.choice(["Home Office announcement", None]),
                "Home Office",
                rng.choice(["https://example.org/grant", None]),
                rng.random() < 0.3,
                rng.choice([None, "announced in year"]),
            )
        )
    return rows


@pytest.mark.parametrize("seed", range(CASES))
def test_national_parts_answer_as_the_frame_version(seed):
    rng = random.Random(seed)
    rows = _summary(rng)
    national = _national_totals(rng)
    view = {
        "year": year_view(2024),
        # the frames as national_summary and allocations make them, for the
        # old drawing
        "summary": pd.DataFrame(rows, columns=NATIONAL_COLUMNS),
        "national": _allocation_frame(national),
        "every": _allocation_frame([]),
    }
    # the same rows as national_summary_columns and allocation_columns_of
    # hand them to the page
    columns = {name: [row[name] for row in rows] for name in NATIONAL_COLUMNS}
    lists = {
        "summary": columns,
        "national": _allocation_columns(national),
        "every": _allocation_columns([]),
    }
    assert to_json(new.national_parts(view | lists)) == to_json(
        old.national_parts(view)
    )
