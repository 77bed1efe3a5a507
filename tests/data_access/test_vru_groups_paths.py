"""vru_groups (issue 19): /compare's VRU chart reads and looks through the
measure's force area years once for both of its answers, and `_vru_groups`
tests a missing count without pd.isna per row. Each is checked against the
road it replaced: the old `_vru_groups` (kept here) over many random sets of
financial years, and `vru_comparison` against `vru_vs_non_vru` and
`vru_relative_change` called on their own, for every rate measure shipped."""

from __future__ import annotations

import math
import random
import uuid
from decimal import Decimal

import pandas as pd
import pytest
from flask import Flask

from data_access.outcomes import vru_groups, year_values
from data_access.outcomes.raw_series import BASELINE_YEARS
from data_access.outcomes.year_values import FIRST_VRU_YEAR, LATEST_WINDOW
from data_access.scope import SYSTEM
from web.shared_cache import cache


def _old_vru_groups(frame: pd.DataFrame) -> dict | None:
    """`vru_groups._vru_groups` before issue 19's round 5 (commit 593311b)."""
    rows = [
        r
        for r in zip(
            frame["code"].tolist(),
            frame["name"].tolist(),
            frame["is_vru"].tolist(),
            frame["vru_start_year"].tolist(),
            frame["year"].tolist(),
            frame["count"].tolist(),
            frame["population"].tolist(),
            frame["illustrative"].tolist(),
            strict=True,
        )
        if not pd.isna(r[5]) and r[6] > 0
    ]
    members = {
        "vru": [r for r in rows if r[2] and r[3] == FIRST_VRU_YEAR],
        "non_vru": [r for r in rows if not r[2]],
    }
    baseline = list(BASELINE_YEARS)
    all_years = {r[4] for r in rows}
    later = sorted({r[4] for r in members["vru"]} & {r[4] for r in members["non_vru"]})
    later = [y for y in later if y > max(BASELINE_YEARS)]
    if len(later) < LATEST_WINDOW or not all(y in all_years for y in baseline):
        return None
    latest = later[-LATEST_WINDOW:]
    years = set(baseline + latest)
    groups, left_out = {}, {}
    for group, group_rows in members.items():
        part = [r for r in group_rows if r[4] in years]
        per_area: dict[str, set] = {}
        for r in part:
            per_area.setdefault(r[0], set()).add(r[4])
        complete = {code for code, got in per_area.items() if len(got) == len(years)}
        names = dict.fromkeys((r[0], r[1]) for r in group_rows)
        left_out[group] = sorted(n for c, n in names if c not in complete)
        groups[group] = [
            (r[0], r[4], r[5], r[6], bool(r[7])) for r in part if r[0] in complete
        ]
    return {
        "groups": groups,
        "left_out": left_out,
        "baseline": baseline,
        "latest": latest,
    }


def _random_years(rng: random.Random) -> pd.DataFrame:
    """A measure's force area years as `_fy_values` gives them (built by
    year_values._fy_frame from statement rows): areas of both groups and of
    neither, most years present, some counts missing or populations zero."""
    rows = []
    for n in range(rng.randint(0, 14)):
        code = f"E230000{n:02d}"
        is_vru = rng.choice([True, True, False, None, 1, 0])
        start = rng.choice([FIRST_VRU_YEAR, FIRST_VRU_YEAR, 2022, None])
        for year in range(2014, 2027):
            if rng.random() < 0.12:
                continue
            count = rng.choice(
                [
                    None,
                    rng.randint(0, 900),
                    rng.randint(0, 900),
                    rng.random() * 400,
                    Decimal(rng.randint(0, 4000)) / Decimal(4),
                ]
            )
            population = rng.choice(
                [None, 0, rng.randint(1, 3_000_000), rng.randint(1, 3_000_000)]
            )
            rows.append(
                (
                    code,
                    f"Area {n}",
                    is_vru,
                    start,
                    year,
                    count,
                    population,
                    rng.choice([0, 1, None]),
                    "Source",
                    rng.choice([0, 1]),
                )
            )
    rng.shuffle(rows)
    return year_values._fy_frame(rows)


@pytest.mark.parametrize("seed", range(300))
def test_vru_groups_chooses_as_the_old_road_did(seed):
    frame = _random_years(random.Random(seed))
    assert vru_groups._vru_groups(frame) == _old_vru_groups(frame)


def test_random_years_reach_both_outcomes():
    """The random years above are not all 'too few years' (None) or all
    complete: the comparison is exercised both ways."""
    outcomes = [
        vru_groups._vru_groups(_random_years(random.Random(seed))) is None
        for seed in range(300)
    ]
    assert 30 < sum(outcomes) < 270


def test_vru_groups_leaves_out_a_missing_count_and_no_population():
    """Nan and None counts, and a population of zero or none, leave the
    area-year out (so the area is left out of both windows)."""
    rows = []
    for n, code in enumerate(["E23000001", "E23000002", "E23000003", "E23000004"]):
        for year in range(2016, 2025):
            count, population = 10.0, 1000.0
            if (n, year) == (1, 2017):
                count = None
            if (n, year) == (2, 2023):
                population = 0
            if (n, year) == (3, 2016):
                population = None
            rows.append(
                (code, f"Area {n}", n % 2 == 0, 2019, year, count, population, 0)
            )
    rows += [
        ("E23000005", "Area 5", False, None, y, 1.0, 10.0, 0) for y in range(2016, 2025)
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "code",
            "name",
            "is_vru",
            "vru_start_year",
            "year",
            "count",
            "population",
            "illustrative",
        ],
    )
    frame.loc[frame["code"] == "E23000002", "count"] = frame["count"].where(
        frame["year"] != 2018, math.nan
    )
    chosen = vru_groups._vru_groups(frame)
    assert chosen == _old_vru_groups(frame)
    assert chosen["left_out"] == {
        "vru": ["Area 2"],
        "non_vru": ["Area 1", "Area 3"],
    }
    # counts held as objects, a missing one as None (not NaN): left out too
    objects = frame.assign(count=frame["count"].astype(object))
    objects.loc[
        (objects["code"] == "E23000001") & (objects["year"] == 2024), "count"
    ] = None
    chosen = vru_groups._vru_groups(objects)
    assert chosen == _old_vru_groups(objects)
    assert chosen["left_out"]["vru"] == ["Area 0", "Area 2"]
    assert chosen["left_out"]["non_vru"] == ["Area 1", "Area 3"]
    assert all(None not in r for rows in chosen["groups"].values() for r in rows)


@pytest.fixture
def request_context(loaded_store):
    server = Flask(f"vru-groups-{uuid.uuid4().hex}")
    server.config.update(CACHE_TYPE="NullCache")
    cache.init_app(server)
    return server


def test_vru_comparison_looks_through_the_years_once(request_context, monkeypatch):
    """One choice of areas and years for both answers (two before)."""
    calls = []
    choose = vru_groups._vru_groups

    def counted(frame):
        calls.append(len(frame))
        return choose(frame)

    monkeypatch.setattr(vru_groups, "_vru_groups", counted)
    with request_context.test_request_context():
        vru_groups.vru_comparison(scope=SYSTEM, measure_code="knife_offences")
    assert len(calls) == 1


def test_vru_comparison_is_the_two_answers_asked_for_alone(request_context):
    """For every rate measure with force area figures: the frame and the test
    `vru_comparison` gives are `vru_vs_non_vru`'s and `vru_relative_change`'s."""
    codes = year_values.rate_measures(scope=SYSTEM)["code"].tolist()
    assert "knife_offences" in codes
    compared = 0
    for code in codes:
        with request_context.test_request_context():
            measure, frame, relative = vru_groups.vru_comparison(
                scope=SYSTEM, measure_code=code
            )
        alone = vru_groups.vru_vs_non_vru(scope=SYSTEM, measure_code=code)
        test = vru_groups.vru_relative_change(scope=SYSTEM, measure_code=code)
        assert measure["code"] == code
        pd.testing.assert_frame_equal(frame, alone, check_exact=True)
        assert relative.keys() == test.keys()
        for key, value in test.items():
            if isinstance(value, float) and math.isnan(value):
                assert math.isnan(relative[key]), (code, key)
            else:
                assert relative[key] == value, (code, key)
        compared += not frame.empty
    assert compared >= 2


@pytest.mark.parametrize("age_band", ["all", "under25"])
def test_years_from_the_baseline_on_choose_as_every_year_did(loaded_store, age_band):
    """`_chosen` reads the force area years from the baseline's first on
    (`_fy_levels_since`), not every year: for every shipped rate measure it
    chooses the areas, years and left-out names that every year's figures gave,
    and `vru_vs_non_vru` is the frame they give."""
    codes = year_values.rate_measures(scope=SYSTEM)["code"].tolist()
    chosen_any = 0
    for code in codes:
        every_year = year_values._fy_values.uncached(code, "pfa", age_band)
        old = vru_groups._vru_groups(every_year)
        new = vru_groups._chosen(code, age_band)
        assert new == old, code
        pd.testing.assert_frame_equal(
            vru_groups._pooled(code, new), vru_groups._pooled(code, old)
        )
        chosen_any += old is not None
    assert chosen_any >= (2 if age_band == "all" else 0)


def test_the_vru_comparison_reads_from_the_baseline_on(loaded_store, monkeypatch):
    """Only the years from 2016/17 are read, the force areas' alone."""
    asked = []
    read = vru_groups._fy_levels_since

    def noted(code, levels, age_band, year):
        asked.append((levels, year))
        return read(code, levels, age_band, year)

    monkeypatch.setattr(vru_groups, "_fy_levels_since", noted)
    vru_groups.vru_vs_non_vru(scope=SYSTEM, measure_code="knife_offences")
    assert asked == [(("pfa",), 2016)]
