"""The pre-aggregated activity tables (output_summary, spend_summary) on SQLite and
PostgreSQL.

- Every reader switched to them (tier_activity.tier_summary, reach_over_time,
  area_breakdown, area_totals; board_overview.reach_by_tier, changes_since_last_quarter;
  spending.quarter_spend, money_forecast) gives exactly what the raw-table
  aggregation gave on the shipped data. The raw queries below are the readers'
  queries as they were before the summaries (data_access/activity.py
  `_outputs_where` and `_spend_where`, trends.py `_reach` and `_spend_by_quarter`,
  finance.py `_spend_by_quarter` for local authorities).
- An approved or restored return updates the summaries; an upload (not current), a
  rejected file and an approval that fails part-way leave them unchanged.
- Migration 0002 fills the tables from the rows already in a store.
- The scale generator leaves them consistent with its raw rows.
"""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import Integer, case, cast, func, insert, select
from sqlalchemy.orm import aliased

from data_access import board_overview, cache, db, migrate, periods, scale
from data_access.activity import (
    activity_filters,
    area_activity,
    reach_rule,
    tier_activity,
)
from data_access.activity.summaries import (
    output_summary_select,
    refresh_activity_summaries,
    spend_summary_select,
)
from data_access.models import (
    OUTPUT_TYPES,
    TIERS,
    Area,
    Intervention,
    InterventionOutput,
    OutputSummary,
    Source,
    Spend,
    SpendSummary,
)
from data_access.money import outturn, spending
from data_access.returns import workflow
from data_access.scope import SYSTEM
from tests.data_access.test_returns import (  # noqa: F401 - `world` is a fixture
    as_csv,
    filled,
    upload,
    world,
)

WINDOWS = [(None, None), (dt.date(2020, 4, 1), dt.date(2022, 3, 31))]


# ------------------------------------------------- the raw queries, as they were


def _flag():
    return func.max(cast(Source.illustrative, Integer))


def _key_start(key):
    return None if key is None else periods.quarter_bounds(key // 10, key % 10)[0]


def _raw_outputs_where(query, area_code, lad_code, first, last):
    vru = aliased(Area)
    query = (
        query.select_from(InterventionOutput)
        .join(Intervention, Intervention.id == InterventionOutput.intervention_id)
        .join(vru, vru.id == Intervention.vru_area_id)
        .join(Source, Source.id == InterventionOutput.source_id)
        .where(vru.code == area_code, InterventionOutput.is_current)
    )
    if lad_code:
        lad = aliased(Area)
        query = query.join(lad, lad.id == Intervention.delivering_area_id).where(
            lad.code == lad_code
        )
    if first is not None:
        query = query.where(InterventionOutput.period_start >= _key_start(first))
    if last is not None:
        query = query.where(InterventionOutput.period_start <= _key_start(last))
    return query


def _raw_spend_where(query, area_code, lad_code, first, last, *, outer=True):
    vru = aliased(Area)
    query = query.select_from(Spend)
    join = query.outerjoin if outer and not lad_code else query.join
    query = (
        join(Intervention, Intervention.id == Spend.intervention_id)
        .join(vru, vru.id == Spend.area_id)
        .join(Source, Source.id == Spend.source_id)
        .where(vru.code == area_code, Spend.is_current)
    )
    if lad_code:
        lad = aliased(Area)
        query = query.join(lad, lad.id == Intervention.delivering_area_id).where(
            lad.code == lad_code
        )
    key = Spend.financial_year * 10 + Spend.quarter
    if first is not None:
        query = query.where(key >= first)
    if last is not None:
        query = query.where(key <= last)
    return query


def _rows(query) -> list[tuple]:
    with db.session_scope() as session:
        return [tuple(r) for r in session.execute(query).all()]


def _money(value) -> float:
    return 0.0 if value is None else float(value)


def _old_trends_reach(area_code: str) -> pd.DataFrame:
    """trends._reach as it was (raw intervention_output)."""
    with db.session_scope() as session:
        rows = session.execute(
            select(
                Intervention.tier,
                InterventionOutput.period_start,
                func.sum(InterventionOutput.value),
                _flag(),
            )
            .join(Intervention, Intervention.id == InterventionOutput.intervention_id)
            .join(Area, Area.id == Intervention.vru_area_id)
            .join(Source, Source.id == InterventionOutput.source_id)
            .where(
                Area.code == area_code,
                InterventionOutput.is_current,
                InterventionOutput.output_type == "young_people_supported",
                InterventionOutput.age_band == "all",
            )
            .group_by(Intervention.tier, InterventionOutput.period_start)
            .order_by(InterventionOutput.period_start, Intervention.tier)
        ).all()
    frame = pd.DataFrame(
        rows, columns=["tier", "period_start", "young_people", "illustrative"]
    )
    frame["young_people"] = frame["young_people"].astype(float)
    frame["illustrative"] = frame["illustrative"].fillna(0).astype(bool)
    return frame


def _old_quarter_spend(area_code: str, level: str) -> pd.DataFrame:
    """Spend by year and quarter over the raw spend rows, as trends._spend_by_quarter
    (force areas) and spending._spend_by_quarter (local authorities, by delivering
    area) read it before spending.quarter_spend."""
    by = Spend.area_id if level == "pfa" else Intervention.delivering_area_id
    with db.session_scope() as session:
        rows = session.execute(
            select(Spend.financial_year, Spend.quarter, func.sum(Spend.amount), _flag())
            .outerjoin(Intervention, Intervention.id == Spend.intervention_id)
            .join(Area, Area.id == by)
            .join(Source, Source.id == Spend.source_id)
            .where(Area.code == area_code, Spend.is_current)
            .group_by(Spend.financial_year, Spend.quarter)
            .order_by(Spend.financial_year, Spend.quarter)
        ).all()
    frame = pd.DataFrame(
        rows, columns=["financial_year", "quarter", "amount", "illustrative"]
    )
    frame["financial_year"] = frame["financial_year"].astype(int)
    frame["quarter"] = frame["quarter"].astype(int)
    frame["amount"] = frame["amount"].astype(float)
    frame["illustrative"] = frame["illustrative"].fillna(0).astype(bool)
    return frame


# --------------------------------------------------------------------- helpers


def _vrus_and_lads() -> dict[str, list[str]]:
    """Force areas with interventions, and the local authorities delivering them."""
    vru, lad = aliased(Area), aliased(Area)
    with db.session_scope() as session:
        rows = session.execute(
            select(vru.code, lad.code, lad.level)
            .select_from(Intervention)
            .join(vru, vru.id == Intervention.vru_area_id)
            .join(lad, lad.id == Intervention.delivering_area_id)
            .distinct()
        ).all()
    found: dict[str, list[str]] = {}
    for vru_code, lad_code, level in sorted(rows):
        found.setdefault(vru_code, [])
        if level == "lad":
            found[vru_code].append(lad_code)
    return found


def _keys(start, end):
    return activity_filters._period_keys(start, end)


def _summary_rows() -> dict[str, list[tuple]]:
    """Both summary tables' content, without surrogate ids, in a stable order."""
    out = OutputSummary.__table__
    sp = SpendSummary.__table__
    with db.session_scope() as session:
        outputs = session.execute(
            select(*(c for c in out.c)).order_by(*out.primary_key.columns)
        ).all()
        spend = session.execute(select(*(c for c in sp.c if c.name != "id"))).all()
    return {
        "outputs": [tuple(r) for r in outputs],
        "spend": sorted((tuple(r) for r in spend), key=repr),
    }


def _rebuilt_from_raw() -> dict[str, list[tuple]]:
    """What the summaries should hold now: the GROUP BY over the current raw rows."""
    with db.session_scope() as session:
        outputs = session.execute(output_summary_select()).all()
        spend = session.execute(spend_summary_select()).all()
    return {
        "outputs": sorted(tuple(r) for r in outputs),
        "spend": sorted((tuple(r) for r in spend), key=repr),
    }


def _normalise(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """Column order and types as the GROUP BY gives them (ints and 2-dp money)."""
    outputs = sorted(
        (vru, lad, tier, start, kind, band, bool(ill), int(value))
        for vru, kind, band, start, lad, tier, ill, value in rows["outputs"]
    )
    spend = sorted(
        (
            (area, lad, tier, fy, q, bool(ill), round(float(amount), 2))
            for area, lad, tier, fy, q, ill, amount in rows["spend"]
        ),
        key=repr,
    )
    return {"outputs": outputs, "spend": spend}


def _normalise_raw(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    outputs = sorted(
        (vru, lad, tier, start, kind, band, bool(ill), int(value))
        for vru, lad, tier, start, kind, band, ill, value in rows["outputs"]
    )
    spend = sorted(
        (
            (area, lad, tier, fy, q, bool(ill), round(float(amount), 2))
            for area, lad, tier, fy, q, ill, amount in rows["spend"]
        ),
        key=repr,
    )
    return {"outputs": outputs, "spend": spend}


def _assert_current():
    """The summaries hold exactly the GROUP BY of the current raw rows."""
    assert _normalise(_summary_rows()) == _normalise_raw(_rebuilt_from_raw())


# ------------------------------------------- readers = raw aggregation (shipped)


def test_the_summaries_hold_the_current_raw_rows_grouped(loaded_store):
    _assert_current()
    with db.session_scope() as session:
        raw_outputs = session.scalar(
            select(func.count())
            .select_from(InterventionOutput)
            .where(InterventionOutput.is_current)
        )
        summary_outputs = session.scalar(
            select(func.count()).select_from(OutputSummary)
        )
    # Fewer rows than the raw table, or the summary would not be worth having.
    assert 0 < summary_outputs < raw_outputs


def test_tier_summary_matches_the_raw_aggregation(loaded_store):
    for area, lads in _vrus_and_lads().items():
        for lad in [None, *lads]:
            for start, end in WINDOWS:
                first, last = _keys(start, end)
                frame = tier_activity.tier_summary(
                    scope=SYSTEM, area_code=area, lad_code=lad, start=start, end=end
                ).set_index("tier")
                outputs = _rows(
                    _raw_outputs_where(
                        select(
                            Intervention.tier,
                            InterventionOutput.output_type,
                            InterventionOutput.age_band,
                            func.sum(InterventionOutput.value),
                            _flag(),
                        ),
                        area, lad, first, last,
                    ).group_by(
                        Intervention.tier,
                        InterventionOutput.output_type,
                        InterventionOutput.age_band,
                    )
                )  # fmt: skip
                spend = _rows(
                    _raw_spend_where(
                        select(Intervention.tier, func.sum(Spend.amount), _flag()),
                        area, lad, first, last, outer=False,
                    ).group_by(Intervention.tier)
                )  # fmt: skip
                expected = {
                    t: {**dict.fromkeys(OUTPUT_TYPES, 0), "young_people_under25": 0}
                    for t in TIERS
                }
                ill = dict.fromkeys(TIERS, False)
                for tier, kind, band, total, flag in outputs:
                    if band == "under25" and kind == "young_people_supported":
                        expected[tier]["young_people_under25"] += int(total)
                    elif band == "all":
                        expected[tier][kind] += int(total)
                    ill[tier] |= bool(flag)
                for tier in TIERS:
                    expected[tier]["spend"] = 0.0
                for tier, total, flag in spend:
                    expected[tier]["spend"] = _money(total)
                    ill[tier] |= bool(flag)
                plan = tier_activity.tier_plan(
                    scope=SYSTEM, area_code=area, lad_code=lad
                )
                years = plan["financial_year"]
                if first is not None:
                    plan = plan[(years >= first // 10) & (years <= last // 10)]
                for tier in TIERS:
                    got = frame.loc[tier]
                    for column, value in expected[tier].items():
                        assert got[column] == value, (area, lad, start, tier, column)
                    assert bool(got["illustrative"]) == (
                        ill[tier] or bool(plan["illustrative"].any())
                    )
                total = sum(expected[t]["spend"] for t in TIERS)
                if total:
                    shares = [expected[t]["spend"] / total for t in TIERS]
                    assert frame["spend_share"].tolist() == pytest.approx(shares)


def test_reach_over_time_matches_the_raw_aggregation(loaded_store):
    for area, lads in _vrus_and_lads().items():
        combos = [(None, kind, band) for kind in OUTPUT_TYPES for band in ("all",)]
        combos += [(lad, "young_people_supported", "under25") for lad in [None, *lads]]
        for lad, kind, band in combos:
            for start, end in WINDOWS:
                first, last = _keys(start, end)
                got = reach_rule.reach_over_time(
                    scope=SYSTEM, area_code=area, lad_code=lad, start=start,
                    end=end, output_type=kind, age_band=band,
                )  # fmt: skip
                rows = _rows(
                    _raw_outputs_where(
                        select(
                            InterventionOutput.period_start,
                            Intervention.tier,
                            func.sum(InterventionOutput.value),
                            _flag(),
                        ),
                        area, lad, first, last,
                    )
                    .where(
                        InterventionOutput.output_type == kind,
                        InterventionOutput.age_band == band,
                    )
                    .group_by(InterventionOutput.period_start, Intervention.tier)
                    .order_by(InterventionOutput.period_start, Intervention.tier)
                )  # fmt: skip
                expected = pd.DataFrame(
                    [
                        {
                            "period_start": s,
                            "period": periods.quarter_label(s),
                            "tier": tier,
                            "tier_label": activity_filters.TIER_LABELS[tier],
                            "value": int(value),
                            "illustrative": bool(flag),
                        }
                        for s, tier, value, flag in rows
                    ],
                    columns=reach_rule.REACH_COLUMNS,
                )
                pd.testing.assert_frame_equal(got, expected)


def test_area_breakdown_and_totals_match_the_raw_aggregation(loaded_store):
    for area, lads in _vrus_and_lads().items():
        for start, end in WINDOWS:
            first, last = _keys(start, end)
            d_out, d_spend = aliased(Area), aliased(Area)
            outputs = _rows(
                _raw_outputs_where(
                    select(d_out.code, func.sum(InterventionOutput.value), _flag()),
                    area, None, first, last,
                )
                .join(d_out, d_out.id == Intervention.delivering_area_id)
                .where(
                    InterventionOutput.output_type == "young_people_supported",
                    InterventionOutput.age_band == "all",
                )
                .group_by(d_out.code)
            )  # fmt: skip
            spend = _rows(
                _raw_spend_where(
                    select(d_spend.code, func.sum(Spend.amount), _flag()),
                    area, None, first, last,
                )
                .outerjoin(d_spend, d_spend.id == Intervention.delivering_area_id)
                .group_by(d_spend.code)
            )  # fmt: skip
            got = area_activity.area_breakdown(
                scope=SYSTEM, area_code=area, start=start, end=end
            )
            by_code = {
                # The core unit's row has no code (NaN in the frame).
                None if r.kind == "core" else r.code: (
                    r.young_people_supported,
                    r.spend,
                    r.illustrative,
                )
                for r in got.itertuples()
            }
            out = {c: (int(v), bool(f)) for c, v, f in outputs}
            sp = {c: (_money(v), bool(f)) for c, v, f in spend}
            assert set(out) | set(sp) <= set(by_code)
            for code, (supported, amount, flag) in by_code.items():
                o_v, o_f = out.get(code, (0, False))
                s_v, s_f = sp.get(code, (0.0, False))
                assert (supported, amount, flag) == (o_v, s_v, o_f or s_f), code

            for lad in [None, *lads]:
                totals = area_activity.area_totals(
                    scope=SYSTEM, area_code=area, lad_code=lad, start=start, end=end
                )
                bands = {
                    band: (int(v), bool(f))
                    for band, v, f in _rows(
                        _raw_outputs_where(
                            select(
                                InterventionOutput.age_band,
                                func.sum(InterventionOutput.value),
                                _flag(),
                            ),
                            area,
                            lad,
                            first,
                            last,
                        )
                        .where(
                            InterventionOutput.output_type == "young_people_supported"
                        )
                        .group_by(InterventionOutput.age_band)
                    )  # fmt: skip
                }
                core_amount = case(
                    (Spend.intervention_id.is_(None), Spend.amount), else_=0
                )
                on_items = case(
                    (Spend.intervention_id.is_not(None), Spend.amount), else_=0
                )
                ((core, on, spend_flag),) = _rows(
                    _raw_spend_where(
                        select(func.sum(core_amount), func.sum(on_items), _flag()),
                        area, lad, first, last,
                    )
                )  # fmt: skip
                expected = {
                    "young_people_supported": bands.get("all", (0, False))[0],
                    "young_people_under25": bands.get("under25", (0, False))[0],
                    "spend": _money(core) + _money(on),
                    "spend_interventions": _money(on),
                    "spend_core": _money(core),
                    "illustrative": bool(spend_flag)
                    or any(f for _v, f in bands.values()),
                }
                assert {k: totals[k] for k in expected} == expected, (area, lad)


def test_overview_reach_and_money_match_the_raw_aggregation(loaded_store, monkeypatch):
    areas = list(_vrus_and_lads())
    new = {}
    for area in areas:
        new[area] = (
            board_overview.reach_by_tier(scope=SYSTEM, area_code=area),
            board_overview.changes_since_last_quarter(scope=SYSTEM, area_code=area),
            outturn.money_forecast(scope=SYSTEM, area_code=area),
        )
    # The same public functions over the raw tables, as they were.
    monkeypatch.setattr(
        board_overview, "_reach_by_quarter", lambda scope, code: _old_trends_reach(code)
    )
    monkeypatch.setattr(spending, "_quarter_spend", _old_quarter_spend)
    for area in areas:
        by_tier, changes, forecast = new[area]
        assert by_tier["total"] > 0
        old_tier = board_overview.reach_by_tier(scope=SYSTEM, area_code=area)
        pd.testing.assert_frame_equal(by_tier.pop("tiers"), old_tier.pop("tiers"))
        assert by_tier == old_tier
        assert changes == board_overview.changes_since_last_quarter(
            scope=SYSTEM, area_code=area
        )
        assert forecast == outturn.money_forecast(scope=SYSTEM, area_code=area)


def test_quarter_spend_matches_the_raw_aggregation(loaded_store):
    """spending.quarter_spend (the one spend-by-quarter reader, from spend_summary)
    gives what summing the raw spend rows gives, for force areas and their local
    authorities (a local authority's spend is what it delivers)."""
    for vru, lads in _vrus_and_lads().items():
        for code, level in [(vru, "pfa"), *((lad, "lad") for lad in lads)]:
            spend = spending.quarter_spend(scope=SYSTEM, area_code=code)
            assert not spend.empty, code
            pd.testing.assert_frame_equal(spend, _old_quarter_spend(code, level))


# ------------------------------------------------------ kept current by writers


def _lancashire_tiers() -> pd.DataFrame:
    return tier_activity.tier_summary(scope=SYSTEM, area_code="E23000003").set_index(
        "tier"
    )


def test_an_approved_return_updates_the_summaries(world, monkeypatch):  # noqa: F811
    monkeypatch.setattr(cache, "invalidate", lambda *_: None)
    lead, admin = world["lead"], world["admin"]
    # The world is built row by row, as a test store: summarise it as a load would.
    with db.session_scope() as session:
        refresh_activity_summaries(session)
    _assert_current()
    assert _lancashire_tiers().loc["secondary", "referrals"] == 999
    before = _summary_rows()

    # A draft's figures are not current: the summaries do not change.
    first = upload(world, as_csv(filled(world)))
    assert first.accepted
    workflow.submit_return(scope=lead, submission_id=first.submission_id)
    assert _summary_rows() == before

    workflow.approve_return(scope=admin, submission_id=first.submission_id)
    _assert_current()
    assert _summary_rows() != before
    tiers = _lancashire_tiers()
    assert tiers.loc["secondary", "referrals"] == 10  # replaced the 999
    assert tiers.loc["tertiary", "young_people_under25"] == 4
    assert tiers["spend"].sum() == pytest.approx(300.0)
    approved = _summary_rows()

    # An approval that fails after the flip rolls the summaries back with it.
    frame = filled(world)
    frame.loc[frame.record == "output", "value"] = 20
    frame.loc[frame.age_band == "under25", "value"] = 5
    second = upload(world, as_csv(frame))
    workflow.submit_return(scope=lead, submission_id=second.submission_id)
    real_set_status = workflow._set_status

    def failing(session, scope, submission, status, action, **kw):
        if action == "approve_return":
            raise RuntimeError("the store failed mid-approval")
        return real_set_status(session, scope, submission, status, action, **kw)

    monkeypatch.setattr(workflow, "_set_status", failing)
    with pytest.raises(RuntimeError):
        workflow.approve_return(scope=admin, submission_id=second.submission_id)
    assert _summary_rows() == approved
    monkeypatch.setattr(workflow, "_set_status", real_set_status)

    # A rejected file changes nothing either.
    bad = filled(world)
    bad.loc[bad.record == "output", "value"] = -1
    assert not upload(world, as_csv(bad)).accepted
    assert _summary_rows() == approved

    workflow.approve_return(scope=admin, submission_id=second.submission_id)
    _assert_current()
    assert _lancashire_tiers().loc["secondary", "referrals"] == 20

    # Restoring the first return is reflected too.
    workflow.restore_submission(scope=admin, submission_id=first.submission_id)
    _assert_current()
    assert _summary_rows() == approved


def test_a_failed_write_leaves_the_summaries_unchanged(loaded_store):
    """The refresh runs in the writer's transaction (the loaded store is shared,
    so this write is rolled back by design)."""
    before = _summary_rows()
    with db.session_scope() as session:
        existing = session.scalars(
            select(InterventionOutput).where(InterventionOutput.is_current)
        ).first()
    with pytest.raises(RuntimeError):
        with db.session_scope() as session:
            session.execute(
                InterventionOutput.__table__.update()
                .where(InterventionOutput.id == existing.id)
                .values(value=existing.value + 1000)
            )
            refresh_activity_summaries(session)
            assert _changed_in(session, before)
            raise RuntimeError("the import failed after the refresh")
    assert _summary_rows() == before


def _changed_in(session, before) -> bool:
    total = session.scalar(select(func.sum(OutputSummary.value)))
    return int(total) == sum(int(r[-1]) for r in before["outputs"]) + 1000


# ------------------------------------------------------------------ migration


def test_the_migration_fills_the_tables_from_existing_rows(world):  # noqa: F811
    """A store at 0001 holding outputs and spend (current, superseded, core unit,
    real and illustrative sources) is summarised in place by the upgrade."""
    migrate.downgrade("0001")
    with db.session_scope() as session:
        vru = session.scalar(select(Area).where(Area.code == "E23000003"))
        item = session.scalar(
            select(Intervention).where(Intervention.id == world["iv1"])
        )
        # Core insert of the columns a 0001 store has: the ORM model would also
        # write columns that later migrations add (source.reference_date).
        session.execute(
            insert(Source.__table__).values(
                key="ill", publisher="t", title="t", licence="x", illustrative=True
            )
        )
        ill_id = session.scalar(select(Source.id).where(Source.key == "ill"))
        real_id = session.scalar(select(Source.id).where(Source.key == "test"))
        q1 = (dt.date(2024, 4, 1), dt.date(2024, 6, 30))
        for value, current, source in ((5, True, real_id), (7, False, real_id)):
            session.add(
                InterventionOutput(
                    intervention_id=item.id, period_start=q1[0], period_end=q1[1],
                    output_type="sessions", age_band="all", value=value,
                    source_id=source, is_current=current,
                )
            )  # fmt: skip
        session.add(
            InterventionOutput(
                intervention_id=world["iv2"], period_start=q1[0], period_end=q1[1],
                output_type="sessions", age_band="all", value=11, source_id=ill_id,
            )
        )  # fmt: skip
        for iid, quarter, amount in (
            (item.id, 1, "120.50"),
            (None, 1, "80.25"),
            (None, 2, "1.25"),
        ):
            session.add(
                Spend(
                    area_id=vru.id, intervention_id=iid, financial_year=2024,
                    quarter=quarter, amount=Decimal(amount), source_id=real_id,
                )
            )  # fmt: skip
        vru_id, lad_id = vru.id, item.delivering_area_id
        iv2_tier = session.scalar(
            select(Intervention.tier).where(Intervention.id == world["iv2"])
        )
    migrate.upgrade()
    _assert_current()
    rows = _normalise(_summary_rows())
    assert (vru_id, lad_id, "tertiary", q1[0], "sessions", "all", False, 5) in rows[
        "outputs"
    ]  # the superseded 7 is not counted
    assert (vru_id, vru_id, iv2_tier, q1[0], "sessions", "all", True, 11) in rows[
        "outputs"
    ]
    assert rows["spend"] == sorted(
        [
            (vru_id, lad_id, "tertiary", 2024, 1, False, 120.5),
            (vru_id, None, None, 2024, 1, False, 80.25),
            (vru_id, None, None, 2024, 2, False, 1.25),
        ],
        key=repr,
    )
    # Downgrading drops them and upgrading again gives the same rows.
    migrate.downgrade("0001")
    migrate.upgrade()
    assert _normalise(_summary_rows()) == rows


# ---------------------------------------------------------------------- scale


def test_the_scale_generator_fills_the_summaries(store):
    counts = scale.generate_scale(rows=2_000)
    _assert_current()
    assert counts["output_summary"] > 0 and counts["spend_summary"] > 0
    with db.session_scope() as session:
        total = session.scalar(select(func.sum(OutputSummary.value)))
        raw = session.scalar(select(func.sum(InterventionOutput.value)))
    assert int(total) == int(raw)


def test_two_refreshes_of_one_vru_at_once_do_not_duplicate_rows(store):
    """PostgreSQL: the second refresh waits for the first to commit, then replaces
    its rows (without the lock both would insert: doubled spend)."""
    if not store.startswith("postgresql"):
        pytest.skip("row locks: SQLite has a single writer")
    scale.generate_scale(rows=500)
    with db.session_scope() as session:
        vru = session.scalar(select(func.min(Intervention.vru_area_id)))
    engine = db.get_engine()
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with engine.begin() as conn:
                refresh_activity_summaries(conn, {vru})
        except BaseException as error:  # noqa: BLE001 - reported by the assert
            errors.append(error)

    with engine.connect() as first:
        first.begin()
        refresh_activity_summaries(first, {vru})
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive()  # waiting for the first refresh's lock
        first.commit()
    thread.join(timeout=30)
    assert not thread.is_alive() and errors == []
    _assert_current()
