"""The board overview's cheaper paths of issue 19's round 8 give what the code
they replaced gave: the measure list read as plain tuples, the success
measures taken by one take, a year's quarterly spend over plain lists and
count limits worked out for one side of ten alone. The replaced code is copied
below ("as it was") and is the reference; every other caller of these shared
functions gets the same answers.
"""

from __future__ import annotations

import pickle
import random

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Integer, cast, func, select

from data_access import board_overview, db, measures, spc
from data_access.areas import list_areas
from data_access.models import Area, SpendSummary
from data_access.money import spending
from data_access.scope import SYSTEM
from data_access.statistics import intervals
from tests.one_request import one_request

AVON = "E23000036"

# --------------------------------------------------------------------- as it was


def _old_measure_metadata(include_private: bool) -> pd.DataFrame:
    """measures.measure_metadata before round 8: a session's Rows."""
    with db.session_scope() as session:
        rows = session.execute(measures._measure_query(include_private)).all()
    return pd.DataFrame(rows, columns=measures.MEASURE_COLUMNS[:-1])


def _old_success_measures(table: pd.DataFrame) -> pd.DataFrame:
    """measures.success_measures before round 8: a filtered copy, then sorted."""
    table = table[table["is_public"] & table["success_measure_rank"].notna()]
    return table.sort_values("success_measure_rank")


def _old_year_quarters(spend: pd.DataFrame, financial_year: int) -> list[float]:
    """spending.year_quarters before round 8: the year's rows filtered."""
    year = spend[spend["financial_year"] == financial_year]
    if year.empty:
        return []
    amounts = dict(zip(year["quarter"], year["amount"], strict=True))
    return [
        float(amounts.get(q, 0.0)) for q in range(1, int(year["quarter"].max()) + 1)
    ]


def _old_quarter_spend(area_code: str, level: str) -> pd.DataFrame:
    """spending._quarter_spend before round 8: a frame, then four astypes."""
    by = SpendSummary.area_id if level == "pfa" else SpendSummary.delivering_area_id
    frame = db.read_frame(
        select(
            SpendSummary.financial_year,
            SpendSummary.quarter,
            func.sum(SpendSummary.amount),
            func.max(cast(SpendSummary.illustrative, Integer())),
        )
        .join(Area, Area.id == by)
        .where(Area.code == area_code)
        .group_by(SpendSummary.financial_year, SpendSummary.quarter)
        .order_by(SpendSummary.financial_year, SpendSummary.quarter),
        spending.QUARTER_SPEND_COLUMNS,
    )
    frame["financial_year"] = frame["financial_year"].astype(int)
    frame["quarter"] = frame["quarter"].astype(int)
    frame["amount"] = frame["amount"].astype(float)
    frame["illustrative"] = frame["illustrative"].fillna(0).astype(bool)
    return frame


def _old_poisson_count_limits(counts, confidence=0.95):  # noqa: ANN001, ANN202
    """intervals.poisson_count_limits before round 8: both sides always."""
    observed = np.asarray(counts, dtype=float)
    exact_lower, exact_upper = intervals.exact_poisson_limits(
        counts=observed, confidence=confidence
    )
    byar_lower, byar_upper = intervals.byar_limits(
        counts=observed, confidence=confidence
    )
    small = observed < intervals.BYAR_MIN_COUNT
    return (
        np.where(small, exact_lower, byar_lower),
        np.where(small, exact_upper, byar_upper),
    )


# ------------------------------------------------------------------------ tests


def test_the_measure_list_is_what_a_sessions_rows_gave(loaded_store):
    """measure_metadata through read_frame: the same frame, dtypes and bits
    as built from a session's Rows, private measures or not."""
    for include_private in (True, False):
        new = measures.measure_metadata.uncached(include_private)
        old = _old_measure_metadata(include_private)
        pd.testing.assert_frame_equal(new, old, check_exact=True)
        assert pickle.dumps(new) == pickle.dumps(old)


def test_the_success_measures_are_what_filter_and_sort_gave(loaded_store):
    """success_measures by one take: the same rows, order, index and dtypes as
    the filter and sort, over the shipped lists and over random ones with
    missing and tied ranks, private rows and shuffled order."""
    for include_private in (True, False):
        for table in (
            measures.measure_metadata.uncached(include_private),
            measures.list_measures.uncached(include_private),
        ):
            pd.testing.assert_frame_equal(
                measures.success_measures(table),
                _old_success_measures(table),
                check_exact=True,
            )
    rng = random.Random(8)
    for _ in range(300):
        n = rng.randint(0, 40)
        table = pd.DataFrame(
            {
                "code": [f"m{i}" for i in range(n)],
                "is_public": [rng.random() < 0.7 for _ in range(n)],
                "success_measure_rank": [
                    rng.choice([np.nan, 1, 2, 3, 4]) for _ in range(n)
                ],
            }
        )
        if rng.random() < 0.5:
            table = table.sample(frac=1, random_state=rng.randint(0, 99))
        pd.testing.assert_frame_equal(
            measures.success_measures(table),
            _old_success_measures(table),
            check_exact=True,
        )


def test_the_quarterly_spend_is_what_the_converted_frame_gave(loaded_store):
    """_quarter_spend with each column made in its type: the same frame,
    dtypes and bits as the four astypes gave, for every area as a force area
    and as a local authority (most of them with no spend: an empty frame)."""
    every = list_areas()
    found = 0
    for code in every["code"]:
        for level in ("pfa", "lad"):
            new = spending._quarter_spend.uncached(code, level)
            old = _old_quarter_spend(code, level)
            # (values, dtypes, index and columns: its blocks are laid out
            # otherwise, the two int columns in one)
            pd.testing.assert_frame_equal(new, old, check_exact=True)
            found += not old.empty
    assert found  # some spend was compared, not only empty frames


def test_a_years_quarterly_spend_is_what_the_filtered_rows_gave():
    """year_quarters over plain lists: the same list of floats for any year,
    present or not, with missing quarters and quarters out of order."""
    rng = random.Random(19)
    for _ in range(300):
        rows = [
            (year, quarter, float(rng.randint(0, 90_000)), rng.random() < 0.2)
            for year in range(2019, 2019 + rng.randint(0, 4))
            for quarter in range(1, 5)
            if rng.random() < 0.8
        ]
        rng.shuffle(rows)
        spend = pd.DataFrame(rows, columns=spending.QUARTER_SPEND_COLUMNS)
        spend = spend.astype({"financial_year": int, "quarter": int, "amount": float})
        for year in range(2018, 2024):
            new = spending.year_quarters(spend, year)
            assert new == _old_year_quarters(spend, year)
            assert [type(v) for v in new] == [float] * len(new)


@pytest.mark.parametrize(
    "counts",
    [
        [0.0, 1.0, 4.0, 9.0],  # all exact
        [10.0, 57.0, 2_000.0],  # all Byar
        [0.0, 3.0, 10.0, 250.0, np.nan],  # both, and a missing count
        [np.nan, np.nan],
        [],
        0.0,
        9.5,
        10.0,
        311.0,
    ],
)
def test_count_limits_on_one_side_of_ten_are_what_both_sides_gave(counts):
    """poisson_count_limits working out one side of ten alone: the same
    arrays (shape, dtype, bits), a single count's as a 0-d array too."""
    for confidence in (0.95, 0.998):
        new = intervals.poisson_count_limits(counts=counts, confidence=confidence)
        old = _old_poisson_count_limits(counts, confidence)
        for got, want in zip(new, old, strict=True):
            assert type(got) is type(want) is np.ndarray
            assert got.shape == want.shape and got.dtype == want.dtype
            assert got.tobytes() == want.tobytes()


def test_the_overviews_sentences_build_no_spc_chart(loaded_store, monkeypatch):
    """The overview's three "what changed" sentences (knife offences, spend,
    young people supported) each say whether the latest quarter is signal or
    noise: from the chart's variation alone (`series_spc(variation_only=True)`),
    never the chart's frame of points (`spc._chart`), which none of them
    shows. Red if a sentence goes back to the full chart."""
    monkeypatch.setenv("VRU_AS_AT", "2025-11-22")
    charts = []
    chart = spc._chart
    monkeypatch.setattr(
        spc, "_chart", lambda *a, **k: charts.append(1) or chart(*a, **k)
    )
    with one_request():
        summary = board_overview.overview_summary(scope=SYSTEM, area_code=AVON)
    changes = summary["changes"]
    assert len(changes) == 3, changes
    assert all("Against normal variation (SPC)" in text for text in changes), changes
    assert charts == []
