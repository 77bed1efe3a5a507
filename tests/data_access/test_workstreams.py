"""Workstream measures over the shipped data, on SQLite and PostgreSQL: who sees
which workstreams (a lead's own first), RAG by polarity against the target in
force, completeness counts and returns due, disclosure control for scoped users."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from data_access import db, workstreams
from data_access.errors import AccessDenied, NotFound
from data_access.models import Area, Measure, MeasureValue, Workstream
from data_access.scope import SYSTEM, Scope
from data_access.statistics import RAG_RULE_TEXT, rag_status

LANCASHIRE = "E23000003"
AVON = "E23000036"
VIEWER_LANCS = Scope(role="viewer", area_codes=frozenset({LANCASHIRE}))
VIEWER_AVON = Scope(role="viewer", area_codes=frozenset({AVON}))


def _lancashire_ids() -> dict[str, int]:
    with db.session_scope() as session:
        return dict(
            session.execute(
                select(Workstream.name, Workstream.id)
                .join(Area, Area.id == Workstream.vru_area_id)
                .where(Area.code == LANCASHIRE)
            ).all()
        )


def _percent_codes() -> set[str]:
    with db.session_scope() as session:
        return set(session.scalars(select(Measure.code).where(Measure.unit == "%")))


def test_lancashire_has_its_six_workstreams_with_measures(loaded_store):
    table = workstreams.workstream_list(scope=SYSTEM, area_code=LANCASHIRE)
    assert len(table) == 6
    assert "Accident and Emergency Navigators" in set(table["name"])
    assert (table["measures"] >= 2).all()
    assert (
        table["green"] + table["amber"] + table["red"] + table["other"]
        == table["measures"]
    ).all()
    assert table.columns.tolist() == workstreams.WORKSTREAM_COLUMNS


def test_who_sees_which_workstreams(loaded_store):
    everything = workstreams.workstream_list(scope=SYSTEM)
    assert everything["vru_code"].nunique() > 5
    mine = workstreams.workstream_list(scope=VIEWER_LANCS)
    assert set(mine["vru_code"]) == {LANCASHIRE} and len(mine) == 6
    with pytest.raises(AccessDenied):
        workstreams.workstream_list(scope=VIEWER_LANCS, area_code=AVON)
    with pytest.raises(AccessDenied):
        workstreams.workstream_list(scope=Scope(role="public"))
    avon_ws = workstreams.workstream_list(scope=SYSTEM, area_code=AVON).iloc[0]
    for call in (
        workstreams.workstream_detail,
        workstreams.measure_status,
        workstreams.measure_trends,
        workstreams.completeness,
    ):
        with pytest.raises(AccessDenied):
            call(scope=VIEWER_LANCS, workstream_id=int(avon_ws.workstream_id))
        call(scope=VIEWER_AVON, workstream_id=int(avon_ws.workstream_id))
    with pytest.raises(NotFound):
        workstreams.workstream_detail(scope=SYSTEM, workstream_id=10**7)
    with pytest.raises(NotFound):
        workstreams.workstream_detail(scope=SYSTEM, workstream_id="abc")


def test_a_lead_sees_their_own_workstream_first(loaded_store):
    own = _lancashire_ids()["Lancashire Divert Programme"]
    lead = Scope(role="lead", area_codes=frozenset({LANCASHIRE}), workstream_id=own)
    table = workstreams.workstream_list(scope=lead)
    assert table.iloc[0]["workstream_id"] == own and table.iloc[0]["own"]
    assert table["own"].sum() == 1
    assert workstreams.workstream_detail(scope=lead, workstream_id=own)["own"]


def test_rag_respects_polarity_and_the_target_in_force(loaded_store):
    status = workstreams.measure_status(
        scope=SYSTEM,
        workstream_id=_lancashire_ids()["Accident and Emergency Navigators"],
    )
    assert set(status["polarity"]) == {"lower_is_better", "higher_is_better"}
    for row in status.itertuples():
        assert row.rag == rag_status(
            value=row.latest_value, target=row.target, polarity=row.polarity
        )
        assert row.rag_label == workstreams.RAG_LABELS[row.rag]
        assert row.rag_rule == RAG_RULE_TEXT[row.polarity]
        assert row.latest_period == "2025/26 Q1"
    # The target compared is the one for the latest value's financial year.
    trends = workstreams.measure_trends(
        scope=SYSTEM,
        workstream_id=_lancashire_ids()["Accident and Emergency Navigators"],
    )
    last = trends.groupby("measure_code").tail(1).set_index("measure_code")
    for row in status.itertuples():
        assert last.loc[row.measure_code, "target"] == row.target
        assert last.loc[row.measure_code, "value"] == row.latest_value
    # Same value and target, opposite polarities, opposite ratings.
    lower = rag_status(value=10, target=8, polarity="lower_is_better")
    higher = rag_status(value=10, target=8, polarity="higher_is_better")
    assert (lower, higher) == ("red", "green")


def test_completeness_counts_expected_and_received_quarters(loaded_store, monkeypatch):
    ws_id = _lancashire_ids()["Accident and Emergency Navigators"]
    assert workstreams.reporting_quarter() == dt.date(2025, 7, 1)  # 2025/26 Q2
    # The app's clock: the day after 2025/26 Q2's return was due (31 October).
    monkeypatch.setenv("VRU_AS_AT", "2025-11-01")
    status = workstreams.measure_status(scope=SYSTEM, workstream_id=ws_id)
    with db.session_scope() as session:
        received = dict(
            session.execute(
                select(Measure.code, func.count(MeasureValue.id))
                .join(MeasureValue, MeasureValue.measure_id == Measure.id)
                .where(
                    Measure.code.in_(status["measure_code"].tolist()),
                    MeasureValue.is_current,
                )
                .group_by(Measure.code)
            ).all()
        )
    # Lancashire began in 2019/20 Q1: 26 quarters due by 31 October 2025.
    for row in status.itertuples():
        assert row.expected == 26
        assert row.received == received[row.measure_code]
        assert row.late == row.expected - row.received
        assert row.next_due == dt.date(2026, 1, 31)
    returns = workstreams.completeness(scope=SYSTEM, workstream_id=ws_id)
    assert len(returns) == 27  # 26 due, then the next one
    assert returns.iloc[-1]["status"] == "Not yet due"
    assert returns.iloc[-1]["period"] == "2025/26 Q3"
    due = returns.iloc[:-1]
    late = due[due["status"] != "Received"]
    assert (late["measures_expected"] - late["measures_received"]).sum() == (
        status["late"].sum()
    )
    listed = workstreams.workstream_list(scope=SYSTEM, area_code=LANCASHIRE)
    row = listed[listed["workstream_id"] == ws_id].iloc[0]
    assert row["expected_returns"] == status["expected"].sum()
    assert row["late_returns"] == status["late"].sum()
    # On Q2's due date it is not yet expected (not late); a day after Q3's due
    # date, Q3 is.
    on_the_day = workstreams.measure_status(
        scope=SYSTEM, workstream_id=ws_id, as_at=dt.date(2025, 10, 31)
    )
    assert (on_the_day["expected"] == 25).all()
    later = workstreams.measure_status(
        scope=SYSTEM, workstream_id=ws_id, as_at=dt.date(2026, 2, 1)
    )
    assert (later["expected"] == 27).all()


def test_scoped_users_get_small_counts_hidden_with_their_rating(loaded_store):
    ws_id = _lancashire_ids()["Accident and Emergency Navigators"]
    full = workstreams.measure_trends(scope=SYSTEM, workstream_id=ws_id)
    shown = workstreams.measure_trends(scope=VIEWER_LANCS, workstream_id=ws_id)
    assert not full["suppressed"].any()
    pct = full["measure_code"].isin(_percent_codes())
    small = full["value"].between(1, 7) & ~pct
    assert small.any()
    assert (shown["suppressed"] == small).all()
    assert shown.loc[small, "value"].isna().all()
    assert (shown.loc[small, "rag"] == "not shown").all()
    # Percentages are not counts: never hidden.
    pd.testing.assert_series_equal(
        shown.loc[pct, "value"], full.loc[pct, "value"], check_names=False
    )
