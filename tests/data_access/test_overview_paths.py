"""The board overview's cheaper paths (issue 19, "speed without the cache") give
what the code they replaced gave, on the shipped data, on SQLite and PostgreSQL.

The replaced code is copied below ("as it was") and is the reference.
"""

from __future__ import annotations

import datetime as dt
import pickle

import numpy as np
import pandas as pd
import pytest

from data_access import areas, board_overview, measures, periods, spc, trend_spc
from data_access.areas import NATIONAL_CODE, funding_start_of, get_area, list_areas
from data_access.errors import AccessDenied
from data_access.money import spending
from data_access.number_format import money_text
from data_access.outcomes import headlines
from data_access.scope import SYSTEM, Scope
from tests.data_access.test_trend_spc import _view
from tests.one_request import one_request

PUBLIC = Scope(role="public")

# --------------------------------------------------------------------- as it was


def _old_funding_starts() -> dict[str, dt.date]:
    """areas.funding_starts before issue 19: every area read to find one."""
    frame = list_areas()
    codes = frame["code"].tolist()
    own = dict(zip(codes, frame["vru_start_year"].tolist(), strict=True))
    years = {}
    for code, parent in zip(codes, frame["parent_code"].tolist(), strict=True):
        year = own.get(code)
        if (year is None or pd.isna(year)) and parent is not None:
            year = own.get(parent)
        if (year is None or pd.isna(year)) and code == NATIONAL_CODE:
            year = areas.NATIONAL_FUNDING_YEAR
        if not (year is None or pd.isna(year)):
            years[code] = dt.date(int(year), 4, 1)
    return years


def _old_headline(scope, measure, area, age_band):
    """headlines._headline before issue 19's round 5: the shown row disclosed
    apart from the series it comes from, which was disclosed again for the
    baseline."""
    if headlines._no_figures(scope, measure, area, age_band):
        return None
    years = headlines._area_series(scope, measure, area, "year", age_band)
    series, length = years, "year"
    # Positions, not filtered copies of the frame: a dozen rows, and each
    # DataFrame filter costs more than the headline's arithmetic (issue 19).
    with_value = np.flatnonzero(series["value"].notna().to_numpy())
    if not len(with_value):
        series = headlines._area_series(scope, measure, area, "quarter", age_band)
        length = "quarter"
        with_value = np.flatnonzero(series["value"].notna().to_numpy())
    if not len(with_value):
        return None
    # The latest published figure; an illustrative one only where no published
    # one exists (issue 17). Later illustrative periods are named, not shown.
    illustrative = series["illustrative"].astype(bool).to_numpy()[with_value]
    real = with_value[~illustrative]
    later = (
        series["period"].iloc[with_value[-1]]
        if len(real) and illustrative[-1]
        else None
    )
    shown = real[-1] if len(real) else with_value[-1]
    latest = headlines._disclose(
        series.iloc[[shown]].assign(comparison="not compared"),
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
        "baseline": headlines._baseline(
            scope,
            measure,
            headlines._disclose(
                years, measure, scope, length="year", age_band=age_band
            ),
        ),
    }


def _old_reach_totals(frame: pd.DataFrame) -> dict:
    """board_overview._reach_totals before issue 19's round 5 (pandas groupby)."""
    if frame.empty:
        return {
            "financial_year": None,
            "quarters": 0,
            "tiers": pd.DataFrame(columns=["tier", "young_people"]),
            "total": 0.0,
            "illustrative": False,
        }
    fy_of = frame["period_start"].map(periods.financial_year_of)
    latest = int(fy_of.max())
    part = frame[fy_of == latest]
    tiers = (
        part.groupby("tier")["young_people"]
        .sum()
        .reindex(["primary", "secondary", "tertiary"], fill_value=0.0)
        .reset_index()
    )
    return {
        "financial_year": latest,
        "quarters": int(part["period_start"].nunique()),
        "tiers": tiers,
        "total": float(tiers["young_people"].sum()),
        "illustrative": bool(part["illustrative"].any()),
    }


def _old_changes(scope, knife_measure, area, reach=None) -> list[str]:
    """board_overview._changes before issue 19's round 5: spend and reach by
    quarter as DataFrames (a groupby of the reach)."""
    sentences: list[str] = []
    knife = board_overview._area_series(scope, knife_measure, area, "quarter", "all")
    knife = knife[knife["value"].notna()]
    if len(knife) >= 2:
        # The two latest quarters' figures by column (a row of a mixed frame is
        # a Series made per access); the same numpy values the rows held.
        (prev, last), (prev_period, last_period) = (
            knife["value"].to_numpy()[-2:],
            knife["period"].to_numpy()[-2:],
        )
        verb = "rose" if last > prev else "fell" if last < prev else "stayed"
        short = knife_measure["short_name"]
        text = (
            f"{short} {verb} from {prev:,.0f} in {prev_period} "
            f"to {last:,.0f} in {last_period}"
            if verb != "stayed"
            else f"{short} stayed at {last:,.0f} in {last_period}"
        )
        text += board_overview._pct_change(prev, last) + "."
        text += board_overview._variation_words(
            board_overview._knife_variation(knife_measure, area, knife)
        )
        if knife["illustrative"].to_numpy()[-2:].any():
            text += " (illustrative data)"
        sentences.append(text)
    if area.level != "pfa":  # spend and reach are recorded against force areas
        return sentences
    try:
        spend = spending.quarter_spend(scope=scope, area_code=area.code)
        reach = (
            board_overview._reach_by_quarter(scope, area.code)
            if reach is None
            else reach
        )
    except AccessDenied:
        return sentences
    # A quarter still running is a part quarter: not compared (periods.is_complete).
    spend = _old_complete_quarters(spend)
    if len(spend) >= 2:
        sentences.append(
            board_overview._quarter_change(
                "Spend was",
                money_text,
                [
                    (r.period_start, r.amount, r.illustrative)
                    for r in spend.iloc[-2:].itertuples()
                ],
                _old_spend_variation(area, spend),
            )
        )
    if not reach.empty:
        totals = reach.groupby("period_start").agg(
            young_people=("young_people", "sum"), illustrative=("illustrative", "max")
        )
        # As for spend: a quarter still running is a part quarter, not compared.
        totals = totals[
            [periods.is_complete(periods.quarter_end(start)) for start in totals.index]
        ]
        if len(totals) >= 2:
            sentences.append(
                board_overview._quarter_change(
                    "Young people supported:",
                    lambda n: f"{n:,.0f}",
                    [
                        (start, r.young_people, r.illustrative)
                        for start, r in totals.iloc[-2:].iterrows()
                    ],
                    _old_reach_variation(area, totals),
                )
            )
    return sentences


def _old_reach_variation(area, totals: pd.DataFrame) -> str:
    """The latest quarter's reach judged by the one SPC road (`spc.series_spc`):
    an XmR chart of the quarterly totals (no denominators), reach being activity,
    neither better nor worse in itself; limits recalculated where VRU funding
    began and where published figures give way to illustrative ones."""
    return spc.series_spc(
        polarity="no_judgement",
        values=totals["young_people"].to_numpy(float),
        period_starts=list(totals.index),
        illustrative=totals["illustrative"].to_numpy(bool),
        funding_start=funding_start_of(area),
    )["variation"]


def _old_complete_quarters(spend: pd.DataFrame) -> pd.DataFrame:
    """quarter_spend's rows whose quarter is over by the app's clock
    (periods.is_complete, the one rule), with each quarter's first day as
    `period_start`."""
    bounds = [
        periods.quarter_bounds(int(y), int(q))
        for y, q in zip(spend["financial_year"], spend["quarter"], strict=True)
    ]
    done = [periods.is_complete(end) for _, end in bounds]
    return (
        spend.assign(period_start=[start for start, _ in bounds])[done]
        if bounds
        else spend.assign(period_start=[])
    ).reset_index(drop=True)


def _old_spend_variation(area, spend: pd.DataFrame) -> str:
    """The latest complete quarter's spend judged by the one SPC road
    (`spc.series_spc`, as `_reach_variation`): an XmR chart of the area's
    quarterly spend (complete quarters only), spend being neither better nor
    worse in itself; limits recalculated where VRU funding began and where
    published figures give way to illustrative ones."""
    return spc.series_spc(
        polarity="no_judgement",
        values=spend["amount"].to_numpy(float),
        period_starts=list(spend["period_start"]),
        illustrative=spend["illustrative"].to_numpy(bool),
        funding_start=funding_start_of(area),
    )["variation"]


# ------------------------------------------------------------- funding starts


def test_one_areas_funding_start_is_what_reading_every_area_gave(loaded_store):
    """Every area of the shipped store: its own VRU's year, its force area's,
    England and Wales's 2019/20, or none."""
    old = _old_funding_starts()
    assert areas.funding_starts() == old
    kinds = set()
    for code in list_areas()["code"]:
        area = get_area(code)
        assert funding_start_of(area) == old.get(code), code
        own = area.vru_start_year is not None
        kinds.add("own" if own else "parent" if code in old else "none")
    # the comparison covered each branch of the rule
    assert {"own", "parent", "none"} <= kinds
    assert funding_start_of(get_area(NATIONAL_CODE)) == dt.date(2019, 4, 1)


# ------------------------------------------------------------------ headlines


def _sample_areas() -> list[str]:
    """Every fourth force area, every region, England and Wales, England and
    every hundredth local authority: areas with and without each series."""
    every = list_areas()

    def level(name: str) -> list[str]:
        return every.loc[every["level"] == name, "code"].tolist()

    national = [NATIONAL_CODE, areas.ENGLAND_CODE]
    return [*national, *level("region"), *level("pfa")[::4], *level("lad")[::100]]


def _headlines(scope) -> dict:
    """Every sampled area's headlines, in one request (tests/one_request.py)."""
    with one_request():
        return _headlines_in_request(scope)


def _headlines_in_request(scope) -> dict:
    out = {}
    for code in _sample_areas():
        area = get_area(code)
        for measure_code in (
            "knife_offences",
            "hospital_admissions_knife",
            "homicide_knife",
        ):
            measure = measures.get_measure(measure_code, scope=scope)
            for age in ("all", "under25"):
                own = headlines._headline(scope, measure, area, age)
                region = headlines._region_headline(scope, measure, area, own, age)
                out[(code, measure_code, age)] = (own, region)
    return out


def test_headlines_skipping_empty_series_are_what_building_them_gave(
    loaded_store, monkeypatch
):
    """An area with no figure of a measure in an age band (the under-25s of most
    measures, regions without a series) gets its None headline without building
    an empty series for years and again for quarters; every other headline is
    the one built as before (the shortcut off is the reference)."""
    for scope in (SYSTEM, PUBLIC):
        new = _headlines(scope)
        with monkeypatch.context() as patch:
            patch.setattr(headlines, "_known_empty", lambda *args: False)
            old = _headlines(scope)
        assert new.keys() == old.keys()
        for key in old:
            assert _same_headline(new[key], old[key]), key
        # both kinds of answer were compared
        owns = [own for own, _ in old.values()]
        assert any(own is None for own in owns) and any(own for own in owns)


def _same_headline(new, old) -> bool:
    return pickle.dumps(new) == pickle.dumps(old) or repr(new) == repr(old)


VIEWER = Scope(role="viewer", area_codes=frozenset({"E23000036"}))


def _every_headline(scope, codes, headline) -> dict:
    """`headline` of every area, success measure and age band, in one request
    (tests/one_request.py: the memo reads each shared series once)."""
    out = {}
    with one_request():
        for code in codes:
            area = get_area(code)
            for measure_code in (
                "knife_offences",
                "hospital_admissions_knife",
                "homicide_knife",
            ):
                measure = measures.get_measure(measure_code, scope=scope)
                for age in ("all", "under25"):
                    out[(code, measure_code, age)] = headline(scope, measure, area, age)
    return out


def _both_headlines(scope, codes) -> set:
    """Each headline of the areas, new and old compared (each road in a
    request of its own); the kinds seen."""
    news = _every_headline(scope, codes, headlines._headline)
    olds = _every_headline(scope, codes, _old_headline)
    assert news.keys() == olds.keys()
    kinds = set()
    for key, new in news.items():
        assert _same_headline(new, olds[key]), (scope.role, *key)
        if new is not None:
            quarter = " Q" in new["period"]
            kinds.add((new["suppressed"], new["illustrative"], quarter))
    return kinds


# force areas whose under-25 hospital admissions are hidden from the public
HIDDEN_HEADLINES = ["E23000002", "E23000020"]


def test_a_shown_year_is_its_row_of_the_disclosed_series(loaded_store, monkeypatch):
    """A headline's year is taken from the year series disclosed once (for the
    baseline too), not disclosed again on its own: disclosure works period by
    period, so each headline is the one the old code gave, for scopes that see
    the figures as they are and scopes that see them disclosed. Where no year
    has a figure the quarter shown is still disclosed apart (years blanked
    here: the shipped data has no such series)."""
    kinds = set()
    for scope in (SYSTEM, PUBLIC, VIEWER):
        kinds |= _both_headlines(scope, [*_sample_areas(), *HIDDEN_HEADLINES])
    # shown and hidden figures, published and illustrative ones were compared
    assert {(False, False, False), (False, True, False)} <= kinds, kinds
    assert any(hidden for hidden, *_ in kinds), kinds
    built = headlines._area_series

    def no_years(scope, measure, area, length, age_band):
        frame = built(scope, measure, area, length, age_band)
        return frame.assign(value=np.nan) if length == "year" else frame

    monkeypatch.setattr(headlines, "_area_series", no_years)
    for scope in (SYSTEM, PUBLIC):
        kinds = _both_headlines(scope, ["E23000036", *HIDDEN_HEADLINES])
        assert {quarter for *_, quarter in kinds} == {True}, kinds


def test_the_success_measures_are_get_measures_records(loaded_store):
    """The overview's success measures, read alone (success_measure_records),
    are get_measure's records of the measure list (but for last_updated),
    value and type, in success_measures' order."""
    found = measures.success_measure_records()
    for include_private in (True, False):
        table = measures.measure_metadata(include_private=include_private)
        assert list(found) == measures.success_measures(table)["code"].tolist()
        assert len(found) == 3
    table = measures.measure_metadata(include_private=True)
    for code, record in found.items():
        expected = measures.get_measure(code, scope=SYSTEM, table=table)
        assert expected.pop("last_updated") is not None
        assert list(record) == list(expected)
        assert [type(v) for v in record.values()] == [
            type(v) for v in expected.values()
        ], code
        assert pickle.dumps(record) == pickle.dumps(expected), code


def _random_reach(rng) -> pd.DataFrame:
    """A reach by quarter and tier as _reach_by_quarter gives it: whole
    numbers of people (some missing), some illustrative, a tier the overview
    does not show, oldest first."""
    n = int(rng.integers(0, 30))
    years, quarters = rng.integers(2018, 2027, n), rng.integers(1, 5, n)
    starts = [
        periods.quarter_bounds(int(y), int(q))[0]
        for y, q in zip(years, quarters, strict=True)
    ]
    people = rng.integers(0, 5000, n).astype(float)
    people[rng.random(n) < 0.1] = np.nan
    frame = pd.DataFrame(
        {
            "period_start": starts,
            "tier": rng.choice(["primary", "secondary", "tertiary", "other"], n),
            "value": people,
            "illustrative": rng.random(n) < 0.3,
        }
    )
    frame = frame.sort_values("period_start", kind="stable").reset_index(drop=True)
    return frame.assign(young_people=frame["value"].astype(float))


def _same_reach(new: dict, old: dict) -> None:
    pd.testing.assert_frame_equal(new["tiers"], old["tiers"])
    assert {k: v for k, v in new.items() if k != "tiers"} == {
        k: v for k, v in old.items() if k != "tiers"
    }
    assert [type(v) for v in new.values()] == [type(v) for v in old.values()]


def _old_quarter_totals(reach: pd.DataFrame) -> list[tuple]:
    """The reach's complete quarters as the old _changes summed them."""
    if reach.empty:
        return []
    totals = reach.groupby("period_start").agg(
        young_people=("young_people", "sum"), illustrative=("illustrative", "max")
    )
    totals = totals[
        [periods.is_complete(periods.quarter_end(start)) for start in totals.index]
    ]
    return [(start, r.young_people, r.illustrative) for start, r in totals.iterrows()]


def test_reach_summed_in_plain_lists_is_what_the_groupby_gave(loaded_store):
    """The year's tiers, and the complete quarters' totals with their
    variation, over every force area's own reach (on each engine) and 300
    random reach frames (on SQLite alone: frames made here, summed by the same
    Python whatever the engine)."""
    frames = [
        board_overview._reach_by_quarter(SYSTEM, code)
        for code in list_areas(level="pfa")["code"]
    ]
    if loaded_store.startswith("sqlite"):
        rng = np.random.default_rng(5)
        frames += [_random_reach(rng) for _ in range(300)]
    judged = _assert_reach_summed_alike(get_area("E23000036"), frames)
    assert len(judged) >= 2, judged


def _assert_reach_summed_alike(area, frames: list[pd.DataFrame]) -> set[str]:
    """Each frame's totals as the groupby gave them; the variations judged."""
    judged = set()
    for reach in frames:
        _same_reach(board_overview._reach_totals(reach), _old_reach_totals(reach))
        old = _old_quarter_totals(reach)
        new = [
            quarter
            for quarter in board_overview._reach_quarter_totals(reach)
            if periods.is_complete(periods.quarter_end(quarter[0]))
        ]
        assert new == old
        if len(old) >= 2:
            totals = pd.DataFrame(
                {
                    "young_people": [q[1] for q in old],
                    "illustrative": [q[2] for q in old],
                },
                index=[q[0] for q in old],
            )
            variation = board_overview._reach_variation(area, new)
            assert variation == _old_reach_variation(area, totals)
            judged.add(variation)
    return judged


@pytest.mark.parametrize("as_at", ["2025-11-22", "2025-08-15"])
def test_the_changes_since_last_quarter_are_what_the_frames_gave(
    loaded_store, monkeypatch, as_at
):
    """Every force area's sentences (knife offences, spend and reach), and a
    region's, a local authority's and England and Wales's (knife offences
    alone), for a scope that sees them all and one that sees only its area's
    money: as the old code wrote them. On 15 August 2025 the shipped spend's
    and reach's last quarter (2025/26 Q2) is still running: left out."""
    monkeypatch.setenv("VRU_AS_AT", as_at)
    every = list_areas()
    codes = [
        *every.loc[every["level"] == "pfa", "code"],
        NATIONAL_CODE,
        *every.loc[every["level"] == "region", "code"][:2],
        *every.loc[every["level"] == "lad", "code"][:3],
    ]
    knife = measures.get_measure("knife_offences", scope=SYSTEM)
    counted = 0
    for scope in (SYSTEM, VIEWER):
        # each road over every area in a request of its own (tests/one_request.py)
        sentences = {}
        for changes in (board_overview._changes, _old_changes):
            with one_request():
                sentences[changes] = [
                    changes(scope, knife, get_area(code)) for code in codes
                ]
        news, olds = sentences[board_overview._changes], sentences[_old_changes]
        for code, new, old in zip(codes, news, olds, strict=True):
            assert new == old, (scope.role, code)
            counted += len(new)
    # spend and reach sentences were among those compared
    assert counted > len(codes) * 2


def test_quarters_without_a_figure_are_left_out_of_the_knife_sentence(
    loaded_store, monkeypatch
):
    """A knife offences quarter with no figure (here the latest and one before
    it, blanked) is left out: the sentence compares the two latest quarters
    that have one, and judges their variation over those quarters alone, as
    the old code's filter did. The shipped series have no such gap, so the
    path is only taken here."""
    built = board_overview._area_series
    blanked: dict[str, str] = {}

    def with_gaps(scope, measure, area, length, age_band):
        frame = built(scope, measure, area, length, age_band)
        if length != "quarter" or len(frame) < 6:
            return frame
        values = frame["value"].to_numpy(dtype=float).copy()
        values[[-1, -4]] = np.nan
        blanked[area.code] = frame["period"].iloc[-1]
        return frame.assign(value=values)

    monkeypatch.setattr(board_overview, "_area_series", with_gaps)
    knife = measures.get_measure("knife_offences", scope=SYSTEM)
    for code in ("E23000036", "E23000001", NATIONAL_CODE):
        area = get_area(code)
        new = board_overview._changes(SYSTEM, knife, area)
        assert new == _old_changes(SYSTEM, knife, area), code
        assert new[0].startswith(knife["short_name"]), new
        assert blanked[code] not in new[0], (blanked[code], new[0])


# ------------------------------------------------------------------------ SPC


def test_the_variation_alone_is_the_spc_charts_variation():
    """The overview's knife offences sentence asks trend_spc for the latest
    point's variation only: it is the full chart's, over random series with
    shifts, hidden figures, funding starts and breaks."""
    rng = np.random.default_rng(19)
    seen = set()
    for _ in range(200):
        n = int(rng.integers(3, 40))
        level = rng.uniform(20, 400)
        counts = rng.poisson(level * rng.choice([1.0, 1.5, 0.6], n).cumprod() ** 0.1)
        populations = rng.integers(500_000, 1_500_000, n)
        view = _view(
            [int(c) for c in counts],
            [int(p) for p in populations],
            suppressed=set(rng.choice(n, int(rng.integers(0, 3)))),
            funding="2019/20 Q1" if rng.random() < 0.5 else None,
        )
        if rng.random() < 0.3:
            view["breaks"] = [(view["series"]["period"].iloc[n // 2], "a break")]
        variation = trend_spc.trend_variation(view)
        assert variation == trend_spc.trend_spc(view)["variation"]
        seen.add(variation)
    assert len(seen) >= 3, seen
