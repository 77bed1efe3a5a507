"""/returns and /workstreams agree on when each quarterly return is due and whether
it is late, for a fixed as-at date (VRU_AS_AT), including on the due date itself:
both read data_access.returns_due and data_access.clock."""

from __future__ import annotations

import datetime as dt

import pytest

from data_access import returns_due, workstreams
from data_access.returns import submissions
from data_access.scope import SYSTEM

WORKSTREAM_LATE = {"Late", "Partly received – late"}


def test_the_due_date_is_the_end_of_the_following_month_and_late_the_day_after():
    # 2025/26 Q2 (July to September) ends 30 September: due 31 October 2025.
    q2 = dt.date(2025, 7, 1)
    assert returns_due.due_date(q2) == dt.date(2025, 10, 31)
    assert returns_due.due_date(dt.date(2025, 10, 1)) == dt.date(2026, 1, 31)
    assert returns_due.due_date(dt.date(2026, 1, 1)) == dt.date(2026, 4, 30)
    assert not returns_due.is_late(q2, as_at=dt.date(2025, 10, 31))
    assert returns_due.is_late(q2, as_at=dt.date(2025, 11, 1))
    # Received on the due date is on time; the day after is late, whatever today.
    assert not returns_due.is_late(
        q2, as_at=dt.date(2026, 5, 1), received_on=dt.date(2025, 10, 31)
    )
    assert returns_due.is_late(
        q2, as_at=dt.date(2025, 11, 2), received_on=dt.date(2025, 11, 1)
    )


def test_the_clock_is_vru_as_at_or_today(monkeypatch):
    from data_access import clock

    monkeypatch.setenv("VRU_AS_AT", "2026-03-31")
    assert clock.today() == dt.date(2026, 3, 31)
    monkeypatch.delenv("VRU_AS_AT")
    assert clock.today() == dt.date.today()
    monkeypatch.setenv("VRU_AS_AT", "31/03/2026")
    with pytest.raises(ValueError, match="VRU_AS_AT"):
        clock.today()


@pytest.mark.parametrize(
    "as_at",
    [
        "2025-10-31",  # 2025/26 Q2's due date: due, not late
        "2025-11-01",  # the day after: late where not received
        "2026-02-01",  # Q3 (no figures in the demo) late everywhere
    ],
)
def test_returns_and_workstreams_agree_on_due_and_late(
    loaded_store, monkeypatch, as_at
):
    monkeypatch.setenv("VRU_AS_AT", as_at)
    today = dt.date.fromisoformat(as_at)
    frame = submissions.completeness(scope=SYSTEM)
    assert not frame.empty
    compared, late_seen, due_seen = 0, 0, 0
    for ws_id, rows in frame.groupby("workstream_id"):
        shown = workstreams.completeness(scope=SYSTEM, workstream_id=int(ws_id))
        shown = shown.set_index("period_start")
        for row in rows.itertuples():
            if row.period_start not in shown.index:
                continue  # before the workstream began
            other = shown.loc[row.period_start]
            assert other["due_date"] == row.due_date
            workstream_late = other["status"] in WORKSTREAM_LATE
            assert workstream_late == (row.late and not row.received), (ws_id, row)
            assert (other["status"] == "Not yet due") == (row.status == "due")
            assert (other["status"] == "Received") == bool(row.received)
            compared += 1
            late_seen += workstream_late
            due_seen += row.status == "due"
    assert compared > 100
    if today == dt.date(2025, 10, 31):
        assert due_seen and not frame[frame["period"] == "2025/26 Q2"]["late"].any()
    if today == dt.date(2026, 2, 1):
        assert late_seen
