"""One road per fact (issue 13): a figure shown in two places comes from one
function, so the places agree. Each test reads the same fact from its places on
the shipped store and compares them."""

from __future__ import annotations

import re
from html import unescape

import pandas as pd

from data_access import areas, periods, public
from data_access.activity import intervention_activity, reach_rule, tier_activity
from data_access.money import funded_interventions, spending, tier_costs
from data_access.outcomes import profiles
from data_access.scope import SYSTEM

YEAR = 2022  # a year in which every VRU reports reach


def _vru_codes() -> list[str]:
    frame = areas.list_areas(level="pfa")
    return frame.loc[frame["is_vru"], "code"].tolist()


def _prevention_tiers(area_code, year, lad_code=None) -> dict:
    start, end = periods.fy_bounds(year)
    frame = tier_activity.tier_summary(
        scope=SYSTEM, area_code=area_code, lad_code=lad_code, start=start, end=end
    )
    return {
        t: int(n)
        for t, n in zip(frame["tier"], frame["young_people_supported"], strict=True)
        if n
    }


def _prevention_interventions(area_code, year, lad_code=None) -> dict:
    start, end = periods.fy_bounds(year)
    frame = intervention_activity.interventions(
        scope=SYSTEM, area_code=area_code, lad_code=lad_code, start=start, end=end
    )
    return {
        int(i): int(n)
        for i, n in zip(
            frame["intervention_id"], frame["young_people_supported"], strict=True
        )
        if n
    }


def _cost_denominators(frame: pd.DataFrame, key: str) -> dict:
    shown = frame[frame["young_people"].notna() & (frame["young_people"] > 0)]
    return {
        (int(k) if key == "intervention_id" else k): int(n)
        for k, n in zip(shown[key], shown["young_people"], strict=True)
    }


def test_cost_per_young_person_divides_by_the_reach_prevention_shows(loaded_store):
    """Catches money counting young people on its own road (its copied joins
    once summed another age band, or kept outputs /prevention does not)."""
    checked = 0
    for n, code in enumerate(_vru_codes()[:6]):  # a third of the VRUs: time
        lads = areas.list_areas(level="lad", parent_code=code)["code"].tolist()
        for year in [YEAR]:
            # every force area, and a local authority of a few of them
            places = [(code, code, None)] + [(x, code, x) for x in lads[: n < 3]]
            for money_area, vru, lad in places:
                tiers = tier_costs.spend_by_tier(
                    scope=SYSTEM, area_code=money_area, financial_year=year
                )
                per = spending.spend_by_intervention(
                    scope=SYSTEM, area_code=money_area, financial_year=year
                )
                prevention = _prevention_tiers(vru, year, lad)
                assert _cost_denominators(tiers, "tier") == prevention, money_area
                assert _cost_denominators(
                    per.dropna(subset=["intervention_id"]), "intervention_id"
                ) == _prevention_interventions(vru, year, lad), money_area
                checked += len(prevention)
    assert checked > 12  # the demo store has reach in that year


def test_the_tier_table_takes_its_outputs_from_the_reach_rule(
    loaded_store, monkeypatch
):
    """Catches /prevention's tier table summing output_summary in a query of its
    own beside the reach rule's (the two agreed on the shipped rows, so only a
    change to the rule could show it): whatever the reach rule's one read
    holds, the tier table shows, for every output column."""
    code = _vru_codes()[0]
    before = tier_activity.tier_summary(scope=SYSTEM, area_code=code)
    real = reach_rule._outputs

    def doubled(*args):
        return [(*row[:4], row[4] * 2, row[5]) for row in real(*args)]

    monkeypatch.setattr(reach_rule, "_outputs", doubled)
    after = tier_activity.tier_summary(scope=SYSTEM, area_code=code)
    columns = ["young_people_supported", "young_people_under25", "referrals"]
    assert before[columns].to_numpy().sum() > 0
    assert (after[columns] == before[columns] * 2).all().all()
    assert (after["spend"] == before["spend"]).all()


def test_public_reach_is_the_prevention_reach_where_shown(loaded_store):
    """Catches the public reach table summing its own rows (a third road): every
    tier it shows in full for the year is /prevention's figure for that year."""
    shown = 0
    for code in _vru_codes()[:10]:  # half the VRUs: time
        table = public.reach_by_tier(area_code=code)
        cells = table[
            (table["financial_year"] == YEAR)
            & table["tier"].notna()
            & ~table["suppressed"].astype(bool)
        ]
        prevention = _prevention_tiers(code, YEAR)
        for tier, people in zip(cells["tier"], cells["young_people"], strict=True):
            assert prevention.get(tier, 0) == int(people), (code, tier)
            shown += 1
    assert shown > 12


def test_area_money_by_year_is_the_public_funding_chart(loaded_store):
    """Catches the public funding chart adding up its own allocations (it once
    summed every Home Office programme, Grip, the Serious Violence Duty and the
    all-programmes Serious Violence Fund total as well, beside a caption naming
    the VRU grant) or its own spend: for every VRU area and year the profile's
    money table and the public chart show the same grant and spend."""
    columns = ["financial_year", "allocated", "spent", "quarters_reported"]
    for code in _vru_codes():
        profile = profiles.area_money(scope=SYSTEM, area_code=code)
        chart = public.funding_allocated_vs_spent(area_code=code)
        assert len(profile) > 0, code
        mine = profile[columns].astype(object).where(profile[columns].notna(), None)
        theirs = chart[columns].astype(object).where(chart[columns].notna(), None)
        assert mine.to_dict("records") == theirs.to_dict("records"), code
        assert profile["illustrative"].tolist() == chart["illustrative"].tolist()


def test_funding_and_prevention_list_the_same_interventions(loaded_store):
    """Catches /funding's or the area profile's intervention list or facts
    drifting from /prevention's (each read Intervention with its own joins and
    filters; the profile with a tier order of its own too): same interventions,
    in the same order, names, tiers, delivering areas and facts, for a force
    area and a local authority."""
    code = _vru_codes()[0]
    lad = areas.list_areas(level="lad", parent_code=code)["code"].iloc[0]
    for money_area, lad_code in ((code, None), (lad, lad)):
        funding = funded_interventions.interventions(scope=SYSTEM, area_code=money_area)
        profile = profiles.area_interventions(scope=SYSTEM, area_code=money_area)
        prevention = intervention_activity.interventions(
            scope=SYSTEM, area_code=code, lad_code=lad_code
        )
        assert len(funding) > 0, money_area
        pairs = [
            (funding, "intervention_id", "intervention_id"),
            (funding, "intervention", "name"),
            (funding, "tier", "tier"),
            (funding, "delivering_area_code", "delivering_code"),
            (profile, "name", "name"),
            (profile, "tier", "tier"),
            (profile, "delivering_area", "delivering_name"),
            (profile, "provider", "provider"),
            (profile, "source_title", "source_title"),
        ]
        for frame, f, p in pairs:
            assert frame[f].tolist() == prevention[p].tolist(), (money_area, f)
    one = int(funding["intervention_id"].iloc[0])
    facts = funded_interventions.get_intervention(scope=SYSTEM, intervention_id=one)
    detail = intervention_activity.intervention_detail(
        scope=SYSTEM, intervention_id=one
    )
    for f, p in (
        ("vru_area_code", "vru_code"),
        ("delivering_area_name", "delivering_name"),
        ("provider", "provider"),
        ("workstream", "workstream_name"),
        ("start_date", "start_date"),
        ("evidence_rating", "evidence_rating"),
    ):
        assert facts[f] == detail[p], f


def test_trend_embed_states_the_baseline_change_as_the_overview_does(loaded_store):
    """Catches the public trend embed working out its own change (first point to
    last: 'a 23% decrease' beside the overview's 'down 24% on the 2016/17 to
    2018/19 average'): it says the baseline road's change in the overview's
    words, and no first-to-last percentage."""
    from app import app
    from components.baseline_text import baseline_sentence
    from data_access.measures import get_measure
    from data_access.outcomes import headlines
    from data_access.scope import PUBLIC
    from pages import overview

    assert overview.baseline_sentence is baseline_sentence  # the cards' words
    app.server.config["TESTING"] = True
    client = app.server.test_client()
    for code in ("hospital_admissions_knife", "homicide_knife"):
        url = f"/embed/trend?measure={code}&area=E23000036"
        page = unescape(client.get(url).get_data(as_text=True))
        change = headlines.baseline_change(
            scope=PUBLIC, measure_code=code, area_code="E23000036"
        )
        assert change["available"], code
        polarity = get_measure(code, scope=PUBLIC)["polarity"]
        assert baseline_sentence(change, polarity)[1] in page, code
        assert not re.search(r"\d% (decrease|increase)", page), code


def test_board_action_paths_are_the_trend_pages_figures(loaded_store):
    """Catches the board's 'since it was decided' path reading the stored rows on
    its own road (measures.measure_series): a year built from four quarters, as
    /violence shows it, was missing from the path (one year of six for Lancashire
    knife offences by year). The path is the trend's area rows, disclosed."""
    import datetime as dt

    from data_access import board
    from data_access.outcomes import area_trends
    from data_access.scope import Scope

    lancs = "E23000036"
    viewer = Scope(role="viewer", area_codes=frozenset({lancs}))
    since = dt.date(2019, 4, 1)
    for code, period_type in (
        ("knife_offences", "quarter"),
        ("knife_offences", "year"),
    ):
        for scope in (viewer,):  # a board member: the figures disclosed
            path, _ = board._path(scope, code, period_type, lancs, since)
            trend = area_trends.trend_with_benchmark(
                scope=scope,
                measure_code=code,
                area_code=lancs,
                length=period_type,
                start=since,
            )
            own = trend[trend["role"] == "area"]
            shown = [
                (p, None if hidden or pd.isna(v) else float(v))
                for p, v, hidden in zip(
                    own["period"], own["value"], own["suppressed"], strict=True
                )
            ]
            assert [(p["period"], p["value"]) for p in path] == shown, code
            assert len(shown) > 4, (code, period_type)


def test_an_interventions_quarters_add_up_to_its_year_on_funding(loaded_store):
    """Catches /funding's per-quarter reach and spend of one intervention being
    read on a road of its own: its quarters are /prevention's quarters of that
    intervention, and they add up to the intervention's year in spend by
    intervention (cost per young person's denominator)."""
    code = _vru_codes()[0]
    per = spending.spend_by_intervention(
        scope=SYSTEM, area_code=code, financial_year=YEAR
    ).dropna(subset=["intervention_id"])
    per = per[per["young_people"].notna() & (per["young_people"] > 0)]
    row = per.iloc[0]
    iid = int(row["intervention_id"])
    quarters = spending.intervention_quarters(
        scope=SYSTEM, intervention_id=iid, financial_year=YEAR
    )
    start, end = periods.fy_bounds(YEAR)
    detail = intervention_activity.intervention_detail(
        scope=SYSTEM, intervention_id=iid, start=start, end=end
    )["quarters"]
    assert quarters["period_label"].tolist() == detail["period"].tolist()
    assert (
        quarters["young_people"].tolist() == detail["young_people_supported"].tolist()
    )
    assert int(quarters["young_people"].sum()) == int(row["young_people"])
    assert round(quarters["spend"].sum(), 2) == round(float(row["spend"]), 2)


def test_a_measure_is_read_by_quarter_only_when_published_by_quarter(loaded_store):
    """The board's changes, its measure paths, the board pack's variation icon
    and the trend embed read a measure at measures.trend_length of its
    period_type: quarters for a quarterly measure, years for financial and
    rolling years alike."""
    from data_access import measures

    table = measures.list_measures(include_private=True)
    kinds = set(table["period_type"])
    assert {"quarter", "financial_year", "rolling_year"} <= kinds
    for period_type in kinds:
        length = measures.trend_length(period_type)
        assert length in measures.PERIOD_LENGTHS
        assert (length == "quarter") == (period_type == "quarter")
