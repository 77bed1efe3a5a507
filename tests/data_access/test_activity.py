"""Prevention activity queries over the shipped data, on SQLite and PostgreSQL:
sums reconcile (tiers = interventions, force = local authorities + force-wide +
core unit), periods filter both outputs and spend, scope is enforced, and the
recorded plan by tier is found where one exists (Hampshire's 2019/20 allocations)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from data_access import db
from data_access.activity import (
    area_activity,
    intervention_activity,
    reach_rule,
    tier_activity,
)
from data_access.errors import AccessDenied, InvalidParameter, NotFound
from data_access.models import Area, InterventionOutput, Spend
from data_access.scope import SYSTEM, Scope

AVON = "E23000036"
HAMPSHIRE = "E23000030"
LANCASHIRE = "E23000003"
BRISTOL = "E06000023"
VIEWER_AVON = Scope(role="viewer", area_codes=frozenset({AVON}))
VIEWER_LANCS = Scope(role="viewer", area_codes=frozenset({LANCASHIRE}))
START, END = dt.date(2020, 4, 1), dt.date(2022, 3, 31)


def _direct_spend(area_code: str) -> float:
    """All current spend of a force area, straight from the table."""
    with db.session_scope() as session:
        total = session.scalar(
            select(func.sum(Spend.amount))
            .join(Area, Area.id == Spend.area_id)
            .where(Area.code == area_code, Spend.is_current)
        )
    return float(total)


def test_tier_totals_equal_the_sum_of_their_interventions(loaded_store):
    for lad in (None, BRISTOL):
        summary = tier_activity.tier_summary(
            scope=SYSTEM, area_code=AVON, lad_code=lad, start=START, end=END
        ).set_index("tier")
        items = intervention_activity.interventions(
            scope=SYSTEM, area_code=AVON, lad_code=lad, start=START, end=END
        )
        by_tier = items.groupby("tier")
        for tier, row in summary.iterrows():
            if tier not in by_tier.groups:
                assert row["interventions"] == 0
                continue
            part = by_tier.get_group(tier)
            assert row["interventions"] == len(part)
            assert row["young_people_supported"] == part.young_people_supported.sum()
            assert row["young_people_under25"] == part.young_people_under25.sum()
            assert row["spend"] == pytest.approx(part.spend.sum(), abs=0.005)
        assert summary["spend_share"].sum() == pytest.approx(1.0)


def test_force_total_equals_local_authorities_force_wide_and_core(loaded_store):
    for area in (AVON, HAMPSHIRE):
        breakdown = area_activity.area_breakdown(scope=SYSTEM, area_code=area)
        totals = area_activity.area_totals(scope=SYSTEM, area_code=area)
        assert breakdown["spend"].sum() == pytest.approx(totals["spend"], abs=0.005)
        assert totals["spend"] == pytest.approx(_direct_spend(area), abs=0.005)
        assert (
            breakdown["young_people_supported"].sum()
            == (totals["young_people_supported"])
        )
        assert breakdown["interventions"].sum() == totals["interventions"]
        tiers = tier_activity.tier_summary(scope=SYSTEM, area_code=area)
        assert tiers["spend"].sum() + totals["spend_core"] == pytest.approx(
            totals["spend"], abs=0.005
        )
    # Avon and Somerset's interventions are delivered by its five spokes.
    avon = area_activity.area_breakdown(scope=SYSTEM, area_code=AVON)
    assert set(avon["kind"]) == {"lad", "core"}
    assert len(avon[avon["kind"] == "lad"]) == 5


def test_local_authority_totals_match_their_row_in_the_breakdown(loaded_store):
    breakdown = area_activity.area_breakdown(
        scope=SYSTEM, area_code=AVON, start=START, end=END
    ).set_index("code")
    lad = area_activity.area_totals(
        scope=SYSTEM, area_code=AVON, lad_code=BRISTOL, start=START, end=END
    )
    assert lad["spend_core"] == 0
    assert lad["spend"] == pytest.approx(breakdown.loc[BRISTOL, "spend"], abs=0.005)
    assert (
        lad["young_people_supported"]
        == (breakdown.loc[BRISTOL, "young_people_supported"])
    )


def test_reach_over_time_sums_to_the_tier_totals_for_each_age_band(loaded_store):
    summary = tier_activity.tier_summary(
        scope=SYSTEM, area_code=AVON, start=START, end=END
    ).set_index("tier")
    for band, column in (
        ("all", "young_people_supported"),
        ("under25", "young_people_under25"),
    ):
        reach = reach_rule.reach_over_time(
            scope=SYSTEM, area_code=AVON, start=START, end=END, age_band=band
        )
        assert reach["period"].iloc[0] == "2020/21 Q1"
        assert reach["period"].iloc[-1] == "2021/22 Q4"
        assert (
            reach.groupby("tier")["value"].sum().to_dict() == summary[column].to_dict()
        )


def test_period_filter_covers_the_same_quarters_for_outputs_and_spend(loaded_store):
    item = intervention_activity.interventions(scope=SYSTEM, area_code=AVON).iloc[0]
    detail = intervention_activity.intervention_detail(
        scope=SYSTEM,
        intervention_id=int(item.intervention_id),
        start=START,
        end=END,
    )
    quarters = detail["quarters"]
    assert quarters["period_start"].min() >= START
    assert quarters["period_start"].max() <= dt.date(2022, 1, 1)
    with db.session_scope() as session:
        spend = session.scalar(
            select(func.sum(Spend.amount)).where(
                Spend.intervention_id == int(item.intervention_id),
                Spend.is_current,
                Spend.financial_year.in_((2020, 2021)),
            )
        )
        supported = session.scalar(
            select(func.sum(InterventionOutput.value)).where(
                InterventionOutput.intervention_id == int(item.intervention_id),
                InterventionOutput.is_current,
                InterventionOutput.output_type == "young_people_supported",
                InterventionOutput.age_band == "all",
                InterventionOutput.period_start.between(START, END),
            )
        )
    assert quarters["spend"].sum() == pytest.approx(float(spend or 0), abs=0.005)
    assert quarters["young_people_supported"].sum() == (supported or 0)
    assert detail["vru_code"] == AVON and detail["illustrative"]


def test_hampshire_has_a_plan_by_tier_and_avon_has_none(loaded_store):
    plan = tier_activity.tier_plan(scope=SYSTEM, area_code=HAMPSHIRE)
    assert set(plan["financial_year"]) == {2019}
    assert plan["planned"].sum() == pytest.approx(231172)  # paragraph 12's amounts
    summary = tier_activity.tier_summary(
        scope=SYSTEM,
        area_code=HAMPSHIRE,
        start=dt.date(2019, 4, 1),
        end=dt.date(2020, 3, 31),
    )
    assert summary["planned_share"].sum() == pytest.approx(1.0)
    assert tier_activity.tier_plan(scope=SYSTEM, area_code=AVON).empty
    assert summary.columns.tolist() == tier_activity.TIER_SUMMARY_COLUMNS
    assert (
        tier_activity.tier_summary(scope=SYSTEM, area_code=AVON)["planned"].isna().all()
    )


def test_a_viewer_of_another_area_is_refused_everything(loaded_store):
    calls = [
        lambda s: tier_activity.tier_summary(scope=s, area_code=AVON),
        lambda s: tier_activity.tier_plan(scope=s, area_code=AVON),
        lambda s: reach_rule.reach_over_time(scope=s, area_code=AVON),
        lambda s: intervention_activity.interventions(
            scope=s, area_code=AVON, tier="primary"
        ),
        lambda s: area_activity.area_breakdown(scope=s, area_code=AVON),
        lambda s: area_activity.area_totals(scope=s, area_code=AVON, lad_code=BRISTOL),
    ]
    item = intervention_activity.interventions(scope=SYSTEM, area_code=AVON).iloc[0]
    calls.append(
        lambda s: intervention_activity.intervention_detail(
            scope=s, intervention_id=int(item.intervention_id)
        )
    )
    for call in calls:
        with pytest.raises(AccessDenied):
            call(VIEWER_LANCS)
        call(VIEWER_AVON)  # their own area is fine
    with pytest.raises(AccessDenied):
        tier_activity.tier_summary(scope=Scope(role="public"), area_code=AVON)


def test_bad_parameters_are_domain_errors(loaded_store):
    with pytest.raises(InvalidParameter):
        tier_activity.tier_summary(scope=SYSTEM, area_code=AVON, lad_code="E06000001")
    with pytest.raises(InvalidParameter):
        tier_activity.tier_summary(scope=SYSTEM, area_code="E06000023")  # not a force
    with pytest.raises(InvalidParameter):
        intervention_activity.interventions(
            scope=SYSTEM, area_code=AVON, tier="quaternary"
        )
    with pytest.raises(InvalidParameter):
        tier_activity.tier_summary(scope=SYSTEM, area_code=AVON, start=END, end=START)
    with pytest.raises(NotFound):
        tier_activity.tier_summary(scope=SYSTEM, area_code="E99999999")
    with pytest.raises(NotFound):
        intervention_activity.intervention_detail(scope=SYSTEM, intervention_id=10**7)
    with pytest.raises(NotFound):
        intervention_activity.intervention_detail(scope=SYSTEM, intervention_id="abc")
