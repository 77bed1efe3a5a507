"""year_values._values_in_year (a financial year read for that year alone,
`_fy_levels_in`, issue 19) gives the rows `_values_at` gives (that year taken
from every year's read, the road it replaced for /compare), and
force_areas.force_area_rates what it gave on that road: over the shipped demo,
the synthetic scale set and random stores of stored years, rolling years and
quarters (incomplete ones, missing figures and denominators, values either
side of April 1st included)."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from data_access import periods, scale
from data_access.db import session_scope
from data_access.measures import measure_metadata
from data_access.models import Measure, MeasureValue
from data_access.outcomes import force_areas, year_values
from data_access.outcomes.year_values import _FY_COLUMNS
from data_access.scope import SYSTEM, Scope
from tests.data_access.three_forces import add_three_forces, measure_fields
from tests.one_request import one_request

LEVELS = ["pfa", "country", "region", "lad"]
AGE_BANDS = ["all", "under25"]
VIEWER = Scope(role="viewer", area_codes=frozenset({"E23000036"}))


def _old_road(every_year: pd.DataFrame, year: int) -> pd.DataFrame:
    """`_values_at` of a financial year as it was read for /compare before: every
    year's figures (`_fy_values`), then the year's rows."""
    return every_year[every_year["year"] == year][_FY_COLUMNS]


def _assert_same_rows(code, level, age_band, years, *, strict_vru_type=True):
    """In one request (tests/one_request.py), the reads being memoized: force
    areas and countries are read in one statement (`_READ_TOGETHER`), made
    once for both levels."""
    every_year = year_values._fy_values(code, level, age_band)
    return sum(
        _assert_same_year(every_year, code, level, age_band, year, strict_vru_type)
        for year in years or _years(every_year)
    )


def _assert_same_year(every_year, code, level, age_band, year, strict_vru_type):
    old = _old_road(every_year, year).reset_index(drop=True)
    levels = year_values._READ_TOGETHER.get(level, (level,))
    new = year_values._fy_levels_in(code, levels, age_band, year)[level]
    new = new[_FY_COLUMNS]
    where = f"{code} {level} {age_band} {year}"
    if old.empty:
        # no year: both empty, as force_area_rates and _national_of read them
        assert new.empty, where
        assert list(new.columns) == list(old.columns), where
        return 0
    if not strict_vru_type:
        # The year a VRU began is typed by the rows read (float where one of
        # them has none): every year's rows or this year's. Its values agree;
        # it is only ever written as a whole year (pages/compare._table).
        assert [None if pd.isna(v) else v for v in new["vru_start_year"]] == [
            None if pd.isna(v) else v for v in old["vru_start_year"]
        ], where
        new = new.drop(columns="vru_start_year")
        old = old.drop(columns="vru_start_year")
    pd.testing.assert_frame_equal(new, old, check_dtype=True, obj=where)
    return len(old)


def _years(every_year: pd.DataFrame) -> list[int]:
    if every_year.empty:
        return [2018]
    years = every_year["year"].tolist()
    # the years either side of the measure's: none there
    return list(range(min(years) - 1, max(years) + 2))


def _assert_every_year_the_same(**kwargs) -> int:
    codes = measure_metadata.uncached(include_private=True)["code"].tolist()
    checked = 0
    with one_request():
        for code in codes:
            for level in LEVELS:
                for age_band in AGE_BANDS:
                    checked += _assert_same_rows(code, level, age_band, None, **kwargs)
    return checked


def test_shipped_years_read_alone_are_the_years_of_every_year(loaded_store):
    assert _assert_every_year_the_same() > 3000


@pytest.mark.parametrize("rows", [300])
def test_synthetic_years_read_alone_are_the_years_of_every_year(store, rows):
    scale.generate_scale(rows=rows)
    assert _assert_every_year_the_same() > 100


# ----------------------------------------------------------- random stores


def _random_measure(session, rng: random.Random, source, areas, n: int) -> str:
    code = f"random_{n}"
    proportion = rng.random() < 0.4
    measure = Measure(
        code=code,
        name=f"Random {n}",
        rate_multiplier=100 if proportion else 100000,
        **measure_fields(
            source,
            disclosure_rule=rng.choice(["none", "hes"]),
            unit="%" if proportion else "offences",
            ci_method="wilson" if proportion else "byar",
        ),
    )
    session.add(measure)
    session.flush()
    seen = set()

    def figure():
        return rng.choice([None, rng.randint(0, 400), rng.random() * 900])

    for area in areas.values():
        for year in rng.sample(range(2014, 2021), rng.randint(0, 5)):
            kind = rng.choice(["annual", "rolling", "quarters", "both"])
            spans = []
            if kind in ("annual", "both"):
                spans.append((dt.date(year, 4, 1), dt.date(year + 1, 3, 31)))
            if kind == "rolling":
                month = rng.choice([1, 3, 5, 7, 10])
                spans.append(
                    (
                        dt.date(year, month, 1),
                        periods.parse_month(
                            f"{year + 1}-{month - 1:02d}"
                            if month > 1
                            else f"{year}-12",
                            parameter="p",
                            end=True,
                        ),
                    )
                )
            if kind in ("quarters", "both"):
                # sometimes three quarters, sometimes the year's last quarter
                # only (January to March of the next calendar year)
                quarters = rng.sample([1, 2, 3, 4], rng.choice([4, 4, 3, 1]))
                spans += [periods.quarter_bounds(year, q) for q in quarters]
            for start, end in spans:
                if (start, end) in seen:
                    continue
                seen.add((start, end))
                den = figure()
                num = figure()
                if proportion and num is not None and den is not None:
                    den = max(den, num)
                session.add(
                    MeasureValue(
                        measure_id=measure.id,
                        area_id=area.id,
                        period_start=start,
                        period_end=end,
                        value=None if num is None else float(num),
                        numerator=num,
                        denominator=den,
                        source_id=source.id,
                    )
                )
    return code


@pytest.fixture
def random_store(store):
    rng = random.Random(19)
    codes = []
    with session_scope() as session:
        source, areas = add_three_forces(session, vru=True)
        for n in range(30):
            codes.append(_random_measure(session, rng, source, areas, n))
    return codes


def test_random_years_read_alone_are_the_years_of_every_year(random_store):
    checked = 0
    with one_request():
        for code in random_store:
            for level in ("pfa", "country"):
                checked += _assert_same_rows(
                    code, level, "all", range(2012, 2023), strict_vru_type=False
                )
    assert checked > 100


# ------------------------------------------- the years from one on (`since`)


def _assert_same_since(code, level, age_band, first_years) -> int:
    """`_fy_levels_since` gives `_fy_values`' rows of the years from `first` on,
    in their order (the year a VRU began compared by value: it is typed by the
    rows read, as above). In one request, as `_assert_same_rows`."""
    every_year = year_values._fy_values(code, level, age_band)
    levels = year_values._READ_TOGETHER.get(level, (level,))
    checked = 0
    for first in first_years:
        where = f"{code} {level} {age_band} from {first}"
        old = every_year[every_year["year"] >= first].reset_index(drop=True)
        new = year_values._fy_levels_since(code, levels, age_band, first)[level]
        # the columns `_fy_frame` makes a frame of (None: no rows)
        new = pd.DataFrame(new if new is not None else {c: [] for c in _FY_COLUMNS})[
            _FY_COLUMNS
        ]
        assert list(new.columns) == list(old.columns), where
        if old.empty:  # no year from then on: no rows (typed as none read)
            assert new.empty, where
            continue
        assert [None if pd.isna(v) else v for v in new["vru_start_year"]] == [
            None if pd.isna(v) else v for v in old["vru_start_year"]
        ], where
        pd.testing.assert_frame_equal(
            new.drop(columns="vru_start_year"),
            old.drop(columns="vru_start_year"),
            obj=where,
        )
        checked += len(old)
    return checked


def test_shipped_years_from_one_on_are_those_of_every_year(loaded_store):
    """Every shipped rate measure's force areas and countries from 2016/17 (the
    VRU comparison's baseline), from a year with quarters either side of April
    and from after the last year."""
    codes = year_values.rate_measures(scope=SYSTEM)["code"].tolist()
    with one_request():
        checked = sum(
            _assert_same_since(code, level, age_band, (2016, 2019, 2040))
            for code in codes
            for level in ("pfa", "country")
            for age_band in AGE_BANDS
        )
    assert checked > 1000


def test_random_years_from_one_on_are_those_of_every_year(random_store):
    with one_request():
        checked = sum(
            # before the first year, either side of April 2016, the last, after it
            _assert_same_since(code, level, "all", (2013, 2016, 2017, 2020, 2021))
            for code in random_store
            for level in ("pfa", "country")
        )
    assert checked > 100


# ------------------------------------------------------ the comparison itself


def _rates_on_old_road(monkeypatch, cases: list[dict]) -> list[pd.DataFrame]:
    """force_area_rates of each case as read on the old road, in a request of
    its own: force_area_rates is memoized, so in the new road's request it
    would hand back the new road's answers (tests/one_request.py)."""
    with monkeypatch.context() as patch, one_request():
        patch.setattr(
            force_areas,
            "_in_year_with_national",
            lambda code, level, age_band, key, national: (
                year_values._values_at(code, level, age_band, key),
                year_values._national_at(code, key, age_band) if national else None,
            ),
        )
        return [force_areas.force_area_rates(**kwargs) for kwargs in cases]


@pytest.mark.parametrize("scope", [SYSTEM, VIEWER], ids=["system", "viewer"])
def test_force_area_rates_are_those_of_every_year_read(
    loaded_store, monkeypatch, scope
):
    """Every rate measure and year, against England and Wales and the VRU areas
    at 95% (and the latest year at 99.8%): the same frame as when the year was
    taken from every year's figures, disclosure control included."""
    measures = year_values.rate_measures(scope=scope)["code"].tolist()
    cases = []
    for code in measures:
        years = year_values.available_periods(measure_code=code)["value"].tolist()
        for key in years:
            for benchmark, confidence in [("national", 0.95), ("vru", 0.95)] + (
                [("region:E12000007", 0.998)] if key == years[-1] else []
            ):
                cases.append(
                    dict(
                        scope=scope,
                        measure_code=code,
                        period_start=key,
                        benchmark=benchmark,
                        confidence=confidence,
                    )
                )
    # each road in one request (tests/one_request.py): every year's figures of
    # a measure, which the old road reads for each year, are read once
    with one_request():
        news = [force_areas.force_area_rates(**args) for args in cases]
    olds = _rates_on_old_road(monkeypatch, cases)
    compared = 0
    for args, new, old in zip(cases, news, olds, strict=True):
        pd.testing.assert_frame_equal(new, old, obj=f"{args}")
        compared += len(new)
    assert compared > 3000


def test_a_year_is_one_statement_with_its_national_figures(loaded_store):
    """The year read alone still brings the countries' figures (the benchmark)
    in the same statement as the force areas'."""
    frames = year_values._fy_levels_in.uncached(
        "knife_offences", ("country", "pfa"), "all", 2018
    )
    assert set(frames) == {"country", "pfa"}
    assert len(frames["pfa"]) == 43
    assert set(frames["pfa"]["year"]) == {2018}
    assert year_values._national_in_year(
        "knife_offences", "2018-04", "all"
    ) == year_values._national_at("knife_offences", "2018-04", "all")


@pytest.mark.parametrize("seed", range(300))
def test_ranked_order_is_sort_values(seed):
    """force_areas.ranked_order orders rows as the frame's sort_values(["rate",
    "name"], ascending=[False, True]) it replaced: highest rate first, a missing
    rate last, ties by name, then in the rows' order."""
    rng = random.Random(seed)
    n = rng.randint(0, 30)
    names = [
        rng.choice(["Avon", "Kent", "Surrey", "Dyfed-Powys", "Met"]) for _ in range(n)
    ]
    rates = [
        rng.choice([None, float("nan"), 0.0, -0.0, 12.5, 12.5, rng.random() * 100])
        for _ in range(n)
    ]
    frame = pd.DataFrame({"rate": pd.array(rates, dtype=float), "name": names})
    expected = frame.sort_values(["rate", "name"], ascending=[False, True])
    got = force_areas.ranked_order(frame["rate"].tolist(), frame["name"].tolist())
    assert got == expected.index.tolist()


def test_a_ranking_asks_for_its_year_once(loaded_store, monkeypatch):
    """The areas and the national figure come from one asking of the year's
    frames (year_values._in_year_with_national), not a second one for the
    countries, which the request memo would hand over as a copy of both."""
    asked = []
    read = year_values._fy_levels_in

    def noted(*args):
        asked.append(args)
        return read(*args)

    monkeypatch.setattr(year_values, "_fy_levels_in", noted)
    force_areas.force_area_rates(
        scope=SYSTEM, measure_code="knife_offences", period_start="2018-04"
    )
    assert asked == [("knife_offences", ("country", "pfa"), "all", 2018)]
