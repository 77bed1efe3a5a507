"""year_values._fy_frame (the financial years of every area, chosen and typed in
plain Python, issue 19) gives the frame the pandas road it replaced gave, over
many random sets of rows: the same rows chosen (a stored April-March year over
one summed from quarters, the first read among equals), the same order, values
and dtypes."""

from __future__ import annotations

import random
from decimal import Decimal

import pandas as pd
import pytest

from data_access.outcomes import year_values
from data_access.outcomes.year_values import _FY_COLUMNS


def _pandas_road(rows) -> pd.DataFrame:
    """`_fy_values`' frame as it was built before issue 19 (commit d6190a9)."""
    annual_rows = [r[:-1] for r in rows if r[-1] == 0]
    quarter_rows = [r[:-1] for r in rows if r[-1] == 1]
    frames = [
        pd.DataFrame(rows, columns=_FY_COLUMNS).assign(_pref=pref)
        for rows, pref in ((annual_rows, 0), (quarter_rows, 1))
        if rows
    ]
    if not frames:
        return pd.DataFrame(columns=_FY_COLUMNS)
    frame = pd.concat(frames, ignore_index=True)
    frame = (
        frame.sort_values(["code", "year", "_pref"])
        .drop_duplicates(["code", "year"], keep="first")
        .drop(columns="_pref")
    )
    frame["count"] = pd.to_numeric(frame["count"], errors="coerce").astype(float)
    frame["population"] = pd.to_numeric(frame["population"], errors="coerce").astype(
        float
    )
    frame["illustrative"] = frame["illustrative"].fillna(0).astype(int).astype(bool)
    frame["is_vru"] = frame["is_vru"].fillna(False).astype(bool)
    frame["year"] = frame["year"].astype(int)
    return frame.sort_values(["year", "code"]).reset_index(drop=True)[_FY_COLUMNS]


def _random_rows(rng: random.Random) -> list[tuple]:
    codes = [f"E230000{n:02d}" for n in range(rng.randint(1, 8))]
    # a VRU's start year per area, or none; sometimes no area of a group has one
    starts = {c: rng.choice([None, 2019, 2022]) for c in codes}
    if rng.random() < 0.3:
        starts = dict.fromkeys(codes)
    number = [
        lambda: None,
        lambda: rng.randint(0, 5000),
        lambda: rng.random() * 1000,
        lambda: Decimal(rng.randint(0, 90000)) / Decimal(4),
    ]
    rows = []
    for _ in range(rng.randint(0, 40)):
        code = rng.choice(codes) if codes else "E23000001"
        rows.append(
            (
                code,
                f"Area {code[-2:]}",
                rng.choice([None, True, False, 0, 1]),
                starts.get(code) if rng.random() < 0.9 else None,
                rng.randint(2010, 2016),
                rng.choice(number)(),
                rng.choice(number)(),
                rng.choice([0, 1, None]),
                rng.choice(["ONS table P1", "Illustrative figures"]),
                rng.choice([0, 1]),
            )
        )
    # the statement's order is not sorted: summed quarters may come first
    rng.shuffle(rows)
    return rows


@pytest.mark.parametrize("seed", range(400))
def test_plain_python_frame_is_the_pandas_one(seed):
    rows = _random_rows(random.Random(seed))
    pd.testing.assert_frame_equal(
        year_values._fy_frame(rows), _pandas_road(rows), check_dtype=True
    )


def test_a_stored_year_is_preferred_to_summed_quarters():
    """Hand-worked: Avon's 2018 is the stored year (100) not the quarters
    summed (96); Kent's 2018 exists only as quarters; rows by year then code."""
    rows = [
        ("E23000032", "Kent", False, None, 2018, 40, 1000, 0, "Q", 1),
        ("E23000036", "Avon", True, 2019, 2018, 96, 2000, 0, "Q", 1),
        ("E23000036", "Avon", True, 2019, 2018, 100, 2000, 0, "A", 0),
        ("E23000036", "Avon", True, 2019, 2017, 90, 1900, 1, "A", 0),
    ]
    frame = year_values._fy_frame(rows)
    assert list(zip(frame["code"], frame["year"], frame["count"], strict=True)) == [
        ("E23000036", 2017, 90.0),
        ("E23000032", 2018, 40.0),
        ("E23000036", 2018, 100.0),
    ]
    assert frame["source_title"].tolist() == ["A", "Q", "A"]
    assert frame["illustrative"].tolist() == [True, False, False]
