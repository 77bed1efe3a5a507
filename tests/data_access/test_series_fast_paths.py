"""The overview's and /violence's series paths re-expressed over arrays and
plain lists (issue 19: CPU per uncached answer) give what the pandas code they
replaced gave, to the last bit and with the same types.

The replaced code is copied below ("as it was") and is the reference: each
comparison runs it and today's code over many random series (every branch:
missing figures, hidden counts, published and illustrative years, missing
baseline years) and over the shipped data. The hand-worked tests of the same
functions (test_trends, test_vru_era, test_fast_paths) stay as they were.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np
import pandas as pd
import pytest

from data_access import periods, statistics
from data_access.areas import get_area, list_areas
from data_access.measures import get_measure, measure_metadata
from data_access.outcomes import area_trends, headlines, raw_series
from data_access.outcomes.area_trends import _area_series
from data_access.outcomes.raw_series import BASELINE_LABEL, BASELINE_YEARS
from data_access.outcomes.series_disclosure import _disclose
from data_access.scope import SYSTEM, Scope
from tests.one_request import one_request

AVON = "E23000036"
MET = "E23000001"
# The success measures, a percentage (Wilson interval) and a workstream count
MEASURES = [
    "knife_offences",
    "hospital_admissions_knife",
    "homicide_knife",
    "knife_offences_share",
    "ws_avon_and_somerset_01_datasets",
]
VIEWER = Scope(role="viewer", area_codes=frozenset({AVON}))
PUBLIC = Scope(role="public")


def _equal(a, b) -> bool:
    """Deep equality where NaN equals NaN and the types agree (np.float64 is
    not float: a page formats both alike, but the answer must be the same)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


# --------------------------------------------------------------------- as it was


def _old_baseline(scope, measure: dict, years: pd.DataFrame) -> dict:
    result = {
        "available": False,
        "reason": "",
        "baseline_label": BASELINE_LABEL,
        "current_period": None,
        "baseline_count": None,
        "current_count": None,
        "illustrative": False,
        "direction": "not compared",
        "significant": False,
        "percent_change": math.nan,
        "dispersion": math.nan,
        "method": "",
        "test_text": "",
    }
    multiplier = measure["rate_multiplier"]
    if not multiplier or pd.isna(multiplier):
        result["reason"] = "this measure is a percentage, not a rate"
        return result
    hidden = years["suppressed"].astype(bool)
    years = years[(years["numerator"].notna() | hidden) & years["denominator"].notna()]
    fy = years["period_start"].map(periods.financial_year_of)
    base = years[fy.isin(BASELINE_YEARS)]
    later = years[fy > max(BASELINE_YEARS)]
    if len(base) != len(BASELINE_YEARS):
        result["reason"] = f"no complete figures for {BASELINE_LABEL}"
        return result
    if later.empty:
        result["reason"] = "no complete financial year since the baseline"
        return result
    base_illustrative = base["illustrative"].astype(bool)
    if base_illustrative.nunique() > 1:
        result["reason"] = (
            f"the {BASELINE_LABEL} baseline mixes published and illustrative "
            "figures, so no change is worked out"
        )
        return result
    same_kind = later[later["illustrative"].astype(bool) == base_illustrative.iloc[0]]
    if same_kind.empty:
        kind = "illustrative" if base_illustrative.iloc[0] else "published"
        other = "published" if base_illustrative.iloc[0] else "illustrative"
        result["reason"] = (
            f"the baseline figures are {kind} and every later figure is {other}, "
            "so they are not compared"
        )
        return result
    current = same_kind.iloc[-1]
    if current["suppressed"]:
        result["reason"] = "the latest count is too small to show"
        return result
    if base["suppressed"].any():
        result["reason"] = f"a count in {BASELINE_LABEL} is too small to show"
        return result
    b_count, c_count = float(base["numerator"].sum()), float(current["numerator"])
    change = statistics.change_from_baseline(
        baseline_count=base["numerator"].tolist(),
        baseline_population=base["denominator"].tolist(),
        current_count=c_count,
        current_population=float(current["denominator"]),
        multiplier=float(multiplier),
    )
    result.update(change)
    result["test_text"] = (
        "95% confidence"
        if math.isnan(change["dispersion"])
        else f"95% confidence, {change['method']} allowing for year-to-year "
        f"variation, dispersion {change['dispersion']:.1f}"
    )
    result.update(
        available=True,
        current_period=current["period"],
        baseline_count=b_count,
        current_count=c_count,
        illustrative=bool(base["illustrative"].any() or current["illustrative"]),
    )
    return result


def _old_headline(scope, measure: dict, area, age_band: str):
    years = _area_series(scope, measure, area, "year", age_band)
    series, length = years[years["value"].notna()], "year"
    if series.empty:
        series = _area_series(scope, measure, area, "quarter", age_band)
        series, length = series[series["value"].notna()], "quarter"
    if series.empty:
        return None
    real = series[~series["illustrative"].astype(bool)]
    later = (
        series.iloc[-1]["period"]
        if not real.empty and bool(series.iloc[-1]["illustrative"])
        else None
    )
    shown = real if not real.empty else series
    latest = _disclose(
        shown.tail(1).assign(comparison="not compared"),
        measure,
        scope,
        length=length,
        age_band=age_band,
    ).iloc[0]
    return {
        "code": measure["code"],
        "name": measure["name"],
        "unit": measure["unit"],
        "polarity": measure["polarity"],
        "rate_multiplier": measure["rate_multiplier"],
        "age_band": age_band,
        "period": latest["period"],
        "period_end": latest["period_end"],
        "value": latest["value"],
        "rate": latest["rate"],
        "rate_lower": latest["rate_lower"],
        "rate_upper": latest["rate_upper"],
        "suppressed": bool(latest["suppressed"]),
        "source_title": latest["source_title"],
        "illustrative": bool(latest["illustrative"]),
        "illustrative_to": later,
        "baseline": _old_baseline(
            scope,
            measure,
            _disclose(years, measure, scope, length="year", age_band=age_band),
        ),
    }


# ------------------------------------------------------------ random series


def _random_years(rng: random.Random) -> pd.DataFrame:
    """A financial-year series as `_baseline` gets it: some of 2012/13 to
    2026/27 in order, counts and populations sometimes missing, some hidden,
    published figures then (sometimes) illustrative ones, or a random mix."""
    first = rng.randint(2012, 2019)
    starts = [
        dt.date(y, 4, 1)
        for y in range(first, rng.randint(first, 2026) + 1)
        if rng.random() > 0.1
    ]
    switch = rng.choice([None, *range(2014, 2027)])
    mixed = rng.random() < 0.2
    rows = []
    for start in starts:
        hidden = rng.random() < 0.1
        numerator = float(rng.randint(0, 3000)) if rng.random() > 0.1 else math.nan
        if rng.random() < 0.05:  # a fractional count: a year of estimates
            numerator = rng.uniform(0, 3000)
        rows.append(
            {
                "period_start": start,
                "period": periods.fy_label(start.year),
                "numerator": math.nan if hidden and rng.random() < 0.7 else numerator,
                "denominator": float(rng.randint(50_000, 2_000_000))
                if rng.random() > 0.05
                else math.nan,
                "illustrative": rng.random() < 0.5
                if mixed
                else switch is not None and start.year >= switch,
                "suppressed": hidden,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "period_start",
            "period",
            "numerator",
            "denominator",
            "illustrative",
            "suppressed",
        ],
    )
    frame["numerator"] = frame["numerator"].astype(float)
    frame["denominator"] = frame["denominator"].astype(float)
    frame["illustrative"] = frame["illustrative"].astype(bool)
    # _disclose leaves `suppressed` as bool; its cell-by-cell path as objects
    frame["suppressed"] = frame["suppressed"].astype(rng.choice([bool, object]))
    return frame


@pytest.mark.parametrize("seed", range(8))
def test_the_baseline_change_is_what_the_frame_filters_gave(seed):
    """`_baseline` over lists against its pandas form, 500 random series each:
    same reason or the same change to the last bit (counts, rate ratio, CI,
    dispersion, words)."""
    rng = random.Random(seed)
    reasons = set()
    for _ in range(500):
        years = _random_years(rng)
        multiplier = rng.choice([100_000, 1_000_000, 100_000, None, math.nan])
        measure = {"rate_multiplier": multiplier}
        new = headlines._baseline(SYSTEM, measure, years.copy())
        old = _old_baseline(SYSTEM, measure, years.copy())
        assert _equal(new, old), (years, new, old)
        reasons.add(new["reason"] or "available")
    # the series reach every branch (else this test proves less than it says)
    assert len(reasons) >= 6, reasons


# ------------------------------------------------------------ shipped data


def test_the_headlines_are_what_the_frame_filters_gave(loaded_store):
    """`_headline` (positions instead of filtered frames) against its pandas
    form for every measure, force area, region and nation in the shipped data,
    both age bands, for a scope that sees every figure and two that see them
    disclosed: the same dict, value for value and type for type."""
    every = list_areas()
    # a few of each level: the rows are what differs between areas, not the code
    codes = [
        code
        for level in ("pfa", "region", "nation", "national")
        for code in every.loc[every["level"] == level, "code"].head(4)
    ] + [AVON, MET]
    table = measure_metadata(include_private=True)
    # one request (tests/one_request.py): the series both roads read are read once
    with one_request():
        compared = _compare_shipped_headlines(codes, table)
    assert compared > 30


def _compare_shipped_headlines(codes, table) -> int:
    compared = 0
    for code in MEASURES:
        for scope in (SYSTEM, VIEWER, PUBLIC):
            try:
                measure = get_measure(code, scope=scope, table=table)
            except Exception:  # noqa: BLE001 - a measure outside the scope
                continue
            for area_code in codes:
                area = get_area(area_code)
                for age in ("all", "under25"):
                    try:
                        old = _old_headline(scope, measure, area, age)
                    except Exception as error:  # noqa: BLE001 - same error both ways
                        with pytest.raises(type(error)):
                            headlines._headline(scope, measure, area, age)
                        continue
                    new = headlines._headline(scope, measure, area, age)
                    assert _equal(new, old), (code, area_code, age, scope, new, old)
                    compared += new is not None
    return compared


# ------------------------------------------------------------ rates


def _old_rates_for(df, *, ci_method, multiplier) -> pd.DataFrame:
    """statistics.rates_for as it was: a deep copy, every column through
    pd.to_numeric, the rate columns set one by one."""

    def column(name):
        series = pd.to_numeric(df[name], errors="coerce")
        return series.to_numpy(dtype=float, na_value=np.nan)

    measure = {"ci_method": ci_method, "rate_multiplier": multiplier}
    scale = statistics.proportion_scale(measure)
    if statistics.rate_scale(measure) is None:
        return df.copy()
    out = df.copy()
    if scale is not None:
        p, lower, upper = statistics.intervals._wilson_arrays(
            column("numerator"), column("denominator"), 0.95
        )
        for name, values in (("", p), ("_lower", lower), ("_upper", upper)):
            out[f"rate{name}"] = pd.Series(values, index=df.index) * scale
        return out
    rate, lower, upper = statistics.intervals._rate_arrays(
        column("numerator"), column("denominator"), multiplier, 0.95
    )
    out["rate"], out["rate_lower"], out["rate_upper"] = rate, lower, upper
    return out


def _random_counts(rng: random.Random) -> pd.DataFrame:
    """Counts and populations as the series and the disclosure engine hold
    them: floats with NaN, nullable integers, or objects with None."""
    n = rng.randint(0, 30)
    numerators = [
        None if rng.random() < 0.1 else float(rng.randint(0, 40)) for _ in range(n)
    ]
    denominators = [
        None if rng.random() < 0.1 else float(rng.choice([0, 1, 50, 40_000]))
        for _ in range(n)
    ]
    # a proportion's numerator never exceeds its denominator
    numerators = [
        None if num is None or (den is not None and num > den) else num
        for num, den in zip(numerators, denominators, strict=True)
    ]
    frame = pd.DataFrame(
        {
            "area_code": [f"E{i:08d}" for i in range(n)],
            "numerator": numerators,
            "denominator": denominators,
        },
        index=rng.sample(range(1000), n),  # an index of a filtered frame
    )
    kind = rng.choice(["float", "Int64", "object"])
    if kind == "float":
        frame = frame.astype({"numerator": float, "denominator": float})
    elif kind == "Int64":
        frame = frame.astype({"numerator": "Int64", "denominator": "Int64"})
    else:
        frame = frame.astype({"numerator": object, "denominator": object})
    return frame


@pytest.mark.parametrize("seed", range(4))
def test_the_rates_are_what_the_deep_copies_gave(seed):
    """rates_for (numbers read as they are, the rate columns assigned onto a
    copy that shares the rest) against its form that deep-copied the frame and
    passed every column through pd.to_numeric: the same frame, dtypes and
    bits, for rates and proportions; and the caller's frame is never changed,
    whatever is written to the answer afterwards."""
    rng = random.Random(seed)
    for _ in range(300):
        frame = _random_counts(rng)
        before = frame.copy()
        method = rng.choice(
            [("byar", 100_000.0), ("byar", None), ("wilson", None), ("wilson", 1000)]
        )
        new = statistics.rates_for(frame, ci_method=method[0], multiplier=method[1])
        old = _old_rates_for(frame, ci_method=method[0], multiplier=method[1])
        pd.testing.assert_frame_equal(new, old, check_exact=True)
        new.loc[:, "numerator"] = np.nan  # what a caller may do to its answer
        if "rate" in new:
            new.loc[:, "rate"] = np.nan
        pd.testing.assert_frame_equal(frame, before, check_exact=True)


# ------------------------------------------------------------ years of quarters


@pytest.mark.parametrize("seed", range(3))
def test_a_year_of_quarters_is_provisional_and_as_rough_as_its_parts(seed):
    """`_years_from_quarters` (status and precision compared over lists):
    a year is provisional when any of its quarters is, and as precise as its
    least precise quarter, a missing or unknown precision counting as
    approximate; worked out here group by group with pandas, over random
    quarters of several areas with missing statuses and precisions."""
    rng = random.Random(seed)
    for _ in range(100):
        rows = []
        for area in rng.sample(["E23000001", "E23000036", "W15000002"], 2):
            for year in range(2018, 2018 + rng.randint(1, 4)):
                for q in range(4):
                    start = dt.date(year + (q == 3), (4 + 3 * q - 1) % 12 + 1, 1)
                    rows.append(
                        {
                            "area_code": area,
                            "area_name": area,
                            "period_start": start,
                            "period_end": periods.quarter_end(start),
                            "value": 1.0,
                            "numerator": 1.0,
                            "denominator": 10.0,
                            "status": rng.choice(["final", "provisional", None]),
                            "source_title": "t",
                            "illustrative": False,
                            "note": None,
                            "precision": rng.choice(
                                ["exact", "rounded", "approx", None, "odd"]
                            ),
                        }
                    )
        quarters = pd.DataFrame(rows, columns=raw_series._RAW_COLUMNS)
        years = raw_series._years_from_quarters(quarters)
        quarters["fy"] = [
            periods.financial_year_of(s) for s in quarters["period_start"]
        ]
        rank = raw_series._precision_rank(quarters["precision"])
        expected = (
            quarters.assign(provisional=quarters["status"] == "provisional", rank=rank)
            .groupby(["area_code", "fy"], sort=True)
            .agg(provisional=("provisional", "any"), rank=("rank", "max"))
        )
        assert len(years) == len(expected)
        assert years["status"].tolist() == [
            "provisional" if p else "final" for p in expected["provisional"]
        ]
        names = {r: p for p, r in raw_series.PRECISION_RANK.items()}
        assert years["precision"].tolist() == [names[int(r)] for r in expected["rank"]]


def test_the_overview_reads_the_reach_once(loaded_store, monkeypatch):
    """The reach by quarter gives the overview's totals by tier and its change
    since the last quarter: asked for once, not once for each."""
    from data_access import board_overview
    from data_access.activity import reach_rule

    asked = []
    original = reach_rule.reach_over_time

    def counting(**kwargs):
        asked.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(reach_rule, "reach_over_time", counting)
    summary = board_overview.overview_summary(scope=SYSTEM, area_code=AVON)
    assert summary["reach"] is not None and summary["changes"]
    assert len(asked) == 1


# ------------------------------------------------------------ benchmark comparison


def _old_compare(frame, bench, polarity) -> pd.DataFrame:
    """area_trends._compare as it was: the whole frame copied, the benchmark
    column added, compared (another copy) and dropped."""
    exact = bench["precision"] != "approx"
    rates = dict(zip(bench["period_start"], bench["rate"].where(exact), strict=True))
    kinds = dict(
        zip(bench["period_start"], bench["illustrative"].astype(bool), strict=True)
    )
    out = frame.copy()
    out["_bench"] = [
        rates.get(s, np.nan) if kinds.get(s) == bool(i) else np.nan
        for s, i in zip(out["period_start"], out["illustrative"], strict=True)
    ]
    out = statistics.compare_to_benchmark_frame(
        out, benchmark="_bench", polarity=polarity
    )
    out["comparison"] = out.pop("comparison_95")
    out.loc[out["suppressed"], "comparison"] = "not compared"
    return out.drop(columns=["_bench"])


def _random_rates(rng: random.Random, starts: list, n: int) -> dict:
    rates = [rng.choice([math.nan, rng.uniform(0, 100)]) for _ in range(n)]
    width = [rng.uniform(0, 20) for _ in range(n)]
    return {
        "period_start": [rng.choice(starts) for _ in range(n)],
        "rate": rates,
        "rate_lower": [r - w for r, w in zip(rates, width, strict=True)],
        "rate_upper": [r + w for r, w in zip(rates, width, strict=True)],
        "illustrative": [rng.random() < 0.3 for _ in range(n)],
    }


@pytest.mark.parametrize("seed", range(4))
def test_the_benchmark_comparison_is_what_the_frame_copies_gave(seed):
    """`_compare` (lists, and the comparison worked out on the interval
    columns alone) against its form that copied the whole frame twice: the same
    frame, dtypes and words, over random series and benchmarks (rough,
    missing and illustrative benchmark figures, periods the benchmark lacks or
    holds twice, hidden figures), for each polarity."""
    rng = random.Random(seed)
    starts = [dt.date(2015 + i // 4, 1 + 3 * (i % 4), 1) for i in range(12)]
    for _ in range(200):
        n = rng.randint(0, 12)
        frame = pd.DataFrame(
            {
                "area_code": pd.array(["E23000036"] * n, dtype="str"),
                **_random_rates(rng, starts, n),
                "suppressed": [rng.random() < 0.2 for _ in range(n)],
            }
        )
        frame.index = rng.sample(range(100), n)  # the rows of a filtered frame
        m = rng.randint(0, 12)
        bench = pd.DataFrame(
            {
                **_random_rates(rng, starts, m),
                "precision": pd.array(
                    [
                        rng.choice(["exact", "approx", "rounded", None])
                        for _ in range(m)
                    ],
                    dtype=rng.choice(["str", object]),
                ),
            }
        )
        polarity = rng.choice(statistics.POLARITIES)
        new = area_trends._compare(frame, bench, polarity)
        old = _old_compare(frame, bench, polarity)
        pd.testing.assert_frame_equal(new, old, check_exact=True)


# ------------------------------------------------------------ series by length


def _old_by_length(frame, length, *, proportion_scale=None) -> pd.DataFrame:
    """raw_series._by_length as it was (its helpers are today's): the annual
    rows copied, every quarter-sum filtered and every other-year filter made
    whether or not it kept or found anything."""
    if frame.empty:
        out = frame.copy()
        out["period"] = pd.Series(dtype=object)
        return out
    is_quarter, is_year, is_other_year, is_calendar = raw_series._period_kinds(frame)
    quarters = frame[is_quarter]
    if length == "calendar":
        out = frame[is_calendar].copy()
        out = out.sort_values(["area_code", "period_start"]).reset_index(drop=True)
        out["period"] = [str(start.year) for start in out["period_start"]]
        return out
    if length == "quarter":
        out = quarters
    else:
        annual = frame[is_year].copy()
        summed = raw_series._years_from_quarters(quarters, proportion_scale)
        if not summed.empty:
            have = set(zip(annual["area_code"], annual["period_start"], strict=True))
            keep = [
                (a, s) not in have
                for a, s in zip(
                    summed["area_code"], summed["period_start"], strict=True
                )
            ]
            summed = summed[keep]
            annual = pd.concat([annual, summed], ignore_index=True)
        other = frame[is_other_year]
        if not other.empty:
            covered = set(annual["area_code"]) | set(quarters["area_code"])
            other = other[~other["area_code"].isin(covered)]
            annual = pd.concat([annual, other], ignore_index=True)
        out = annual
    out = _old_sorted_by_area(out).reset_index(drop=True)
    out["period"] = raw_series._period_labels(out["period_start"], out["period_end"])
    return out


def _old_sorted_by_area(frame: pd.DataFrame) -> pd.DataFrame:
    """raw_series._sorted_by_area as it was: pandas' sort of the two columns."""
    keys = list(zip(frame["area_code"], frame["period_start"], strict=True))
    if all(a <= b for a, b in zip(keys, keys[1:], strict=False)):
        return frame
    return frame.sort_values(["area_code", "period_start"])


def _random_raw(rng: random.Random) -> pd.DataFrame:
    """`_raw` rows of one to three areas: quarters (some years whole), some
    financial years (some also as quarters), years ending June and calendar
    years, as read (area, then period, order) or not."""
    rows = []
    for area in rng.sample(["E23000001", "E23000036", "W15000002"], rng.randint(1, 3)):
        for year in range(2016, 2016 + rng.randint(0, 5)):
            periods_of_year = []
            if rng.random() < 0.7:
                for q in range(4):
                    if rng.random() < 0.9:
                        start = dt.date(year + (q == 3), (3 + 3 * q) % 12 + 1, 1)
                        periods_of_year.append((start, periods.quarter_end(start)))
            if rng.random() < 0.4:
                periods_of_year.append(periods.fy_bounds(year))
            if rng.random() < 0.2:  # a year ending June
                periods_of_year.append((dt.date(year, 7, 1), dt.date(year + 1, 6, 30)))
            if rng.random() < 0.2:  # a calendar year
                periods_of_year.append((dt.date(year, 1, 1), dt.date(year, 12, 31)))
            for start, end in periods_of_year:
                rows.append(
                    (
                        area,
                        f"Area {area}",
                        start,
                        end,
                        float(rng.randint(0, 500)),
                        float(rng.randint(0, 500)),
                        float(rng.randint(1000, 9000)),
                        rng.choice(["final", "provisional"]),
                        rng.choice(["ONS", "Home Office"]),
                        rng.random() < 0.2,
                        None,
                        rng.choice(["exact", "rounded", "approx"]),
                    )
                )
    rows.sort(key=lambda r: (r[0], r[2], r[3]))
    if rng.random() < 0.2:
        rng.shuffle(rows)
    return raw_series._raw_frame(pd.DataFrame(rows, columns=raw_series._RAW_COLUMNS))


@pytest.mark.parametrize("seed", range(4))
def test_the_series_by_length_is_what_the_copies_and_filters_gave(seed):
    """`_by_length` (no copy of the annual rows, no filter of nothing) against
    its form above, over random rows of several areas and kinds of period, for
    every length and for counts and proportions: the same frame, dtypes and
    bits."""
    rng = random.Random(seed)
    for _ in range(150):
        raw = _random_raw(rng)
        for length in ("quarter", "year", "calendar"):
            for scale in (None, 100.0):
                new = raw_series._by_length(raw, length, proportion_scale=scale)
                old = _old_by_length(raw, length, proportion_scale=scale)
                pd.testing.assert_frame_equal(new, old, check_exact=True)


@pytest.mark.parametrize("seed", range(4))
def test_years_all_of_quarters_are_those_of_the_concat(seed, monkeypatch):
    """Financial years where every one kept is a sum of quarters (the knife
    offences' series) are the sums alone, cast as the concat of the frame and
    the sums types them (`_concat_casts`): against the form above, the same
    frame, dtypes, bits and element types, with notes all missing (an object
    column: the sums' text note cast to object) and with text notes (no cast)."""
    rng = random.Random(seed)
    seen = []
    real = raw_series._concat_casts

    def noted(a: pd.DataFrame, b: pd.DataFrame) -> dict | None:
        seen.append(real(a, b))
        return seen[-1]

    monkeypatch.setattr(raw_series, "_concat_casts", noted)
    for _ in range(150):
        raw = _random_raw(rng)
        if rng.random() < 0.8:  # quarters only: every year kept is a sum
            raw = raw[raw_series._period_kinds(raw)[0]].reset_index(drop=True)
        if rng.random() < 0.5:
            raw = raw.assign(note=rng.choice(["Revised", "Provisional data"]))
        for scale in (None, 100.0):
            new = raw_series._by_length(raw, "year", proportion_scale=scale)
            old = _old_by_length(raw, "year", proportion_scale=scale)
            pd.testing.assert_frame_equal(new, old, check_exact=True)
            for column in old:
                assert [type(x) for x in new[column]] == [type(x) for x in old[column]]
    assert sum(casts == {"note": object} for casts in seen) > 50
    assert sum(casts == {} for casts in seen) > 50


def test_no_casts_are_guessed_for_other_types():
    """`_concat_casts` names only the object / text pair; any other difference
    (or other columns) leaves the concat to pandas."""
    text = pd.DataFrame({"a": pd.array(["x"], dtype="str"), "b": [1.0]})
    assert raw_series._concat_casts(text.astype({"a": object}), text) == {"a": object}
    assert raw_series._concat_casts(text, text) == {}
    assert raw_series._concat_casts(text, text.astype({"a": object})) is None
    assert raw_series._concat_casts(text.astype({"b": object}), text) is None
    assert raw_series._concat_casts(text[["b", "a"]], text) is None


@pytest.mark.parametrize("seed", range(4))
def test_a_frame_of_read_rows_is_the_frame_of_the_tuples(seed):
    """`_rows_frame` (columns built one by one, figures and the illustrative
    flag typed up front) against `_raw_frame` of pandas' frame of the tuples,
    as `_raw` made it: over rows as the stores return them (figures as floats,
    whole numbers, Decimals or missing; the flag as a bool or SQLite's 0/1;
    notes all missing or some), the same frame, dtypes and element types."""
    from decimal import Decimal

    rng = random.Random(seed)
    for _ in range(200):
        figure = rng.choice(
            [float, int, Decimal, lambda n: None if rng.random() < 0.3 else n]
        )
        flag = rng.choice([bool, int])
        notes = rng.choice([[None], [None, "Revised"], ["Revised"]])
        rows = [
            (
                rng.choice(["E23000001", "E23000036"]),
                "Area",
                dt.date(2019, 4, 1) + dt.timedelta(days=91 * i),
                dt.date(2019, 6, 30) + dt.timedelta(days=91 * i),
                *(figure(rng.randint(0, 500)) for _ in range(3)),
                rng.choice(["final", "provisional", None]),
                rng.choice(["ONS", "Home Office"]),
                flag(rng.random() < 0.3),
                rng.choice(notes),
                rng.choice(["exact", "rounded", "approx", None]),
            )
            for i in range(rng.randint(0, 12))
        ]
        new = raw_series._rows_frame(rows)
        old = raw_series._raw_frame(pd.DataFrame(rows, columns=raw_series._RAW_COLUMNS))
        pd.testing.assert_frame_equal(new, old, check_exact=True)
        for column in old:
            assert [type(x) for x in new[column]] == [type(x) for x in old[column]]
