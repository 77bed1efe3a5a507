"""/funding's table of every figure made from the allocations' columns as plain
lists (issue 19: funding_allocations.force_area_allocation_columns, a missing
value None) answers exactly as it did from the frame of the same rows
(_allocation_frame), over random rows: gaps in the published text, the
intervention and the source's address, in some rows, all or none."""

from __future__ import annotations

import random

import pytest
from dash._utils import to_json

from components.funding_tables import figures_table
from data_access.money.funding_allocations import (
    _allocation_columns,
    _allocation_frame,
)

CASES = 150


def _row(rng: random.Random, n: int, gaps: float) -> tuple:
    """One of _allocation_rows' tuples."""

    def maybe(value):
        return None if rng.random() < gaps else value

    intervention = maybe(rng.choice(["Mentoring", "Sport"]))
    return (
        n,
        f"E230000{n % 7:02d}",
        f"Force {n % 7}",
        "pfa",
        2024,
        rng.choice(["Home Office", "PCC"]),
        rng.choice(["VRU core grant", "Interventions", "Breakdown: staff"]),
        None if intervention is None else 100 + n,
        intervention,
        maybe(rng.choice(["1000000", "880000.5", "0"])),
        maybe(rng.choice(["£1m", "£880k"])),
        rng.choice(["exact", "approx", "up_to"]),
        rng.random() < 0.6,
        rng.choice(["Grant letter", "Illustrative data"]),
        "Home Office",
        maybe(rng.choice(["https://example.org/a", "not a link"])),
        rng.random() < 0.3,
        maybe("a note"),
    )


@pytest.mark.parametrize("seed", range(CASES))
def test_figures_table_from_columns_answers_as_from_the_frame(seed):
    rng = random.Random(seed)
    gaps = rng.choice([0.0, 0.3, 1.0])
    rows = [_row(rng, n, gaps) for n in range(rng.choice([0, 1, 4, 25]))]
    caption = "Every published figure, 2024/25"
    assert to_json(figures_table(_allocation_columns(rows), caption)) == to_json(
        figures_table(_allocation_frame(rows), caption)
    )
