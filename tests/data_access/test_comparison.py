"""Force areas compared (data_access.outcomes) over the shipped data, on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from data_access import geography, statistics
from data_access.areas import NATIONAL_CODE
from data_access.errors import AccessDenied, InvalidParameter, NotFound
from data_access.outcomes import (
    force_areas,
    funnels,
    profiles,
    series_disclosure,
    vru_groups,
    year_values,
)
from data_access.scope import SYSTEM, Scope

VIEWER = Scope(role="viewer", area_codes=frozenset({"E23000036"}))


def test_knife_offences_periods_are_real_to_2018_19_then_illustrative(loaded_store):
    table = year_values.available_periods(measure_code="knife_offences")
    by_year = table.set_index("year")
    assert not by_year.loc[range(2010, 2019), "illustrative"].any()
    assert by_year.loc[range(2010, 2019), "n_areas"].eq(43).all()
    assert by_year.loc[range(2019, 2025), "illustrative"].all()
    assert by_year.loc[2018, "value"] == "2018-04"
    assert by_year.loc[2018, "label"] == "2018/19"


def test_ranking_puts_the_met_where_a_direct_computation_says(loaded_store):
    frame = force_areas.force_area_rates(
        scope=SYSTEM, measure_code="knife_offences", period_start="2018-04"
    )
    assert list(frame.columns) == force_areas.FORCE_AREA_COLUMNS
    assert len(frame) == 43
    met = frame[frame["code"] == "E23000001"].iloc[0]
    assert met["count"] == 14842  # ONS table P5, 2018/19
    rate, lower, upper = statistics.rate_ci(count=14842, population=met["population"])
    assert (met["rate"], met["rate_lower"], met["rate_upper"]) == pytest.approx(
        (rate, lower, upper)
    )
    assert met["benchmark_label"] == "England and Wales"
    assert met["benchmark_rate"] == pytest.approx(47133 / 59115800 * 100_000)
    assert met["comparison"] == "worse"
    ranks = frame["rate"].rank(ascending=False, method="first")
    assert list(ranks) == list(range(1, 44))
    assert not frame["illustrative"].any()


def test_quarters_are_summed_into_financial_years(loaded_store):
    from data_access.measures import measure_series

    frame = force_areas.force_area_rates(
        scope=SYSTEM, measure_code="knife_offences", period_start="2019-04"
    )
    quarters = measure_series(
        scope=SYSTEM, measure_code="knife_offences", area_code="E23000036"
    )
    year = quarters[quarters["period"].str.startswith("2019/20 Q")]
    row = frame[frame["code"] == "E23000036"].iloc[0]
    assert len(year) == 4 and row["count"] == year["numerator"].sum()
    assert row["population"] == year.iloc[0]["denominator"]
    assert frame["illustrative"].all() and len(frame) == 42


def test_confidence_level_and_group_benchmark(loaded_store):
    wide = force_areas.force_area_rates(
        scope=SYSTEM,
        measure_code="homicide_knife",
        period_start="2019-04",
        confidence=0.998,
        benchmark="vru",
    )
    narrow = force_areas.force_area_rates(
        scope=SYSTEM, measure_code="homicide_knife", period_start="2019-04"
    )
    assert (
        wide["rate_upper"]
        >= narrow.set_index("code").loc[wide["code"], "rate_upper"].values
    ).all()
    vru = wide[wide["is_vru"]]
    pooled = vru["count"].sum() / vru["population"].sum() * 1_000_000
    assert wide["benchmark_rate"].iloc[0] == pytest.approx(pooled)
    assert wide["benchmark_label"].iloc[0] == "VRU areas (pooled)"


def test_a_region_benchmark_pools_that_regions_force_areas(loaded_store):
    """South West: the five force areas listed here by hand (ONS PFA tables),
    pooled; an unknown region is refused."""
    frame = force_areas.force_area_rates(
        scope=SYSTEM,
        measure_code="knife_offences",
        period_start="2018-04",
        benchmark="region:E12000009",
    )
    south_west = ["E23000036", "E23000035", "E23000039", "E23000037", "E23000038"]
    rows = frame[frame["code"].isin(south_west)]
    assert len(rows) == 5
    pooled = rows["count"].sum() / rows["population"].sum() * 100_000
    assert frame["benchmark_rate"].iloc[0] == pytest.approx(pooled)
    assert frame["benchmark_label"].iloc[0] == "South West region force areas (pooled)"
    with pytest.raises(InvalidParameter):
        force_areas.force_area_rates(
            scope=SYSTEM,
            measure_code="knife_offences",
            period_start="2018-04",
            benchmark="region:E12000099",
        )


def test_a_saved_group_benchmark_pools_its_areas_for_its_owner_only(
    loaded_store, monkeypatch
):
    """A saved group (its store read stood in for: owner 5's "My peers" of Avon
    and Somerset and Devon and Cornwall) pools those two areas' counts over their
    populations, named as the user's group; for anyone else the key is unknown."""
    peers = ("E23000035", "E23000036")

    def get_group(key, *, scope):
        if key == "saved:7" and scope.user_id == 5:
            return {"label": "My peers", "area_codes": peers}
        raise InvalidParameter("benchmark", f"no comparator group '{key}'")

    monkeypatch.setattr(year_values, "get_group", get_group)
    owner = Scope(role="analyst", user_id=5)
    frame = force_areas.force_area_rates(
        scope=owner,
        measure_code="knife_offences",
        period_start="2018-04",
        benchmark="saved:7",
    )
    rows = frame[frame["code"].isin(peers)]
    assert len(rows) == 2
    pooled = rows["count"].sum() / rows["population"].sum() * 100_000
    assert frame["benchmark_rate"].iloc[0] == pytest.approx(pooled)
    assert frame["benchmark_label"].iloc[0] == "My peers (your saved group, pooled)"
    with pytest.raises(InvalidParameter):
        force_areas.force_area_rates(
            scope=Scope(role="analyst", user_id=6),
            measure_code="knife_offences",
            period_start="2018-04",
            benchmark="saved:7",
        )


def test_invalid_parameters_are_refused(loaded_store):
    with pytest.raises(InvalidParameter):
        force_areas.force_area_rates(
            scope=SYSTEM, measure_code="knife_offences", period_start="2018-13"
        )
    with pytest.raises(InvalidParameter):
        force_areas.force_area_rates(
            scope=SYSTEM,
            measure_code="knife_offences",
            period_start="2018-04",
            confidence=0.9,
        )
    with pytest.raises(NotFound):
        force_areas.force_area_rates(
            scope=SYSTEM, measure_code="nope", period_start="2018-04"
        )


def test_disclosure_rounds_hes_counts_for_scoped_users_only(loaded_store):
    args = dict(measure_code="hospital_admissions_knife", period_start="2019-04")
    raw = force_areas.force_area_rates(scope=SYSTEM, **args)
    shown = force_areas.force_area_rates(scope=VIEWER, **args)
    counts = shown["count"].dropna().astype(int)
    assert (counts % 5 == 0).all()
    assert not (raw["count"] % 5 == 0).all()
    # rates come from the published counts and populations (rate x population
    # gives back the rounded count, never the unrounded one)
    published = shown.dropna(subset=["rate"])
    assert published["rate"].tolist() == pytest.approx(
        (published["count"] / published["population"] * 100_000).tolist()
    )
    assert (published["population"] % 5 == 0).all()


def test_the_ranking_hides_what_the_trend_pages_hide(loaded_store):
    """/compare published every force area's count beside the England total
    that the trend pages and the API publish; where those hide a force area's
    count so that the total cannot give a hidden one away, the ranking must
    hide it too (else the two together give the hidden count back)."""
    from data_access.measures import get_measure

    args = dict(measure_code="hospital_admissions_knife", period_start="2018-04")
    shown = force_areas.force_area_rates(scope=VIEWER, **args).set_index("code")
    measure = get_measure("hospital_admissions_knife")
    table = series_disclosure.published_force_areas(
        measure, length="year", age_band="all"
    )
    year = table[table["period_start"] == dt.date(2018, 4, 1)]
    hidden = set(year.loc[year["suppressed"], "area_code"]) - {NATIONAL_CODE}
    assert hidden  # a small count and the one hidden with it
    assert shown.loc[sorted(hidden), "suppressed"].all()
    assert shown.loc[sorted(hidden), "count"].isna().all()
    full = force_areas.force_area_rates(scope=SYSTEM, **args)
    assert not full["suppressed"].any()  # an admin sees every count


def test_funnel_limits_match_statistics(loaded_store):
    points, limits, _ = funnels.funnel(
        scope=SYSTEM, measure_code="knife_offences", period_start="2018-04"
    )
    bench = points["benchmark_rate"].iloc[0]
    expected = statistics.funnel_limits_rate(
        benchmark_rate=bench, populations=limits["population"], multiplier=100_000
    )
    assert np.allclose(limits["upper_998"], expected["upper_998"])
    assert np.allclose(limits["lower_95"], expected["lower_95"])
    met = points[points["code"] == "E23000001"].iloc[0]
    assert met["funnel_position"] == "above 99.8% limit"
    assert set(points["funnel_position"]) <= set(funnels.FUNNEL_POSITIONS)


@pytest.mark.parametrize("leave_out", [set(), {"E23000034"}])
def test_funnel_from_the_rankings_rows_is_the_same_funnel(loaded_store, leave_out):
    """A page that has the ranking at 95% hands its rows to the funnel (one
    road: the funnel's points are those rates): the same points, limits and
    overdispersion as the funnel reading them itself, the rows left unchanged."""
    args = dict(scope=SYSTEM, measure_code="knife_offences", period_start="2018-04")
    ranked = force_areas.force_area_rates(**args)
    before = ranked.copy()
    given = funnels.funnel(**args, leave_out=leave_out, rates=ranked)
    read = funnels.funnel(**args, leave_out=leave_out)
    pd.testing.assert_frame_equal(given[0], read[0])
    pd.testing.assert_frame_equal(given[1], read[1])
    pd.testing.assert_frame_equal(given[2]["limits"], read[2]["limits"])
    assert {k: v for k, v in given[2].items() if k != "limits"} == {
        k: v for k, v in read[2].items() if k != "limits"
    }
    pd.testing.assert_frame_equal(ranked, before)


def test_funnel_positions_by_the_phe_method_on_real_homicide_figures(loaded_store):
    """The Metropolitan Police's 52 knife homicides in 1998/99 are above the 99.8%
    limit by the PHE/OHID method (the exact limits of the expected count put it
    only above 95%); no zero count is called low unless P(0 | E) < 0.001."""
    per = year_values.available_periods(measure_code="homicide_knife")
    start = per.set_index("label").loc["1998/99", "value"]
    points, _, _ = funnels.funnel(
        scope=SYSTEM, measure_code="homicide_knife", period_start=start
    )
    met = points.set_index("code").loc["E23000001"]
    assert met["count"] == 52
    assert met["funnel_position"] == "above 99.8% limit"
    for value in per["value"]:
        points, _, _ = funnels.funnel(
            scope=SYSTEM, measure_code="homicide_knife", period_start=value
        )
        zero = points[points["count"] == 0]
        expected = zero["benchmark_rate"] * zero["population"] / 1_000_000
        called_low = zero["funnel_position"] == "below 99.8% limit"
        assert (called_low == (np.exp(-expected) < 0.001)).all()


def test_funnel_overdispersion_on_the_real_knife_figures(loaded_store):
    """Knife offences 2010/11 (ONS): 41 of 43 forces outside the PHE 99.8% limits.
    Spiegelhalter's dispersion, recomputed here from the counts (z-scores against
    E&W, Winsorised at the 10th / 90th percentiles), is far above 1, so the
    limits are widened by tau; positions against the widened limits are those of
    statistics.overdispersed_limits at each area's population."""
    points, limits, od = funnels.funnel(
        scope=SYSTEM, measure_code="knife_offences", period_start="2010-04"
    )
    bench = points["benchmark_rate"].iloc[0] / 100_000
    y = points["count"] / points["population"]
    z = ((y - bench) / np.sqrt(bench / points["population"])).to_numpy()
    low, high = stats.mstats.mquantiles(z, prob=[0.1, 0.9], alphap=1, betap=1)
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    assert od["phi"] == pytest.approx(phi, rel=1e-9)
    assert od["overdispersed"] and od["phi"] > 50
    assert points["funnel_position"].str.contains("99.8").sum() == 41
    assert od["tau"] == pytest.approx(math.sqrt(od["tau2"]) * 100_000)
    assert (od["limits"]["upper_998"] > limits["upper_998"]).all()
    at_own = statistics.overdispersed_limits(
        statistics.funnel_limits_rate(
            benchmark_rate=points["benchmark_rate"].iloc[0],
            populations=points["population"],
            multiplier=100_000,
        ),
        tau2=od["tau2"],
        scale=100_000,
    )
    above = (points["rate"] > at_own["upper_998"]).to_numpy()
    adjusted = points["funnel_position_adjusted"] == "above 99.8% limit"
    assert (adjusted.to_numpy() == above).all()
    homicide = funnels.funnel(
        scope=SYSTEM, measure_code="homicide_knife", period_start="2018-04"
    )
    assert not homicide[2]["overdispersed"]
    assert (
        homicide[0]["funnel_position"] == homicide[0]["funnel_position_adjusted"]
    ).all()


def test_vru_group_pooled_rate_is_sum_of_counts_over_sum_of_populations(
    loaded_store,
):
    frame = vru_groups.vru_vs_non_vru(scope=SYSTEM, measure_code="knife_offences")
    fy = year_values._fy_values.uncached("knife_offences", "pfa", "all")
    vru = frame[frame["group"] == "vru"].iloc[0]
    assert vru["n_areas"] == 18
    part = fy[
        fy["is_vru"] & (fy["vru_start_year"] == 2019) & fy["year"].between(2016, 2018)
    ]
    assert vru["baseline_count"] == part["count"].sum()
    assert vru["baseline_rate"] == pytest.approx(
        part["count"].sum() / part["population"].sum() * 100_000
    )
    non = frame[frame["group"] == "non_vru"].iloc[0]
    assert non["areas_left_out"] == "City of London"  # no illustrative quarters
    assert vru["baseline_label"] == "2016/17 to 2018/19"
    assert vru["latest_label"] == "2022/23 to 2024/25"
    by_year = part.groupby("year")[["count", "population"]].sum()
    latest = (
        fy[
            fy["is_vru"]
            & (fy["vru_start_year"] == 2019)
            & fy["year"].between(2022, 2024)
        ]
        .groupby("year")[["count", "population"]]
        .sum()
    )
    change = statistics.change_from_baseline(
        baseline_count=by_year["count"].tolist(),
        baseline_population=by_year["population"].tolist(),
        current_count=latest["count"].tolist(),
        current_population=latest["population"].tolist(),
        multiplier=100_000,
    )
    assert vru["rate_ratio"] == pytest.approx(change["rate_ratio"])
    assert vru["ratio_lower"] == pytest.approx(change["ratio_lower"])
    assert vru["direction"] == change["direction"] == "no significant change"


def test_vru_against_non_vru_tests_the_areas_own_changes(loaded_store):
    """Difference-in-differences with the force area as the unit, checked by a
    Welch t test written out here: each area's log rate ratio (2022/23-2024/25
    over 2016/17-2018/19). Issue 18: p = 0.21 for knife offences (0.20 while
    2021/22 onwards used the mid-2020 population; issue 17 gave those years their
    own mid-2021 to mid-2024 denominators), where the pooled counts' Poisson
    variance called the difference significant."""
    fy = year_values._fy_values.uncached("knife_offences", "pfa", "all")
    fy = fy[fy["count"].notna() & (fy["population"] > 0)]
    changes = {}
    for group, mask in {
        "vru": fy["is_vru"] & (fy["vru_start_year"] == 2019),
        "non": ~fy["is_vru"],
    }.items():
        part = fy[mask & fy["year"].isin([2016, 2017, 2018, 2022, 2023, 2024])]
        years = part.groupby("code")["year"].nunique()
        part = part[part["code"].isin(years[years == 6].index)]
        window = np.where(part["year"] >= 2022, "latest", "baseline")
        sums = part.groupby(["code", window])[["count", "population"]].sum()
        rates = (sums["count"] / sums["population"]).unstack()
        changes[group] = np.log(rates["latest"] / rates["baseline"]).to_numpy()
    a, b = changes["vru"], changes["non"]
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    t = (a.mean() - b.mean()) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    p_value = 2 * stats.t.sf(abs(t), df)
    result = vru_groups.vru_relative_change(scope=SYSTEM, measure_code="knife_offences")
    assert (result["n_vru"], result["n_non_vru"]) == (18, 22)
    assert result["p_value"] == pytest.approx(p_value, rel=1e-9)
    assert round(result["p_value"], 2) == 0.21
    assert result["significant"] is False
    assert result["ratio"] == pytest.approx(math.exp(a.mean() - b.mean()))
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    assert result["lower"] == pytest.approx(math.exp(a.mean() - b.mean() - half))
    assert result["lower"] < 1 < result["upper"]


def test_area_profile_spine_ranges(loaded_store):
    profile = profiles.area_profile(scope=SYSTEM, area_code="E23000036")
    assert list(profile.columns) == profiles.PROFILE_COLUMNS
    knife = profile.set_index("measure_code").loc["knife_offences"]
    periods = year_values.available_periods(measure_code="knife_offences")
    latest = periods.iloc[-1]
    assert knife["period"] == latest["label"]
    ranked = force_areas.force_area_rates(
        scope=SYSTEM, measure_code="knife_offences", period_start=latest["value"]
    )
    assert knife["min"] == pytest.approx(ranked["rate"].min())
    assert knife["max"] == pytest.approx(ranked["rate"].max())
    assert knife["q25"] == pytest.approx(np.percentile(ranked["rate"], 25))
    assert knife["min"] <= knife["value"] <= knife["max"]
    assert knife["trend"] in statistics.TREND_DIRECTIONS
    assert not math.isnan(knife["benchmark"])


def test_area_profile_unknown_code_and_lad(loaded_store):
    with pytest.raises(NotFound):
        profiles.area_profile(scope=SYSTEM, area_code="X99")
    lad = profiles.area_profile(scope=SYSTEM, area_code="E06000023")
    # knife offences by financial year; Table C2's partnerships, placed on the
    # districts they cover, for the year ending June 2025 only
    assert list(lad["measure_code"]) == [
        "knife_offences",
        "homicide",
        "possession_of_weapons",
        "violence_with_injury",
    ]
    assert list(lad["period"])[1:] == ["year ending Jun 2025"] * 3
    assert (lad["n_areas"] > 100).all()


def test_interventions_and_money_are_restricted(loaded_store):
    assert len(profiles.area_interventions(scope=VIEWER, area_code="E23000036"))
    money = profiles.area_money(scope=VIEWER, area_code="E23000036")
    assert list(money.columns) == profiles.MONEY_COLUMNS and len(money)
    with pytest.raises(AccessDenied):
        profiles.area_interventions(scope=VIEWER, area_code="E23000014")
    with pytest.raises(AccessDenied):
        profiles.area_money(scope=VIEWER, area_code="E23000014")


def test_boundaries_cover_every_force_area_and_are_small():
    import json

    shape = geography.pfa_boundaries()
    assert len(shape["features"]) == 43
    assert len(json.dumps(shape, separators=(",", ":"))) < 200_000
    point = shape["features"][0]["geometry"]["coordinates"][0][0]
    assert all(round(v, 3) == v for v in point[:2])


def test_drawing_the_map_leaves_the_shared_boundaries_unchanged():
    """pfa_boundaries() is one object shared by every caller (no copy per click):
    drawing the /compare map or its outlines from it must not change it."""
    import copy

    import pandas as pd

    from components.area_map import area_map_figure, outlines

    shared = geography.pfa_boundaries()
    before = copy.deepcopy(shared)
    first = shared["features"][0]
    frame = pd.DataFrame(
        [
            {
                "code": first["id"],
                "name": first["properties"]["name"],
                "rate": 12.5,
                "rate_lower": 10.0,
                "rate_upper": 15.0,
                "comparison": "higher",
                "suppressed": False,
            }
        ]
    )
    url = "/embed/static/pfa-outlines.json?v=test"
    area_map_figure(
        shared, frame, per="per 100,000", level_text="95%", outlines_url=url
    )
    # the served outlines are made from it too: what a caller may do to them
    outlines(shared)[first["id"]]["x"].append(0.0)
    area_map_figure(
        shared, frame.iloc[0:0], per="per 100,000", level_text="95%", outlines_url=url
    )
    assert geography.pfa_boundaries() is shared
    assert shared == before


@pytest.mark.parametrize("ci_method", ["byar", "wilson"])
def test_funnel_limits_at_own_population_are_the_grids_rows(ci_method):
    """The limits at each area's population are read from the grid (which holds
    every population shown), not worked out again: the same figures as
    working them out at those populations, NaN where a population is missing
    or not positive."""
    from data_access.outcomes.funnels import _limits_at, _rows_at, funnel_limits

    multiplier = 100.0 if ci_method == "wilson" else 100_000.0
    bench = 42.0 if ci_method == "wilson" else 61.3
    population = np.array([1_250_000.0, 7_300.0, float("nan"), 0.0, 480_000.0])
    limits = funnel_limits(
        benchmark_rate=bench,
        populations=[p for p in population.tolist() if p == p],
        multiplier=multiplier,
        ci_method=ci_method,
    )
    for asked in (population, population[[0, 4, 1]]):
        got = _rows_at(limits, asked)
        expected = _limits_at(bench, asked, multiplier, ci_method)[got.columns]
        pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-9)
    assert _rows_at(limits, population).iloc[2:4, 2:].isna().all().all()


def _positions_row_by_row(rate, limits):
    """funnels._positions as it was written before it was vectorised (issue 19):
    the reference the vectorised one must match."""
    positions = []
    for value, lim in zip(rate, limits.to_dict("records"), strict=True):
        if math.isnan(value) or math.isnan(lim["upper_95"]):
            positions.append("not shown")
        elif value > lim["upper_998"]:
            positions.append("above 99.8% limit")
        elif value > lim["upper_95"]:
            positions.append("above 95% limit")
        elif value < lim["lower_998"]:
            positions.append("below 99.8% limit")
        elif value < lim["lower_95"]:
            positions.append("below 95% limit")
        else:
            positions.append("within 95% limits")
    return positions


def test_funnel_positions_are_those_judged_row_by_row():
    """On random rates and limits, with missing rates and limits and rates on a
    limit exactly, the vectorised positions are the row-by-row ones."""
    from data_access.outcomes.funnels import _positions

    rng = np.random.default_rng(19)
    for _ in range(50):
        size = int(rng.integers(1, 60))
        middle = rng.uniform(10, 100, size)
        limits = pd.DataFrame(
            {
                "lower_998": middle * 0.6,
                "lower_95": middle * 0.8,
                "upper_95": middle * 1.2,
                "upper_998": middle * 1.4,
            }
        )
        limits.loc[rng.random(size) < 0.1, :] = np.nan
        rate = middle * rng.uniform(0.4, 1.6, size)
        rate[rng.random(size) < 0.1] = np.nan
        on_limit = rng.random(size) < 0.2
        column = rng.choice(limits.columns, size)
        rate[on_limit] = [
            limits[c].iloc[i]
            for i, c in zip(np.flatnonzero(on_limit), column[on_limit], strict=True)
        ]
        got = _positions(rate, limits)
        assert got == _positions_row_by_row(rate, limits)
        assert all(type(p) is str for p in got)
