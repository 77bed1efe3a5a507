"""data_access.outcomes against the shipped data, on SQLite and PostgreSQL: real
figures, the year-from-quarters rule, the benchmark, baseline and trend wiring,
drill-down children, scope and disclosure."""

import datetime as dt
import math

import pandas as pd
import pytest

from data_access import board_overview, periods, statistics
from data_access.errors import AccessDenied, InvalidParameter, NotFound
from data_access.measures import get_measure
from data_access.money import outturn, spending
from data_access.outcomes import area_trends, benchmarking, headlines, raw_series
from data_access.scope import PUBLIC, SYSTEM, Scope
from tests.one_request import one_request

AVON = "E23000036"
MET = "E23000001"
EW = "K04000001"
VIEWER = Scope(role="viewer", area_codes=frozenset({AVON}))


def test_met_2018_19_knife_offences_is_the_published_14842(loaded_store):
    frame = area_trends.trend_with_benchmark(
        scope=SYSTEM, measure_code="knife_offences", area_code=MET, length="year"
    )
    assert list(frame.columns) == raw_series.TREND_COLUMNS
    row = frame[(frame["role"] == "area") & (frame["period"] == "2018/19")].iloc[0]
    assert row["value"] == 14842
    assert not row["illustrative"]
    assert row["rate"] == pytest.approx(
        statistics.rate_ci(count=14842, population=row["denominator"])[0]
    )
    assert row["rate_lower"] < row["rate"] < row["rate_upper"]


def test_avon_quarters_sum_to_the_published_years(loaded_store):
    """ONS's quarterly series matches its annual figures for 2010/11-2013/14."""
    quarters = area_trends.trend_with_benchmark(
        scope=SYSTEM, measure_code="knife_offences", area_code=AVON, length="quarter"
    )
    years = area_trends.trend_with_benchmark(
        scope=SYSTEM, measure_code="knife_offences", area_code=AVON, length="year"
    )
    quarters = quarters[quarters["role"] == "area"]
    years = years[years["role"] == "area"].set_index("period")
    for fy in (2010, 2011, 2012, 2013):
        in_year = quarters[quarters["period"].str.startswith(f"{fy}/")]
        assert len(in_year) == 4
        assert (
            in_year["value"].sum() == years.loc[f"{fy}/{(fy + 1) % 100:02d}", "value"]
        )


def test_years_without_an_annual_row_are_sums_of_four_quarters(loaded_store):
    quarters = area_trends.area_series(
        scope=SYSTEM, measure_code="knife_offences", area_code=AVON
    )
    years = area_trends.area_series(
        scope=SYSTEM, measure_code="knife_offences", area_code=AVON, length="year"
    ).set_index("period")
    in_year = quarters[quarters["period"].str.startswith("2022/23")]
    assert years.loc["2022/23", "value"] == in_year["value"].sum()
    assert years.loc["2022/23", "note"] == "Sum of the four quarters."
    assert bool(years.loc["2022/23", "illustrative"])
    # the partial latest year (2025/26: two quarters) is not a year
    assert "2025/26" not in years.index


def test_benchmark_rows_and_comparison(loaded_store):
    frame = area_trends.trend_with_benchmark(
        scope=SYSTEM,
        measure_code="knife_offences",
        area_code=AVON,
        length="year",
        start=dt.date(2016, 4, 1),
        end=dt.date(2019, 3, 31),
    )
    bench = frame[frame["role"] == "benchmark"]
    assert set(bench["area_name"]) == {"England and Wales"}
    assert list(bench["period"]) == ["2016/17", "2017/18", "2018/19"]
    area = frame[frame["role"] == "area"].set_index("period")
    b = bench.set_index("period")
    for period in b.index:
        expected = statistics.compare_to_benchmark(
            lower=area.loc[period, "rate_lower"],
            upper=area.loc[period, "rate_upper"],
            benchmark=b.loc[period, "rate"],
            polarity="lower_is_better",
        )
        assert area.loc[period, "comparison"] == expected


def test_quarterly_benchmark_is_the_sum_of_force_areas(loaded_store):
    frame = area_trends.trend_with_benchmark(
        scope=SYSTEM, measure_code="knife_offences", area_code=AVON, length="quarter"
    )
    bench = frame[(frame["role"] == "benchmark") & (frame["period"] == "2012/13 Q1")]
    assert bench["area_name"].iloc[0].startswith("England and Wales (sum of 42")
    children = area_trends.children_latest(
        scope=SYSTEM, measure_code="knife_offences", parent_code=EW, length="quarter"
    )
    assert len(children) == 43  # every force area, City of London without a value


def test_hospital_benchmark_is_england(loaded_store):
    frame = area_trends.trend_with_benchmark(
        scope=SYSTEM,
        measure_code="hospital_admissions_knife",
        area_code=AVON,
        length="year",
    )
    names = set(frame[frame["role"] == "benchmark"]["area_name"])
    assert names and all(n.startswith("England") and "Wales" not in n for n in names)
    measure = get_measure("hospital_admissions_knife")
    assert benchmarking.benchmark_name(measure) == "England"


def test_children_of_a_force_area_are_its_local_authorities(loaded_store):
    kids = area_trends.children_latest(
        scope=VIEWER, measure_code="knife_offences", parent_code=AVON
    )
    assert list(kids.columns) == raw_series.CHILD_COLUMNS
    assert set(kids["area_name"]) >= {"Bristol, City of", "North Somerset"}
    assert (kids["level"] == "lad").all()
    # apportioned so that the local authorities add up to the force
    force = area_trends.area_series(
        scope=SYSTEM, measure_code="knife_offences", area_code=AVON
    )
    latest = force[force["period_start"] == kids["period_start"].iloc[0]]
    assert kids["value"].sum() == latest["value"].iloc[0]


def test_baseline_never_compares_illustrative_with_published(loaded_store):
    """The Met's knife offences are published to 2018/19 (the baseline) and
    illustrative after: no change is worked out between the two kinds."""
    years = area_trends.area_series(
        scope=SYSTEM, measure_code="knife_offences", area_code=MET, length="year"
    ).set_index("period")
    base = years.loc[["2016/17", "2017/18", "2018/19"]]
    assert base["numerator"].sum() == 12060 + 14705 + 14842
    assert not base["illustrative"].any() and years["illustrative"].iloc[-1]
    result = headlines.baseline_change(
        scope=SYSTEM, measure_code="knife_offences", area_code=MET
    )
    assert not result["available"]
    assert result["reason"] == (
        "the baseline figures are published and every later figure is "
        "illustrative, so they are not compared"
    )


def test_baseline_change_wiring(loaded_store):
    # Hospital admissions for the Met are illustrative throughout: compared.
    result = headlines.baseline_change(
        scope=SYSTEM, measure_code="hospital_admissions_knife", area_code=MET
    )
    years = area_trends.area_series(
        scope=SYSTEM,
        measure_code="hospital_admissions_knife",
        area_code=MET,
        length="year",
    ).set_index("period")
    base = years.loc[["2016/17", "2017/18", "2018/19"]]
    assert result["available"] and result["illustrative"]
    assert result["baseline_count"] == base["numerator"].sum()
    current = years.loc[result["current_period"]]
    expected = statistics.change_from_baseline(
        baseline_count=base["numerator"].tolist(),
        baseline_population=base["denominator"].tolist(),
        current_count=current["numerator"],
        current_population=current["denominator"],
        multiplier=100_000,
    )
    assert result["percent_change"] == pytest.approx(expected["percent_change"])
    assert result["direction"] == expected["direction"]
    assert result["current_period"] == "2024/25"
    # Year by year: the dispersion of the four years, computed here by hand.
    counts = [*base["numerator"], current["numerator"]]
    pops = [*base["denominator"], current["denominator"]]
    base_rate = sum(counts[:3]) / sum(pops[:3])
    fitted = [p * base_rate for p in pops[:3]] + [counts[3]]
    pearson = sum((c - f) ** 2 / f for c, f in zip(counts, fitted, strict=True))
    assert result["dispersion"] == pytest.approx(pearson / 2)
    assert result["dispersion"] > 1  # overdispersed: the test allows for it
    assert f"dispersion {result['dispersion']:.1f}" in result["test_text"]


def test_recent_trend_uses_the_last_five_periods(loaded_store):
    result = headlines.recent_trend(
        scope=SYSTEM, measure_code="knife_offences", area_code=AVON
    )
    assert result["n_periods"] == 5
    assert result["last_period"] == "2025/26 Q2"
    assert result["direction"] in statistics.TREND_DIRECTIONS
    assert "Recent trend" in result["text"]


def test_one_trend_verdict_per_series_on_every_page(loaded_store):
    """The area profile (profiles.area_profile, /areas/<code>) shows the verdict
    of headlines.recent_trend over financial years, as /violence?view=year and the
    embeds do. Avon and Somerset's knife offences 2020/21-2024/25 were
    'increasing' on its profile (plain Poisson, p = 0.013) and 'no significant
    change' on /violence (quasi-Poisson, p = 0.092 while 2021/22 onwards used
    the mid-2020 population; p = 0.355 with each year's own mid-2021 to mid-2024
    population, issue 17)."""
    from data_access.outcomes import profiles

    avon = headlines.recent_trend(
        scope=SYSTEM, measure_code="knife_offences", area_code=AVON, length="year"
    )
    assert (avon["first_period"], avon["last_period"]) == ("2020/21", "2024/25")
    assert avon["p_value"] == pytest.approx(0.3545, abs=0.0005)
    assert avon["direction"] == "no significant change"
    assert "quasi-Poisson regression, dispersion 1.2" in avon["text"]
    compared = 0
    # one request (tests/one_request.py): the series both read, read once
    with one_request():
        for code in (AVON, MET, "E23000005", "E23000029"):
            compared += _profile_trends_compared(profiles, code)
    assert compared >= 12


def _profile_trends_compared(profiles, code: str) -> int:
    compared = 0
    profile = profiles.area_profile(scope=SYSTEM, area_code=code)
    for row in profile.to_dict("records"):
        # the profile is built once for every scope, so it shows the
        # public verdict: for a rounded measure, that of the published counts
        trend = headlines.recent_trend(
            scope=PUBLIC,
            measure_code=row["measure_code"],
            area_code=code,
            length="year",
        )
        assert row["trend"] == trend["direction"], (code, row["measure_code"])
        assert row["trend_dispersion"] == pytest.approx(
            trend["dispersion"], nan_ok=True
        )
        compared += 1
    return compared


def test_the_trend_window_never_reaches_back_across_a_series_break(loaded_store):
    """Avon and Somerset's hospital admissions: 2020/21 is published, 2021/22 on
    illustrative; a window of five years would mix the two, so none is tested."""
    years = area_trends.area_series(
        scope=SYSTEM,
        measure_code="hospital_admissions_knife",
        area_code=AVON,
        length="year",
    ).set_index("period")
    assert not years.loc["2020/21", "illustrative"]
    assert years.loc["2021/22", "illustrative"]
    result = headlines.recent_trend(
        scope=SYSTEM,
        measure_code="hospital_admissions_knife",
        area_code=AVON,
        length="year",
    )
    assert result["since_break"] == "Illustrative data from here"
    assert result["direction"] == "not enough data"
    assert result["n_periods"] == 4
    assert "since the series break" in result["text"]


def test_invalid_parameters_and_unknowns(loaded_store):
    with pytest.raises(NotFound):
        area_trends.trend_with_benchmark(
            scope=SYSTEM, measure_code="nope", area_code=AVON
        )
    with pytest.raises(NotFound):
        area_trends.trend_with_benchmark(
            scope=SYSTEM, measure_code="knife_offences", area_code="E99999999"
        )
    with pytest.raises(InvalidParameter) as bad:
        area_trends.trend_with_benchmark(
            scope=SYSTEM, measure_code="knife_offences", area_code=AVON, age_band="old"
        )
    assert bad.value.parameter == "age"
    with pytest.raises(InvalidParameter):
        area_trends.trend_with_benchmark(
            scope=SYSTEM, measure_code="knife_offences", area_code=AVON, length="month"
        )


def test_money_reach_and_changes_are_scope_restricted(loaded_store):
    other = "E23000014"
    for fn in (
        outturn.money_forecast,
        board_overview.reach_by_tier,
        spending.quarter_spend,
    ):
        with pytest.raises(AccessDenied):
            fn(scope=VIEWER, area_code=other)
    summary = board_overview.overview_summary(scope=VIEWER, area_code=other)
    assert summary["money_denied"] and summary["money"] is None
    assert not any("Spend" in s for s in summary["changes"])
    assert any(s.startswith("Knife offences") for s in summary["changes"])


def test_money_forecast_and_reach_for_avon(loaded_store):
    forecast = outturn.money_forecast(scope=VIEWER, area_code=AVON)
    spend = spending.quarter_spend(scope=VIEWER, area_code=AVON)
    this_year = spend[spend["financial_year"] == forecast["financial_year"]]
    assert forecast["spent_to_date"] == pytest.approx(this_year["amount"].sum())
    assert forecast["forecast_outturn"] >= forecast["spent_to_date"]
    assert forecast["method_words"]
    reach = board_overview.reach_by_tier(scope=VIEWER, area_code=AVON)
    assert list(reach["tiers"]["tier"]) == ["primary", "secondary", "tertiary"]
    assert reach["total"] == reach["tiers"]["young_people"].sum() > 0
    assert reach["illustrative"]


def test_the_spend_sentence_shows_money_as_the_tables_do(loaded_store):
    from components.formatting import money as fmt_money

    spend = spending.quarter_spend(scope=SYSTEM, area_code=AVON)
    prev, last = spend.iloc[-2], spend.iloc[-1]
    sentences = board_overview.changes_since_last_quarter(scope=SYSTEM, area_code=AVON)
    said = next(s for s in sentences if s.startswith("Spend was"))
    assert said.startswith(
        f"Spend was {fmt_money(last.amount)} in "
        f"{periods.fy_label(int(last.financial_year))} Q{int(last.quarter)}, "
        f"against {fmt_money(prev.amount)}"
    )


def _spend_sentence(scope=SYSTEM):
    sentences = board_overview.changes_since_last_quarter(scope=scope, area_code=AVON)
    return next(s for s in sentences if s.startswith("Spend was"))


def test_the_spend_sentence_is_judged_against_normal_variation(
    loaded_store, monkeypatch
):
    """The spend line carries the SPC verdict of the area's quarterly spend series
    (complete quarters, source switches and the funding start as steps), the same
    as spc.series_spc gives on that series; with the clock inside the latest spend
    quarter, that part quarter is neither compared nor charted (the sentence then
    compares the two quarters before it). Catches: a spend line with no verdict, a
    verdict from another series, a part quarter compared."""
    from data_access import clock, spc
    from data_access.areas import funding_starts

    spend = spending.quarter_spend(scope=SYSTEM, area_code=AVON)

    def first_day(y, q):  # a financial quarter's first day (Q1 = April)
        return dt.date(int(y) + (int(q) == 4), {1: 4, 2: 7, 3: 10, 4: 1}[int(q)], 1)

    def expected(rows):
        verdict = spc.series_spc(
            polarity="no_judgement",
            values=rows["amount"].tolist(),
            period_starts=[
                first_day(y, q)
                for y, q in zip(rows["financial_year"], rows["quarter"], strict=True)
            ],
            illustrative=rows["illustrative"].tolist(),
            funding_start=funding_starts().get(AVON),
        )["variation"]
        words = spc.VARIATION_WORDS[verdict]
        return f"Against normal variation (SPC): {words[0].lower()}{words[1:]}."

    def label(row):
        return f"{periods.fy_label(int(row.financial_year))} Q{int(row.quarter)}"

    last = spend.iloc[-1]
    y, q = int(last.financial_year), int(last.quarter)
    after = first_day(y + (q == 4), q % 4 + 1)  # the next quarter's first day
    # Every stored quarter is over by the test clock: all compared.
    assert after <= clock.today()
    said = _spend_sentence()
    assert f"in {label(last)}, against" in said
    assert expected(spend) in said

    # The clock on the latest quarter's last day: it becomes a part quarter.
    monkeypatch.setattr(clock, "today", lambda: after - dt.timedelta(days=1))
    said = _spend_sentence()
    whole = spend.iloc[:-1]
    assert f" in {label(last)}," not in said
    assert f"in {label(whole.iloc[-1])}, against" in said
    assert expected(whole) in said


def test_the_reach_sentence_leaves_a_part_quarter_out(loaded_store, monkeypatch):
    """With the clock inside the latest quarter of outputs, that part quarter is
    not compared (its young people so far would read as a collapse): the reach
    line compares the two complete quarters before it, as the spend line does."""
    from data_access import clock
    from data_access.activity import reach_rule

    reach = reach_rule.reach_over_time(scope=SYSTEM, area_code=AVON)
    starts = sorted(set(reach["period_start"]))
    latest, before = starts[-1], starts[-2]

    def reach_sentence():
        sentences = board_overview.changes_since_last_quarter(
            scope=SYSTEM, area_code=AVON
        )
        return next(s for s in sentences if s.startswith("Young people supported"))

    assert f"in {periods.quarter_label(latest)}, against" in reach_sentence()
    monkeypatch.setattr(clock, "today", lambda: periods.quarter_end(latest))
    said = reach_sentence()
    assert periods.quarter_label(latest) not in said
    assert f"in {periods.quarter_label(before)}, against" in said


def test_changes_since_last_quarter_come_from_the_data(loaded_store):
    sentences = board_overview.changes_since_last_quarter(scope=SYSTEM, area_code=AVON)
    quarters = area_trends.area_series(
        scope=SYSTEM, measure_code="knife_offences", area_code=AVON
    )
    last, prev = quarters.iloc[-1], quarters.iloc[-2]
    assert f"{prev['value']:,.0f} in {prev['period']}" in sentences[0]
    assert f"{last['value']:,.0f} in {last['period']}" in sentences[0]
    assert len(sentences) == 3


def test_disclosure_hides_small_hospital_counts_for_viewers(loaded_store):
    admin = area_trends.children_latest(
        scope=SYSTEM,
        measure_code="hospital_admissions_knife",
        parent_code=EW,
        length="year",
        age_band="under25",
    )
    viewer = area_trends.children_latest(
        scope=VIEWER,
        measure_code="hospital_admissions_knife",
        parent_code=EW,
        length="year",
        age_band="under25",
    )
    assert not admin["suppressed"].any()
    small = admin["value"].between(1, 7)
    assert (viewer.loc[small, "suppressed"]).all()
    assert viewer.loc[small, "value"].isna().all()
    shown = viewer[~viewer["suppressed"] & viewer["value"].notna()]
    assert (shown["value"] % 5 == 0).all()  # HES rounding to the nearest 5


def test_series_breaks_and_funding_start(loaded_store):
    gmp = area_trends.trend_with_benchmark(
        scope=SYSTEM, measure_code="knife_offences", area_code="E23000005"
    )
    breaks = dict(
        (text, period)
        for period, text in area_trends.series_breaks(
            measure_code="knife_offences", area_code="E23000005", series=gmp
        )
    )
    assert breaks["Recording review (Dec 2017)"] == "2017/18 Q4"
    assert breaks["Illustrative data from here"] == "2019/20 Q1"
    assert area_trends.funding_start(area_code=AVON, length="quarter") == "2019/20 Q1"
    assert area_trends.funding_start(area_code="E23000012", length="year") == "2022/23"
    assert area_trends.funding_start(area_code="E06000023", length="year") == "2019/20"


def test_headline_latest_value(loaded_store):
    head = headlines.measure_headline(
        scope=SYSTEM, measure_code="homicide_knife", area_code=AVON
    )
    # the latest published figure (Hansard, 14 forces to 2007/08), not the
    # illustrative years after it, which the headline names (issue 17)
    assert head["period"] == "2007/08" and not head["illustrative"]
    assert head["illustrative_to"] == "2024/25"
    assert not math.isnan(head["rate"])
    assert head["baseline"]["baseline_label"] == "2016/17 to 2018/19"
    assert isinstance(pd.Timestamp.now(), pd.Timestamp)


def test_what_changed_says_whether_the_change_is_signal_or_noise(loaded_store):
    """The two-quarter knife sentence carries the SPC verdict of the whole quarterly
    series, limits recalculated where published figures give way to illustrative
    ones (the overview never shows a bare two-point change)."""
    from data_access import spc

    sentences = board_overview.changes_since_last_quarter(scope=SYSTEM, area_code=AVON)
    quarters = area_trends.area_series(
        scope=SYSTEM, measure_code="knife_offences", area_code=AVON
    )
    quarters = quarters[quarters["value"].notna()]
    flags = quarters["illustrative"].to_numpy(bool)
    switches = [i for i in range(1, len(flags)) if flags[i] != flags[i - 1]]
    verdict = spc.spc_chart(
        values=quarters["value"].astype(float).tolist(),
        polarity="lower_is_better",
        step_changes=[spc.StepChange(index=i, reason="source") for i in switches],
    )["variation"]
    words = spc.VARIATION_WORDS[verdict]
    assert (
        f"Against normal variation (SPC): {words[0].lower()}{words[1:]}."
        in (sentences[0])
    )
    young = next(s for s in sentences if s.startswith("Young people supported"))
    assert "Against normal variation (SPC):" in young
