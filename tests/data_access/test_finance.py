"""data_access.money: published allocations with their precision and sources,
spend against allocation, burn rate and forecast (outturn.money_forecast, whose
arithmetic is in test_money.py), spend by area, tier and
intervention, cost per young person, and scope - on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from data_access import db
from data_access.activity.summaries import refresh_activity_summaries
from data_access.errors import AccessDenied, InvalidParameter, NotFound
from data_access.models import (
    Area,
    FundingAllocation,
    Intervention,
    InterventionOutput,
    Source,
    Spend,
)
from data_access.money import (
    funded_interventions,
    funding_allocations,
    money_reads,
    outturn,
    spending,
    tier_costs,
)
from data_access.scope import SYSTEM, Scope

WEST_MIDLANDS = "E23000014"
HAMPSHIRE = "E23000030"
AVON = "E23000036"
BRISTOL = "E06000023"
BOARD = Scope(role="viewer", area_codes=frozenset({AVON}))


# ------------------------------------------------------------ shipped data


def test_west_midlands_2019_funders_add_up_to_the_published_budget(loaded_store):
    """Home Office £3.37m + PCC £524,000 + local partners £140,000 = £4,034,000."""
    figures = funding_allocations.allocations(
        area_code=WEST_MIDLANDS, financial_year=2019
    )
    chosen = figures[figures["is_preferred"] & figures["is_annual_total"]]
    by_funder = chosen.groupby("funder")["amount"].sum().to_dict()
    assert by_funder == {
        "Home Office": 3_370_000.0,
        "Police and Crime Commissioner": 524_000.0,
        "Local partners": 140_000.0,
    }
    assert chosen["amount"].sum() == 4_034_000.0
    assert set(chosen["programme"]) == {"VRU"}
    national = funding_allocations.national_summary(financial_year=2019).set_index(
        "area_code"
    )
    assert national.loc[WEST_MIDLANDS, "vru_allocation"] == 3_370_000.0
    assert national.loc[WEST_MIDLANDS, "all_funders_total"] == 4_034_000.0


def test_hampshire_interventions_share_the_233000_envelope(loaded_store):
    """Seven interventions with published amounts; the paper's envelope is
    £233,000 and its seven listed amounts add up to £231,172 (both as published)."""
    figures = funding_allocations.allocations(area_code=HAMPSHIRE, financial_year=2019)
    per_intervention = figures[figures["intervention_id"].notna()]
    assert len(per_intervention) == 7
    assert per_intervention["is_preferred"].all()
    assert per_intervention["precision"].eq("exact").all()
    assert per_intervention["amount"].sum() == 231_172.0
    assert not per_intervention["is_annual_total"].any()
    envelope = figures[
        figures["programme"].str.contains("(interventions)", regex=False)
    ]
    assert envelope["amount"].tolist() == [233_000.0]
    spend = spending.spend_by_intervention(
        scope=SYSTEM, area_code=HAMPSHIRE, financial_year=2019
    )
    shown = spend[spend["allocation"].notna()]
    assert len(shown) == 7 and shown["allocation"].sum() == 231_172.0
    # each intervention's, as the allocations table (/funding) has it
    assert dict(
        zip(shown["intervention_id"].astype(int), shown["allocation"], strict=True)
    ) == dict(
        zip(
            per_intervention["intervention_id"].astype(int),
            per_intervention["amount"],
            strict=True,
        )
    )


def test_exactly_one_preferred_figure_per_key_and_the_others_kept(loaded_store):
    figures = funding_allocations.allocations()
    keys = ["area_code", "financial_year", "funder", "programme", "intervention_id"]
    grouped = figures.fillna({"intervention_id": -1}).groupby(keys)["is_preferred"]
    assert (grouped.sum() == 1).all()
    # West Midlands 2019/20: its own paper and its board table both say £3.37m;
    # the table (a second-hand source) is kept, not chosen.
    wm = figures[
        (figures["area_code"] == WEST_MIDLANDS)
        & (figures["financial_year"] == 2019)
        & (figures["funder"] == "Home Office")
    ]
    assert len(wm) == 2 and wm["is_preferred"].sum() == 1
    assert wm["source_title"].nunique() == 2
    # Avon and Somerset 2019/20: £1.16m (its own paper) beats £1.5m (board table).
    avon = funding_allocations.allocations(area_code=AVON, financial_year=2019)
    assert avon.loc[avon["is_preferred"], "amount"].tolist() == [1_160_000.0]
    assert 1_500_000.0 in avon.loc[~avon["is_preferred"], "amount"].tolist()


def test_precision_is_given_in_words(loaded_store):
    figures = funding_allocations.allocations(financial_year=2020)
    words = dict(zip(figures["precision"], figures["precision_words"], strict=True))
    assert words["more_than"] == "more than"
    assert words["exact"] == "exact"
    assert words["approx"] == "approximately"
    hampshire = funding_allocations.allocations(
        area_code=HAMPSHIRE, financial_year=2021
    )
    assert hampshire["precision_words"].tolist() == ["up to"]
    assert funding_allocations.PRECISION_WORDS["rounded"] == "rounded"


def test_national_summary_has_one_row_per_funded_force_area(loaded_store):
    summary = funding_allocations.national_summary(financial_year=2019)
    assert summary["area_code"].is_unique
    assert len(summary) == 18
    assert summary["vru_allocation"].is_monotonic_decreasing
    kent = summary.set_index("area_code").loc["E23000032"]
    assert kent["vru_allocation"] == 1_160_000.0 and kent["precision"] == "exact"
    assert kent["figures_published"] == 2


def test_area_spend_is_its_local_authorities_plus_force_wide_spend(loaded_store):
    for code, year in ((AVON, 2019), (AVON, 2023), (WEST_MIDLANDS, 2021)):
        by_area = spending.spend_by_area(
            scope=SYSTEM, area_code=code, financial_year=year
        )
        quarters = spending.spend_by_quarter(
            scope=SYSTEM, area_code=code, financial_year=year
        )
        total = quarters["spend"].sum()
        assert by_area["spend"].sum() == pytest.approx(total, abs=0.01)
        lads = by_area[by_area["level"] == "lad"]
        for lad in lads[lads["spend"].notna()].itertuples():
            lad_q = spending.spend_by_quarter(
                scope=SYSTEM, area_code=lad.area_code, financial_year=year
            )
            assert lad_q["spend"].sum() == pytest.approx(lad.spend, abs=0.01)
        tiers = tier_costs.spend_by_tier(
            scope=SYSTEM, area_code=code, financial_year=year
        )
        assert tiers["spend"].sum() == pytest.approx(total, abs=0.01)
        per = spending.spend_by_intervention(
            scope=SYSTEM, area_code=code, financial_year=year
        )
        assert per["spend"].sum() == pytest.approx(total, abs=0.01)


def test_viewer_sees_allocations_but_not_another_areas_spend(loaded_store):
    assert not funding_allocations.allocations(area_code=WEST_MIDLANDS).empty
    for call in (
        spending.spend_by_quarter,
        outturn.money_forecast,
        spending.spend_by_area,
        spending.spend_by_intervention,
        tier_costs.spend_by_tier,
        tier_costs.cost_per_young_person,
    ):
        with pytest.raises(AccessDenied):
            call(scope=BOARD, area_code=WEST_MIDLANDS, financial_year=2019)
    with pytest.raises(AccessDenied):
        funded_interventions.interventions(scope=BOARD, area_code=WEST_MIDLANDS)
    hampshire = funding_allocations.allocations(
        area_code=HAMPSHIRE, financial_year=2019
    )
    one = int(hampshire["intervention_id"].dropna().iloc[0])
    with pytest.raises(AccessDenied):
        funded_interventions.get_intervention(scope=BOARD, intervention_id=one)
    # Their own area and its local authorities are fine.
    assert not spending.spend_by_quarter(
        scope=BOARD, area_code=AVON, financial_year=2023
    ).empty
    spending.spend_by_quarter(scope=BOARD, area_code=BRISTOL, financial_year=2023)


def test_bad_parameters_are_domain_errors(loaded_store):
    with pytest.raises(NotFound):
        funding_allocations.allocations(area_code="E99999999")
    with pytest.raises(InvalidParameter):
        funding_allocations.national_summary(financial_year="2019")
    with pytest.raises(InvalidParameter):
        spending.spend_by_quarter(
            scope=SYSTEM, area_code="K04000001", financial_year=2019
        )
    with pytest.raises(NotFound):
        funded_interventions.get_intervention(scope=SYSTEM, intervention_id=10**8)
    with pytest.raises(NotFound):  # a mistyped link: not found, not a server error
        funded_interventions.get_intervention(scope=SYSTEM, intervention_id="12a")
    with pytest.raises(InvalidParameter):
        tier_costs.cost_per_young_person(
            scope=SYSTEM, area_code=AVON, financial_year=2023, by="area"
        )


def _constructed(session) -> dict:
    """A force area with two local authorities, an allocation of £1,000,000 for
    2024/25, spend in Q1 and Q3 (none in Q2) and reach for one intervention."""
    src = Source(
        key="test", publisher="Test", title="Test returns", url=None, licence="x"
    )
    ill = Source(
        key="ill",
        publisher="Test",
        title="Illustrative",
        url=None,
        licence="x",
        illustrative=True,
    )
    session.add_all([src, ill])
    session.flush()
    ew = Area(code="K04000001", name="England and Wales", level="country")
    session.add(ew)
    session.flush()
    force = Area(code=AVON, name="Avon and Somerset", level="pfa", parent_id=ew.id)
    session.add(force)
    session.flush()
    lad_a = Area(code=BRISTOL, name="Bristol", level="lad", parent_id=force.id)
    lad_b = Area(code="E06000022", name="BANES", level="lad", parent_id=force.id)
    session.add_all([lad_a, lad_b])
    session.flush()
    mentoring = Intervention(
        vru_area_id=force.id,
        name="Mentoring",
        tier="secondary",
        delivering_area_id=lad_a.id,
        source_id=src.id,
    )
    navigators = Intervention(
        vru_area_id=force.id,
        name="A&E navigators",
        tier="tertiary",
        delivering_area_id=force.id,
        source_id=src.id,
    )
    session.add_all([mentoring, navigators])
    session.flush()
    session.add_all(
        [
            FundingAllocation(
                area_id=force.id,
                financial_year=2024,
                funder="Home Office",
                programme="VRU",
                amount=Decimal("1000000"),
                amount_as_published="£1m",
                precision="exact",
                is_preferred=True,
                source_id=src.id,
            ),
            FundingAllocation(
                area_id=force.id,
                financial_year=2024,
                funder="Home Office",
                programme="VRU",
                amount=Decimal("1200000"),
                amount_as_published="£1.2m",
                precision="rounded",
                is_preferred=False,
                source_id=ill.id,
            ),
        ]
    )
    spend = [
        (None, 1, "50000"),
        (mentoring.id, 1, "30000"),
        (navigators.id, 1, "20000"),
        (None, 3, "100000"),
        (mentoring.id, 3, "150000"),
        (navigators.id, 3, "50000"),
    ]
    session.add_all(
        [
            Spend(
                area_id=force.id,
                intervention_id=iid,
                financial_year=2024,
                quarter=q,
                amount=Decimal(amount),
                source_id=src.id,
            )
            for iid, q, amount in spend
        ]
    )
    session.add_all(
        [
            InterventionOutput(
                intervention_id=mentoring.id,
                period_start=start,
                period_end=end,
                output_type="young_people_supported",
                age_band="all",
                value=value,
                source_id=src.id,
            )
            for start, end, value in (
                (dt.date(2024, 4, 1), dt.date(2024, 6, 30), 40),
                (dt.date(2024, 10, 1), dt.date(2024, 12, 31), 60),
            )
        ]
    )
    # As every writer does: the area's spend is read from the summary table.
    refresh_activity_summaries(session)
    return {"mentoring": mentoring.id, "navigators": navigators.id}


def test_burn_rate_and_forecast_on_a_constructed_store(store):
    with db.session_scope() as session:
        ids = _constructed(session)
    quarters = spending.spend_by_quarter(
        scope=SYSTEM, area_code=AVON, financial_year=2024
    )
    assert quarters["period_label"].tolist() == [
        "2024/25 Q1",
        "2024/25 Q2",
        "2024/25 Q3",
    ]
    assert quarters["spend"].tolist() == [100_000.0, 0.0, 300_000.0]
    assert quarters["cumulative_spend"].tolist() == [100_000.0, 100_000.0, 400_000.0]
    assert quarters["cumulative_share"].tolist() == pytest.approx([0.1, 0.1, 0.4])
    assert quarters["expected_spend"].tolist() == [250_000.0, 500_000.0, 750_000.0]

    burn = outturn.money_forecast(scope=SYSTEM, area_code=AVON, financial_year=2024)
    # No earlier complete year: the flat share, 3 of 4 quarters passed (Q2's nil
    # counts as passed). 400,000 / 0.75 = 533,333.33; 1,000,000 - that = 466,666.67.
    assert burn["allocation"] == 1_000_000.0 and burn["allocation_precision"] == "exact"
    assert burn["spent_to_date"] == 400_000.0
    assert burn["share_basis"] == "flat" and burn["expected_share"] == 0.75
    assert burn["forecast_outturn"] == 533_333.33
    assert burn["projected_underspend"] == 466_666.67
    assert burn["burn_rate"] == pytest.approx(0.4)
    assert burn["expected_burn"] == 0.75
    assert burn["last_quarter_label"] == "2024/25 Q3"
    assert not burn["illustrative"] and not burn["approximate"]

    by_area = spending.spend_by_area(scope=SYSTEM, area_code=AVON, financial_year=2024)
    spend = dict(zip(by_area["area_code"], by_area["spend"], strict=True))
    assert spend[BRISTOL] == 180_000.0
    assert math.isnan(spend["E06000022"])
    assert spend[AVON] == 220_000.0  # core 150,000 + force-wide navigators 70,000
    assert by_area["spend"].sum() == 400_000.0

    per = spending.spend_by_intervention(
        scope=SYSTEM, area_code=AVON, financial_year=2024
    ).set_index("intervention")
    assert per.loc[money_reads.CORE_LABEL, "spend"] == 150_000.0
    assert per.loc["Mentoring", "young_people"] == 100
    assert per.loc["Mentoring", "cost_per_young_person"] == 1_800.0
    assert math.isnan(per.loc["A&E navigators", "cost_per_young_person"])

    tiers = tier_costs.spend_by_tier(
        scope=SYSTEM, area_code=AVON, financial_year=2024
    ).set_index("tier")
    assert tiers.loc["secondary", "cost_per_young_person"] == 1_800.0
    assert tiers.loc["core", "spend"] == 150_000.0
    cost = tier_costs.cost_per_young_person(
        scope=SYSTEM, area_code=AVON, financial_year=2024, by="intervention"
    )
    assert cost["label"].tolist() == ["Mentoring"]

    lad = spending.spend_by_quarter(
        scope=SYSTEM, area_code=BRISTOL, financial_year=2024
    )
    assert lad["spend"].tolist() == [30_000.0, 0.0, 150_000.0]
    assert lad["allocation"].isna().all()

    one = spending.intervention_quarters(
        scope=SYSTEM, intervention_id=ids["mentoring"], financial_year=2024
    )
    assert one["young_people"].tolist() == [40, 60]
    assert one["cost_per_young_person"].tolist() == [750.0, 2_500.0]

    figures = funding_allocations.allocations(area_code=AVON, financial_year=2024)
    assert figures["is_preferred"].tolist() == [True, False]
    assert figures["illustrative"].tolist() == [False, True]
    assert funding_allocations.default_year(area_code=AVON) == 2024
