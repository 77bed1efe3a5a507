"""Commentary, sign-off, meetings, "since the last board", decisions and actions
(data_access.commentary, data_access.board) on SQLite and PostgreSQL.

The store (tests/data_access/board_store.py) sets every figure's arrival by hand,
so each expected line below is worked out from its docstring, not from the code.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import select, update

from data_access import board, commentary, db
from data_access.board_models import Commentary
from data_access.errors import AccessDenied, InvalidParameter
from data_access.models import AuditLog, MeasureValue
from data_access.outcomes import headlines
from tests.data_access import board_store as bs

HOSTILE = (
    '<script>alert(1)</script> <a href="javascript:alert(2)">click</a> '
    "<img src=x onerror=alert(3)> [x](javascript:alert(4)) & \"quotes\" 'too'"
)


@pytest.fixture
def cycle(store):
    return bs.build()


def _audit(action: str) -> list[dict]:
    with db.session_scope() as session:
        rows = session.execute(
            select(AuditLog.actor, AuditLog.before, AuditLog.after).where(
                AuditLog.action == action
            )
        ).all()
    return [
        {"actor": a, "before": json.loads(b) if b else None, "after": json.loads(c)}
        for a, b, c in rows
    ]


def test_commentary_versions_sign_off_and_four_eyes(cycle):
    s = cycle["scopes"]
    write = dict(vru_code=bs.AVON, measure_code=bs.KNIFE, quarter_start="2025/26 Q1")
    assert commentary.write_commentary(scope=s["analyst"], text=HOSTILE, **write) == 1
    # A stale writer (started from no version) loses nothing and is told.
    with pytest.raises(commentary.CommentaryChanged):
        commentary.write_commentary(scope=s["admin"], text="other", **write)
    assert (
        commentary.write_commentary(
            scope=s["admin"], text="Rose; why; next.", seen_version=1, **write
        )
        == 2
    )
    # The admin wrote version 2: they may not sign it off (four eyes) ...
    shown = commentary.commentary_for(scope=s["admin"], vru_code=bs.AVON)
    assert shown.iloc[0]["yours"] and not shown.iloc[0]["can_sign_off"]
    with pytest.raises(AccessDenied, match="four eyes"):
        commentary.sign_off(scope=s["admin"], version=2, **write)
    # ... nor can an analyst; another admin can, but only the latest version.
    with pytest.raises(AccessDenied):
        commentary.sign_off(scope=s["analyst"], version=2, **write)
    with pytest.raises(commentary.CommentaryChanged):
        commentary.sign_off(scope=s["admin2"], version=1, **write)
    commentary.sign_off(scope=s["admin2"], version=2, **write)
    with pytest.raises(commentary.CommentaryChanged):
        commentary.sign_off(scope=s["admin2"], version=2, **write)
    row = commentary.commentary_for(
        scope=s["avon-viewer"], vru_code=bs.AVON, quarter_start=dt.date(2025, 4, 1)
    ).iloc[0]
    assert (row["version"], row["status"], row["text"]) == (
        2,
        "signed_off",
        "Rose; why; next.",
    )
    assert row["author_role"] == "Title admin"
    assert row["signed_off_by_role"] == "Title admin2"
    versions = commentary.commentary_versions(scope=s["avon-lead"], **write)
    assert list(versions["version"]) == [2, 1]
    # Stored and returned exactly as written: plain text, never interpreted.
    assert versions.iloc[1]["text"] == HOSTILE
    assert "<script>" not in commentary.escaped_html(HOSTILE)
    assert "&lt;a href=&quot;javascript:alert(2)&quot;&gt;" in commentary.escaped_html(
        HOSTILE
    )
    # Every change in the audit log, by role title.
    written = _audit("write_commentary")
    assert [w["after"]["version"] for w in written] == [1, 2]
    assert written[1]["before"]["text"] == HOSTILE
    assert _audit("sign_off_commentary")[0]["actor"] == "Title admin2"
    # A new version after sign-off is a draft again.
    commentary.write_commentary(
        scope=s["analyst"], text="Later view.", seen_version=2, **write
    )
    again = commentary.commentary_for(scope=s["admin2"], vru_code=bs.AVON).iloc[0]
    assert (again["version"], again["status"], again["can_sign_off"]) == (
        3,
        "draft",
        True,
    )
    signed = commentary.commentary_for(
        scope=s["admin2"], vru_code=bs.AVON, signed_off_only=True
    ).iloc[0]
    assert signed["version"] == 2


def test_who_may_write_and_read_commentary(cycle):
    s = cycle["scopes"]
    ws = dict(vru_code=bs.AVON, measure_code=bs.REFERRALS, quarter_start="2025-07")
    # A lead writes on their own workstream's measures, not the success measures.
    commentary.write_commentary(scope=s["avon-lead"], text="Lead's note", **ws)
    with pytest.raises(AccessDenied):
        commentary.write_commentary(
            scope=s["avon-lead"],
            vru_code=bs.AVON,
            measure_code=bs.KNIFE,
            quarter_start="2025-07",
            text="x",
        )
    # Another VRU's lead, viewers and the public never write.
    for name in ("gmp-lead", "avon-viewer", "gmp-viewer"):
        with pytest.raises(AccessDenied):
            commentary.write_commentary(scope=s[name], text="x", seen_version=1, **ws)
    # Readers: the VRU's own viewer and lead, admins and analysts; not the
    # other VRU's viewer or lead.
    for name in ("admin", "analyst", "avon-viewer", "avon-lead"):
        frame = commentary.commentary_for(scope=s[name], vru_code=bs.AVON)
        assert list(frame["text"]) == ["Lead's note"], name
    for name in ("gmp-viewer", "gmp-lead"):
        with pytest.raises(AccessDenied):
            commentary.commentary_for(scope=s[name], vru_code=bs.AVON)
        with pytest.raises(AccessDenied):
            board.changes_since(
                scope=s[name], vru_code=bs.AVON, since_date="2025-06-01"
            )
        with pytest.raises(AccessDenied):
            board.actions_for(scope=s[name], vru_code=bs.AVON)
    # Bad input: a clear error, nothing written.
    bad = [
        dict(text="", seen_version=1),
        dict(text="x" * (commentary.MAX_CHARS + 1), seen_version=1),
        dict(text="nul\x00here", seen_version=1),
        dict(text="x", seen_version=1, quarter_start="2025-08"),
        dict(text="x", seen_version=1, measure_code=bs.GMP_MEASURE),
        dict(text="x", seen_version=1, vru_code=bs.SURREY),
    ]
    for extra in bad:
        with pytest.raises(InvalidParameter):
            commentary.write_commentary(scope=s["analyst"], **{**ws, **extra})
    with db.session_scope() as session:
        assert session.scalar(select(Commentary.version)) == 1
        assert len(session.scalars(select(Commentary)).all()) == 1


def test_commentary_written_before_a_revision_is_flagged(cycle):
    s = cycle["scopes"]
    ws = dict(vru_code=bs.AVON, measure_code=bs.REFERRALS, quarter_start="2025-07")
    commentary.write_commentary(scope=s["analyst"], text="Q2 note", **ws)
    # Written after the return of 20 January 2026 was approved: not flagged.
    assert (
        commentary.commentary_for(scope=s["analyst"], vru_code=bs.AVON).iloc[0][
            "revised_after"
        ]
        is None
    )
    # Pretend it was written on 1 January 2026, before that approval.
    with db.session_scope() as session:
        session.execute(
            update(Commentary).values(written_at=dt.datetime(2026, 1, 1, 9, 0))
        )
    row = commentary.commentary_for(scope=s["analyst"], vru_code=bs.AVON).iloc[0]
    assert row["revised_after"] == dt.date(2026, 1, 20)
    assert row["revised_note"] == (
        "Written before the figure was revised on 20 January 2026."
    )
    # The revision of another quarter (2025/26 Q1, also revised then) would flag
    # a Q1 commentary; one about 2024/25 Q4 has nothing revised in its quarter.
    commentary.write_commentary(
        scope=s["analyst"], text="Q4 note",
        **{**ws, "quarter_start": "2024/25 Q4"},
    )  # fmt: skip
    with db.session_scope() as session:
        session.execute(
            update(Commentary).values(written_at=dt.datetime(2026, 1, 1, 9, 0))
        )
    frame = commentary.commentary_for(
        scope=s["analyst"], vru_code=bs.AVON, quarter_start="2024/25 Q4"
    )
    assert frame.iloc[0]["revised_after"] is None


def test_meetings_and_what_changed_since_the_last_board(cycle):
    s = cycle["scopes"]
    for day in ("2025-06-01", "2026-02-01"):
        board.add_meeting(scope=s["admin"], vru_code=bs.AVON, meeting_date=day)
    with pytest.raises(InvalidParameter):
        board.add_meeting(scope=s["admin"], vru_code=bs.AVON, meeting_date="2025-06-01")
    with pytest.raises(AccessDenied):
        board.add_meeting(
            scope=s["analyst"], vru_code=bs.AVON, meeting_date="2025-07-01"
        )
    assert board.previous_meeting(bs.AVON, "2026-02-01") == dt.date(2025, 6, 1)
    assert board.previous_meeting(bs.AVON, "2025-06-01") is None
    assert board.last_meeting(scope=s["avon-viewer"], vru_code=bs.AVON) == dt.date(
        2025, 6, 1
    )  # the clock is 22 November 2025
    assert list(
        board.meetings(scope=s["avon-lead"], vru_code=bs.AVON)["meeting_date"]
    ) == [
        dt.date(2026, 2, 1),
        dt.date(2025, 6, 1),
    ]

    analyst = board.changes_since(
        scope=s["analyst"], vru_code=bs.AVON, since_date="2025-06-01"
    )
    lines = list(analyst["text"])
    assert lines[:4] == [
        "Knife offences: figures for 4 new periods received (2024/25 Q2 to "
        "2025/26 Q1); latest 330 in 2025/26 Q1.",
        # 100 -> 110 is 10%: listed; 100 -> 100.5 (0.5%) is not.
        "Knife offences, 2024/25 Q1: revised from 100 to 110 on 15 January 2026 "
        "(source: Edition B).",
        "Referrals (Navigators), 2025/26 Q1: revised from 3 to 5 on 20 January "
        "2026 (source: Quarterly return).",
        "Referrals (Navigators), 2025/26 Q2: revised from 40 to 60 on 20 January "
        "2026 (source: Quarterly return).",
    ]
    # RAG: 40 against a target of 50 (higher is better, amber within 5%: from
    # 47.5) was red; 60 is green.
    rag = analyst[analyst["kind"] == "RAG"].iloc[0]
    assert (rag["old"], rag["new"]) == ("Red", "Green")
    # Significance: flat 100s to 2024/25 Q1, then 150, 200, 260, 330 (the trend
    # road's own verdict, as the violence page shows it).
    sig = analyst[analyst["kind"] == "significance"].iloc[0]
    then = headlines.recent_trend(
        scope=s["analyst"], measure_code=bs.KNIFE, area_code=bs.AVON,
        end=dt.date(2024, 6, 30),
    )  # fmt: skip
    assert then["direction"] == "no significant change"
    assert sig["old"] == "no significant change"
    assert sig["new"] == "increasing (significant)"
    assert set(analyst["kind"]) == {"new figures", "revised", "RAG", "significance"}

    # The board member sees disclosed figures: 3 -> 5 are both hidden ("*"), so
    # that revision is not listed at all; 40 -> 60 are shown.
    viewer = board.changes_since(
        scope=s["avon-viewer"], vru_code=bs.AVON, since_date="2025-06-01"
    )
    revised = viewer[viewer["kind"] == "revised"]
    assert list(revised["period"]) == ["2024/25 Q1", "2025/26 Q2"]
    # Up to the end of 14 January 2026 edition B had not arrived: nothing but
    # the commentary-free, figure-free answer.
    early = board.changes_since(
        scope=s["analyst"], vru_code=bs.AVON, since_date="2025-06-01",
        as_at="2026-01-14",
    )  # fmt: skip
    assert set(early["kind"]) <= {"RAG", "significance"}
    assert not (early["kind"] == "revised").any()
    # Commentary written since is listed; nothing after the later meeting but it.
    commentary.write_commentary(
        scope=s["analyst"], vru_code=bs.AVON, measure_code=bs.KNIFE,
        quarter_start="2025/26 Q1", text="note",
    )  # fmt: skip
    after = board.changes_since(
        scope=s["analyst"], vru_code=bs.AVON, since_date="2026-02-01"
    )
    assert list(after[after["kind"] == "commentary"]["text"]) == [
        "Commentary on Knife offences for 2025/26 Q1: version 1 written by Title "
        "analyst, not yet signed off."
    ]
    assert not after["kind"].isin(["new figures", "revised"]).any()


def test_figures_known_at_a_moment_follow_the_current_rules(cycle):
    """At 'now' the known figure of every key is the current row; a revision's
    old figure is the one current before it arrived."""
    from data_access.figure_history import figure_history, known_at

    history = figure_history([bs.area_id(bs.AVON)])
    now = known_at(history, None)
    with db.session_scope() as session:
        current = set(
            session.scalars(select(MeasureValue.id).where(MeasureValue.is_current))
        )
    avon_current = set(history[history["is_current"]]["value_id"])
    assert set(now["value_id"]) == avon_current <= current
    far = known_at(history, dt.datetime(2099, 1, 1))
    assert set(far["value_id"]) == avon_current
    before = known_at(history, dt.datetime(2025, 6, 2))
    knife_q1 = before[
        (before["measure_code"] == bs.KNIFE)
        & (before["period_start"] == dt.date(2024, 4, 1))
    ]
    assert list(knife_q1["value"]) == [100]


def test_decisions_and_actions(cycle):
    s = cycle["scopes"]
    board.add_meeting(scope=s["admin"], vru_code=bs.AVON, meeting_date="2025-06-01")
    common = dict(vru_code=bs.AVON, measure_code=bs.KNIFE, quarter_start="2024/25 Q2")
    action = board.record_action(
        scope=s["admin"], kind="action", text="Ask the police why",
        owner_role="VRU Director", due_date="2025-10-01", decided_on="2025-06-01",
        **common,
    )  # fmt: skip
    board.record_action(
        scope=s["admin"], kind="decision", text="Fund more navigators",
        owner_role="VRU Board", **common,
    )  # fmt: skip
    later = board.record_action(
        scope=s["admin"], kind="action", text="Report back", owner_role="Analyst",
        due_date="2026-03-31", **{**common, "measure_code": bs.REFERRALS},
    )  # fmt: skip
    for bad in (
        dict(kind="action", text="x", owner_role="Lead"),  # no due date
        dict(kind="action", text="x", owner_role="a@b.org", due_date="2026-01-01"),
        dict(kind="vote", text="x", owner_role="Lead"),
        dict(kind="action", text="", owner_role="Lead", due_date="2026-01-01"),
        dict(kind="action", text="x", owner_role="Lead", due_date="soon"),
    ):
        with pytest.raises(InvalidParameter):
            board.record_action(scope=s["admin"], **common, **bad)
    for name in ("analyst", "avon-viewer", "avon-lead"):
        with pytest.raises(AccessDenied):
            board.record_action(
                scope=s[name], kind="decision", text="x", owner_role="Lead", **common
            )
        with pytest.raises(AccessDenied):
            board.set_action_status(
                scope=s[name], vru_code=bs.AVON, action_id=action, status="done"
            )
    frame = board.actions_for(scope=s["avon-viewer"], vru_code=bs.AVON)
    # Open ones first by due date (the decision has none, so last of the open).
    assert list(frame["text"]) == [
        "Ask the police why",
        "Report back",
        "Fund more navigators",
    ]
    # A workstream measure carries its workstream's name (spokes share measure
    # names, e.g. "Referrals into local initiatives"); a success measure does not.
    assert list(frame["measure_name"]) == [
        "Knife offences",
        "Referrals (Navigators)",
        "Knife offences",
    ]
    # The clock is 22 November 2025: due 1 October 2025 and still open is overdue.
    assert list(frame["overdue"]) == [True, False, False]
    first = frame.iloc[0]
    assert first["owner_role"] == "VRU Director"
    assert [p["value"] for p in first["path"]] == [150, 200, 260, 330]
    assert first["path_text"] == "Since then: 150 in 2024/25 Q2 to 330 in 2025/26 Q1."
    # The board member sees the referrals path disclosed: 5 is hidden.
    referrals = frame[frame["id"] == later].iloc[0]
    assert [(p["period"], p["value"]) for p in referrals["path"]][-2:] == [
        ("2025/26 Q1", None),
        ("2025/26 Q2", 60),
    ]
    board.set_action_status(
        scope=s["admin"], vru_code=bs.AVON, action_id=action, status="done"
    )
    done = board.actions_for(scope=s["analyst"], vru_code=bs.AVON)
    assert list(done["status"]) == ["open", "open", "done"]
    assert not done["overdue"].any()
    assert board.actions_for(scope=s["analyst"], vru_code=bs.AVON, open_only=True)[
        "id"
    ].tolist() == [later, done.iloc[1]["id"]]
    assert [a["after"]["status"] for a in _audit("set_action_status")] == ["done"]
    assert _audit("record_action")[0]["after"]["owner_role"] == "VRU Director"
    assert isinstance(frame, pd.DataFrame)


def test_new_periods_span_never_runs_two_ranges_together():
    """On the demo store hospital admissions arrive with an 'Apr 2012 to Mar 2021'
    figure before the financial years; 'Apr 2012 to Mar 2021 to 2025/26' read as
    one garbled range."""
    assert board._span(["2024/25 Q2"]) == "2024/25 Q2"
    assert board._span(["2024/25 Q2", "2025/26 Q1"]) == "2024/25 Q2 to 2025/26 Q1"
    assert (
        board._span(["Apr 2012 to Mar 2021", "2016/17", "2025/26"])
        == "first Apr 2012 to Mar 2021, last 2025/26"
    )


def test_changes_since_reads_quarters_and_years_as_the_trends_do():
    """What the trend was at the last board is read from the stored rows the
    trends read: a quarter is three months from January, April, July or October
    (not any period under 100 days: a month was taken as a quarter), a financial
    year runs April to March. The board's mask agrees with the trends' own
    (raw_series._period_kinds) row by row, and selects from an empty frame."""
    from data_access import periods
    from data_access.outcomes.raw_series import _period_kinds

    d = dt.date
    frame = pd.DataFrame(
        {
            "period_start": [
                d(2024, 4, 1), d(2024, 4, 1), d(2024, 2, 1), d(2024, 4, 1),
                d(2023, 7, 1), d(2024, 1, 1), d(2024, 10, 1),
            ],
            "period_end": [
                d(2024, 6, 30), d(2024, 4, 30), d(2024, 4, 30), d(2025, 3, 31),
                d(2024, 6, 30), d(2024, 12, 31), d(2024, 12, 31),
            ],
        }
    )  # fmt: skip
    quarters = board._kinds(frame, periods.is_quarter)
    years = board._kinds(frame, periods.is_financial_year)
    assert quarters.tolist() == [True, False, False, False, False, False, True]
    assert years.tolist() == [False, False, False, True, False, False, False]
    is_quarter, is_year, _other, _calendar = _period_kinds(frame)
    assert quarters.tolist() == is_quarter.tolist()
    assert years.tolist() == is_year.tolist()
    empty = frame.iloc[:0]
    assert list(empty[board._kinds(empty, periods.is_quarter)].columns) == [
        "period_start",
        "period_end",
    ]


def test_each_new_board_record_is_audited_under_its_table_and_id(cycle):
    """A meeting and an action are audited as created (audit.record_new): the
    entity is the row's table and entity_id its new id, so the audit log can be
    joined back to the row."""
    s = cycle["scopes"]
    meeting = board.add_meeting(
        scope=s["admin"], vru_code=bs.AVON, meeting_date="2025-06-01"
    )
    action = board.record_action(
        scope=s["admin"], kind="decision", text="Fund more navigators",
        owner_role="VRU Board", vru_code=bs.AVON, measure_code=bs.KNIFE,
        quarter_start="2024/25 Q2", decided_on="2025-06-01",
    )  # fmt: skip
    with db.session_scope() as session:
        rows = session.execute(
            select(AuditLog.action, AuditLog.entity, AuditLog.entity_id).where(
                AuditLog.action.in_(("add_board_meeting", "record_decision"))
            )
        ).all()
    assert sorted(tuple(r) for r in rows) == [
        ("add_board_meeting", "board_meeting", str(meeting)),
        ("record_decision", "board_action", str(action)),
    ]
